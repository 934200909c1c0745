"""HTTP models of opportunities: what an organization sends, what readers get.

Nothing a caller may not set is accepted: ``status`` moves only through publish / pause /
resume / close, ``org_id`` comes from the path, places taken are counted by the applications
area; naming one of those (or any unknown field) is a 422.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from jumo_common.events.opportunities import CommitmentKind, OpportunityStatus
from jumo_common.events.orgs import OrgCard
from jumo_common.web import ApiModel, PageQuery
from jumo_orgs import geo
from jumo_orgs.opportunity_fields import (
    MAX_QUESTIONS,
    MAX_SLOTS,
    Address,
    Causes,
    City,
    Country,
    Description,
    Instant,
    MinimumAge,
    Places,
    Prerequisites,
    QuestionText,
    Skills,
    TimeZone,
    Title,
)
from jumo_orgs.opportunity_model import WEEKDAYS, Weekday

# Fields no request may set: naming one is a 422 that says "is read-only".
PROTECTED_FIELDS = frozenset(
    {"_id", "id", "org_id", "status", "version", "created_at", "updated_at", "created_by",
     "published_at", "closed_at", "closes_at", "places_taken", "taken", "remaining", "accepted",
     "org", "url_path"}
)  # fmt: skip


class PlaceIn(ApiModel):
    """Where: an address, a city and country, a point kept at 2 decimals (about 1 km)."""

    address: Address | None = None
    city: City | None = None
    country: Country | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _coarse_point(self) -> PlaceIn:
        if (self.lat is None) != (self.lng is None):
            raise ValueError("lat and lng go together")
        if self.lat is not None and self.lng is not None:
            object.__setattr__(self, "lat", geo.rounded(self.lat))
            object.__setattr__(self, "lng", geo.rounded(self.lng))
        if self.city is None and self.lat is None and self.address is None:
            raise ValueError("a place has an address, a city or a point")
        return self


class SlotIn(ApiModel):
    """A dated shift of a one-off opportunity; ``id`` keeps an existing slot in a PATCH."""

    id: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")] | None = None
    starts_at: Instant
    ends_at: Instant
    places: Places

    @model_validator(mode="after")
    def _ordered(self) -> SlotIn:
        if self.starts_at >= self.ends_at:
            raise ValueError("a slot starts before it ends")
        return self


class OneOff(ApiModel):
    """One or more dated slots, each with its own places."""

    kind: Literal["one_off"]
    slots: list[SlotIn] = Field(min_length=1, max_length=MAX_SLOTS)

    @model_validator(mode="after")
    def _distinct_ids(self) -> OneOff:
        ids = [s.id for s in self.slots if s.id]
        if len(ids) != len(set(ids)):
            raise ValueError("a slot id appears twice")
        return self


class Recurring(ApiModel):
    """A weekly pattern (days, start and end time, hours per session) from a start date to an
    end date, with the opportunity's places."""

    kind: Literal["recurring"]
    days: list[Weekday] = Field(min_length=1, max_length=7)
    start_time: time
    end_time: time
    hours_per_session: float = Field(gt=0, le=24)
    starts_on: date
    ends_on: date
    places: Places

    @model_validator(mode="after")
    def _coherent(self) -> Recurring:
        if self.start_time >= self.end_time:
            raise ValueError("a session starts before it ends")
        if self.starts_on > self.ends_on:
            raise ValueError("starts_on is on or before ends_on")
        if (self.ends_on - self.starts_on).days > 3 * 366:
            raise ValueError("a recurring opportunity runs for at most 3 years")
        self.days = sorted(set(self.days), key=WEEKDAYS.index)
        return self


class Ongoing(ApiModel):
    """No dates: help whenever, with the opportunity's places."""

    kind: Literal["ongoing"]
    places: Places


Commitment = Annotated[OneOff | Recurring | Ongoing, Field(discriminator="kind")]


class QuestionIn(ApiModel):
    """An application question; ``id`` keeps an existing question in a PATCH (answers name it)."""

    id: Annotated[str, Field(pattern=r"^[0-9a-f]{12}$")] | None = None
    text: QuestionText
    required: bool = True


class OpportunityDraft(ApiModel):
    """``POST /orgs/{id}/opportunities``: a new opportunity (a draft unless ``publish``)."""

    title: Title
    description: Description
    causes: Causes
    skills_wanted: Skills = Field(default_factory=list)
    skills_required: Skills = Field(default_factory=list)
    commitment: Commitment
    time_zone: TimeZone
    place: PlaceIn | None = None
    remote: bool = False
    minimum_age: MinimumAge | None = None
    prerequisites: Prerequisites = Field(default_factory=list)
    questions: list[QuestionIn] = Field(default_factory=list, max_length=MAX_QUESTIONS)
    deadline: Instant | None = None
    publish: bool = Field(default=False, description="Publish at once (a verified organization).")

    @model_validator(mode="after")
    def _place_or_remote(self) -> OpportunityDraft:
        if self.place is None and not self.remote:
            raise ValueError("an opportunity has a place, or is remote, or both")
        return self


class OpportunityPatch(ApiModel):
    """``PATCH /opportunities/{id}``: only the fields sent change; ``commitment`` is replaced
    whole (slots sent with their ``id`` are kept; places may grow, or shrink down to what is
    taken); ``null`` clears ``place``, ``minimum_age`` or ``deadline``."""

    title: Title | None = None
    description: Description | None = None
    causes: Causes | None = None
    skills_wanted: Skills | None = None
    skills_required: Skills | None = None
    commitment: Commitment | None = None
    time_zone: TimeZone | None = None
    place: PlaceIn | None = None
    remote: bool | None = None
    minimum_age: MinimumAge | None = None
    prerequisites: Prerequisites | None = None
    questions: list[QuestionIn] | None = Field(default=None, max_length=MAX_QUESTIONS)
    deadline: Instant | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> OpportunityPatch:
        nullable = {"place", "minimum_age", "deadline"}
        for name in self.model_fields_set - nullable:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        return self

    def fields_sent(self) -> dict[str, Any]:
        """The fields the request named, as python values."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class OpportunityListQuery(PageQuery):
    """``GET /orgs/{id}/opportunities``: ``status`` filters (its own people see drafts too)."""

    status: OpportunityStatus | None = None


# ---- what readers get ------------------------------------------------------------------------


class SlotOut(BaseModel):
    """A slot with its places: ``remaining`` = places - accepted."""

    id: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    places: int
    taken: int
    remaining: int


class PatternOut(BaseModel):
    """A recurring opportunity's weekly pattern."""

    days: list[str]
    start_time: str
    end_time: str
    hours_per_session: float
    starts_on: date
    ends_on: date


class PlaceOut(BaseModel):
    """Where."""

    address: str | None = None
    city: str | None = None
    country: str | None = None
    lat: float | None = None
    lng: float | None = None


class QuestionOut(BaseModel):
    """An application question (``id`` names it in an application's answers)."""

    id: str
    text: str
    required: bool


class OpportunityOut(BaseModel):
    """An opportunity as shown, with the places remaining in each slot."""

    id: str
    org: OrgCard
    status: OpportunityStatus
    title: str
    description: str
    causes: list[str]
    skills_wanted: list[str]
    skills_required: list[str]
    commitment: CommitmentKind
    pattern: PatternOut | None = None
    time_zone: str
    place: PlaceOut | None = None
    remote: bool
    slots: list[SlotOut]
    places: int
    remaining: int
    minimum_age: int | None = None
    prerequisites: list[str]
    questions: list[QuestionOut]
    deadline: datetime | None = None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = None
    closed_at: datetime | None = None
    url_path: str
    version: int
