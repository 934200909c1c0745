"""The bus's numbers on /metrics, read from a real app after real events went through it:
published by the outbox relay, consumed, retried and dead-lettered per type and queue, handler
latency, the broker's queue counts, and the outbox lag."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aio_pika
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from jumo_common.bus import BUS_KEY, DEAD, HANDLED, Subscriptions, bus_context, on, queue_names
from jumo_common.bus.metrics import QueueGauges
from jumo_common.events import Envelope, make_event
from jumo_common.events.identity import UserRegistered
from jumo_common.mongo import MONGO_DB, WRITE_CLAIMS, mongo_context
from jumo_common.outbox import Outbox, OutboxRelay, VersionedDocuments
from jumo_common.settings import ServiceSettings
from jumo_common.testing.wait import wait_until
from jumo_common.web import create_base_app

from .conftest import FAST_BACKOFF, SERVICE, StartBus, Topology

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
TYPE = "user.registered"


@dataclass
class Accounts:
    """The service: writes users with their events, welcomes them, and has an audit that fails."""

    users: VersionedDocuments
    outbox: Outbox
    welcomed: int = 0

    async def welcome(self, _event: Envelope[UserRegistered]) -> None:
        self.welcomed += 1

    async def audit(self, _event: Envelope[UserRegistered]) -> None:
        raise RuntimeError("the audit log is down")


ACCOUNTS = web.AppKey("test_accounts", Accounts)


async def accounts_context(app: web.Application) -> AsyncIterator[None]:
    db = app[MONGO_DB]
    outbox = Outbox(db, ["users"])
    app[ACCOUNTS] = Accounts(VersionedDocuments(db.users, outbox, db[WRITE_CLAIMS]), outbox)
    yield


def create_app(settings: ServiceSettings) -> web.Application:
    app = create_base_app(settings)
    app.cleanup_ctx.extend(
        [
            mongo_context(settings),
            accounts_context,
            bus_context(
                settings,
                outbox=lambda app: app[ACCOUNTS].outbox,
                handlers=lambda app: Subscriptions(
                    on(UserRegistered, app[ACCOUNTS].welcome),
                    on(UserRegistered, app[ACCOUNTS].audit, isolated=True),
                ),
                backoff=FAST_BACKOFF,
            ),
        ]
    )
    return app


@pytest.fixture
async def client(
    settings: ServiceSettings, topology: Topology, mongo_db: Any
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    topology.queues.add("audit")
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


async def scrape(client: TestClient[web.Request, web.Application]) -> Samples:
    response = await client.get("/metrics")
    assert response.status == 200
    samples: Samples = {}
    for family in text_string_to_metric_families(await response.text()):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


async def test_an_event_through_the_outbox_and_two_queues_is_counted_on_metrics(
    client: TestClient[web.Request, web.Application], settings: ServiceSettings
) -> None:
    accounts, bus = client.app[ACCOUNTS], client.app[BUS_KEY]
    shared, _ = queue_names(settings, SERVICE, "events")
    audit, audit_dead = queue_names(settings, SERVICE, "audit")
    event = make_event(UserRegistered(user_id="u1", display_name="Ann"), producer="identity")
    await accounts.users.create({"_id": "u1"}, [event])  # the relay publishes it
    assert await bus.wait_handled(event.id, timeout=20) == DEAD  # welcomed; audit gave up
    junk = await _publish_junk(settings)
    assert await bus.wait_handled(junk, timeout=20) == DEAD  # on both queues, at once

    async def counted() -> Samples | None:
        samples = await scrape(client)
        dead = value(samples, "jumo_queue_messages", queue=audit_dead, kind="dead")
        return samples if dead == 2 else None  # the broker's count catches up within its cache

    samples = await wait_until(counted, timeout=30, interval=0.5, what="the dead-letter count")
    assert samples is not None
    assert value(samples, "jumo_events_published_total", type=TYPE) == 1  # the junk was raw
    assert value(samples, "jumo_events_consumed_total", queue=shared, type=TYPE) == 1
    assert value(samples, "jumo_events_consumed_total", queue=audit, type=TYPE) is None
    assert value(samples, "jumo_events_retried_total", queue=audit, type=TYPE) == 2
    failed = {"queue": audit, "type": TYPE, "reason": "failed"}
    assert value(samples, "jumo_events_dead_lettered_total", **failed) == 1
    for queue in (shared, audit):
        invalid = {"queue": queue, "type": TYPE, "reason": "invalid"}
        assert value(samples, "jumo_events_dead_lettered_total", **invalid) == 1
    handler = "jumo_event_handler_duration_seconds_count"
    assert value(samples, handler, queue=shared, handler="welcome") == 1
    assert value(samples, handler, queue=audit, handler="audit") == 3  # delivery limit 3
    assert value(samples, "jumo_queue_consumers", queue=shared, kind="work") == 1
    assert value(samples, "jumo_queue_consumers", queue=audit, kind="work") == 1
    assert value(samples, "jumo_queue_messages", queue=shared, kind="work") == 0
    assert value(samples, "jumo_outbox_lag_seconds") == 0
    assert accounts.welcomed == 1


async def _publish_junk(settings: ServiceSettings) -> str:
    """A message under a bound routing key whose body is no event (straight to the broker)."""
    message_id = uuid.uuid4().hex
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(settings.events_exchange)
        junk = aio_pika.Message(b"not json", message_id=message_id)
        await exchange.publish(junk, routing_key=f"{TYPE}.v1")
    return message_id


async def test_outbox_lag_grows_while_events_wait_and_is_zero_once_sent(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    outbox = Outbox(mongo_db, ["users"])
    users = VersionedDocuments(mongo_db.users, outbox, mongo_db[WRITE_CLAIMS])
    waiting = make_event(UserRegistered(user_id="u1", display_name="Ann"), producer="identity")
    await users.create({"_id": "u1"}, [waiting])
    broken = await start_bus(settings)
    await broken.publisher.channel.close()  # every publish fails: the event waits
    stuck = OutboxRelay(broken.publisher, outbox)
    assert stuck.lag_seconds() == 0  # no pass yet has seen anything unsent
    assert await stuck.relay_once() == 0
    first = stuck.lag_seconds()
    assert first > 0

    async def older() -> bool:
        return stuck.lag_seconds() > first

    await wait_until(older, what="the lag to grow while the event waits")
    working = await start_bus(settings)
    relay = OutboxRelay(working.publisher, outbox)
    assert await relay.relay_once() == 1
    assert relay.lag_seconds() == 0


async def test_queue_counts_leave_out_a_queue_the_broker_does_not_have(
    settings: ServiceSettings, start_bus: StartBus
) -> None:
    bus = await start_bus(settings, on(UserRegistered, _nothing))
    shared, dead = queue_names(settings, SERVICE, "events")
    missing = f"{settings.queue_prefix}no-such-queue"
    gauges = QueueGauges(bus.connection, {missing: "work", shared: "work", dead: "dead"})
    await wait_until(_refreshed(gauges), timeout=20, what="the broker's answer")
    assert set(gauges.states) == {shared, dead}  # the missing queue's error spoilt nothing
    assert gauges.states[shared].consumers == 1
    assert bus.consumer is not None
    outcome = await _through(bus, settings)
    assert outcome == HANDLED


def _refreshed(gauges: QueueGauges) -> Callable[[], Any]:
    async def probe() -> bool:
        await gauges.refresh()
        return bool(gauges.states)

    return probe


async def _nothing(_event: Envelope[UserRegistered]) -> None:
    return None


async def _through(bus: Any, settings: ServiceSettings) -> str:
    """The consumer still works after the channel the probe broke (they are not shared)."""
    event = make_event(UserRegistered(user_id="u2", display_name="Bo"), producer="identity")
    await bus.publisher.publish(event)
    result: str = await bus.wait_handled(event.id, timeout=20)
    return result
