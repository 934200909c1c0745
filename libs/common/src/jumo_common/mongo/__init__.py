"""MongoDB plumbing; every query here runs on MongoDB 7 and on FerretDB 1.24.

Modules: ``client`` (the client in a cleanup context, declared indexes, server checks),
``claims`` (the exclusive writes "exactly once" is built on), ``pagination`` (cursor pages),
``bulk`` (bulk writes in chunks FerretDB's connection pool can hold).
"""

from jumo_common.mongo.bulk import chunked_bulk_write
from jumo_common.mongo.claims import (
    STALE_CLAIM,
    WRITE_CLAIMS,
    claim_next,
    insert_once,
    purge_claims,
)
from jumo_common.mongo.client import (
    ASCENDING,
    DESCENDING,
    MONGO_CLIENT,
    MONGO_DB,
    READINESS_NAME,
    CleanupContext,
    Client,
    Collection,
    Database,
    Document,
    IndexSpec,
    as_utc,
    create_mongo_client,
    ensure_indexes,
    is_ferretdb,
    mongo_context,
    ping,
)
from jumo_common.mongo.pagination import (
    MAX_PAGE_LIMIT,
    InvalidCursor,
    PageResult,
    SortSpec,
    after_filter,
    decode_cursor,
    encode_cursor,
    find_page,
)

__all__ = [
    "ASCENDING",
    "DESCENDING",
    "MAX_PAGE_LIMIT",
    "MONGO_CLIENT",
    "MONGO_DB",
    "READINESS_NAME",
    "STALE_CLAIM",
    "WRITE_CLAIMS",
    "CleanupContext",
    "Client",
    "Collection",
    "Database",
    "Document",
    "IndexSpec",
    "InvalidCursor",
    "PageResult",
    "SortSpec",
    "after_filter",
    "as_utc",
    "chunked_bulk_write",
    "claim_next",
    "create_mongo_client",
    "decode_cursor",
    "encode_cursor",
    "ensure_indexes",
    "find_page",
    "insert_once",
    "is_ferretdb",
    "mongo_context",
    "ping",
    "purge_claims",
]
