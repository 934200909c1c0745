"""The transactional outbox on single-document writes: pending events, versioned writes, relay.

Modules: ``pending`` (events inside the documents that cause them; when one counts as sent),
``documents`` (``VersionedDocuments``: the one way a producer writes a document with events),
``relay`` (``OutboxRelay``: publishes and marks them; started by ``jumo_common.bus.bus_context``).
"""

from jumo_common.outbox.documents import (
    MAX_WRITE_ATTEMPTS,
    VERSION_FIELD,
    Documents,
    Plan,
    UpsertPlan,
    VersionedDocuments,
    WriteConflict,
    Written,
    apply,
)
from jumo_common.outbox.pending import (
    OUTBOX_BUCKET_FIELD,
    OUTBOX_DUE_FIELD,
    OUTBOX_FIELD,
    OUTBOX_FIELDS,
    SENT_COLLECTION,
    WATERMARKS_COLLECTION,
    Outbox,
    sent_key,
)
from jumo_common.outbox.relay import OutboxRelay

__all__ = [
    "MAX_WRITE_ATTEMPTS",
    "OUTBOX_BUCKET_FIELD",
    "OUTBOX_DUE_FIELD",
    "OUTBOX_FIELD",
    "OUTBOX_FIELDS",
    "SENT_COLLECTION",
    "VERSION_FIELD",
    "WATERMARKS_COLLECTION",
    "Documents",
    "Outbox",
    "OutboxRelay",
    "Plan",
    "UpsertPlan",
    "VersionedDocuments",
    "WriteConflict",
    "Written",
    "apply",
    "sent_key",
]
