"""Bulk writes in chunks FerretDB's connection pool can hold: the one place that calls bulk_write.

FerretDB 1.24 runs each update of a ``bulk_write`` on a pooled backend connection that it keeps
until the whole command ends. A command with more updates than the pool holds (50 connections on
PostgreSQL, 100 on SQLite) waits for itself: the server stops answering anything, even ``ping``,
until it is restarted (pinned by ``tests/test_ferretdb_bulk_wedge.py``). So every bulk write goes
through ``chunked_bulk_write``, which sends at most ``BULK_CHUNK`` operations per command and
adds the results up as one; ``tests/test_bulk_hygiene.py`` fails on any other ``bulk_write``
call in the repository. On MongoDB the chunks cost a few round trips and change nothing else.

The pool is the server's, shared by every command in flight: four concurrent bulk writes of 40
updates wedge FerretDB on PostgreSQL as surely as one of 160 (measured; pinned by
``test_concurrent_chunked_bulk_writes_keep_ferretdb_answering``). So a process sends one bulk
command at a time (a lock per event loop), and a chunk is small enough (16) that the three
processes of a local stack writing in bulk at once (a test, orgs, identity) stay below 50.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from pymongo import DeleteMany, DeleteOne, InsertOne, ReplaceOne, UpdateMany, UpdateOne
from pymongo.errors import BulkWriteError

from jumo_common.mongo.client import Collection, Document

WriteOp: TypeAlias = (
    InsertOne[Document] | DeleteOne | DeleteMany | ReplaceOne[Document] | UpdateOne | UpdateMany
)

# Three processes' chunks at once stay below PostgreSQL's pool of 50, with room to spare.
BULK_CHUNK = 16
# One bulk command in flight per event loop (asyncio locks belong to one loop).
_IN_FLIGHT: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _bulk_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _IN_FLIGHT.get(loop)
    if lock is None:
        lock = _IN_FLIGHT[loop] = asyncio.Lock()
    return lock


_COUNTS = ("nInserted", "nMatched", "nModified", "nRemoved", "nUpserted")


@dataclass
class BulkSummary:
    """What a chunked bulk write did, added up over its chunks (indexes are the caller's)."""

    inserted: int = 0
    matched: int = 0
    modified: int = 0
    deleted: int = 0
    upserted: int = 0
    upserted_ids: dict[int, Any] = field(default_factory=dict)
    write_errors: list[Document] = field(default_factory=list)

    def add(self, details: Mapping[str, Any], offset: int) -> None:
        """Add one chunk's raw result (``bulk_api_result`` or a BulkWriteError's details)."""
        self.inserted += details.get("nInserted", 0)
        self.matched += details.get("nMatched", 0)
        self.modified += details.get("nModified", 0)
        self.deleted += details.get("nRemoved", 0)
        self.upserted += details.get("nUpserted", 0)
        for item in details.get("upserted", []):
            self.upserted_ids[offset + item["index"]] = item["_id"]
        for error in details.get("writeErrors", []):
            self.write_errors.append({**error, "index": offset + error["index"]})

    def details(self) -> Document:
        """The result in pymongo's raw shape, indexes counted over every chunk."""
        upserted = [{"index": i, "_id": v} for i, v in sorted(self.upserted_ids.items())]
        counts = (self.inserted, self.matched, self.modified, self.deleted, self.upserted)
        return {
            **dict(zip(_COUNTS, counts, strict=True)),
            "upserted": upserted,
            "writeErrors": self.write_errors,
            "writeConcernErrors": [],
        }


async def chunked_bulk_write(
    collection: Collection,
    requests: Sequence[WriteOp],
    *,
    ordered: bool = True,
    chunk_size: int = BULK_CHUNK,
) -> BulkSummary:
    """``collection.bulk_write(requests)`` in chunks of at most ``chunk_size`` operations.

    Ordered, it stops at the first failing operation like MongoDB does; unordered, it runs every
    chunk. Either way a failure raises one BulkWriteError whose details count over all chunks.
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, not {chunk_size}")
    summary = BulkSummary()
    for offset in range(0, len(requests), chunk_size):
        chunk = requests[offset : offset + chunk_size]
        try:
            async with _bulk_lock():
                result = await collection.bulk_write(chunk, ordered=ordered)
        except BulkWriteError as error:
            summary.add(error.details, offset)
            if ordered:
                break
            continue
        summary.add(result.bulk_api_result, offset)
    if summary.write_errors:
        raise BulkWriteError(summary.details())
    return summary
