"""The reminder fires once across a SIGKILL of the service: orgs runs as its own process
(``python -m jumo_orgs`` on a free port, this test's database and exchange), a calendar
event's reminder falls due a few seconds after it starts; the process is killed with SIGKILL
the moment it has leased the job (between the claim and the effect, or just after), started
again, and the tap counts exactly one ``event.reminder``, for the people going."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pymongo import AsyncMongoClient

from jumo_common.mongo import Database, ensure_indexes
from jumo_common.testing.bus import EventTap
from jumo_common.testing.wait import wait_until
from jumo_devstack import free_port
from jumo_orgs.app import build_orgs
from jumo_orgs.calendar import reminder_job
from jumo_orgs.settings import OrgsSettings
from jumo_orgs.store import INDEXES

from .community import member_document, org_document, principal

INHERITED = ("PATH", "HOME", "LANG", "TZ", "PYTHONPATH")
LEAD = timedelta(seconds=6)  # the reminder falls due this long after the event is made


class OrgsProcess:
    """orgs as a child process of this test, logging to a file."""

    def __init__(self, settings: OrgsSettings, log: Path) -> None:
        self.port = free_port()
        self.log = log
        self.env = {
            **{k: os.environ[k] for k in INHERITED if k in os.environ},
            "PORT": str(self.port), "AMQP_URL": settings.amqp_url,
            "MONGO_URL": settings.mongo_url, "MONGO_DATABASE": settings.mongo_database,
            "EVENTS_EXCHANGE": settings.events_exchange, "QUEUE_PREFIX": settings.queue_prefix,
            "JWKS_URL": settings.jwks_url, "LOG_JSON": "true",
            "TIMERS_INTERVAL_S": "0.1", "SCHEDULER_LEASE_S": "2",
        }  # fmt: skip
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start it and wait until /readyz answers 200."""
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "jumo_orgs", env=self.env, stdin=asyncio.subprocess.DEVNULL,
                stdout=out, stderr=asyncio.subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        await wait_until(self._ready, timeout=60, what=f"orgs ready:\n{self.tail()}")

    async def _ready(self) -> bool:
        assert self.process is not None
        assert self.process.returncode is None, self.tail()
        try:
            async with aiohttp.ClientSession() as session:
                url = f"http://127.0.0.1:{self.port}/readyz"
                async with session.get(url) as answer:
                    return answer.status == 200
        except aiohttp.ClientError:
            return False

    async def kill(self) -> None:
        """SIGKILL, and wait until it is gone."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def stop(self) -> None:
        """SIGTERM (SIGKILL after 15 s)."""
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            await self.kill()

    def tail(self) -> str:
        """The end of its log."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-30:])


@pytest.fixture
async def db(settings: OrgsSettings) -> AsyncIterator[Database]:
    """This test's database, as the child process will see it."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url, tz_aware=True)
    try:
        database = client[settings.mongo_database]
        await ensure_indexes(database, INDEXES)
        yield database
    finally:
        await client.close()


async def _event_due_soon(settings: OrgsSettings, db: Database) -> tuple[str, set[str]]:
    """A verified organization's calendar event whose reminder is due in ``LEAD``, and the
    people going to it (written with the service's own use cases; the child relays them)."""
    orgs = build_orgs(settings, db)
    org, editor = org_document("sea-friends"), principal()
    await db["orgs"].insert_one(org)
    await db["org_members"].insert_one(member_document(org["_id"], editor.user_id, "editor"))
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=24) + LEAD
    sent = {"title": "Beach clean-up", "description": "", "starts_at": starts,
            "ends_at": starts + timedelta(hours=2), "time_zone": "Europe/Paris", "place": None,
            "online_url": "https://meet.example.org/sea", "capacity": 5}  # fmt: skip
    made = await orgs.calendar.schedule(editor, org["_id"], sent, now=datetime.now(UTC))
    going = set()
    for _ in range(3):
        who = principal()
        await orgs.calendar.rsvps.answer(who, made.id, "going", 0, now=datetime.now(UTC))
        going.add(who.user_id)
    return made.id, going


async def test_the_reminder_fires_once_across_a_sigkill(
    settings: OrgsSettings, db: Database, tap: EventTap, tmp_path: Path
) -> None:
    event_id, going = await _event_due_soon(settings, db)
    orgs = OrgsProcess(settings, tmp_path / "orgs.log")
    await orgs.start()
    try:

        async def leased() -> bool:
            return await db["scheduled_leases"].count_documents({}) > 0

        await wait_until(leased, timeout=60, interval=0.005, what="the reminder job leased")
        await orgs.kill()  # right after the claim: before the effect, or just after it
        await orgs.start()
        reminders = await tap.wait_for("event.reminder", timeout=60)

        async def done() -> bool:
            job = await db["scheduled_jobs"].find_one({"_id": reminder_job(event_id)})
            return job is not None and job["state"] == "done"

        await wait_until(done, timeout=30, what="the reminder job done")
        await orgs.stop()  # its relay has sent all it will
    finally:
        await orgs.kill()
    distinct = {e["id"] for e in tap.of_type("event.reminder")}
    assert len(distinct) == 1, tap.of_type("event.reminder")
    assert set(reminders[0]["data"]["recipients"]) == going
    assert await db["calendar_reminders"].count_documents({}) == 1
