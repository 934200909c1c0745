"""The store side by side: FerretDB on SQLite, on PostgreSQL, and on PostgreSQL with the GIN mirror.

Each backend is a private FerretDB node (``jumo_devstack.FerretNode``) started for this run on
free ports, with its own PostgreSQL cluster where it has one, so the three see the same machine
at the same time and compare as ratios. Workloads, on 100,000 small documents (1,000 owners):

- find by an indexed field, sorted, limit 20 (index on ``(owner, n)``, 100 match);
- find by an indexed field, every result (~100);
- ``find_one`` by ``_id``;
- ``insert_many`` of 10,000 small documents into a fresh collection;
- 10,000 upserts by ``_id`` (5,000 new), in bulk writes of 40 (``chunked_bulk_write``); on
  SQLite, where each one scans the collection (about 0.2 s apiece at 100,000 documents), the
  first ``--sqlite-upserts`` (2,000: half existing, half new) are timed and scaled to 10,000;
- 8 concurrent writers x 500 updates by ``_id``.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import statistics
import sys
import time
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pymongo import AsyncMongoClient, UpdateOne
from pymongo.errors import OperationFailure

from jumo_common.mongo.bulk import WriteOp, chunked_bulk_write
from jumo_devstack import Backend, FerretNode, free_port, scratch_dir

DOCS = 100_000  # --docs changes it (a quick check of the script, not a measurement)
OWNERS = 1_000
WRITERS = 8
UPDATES_PER_WRITER = 500

Result = dict[str, float]


@dataclass(frozen=True)
class Store:
    """One backend under test."""

    label: str
    backend: Backend
    gin_mirror: bool


STORES = (
    Store("SQLite", "sqlite", gin_mirror=False),
    Store("PostgreSQL", "postgresql", gin_mirror=False),
    Store("PostgreSQL + GIN mirror", "postgresql", gin_mirror=True),
)


@contextmanager
def running(store: Store) -> Iterator[FerretNode]:
    """A private FerretDB for ``store``, stopped and deleted afterwards."""
    base = scratch_dir("jumo-bench-store-")
    node = FerretNode(base, free_port(), backend=store.backend)
    if node.cluster is not None:
        node.cluster.gin_mirror = store.gin_mirror
    node.start(timeout=120)
    try:
        yield node
    finally:
        node.stop()
        shutil.rmtree(base, ignore_errors=True)


async def timed(work: Awaitable[Any]) -> float:
    """Seconds ``work`` took (a coroutine does nothing until awaited, so creating it is free)."""
    start = time.perf_counter()
    await work
    return time.perf_counter() - start


def ms(values: list[float], q: float = 0.5) -> float:
    """A quantile of durations in seconds, as milliseconds."""
    if q == 0.5:
        return round(statistics.median(values) * 1000, 2)
    return round(statistics.quantiles(values, n=100)[int(q * 100) - 1] * 1000, 2)


def documents(n: int, start: int = 0) -> list[dict[str, Any]]:
    """``n`` small documents (~100 bytes) with string ids ``d<i>``."""
    return [
        {"_id": f"d{i}", "owner": f"o{i % OWNERS}", "n": i, "text": "hello " * 5}
        for i in range(start, start + n)
    ]


async def _seeded(client: AsyncMongoClient[dict[str, Any]]) -> Any:
    coll = client.bench.things
    for start in range(0, DOCS, 10_000):
        await coll.insert_many(documents(10_000, start))
    await coll.create_index([("owner", 1), ("n", -1)])
    return coll


async def reads(coll: Any, repeats: int) -> Result:
    """The three reads over the seeded collection."""
    sorted_20: list[float] = []
    all_100: list[float] = []
    by_id: list[float] = []
    for i in range(repeats):
        owner = f"o{(i * 37) % OWNERS}"
        sorted_20.append(await timed(coll.find({"owner": owner}).sort("n", -1).limit(20).to_list()))
        all_100.append(await timed(coll.find({"owner": owner}).to_list()))
        by_id.append(await timed(coll.find_one({"_id": f"d{(i * 7919) % DOCS}"})))
    return {
        "find by indexed field, sorted, limit 20: p50 (ms)": ms(sorted_20),
        "find by indexed field, sorted, limit 20: p99 (ms)": ms(sorted_20, 0.99),
        "find by indexed field, ~100 results: p50 (ms)": ms(all_100),
        "find_one by _id: p50 (ms)": ms(by_id),
    }


async def writes(
    client: AsyncMongoClient[dict[str, Any]], coll: Any, runs: int, upserts_n: int = 10_000
) -> Result:
    """insert_many, bulk upserts (``upserts_n`` timed, scaled to 10,000) and concurrent
    updates; medians over ``runs``."""
    inserts: list[float] = []
    upserts: list[float] = []
    rates: list[float] = []
    failures: list[int] = []
    for run in range(runs):
        fresh = client.bench[f"insert_{run}"]
        batch = documents(10_000)
        inserts.append(await timed(fresh.insert_many(batch)))
        half = upserts_n // 2
        ops: list[WriteOp] = [
            UpdateOne({"_id": f"d{DOCS - half + i}"}, {"$set": {"n": run}}, upsert=True)
            for i in range(2 * half)  # the first half exist, the second half are new
        ]
        took = await timed(chunked_bulk_write(coll, ops, chunk_size=40))
        upserts.append(took * 10_000 / (2 * half))
        await coll.delete_many({"_id": {"$in": [f"d{DOCS + i}" for i in range(half)]}})
        errors: list[int] = []
        took = await timed(_writers(coll, errors))
        rates.append((WRITERS * UPDATES_PER_WRITER - len(errors)) / took)
        failures.append(len(errors))
    return {
        "insert_many 10,000 docs (s)": round(statistics.median(inserts), 2),
        "10,000 upserts by _id, bulk writes of 40 (s)": round(statistics.median(upserts), 1),
        f"{WRITERS} writers x {UPDATES_PER_WRITER} updates by _id (updates/s)": round(
            statistics.median(rates)
        ),
        f"{WRITERS} writers x {UPDATES_PER_WRITER} updates by _id: failed updates": max(failures),
    }


async def _writers(coll: Any, errors: list[int]) -> None:
    async def writer(w: int) -> None:
        for i in range(UPDATES_PER_WRITER):
            doc = f"d{(w * UPDATES_PER_WRITER + i) * 11 % DOCS}"
            try:
                await coll.update_one({"_id": doc}, {"$inc": {"n": 1}})
            except OperationFailure:  # SQLite: "database is locked (SQLITE_BUSY)"
                errors.append(i)

    await asyncio.gather(*(writer(w) for w in range(WRITERS)))


async def bench_store(store: Store, runs: int, repeats: int, upserts_n: int) -> Result:
    """Every workload on one backend."""
    with running(store) as node:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            node.url, socketTimeoutMS=1_800_000
        )
        try:
            coll = await _seeded(client)
            result = await reads(coll, repeats)
            print(f"  {store.label}: reads {result}", flush=True)
            return result | await writes(client, coll, runs, upserts_n)
        finally:
            await client.close()


async def bench_stores(
    runs: int, repeats: int, sqlite_runs: int = 1, sqlite_upserts: int = 2_000
) -> dict[str, Result]:
    """Every backend, one after the other, in this one run."""
    results = {}
    for store in STORES:
        began = time.monotonic()
        sqlite = store.backend == "sqlite"
        store_runs = sqlite_runs if sqlite else runs
        upserts_n = sqlite_upserts if sqlite else 10_000
        results[store.label] = await bench_store(store, store_runs, repeats, upserts_n)
        print(f"  {store.label}: {results[store.label]}", flush=True)
        print(f"  {store.label}: done in {time.monotonic() - began:.0f} s", flush=True)
    return results


def table(results: dict[str, Result]) -> str:
    """A Markdown table: one row per workload, one column per backend."""
    labels = list(results)
    rows = ["| what | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    for key in next(iter(results.values())):
        rows.append(f"| {key} | " + " | ".join(f"{results[lab][key]:,}" for lab in labels) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3, help="runs of each write workload")
    parser.add_argument("--repeats", type=int, default=20, help="repeats of each read")
    parser.add_argument("--sqlite-runs", type=int, default=1, help="SQLite takes minutes a run")
    parser.add_argument("--sqlite-upserts", type=int, default=2_000, help="timed, scaled to 10k")
    parser.add_argument("--docs", type=int, default=DOCS, help="documents seeded")
    args = parser.parse_args()
    DOCS = args.docs
    # A SIGTERM (a timeout) still stops the private nodes: the finally blocks run.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print(f"store side by side, {DOCS:,} documents", flush=True)
    results = bench_stores(args.runs, args.repeats, args.sqlite_runs, args.sqlite_upserts)
    print(table(asyncio.run(results)))
