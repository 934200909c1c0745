"""Pins, on both FerretDB backends, the differences from MongoDB that Jumo's store rules rest on.

Each test runs on private FerretDB nodes of our own, one per backend (PostgreSQL, the local
default, and SQLite), whatever ``MONGO_URL`` points at. A test fails the day FerretDB stops
behaving so, which is the day to revisit the rule:

- single-document updates are read-modify-writes without a lock (FerretDB issue #3040):
  concurrent ``$inc`` lose increments and conditional claims have several winners, so
  "exactly once" is an insert with a unique ``_id`` (``jumo_common.mongo.insert_once``);
- a bulk write's ``upserted`` entries are numbered among the upserts, not among the operations;
- a document cannot hold an array inside an array (feed stores lists of ``{source, reason}``
  documents instead of pairs);
- ``explain`` says whether a filter was pushed down: on PostgreSQL an equality is (beside
  other conditions too) and ``$in`` or a range is not, on SQLite none is
  (``jumo_common.mongo.pushdown`` reads it; the outbox relay reads buckets by equality).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient, UpdateOne
from pymongo.errors import WriteError

from jumo_common.mongo.bulk import WriteOp, chunked_bulk_write
from jumo_common.mongo.claims import insert_once
from jumo_common.mongo.pushdown import FilterMode, find_by_ids
from jumo_devstack import BACKENDS, FerretNode, free_port, scratch_dir

INCREMENTS = 100
CLAIMERS = 20
# A race shows on the first trial almost always on a quiet machine; on a loaded one (a CI
# rehearsal at load 7 saw five trials of 20 claims with one winner each) the requests arrive
# further apart, so each test tries until the race shows, up to this many times.
MAX_TRIALS = 60


@pytest.fixture(scope="module", params=BACKENDS)
def node(request: pytest.FixtureRequest) -> Iterator[FerretNode]:
    """A private FerretDB on one backend, shared by this module's tests."""
    base = scratch_dir("jumo-ferretdb-differences-")
    ferret = FerretNode(base, free_port(), backend=request.param)
    ferret.start()
    try:
        yield ferret
    finally:
        ferret.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
async def db(node: FerretNode) -> AsyncIterator[Any]:
    """A fresh database on the node, on this test's event loop."""
    # 20 at once race as surely as 100, and stay below PostgreSQL's pool of 50: a client of 200
    # connections sending 100 concurrent updates wedged the node in a CI rehearsal.
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(node.url, maxPoolSize=20)
    try:
        await client.drop_database("differences")
        yield client.differences
    finally:
        await client.close()


async def _survivors_of_concurrent_incs(db: Any) -> int:
    await db.counter.delete_many({})
    await db.counter.insert_one({"_id": 1, "n": 0})
    inc = {"$inc": {"n": 1}}
    await asyncio.gather(*(db.counter.update_one({"_id": 1}, inc) for _ in range(INCREMENTS)))
    doc = await db.counter.find_one({"_id": 1})
    return int(doc["n"])


async def _trials_until(
    trial: Callable[[], Awaitable[int]], raced: Callable[[int], bool]
) -> list[int]:
    """Run ``trial`` until one shows the race (or MAX_TRIALS did not); every outcome."""
    outcomes: list[int] = []
    while len(outcomes) < MAX_TRIALS:
        outcomes.append(await trial())
        if raced(outcomes[-1]):
            break
    return outcomes


async def test_concurrent_incs_of_one_document_lose_writes(node: FerretNode, db: Any) -> None:
    survivors = await _trials_until(
        lambda: _survivors_of_concurrent_incs(db), lambda kept: kept < INCREMENTS
    )
    print(f"\n{node.backend}: of {INCREMENTS} concurrent $inc, {survivors} survived")
    assert min(survivors) < INCREMENTS, (
        f"FerretDB on {node.backend} kept every concurrent $inc in {MAX_TRIALS} trials: updates "
        "may have become atomic; revisit the insert-only claims (jumo_common.mongo.claims)"
    )


async def _winners_of_concurrent_claims(db: Any) -> int:
    await db.job.delete_many({})
    await db.job.insert_one({"_id": 1, "owner": None})
    claims = [
        db.job.update_one({"_id": 1, "owner": None}, {"$set": {"owner": f"w{i}"}})
        for i in range(CLAIMERS)
    ]
    results = await asyncio.gather(*claims)
    return sum(result.modified_count for result in results)


