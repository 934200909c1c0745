"""Every email at most once per (person, event) across a SIGKILL mid-send: notifier runs as its
own process (``python -m jumo_notifier``: this test's database, exchange and queues, the stack's
Mailpit), a reminder of an event goes to 300 people, the process is killed with SIGKILL once
some but not all of their emails have arrived, a second process is started, and in the end no
one has two — and no one has none but the one whose email was recorded and in flight when the
kill landed (at most once: such an email is lost rather than risked twice).

The 300 people are seeded into notifier's ``people`` projection through its store, not by 300
user.registered events (those take most of a minute on FerretDB and are not what is under test;
how people come by events is tested elsewhere). The kill lands while the event's handler still
sends, so the second process takes the event over once its claim's lease (30 s) has run out.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from jumo_common.bus import connect
from jumo_common.bus.runtime import open_publisher
from jumo_common.events import make_event
from jumo_common.events.calendar import CalendarEventCard, EventReminder
from jumo_common.mongo import create_mongo_client
from jumo_common.testing.wait import wait_until
from jumo_notifier.settings import NotifierSettings
from jumo_notifier.store import NotifierStore

from .conftest import now, org_card
from .mailbox import Mailbox, mailbox, smtp_overrides
from .processes import NotifierProcess, delete_queues

__all__ = ["mailbox", "smtp_overrides"]  # fixtures
PEOPLE = 300


@pytest.fixture
def overrides(smtp_overrides: dict[str, Any]) -> dict[str, Any]:
    """The stack's Mailpit; the loops off."""
    return smtp_overrides


async def arrived(box: Mailbox, domain: str) -> dict[str, int]:
    """How many messages each address at ``domain`` has."""
    found: dict[str, int] = {}
    start = 0
    while True:
        page = await box._get("/api/v1/search", query=f"to:{domain}", limit="500",
                              start=str(start))  # fmt: skip
        for message in page["messages"]:
            for to in message["To"]:
                if to["Address"].endswith(f"@{domain}"):
                    found[to["Address"]] = found.get(to["Address"], 0) + 1
        start += len(page["messages"])
        if not page["messages"] or start >= page["messages_count"]:
            return found


async def count(box: Mailbox, domain: str) -> int:
    """How many messages went to ``domain``."""
    page = await box._get("/api/v1/search", query=f"to:{domain}", limit="1")
    return int(page["messages_count"])


@pytest.mark.slow
async def test_no_email_goes_twice_across_a_sigkill_mid_send(
    settings: NotifierSettings, mailbox: Mailbox, tmp_path: Path
) -> None:
    domain = f"kill-{uuid.uuid4().hex[:10]}.test"
    people = {uuid.uuid4().hex: f"p{i}@{domain}" for i in range(PEOPLE)}
    client = create_mongo_client(settings)
    store = NotifierStore(client[settings.mongo_database])
    for user_id, email in people.items():
        await store.save_person(user_id, {"name": f"Person {email[:4]}", "email": email}, 1)
    starts = now() + timedelta(days=1)
    card = CalendarEventCard(event_id=uuid.uuid4().hex, org=org_card(), title="Beach day",
                             starts_at=starts, ends_at=starts + timedelta(hours=2),
                             time_zone="UTC", capacity=PEOPLE, url="/events/beach")  # fmt: skip
    reminder = make_event(EventReminder(event=card, recipients=tuple(people), starts_at=starts),
                          producer="orgs")  # fmt: skip
    first = NotifierProcess(settings, tmp_path / "notifier-1.log")
    second = NotifierProcess(settings, tmp_path / "notifier-2.log")
    connection = await connect(settings)
    try:
        await first.start()
        publisher = await open_publisher(connection, settings)
        await publisher.publish(reminder)

        async def partly() -> int:
            sent = await count(mailbox, domain)
            return sent if PEOPLE // 10 <= sent < PEOPLE else 0  # well under way, not done

        at_kill = await wait_until(partly, timeout=60, interval=0.02,
                                   what=f"emails under way:\n{first.tail()}")  # fmt: skip
        await first.kill()
        print(f"\nkilled with {at_kill} of {PEOPLE} emails arrived")
        await second.start()

        emails = client[settings.mongo_database]["emails"]

        async def settled() -> bool:
            records = [d async for d in emails.find({"event_id": str(reminder.id)})]
            return len(records) == PEOPLE and sum(d["state"] == "sent" for d in records) >= (
                PEOPLE - 1
            )

        await wait_until(settled, timeout=90, interval=0.5,
                         what=f"every email recorded:\n{second.tail()}")  # fmt: skip
        await second.stop()
        records = {d["recipient"]: d async for d in emails.find({"event_id": str(reminder.id)})}
        got = await arrived(mailbox, domain)
    finally:
        await first.kill()
        await second.kill()
        await connection.close()
        await delete_queues(settings)
        await client.close()
    assert max(got.values()) == 1  # nobody twice
    assert set(got) <= set(people.values())
    missing = {user for user, email in people.items() if email not in got}
    in_flight = {user for user, doc in records.items() if doc["state"] == "sending"}
    assert missing <= in_flight  # none lost but the one the kill caught between record and send
    assert len(in_flight) <= 1
    print(f"after the restart: {len(got)} of {PEOPLE} arrived once, {len(missing)} lost in flight")
    assert all(doc["state"] in ("sent", "sending") for doc in records.values())
