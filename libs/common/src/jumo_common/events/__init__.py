"""Event contracts: the envelope, the (type, version) registry, one module per producer.

Importing this package registers every producer's contracts.
"""

from jumo_common.events import (
    applications,
    calendar,
    feed,
    identity,
    matching,
    opportunities,
    orgs,
    record,
)
from jumo_common.events.envelope import (
    Envelope,
    EventData,
    EventParseError,
    accepted_versions,
    event_type,
    make_event,
    parse_event,
    register_upcaster,
    registered_types,
    routing_key,
    type_of,
)

__all__ = [
    "Envelope",
    "EventData",
    "EventParseError",
    "accepted_versions",
    "applications",
    "calendar",
    "event_type",
    "feed",
    "identity",
    "make_event",
    "matching",
    "opportunities",
    "orgs",
    "parse_event",
    "record",
    "register_upcaster",
    "registered_types",
    "routing_key",
    "type_of",
]
