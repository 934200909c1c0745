"""MongoDB plumbing against the real server (FerretDB locally): context, indexes, 503, pages."""

from __future__ import annotations

import datetime as dt
import math
import socket
import time
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from bson import ObjectId
from pymongo.errors import AutoReconnect, DuplicateKeyError, OperationFailure, WriteError

from jumo_common.mongo import (
    MONGO_DB,
    IndexSpec,
    InvalidCursor,
    decode_cursor,
    encode_cursor,
    ensure_indexes,
    find_page,
    is_ferretdb,
    mongo_context,
)
from jumo_common.settings import ServiceSettings
from jumo_common.testing.plugin import InfraUrls
from jumo_common.testing.plugin import TestNames as Names  # aliased: pytest collects Test*
from jumo_common.web import PROBLEM_CONTENT_TYPE, create_base_app, json_response
from jumo_devstack import backend_setting

Client = TestClient[Any, Any]
SORT = (("at", -1), ("_id", -1))
INDEXES = (IndexSpec("users", (("email", 1),), unique=True),)


def settings_for(infra: InfraUrls, names: Names, **overrides: Any) -> ServiceSettings:
    return ServiceSettings(service_name="test", **{**names.settings_overrides(infra), **overrides})


async def count_users(request: web.Request) -> web.Response:
    return json_response({"users": await request.app[MONGO_DB].users.count_documents({})})


def app_for(settings: ServiceSettings, indexes: tuple[IndexSpec, ...] = INDEXES) -> web.Application:
    app = create_base_app(settings)
    app.cleanup_ctx.append(mongo_context(settings, indexes))
    app.router.add_get("/users/count", count_users)
    return app


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port  # nothing listens once the socket is closed


async def test_context_connects_creates_indexes_and_is_ready(
    aiohttp_client: Any, infra: InfraUrls, names: Names
) -> None:
    app = app_for(settings_for(infra, names))
    client: Client = await aiohttp_client(app)
    ready = await client.get("/readyz")
    assert await ready.json() == {"status": "ready", "checks": {"mongodb": "ok"}}
    users = app[MONGO_DB].users
    await users.insert_one({"email": "a@example.org"})
    with pytest.raises(DuplicateKeyError):
        await users.insert_one({"email": "a@example.org"})
    assert await (await client.get("/users/count")).json() == {"users": 1}
    await app[MONGO_DB].client.drop_database(names.mongo_database)


async def test_ensure_indexes_is_idempotent(mongo_db: Any) -> None:
    specs = [*INDEXES, IndexSpec("follows", (("follower", 1), ("at", -1)), name="by_follower")]
    await ensure_indexes(mongo_db, specs)
    await ensure_indexes(mongo_db, specs)
    names = {ix["name"] async for ix in await mongo_db.follows.list_indexes()}
    assert names == {"_id_", "by_follower"}


def test_index_spec_refuses_what_ferretdb_lacks() -> None:
    with pytest.raises(ValueError, match="keys must be"):
        IndexSpec("places", (("loc", "2dsphere"),))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="keys must be"):
        IndexSpec("places", ())


async def test_unreachable_database_answers_503_within_seconds(
    aiohttp_client: Any, infra: InfraUrls, names: Names
) -> None:
    dead = f"mongodb://127.0.0.1:{closed_port()}/"
    settings = settings_for(infra, names, mongo_url=dead, mongo_server_selection_timeout_ms=500)
    # No indexes: creating them at start-up would (rightly) fail the start-up itself.
    client: Client = await aiohttp_client(app_for(settings, indexes=()))
    started = time.monotonic()
    response = await client.get("/users/count")
    elapsed = time.monotonic() - started
    assert response.status == 503
    body = await response.json(content_type=PROBLEM_CONTENT_TYPE)
    assert body["type"] == "https://jumo.example/problems/service-unavailable"
    assert "127.0.0.1" not in body.get("detail", "")  # says what, not where
    assert elapsed < 3
    ready = await client.get("/readyz")
    assert ready.status == 503
    checks = (await ready.json(content_type=PROBLEM_CONTENT_TYPE))["checks"]
    assert checks == {"mongodb": "failed: ServerSelectionTimeoutError"}


