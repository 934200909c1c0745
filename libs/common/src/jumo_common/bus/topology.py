"""The broker layout, declared idempotently at start-up.

::

    producer ──publish, routing key = "<type>.v<version>", e.g. "user.followed.v1"──┐
                                                                                    ▼
       ┌───────────────────────────────────────────┐  no binding matches  ┌───────────────────┐
       │ {events_exchange}   topic, durable,       │─────────────────────▶│ {unrouted}        │
       │   alternate-exchange = {unrouted}         │ (alternate exchange) │ fanout, durable   │
       └───┬───────────────────────────────┬───────┘                      └─────────┬─────────┘
           │ one binding per handled       │                                      ▼
           │ (type, version)               │                {unrouted} durable quorum queue,
           ▼                               ▼                x-max-length, reject-publish:
    {prefix}<service>.events      {prefix}<service>.<handler>   kept until a consumer exists,
    (the service's shared queue)  (a handler isolated on a       then replayed into the events
                                   queue of its own)             exchange (``bus.replay``)
      both: durable quorum queues
        x-delivery-limit = delivery_limit  (3.10 has no default: always set it)
        x-overflow       = reject-publish  (a full queue nacks the publisher)
        x-dead-letter-exchange    = {events_exchange}.dead
        x-dead-letter-routing-key = <queue>.dead
           │ the broker dead-letters past the delivery limit; the consumer publishes a message
           │ it can never handle there itself, with the header x-jumo-dead-reason
           ▼
    {events_exchange}.dead (direct, durable) ──routing key = <queue>.dead──▶ <queue>.dead
                                                        (durable quorum queue, kept for humans)

``{unrouted}`` is the events exchange's name with its ``.events`` suffix replaced by
``.unrouted`` (``jumo.events`` → ``jumo.unrouted``). Declaring the same thing twice is a no-op;
declaring it with different arguments fails with PRECONDITION_FAILED, which is what we want: a
silent drift of arguments would be worse.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue
from aio_pika.exceptions import ChannelPreconditionFailed

from jumo_common.settings import ServiceSettings

SHARED_QUEUE = "events"
# Every queue this process declared: the test plugin deletes a test's own after it (quorum queues
# are heavy, and a broker with thousands of leftovers stops answering). Bounded by the topology.
_DECLARED: set[str] = set()
# Unrouted events wait here for a consumer; past this many, publishing them is refused (the
# outbox keeps them and retries) rather than dropping any.
UNROUTED_MAX_LENGTH = 100_000


@dataclass(frozen=True)
class QueueTopology:
    """One declared work queue, its dead-letter queue and the exchanges they hang on."""

    exchange: AbstractExchange
    queue: AbstractQueue
    dead_exchange: AbstractExchange
    dead_queue: AbstractQueue


def dead_exchange_name(settings: ServiceSettings) -> str:
    """The dead-letter exchange that goes with the events exchange."""
    return f"{settings.events_exchange}.dead"


def unrouted_name(settings: ServiceSettings) -> str:
    """The alternate exchange (and its queue) of events no binding takes: ``jumo.unrouted``."""
    base = settings.events_exchange.removesuffix(".events")
    return f"{base}.unrouted"


def queue_names(
    settings: ServiceSettings, service: str, queue: str = SHARED_QUEUE
) -> tuple[str, str]:
    """The (work queue, dead-letter queue) names of one of ``service``'s queues."""
    name = settings.queue_name(f"{service}.{queue}")
    return name, f"{name}.dead"


async def declare_events_exchange(
    channel: AbstractChannel, settings: ServiceSettings
) -> AbstractExchange:
    """The durable topic exchange every event is published to, with its alternate exchange."""
    unrouted = unrouted_name(settings)
    alternate = await channel.declare_exchange(unrouted, aio_pika.ExchangeType.FANOUT, durable=True)
    parked = await channel.declare_queue(
        unrouted,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-max-length": UNROUTED_MAX_LENGTH,
            "x-overflow": "reject-publish",
        },
    )
    await parked.bind(alternate)
    _DECLARED.add(unrouted)
    try:
        return await channel.declare_exchange(
            settings.events_exchange,
            aio_pika.ExchangeType.TOPIC,
            durable=True,
            arguments={"alternate-exchange": unrouted},
        )
    except ChannelPreconditionFailed as exc:
        # A broker whose exchange an earlier version declared without it: an exchange's
        # arguments never change, so say what to do instead of RabbitMQ's riddle.
        raise RuntimeError(
            f"exchange {settings.events_exchange!r} exists without alternate-exchange "
            f"{unrouted!r} (declared by a version before it): stop the services, delete it "
            f"(`rabbitmqctl eval` or the management UI; locally `make clean`) and start them "
            f"again, which declares it and its bindings anew"
        ) from exc


def work_queue_arguments(settings: ServiceSettings, dead_queue: str) -> dict[str, Any]:
    """The arguments of a quorum work queue."""
    return {
        "x-queue-type": "quorum",
        "x-delivery-limit": settings.delivery_limit,
        "x-overflow": "reject-publish",
        "x-dead-letter-exchange": dead_exchange_name(settings),
        "x-dead-letter-routing-key": dead_queue,
    }


async def declare_queue_topology(
    channel: AbstractChannel,
    settings: ServiceSettings,
    names: tuple[str, str],
    routing_keys: Iterable[str],
) -> QueueTopology:
    """Declare (idempotently) one work queue of the layout above, bound to ``routing_keys``."""
    queue_name, dead_name = names
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
    for key in sorted(set(routing_keys)):
        await queue.bind(exchange, routing_key=key)
    _DECLARED.update(names)
    return QueueTopology(exchange, queue, dead_exchange, dead_queue)


def declared_queues() -> frozenset[str]:
    """The queues this process has declared (for tests that tidy up after themselves)."""
    return frozenset(_DECLARED)


def forget_declared(queues: set[str] | frozenset[str]) -> None:
    """Stop remembering ``queues`` (they were deleted)."""
    _DECLARED.difference_update(queues)
