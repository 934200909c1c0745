"""The event bus on RabbitMQ (aio-pika): topology, publisher, consumer, idempotency helpers."""

from jumo_common.bus.publisher import TRACE_HEADER, Publisher, event_message
from jumo_common.bus.topology import (
    ConsumerTopology,
    dead_exchange_name,
    declare_consumer_topology,
    declare_events_exchange,
    queue_names,
)

__all__ = [
    "TRACE_HEADER",
    "ConsumerTopology",
    "Publisher",
    "dead_exchange_name",
    "declare_consumer_topology",
    "declare_events_exchange",
    "event_message",
    "queue_names",
]
