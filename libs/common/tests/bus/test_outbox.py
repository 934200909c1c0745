"""The outbox and its relay against the real broker and database: published fast, nothing lost
when relays race or die, documents that shed their sent events, unrouted events parked and
replayed, failures backed off and logged once."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bson
import pytest
import structlog
from pymongo import AsyncMongoClient, monitoring

from jumo_common.bus import on, unrouted_name
from jumo_common.bus.replay import replay_unrouted
from jumo_common.change import Change
from jumo_common.events import Envelope, make_event
from jumo_common.events.identity import UserRegistered, UserUpdated
from jumo_common.mongo import WRITE_CLAIMS, is_ferretdb
from jumo_common.mongo.pushdown import FilterMode
from jumo_common.outbox import (
    OUTBOX_BUCKET_FIELD,
    OUTBOX_DUE_FIELD,
    OUTBOX_FIELD,
    Outbox,
    OutboxRelay,
    VersionedDocuments,
    sent_key,
)
from jumo_common.settings import ServiceSettings
from jumo_common.testing.wait import wait_until

from .conftest import Recorder, StartBus, drain, queue_depth

if TYPE_CHECKING:
    from jumo_common.testing.plugin import InfraUrls, TestNames

CHILD = Path(__file__).with_name("relay_child.py")


def registered(user_id: str) -> Envelope[UserRegistered]:
    return make_event(
        UserRegistered(user_id=user_id, display_name=user_id),
        producer="identity",
        subject_id=user_id,
    )


def updated(user_id: str, name: str) -> Envelope[UserUpdated]:
    data = UserUpdated(user_id=user_id, display_name=name, changed=("display_name",))
    return make_event(data, producer="identity", subject_id=user_id)


def users_of(mongo_db: Any, **outbox_options: Any) -> tuple[Outbox, VersionedDocuments]:
    outbox = Outbox(mongo_db, ["users"], **outbox_options)
    return outbox, VersionedDocuments(mongo_db.users, outbox, mongo_db[WRITE_CLAIMS])


def rename(name: str) -> Any:
    def plan(doc: dict[str, Any]) -> Change:
        return Change(set={"name": name}, events=(updated(doc["_id"], name),))

    return plan


@contextlib.asynccontextmanager
async def running(relay: OutboxRelay) -> AsyncIterator[OutboxRelay]:
    task = asyncio.create_task(relay.run())
    try:
        yield relay
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def pending(outbox: Outbox) -> int:
    """Events in the outbox of some document and not recorded as sent."""
    collection = outbox.collections[0]
    docs = await collection.find({}, {OUTBOX_FIELD: 1}).to_list()
    keys = [sent_key(e) for d in docs for e in d.get(OUTBOX_FIELD) or []]
    return len(keys) - len(await outbox.sent_among(keys))


async def test_published_fast_after_a_write_and_shed_at_the_next(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    recorder = Recorder()
    bus = await start_bus(settings, on(UserRegistered, recorder), on(UserUpdated, recorder))
    outbox, users = users_of(mongo_db)
    async with running(OutboxRelay(bus.publisher, outbox, poll_interval=5.0)):
        await asyncio.sleep(0.1)  # let the relay go idle: only the write's notify wakes it
        first = registered("u1")
        assert await users.create({"_id": "u1", "name": "A"}, [first])
        assert await bus.wait_handled(first.id, timeout=2)  # well before the 5 s poll
        await wait_until(lambda: _no_pending(outbox), what="the first event marked sent")
        written = await users.change("u1", rename("B"))
        assert written is not None
        assert written.version == 2
        await wait_until(recorder.reached(2), timeout=2, what="the update's event")
    doc = await mongo_db.users.find_one({"_id": "u1"})
    assert doc["name"] == "B"
    assert [e["type"] for e in doc[OUTBOX_FIELD]] == ["user.updated"]  # the sent one is gone


async def test_poll_is_the_backstop_for_writes_of_other_processes(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    recorder = Recorder()
    bus = await start_bus(settings, on(UserRegistered, recorder))
    outbox, _ = users_of(mongo_db)
    _, elsewhere = users_of(mongo_db)  # another process's outbox: its notify reaches nobody here
    async with running(OutboxRelay(bus.publisher, outbox, poll_interval=0.2)):
        await elsewhere.create({"_id": "u1"}, [registered("u1")])
        await wait_until(recorder.reached(), timeout=2, what="the poll to find the event")


async def _no_pending(outbox: Outbox) -> bool:
    return await pending(outbox) == 0


async def test_an_event_nobody_takes_yet_is_parked_then_replayed(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    producer = await start_bus(settings)  # publisher only: no queue is bound yet
    outbox, users = users_of(mongo_db)
    relay = OutboxRelay(producer.publisher, outbox)
    event = registered("u1")
    await users.create({"_id": "u1"}, [event])
    assert await relay.relay_once() == 1  # confirmed: the alternate exchange took it
    assert await pending(outbox) == 0
    assert await relay.relay_once() == 0  # and it is never published again
    ready, _ = await queue_depth(settings.amqp_url, unrouted_name(settings))
    assert ready == 1

    recorder = Recorder()
    consumer = await start_bus(settings, on(UserRegistered, recorder))  # binds the queue
    result = await replay_unrouted(settings)
    assert (result.replayed, result.still_unrouted) == (1, 0)
    await consumer.wait_handled(event.id)
    assert recorder.events == [event]


async def test_replay_leaves_what_still_has_no_taker(
    settings: ServiceSettings, start_bus: StartBus
) -> None:
    bus = await start_bus(settings)
    await bus.publisher.publish_many([registered(f"u{i}") for i in range(5)])
    result = await replay_unrouted(settings)
    assert (result.replayed, result.still_unrouted) == (5, 5)  # went straight back, once each
    assert len(await drain(settings.amqp_url, unrouted_name(settings))) == 5


async def test_concurrent_relays_lose_nothing(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    recorder = Recorder()
    bus = await start_bus(settings, on(UserRegistered, recorder), on(UserUpdated, recorder))
    outbox, users = users_of(mongo_db)
    relays = [OutboxRelay(bus.publisher, outbox, poll_interval=0.05) for _ in range(3)]
    events: list[Envelope[Any]] = []
    async with running(relays[0]), running(relays[1]), running(relays[2]):
        for i in range(100):  # two events per document, written while relays run
            events.append(registered(f"u{i}"))
            await users.create({"_id": f"u{i}"}, [events[-1]])
            written = await users.change(f"u{i}", rename("x"))
            assert written is not None
            events.extend(written.change.events_at(written.version) if written.change else [])
        await wait_until(lambda: _no_pending(outbox), timeout=20, what="empty outbox")
    await wait_until(lambda: _all_seen(recorder, events), timeout=10, what="all 200 events")
    print(f"\n3 relays, 200 events: {len(recorder.events) - 200} duplicates")


async def _all_seen(recorder: Recorder, events: list[Envelope[Any]]) -> bool:
    return {e.id for e in recorder.events} == {e.id for e in events}


async def test_concurrent_writers_of_one_document_lose_no_write_and_no_event(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    recorder = Recorder()
    bus = await start_bus(settings, on(UserUpdated, recorder))
    outbox, users = users_of(mongo_db)
    await users.create({"_id": "u1", "n": 0})

    def bump(doc: dict[str, Any]) -> Change:
        n = doc["n"] + 1
        return Change(set={"n": n}, events=(updated("u1", f"n{n}"),))

    async def writer() -> int:
        written = 0
        for _ in range(25):
            with contextlib.suppress(Exception):  # a WriteConflict is a refusal, not a loss
                await users.change("u1", bump)
                written += 1
        return written

    async with running(OutboxRelay(bus.publisher, outbox, poll_interval=0.05)):
        done = sum(await asyncio.gather(*(writer() for _ in range(4))))
        await wait_until(recorder.reached(done), timeout=30, what="every write's event")
    doc = await mongo_db.users.find_one({"_id": "u1"})
    print(f"\n4 writers x 25 changes of one document: {done} written, none lost")
    assert doc["n"] == done  # every accepted write is in the document
    assert doc["version"] == done + 1
    names = sorted(int(e.data.display_name[1:]) for e in recorder.events)
    assert names[-1] == done  # one event per write, none lost
    assert len(set(names)) == done


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_ten_thousand_updates_leave_a_document_small(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    bus = await start_bus(settings, on(UserUpdated, Recorder()))
    outbox, users = users_of(mongo_db)
    await users.create({"_id": "busy", "name": "start"})
    await users.create({"_id": "quiet", "name": "quiet"})
    started = time.monotonic()
    async with running(OutboxRelay(bus.publisher, outbox, poll_interval=0.1)):
        for i in range(10_000):
            await users.change("busy", rename(f"name {i}"))
    print(f"\n10,000 updates of one document in {time.monotonic() - started:.0f} s")
    busy = await mongo_db.users.find_one({"_id": "busy"})
    size = len(bson.encode(busy))
    print(f"\nafter 10,000 updates: {size} bytes, {len(busy.get(OUTBOX_FIELD) or [])} pending")
    assert size < 16 * 1024
    quiet = await mongo_db.users.find_one({"_id": "quiet"})
    assert quiet == {"_id": "quiet", "name": "quiet", "version": 1}


async def test_a_deletion_drops_every_earlier_event(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    _, users = users_of(mongo_db)  # no relay: every event stays pending
    await users.create({"_id": "u1", "bio": "secret"}, [registered("u1")])
    await users.change("u1", rename("Ann Secret"))
    gone = registered("u1")  # stands in for user.deleted
    erase = Change(
        set={"deleted": True}, unset=frozenset({"bio", "name"}), events=(gone,), forget_pending=True
    )
    await users.change("u1", lambda _doc: erase)
    doc = await mongo_db.users.find_one({"_id": "u1"})
    assert [e["id"] for e in doc[OUTBOX_FIELD]] == [str(gone.id)]
    assert "secret" not in str(doc).lower()


async def test_an_erasure_that_keeps_unsent_events_scrubs_the_person_from_them(
    mongo_db: Any,
) -> None:
    _, users = users_of(mongo_db)  # no relay: every event stays pending
    created = make_event(UserRegistered(user_id="o1", display_name="Org"), producer="identity",
                         actor_id="ann", subject_id="ann")  # fmt: skip
    await users.create({"_id": "o1", "created_by": "ann"}, [created])
    forget = Change(unset=frozenset({"created_by"}), scrub_actor="ann")
    await users.change("o1", lambda _doc: forget)
    doc = await mongo_db.users.find_one({"_id": "o1"})
    assert [e["id"] for e in doc[OUTBOX_FIELD]] == [str(created.id)]  # still to be sent
    assert "ann" not in str(doc)


async def test_relay_killed_between_publish_and_mark(
    settings: ServiceSettings,
    start_bus: StartBus,
    mongo_db: Any,
    infra: InfraUrls,
    names: TestNames,
) -> None:
    async def welcome(event: Envelope[UserRegistered]) -> None:
        await mongo_db.effects.update_one({"_id": str(event.id)}, {"$inc": {"n": 1}}, upsert=True)

    bus = await start_bus(settings, on(UserRegistered, welcome))
    outbox, users = users_of(mongo_db)
    event = registered("u1")
    await users.create({"_id": "u1"}, [event])

    child = await asyncio.create_subprocess_exec(
        sys.executable, str(CHILD), infra.amqp_url, infra.mongo_url,
        names.mongo_database, settings.events_exchange,
        stdout=subprocess.PIPE,
    )  # fmt: skip
    assert child.stdout is not None
    async with asyncio.timeout(20):
        assert await child.stdout.readline() == b"PUBLISHED\n"
    os.kill(child.pid, signal.SIGKILL)
    assert await child.wait() == -signal.SIGKILL
    assert await pending(outbox) == 1  # published, never marked
    await bus.wait_handled(event.id)

    async with running(OutboxRelay(bus.publisher, outbox, poll_interval=0.1)):
        await wait_until(lambda: _no_pending(outbox), what="the restarted relay")
    await wait_until(lambda: _done_claims(mongo_db, 1), what="the duplicate to be absorbed")
    assert await mongo_db.effects.find_one({"_id": str(event.id)}) == {"_id": str(event.id), "n": 1}


async def _done_claims(db: Any, n: int) -> bool:
    done: int = await db.processed_events.count_documents({"state": "done"})
    return done == n


async def test_a_pass_is_bounded_and_the_next_goes_on_from_there(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    recorder = Recorder()
    bus = await start_bus(settings, on(UserRegistered, recorder))
    outbox, users = users_of(mongo_db)
    for i in range(120):
        await users.create({"_id": f"u{i:03}"}, [registered(f"u{i:03}")])
    relay = OutboxRelay(bus.publisher, outbox, batch_size=20, pass_limit=50)
    passes = [await relay.relay_once() for _ in range(4)]
    print(f"\n120 documents, passes of at most 50: {passes}")
    assert max(passes) <= 60  # at most pass_limit, rounded up to whole pages
    assert sum(passes) == 120
    await wait_until(recorder.reached(120), what="all 120 events")


async def test_failures_back_off_and_are_logged_once_per_interval(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    bus = await start_bus(settings)
    outbox, users = users_of(mongo_db)
    for i in range(30):
        await users.create({"_id": f"u{i}"}, [registered(f"u{i}")])
    await bus.publisher.channel.close()  # every publish now fails at once
    relay = OutboxRelay(bus.publisher, outbox, poll_interval=0.01, log_every_s=3600)
    with structlog.testing.capture_logs() as logs:
        async with running(relay):
            await wait_until(lambda: _backing_off(relay, 2.0), timeout=10, what="the backoff")
    warnings = [e for e in logs if e["event"] == "outbox events not confirmed; will retry"]
    print(f"\nbackoff reached {relay.backoff_s} s; {len(warnings)} warning line(s)")
    assert len(warnings) == 1  # once per interval, with the count, not once per pass or event
    assert warnings[0]["count"] == 30
    assert await pending(outbox) == 30  # nothing lost: still pending


async def _backing_off(relay: OutboxRelay, seconds: float) -> bool:
    return relay.backoff_s >= seconds


async def test_a_new_relay_resumes_from_the_saved_watermark(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    recorder = Recorder()
    bus = await start_bus(settings, on(UserRegistered, recorder))
    outbox, users = users_of(mongo_db)
    await users.create({"_id": "old"}, [registered("old")])
    assert await OutboxRelay(bus.publisher, outbox).relay_once() == 1
    newer = registered("new")
    await users.create({"_id": "new"}, [newer])
    second = OutboxRelay(bus.publisher, outbox)  # a restarted process
    assert await second.relay_once() == 1  # only the new one: the old one is marked
    await wait_until(recorder.reached(2), what="both events")


async def test_the_deep_pass_finds_a_write_that_committed_late(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    recorder = Recorder()
    bus = await start_bus(settings, on(UserRegistered, recorder))
    outbox, users = users_of(mongo_db, slack_s=1)
    relay = OutboxRelay(bus.publisher, outbox, deep_every_s=3600)
    await users.create({"_id": "a"}, [registered("a")])
    assert await relay.relay_once() == 1  # the watermark moves to now
    await users.create({"_id": "late"}, [registered("late")])
    await mongo_db.users.update_one(  # stamped a minute before it committed
        {"_id": "late"}, {"$set": {OUTBOX_DUE_FIELD: (await _due(mongo_db)) - timedelta(minutes=1)}}
    )
    assert await relay.relay_once() == 0  # outside the ordinary pass's slack
    relay.deep_every_s = 0
    assert await relay.relay_once() == 1  # the deep pass reaches back


class Finds(monitoring.CommandListener):
    """The filters of the ``find`` commands a client sends."""

    def __init__(self) -> None:
        self.filters: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "find":
            self.filters.append(dict(event.command.get("filter", {})))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@contextlib.asynccontextmanager
async def watched(infra: InfraUrls) -> AsyncIterator[tuple[AsyncMongoClient[Any], Finds]]:
    """A client of its own whose ``find`` filters are recorded."""
    finds = Finds()
    client: AsyncMongoClient[Any] = AsyncMongoClient(
        infra.mongo_url, tz_aware=True, event_listeners=[finds]
    )
    try:
        yield client, finds
    finally:
        await client.close()


async def test_after_its_first_pass_the_relay_reads_buckets_where_ranges_are_not_pushed_down(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any, infra: InfraUrls
) -> None:
    recorder = Recorder()
    bus = await start_bus(settings, on(UserRegistered, recorder))
    async with watched(infra) as (client, finds):
        outbox, users = users_of(client[mongo_db.name])
        relay = OutboxRelay(bus.publisher, outbox, deep_every_s=3600)
        await users.create({"_id": "a"}, [registered("a")])
        assert await relay.relay_once() == 1  # the first pass since start: the range alone
        await users.create({"_id": "b"}, [registered("b")])
        finds.filters.clear()
        assert await relay.relay_once() == 1
        later = [f for f in finds.filters if OUTBOX_DUE_FIELD in str(f)]
        await asyncio.sleep(1.5)
        finds.filters.clear()
        assert await relay.relay_once() == 0  # nothing new: the window starts at the last pass
        idle = [f for f in finds.filters if OUTBOX_DUE_FIELD in str(f)]
    by_bucket = await FilterMode(mongo_db.users).get() == "equalities"
    print(f"\nbuckets: {by_bucket}; a pass's reads: {len(later)}, an idle pass's: {len(idle)}")
    assert later
    assert all((OUTBOX_BUCKET_FIELD in f) is by_bucket for f in later)
    assert len(idle) <= 2  # the 2 s slack and the 1.5 s since span two buckets at most
    await wait_until(recorder.reached(2), what="both events")


async def test_a_pass_reads_each_bucket_once_whatever_its_page_size_and_keeps_its_limit(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any, infra: InfraUrls
) -> None:
    """Where buckets are read, the server reads a whole bucket before it sorts and limits: a
    second page of one bucket would read all of it again. Pages of 2 still publish 2 by 2."""
    recorder = Recorder()
    bus = await start_bus(settings, on(UserRegistered, recorder))
    async with watched(infra) as (client, finds):
        # No slack: the second pass does not read "a" again, so the limit's count is exact.
        outbox, users = users_of(client[mongo_db.name], slack_s=0)
        relay = OutboxRelay(bus.publisher, outbox, deep_every_s=3600, batch_size=2, pass_limit=4)
        await users.create({"_id": "a"}, [registered("a")])
        assert await relay.relay_once() == 1  # the first pass since start: the range alone
        for n in range(5):
            await users.create({"_id": f"b{n}"}, [registered(f"b{n}")])
        passes = []
        for expected in (4, 1):  # cut short at the pass limit, then on from where it stopped
            finds.filters.clear()
            assert await relay.relay_once() == expected
            passes.append([f.get(OUTBOX_BUCKET_FIELD) for f in finds.filters
                           if OUTBOX_DUE_FIELD in str(f)])  # fmt: skip
    print(f"\nbuckets read by the two passes: {passes}")
    if await FilterMode(mongo_db.users).get() == "equalities":
        assert all(len(read) == len(set(read)) and None not in read for read in passes)
    await wait_until(recorder.reached(6), what="all six events")


async def _due(db: Any) -> Any:
    doc = await db.users.find_one({"_id": "late"})
    return doc[OUTBOX_DUE_FIELD]


async def test_events_older_than_the_watermark_count_as_sent_without_their_marker(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    bus = await start_bus(settings, on(UserRegistered, Recorder()))
    outbox, users = users_of(mongo_db, deep_slack_s=0)
    await users.create({"_id": "u1"}, [registered("u1")])
    relay = OutboxRelay(bus.publisher, outbox)
    assert await relay.relay_once() == 1
    await users.create({"_id": "u2"}, [registered("u2")])  # a later write moves the watermark
    assert await relay.relay_once() == 1
    await mongo_db.outbox_sent.delete_many({})  # markers purged (as after a day)
    doc = await mongo_db.users.find_one({"_id": "u1"})
    assert await outbox.pending(mongo_db.users, doc) == []  # the watermark vouches for it


@pytest.mark.parametrize("how", ["condition", "in"])
async def test_ferretdb_pull_ignores_conditions_but_pull_all_works(mongo_db: Any, how: str) -> None:
    """Pins FerretDB 1.24: $pull with a condition is silently a no-op; $pullAll works."""
    events = [{"id": "a", "n": 1}, {"id": "b", "n": 2}]
    await mongo_db.t.insert_one({"_id": 1, "box": events})
    condition = {"id": {"$in": ["a"]}} if how == "condition" else {"$in": [events[0]]}
    await mongo_db.t.update_one({"_id": 1}, {"$pull": {"box": condition}})
    doc = await mongo_db.t.find_one({"_id": 1})
    is_ferret = await is_ferretdb(mongo_db)
    assert len(doc["box"]) == (2 if is_ferret else 1)  # FerretDB: silently a no-op
    await mongo_db.t.update_one({"_id": 1}, {"$pullAll": {"box": [events[1]]}})
    doc = await mongo_db.t.find_one({"_id": 1})
    assert events[1] not in doc["box"]


async def test_ferretdb_updates_of_one_document_are_not_atomic(mongo_db: Any) -> None:
    """Pins FerretDB issue #3040 (why the relay only inserts); MongoDB keeps every push."""
    await mongo_db.t.insert_one({"_id": 1, "a": []})
    await asyncio.gather(
        *(mongo_db.t.update_one({"_id": 1}, {"$push": {"a": i}}) for i in range(100))
    )
    doc = await mongo_db.t.find_one({"_id": 1})
    if await is_ferretdb(mongo_db):
        print(f"\nFerretDB kept {len(doc['a'])} of 100 concurrent $push")
        assert len(doc["a"]) < 100
    else:
        assert len(doc["a"]) == 100
