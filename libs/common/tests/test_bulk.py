"""chunked_bulk_write: chunks that FerretDB's pool can hold, results that read like one command."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo import InsertOne, UpdateOne
from pymongo.errors import BulkWriteError

from jumo_common.mongo.bulk import BULK_CHUNK, WriteOp, chunked_bulk_write
from jumo_common.mongo.client import is_ferretdb


async def test_upserts_in_chunks_add_up_with_the_callers_indexes(mongo_db: Any) -> None:
    await mongo_db.docs.insert_many([{"_id": i, "n": 0} for i in range(0, 100, 2)])  # evens
    ops: list[WriteOp] = [
        UpdateOne({"_id": i}, {"$set": {"n": 1}}, upsert=True) for i in range(100)
    ]
    summary = await chunked_bulk_write(mongo_db.docs, ops)
    assert (summary.matched, summary.modified, summary.upserted) == (50, 50, 50)
    assert sorted(summary.upserted_ids.values()) == list(range(1, 100, 2))
    if not await is_ferretdb(mongo_db):  # FerretDB numbers upserts, not operations (pinned)
        assert summary.upserted_ids == {i: i for i in range(1, 100, 2)}
    assert await mongo_db.docs.count_documents({"n": 1}) == 100
    assert len(ops) > 2 * BULK_CHUNK  # so the above crossed chunk boundaries


async def test_ordered_stops_at_the_first_failure_counted_over_every_chunk(mongo_db: Any) -> None:
    await mongo_db.docs.insert_one({"_id": 45})
    ops: list[WriteOp] = [InsertOne({"_id": i}) for i in range(100)]
    with pytest.raises(BulkWriteError) as raised:
        await chunked_bulk_write(mongo_db.docs, ops, chunk_size=20)
    details = raised.value.details
    assert [e["index"] for e in details["writeErrors"]] == [45]
    assert details["nInserted"] == 45
    assert await mongo_db.docs.count_documents({}) == 46  # 0..44 and the old 45


async def test_unordered_runs_every_chunk_and_reports_every_failure(mongo_db: Any) -> None:
    await mongo_db.docs.insert_many([{"_id": 5}, {"_id": 85}])
    ops: list[WriteOp] = [InsertOne({"_id": i}) for i in range(100)]
    with pytest.raises(BulkWriteError) as raised:
        await chunked_bulk_write(mongo_db.docs, ops, ordered=False, chunk_size=30)
    details = raised.value.details
    assert sorted(e["index"] for e in details["writeErrors"]) == [5, 85]
    assert details["nInserted"] == 98
    assert await mongo_db.docs.count_documents({}) == 100


async def test_no_operations_is_nothing_to_do(mongo_db: Any) -> None:
    summary = await chunked_bulk_write(mongo_db.docs, [])
    assert summary.details()["nInserted"] == 0


async def test_a_chunk_must_hold_something(mongo_db: Any) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        await chunked_bulk_write(mongo_db.docs, [InsertOne({"_id": 1})], chunk_size=0)
