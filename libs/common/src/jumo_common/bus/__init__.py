"""The event bus on RabbitMQ (aio-pika): topology, publisher, consumer, idempotency helpers.

Modules: ``topology`` (the queue layout, drawn there), ``publisher``, ``consumer`` (acks,
dead-lettering, retries), ``watchdog`` (consumers lost on reconnect), ``idempotency``
(at most once per event id, order-safe projections), ``runtime`` (``Bus``, ``bus_context``).
"""

from jumo_common.bus.consumer import (
    DEAD_QUEUE_HEADER,
    DEAD_REASON_HEADER,
    Backoff,
    Consumer,
    Handler,
    Handlers,
)
from jumo_common.bus.idempotency import (
    apply_if_newer,
    ensure_processed_index,
    idempotent,
    is_processed,
)
from jumo_common.bus.publisher import TRACE_HEADER, Publisher, event_message
from jumo_common.bus.runtime import BUS_KEY, Bus, BusNotReady, bus_context, connect
from jumo_common.bus.topology import (
    ConsumerTopology,
    dead_exchange_name,
    declare_consumer_topology,
    declare_events_exchange,
    queue_names,
)
from jumo_common.bus.watchdog import ConsumerWatchdog, consumer_present

__all__ = [
    "BUS_KEY",
    "DEAD_QUEUE_HEADER",
    "DEAD_REASON_HEADER",
    "TRACE_HEADER",
    "Backoff",
    "Bus",
    "BusNotReady",
    "Consumer",
    "ConsumerTopology",
    "ConsumerWatchdog",
    "Handler",
    "Handlers",
    "Publisher",
    "apply_if_newer",
    "bus_context",
    "connect",
    "consumer_present",
    "dead_exchange_name",
    "declare_consumer_topology",
    "declare_events_exchange",
    "ensure_processed_index",
    "event_message",
    "idempotent",
    "is_processed",
    "queue_names",
]
