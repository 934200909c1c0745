"""HTTP models of calendar events: what an organization sends, what people see, RSVPs and the
personal calendar feed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, Field, model_validator

from jumo_common.events.calendar import Answer, CalendarEventStatus, RsvpStatus
from jumo_common.events.orgs import OrgCard
from jumo_common.web import ApiModel
from jumo_orgs.plain_text import one_line, paragraphs

MAX_GUESTS = 5
MAX_CAPACITY = 10_000


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("not an IANA time zone (e.g. Europe/Paris)") from None
    return name


def _https(url: str) -> str:
    if not url.startswith("https://") or len(url) <= len("https://"):
        raise ValueError("an https:// link")
    if any(c.isspace() for c in url):
        raise ValueError("a link without spaces")
    return url


Title = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(one_line)]
Description = Annotated[str, Field(max_length=5000), AfterValidator(paragraphs)]
TimeZone = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_zone)]
OnlineUrl = Annotated[
    str,
    Field(max_length=2000, description="https only; stored, never fetched."),
    AfterValidator(_https),
]
Capacity = Annotated[int, Field(ge=1, le=MAX_CAPACITY, description="People plus guests.")]
OpportunityId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
WhenField = Field(
    description="A local time in ``time_zone`` (no offset), or a time with an offset."
)


class PlaceIn(ApiModel):
    """Where it happens; the point is kept to 2 decimals (about a kilometre)."""

    address: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(one_line)]
    city: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(one_line)]
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)


class CalendarEventIn(ApiModel):
    """``POST /orgs/{id}/events``: a place, an online link, or both."""

    title: Title
    description: Description = ""
    starts_at: datetime = WhenField
    ends_at: datetime = WhenField
    time_zone: TimeZone
    place: PlaceIn | None = None
    online_url: OnlineUrl | None = None
    capacity: Capacity
    opportunity_id: OpportunityId | None = None

    @model_validator(mode="after")
    def _somewhere(self) -> CalendarEventIn:
        if self.place is None and self.online_url is None:
            raise ValueError("a place or an online link is needed")
        return self


class CalendarEventPatch(ApiModel):
    """``PATCH /events/{id}``: only the fields sent change (``null`` removes the place, the
    link or the opportunity; one of place and link must remain)."""

    title: Title | None = None
    description: Description | None = None
    starts_at: datetime | None = Field(default=None, description=WhenField.description)
    ends_at: datetime | None = Field(default=None, description=WhenField.description)
    time_zone: TimeZone | None = None
    place: PlaceIn | None = None
    online_url: OnlineUrl | None = None
    capacity: Capacity | None = None
    opportunity_id: OpportunityId | None = None

    @model_validator(mode="after")
    def _no_required_nulls(self) -> CalendarEventPatch:
        required = ("title", "description", "starts_at", "ends_at", "time_zone", "capacity")
        nulls = [n for n in required if n in self.model_fields_set and getattr(self, n) is None]
        if nulls:
            raise ValueError(f"cannot be null: {', '.join(nulls)}")
        return self

    def sent(self) -> dict[str, Any]:
        """The fields the request named, with their values."""
        return self.model_dump(include=self.model_fields_set)


class PlaceOut(BaseModel):
    """Where a calendar event happens."""

    address: str
    city: str
    lat: float
    lng: float


class RsvpIn(ApiModel):
    """``PUT /events/{id}/rsvp``."""

    answer: Answer
    guests: int = Field(default=0, ge=0, le=MAX_GUESTS, description="People you bring.")


class RsvpOut(BaseModel):
    """A person's answer: ``status`` is ``waiting`` when going but the event is full."""

    event_id: str
    answer: Answer | None = None
    status: RsvpStatus
    guests: int = 0
    waiting_position: int | None = None
    changed: bool = False


class CalendarEventOut(BaseModel):
    """A calendar event; ``going`` counts people and their guests with a place."""

    id: str
    org: OrgCard
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    place: PlaceOut | None = None
    online_url: str | None = None
    capacity: int
    going: int
    waiting: int
    opportunity_id: str | None = None
    status: CalendarEventStatus
    my_rsvp: RsvpOut | None = None


class CalendarFeedOut(BaseModel):
    """A personal calendar feed: subscribe to ``url`` in a calendar app; shown once."""

    url: str
