"""notifier's HTTP bodies and answers (pydantic: every body validated, every answer documented)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from jumo_common.web import BadRequest, PageQuery
from jumo_notifier.model import Kind
from jumo_notifier.preferences import Digest, QuietHours, facebook_only_for_joins


class ListQuery(PageQuery):
    """``GET /notifications``: a page; ``unread=true`` for unread ones only."""

    unread: bool | None = None


class PartyOut(BaseModel):
    """Someone or something a notification names (``url``: its page on the platform)."""

    kind: str
    id: str
    name: str
    url: str | None = None


class NotificationOut(BaseModel):
    """One line of the list: a notification, or ``count`` like ones grouped (``ids``)."""

    id: str
    ids: list[str]
    kind: Kind
    text: str
    read: bool
    count: int
    actors: list[str]
    actor: PartyOut | None = None
    subject: PartyOut | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    cursor: str


class NotificationPage(BaseModel):
    """A page of notifications, newest first; ``next_cursor`` continues below it."""

    items: list[NotificationOut]
    next_cursor: str | None = None
    unread: int


class UnreadCount(BaseModel):
    """How many notifications are unread."""

    unread: int


class ReadAnswer(BaseModel):
    """How many notifications were marked read, and how many stay unread."""

    marked: int
    unread: int


class ReadBody(BaseModel):
    """Optionally, every id of a group (``ids`` of a grouped line) to mark with it."""

    model_config = ConfigDict(extra="forbid")

    ids: list[str] = Field(default_factory=list, max_length=100)


class ChannelsOut(BaseModel):
    """Where one kind reaches you (``facebook`` only for joins)."""

    in_app: bool
    email: bool
    facebook: bool | None = None


class PreferencesOut(BaseModel):
    """Your preferences, defaults filled in."""

    kinds: dict[Kind, ChannelsOut]
    digest: Digest
    quiet_hours: QuietHours | None = None
    email_stopped: str | None = Field(
        default=None, description="Why email no longer reaches you (a bounce, a complaint)."
    )


class ChannelsIn(BaseModel):
    """The channels you change for one kind (the others keep their value)."""

    model_config = ConfigDict(extra="forbid")

    in_app: bool | None = None
    email: bool | None = None
    facebook: bool | None = None


class PreferencesIn(BaseModel):
    """What you change: per kind the channels you name; ``digest``; ``quiet_hours``
    (``null`` removes them)."""

    model_config = ConfigDict(extra="forbid")

    kinds: dict[Kind, ChannelsIn] = Field(default_factory=dict)
    digest: Digest | None = None
    quiet_hours: QuietHours | None = None

    @field_validator("kinds")
    @classmethod
    def _facebook_only_for_joins(cls, value: dict[Kind, ChannelsIn]) -> dict[Kind, ChannelsIn]:
        return facebook_only_for_joins(value)


class BlockOut(BaseModel):
    """Whether you hear from someone."""

    user_id: str
    blocked: bool


def encode_cursor(number: int) -> str:
    """An opaque cursor."""
    return base64.urlsafe_b64encode(str(number).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """A cursor's number; 400 when it is not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        number = int(base64.urlsafe_b64decode(padded.encode()).decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadRequest(
            "this cursor is not one notifier gave out", type_suffix="bad-cursor"
        ) from None
    if number <= 0 or number >= 2**53:
        raise BadRequest("this cursor is not one notifier gave out", type_suffix="bad-cursor")
    return number
