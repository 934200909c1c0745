"""Publishing events: confirm channel, mandatory, raise on return, a timeout, many in flight."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import aio_pika
import orjson
from aio_pika.abc import AbstractChannel, AbstractExchange

from jumo_common.bus.metrics import BusMetrics, type_of_key
from jumo_common.events import Envelope, routing_key

TRACE_HEADER = "x-jumo-trace-id"
# Publishes awaited together at most; more would only grow memory, not throughput.
MAX_IN_FLIGHT = 1000

PublishOutcome = BaseException | None
EventLike = Envelope[Any] | Mapping[str, Any]


def event_message(event: EventLike) -> tuple[aio_pika.Message, str]:
    """The persistent AMQP message of an event (or its stored dict) and its routing key.

    The routing key carries the version (``user.updated.v1``), so a consumer binds exactly the
    versions it handles and a producer may publish a new version beside the old one.
    """
    doc = event.to_dict() if isinstance(event, Envelope) else event
    trace_id = doc.get("trace_id")
    message = aio_pika.Message(
        orjson.dumps(doc),
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=str(doc["id"]),
        type=str(doc["type"]),
        headers={TRACE_HEADER: trace_id} if trace_id else {},
    )
    return message, routing_key(str(doc["type"]), int(doc["version"]))


class Publisher:
    """Publishes events on one confirm channel opened with ``on_return_raises=True``.

    ``publish`` returns once the broker confirmed. An event no queue is bound for goes to the
    events exchange's alternate exchange (``jumo.unrouted``) and is confirmed like any other;
    ``PublishError`` is raised only if even that is missing (a message returned), ``DeliveryError``
    when the broker refuses (nack, e.g. a full queue with overflow=reject-publish), and
    ``TimeoutError`` when no confirm arrives within ``timeout`` (e.g. the broker's disk or memory
    alarm blocks us).
    """

    def __init__(
        self,
        channel: AbstractChannel,
        exchange: AbstractExchange,
        timeout: float,
        metrics: BusMetrics | None = None,
    ):
        self.channel = channel
        self.exchange = exchange
        self.timeout = timeout
        self.metrics = metrics or BusMetrics()

    async def publish(self, event: EventLike) -> None:
        """Publish one event and wait for the broker's confirm."""
        message, key = event_message(event)
        await self.publish_message(message, key)

    async def publish_message(self, message: aio_pika.Message, key: str) -> None:
        """Publish a prepared message (mandatory) and wait for its confirm, within the timeout."""
        event_type = type_of_key(key)
        try:
            # asyncio.timeout also bounds a write blocked by connection.blocked (broker alarm).
            async with asyncio.timeout(self.timeout):
                await self.exchange.publish(message, key, mandatory=True)
        except Exception:  # a cancelled publish (shutdown) is no failure of the broker's
            self.metrics.publish_failed.labels(event_type).inc()
            raise
        self.metrics.published.labels(event_type).inc()

    async def publish_many(self, events: Sequence[EventLike]) -> list[PublishOutcome]:
        """Publish with many confirms in flight; one outcome per event (None = confirmed)."""
        outcomes: list[PublishOutcome] = []
        for start in range(0, len(events), MAX_IN_FLIGHT):
            chunk = events[start : start + MAX_IN_FLIGHT]
            results = await asyncio.gather(
                *(self.publish(e) for e in chunk), return_exceptions=True
            )
            outcomes.extend(r if isinstance(r, BaseException) else None for r in results)
        return outcomes
