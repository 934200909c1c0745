"""Opportunities as the domain sees them: what an organization asks volunteers for. No I/O.

The store keeps plain documents (``opportunity_store``); ``opportunity_of`` reads one into an
``Opportunity`` and ``document_of`` writes it back, so the other areas (applications, the
calendar, the record, matching) build on these dataclasses and never on a document's shape.

Every opportunity has at least one ``Slot``: the unit places (seats) are counted in and a
volunteer applies for.
- ``one_off``: 1..20 dated slots, each with its own places.
- ``recurring``: one slot spanning the first session to the last (``starts_at`` = the start
  date at the pattern's start time, ``ends_at`` = the end date at its end time, in the
  opportunity's time zone), its places = the opportunity's capacity; the weekly pattern says
  when the sessions are.
- ``ongoing``: one slot with no dates (``starts_at``/``ends_at`` None), its places = the
  capacity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo

Status = Literal["draft", "open", "paused", "filled", "closed"]
CommitmentKind = Literal["one_off", "recurring", "ongoing"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
STATUSES: tuple[str, ...] = get_args(Status)
COMMITMENT_KINDS: tuple[str, ...] = get_args(CommitmentKind)
WEEKDAYS: tuple[str, ...] = get_args(Weekday)
# The statuses in which an opportunity still runs (a sweep may close it).
LIVE_STATUSES = ("open", "paused", "filled")


@dataclass(frozen=True)
class Place:
    """Where it happens; latitude/longitude are rounded to 2 decimals (about 1 km)."""

    address: str | None = None
    city: str | None = None
    country: str | None = None
    lat: float | None = None
    lng: float | None = None

    @property
    def has_point(self) -> bool:
        """Whether distance can be measured to it."""
        return self.lat is not None and self.lng is not None


@dataclass(frozen=True)
class Slot:
    """A unit of places: a dated shift (one-off), the whole run (recurring), or none (ongoing).

    ``id`` is unique across opportunities (a seat's id can be ``f"{slot.id}:{n}"``).
    """

    id: str
    starts_at: datetime | None
    ends_at: datetime | None
    places: int


@dataclass(frozen=True)
class WeeklyPattern:
    """When a recurring opportunity's sessions are, in its time zone."""

    days: tuple[Weekday, ...]
    start_time: time
    end_time: time
    hours_per_session: float
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class Question:
    """An application question (at most 5 per opportunity)."""

    id: str
    text: str
    required: bool = True


@dataclass(frozen=True)
class Opportunity:
    """What an organization asks volunteers for."""

    id: str
    org_id: str
    status: Status
    title: str
    description: str
    causes: tuple[str, ...]
    skills_wanted: tuple[str, ...]
    skills_required: tuple[str, ...]
    commitment: CommitmentKind
    time_zone: str
    place: Place | None
    remote: bool
    slots: tuple[Slot, ...]
    pattern: WeeklyPattern | None = None
    minimum_age: int | None = None
    prerequisites: tuple[str, ...] = ()
    questions: tuple[Question, ...] = ()
    deadline: datetime | None = None
    created_by: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    published_at: datetime | None = None
    closed_at: datetime | None = None
    version: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def skills(self) -> tuple[str, ...]:
        """Every skill it names, required ones first, once."""
        return tuple(dict.fromkeys(self.skills_required + self.skills_wanted))

    @property
    def zone(self) -> ZoneInfo:
        """Its time zone."""
        return ZoneInfo(self.time_zone)

    @property
    def places(self) -> int:
        """Its capacity: the places of every slot."""
        return sum(slot.places for slot in self.slots)

    @property
    def starts_at(self) -> datetime | None:
        """When it first happens (None: ongoing)."""
        return min((s.starts_at for s in self.slots if s.starts_at), default=None)

    @property
    def ends_at(self) -> datetime | None:
        """When it last happens (None: ongoing)."""
        return max((s.ends_at for s in self.slots if s.ends_at), default=None)

    @property
    def closes_at(self) -> datetime | None:
        """When it closes by itself: the deadline or the end, whichever comes first."""
        return min((t for t in (self.deadline, self.ends_at) if t), default=None)

    def slot(self, slot_id: str) -> Slot | None:
        """One of its slots by id."""
        return next((s for s in self.slots if s.id == slot_id), None)


# ---- documents ------------------------------------------------------------------------------


def _aware(value: datetime | None) -> datetime | None:
    """A stored datetime as an aware UTC one (drivers may hand back naive UTC)."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def slot_of(doc: Mapping[str, Any]) -> Slot:
    """A slot from its stored form."""
    return Slot(
        id=doc["id"], starts_at=_aware(doc.get("starts_at")), ends_at=_aware(doc.get("ends_at")),
        places=int(doc["places"]),
    )  # fmt: skip


def slot_document(slot: Slot) -> dict[str, Any]:
    """A slot's stored form."""
    return {"id": slot.id, "starts_at": slot.starts_at, "ends_at": slot.ends_at,
            "places": slot.places}  # fmt: skip


def pattern_of(doc: Mapping[str, Any] | None) -> WeeklyPattern | None:
    """A weekly pattern from its stored form (times "HH:MM", dates "YYYY-MM-DD")."""
    if not doc:
        return None
    return WeeklyPattern(
        days=tuple(doc["days"]), start_time=time.fromisoformat(doc["start_time"]),
        end_time=time.fromisoformat(doc["end_time"]),
        hours_per_session=float(doc["hours_per_session"]),
        starts_on=date.fromisoformat(doc["starts_on"]), ends_on=date.fromisoformat(doc["ends_on"]),
    )  # fmt: skip


def pattern_document(pattern: WeeklyPattern | None) -> dict[str, Any] | None:
    """A weekly pattern's stored form."""
    if pattern is None:
        return None
    return {
        "days": list(pattern.days), "start_time": pattern.start_time.strftime("%H:%M"),
        "end_time": pattern.end_time.strftime("%H:%M"),
        "hours_per_session": pattern.hours_per_session,
        "starts_on": pattern.starts_on.isoformat(), "ends_on": pattern.ends_on.isoformat(),
    }  # fmt: skip


def place_of(doc: Mapping[str, Any] | None) -> Place | None:
    """A place from its stored form."""
    if not doc:
        return None
    keys = ("address", "city", "country", "lat", "lng")
    return Place(**{k: doc.get(k) for k in keys})


def place_document(place: Place | None) -> dict[str, Any] | None:
    """A place's stored form."""
    if place is None:
        return None
    return {"address": place.address, "city": place.city, "country": place.country,
            "lat": place.lat, "lng": place.lng}  # fmt: skip


_MODEL_FIELDS = frozenset(
    {"_id", "org_id", "status", "title", "description", "causes", "skills_wanted",
     "skills_required", "commitment", "time_zone", "place", "remote", "slots", "pattern",
     "minimum_age", "prerequisites", "questions", "deadline", "created_by", "created_at",
     "updated_at", "published_at", "closed_at", "closes_at", "version"}
)  # fmt: skip


def opportunity_of(doc: Mapping[str, Any]) -> Opportunity:
    """An opportunity from its stored document."""
    return Opportunity(
        id=doc["_id"], org_id=doc["org_id"], status=doc["status"], title=doc["title"],
        description=doc["description"], causes=tuple(doc.get("causes", ())),
        skills_wanted=tuple(doc.get("skills_wanted", ())),
        skills_required=tuple(doc.get("skills_required", ())), commitment=doc["commitment"],
        time_zone=doc["time_zone"], place=place_of(doc.get("place")),
        remote=bool(doc.get("remote")), slots=tuple(slot_of(s) for s in doc.get("slots", ())),
        pattern=pattern_of(doc.get("pattern")), minimum_age=doc.get("minimum_age"),
        prerequisites=tuple(doc.get("prerequisites", ())),
        questions=tuple(Question(**q) for q in doc.get("questions", ())),
        deadline=_aware(doc.get("deadline")), created_by=doc.get("created_by"),
        created_at=_aware(doc.get("created_at")), updated_at=_aware(doc.get("updated_at")),
        published_at=_aware(doc.get("published_at")), closed_at=_aware(doc.get("closed_at")),
        version=int(doc.get("version", 0)),
        extra={k: v for k, v in doc.items() if k not in _MODEL_FIELDS},
    )  # fmt: skip


def document_of(opp: Opportunity) -> dict[str, Any]:
    """An opportunity's stored document (without ``version``: the store claims it), with the
    derived ``closes_at`` the auto-close sweep selects by."""
    return {
        "_id": opp.id, "org_id": opp.org_id, "status": opp.status, "title": opp.title,
        "description": opp.description, "causes": list(opp.causes),
        "skills_wanted": list(opp.skills_wanted), "skills_required": list(opp.skills_required),
        "commitment": opp.commitment, "time_zone": opp.time_zone,
        "place": place_document(opp.place), "remote": opp.remote,
        "slots": [slot_document(s) for s in opp.slots], "pattern": pattern_document(opp.pattern),
        "minimum_age": opp.minimum_age, "prerequisites": list(opp.prerequisites),
        "questions": [{"id": q.id, "text": q.text, "required": q.required} for q in opp.questions],
        "deadline": opp.deadline, "created_by": opp.created_by, "created_at": opp.created_at,
        "updated_at": opp.updated_at, "published_at": opp.published_at,
        "closed_at": opp.closed_at, "closes_at": opp.closes_at, **opp.extra,
    }  # fmt: skip
