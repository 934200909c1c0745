"""MongoDB plumbing: the client in a cleanup context, declared indexes, cursor pagination.

Every query here runs on MongoDB 7 and on FerretDB 1.24 (no TTL, partial or sparse indexes,
so ``IndexSpec`` has none of them). The client uses a short server-selection timeout from the
settings, so a dead database turns into a 503 problem within seconds (see the web error
middleware) instead of requests that hang.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from aiohttp import web
from bson import ObjectId, json_util
from bson.binary import UuidRepresentation
from bson.errors import BSONError
from bson.json_util import JSONMode, JSONOptions
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from jumo_common.settings import ServiceSettings
from jumo_common.web.app import add_readiness_check, remove_readiness_check
from jumo_common.web.problems import BadRequest

Document: TypeAlias = dict[str, Any]
Database: TypeAlias = AsyncDatabase[Document]
Collection: TypeAlias = AsyncCollection[Document]
Client: TypeAlias = AsyncMongoClient[Document]
CleanupContext: TypeAlias = Callable[[web.Application], AsyncIterator[None]]

MONGO_CLIENT: web.AppKey[Client] = web.AppKey("jumo_mongo_client")
MONGO_DB: web.AppKey[Database] = web.AppKey("jumo_mongo_db")
READINESS_NAME = "mongodb"

ASCENDING, DESCENDING = 1, -1
# find_page never reads more than this many documents for one page, whatever it is asked.
MAX_PAGE_LIMIT = 1000


@dataclass(frozen=True)
class IndexSpec:
    """One index a service needs: ``IndexSpec("follows", (("follower", 1), ("at", -1)))``."""

    collection: str
    keys: tuple[tuple[str, int], ...]
    unique: bool = False
    name: str | None = None

    def __post_init__(self) -> None:
        if not self.keys or any(d not in (ASCENDING, DESCENDING) for _, d in self.keys):
            raise ValueError(f"index on {self.collection}: keys must be (field, 1 or -1) pairs")


def as_utc(value: dt.datetime) -> dt.datetime:
    """``value`` made aware: a client without ``tz_aware=True`` hands back naive UTC datetimes."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def create_mongo_client(settings: ServiceSettings) -> Client:
    """A client for ``settings.mongo_url``: tz-aware datetimes, standard UUIDs, short timeouts."""
    timeout_ms = settings.mongo_server_selection_timeout_ms
    return AsyncMongoClient(
        settings.mongo_url,
        tz_aware=True,
        uuidRepresentation="standard",
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        appname=settings.service_name,
    )


async def ensure_indexes(db: Database, specs: Sequence[IndexSpec]) -> None:
    """Create every declared index (a no-op for those that already exist)."""
    for spec in specs:
        options: dict[str, Any] = {"unique": spec.unique}
        if spec.name is not None:
            options["name"] = spec.name
        await db[spec.collection].create_index(list(spec.keys), **options)


async def insert_once(collection: Collection, document: Document) -> bool:
    """Insert ``document``: True for the one caller that did, False when its ``_id`` was taken.

    The one write that is exclusive on FerretDB 1.24 as on MongoDB (FerretDB applies updates,
    even conditional ones, outside any lock), so every "exactly once" claim is built on it.
    """
    try:
        await collection.insert_one(document)
    except DuplicateKeyError:
        return False
    return True


async def is_ferretdb(db: Database) -> bool:
    """Whether the server is FerretDB, whose differences from MongoDB some code must respect."""
    info = await db.client.admin.command("buildInfo")
    return "ferretdbVersion" in info


async def ping(db: Database) -> None:
    """Raise unless the database server answers."""
    await db.command("ping")


def mongo_context(settings: ServiceSettings, indexes: Sequence[IndexSpec] = ()) -> CleanupContext:
    """A cleanup context: client and database under MONGO_CLIENT/MONGO_DB, indexes, readiness."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        client = create_mongo_client(settings)
        try:
            db = client[settings.mongo_database]
            await ensure_indexes(db, indexes)
            app[MONGO_CLIENT] = client
            app[MONGO_DB] = db
            add_readiness_check(app, READINESS_NAME, lambda: ping(db))
            yield
        finally:
            remove_readiness_check(app, READINESS_NAME)
            await client.close()

    return context


# ---- cursor pagination -------------------------------------------------------------------

SortSpec: TypeAlias = Sequence[tuple[str, int]]
_CURSOR_JSON = JSONOptions(
    json_mode=JSONMode.CANONICAL,
    tz_aware=True,
    tzinfo=dt.UTC,
    uuid_representation=UuidRepresentation.STANDARD,
)
_CURSOR_SCALARS = (str, int, bool, dt.datetime, ObjectId, uuid.UUID, type(None))


@dataclass(frozen=True)
class PageResult:
    """One page of raw documents and the cursor of the next page (None on the last one)."""

    items: list[Document]
    next_cursor: str | None


def _value_at(doc: Mapping[str, Any], dotted: str) -> Any:
    value: Any = doc
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def encode_cursor(sort: SortSpec, doc: Mapping[str, Any]) -> str:
    """The opaque cursor after ``doc``: base64url of the sort spec and ``doc``'s sort values."""
    payload = {"s": [[f, d] for f, d in sort], "v": [_value_at(doc, f) for f, _ in sort]}
    raw = json_util.dumps(payload, json_options=_CURSOR_JSON, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


def _cursor_payload(cursor: str) -> Any:
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.encode("ascii"))
        return json_util.loads(raw, json_options=_CURSOR_JSON)
    except (ValueError, binascii.Error, BSONError, UnicodeError, TypeError):
        return None


def _safe_value(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, _CURSOR_SCALARS)


def decode_cursor(sort: SortSpec, cursor: str) -> list[Any]:
    """The sort values inside ``cursor``; 400 problem if it is not one of ours for ``sort``."""
    payload = _cursor_payload(cursor)
    values = payload.get("v") if isinstance(payload, dict) else None
    if not (
        isinstance(payload, dict)
        and payload.get("s") == [[f, d] for f, d in sort]
        and isinstance(values, list)
        and len(values) == len(sort)
        and all(_safe_value(v) for v in values)
    ):
        raise BadRequest("The cursor is not valid here.", type_suffix="invalid-cursor")
    return values


def after_filter(sort: SortSpec, values: Sequence[Any]) -> Document:
    """Documents strictly after ``values`` in ``sort`` order (keyset pagination)."""
    clauses: list[Document] = []
    for i, (field, direction) in enumerate(sort):
        clause: Document = {f: v for (f, _), v in zip(sort[:i], values[:i], strict=True)}
        clause[field] = {"$gt" if direction == ASCENDING else "$lt": values[i]}
        clauses.append(clause)
    return clauses[0] if len(clauses) == 1 else {"$or": clauses}


async def find_page(
    collection: Collection,
    query: Mapping[str, Any],
    sort: SortSpec,
    *,
    limit: int,
    cursor: str | None = None,
    projection: Mapping[str, Any] | None = None,
) -> PageResult:
    """One page of ``query`` in ``sort`` order, which must be unique (end it with ``_id``)."""
    limit = max(1, min(limit, MAX_PAGE_LIMIT))
    flt: Document = dict(query)
    if cursor is not None:
        after = after_filter(sort, decode_cursor(sort, cursor))
        flt = {"$and": [flt, after]} if flt else after
    found = collection.find(flt, projection).sort(list(sort)).limit(limit + 1)
    docs = await found.to_list(length=limit + 1)
    if len(docs) <= limit:
        return PageResult(docs, None)
    return PageResult(docs[:limit], encode_cursor(sort, docs[limit - 1]))
