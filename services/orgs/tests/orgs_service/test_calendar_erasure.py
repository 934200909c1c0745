"""A deleted person leaves the calendar: after user.deleted their answers, their guests'
places and their calendar feed are gone, the waiting lists move past them (the next one
promoted), event.rsvped ``removed`` tells the other services, and once the relay has sent it
no calendar collection holds their id — not even the reminder that listed them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from jumo_common.mongo import MONGO_DB, Database
from jumo_common.outbox import sent_key
from jumo_common.testing.bus import EventTap
from jumo_common.testing.tokens import TestKeys
from jumo_common.testing.wait import wait_until

from .calendar_world import event_body
from .community import answer_of, bearer, http_member, http_org
from .conftest import Client, delete, person, service
from .test_erasure import values

CALENDAR_COLLECTIONS = ("calendar_events", "calendar_rsvps", "calendar_seats",
                        "calendar_reminders", "calendar_feeds", "scheduled_jobs",
                        "scheduled_leases")  # fmt: skip


async def _holding(db: Database, user_id: str) -> list[str]:
    """The calendar collections in which ``user_id`` still appears."""
    found = []
    for name in CALENDAR_COLLECTIONS:
        docs = await db[name].find({}).to_list()
        if any(user_id in " ".join(values(doc)) for doc in docs):
            found.append(name)
    return found


async def _event(client: Client, headers: dict[str, str], org_id: str, capacity: int) -> str:
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    body = event_body(capacity=capacity, starts_at=starts.isoformat(),
                      ends_at=(starts + timedelta(hours=2)).isoformat())  # fmt: skip
    made = await answer_of(await client.post(f"/orgs/{org_id}/events", json=body,
                                             headers=headers), 201)  # fmt: skip
    return str(made["id"])


async def _rsvp(client: Client, event_id: str, who: dict[str, str], guests: int = 0) -> Any:
    body = {"answer": "going", "guests": guests}
    return await answer_of(await client.put(f"/events/{event_id}/rsvp", json=body, headers=who))


async def test_a_deleted_person_leaves_the_calendar(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    db: Database = client.app[MONGO_DB]
    org = await http_org(client, "sea-friends")
    editor = uuid.uuid4().hex
    await http_member(client, org, editor, "editor")
    full = await _event(client, bearer(editor, keys), org["_id"], capacity=3)
    small = await _event(client, bearer(editor, keys), org["_id"], capacity=1)
    ann = await person(client, keys, "Ann")
    bob, carl = bearer(uuid.uuid4().hex, keys), bearer(uuid.uuid4().hex, keys)
    assert (await _rsvp(client, full, ann.auth, guests=2))["status"] == "going"
    assert (await _rsvp(client, full, bob))["status"] == "waiting"
    assert (await _rsvp(client, small, carl))["status"] == "going"
    assert (await _rsvp(client, small, ann.auth))["status"] == "waiting"
    await answer_of(await client.post("/users/me/calendar", headers=ann.auth), 201)
    await _reminder_sent(client, db, tap, full)
    assert await _holding(db, ann.user_id)  # the scan sees her before

    await delete(client, ann)
    await tap.wait_for("event.rsvped", count=7)  # 4 answers, Bob promoted, 2 removed
    mine = await answer_of(await client.get(f"/events/{full}", headers=bob))
    assert (mine["my_rsvp"]["status"], mine["going"]) == ("going", 1)
    assert (await answer_of(await client.get(f"/events/{small}")))["waiting"] == 0
    removed = [e for e in tap.of_type("event.rsvped") if e["data"]["user_id"] == ann.user_id
               and e["data"]["status"] == "removed"]  # fmt: skip
    assert len(removed) == 2

    async def forgotten() -> bool:
        await service(client).calendar.sweep(datetime.now(UTC))
        return await _holding(db, ann.user_id) == []

    await wait_until(forgotten, timeout=30, what="no calendar collection holds Ann's id")


async def _reminder_sent(client: Client, db: Database, tap: EventTap, event_id: str) -> None:
    """The reminder of ``event_id`` (Ann among its recipients) went out."""
    due = datetime.now(UTC) + timedelta(days=2, hours=1)
    assert await service(client).calendar.send_reminders(due) >= 1

    async def this_events() -> list[dict[str, Any]] | None:
        # The other calendar event is due in that window too: its reminder is no duplicate.
        found = [r for r in tap.of_type("event.reminder")
                 if r["data"]["event"]["event_id"] == event_id]  # fmt: skip
        return found or None

    found = await wait_until(this_events, what=f"the reminder of {event_id}")
    assert found is not None
    (reminder,) = found

    async def marked() -> bool:
        key = sent_key(reminder)
        return await db["outbox_sent"].find_one({"_id": key}) is not None

    await wait_until(marked, what="the reminder marked sent")
