"""Matching over 50,000 opportunities and 20,000 people: GET /opportunities/recommended's and
GET /opportunities/{id}/candidates' use cases, p50/p99, on a private FerretDB on PostgreSQL.

    uv run python bench/recommendations.py                  # 50,000 opportunities, 20,000 people
    uv run python bench/recommendations.py --opportunities 5000 --people 2000 --repeats 5

Starts a FerretDB on a PostgreSQL cluster of its own (``jumo_devstack.FerretNode``, as
bench/opportunities_search.py does), stopped by pid at the end. Inserts with
``jumo_common.mongo.chunked_bulk_write``: the 2,000 organizations and 50,000 opportunities of
bench/opportunities_search.py (the same generator) with their search index rows; 20,000 people
as the people projection stores them (0-4 skills, 0-2 interests among the causes, a point near
one of the 30 cities, a radius of 10, 25 or 50 km, 0-3 parts of the week, 60% findable, public,
followers or private) with matching's index rows ``candidate_index.rows_of`` gives each; 1-2
causes joined and 0-3 organizations followed per person; 20,000 answered applications spread
over the organizations (what responsiveness reads). Then asks ``Matching.recommended`` for
random people (cold: a new use case each time, so every organization's answer time is read;
warm: one use case, its cache filled) and ``Matching.candidates`` for random open
opportunities as an admin of their organization; saves p50/p99 with the candidates scored to
bench/recommendations.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from opportunities_search import (
    CAUSES,
    CITIES,
    NOW,
    SKILLS,
    opportunity,
    org_documents,
    pct,
    private_postgresql,
)
from pymongo import AsyncMongoClient, InsertOne

from jumo_common.jwt import Principal
from jumo_common.mongo import ensure_indexes
from jumo_common.mongo.bulk import chunked_bulk_write
from jumo_common.outbox import Outbox
from jumo_common.web import validate
from jumo_orgs.candidate_index import ROWS as CANDIDATE_ROWS
from jumo_orgs.candidate_index import rows_of as candidate_rows
from jumo_orgs.deps import deps_of
from jumo_orgs.matching import Matching
from jumo_orgs.opportunities import Opportunities
from jumo_orgs.opportunity_search_index import ROWS, rows_of
from jumo_orgs.schemas.matching import CandidatesQuery, RecommendedQuery
from jumo_orgs.settings import OrgsSettings
from jumo_orgs.stats import OrgStats
from jumo_orgs.store import INDEXES, OUTBOX_COLLECTIONS, mongo_stores

HERE = Path(__file__).parent
PARTS = [f"{k}_{w}" for k in ("weekday", "weekend") for w in ("mornings", "afternoons", "evenings")]
ADMIN = uuid.uuid4().hex  # an admin of every organization, who lists candidates


def person(rng: random.Random) -> dict[str, Any]:
    """One person as the people projection stores them."""
    city, _, lat, lng = rng.choice(CITIES)
    return {
        "_id": uuid.uuid4().hex, "display_name": f"Person {rng.randint(1, 10**6)}",
        "skills": rng.sample(SKILLS, rng.randint(0, 4)),
        "interests": rng.sample(CAUSES, rng.randint(0, 2)),
        "place": {"city": city, "lat": round(lat + rng.uniform(-0.1, 0.1), 2),
                  "lng": round(lng + rng.uniform(-0.1, 0.1), 2)},
        "radius_km": rng.choice([10, 25, 50]),
        "availability": {"parts": rng.sample(PARTS, rng.randint(0, 3))},
        "findable": rng.random() < 0.6,
        "visibility": rng.choices(["public", "followers", "private"], [70, 20, 10])[0],
        "profile_version": 2, "version": 2,
    }  # fmt: skip


def ties(rng: random.Random, who: dict[str, Any], orgs: list[dict[str, Any]]) -> list[Any]:
    """The causes a person joined and the organizations they follow."""
    uid = who["_id"]
    joined = [{"_id": f"{c}:{uid}", "cause": c, "user_id": uid, "active": True, "since": NOW}
              for c in rng.sample(CAUSES, rng.randint(1, 2))]  # fmt: skip
    follows = [{"_id": f"{uid}:{o['_id']}", "user_id": uid, "org_id": o["_id"], "active": True,
                "since": NOW} for o in rng.sample(orgs, rng.randint(0, 3))]  # fmt: skip
    return [("cause_members", d) for d in joined] + [("org_follows", d) for d in follows]


def application(rng: random.Random, opp: dict[str, Any]) -> dict[str, Any]:
    """An answered application (what an organization's answer time is counted from)."""
    submitted = NOW - timedelta(days=rng.randint(1, 300))
    answered = submitted + timedelta(hours=rng.randint(1, 24 * 10))
    return {"_id": uuid.uuid4().hex, "opportunity_id": opp["_id"], "org_id": opp["org_id"],
            "slot_id": opp["slots"][0]["id"], "volunteer_id": uuid.uuid4().hex,
            "status": "accepted", "submitted_at": submitted, "answered_at": answered,
            "accepted_at": answered}  # fmt: skip


async def _bulk(db: Any, name: str, docs: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    await chunked_bulk_write(db[name], [InsertOne(d) for d in docs], ordered=False)
    return round(time.perf_counter() - started, 1)


async def seed(db: Any, opportunities: int, people: int, rng: random.Random) -> dict[str, Any]:
    """Everything matching reads, in bulk; how long each part took."""
    await ensure_indexes(db, INDEXES)
    orgs = org_documents(rng)
    docs = [opportunity(rng, rng.choice(orgs)) for _ in range(opportunities)]
    by_id = {o["_id"]: o for o in orgs}
    seconds: dict[str, float] = {"orgs": await _bulk(db, "orgs", orgs)}
    seconds["opportunities"] = await _bulk(db, "opportunities", docs)
    seconds["opportunity index rows"] = await _bulk(
        db, ROWS, [r for d in docs for r in rows_of(d, by_id[d["org_id"]])]
    )
    persons = [person(rng) for _ in range(people)]
    seconds["people"] = await _bulk(db, "people", persons)
    rows = [r for p in persons for r in candidate_rows(p["_id"], p)]
    seconds["candidate index rows"] = await _bulk(db, CANDIDATE_ROWS, rows)
    linked = [t for p in persons for t in ties(rng, p, orgs)]
    for name in ("cause_members", "org_follows"):
        seconds[name] = await _bulk(db, name, [d for n, d in linked if n == name])
    members = [{"_id": f"{o['_id']}:{ADMIN}", "org_id": o["_id"], "user_id": ADMIN,
                "role": "admin", "state": "active", "version": 1} for o in orgs]  # fmt: skip
    seconds["org_members"] = await _bulk(db, "org_members", members)
    answered = [application(rng, rng.choice(docs)) for _ in range(20_000)]
    seconds["applications"] = await _bulk(db, "applications", answered)
    return {"opportunities": opportunities, "open": sum(d["status"] == "open" for d in docs),
            "people": people, "findable": sum(p["findable"] for p in persons),
            "candidate index rows": len(rows), "applications": len(answered),
            "seconds inserting": seconds, "people ids": [p["_id"] for p in persons],
            "open ids": [d["_id"] for d in docs if d["status"] == "open"]}  # fmt: skip


def principal(user_id: str) -> Principal:
    return Principal(user_id=user_id, token_id=uuid.uuid4().hex, expires_at=2**40,
                     roles=frozenset())  # fmt: skip


def figures(samples: list[float], found: list[int]) -> dict[str, Any]:
    return {"p50 ms": pct(samples, 0.5), "p99 ms": pct(samples, 0.99), "runs": len(samples),
            "median results": statistics.median(found)}  # fmt: skip


async def measure(url: str, opportunities: int, people: int, repeats: int) -> dict[str, Any]:
    """Seed a database of its own, ask, drop the database."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True)
    name, rng = f"bench_match_{uuid.uuid4().hex[:8]}", random.Random(11)
    db = client[name]
    try:
        setup = await seed(db, opportunities, people, rng)
        people_ids, open_ids = setup.pop("people ids"), setup.pop("open ids")
        settings = OrgsSettings(mongo_url=url, amqp_url="amqp://unused.invalid/")
        deps = deps_of(settings, mongo_stores(db, Outbox(db, OUTBOX_COLLECTIONS)))
        stats = OrgStats(deps, Opportunities(deps))
        warm, out = Matching(deps, stats), {}
        for kind, use in (("recommended, cold", None), ("recommended, warm", warm)):
            samples, found = [], []
            for _ in range(repeats):
                matching = use or Matching(deps, stats)
                who, started = principal(rng.choice(people_ids)), time.perf_counter()
                page = await matching.recommended(who, validate(RecommendedQuery, {}), NOW)
                samples.append(time.perf_counter() - started)
                found.append(len(page.items))
            out[kind] = figures(samples, found)
        samples, found = [], []
        for _ in range(repeats):
            started = time.perf_counter()
            listed = await warm.candidates(rng.choice(open_ids), principal(ADMIN),
                                           validate(CandidatesQuery, {}))  # fmt: skip
            samples.append(time.perf_counter() - started)
            found.append(len(listed.items))
        out["candidates"] = figures(samples, found)
        return {"setup": setup, "queries": out}
    finally:
        await client.drop_database(name)
        await client.close()


async def main(opportunities: int, people: int, repeats: int) -> None:
    """Measure on a private FerretDB on PostgreSQL and save the figures."""
    section: dict[str, Any] = {
        "when": NOW.isoformat(), "python": sys.version.split()[0],
        "load average at start": [round(x, 2) for x in os.getloadavg()], "repeats": repeats,
    }  # fmt: skip
    with private_postgresql() as node:
        section["ferretdb pid"] = node.pid
        section |= await measure(node.url, opportunities, people, repeats)
    for kind, row in section["queries"].items():
        print(f"{kind}: {row}")
    print("setup:", section["setup"])
    path = HERE / "recommendations.json"
    path.write_text(json.dumps({"private FerretDB on PostgreSQL": section}, indent=2) + "\n")
    print("saved", path.relative_to(HERE.parent))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=50_000)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=30, help="requests of each kind")
    args = parser.parse_args()
    asyncio.run(main(args.opportunities, args.people, args.repeats))
