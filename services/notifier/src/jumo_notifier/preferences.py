"""A person's notification preferences: channels per kind, digest frequency, quiet hours.

Stored as the person set them (only what they changed); ``effective`` fills in the defaults of
``model.default_channels``, so a new kind gets its default for everyone at once.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, available_timezones

from pydantic import BaseModel, ConfigDict, Field, field_validator

from jumo_notifier.model import FACEBOOK_KINDS, KINDS, Channel, Kind, default_channels

Digest = Literal["daily", "weekly", "never"]


class Channels(BaseModel):
    """Where one kind of notification reaches a person (None: not said, the default holds)."""

    model_config = ConfigDict(extra="forbid")

    in_app: bool | None = None
    email: bool | None = None
    facebook: bool | None = None


class QuietHours(BaseModel):
    """No email between ``start`` and ``end`` in ``time_zone`` (it waits until ``end``)."""

    model_config = ConfigDict(extra="forbid")

    start: time
    end: time
    time_zone: str = Field(examples=["Europe/Paris"])

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in _zones():
            raise ValueError("must be an IANA time zone, e.g. Europe/Paris")
        return value

    def holds(self, now: datetime) -> datetime | None:
        """When the quiet hours around ``now`` end (None: ``now`` is not in them)."""
        zone = ZoneInfo(self.time_zone)
        local = now.astimezone(zone)
        start = local.replace(hour=self.start.hour, minute=self.start.minute, second=0,
                              microsecond=0)  # fmt: skip
        end = start.replace(hour=self.end.hour, minute=self.end.minute)
        if self.start == self.end:
            return None
        if self.start < self.end:  # e.g. 13:00-14:00, within one day
            return end if start <= local < end else None
        # Across midnight, e.g. 22:00-07:00.
        if local >= start:
            return end + timedelta(days=1)
        if local < end:
            return end
        return None


def facebook_only_for_joins(kinds: dict[Kind, Any]) -> dict[Kind, Any]:
    """Only joins can be shown on Facebook: a ``facebook`` channel elsewhere is refused."""
    for kind, channels in kinds.items():
        if getattr(channels, "facebook", None) is not None and kind not in FACEBOOK_KINDS:
            joins = ", ".join(sorted(FACEBOOK_KINDS))
            raise ValueError(f"{kind}: only joins can be shown on Facebook ({joins})")
    return kinds


_ZONES: set[str] = set()


def _zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


class Preferences(BaseModel):
    """What a person chose."""

    model_config = ConfigDict(extra="forbid")

    kinds: dict[Kind, Channels] = Field(default_factory=dict)
    digest: Digest = "weekly"
    quiet_hours: QuietHours | None = None

    @field_validator("kinds")
    @classmethod
    def _facebook_only_for_joins(cls, value: dict[Kind, Channels]) -> dict[Kind, Channels]:
        return facebook_only_for_joins(value)

    def allows(self, kind: Kind, channel: Channel) -> bool:
        """Whether ``kind`` reaches the person on ``channel``."""
        chosen = getattr(self.kinds.get(kind, Channels()), channel)
        if chosen is not None:
            return bool(chosen)
        return default_channels(kind).get(channel, False)

    def effective(self) -> dict[Kind, dict[Channel, bool]]:
        """Every kind's channels, defaults filled in."""
        return {kind: {channel: self.allows(kind, channel) for channel in
                       default_channels(kind)} for kind in KINDS}  # fmt: skip

    def merged(self, change: Preferences) -> Preferences:
        """These preferences with ``change`` applied (kinds merge channel by channel)."""
        kinds = {kind: channels.model_copy() for kind, channels in self.kinds.items()}
        for kind, channels in change.kinds.items():
            base = kinds.get(kind, Channels())
            kinds[kind] = base.model_copy(update=channels.model_dump(exclude_none=True))
        fields = {name: getattr(change, name) for name in change.model_fields_set - {"kinds"}}
        return self.model_copy(update={**fields, "kinds": kinds})

    @classmethod
    def of(cls, doc: dict[str, Any] | None) -> Preferences:
        """From the stored document (None: every default)."""
        if not doc:
            return cls()
        return cls.model_validate({k: v for k, v in doc.items() if k != "_id"})


def sharing_joins() -> Preferences:
    """The choice made at sign-up to show one's joins on Facebook."""
    return Preferences(kinds={kind: Channels(facebook=True) for kind in FACEBOOK_KINDS})