async def test_concurrent_conditional_claims_have_several_winners(
    node: FerretNode, db: Any
) -> None:
    winners = await _trials_until(lambda: _winners_of_concurrent_claims(db), lambda won: won > 1)
    print(f"\n{node.backend}: of {CLAIMERS} concurrent claims {{owner: null}}, {winners} won")
    assert max(winners) > 1, (
        f"FerretDB on {node.backend} gave one winner to {CLAIMERS} concurrent conditional "
        f"claims in {MAX_TRIALS} trials: revisit the insert-only claims (jumo_common.mongo.claims)"
    )


async def test_an_insert_with_a_unique_id_has_one_winner(db: Any) -> None:
    for trial in range(5):
        won = await asyncio.gather(
            *(insert_once(db.claims, {"_id": f"job-{trial}"}) for _ in range(CLAIMERS))
        )
        assert sum(won) == 1


async def test_upserted_entries_are_numbered_among_the_upserts(db: Any) -> None:
    await db.docs.insert_one({"_id": 0})
    ops: list[WriteOp] = [UpdateOne({"_id": i}, {"$set": {"x": 1}}, upsert=True) for i in range(3)]
    summary = await chunked_bulk_write(db.docs, ops)  # one chunk: FerretDB's own numbering
    # MongoDB answers {1: 1, 2: 2} (operation 0 matched the existing document).
    assert summary.upserted_ids == {0: 1, 1: 2}, "FerretDB now numbers upserts like MongoDB"


async def test_a_document_cannot_hold_nested_arrays(db: Any) -> None:
    with pytest.raises(WriteError, match="nested arrays"):
        await db.docs.insert_one({"_id": "pairs", "audiences": [["o:1", 1]]})
    await db.docs.insert_one({"_id": "documents", "audiences": [{"source": "o:1", "reason": 1}]})
    assert (await db.docs.find_one({"_id": "documents"}))["audiences"][0]["reason"] == 1


async def test_explain_says_how_a_filter_is_answered(node: FerretNode, db: Any) -> None:
    await db.things.insert_many([{"_id": f"d{i}", "owner": f"o{i % 10}"} for i in range(50)])
    explained = await db.command("explain", {"find": "things", "filter": {"owner": "o3"}})
    assert explained.get("filterPushdown") is (node.backend == "postgresql")
    explained = await db.command(
        "explain", {"find": "things", "filter": {"owner": {"$in": ["o3"]}}}
    )
    assert explained.get("filterPushdown") is False
    expected = "equalities" if node.backend == "postgresql" else "scan"
    assert await FilterMode(db.things).get() == expected
    assert await FilterMode(db.not_there_yet).get() == "equalities"  # no collection: not kept


async def test_a_range_is_not_pushed_down_but_an_equality_beside_it_is(
    node: FerretNode, db: Any
) -> None:
    """The outbox relay reads ten-second buckets by equality for this (``outbox.relay``)."""
    await db.things.insert_many([{"_id": f"d{i}", "b": f"b{i % 5}", "n": i} for i in range(50)])
    ranged = {"n": {"$gte": 40}}
    explained = await db.command("explain", {"find": "things", "filter": ranged})
    assert explained.get("filterPushdown") is False
    beside = {"b": "b2", "$or": [{"n": {"$gt": 40}}, {"n": 40, "_id": {"$gt": "d0"}}]}
    explained = await db.command("explain", {"find": "things", "filter": beside})
    assert explained.get("filterPushdown") is (node.backend == "postgresql")
    assert sorted(d["n"] for d in await db.things.find(beside).to_list()) == [42, 47]


async def test_find_by_ids_finds_the_same_documents_whichever_way_it_reads(db: Any) -> None:
    await db.people.insert_many([{"_id": f"p{i}", "n": i} for i in range(30)])
    wanted = ["p3", "p3", "missing", *(f"p{i}" for i in range(10, 29))]
    for mode in (None, "equalities", "scan"):
        filter_mode = FilterMode(db.people, mode)
        found = await find_by_ids(db.people, wanted, filter_mode)
        assert sorted(d["_id"] for d in found) == sorted({"p3", *(f"p{i}" for i in range(10, 29))})
        assert [d["_id"] for d in await find_by_ids(db.people, ["p7"], filter_mode)] == ["p7"]
        assert await find_by_ids(db.people, [], filter_mode) == []
