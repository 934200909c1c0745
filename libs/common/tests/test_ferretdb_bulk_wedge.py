"""Pins the FerretDB 1.24 bulk-write wedge on both backends, on private nodes we start and kill.

One ``bulk_write`` holding more updates than FerretDB's backend pool (50 connections on
PostgreSQL — FerretDB's default, which these nodes keep; the stack's is larger — 100 on SQLite)
wedges it until it is restarted: each update keeps its pooled connection until the whole command
ends. On PostgreSQL, whose one pool serves every database, the whole server stops answering,
even ``ping``; on SQLite, where each database (one file) has its own pool, that database stops
answering while ``ping`` and the other databases still do. The day a FerretDB upgrade fixes
that, ``test_one_bulk_write_beyond_the_pool_wedges_ferretdb`` fails, and
``jumo_common.mongo.bulk``'s chunks can be reconsidered."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient, UpdateOne
from pymongo.errors import PyMongoError

from jumo_common.mongo.bulk import BULK_CHUNK, chunked_bulk_write
from jumo_devstack import BACKENDS, Backend, FerretNode, free_port, mongo_ping, scratch_dir

# FerretDB 1.24's own pool on PostgreSQL (jumo_devstack gives the stack's 200: the wedge is
# FerretDB's, pinned at the size it was measured with).
FERRETDB_POOL = 50
# Twice each backend's pool: well past the measured wedge (K = 60 and K = 120).
BEYOND_THE_POOL: dict[Backend, int] = {"postgresql": 100, "sqlite": 200}
# How long a wedged command may hang before the test takes the silence as the wedge.
SILENCE_S = 8.0

pytestmark = pytest.mark.slow


@pytest.fixture(params=BACKENDS)
async def node(request: pytest.FixtureRequest) -> AsyncIterator[FerretNode]:
    """A private FerretDB on one backend; SIGKILLed afterwards (a wedged one ignores SIGTERM)."""
    base = scratch_dir("jumo-bulk-wedge-")
    ferret = FerretNode(base, free_port(), backend=request.param, pool_size=FERRETDB_POOL)
    await asyncio.to_thread(ferret.start)
    try:
        yield ferret
    finally:
        if ferret.running():
            await asyncio.to_thread(ferret.kill)
        await asyncio.to_thread(ferret.stop)
        shutil.rmtree(base, ignore_errors=True)


def _client(node: FerretNode) -> AsyncMongoClient[dict[str, Any]]:
    ms = int(SILENCE_S * 1000)
    return AsyncMongoClient(node.url, serverSelectionTimeoutMS=ms, socketTimeoutMS=ms)


def _updates(n: int) -> list[UpdateOne]:
    return [UpdateOne({"_id": i}, {"$inc": {"n": 1}}) for i in range(n)]


async def _seed(client: AsyncMongoClient[dict[str, Any]], n: int) -> None:
    await client.wedge.docs.insert_many([{"_id": i, "n": 0} for i in range(n)])


async def test_chunked_bulk_writes_beyond_the_pool_keep_ferretdb_answering(
    node: FerretNode,
) -> None:
    n = BEYOND_THE_POOL[node.backend]
    client = _client(node)
    try:
        await _seed(client, n)
        summary = await chunked_bulk_write(client.wedge.docs, _updates(n))
        assert (summary.matched, summary.modified) == (n, n)
        assert await client.wedge.docs.count_documents({"n": 1}) == n
    finally:
        await client.close()
    assert await asyncio.to_thread(mongo_ping, node.url, 2.0)


async def test_concurrent_chunked_bulk_writes_keep_ferretdb_answering(node: FerretNode) -> None:
    """Eight writers at once, each with chunks of BULK_CHUNK: unserialised, four concurrent bulk
    writes of 40 were enough to wedge PostgreSQL's pool of 50 (a search index rewritten by 12
    concurrent edits did it to the shared stack)."""
    writers, each = 8, 3 * BULK_CHUNK
    client = _client(node)
    try:
        await _seed(client, writers * each)
        ops = _updates(writers * each)
        parts = [ops[w * each : (w + 1) * each] for w in range(writers)]
        summaries = await asyncio.gather(*(chunked_bulk_write(client.wedge.docs, p) for p in parts))
        assert sum(s.modified for s in summaries) == writers * each
    finally:
        await client.close()
    assert await asyncio.to_thread(mongo_ping, node.url, 2.0)


async def test_one_bulk_write_beyond_the_pool_wedges_ferretdb(node: FerretNode) -> None:
    n = BEYOND_THE_POOL[node.backend]
    assert n > BULK_CHUNK
    client = _client(node)
    try:
        await _seed(client, n)
        # The helper with one chunk of n is one plain bulk_write of n updates.
        try:
            await chunked_bulk_write(client.wedge.docs, _updates(n), chunk_size=n)
            completed = True
        except PyMongoError:  # it hangs until the client's socket timeout
            completed = False
    finally:
        await client.close()
    database_answers = await _database_answers(node)
    ping_answers = await asyncio.to_thread(mongo_ping, node.url, 2.0)
    seen = (
        f"FerretDB on {node.backend}: one bulk_write of {n} updates "
        f"{'completed' if completed else 'failed'}, then its database "
        f"{'answered' if database_answers else 'was silent'} and ping "
        f"{'answered' if ping_answers else 'was silent'}"
    )
    gone = f"{seen}: the wedge is gone; revisit BULK_CHUNK in jumo_common.mongo.bulk"
    assert not completed, gone
    assert not database_answers, gone
    if node.backend == "postgresql":
        assert not ping_answers, f"{seen}: the wedge no longer takes the whole server"


async def _database_answers(node: FerretNode) -> bool:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        node.url, serverSelectionTimeoutMS=2000, socketTimeoutMS=2000
    )
    try:
        await client.wedge.docs.find_one({"_id": 0})
    except PyMongoError:
        return False
    finally:
        await client.close()
    return True
