"""The MongoDB client in a cleanup context, declared indexes, and the server checks.

Every query here runs on MongoDB 7 and on FerretDB 1.24 (no TTL, partial or sparse indexes,
so ``IndexSpec`` has none of them). The client uses a short server-selection timeout from the
settings, so a dead database turns into a 503 problem within seconds (see the web error
middleware) instead of requests that hang.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from aiohttp import web
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from jumo_common.readiness import add_readiness_check, remove_readiness_check
from jumo_common.settings import ServiceSettings

Document: TypeAlias = dict[str, Any]
Database: TypeAlias = AsyncDatabase[Document]
Collection: TypeAlias = AsyncCollection[Document]
Client: TypeAlias = AsyncMongoClient[Document]
CleanupContext: TypeAlias = Callable[[web.Application], AsyncIterator[None]]

MONGO_CLIENT: web.AppKey[Client] = web.AppKey("jumo_mongo_client")
MONGO_DB: web.AppKey[Database] = web.AppKey("jumo_mongo_db")
READINESS_NAME = "mongodb"

ASCENDING, DESCENDING = 1, -1


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
        maxPoolSize=settings.mongo_max_pool_size,
        appname=settings.service_name,
    )


async def ensure_indexes(db: Database, specs: Sequence[IndexSpec]) -> None:
    """Create every declared index (a no-op for those that already exist)."""
    for spec in specs:
        options: dict[str, Any] = {"unique": spec.unique}
        if spec.name is not None:
            options["name"] = spec.name
        await db[spec.collection].create_index(list(spec.keys), **options)


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
