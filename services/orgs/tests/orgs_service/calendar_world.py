"""What the calendar tests share: a verified organization with an owner and an editor, on
the memory stores, and calendar events of it (times relative to ``NOW``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from jumo_common.jwt import Principal
from jumo_common.mongo import Document
from jumo_common.testing.memory import PublishedEvents
from jumo_orgs.calendar import Calendar
from jumo_orgs.deps import Deps
from jumo_orgs.schemas.calendar import CalendarEventIn, CalendarEventOut

from .community import member_document, org_document, principal
from .memory import memory_deps
from .memory_calendar import MemoryCalendarStore
from .memory_orgs import MemoryOrgStore

NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


def event_body(**fields: Any) -> dict[str, Any]:
    """A valid ``POST /orgs/{id}/events`` body as JSON (a week after ``NOW``, in Paris)."""
    body: dict[str, Any] = {
        "title": "Beach clean-up", "description": "Gloves provided.",
        "starts_at": "2030-05-08T10:00:00", "ends_at": "2030-05-08T12:00:00",
        "time_zone": "Europe/Paris",
        "place": {"address": "1 quai des Sables", "city": "Marseille", "lat": 43.29517,
                  "lng": 5.37453},
        "capacity": 10,
    }  # fmt: skip
    return body | fields


@dataclass
class CalendarWorld:
    """The calendar on memory stores, with one verified organization."""

    deps: Deps
    events: PublishedEvents
    calendar: Calendar
    org: Document
    owner: Principal
    editor: Principal

    @classmethod
    async def make(cls) -> CalendarWorld:
        """A fresh world."""
        deps, events = memory_deps()
        world = cls(deps, events, Calendar(deps), org_document("sea-friends"), principal(),
                    principal())  # fmt: skip
        await world.orgs.orgs.create(world.org)
        await world.add_member(world.org, world.owner, "owner")
        await world.add_member(world.org, world.editor, "editor")
        return world

    @property
    def orgs(self) -> MemoryOrgStore:
        """The memory organizations store."""
        store = self.deps.stores.orgs
        assert isinstance(store, MemoryOrgStore)
        return store

    @property
    def store(self) -> MemoryCalendarStore:
        """The memory calendar store."""
        store = self.deps.stores.calendar
        assert isinstance(store, MemoryCalendarStore)
        return store

    async def add_member(self, org: Document, who: Principal, role: str) -> None:
        """``who`` gets ``role`` in ``org``."""
        await self.orgs.members.create(member_document(org["_id"], who.user_id, role))

    async def event(self, **fields: Any) -> CalendarEventOut:
        """A calendar event scheduled by the editor."""
        body = CalendarEventIn.model_validate(event_body(**fields))
        return await self.calendar.schedule(self.editor, self.org["_id"], body.model_dump(),
                                            now=NOW)  # fmt: skip

    async def going(self, event_id: str, guests: int = 0, at: datetime = NOW) -> Principal:
        """A new person answering ``going``."""
        who = principal()
        await self.calendar.rsvps.answer(who, event_id, "going", guests, now=at)
        return who

    def of_type(self, name: str) -> list[Any]:
        """The events of this type published so far."""
        return [e for e in self.events if e.type == name]

    @staticmethod
    def later(**delta: float) -> datetime:
        """``NOW`` plus ``delta``."""
        return NOW + timedelta(**delta)