async def seed_follows(collection: Any, count: int) -> list[dict[str, Any]]:
    """``count`` follows of one user, several sharing a timestamp so ``_id`` breaks ties."""
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    docs = [
        {"_id": ObjectId(), "followee": "u1", "at": base + dt.timedelta(seconds=i // 3)}
        for i in range(count)
    ]
    docs.append({"_id": ObjectId(), "followee": "someone-else", "at": base})
    await collection.insert_many(docs)
    return sorted(docs[:-1], key=lambda d: (d["at"], d["_id"]), reverse=True)


async def test_pages_walk_every_document_once_in_order(mongo_db: Any) -> None:
    await ensure_indexes(mongo_db, [IndexSpec("follows", (("followee", 1), *SORT))])
    expected = await seed_follows(mongo_db.follows, 25)
    seen: list[Any] = []
    cursor: str | None = None
    for _ in range(10):
        page = await find_page(mongo_db.follows, {"followee": "u1"}, SORT, limit=10, cursor=cursor)
        seen += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
    assert [d["_id"] for d in seen] == [d["_id"] for d in expected]
    assert seen[0]["at"].tzinfo is not None


async def test_an_exact_last_page_has_no_next_cursor(mongo_db: Any) -> None:
    await seed_follows(mongo_db.follows, 10)
    page = await find_page(mongo_db.follows, {"followee": "u1"}, SORT, limit=10)
    assert len(page.items) == 10
    assert page.next_cursor is None


def test_cursor_round_trip_keeps_types() -> None:
    at = dt.datetime(2026, 3, 1, 12, 30, 15, 123000, tzinfo=dt.UTC)
    oid = ObjectId()
    cursor = encode_cursor(SORT, {"at": at, "_id": oid})
    assert decode_cursor(SORT, cursor) == [at, oid]
    assert "=" not in cursor


@pytest.mark.parametrize("cursor", ["", "not base64!", "e30", "W10", "x" * 50])
def test_foreign_cursors_are_400(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(SORT, cursor)


def test_a_cursor_of_another_sort_is_400() -> None:
    cursor = encode_cursor((("name", 1),), {"name": "ada"})
    with pytest.raises(InvalidCursor):
        decode_cursor(SORT, cursor)


def test_a_cursor_carrying_an_operator_is_400() -> None:
    forged = encode_cursor((("name", 1),), {"name": {"$ne": None}})
    with pytest.raises(InvalidCursor):
        decode_cursor((("name", 1),), forged)


# ---- what the server really does with the values parse_body refuses ---------------------
# Pinned so that a FerretDB upgrade (or a switch to MongoDB) that changes them is noticed.


async def test_nan_drops_the_connection_on_ferretdb(mongo_db: Any) -> None:
    """FerretDB 1.24 closes the connection on a NaN (insert or filter): it looks like an outage."""
    if await is_ferretdb(mongo_db):
        with pytest.raises(AutoReconnect):
            await mongo_db.t.insert_one({"f": math.nan})
        with pytest.raises(AutoReconnect):
            await mongo_db.t.find_one({"f": math.nan})
        assert await mongo_db.t.count_documents({}) == 0  # and the pool recovers
    else:
        await mongo_db.t.insert_one({"f": math.nan})
        assert math.isnan((await mongo_db.t.find_one({}))["f"])


@pytest.mark.parametrize(
    "doc", [{"f": math.inf}, {"k": {"a.b": 1}}, {"k": {"$x": 1}}], ids=["inf", "dot", "dollar"]
)
async def test_infinity_and_odd_keys_are_write_errors_on_ferretdb(
    mongo_db: Any, doc: dict[str, Any]
) -> None:
    """MongoDB 7 stores all three; FerretDB 1.24 refuses them."""
    if await is_ferretdb(mongo_db):
        with pytest.raises(WriteError):
            await mongo_db.t.insert_one(doc)
    else:
        await mongo_db.t.insert_one(doc)


async def test_nul_is_refused_only_by_ferretdb_on_postgresql(mongo_db: Any) -> None:
    """FerretDB's PostgreSQL backend cannot store or even look up U+0000 (jsonb refuses it).

    MongoDB and FerretDB on SQLite round-trip it. The API never lets one through: bodies and
    query parameters answer 422 ``nul_char``, paths 404 (``nul_middleware``).
    """
    doc = {"_id": 1, "s": "a\x00b"}
    on_postgresql = await is_ferretdb(mongo_db) and backend_setting() == "postgresql"
    if on_postgresql:
        with pytest.raises(OperationFailure, match="unsupported Unicode escape sequence"):
            await mongo_db.t.insert_one(doc)
        with pytest.raises(OperationFailure, match="unsupported Unicode escape sequence"):
            await mongo_db.t.find_one({"s": "a\x00b"})
    else:
        await mongo_db.t.insert_one(doc)
        assert await mongo_db.t.find_one({"s": "a\x00b"}) == doc
