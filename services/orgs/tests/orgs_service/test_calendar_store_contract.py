"""One suite over ``MongoCalendarStore`` and its memory twin (``memory_calendar.py``): what
it checks, both do alike — which entitles the calendar's use-case tests to run on the twin.
Places are exclusive under concurrency on the real store too."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jumo_common.change import Change
from jumo_common.mongo import STALE_CLAIM, WRITE_CLAIMS, Document, ensure_indexes
from jumo_common.outbox import Outbox
from jumo_common.testing.memory import PublishedEvents
from jumo_orgs.calendar_store import INDEXES, OUTBOX_COLLECTIONS, CalendarStore, MongoCalendarStore

from .memory_calendar import MemoryCalendarStore

NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["mongo", "memory"])
async def store(request: pytest.FixtureRequest, mongo_db: Any) -> AsyncIterator[CalendarStore]:
    """``MongoCalendarStore`` on this test's database, or the memory twin."""
    if request.param == "memory":
        yield MemoryCalendarStore(PublishedEvents())
        return
    await ensure_indexes(mongo_db, INDEXES)
    outbox = Outbox(mongo_db, OUTBOX_COLLECTIONS)
    yield MongoCalendarStore(mongo_db, outbox, mongo_db[WRITE_CLAIMS])


def event(event_id: str, org_id: str, starts_in_days: int) -> Document:
    starts = NOW + timedelta(days=starts_in_days)
    return {"_id": event_id, "org_id": org_id, "title": event_id, "starts_at": starts,
            "ends_at": starts + timedelta(hours=2), "time_zone": "UTC", "capacity": 3,
            "status": "scheduled"}  # fmt: skip


def answer(status: str, waiting_since: datetime | None = None) -> Any:
    def plan(doc: Document | None) -> Change:
        fields: dict[str, Any] = {"event_id": "e1", "status": status, "since": NOW}
        if waiting_since is not None:
            fields["waiting_since"] = waiting_since
        return Change(set=fields)

    return plan


def with_user(user_id: str, plan: Any) -> Any:
    def wrapped(doc: Document | None) -> Change:
        change: Change = plan(doc)
        return Change(set={**change.set, "user_id": user_id})

    return wrapped


async def test_events_are_created_once_changed_and_listed_soonest_first(
    store: CalendarStore,
) -> None:
    assert await store.create_event(event("late", "o1", 9), [])
    assert await store.create_event(event("soon", "o1", 2), [])
    assert await store.create_event(event("other", "o2", 1), [])
    assert not await store.create_event(event("soon", "o1", 3), [])
    written = await store.change_event("soon", lambda d: Change(set={"title": "Soon!"}))
    assert written is not None
    assert written.version == 2
    assert await store.change_event("none", lambda d: Change(set={"title": "x"})) is None
    page = await store.events_page("o1", limit=1, cursor=None)
    assert [d["_id"] for d in page.items] == ["soon"]
    rest = await store.events_page("o1", limit=5, cursor=page.next_cursor)
    assert [d["_id"] for d in rest.items] == ["late"]
    found = await store.event("soon")
    assert found is not None
    assert found["title"] == "Soon!"


async def test_rsvps_by_status_in_waiting_order(store: CalendarStore) -> None:
    await store.change_rsvp("e1", "b", with_user("b", answer("waiting", NOW + timedelta(1))))
    await store.change_rsvp("e1", "a", with_user("a", answer("waiting", NOW + timedelta(2))))
    await store.change_rsvp("e1", "c", with_user("c", answer("going")))
    await store.change_rsvp("e1", "d", with_user("d", answer("waiting", NOW + timedelta(1))))
    assert [d["user_id"] for d in await store.rsvps("e1", "waiting")] == ["b", "d", "a"]
    assert [d["user_id"] for d in await store.rsvps("e1", "going")] == ["c"]
    await store.change_rsvp("e1", "c", lambda d: Change(set={"deleted": True}))
    assert await store.rsvps_of("c") == []
    assert [d["_id"] for d in await store.rsvps_of("a")] == ["e1:a"]


async def test_a_place_is_taken_once_under_concurrency(store: CalendarStore) -> None:
    won = await asyncio.gather(*(store.claim_seat("e1", 0, f"u{i}", NOW) for i in range(20)))
    assert won.count(True) == 1
    assert await store.claim_seat("e1", 1, "u1", NOW)
    assert await store.taken_seats("e1") == {0, 1}
    assert sorted((d["n"], d["user_id"]) for d in await store.seats("e1"))[1] == (1, "u1")
    holder = "u1" if won[1] else None
    assert (await store.seats_of("e1", "u1")) == ([0, 1] if holder else [1])
    await store.release_seats("e1", [0, 1])
    assert await store.taken_seats("e1") == set()
    assert await store.claim_seat("e1", 0, "u2", NOW)


async def test_a_claim_is_exclusive_until_released_or_stale(store: CalendarStore) -> None:
    assert await store.claim_once("promote:x:1", NOW)
    assert not await store.claim_once("promote:x:1", NOW + STALE_CLAIM / 2)
    await store.release_claim("promote:x:1")
    assert await store.claim_once("promote:x:1", NOW)
    assert await store.claim_once("promote:x:1", NOW + STALE_CLAIM * 2)  # its holder died


async def test_a_reminder_is_inserted_once(store: CalendarStore) -> None:
    doc = {"_id": "e1:start", "event_id": "e1", "at": NOW, "recipients": 2}
    assert await store.create_reminder(doc, [])
    assert not await store.create_reminder(doc, [])
    assert [d["_id"] for d in await store.reminders("e1")] == ["e1:start"]
    await store.shed_reminder("e1:start")
    assert [d["_id"] for d in await store.reminders("e1")] == ["e1:start"]


async def test_a_person_has_one_feed_until_revoked(store: CalendarStore) -> None:
    await store.replace_feed("ann", "h1", NOW)
    await store.replace_feed("bob", "h2", NOW)
    await store.replace_feed("ann", "h3", NOW)
    assert await store.feed("h1") is None
    found = await store.feed("h3")
    assert found is not None
    assert found["user_id"] == "ann"
    assert await store.delete_feeds("ann") == 1
    assert await store.feed("h3") is None
    assert await store.feed("h2") is not None
