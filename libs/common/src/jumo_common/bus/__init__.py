"""The event bus on RabbitMQ (aio-pika): topology, publisher, subscriptions, consumers.

Modules: ``topology`` (the queue layout, drawn there), ``publisher``, ``subscriptions`` (the
handler map: ``Subscriptions(on(Model, handler), …)``), ``consumer`` (one per queue: acks,
idempotency, dead letters, retries), ``outcomes`` (``wait_handled``), ``watchdog`` (consumers
lost on reconnect), ``idempotency`` (at most once per event id, order-safe projections),
``runtime`` (``Bus``, ``bus_context``), ``replay`` (unrouted events to their consumers).
"""

from jumo_common.bus.consumer import (
    DEAD_QUEUE_HEADER,
    DEAD_REASON_HEADER,
    Backoff,
    Consumer,
)
from jumo_common.bus.idempotency import (
    PROCESSED_COLLECTION,
    apply_if_newer,
    ensure_processed_index,
    is_processed,
    run_once,
)
from jumo_common.bus.outcomes import DEAD, HANDLED, Outcome, Outcomes
from jumo_common.bus.publisher import TRACE_HEADER, Publisher, event_message
from jumo_common.bus.runtime import BUS_KEY, Bus, BusNotReady, bus_context, connect
from jumo_common.bus.subscriptions import EventHandler, Subscription, Subscriptions, on
from jumo_common.bus.topology import (
    SHARED_QUEUE,
    QueueTopology,
    dead_exchange_name,
    declare_events_exchange,
    declare_queue_topology,
    queue_names,
    unrouted_name,
)
from jumo_common.bus.watchdog import ConsumerWatchdog, consumer_present

__all__ = [
    "BUS_KEY",
    "DEAD",
    "DEAD_QUEUE_HEADER",
    "DEAD_REASON_HEADER",
    "HANDLED",
    "PROCESSED_COLLECTION",
    "SHARED_QUEUE",
    "TRACE_HEADER",
    "Backoff",
    "Bus",
    "BusNotReady",
    "Consumer",
    "ConsumerWatchdog",
    "EventHandler",
    "Outcome",
    "Outcomes",
    "Publisher",
    "QueueTopology",
    "Subscription",
    "Subscriptions",
    "apply_if_newer",
    "bus_context",
    "connect",
    "consumer_present",
    "dead_exchange_name",
    "declare_events_exchange",
    "declare_queue_topology",
    "ensure_processed_index",
    "event_message",
    "is_processed",
    "on",
    "queue_names",
    "run_once",
    "unrouted_name",
]
