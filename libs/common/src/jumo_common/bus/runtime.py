"""The bus of one process: a robust connection, a publisher, the outbox relay, the consumers.

A service wires it in its ``app.py``, after MongoDB and its service objects::

    app.cleanup_ctx.extend([
        mongo_context(settings, INDEXES),
        orgs_context(settings),                          # builds app[ORGS], whose store has
                                                         # an Outbox(db, ["orgs", "posts"])
        bus_context(
            settings,
            outbox=lambda app: app[ORGS].outbox,         # publish what the store writes
            handlers=lambda app: consumers.handlers(app[ORGS]),   # consume what others publish
        ),
    ])

and its store does ``await docs.change(id, plan)`` (``jumo_common.outbox.VersionedDocuments``):
nothing has to remember to publish or to notify. ``/readyz`` then checks the bus too (readiness
check "amqp"). Handlers run at most once per event id (claims in the service's
``processed_events``), each queue of ``Subscriptions.by_queue()`` has its own consumer and
channel, and ``wait_handled(event_id)`` waits until this process has finished an event.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import structlog
from aio_pika.abc import AbstractRobustConnection
from aiohttp import web

from jumo_common.bus.consumer import Backoff, Consumer
from jumo_common.bus.idempotency import (
    PROCESSED_COLLECTION,
    ensure_processed_index,
    purge_processed,
)
from jumo_common.bus.metrics import (
    DEAD_QUEUE,
    UNROUTED_QUEUE,
    WORK_QUEUE,
    BusMetrics,
    QueueGauges,
)
from jumo_common.bus.outcomes import Outcome, Outcomes
from jumo_common.bus.publisher import Publisher
from jumo_common.bus.subscriptions import Subscriptions
from jumo_common.bus.topology import declare_events_exchange, unrouted_name
from jumo_common.bus.watchdog import ConsumerWatchdog, consumer_present, exit_process
from jumo_common.metrics import (
    METRICS_REGISTRY,
    add_gauge,
    add_scrape_hook,
    remove_scrape_hook,
)
from jumo_common.mongo import MONGO_DB, Collection
from jumo_common.outbox import Outbox, OutboxRelay
from jumo_common.readiness import add_readiness_check, remove_readiness_check
from jumo_common.settings import ServiceSettings

READINESS_NAME = "amqp"
RECONNECT_INTERVAL_S = 1  # aio-pika's default of 5 s would add 4 s to every broker restart
PROCESSED_RETENTION = timedelta(days=7)
HOUSEKEEPING_EVERY_S = 3600.0
UNROUTED_CHECK_EVERY_S = 15.0
# A step of closing that takes longer is abandoned: an app's cleanup must end (a robust channel
# cancelled in the middle of its own close was seen to wait forever under load).
CLOSE_STEP_TIMEOUT_S = 5.0

log = structlog.get_logger(__name__)


class BusNotReady(RuntimeError):
    """The broker connection, the publisher channel or a consumer is not up."""


class Bus:
    """A started bus; build it with ``Bus.start``, end it with ``close``."""

    def __init__(
        self,
        connection: AbstractRobustConnection,
        publisher: Publisher,
        metrics: BusMetrics | None = None,
    ) -> None:
        self.connection = connection
        self.publisher = publisher
        self.metrics = metrics or publisher.metrics
        self.consumers: list[Consumer] = []
        self.watchdogs: list[ConsumerWatchdog] = []
        self.relay: OutboxRelay | None = None
        self.outcomes = Outcomes()
        self.processed: Collection | None = None
        self.unrouted = 0  # events waiting in jumo.unrouted, as last seen
        self._tasks: list[asyncio.Task[None]] = []

    @classmethod
    async def start(
        cls,
        settings: ServiceSettings,
        *,
        service: str | None = None,
        subscriptions: Subscriptions | None = None,
        processed: Collection | None = None,
        outbox: Outbox | None = None,
        backoff: Backoff | None = None,
        watchdog_interval: float = 1.5,
        on_consumer_lost: Callable[[], None] = exit_process,
        relay_options: dict[str, Any] | None = None,
        metrics: BusMetrics | None = None,
    ) -> Bus:
        """Connect; relay ``outbox`` (if any); consume ``subscriptions`` (if any, with their
        claims in ``processed``) for ``service``; count in ``metrics`` (if any)."""
        connection = await connect(settings)
        try:
            bus = cls(connection, await open_publisher(connection, settings, metrics))
            if outbox is not None:
                bus._start_relay(outbox, relay_options or {})
            if subscriptions:
                if processed is None:
                    raise ValueError("consuming needs the service's processed_events collection")
                name = service or settings.service_name
                await bus._start_consumers(settings, name, subscriptions, processed, backoff)
                bus._start_watchdogs(watchdog_interval, on_consumer_lost)
            bus._spawn(bus._watch_unrouted(settings), "bus-unrouted")
        except BaseException:
            await connection.close()
            raise
        return bus

    def _spawn(self, coroutine: Any, name: str) -> None:
        self._tasks.append(asyncio.create_task(coroutine, name=name))

    def _start_relay(self, outbox: Outbox, options: dict[str, Any]) -> None:
        self.relay = OutboxRelay(self.publisher, outbox, **options)
        self._spawn(self.relay.run(), "outbox-relay")

    async def _start_consumers(
        self,
        settings: ServiceSettings,
        service: str,
        subscriptions: Subscriptions,
        processed: Collection,
        backoff: Backoff | None,
    ) -> None:
        await ensure_processed_index(processed)
        self.processed = processed
        for members in subscriptions.by_queue().values():
            consumer = Consumer(self.connection, settings, service, members, processed,
                                backoff=backoff, outcomes=self.outcomes,
                                metrics=self.metrics)  # fmt: skip
            await consumer.start()
            self.consumers.append(consumer)
        self._spawn(self._housekeeping(), "bus-housekeeping")

    def _start_watchdogs(self, interval: float, on_fatal: Callable[[], None]) -> None:
        for consumer in self.consumers:
            watchdog = ConsumerWatchdog(consumer, interval=interval, on_fatal=on_fatal)
            self.watchdogs.append(watchdog)
            self._spawn(watchdog.run(), f"bus-watchdog-{consumer.queue_short}")

    @property
    def consumer(self) -> Consumer | None:
        """The consumer of the shared queue (or the only one), for tests and probes."""
        return self.consumers[0] if self.consumers else None

    async def wait_handled(self, event_id: Any, timeout: float = 10.0) -> Outcome:
        """Wait until every queue of this process that takes the event has finished it."""
        return await self.outcomes.wait(str(event_id), timeout)

    async def check_ready(self) -> None:
        """Return when the bus works; raise BusNotReady saying what is down (a readiness check)."""
        if not self.connection.connected.is_set():
            raise BusNotReady("not connected to the broker")
        if self.publisher.channel.is_closed:
            raise BusNotReady("publisher channel closed")
        for consumer in self.consumers:
            if consumer.stopped:
                raise BusNotReady(f"consumer of {consumer.queue_name} stopped")
            if not await consumer_present(consumer):
                raise BusNotReady(f"consumer of {consumer.queue_name} not consuming")

    async def _housekeeping(self) -> None:
        """Forget old idempotency claims now and then (FerretDB has no TTL indexes)."""
        while True:
            await asyncio.sleep(HOUSEKEEPING_EVERY_S)
            assert self.processed is not None
            try:
                purged = await purge_processed(
                    self.processed, datetime.now(UTC) - PROCESSED_RETENTION
                )
            except Exception as exc:
                log.warning("purging processed claims failed", error=repr(exc))
                continue
            if purged:
                log.info("old processed claims deleted", count=purged)

    async def _watch_unrouted(self, settings: ServiceSettings) -> None:
        """Keep ``unrouted`` (the depth of ``jumo.unrouted``) current for the metrics."""
        name = unrouted_name(settings)
        while True:
            with contextlib.suppress(Exception):  # the broker is away: try again later
                async with asyncio.timeout(CLOSE_STEP_TIMEOUT_S):
                    self.unrouted = await self._unrouted_depth(name)
            await asyncio.sleep(UNROUTED_CHECK_EVERY_S)

    async def _unrouted_depth(self, name: str) -> int:
        channel = await self.connection.channel()
        try:
            declared = await channel.declare_queue(name, passive=True)
            return int(declared.declaration_result.message_count or 0)
        finally:
            await channel.close()

    def queue_gauges(self, settings: ServiceSettings) -> QueueGauges:
        """The broker's counts of this process's queues: each consumer's work and dead-letter
        queue, and the unrouted queue (read at scrape time; see ``jumo_common.bus.metrics``)."""
        queues = {unrouted_name(settings): UNROUTED_QUEUE}
        for consumer in self.consumers:
            queues[consumer.queue_name] = WORK_QUEUE
            if consumer.topology is not None:
                queues[consumer.topology.dead_queue.name] = DEAD_QUEUE
        return QueueGauges(self.connection, queues)

    async def close(self) -> None:
        """Stop the tasks and the consumers, close the connection; never longer than a few
        seconds a step, whatever state the broker or a channel is in."""
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            _, stuck = await asyncio.wait(self._tasks, timeout=CLOSE_STEP_TIMEOUT_S)
            if stuck:
                log.warning("bus tasks did not stop in time", tasks=[t.get_name() for t in stuck])
        for consumer in self.consumers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(consumer.stop(), CLOSE_STEP_TIMEOUT_S)
        try:
            await asyncio.wait_for(self.connection.close(), CLOSE_STEP_TIMEOUT_S)
        except TimeoutError:
            log.warning("the broker connection did not close in time")


async def connect(settings: ServiceSettings) -> AbstractRobustConnection:
    """A robust connection that reconnects every second while the broker is away."""
    return await aio_pika.connect_robust(
        settings.amqp_url,
        reconnect_interval=RECONNECT_INTERVAL_S,
        client_properties={"connection_name": settings.service_name},
    )


async def open_publisher(
    connection: AbstractRobustConnection,
    settings: ServiceSettings,
    metrics: BusMetrics | None = None,
) -> Publisher:
    """A publisher on its own confirm channel that raises on returned (unroutable) messages."""
    channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
    exchange = await declare_events_exchange(channel, settings)
    return Publisher(channel, exchange, settings.publish_timeout_s, metrics)


BUS_KEY = web.AppKey("jumo_bus", Bus)


def _add_gauges(app: web.Application, bus: Bus) -> None:
    add_gauge(app, "jumo_unrouted_events", "Events waiting in jumo.unrouted for a consumer",
              lambda: bus.unrouted)  # fmt: skip
    if bus.relay is not None:
        relay = bus.relay
        add_gauge(app, "jumo_outbox_backoff_seconds",
                  "How long the outbox relay waits before retrying (0: healthy)",
                  lambda: relay.backoff_s)  # fmt: skip
        add_gauge(app, "jumo_outbox_lag_seconds",
                  "Age of the oldest event the outbox relay has not published (0: none)",
                  relay.lag_seconds)  # fmt: skip


OutboxSource = Callable[[web.Application], Outbox]
SubscriptionSource = Callable[[web.Application], Subscriptions]


def bus_context(
    settings: ServiceSettings,
    *,
    outbox: OutboxSource | None = None,
    handlers: SubscriptionSource | None = None,
    service: str | None = None,
    **options: Any,
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context that starts the bus into ``app[BUS_KEY]`` and closes it at shutdown.

    ``outbox(app)`` and ``handlers(app)`` are called once the earlier contexts ran, so they can
    reach the service objects; consuming keeps its claims in ``app[MONGO_DB]``'s
    ``processed_events``. Registers ``Bus.check_ready`` as the readiness check "amqp".
    ``options`` go to ``Bus.start`` (backoff, watchdog_interval, on_consumer_lost, relay_options).
    """

    async def context(app: web.Application) -> AsyncIterator[None]:
        subscriptions = handlers(app) if handlers else None
        processed = app[MONGO_DB][PROCESSED_COLLECTION] if subscriptions else None
        registry = app.get(METRICS_REGISTRY)
        bus = await Bus.start(
            settings,
            service=service,
            subscriptions=subscriptions,
            processed=processed,
            outbox=outbox(app) if outbox else None,
            metrics=BusMetrics(registry) if registry is not None else None,
            **options,
        )
        app[BUS_KEY] = bus
        add_readiness_check(app, READINESS_NAME, bus.check_ready)
        _add_gauges(app, bus)
        queues = bus.queue_gauges(settings)
        if registry is not None:
            registry.register(queues)
        add_scrape_hook(app, queues.refresh)
        yield
        remove_scrape_hook(app, queues.refresh)
        queues.close()
        remove_readiness_check(app, READINESS_NAME)
        await bus.close()

    return context
