"""The outbox and its relay against the real broker and database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from jumo_common.bus import Bus, ensure_processed_index, idempotent
from jumo_common.events import Envelope, make_event
from jumo_common.events.identity import UserRegistered, UserUpdated
from jumo_common.mongo import is_ferretdb
from jumo_common.outbox import (
    OUTBOX_DUE_FIELD,
    OUTBOX_FIELD,
    SENT_COLLECTION,
    OutboxRelay,
    outbox_insert,
    outbox_update,
)
from jumo_common.settings import ServiceSettings
from jumo_common.testing.wait import wait_until

from .conftest import Recorder

if TYPE_CHECKING:
    from jumo_common.testing.plugin import InfraUrls, TestNames

StartBus = Callable[..., Awaitable[Bus]]
CHILD = Path(__file__).with_name("relay_child.py")


def registered(user_id: str) -> Envelope[UserRegistered]:
    return make_event(
        UserRegistered(user_id=user_id, display_name=user_id),
        producer="identity",
        subject_id=user_id,
    )


@contextlib.asynccontextmanager
async def running(relay: OutboxRelay) -> AsyncIterator[OutboxRelay]:
    task = asyncio.create_task(relay.run())
    try:
        yield relay
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def pending(collection: Any) -> int:
    """Events in the outbox of some document and not recorded as sent."""
    docs = await collection.find({}, {OUTBOX_FIELD: 1}).to_list()
    ids = [e["id"] for d in docs for e in d.get(OUTBOX_FIELD) or []]
    sent = await collection.database[SENT_COLLECTION].count_documents({"_id": {"$in": ids}})
    return len(ids) - int(sent)


def test_update_builder_merges_with_the_callers_operators() -> None:
    event = registered("u1")
    update = outbox_update({"$set": {"name": "Ada"}, "$push": {"tags": "x"}}, event)
    assert update["$set"]["name"] == "Ada"
    assert OUTBOX_DUE_FIELD in update["$set"]
    assert update["$push"] == {"tags": "x", OUTBOX_FIELD: {"$each": [event.to_dict()]}}


async def test_event_published_fast_after_notify_and_removed_from_the_document(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    recorder = Recorder()
    bus = await start_bus(
        settings, handlers={"user.registered": recorder, "user.updated": recorder}
    )
    relay = OutboxRelay(bus.publisher, [mongo_db.users], poll_interval=5.0)
    async with running(relay):
        await asyncio.sleep(0.1)  # let the relay go idle (its first pass finds nothing)
        started = time.monotonic()
        await mongo_db.users.insert_one(outbox_insert({"_id": "u1", "name": "A"}, registered("u1")))
        relay.notify()
        await wait_until(recorder.reached(), timeout=1.0, interval=0.005, what="publish < 1 s")
        latency = time.monotonic() - started
        changed = make_event(
            UserUpdated(user_id="u1", display_name="B", changed=("display_name",)),
            producer="identity",
        )
        await mongo_db.users.update_one(
            {"_id": "u1"}, outbox_update({"$set": {"name": "B"}}, changed)
        )
        relay.notify()
        await wait_until(lambda: _count_is(recorder, 2), timeout=1.0, what="the update's event")
    print(f"\nidle -> handled after notify: {latency * 1000:.1f} ms")
    doc = await mongo_db.users.find_one({"_id": "u1"})
    assert doc is not None
    assert doc["name"] == "B"
    await wait_until(lambda: _no_pending(mongo_db.users), what="both events marked sent")


async def test_poll_is_the_backstop_without_notify(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    recorder = Recorder()
    bus = await start_bus(settings, handlers={"user.registered": recorder})
    async with running(OutboxRelay(bus.publisher, [mongo_db.users], poll_interval=0.2)):
        await mongo_db.users.insert_one(outbox_insert({"_id": "u1"}, registered("u1")))
        await wait_until(recorder.reached(), timeout=1.0, what="the poll to find the event")


async def _count_is(recorder: Recorder, n: int) -> bool:
    return len(recorder.events) == n


async def test_unroutable_event_stays_pending_until_a_queue_is_bound(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    producer = await start_bus(settings)  # publisher only: no queue is bound yet
    relay = OutboxRelay(producer.publisher, [mongo_db.users], poll_interval=0.1)
    event = registered("u1")
    await mongo_db.users.insert_one(outbox_insert({"_id": "u1"}, event))
    assert await relay.relay_once() == 0  # returned by the broker: not confirmed
    assert await relay.relay_once() == 0  # and again: it stays pending
    assert await pending(mongo_db.users) == 1

    recorder = Recorder()
    await start_bus(settings, handlers={"user.registered": recorder})  # binds the queue
    async with running(relay):
        await wait_until(recorder.reached(), timeout=3, what="delivery once a queue is bound")
        await wait_until(lambda: _no_pending(mongo_db.users), what="the outbox to empty")
    assert recorder.events == [event]


async def _no_pending(collection: Any) -> bool:
    return await pending(collection) == 0


async def test_concurrent_relays_lose_nothing(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    recorder = Recorder()
    bus = await start_bus(settings, handlers={"user.registered": recorder})
    relays = [OutboxRelay(bus.publisher, [mongo_db.users], poll_interval=0.05) for _ in range(3)]
    events = [registered(f"u{i}") for i in range(200)]
    async with running(relays[0]), running(relays[1]), running(relays[2]):
        for i in range(0, 200, 2):  # two events per document, written while relays run
            await mongo_db.users.insert_one(outbox_insert({"_id": i}, events[i]))
            await mongo_db.users.update_one({"_id": i}, outbox_update({}, events[i + 1]))
        await wait_until(lambda: _no_pending(mongo_db.users), timeout=10, what="empty outbox")
    await wait_until(lambda: _all_seen(recorder, events), timeout=5, what="all 200 events")
    print(f"\n3 relays, 200 events: {len(recorder.events) - 200} duplicates")


async def _all_seen(recorder: Recorder, events: list[Envelope[Any]]) -> bool:
    return {e.id for e in recorder.events} == {e.id for e in events}


async def test_relay_killed_between_publish_and_mark(
    settings: ServiceSettings,
    start_bus: StartBus,
    mongo_db: Any,
    infra: InfraUrls,
    names: TestNames,
) -> None:
    await ensure_processed_index(mongo_db.processed)
    deliveries = Recorder()

    @idempotent(mongo_db.processed, "svc.welcome")
    async def welcome(event: Envelope[Any]) -> None:
        await mongo_db.effects.update_one({"_id": str(event.id)}, {"$inc": {"n": 1}}, upsert=True)

    async def handler(event: Envelope[Any]) -> None:
        await deliveries(event)
        await welcome(event)

    bus = await start_bus(settings, handlers={"user.registered": handler})
    event = registered("u1")
    await mongo_db.users.insert_one(outbox_insert({"_id": "u1"}, event))

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
    assert await pending(mongo_db.users) == 1  # published, never marked

    async with running(OutboxRelay(bus.publisher, [mongo_db.users], poll_interval=0.1)):
        await wait_until(lambda: _no_pending(mongo_db.users), what="the restarted relay")
    await wait_until(lambda: _count_is(deliveries, 2), what="original and duplicate")
    assert deliveries.events == [event, event]
    await wait_until(lambda: _effect_done(mongo_db), what="the effect")
    assert await mongo_db.effects.find_one({"_id": str(event.id)}) == {"_id": str(event.id), "n": 1}


async def _effect_done(db: Any) -> bool:
    done: int = await db.processed.count_documents({"state": "done"})
    return done == 1


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


async def test_compaction_only_where_updates_are_atomic(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    bus = await start_bus(settings, handlers={"user.registered": Recorder()})
    relay = OutboxRelay(bus.publisher, [mongo_db.users], compact_after_s=0)
    await mongo_db.users.insert_one(outbox_insert({"_id": "u1", "name": "A"}, registered("u1")))
    assert await relay.relay_once() == 1
    doc = await mongo_db.users.find_one({"_id": "u1"})
    if await is_ferretdb(mongo_db):
        assert relay.ferretdb is True
        assert OUTBOX_FIELD in doc  # the relay never rewrites a producer's document there
    else:
        assert doc == {"_id": "u1", "name": "A"}
    assert await relay.relay_once() == 0  # sent markers: nothing published twice


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


async def test_a_new_relay_resumes_from_the_saved_watermark(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    producer = await start_bus(settings)  # nothing bound: the event stays pending
    first = OutboxRelay(producer.publisher, [mongo_db.users])
    old = registered("old")
    await mongo_db.users.insert_one(outbox_insert({"_id": "old"}, old))
    assert await first.relay_once() == 0
    recorder = Recorder()
    await start_bus(settings, handlers={"user.registered": recorder})
    newer = registered("new")
    await mongo_db.users.insert_one(outbox_insert({"_id": "new"}, newer))
    second = OutboxRelay(producer.publisher, [mongo_db.users])  # a restarted process
    assert await second.relay_once() == 2
    await wait_until(recorder.reached(2), what="both events")
    assert {e.id for e in recorder.events} == {old.id, newer.id}


async def test_the_deep_pass_finds_a_write_that_committed_late(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    recorder = Recorder()
    bus = await start_bus(settings, handlers={"user.registered": recorder})
    relay = OutboxRelay(bus.publisher, [mongo_db.users], slack_s=1, deep_every_s=3600)
    await mongo_db.users.insert_one(outbox_insert({"_id": "a"}, registered("a")))
    assert await relay.relay_once() == 1  # the watermark moves to now
    late = outbox_insert({"_id": "late"}, registered("late"))
    late[OUTBOX_DUE_FIELD] -= timedelta(seconds=60)  # stamped a minute before it committed
    await mongo_db.users.insert_one(late)
    assert await relay.relay_once() == 0  # outside the ordinary pass's slack
    relay.deep_every_s = 0
    assert await relay.relay_once() == 1  # the deep pass reaches back
