"""A consuming service as every Jumo service wires one: two handlers on queues of their own,
built from the service objects once they exist, idempotent without a line of their own.

The app under test::

    app.cleanup_ctx.extend([
        mongo_context(settings),
        directory_context(),                                   # app[DIRECTORY]: the service
        bus_context(settings, handlers=lambda app: handlers(app[DIRECTORY])),
    ])
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from jumo_common.bus import (
    BUS_KEY,
    DEAD,
    DEAD_REASON_HEADER,
    Bus,
    Subscriptions,
    bus_context,
    on,
    queue_names,
    unrouted_name,
)
from jumo_common.events import (
    Envelope,
    EventData,
    event_type,
    make_event,
    register_upcaster,
)
from jumo_common.events.identity import UserDeleted, UserFollowed
from jumo_common.mongo import MONGO_DB, Database, mongo_context
from jumo_common.settings import ServiceSettings
from jumo_common.testing.wait import wait_until
from jumo_common.web import create_base_app

from .conftest import FAST_BACKOFF, SERVICE, Topology, drain, queue_depth


@event_type("test.thing_renamed", 1)
class ThingRenamedV1(EventData):
    """The old shape: ``name``."""

    thing_id: str
    name: str


@event_type("test.thing_renamed", 2)
class ThingRenamed(EventData):
    """The new shape: ``title`` (a breaking rename, hence version 2)."""

    thing_id: str
    title: str


def upcast_thing_renamed_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
    return {"thing_id": data["thing_id"], "title": data["name"]}


register_upcaster("test.thing_renamed", 1, upcast_thing_renamed_v1_v2)


class Directory:
    """The service: forgets deleted people, audits deletions, keeps things' titles."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.audit_open = asyncio.Event()  # the audit's dependency answers while this is set
        self.audit_open.set()
        self.audited: list[str] = []
        self.forgotten: list[tuple[str, float]] = []

    async def forget(self, event: Envelope[UserDeleted]) -> None:
        # Not idempotent on its own: the consumer's claim is what keeps it to one effect.
        await self.db.effects.update_one({"_id": str(event.id)}, {"$inc": {"n": 1}}, upsert=True)
        self.forgotten.append((event.data.user_id, time.monotonic()))

    async def audit(self, event: Envelope[UserDeleted]) -> None:
        await self.audit_open.wait()
        if event.data.user_id == "poison":
            raise RuntimeError("the audit log refuses this one")
        self.audited.append(event.data.user_id)

    async def retitle(self, event: Envelope[ThingRenamed]) -> None:
        await self.db.things.update_one(
            {"_id": event.data.thing_id},
            {"$set": {"title": event.data.title}, "$inc": {"writes": 1}},
            upsert=True,
        )


def handlers(directory: Directory) -> Subscriptions:
    """The service's one map of what reacts to what."""
    return Subscriptions(
        on(UserDeleted, directory.forget, isolated=True),
        on(UserDeleted, directory.audit, isolated=True),
        on(ThingRenamed, directory.retitle),
    )


DIRECTORY = web.AppKey("test_directory", Directory)


def directory_context(app: web.Application) -> AsyncIterator[None]:
    async def context() -> AsyncIterator[None]:
        app[DIRECTORY] = Directory(app[MONGO_DB])
        yield

    return context()


def create_app(settings: ServiceSettings) -> web.Application:
    app = create_base_app(settings)
    app.cleanup_ctx.extend(
        [
            mongo_context(settings),
            directory_context,
            bus_context(
                settings,
                handlers=lambda app: handlers(app[DIRECTORY]),
                backoff=FAST_BACKOFF,
            ),
        ]
    )
    return app


@pytest.fixture
async def app(
    settings: ServiceSettings, topology: Topology, mongo_db: Any
) -> AsyncIterator[web.Application]:
    """The consuming app, started on this test's names (its database is ``mongo_db``)."""
    topology.queues.update({"forget", "audit"})
    application = create_app(settings)
    client = TestClient(TestServer(application))
    await client.start_server()
    try:
        yield application
    finally:
        await client.close()


def deleted(user_id: str) -> Envelope[UserDeleted]:
    return make_event(UserDeleted(user_id=user_id), producer="identity")


async def test_each_isolated_handler_has_its_own_queue_and_dead_letter_queue(
    app: web.Application, settings: ServiceSettings
) -> None:
    bus = app[BUS_KEY]
    queues = sorted(c.queue_name for c in bus.consumers)
    assert queues == sorted(
        queue_names(settings, SERVICE, q)[0] for q in ("events", "forget", "audit")
    )
    assert all(c.topology and c.topology.dead_queue.name == f"{c.queue_name}.dead"
               for c in bus.consumers)  # fmt: skip


