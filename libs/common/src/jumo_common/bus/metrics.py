"""The bus's Prometheus metrics: events published, consumed, retried, dead-lettered; handler
latency; each queue's consumers and depth as the broker sees them.

Labels stay bounded: ``type`` is the event type without its version (``user.followed``), taken
from the routing key a queue is bound to (so a message's body cannot invent one), ``queue`` the
broker-side queue name, ``handler`` a subscription's name. ``deploy/prometheus/README.md`` lists
every metric with its labels.

The queue gauges are read at scrape time: ``/metrics`` awaits ``QueueGauges.refresh`` (one
passive declare per queue on one channel, at most every ``QUEUE_CACHE_S``), but never longer
than ``SCRAPE_WAIT_S``; a slower broker answers the next scrape. Queues the broker could not be
asked about are left out rather than shown with stale numbers.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass

from aio_pika.abc import AbstractRobustConnection
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# Handlers write to MongoDB/Redis/SMTP/Facebook: milliseconds to tens of seconds.
HANDLER_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
QUEUE_CACHE_S = 5.0  # a scrape reuses what a scrape this recent read
SCRAPE_WAIT_S = 1.0  # how long a scrape waits for the broker before answering without it
REFRESH_TIMEOUT_S = 5.0  # a refresh that takes longer is abandoned
UNKNOWN_TYPE = "<unknown>"

# What a queue is for, in the ``kind`` label: alert rules treat each kind differently.
WORK_QUEUE, DEAD_QUEUE, UNROUTED_QUEUE = "work", "dead", "unrouted"


def type_of_key(routing_key: str | None) -> str:
    """The event type of a routing key (``user.followed.v1`` → ``user.followed``)."""
    if not routing_key:
        return UNKNOWN_TYPE
    base, dot_v, version = routing_key.rpartition(".v")
    return base if dot_v and version.isdigit() else routing_key


class BusMetrics:
    """The counters and histograms of one process's bus, on the app's registry."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        # No registry (a bus outside an app: scripts, tests): counted where nobody reads it.
        registry = registry or CollectorRegistry()
        self.registry = registry
        self.published = Counter(
            "jumo_events_published",
            "Events the broker confirmed (outbox relay, replays, direct publishes), by type",
            ["type"],
            registry=registry,
        )
        self.publish_failed = Counter(
            "jumo_events_publish_failed",
            "Publishes the broker refused, returned or did not confirm in time, by type",
            ["type"],
            registry=registry,
        )
        self.consumed = Counter(
            "jumo_events_consumed",
            "Deliveries every handler of the queue finished, then acked, by queue and type",
            ["queue", "type"],
            registry=registry,
        )
        self.retried = Counter(
            "jumo_events_retried",
            "Deliveries a handler failed and that were requeued for another attempt",
            ["queue", "type"],
            registry=registry,
        )
        self.dead_lettered = Counter(
            "jumo_events_dead_lettered",
            "Deliveries sent to the queue's dead-letter queue; reason: invalid or failed",
            ["queue", "type", "reason"],
            registry=registry,
        )
        self.handler_seconds = Histogram(
            "jumo_event_handler_duration_seconds",
            "Time one handler took on one delivery (failures included), by queue and handler",
            ["queue", "handler"],
            buckets=HANDLER_BUCKETS,
            registry=registry,
        )


@dataclass(frozen=True)
class QueueState:
    """One queue as the broker answered a passive declare."""

    messages: int
    consumers: int


class QueueGauges(Collector):
    """``jumo_queue_messages`` and ``jumo_queue_consumers`` of this process's queues."""

    def __init__(self, connection: AbstractRobustConnection, queues: dict[str, str]) -> None:
        self.connection = connection
        self.queues = dict(queues)  # broker-side name → kind (work, dead, unrouted)
        self.states: dict[str, QueueState] = {}
        self._read_at = -QUEUE_CACHE_S
        self._running: asyncio.Task[None] | None = None

    async def refresh(self) -> None:
        """Ask the broker again if the last answer is older than ``QUEUE_CACHE_S``; wait for
        the answer at most ``SCRAPE_WAIT_S`` (it lands for a later scrape otherwise)."""
        if time.monotonic() - self._read_at < QUEUE_CACHE_S:
            return
        if self._running is None or self._running.done():
            self._running = asyncio.create_task(self._read_all(), name="bus-queue-gauges")
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(self._running), SCRAPE_WAIT_S)

    async def _read_all(self) -> None:
        states: dict[str, QueueState] = {}
        with contextlib.suppress(Exception):  # broker away or too slow: show nothing stale
            async with asyncio.timeout(REFRESH_TIMEOUT_S):
                await self._read_into(states)
        self.states = states
        self._read_at = time.monotonic()

    async def _read_into(self, states: dict[str, QueueState]) -> None:
        channel = await self.connection.channel()
        try:
            for name in self.queues:
                if channel.is_closed:  # a queue that is gone closes the channel
                    channel = await self.connection.channel()
                with contextlib.suppress(Exception):
                    result = (await channel.declare_queue(name, passive=True)).declaration_result
                    states[name] = QueueState(
                        int(result.message_count or 0), int(result.consumer_count or 0)
                    )
        finally:
            with contextlib.suppress(Exception):
                await channel.close()

    def collect(self) -> Iterator[Metric]:
        """The last answer, one sample per queue the broker told us about."""
        labels = ["queue", "kind"]
        messages = GaugeMetricFamily(
            "jumo_queue_messages", "Messages ready in the queue (broker's count)", labels=labels
        )
        consumers = GaugeMetricFamily(
            "jumo_queue_consumers", "Consumers subscribed to the queue (any process)", labels=labels
        )
        for name, state in sorted(self.states.items()):
            kind = self.queues.get(name, WORK_QUEUE)
            messages.add_metric([name, kind], state.messages)
            consumers.add_metric([name, kind], state.consumers)
        yield messages
        yield consumers

    def close(self) -> None:
        """Stop a refresh under way."""
        if self._running is not None:
            self._running.cancel()
