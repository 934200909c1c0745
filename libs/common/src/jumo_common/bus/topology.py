"""The broker layout, declared idempotently at start-up.

::

    producer ──publish, routing key = event type──▶ ┌──────────────────────────────┐
                                                    │ {events_exchange}  (topic,    │
                                                    │  durable)                     │
                                                    └──┬───────────────────────┬────┘
                  binding per handled type, e.g. "user.followed"   "user.deleted"
                                                       ▼                       ▼
    ┌────────────────────────────────────────────────────────────────────────────┐
    │ {queue_prefix}<service>.events   durable quorum queue, one per consuming    │
    │   x-delivery-limit = delivery_limit  (3.10 has no default: always set it)   │
    │   x-overflow       = reject-publish   (a full queue nacks the publisher)    │
    │   x-dead-letter-exchange    = {events_exchange}.dead                        │
    │   x-dead-letter-routing-key = {queue_prefix}<service>.events.dead           │
    └──────────────┬─────────────────────────────────────────────────────────────┘
                   │ broker dead-letters past the delivery limit; the consumer
                   │ publishes a message it can never handle there itself, with
                   │ the header x-jumo-dead-reason
                   ▼
    ┌──────────────────────────────────┐   routing key = dead queue's name
    │ {events_exchange}.dead  (direct, │──────────────────────────────────────┐
    │  durable)                        │                                      ▼
    └──────────────────────────────────┘        {queue_prefix}<service>.events.dead
                                                  (durable quorum queue, kept for humans)

Declaring the same thing twice is a no-op; declaring it with different arguments fails with
PRECONDITION_FAILED, which is what we want: a silent drift of arguments would be worse.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue

from jumo_common.settings import ServiceSettings


@dataclass(frozen=True)
class ConsumerTopology:
    """One consuming service's declared queue, dead-letter queue and their exchanges."""

    exchange: AbstractExchange
    queue: AbstractQueue
    dead_exchange: AbstractExchange
    dead_queue: AbstractQueue


def dead_exchange_name(settings: ServiceSettings) -> str:
    """The dead-letter exchange that goes with the events exchange."""
    return f"{settings.events_exchange}.dead"


def queue_names(settings: ServiceSettings, service: str) -> tuple[str, str]:
    """The (work queue, dead-letter queue) names of a consuming service."""
    queue = settings.queue_name(f"{service}.events")
    return queue, f"{queue}.dead"


async def declare_events_exchange(
    channel: AbstractChannel, settings: ServiceSettings
) -> AbstractExchange:
    """The durable topic exchange every event is published to."""
    return await channel.declare_exchange(
        settings.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True
    )


def work_queue_arguments(settings: ServiceSettings, dead_queue: str) -> dict[str, Any]:
    """The arguments of a service's quorum work queue."""
    return {
        "x-queue-type": "quorum",
        "x-delivery-limit": settings.delivery_limit,
        "x-overflow": "reject-publish",
        "x-dead-letter-exchange": dead_exchange_name(settings),
        "x-dead-letter-routing-key": dead_queue,
    }


async def declare_consumer_topology(
    channel: AbstractChannel,
    settings: ServiceSettings,
    service: str,
    event_types: Iterable[str],
) -> ConsumerTopology:
    """Declare (idempotently) the layout above for ``service``, bound to ``event_types``."""
    queue_name, dead_name = queue_names(settings, service)
    exchange = await declare_events_exchange(channel, settings)
    dead_exchange = await channel.declare_exchange(
        dead_exchange_name(settings), aio_pika.ExchangeType.DIRECT, durable=True
    )
    dead_queue = await channel.declare_queue(
        dead_name, durable=True, arguments={"x-queue-type": "quorum"}
    )
    await dead_queue.bind(dead_exchange, routing_key=dead_name)
    queue = await channel.declare_queue(
        queue_name, durable=True, arguments=work_queue_arguments(settings, dead_name)
    )
    for event_type in sorted(set(event_types)):
        await queue.bind(exchange, routing_key=event_type)
    return ConsumerTopology(exchange, queue, dead_exchange, dead_queue)