async def test_a_stuck_and_poisoned_handler_holds_up_nobody(
    app: web.Application, settings: ServiceSettings
) -> None:
    directory, bus = app[DIRECTORY], app[BUS_KEY]
    directory.audit_open.clear()  # the audit's dependency hangs: its queue backs up
    poison = deleted("poison")
    good = [deleted(f"u{i}") for i in range(200)]
    started = time.monotonic()
    await bus.publisher.publish(poison)
    assert await bus.publisher.publish_many(good) == [None] * 200

    async def all_forgotten() -> bool:
        return len(directory.forgotten) == 201

    await wait_until(all_forgotten, timeout=20, what="forget to handle all 201 on its own queue")
    rate = 201 / (directory.forgotten[-1][1] - started)
    assert directory.audited == []  # the audit has handled nothing yet, and held up nothing
    print(f"\nforget ran at {rate:.0f} events/s while the audit hung")

    directory.audit_open.set()
    assert await bus.wait_handled(poison.id, timeout=20) == DEAD
    _, audit_dead = queue_names(settings, SERVICE, "audit")
    [dead] = await drain(settings.amqp_url, audit_dead)
    assert "the audit log refuses this one" in str((dead.headers or {})[DEAD_REASON_HEADER])

    async def all_audited() -> bool:
        return len(directory.audited) == 200

    await wait_until(all_audited, timeout=20, what="the audit to catch up")
    _, forget_dead = queue_names(settings, SERVICE, "forget")
    assert await drain(settings.amqp_url, forget_dead) == []


async def test_three_deliveries_of_one_event_have_one_effect(
    app: web.Application, mongo_db: Any
) -> None:
    directory, bus = app[DIRECTORY], app[BUS_KEY]
    event = deleted("u1")
    for _ in range(3):
        await bus.publisher.publish(event)

    async def delivered_three_times() -> bool:
        claims = await mongo_db.processed_events.count_documents({"state": "done"})
        return claims == 2 and len(directory.audited) >= 1

    await bus.wait_handled(event.id)
    await wait_until(delivered_three_times, what="both handlers to finish")
    await _settled(bus)
    assert await mongo_db.effects.find_one({"_id": str(event.id)}) == {"_id": str(event.id), "n": 1}
    assert directory.audited == ["u1"]
    assert [who for who, _ in directory.forgotten] == ["u1"]


async def _settled(bus: Bus) -> None:
    """Every delivery acked: three publishes, each through both queues."""
    for consumer in bus.consumers:
        await wait_until(_idle(consumer), what=f"{consumer.queue_name} idle")


def _idle(consumer: Any) -> Callable[[], Awaitable[bool]]:
    async def probe() -> bool:
        return bool(consumer._idle.is_set())

    return probe


async def test_one_event_published_as_v1_and_as_v2_has_one_effect(
    app: web.Application, mongo_db: Any
) -> None:
    bus = app[BUS_KEY]
    shared = next(c for c in bus.consumers if c.queue_short == "events")
    assert shared.routing_keys() == ["test.thing_renamed.v1", "test.thing_renamed.v2"]
    old = make_event(ThingRenamedV1(thing_id="t1", name="Garden"), producer="things")
    new = make_event(
        ThingRenamed(thing_id="t1", title="Garden"), producer="things", event_id=old.id
    )
    await bus.publisher.publish_many([old, new])  # the producer's breaking-change period
    await bus.wait_handled(old.id)

    async def both_acked() -> bool:
        return bool(shared._idle.is_set())

    await wait_until(both_acked, what="both deliveries")
    assert await mongo_db.things.find_one({"_id": "t1"}) == {
        "_id": "t1",
        "title": "Garden",
        "writes": 1,
    }


async def test_metrics_show_the_unrouted_events(
    settings: ServiceSettings, topology: Topology, mongo_db: Any
) -> None:
    topology.queues.update({"forget", "audit"})
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    try:
        bus = client.app[BUS_KEY]
        await bus.publisher.publish(
            make_event(ThingRenamedV1(thing_id="x", name="y"), producer="t")
        )
        await bus.publisher.publish(
            make_event(UserFollowed(follower_id="a", followee_id="b", seq=1), producer="identity")
        )  # nobody here takes user.followed: parked

        async def counted() -> bool:
            bus.unrouted = await _parked(settings)
            text = await (await client.get("/metrics")).text()
            return "jumo_unrouted_events 1.0" in text

        await wait_until(counted, what="the metric to count the parked event")
    finally:
        await client.close()


async def _parked(settings: ServiceSettings) -> int:
    ready, _ = await queue_depth(settings.amqp_url, unrouted_name(settings))
    return ready
