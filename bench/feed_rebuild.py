"""A home timeline's rebuild from MongoDB (a person's first read, or a read after their timeline
expired): ``FeedStore.newest_for`` as feed has it now ("after": one equality on ``fan`` per
source the reader follows, merged) beside the one-query form it replaced ("before":
``{fan: {$in: sources}}``), alternately in one run, at two sizes of the activities collection.

    uv run --frozen python bench/feed_rebuild.py            # ~2 minutes
    uv run --frozen python bench/feed_rebuild.py --quick    # a smoke run of the script

Starts a FerretDB on a PostgreSQL cluster of its own (the GIN mirror on, as ``make up`` has it;
stopped by pid), creates feed's indexes in a database of its own and inserts activities shaped
like the full demo's: 50 organizations' posts and opportunities (``o:`` sources, some also to
a cause), and what 2,000 people did (followed, joined: ``p:`` sources). Readers follow what a
demo volunteer follows (6 organizations, 3 people, 2 causes). Every read is checked to return
the same activities in the same order both ways. Figures are medians over the readers' reads;
saved to bench/feed_rebuild.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pymongo import DESCENDING, AsyncMongoClient, InsertOne

from jumo_common.mongo import Document, ensure_indexes
from jumo_common.mongo.bulk import chunked_bulk_write
from jumo_devstack import FerretNode, free_port, scratch_dir
from jumo_feed.store import GONE, INDEXES, FeedStore

HERE = Path(__file__).resolve().parent
ORGS, PEOPLE, CAUSES = 50, 2000, 20
CAP = 800  # feed's timeline_cap default


def activities(rng: random.Random, count: int) -> list[Document]:
    """``count`` activities: a sixth by organizations (half of them also to a cause), the rest
    by people."""
    docs: list[Document] = []
    for number in range(1, count + 1):
        if number % 6 == 0:
            fan = [f"o:{rng.randrange(ORGS)}"]
            if number % 12 == 0:
                fan.append(f"c:{rng.randrange(CAUSES)}")
            kind = "post"
        else:
            fan, kind = [f"p:{rng.randrange(PEOPLE)}"], "org_followed"
        docs.append({"_id": f"{kind}:{number}", "number": number, "kind": kind, "fan": fan,
                     "version": 1, "snapshot": {"title": f"Activity {number}"}})  # fmt: skip
    return docs


def reader_sources(rng: random.Random) -> list[str]:
    """What a demo volunteer follows."""
    orgs = [f"o:{n}" for n in rng.sample(range(ORGS), 6)]
    people = [f"p:{n}" for n in rng.sample(range(PEOPLE), 3)]
    return orgs + people + [f"c:{n}" for n in rng.sample(range(CAUSES), 2)]


async def before(store: FeedStore, sources: list[str], limit: int) -> list[Document]:
    """The form of commit 7a52224: one ``$in`` query."""
    query = {"fan": {"$in": sources}, "number": {"$exists": True}, **GONE}
    cursor = store.activities.find(query).sort("number", DESCENDING).limit(limit)
    return [d async for d in cursor]


async def timed(read: Any, store: FeedStore, sources: list[str]) -> tuple[float, list[str]]:
    started = time.perf_counter()
    found = await read(store, sources, CAP)
    return (time.perf_counter() - started) * 1000, [d["_id"] for d in found]


async def after(store: FeedStore, sources: list[str], limit: int) -> list[Document]:
    return await store.newest_for(sources, limit)


async def measure(store: FeedStore, rng: random.Random, readers: int) -> dict[str, Any]:
    """Each reader's rebuild read both ways, in alternating order; medians and the ratio."""
    times: dict[str, list[float]] = {"before": [], "after": []}
    for n in range(readers):
        sources = reader_sources(rng)
        order = [("before", before), ("after", after)]
        results = {}
        for name, read in order if n % 2 == 0 else order[::-1]:
            elapsed, ids = await timed(read, store, sources)
            times[name].append(elapsed)
            results[name] = ids
        assert results["before"] == results["after"], f"reader {n}: the two forms differ"
    medians = {name: round(statistics.median(values), 1) for name, values in times.items()}
    return {
        "readers": readers,
        "before_median_ms": medians["before"],
        "after_median_ms": medians["after"],
        "before_over_after": round(medians["before"] / medians["after"], 1),
    }


async def bench(url: str, sizes: list[int], readers: int) -> list[dict[str, Any]]:
    client: AsyncMongoClient[Document] = AsyncMongoClient(url, tz_aware=True)
    name = f"bench_feedrebuild_{secrets.token_hex(4)}"
    db, rng, rows = client[name], random.Random(7), []
    try:
        await ensure_indexes(db, INDEXES)
        store, have = FeedStore(db), 0
        for size in sizes:  # each size adds to the last one's activities
            docs = activities(rng, size)[have:]
            await chunked_bulk_write(store.activities, [InsertOne(d) for d in docs])
            have = size
            row = {"activities": size, **await measure(store, rng, readers)}
            print(json.dumps(row), flush=True)
            rows.append(row)
        return rows
    finally:
        await client.drop_database(name)
        await client.close()


async def main(sizes: list[int], readers: int) -> None:
    base = scratch_dir("jumo-bench-rebuild-")
    node = FerretNode(base, free_port(), backend="postgresql")
    node.start(timeout=120)
    try:
        started = time.perf_counter()
        rows = await bench(node.url, sizes, readers)
    finally:
        node.stop()
        shutil.rmtree(base, ignore_errors=True)
    saved = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "store": "a private FerretDB 1.24 on PostgreSQL, GIN mirror",
        "python": sys.version.split()[0],
        "load average at start": [round(x, 2) for x in os.getloadavg()],
        "reader follows": "6 organizations, 3 people, 2 causes", "timeline_cap": CAP,
        "sizes": rows, "seconds": round(time.perf_counter() - started),
    }  # fmt: skip
    (HERE / "feed_rebuild.json").write_text(json.dumps(saved, indent=2) + "\n")
    print("saved bench/feed_rebuild.json")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few readers")
    args = parser.parse_args()
    if args.quick:
        asyncio.run(main([600, 1200], 4))
    else:
        asyncio.run(main([2_000, 20_000], 30))
