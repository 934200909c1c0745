"""Opportunity search over 50,000 opportunities: GET /opportunities's use case over its index,
p50/p99 per kind of query, on a private FerretDB on PostgreSQL.

    uv run python bench/opportunities_search.py            # 50,000 opportunities
    uv run python bench/opportunities_search.py --opportunities 5000 --repeats 5

Starts a FerretDB on a PostgreSQL cluster of its own (``jumo_devstack.FerretNode``, GIN mirror
as ``make up`` has it), stopped by pid at the end. Inserts 2,000 organizations (verified, a
few hidden) and 50,000 opportunities as the opportunities area stores them (titles and skills
from the causes they serve, in English and French; 30 cities of 15 countries; one-off with 1-3
slots in the next 90 days, recurring weekly patterns, ongoing; a fifth remote; 80% open, the
rest draft, paused or closed; published over the last 24 months), with
``jumo_common.mongo.chunked_bulk_write``, and the index rows ``opportunity_search_index.rows_of``
gives each (what ``MongoOpportunityIndex.sync`` writes after each write, here in bulk). Then
runs each kind of query ``--repeats`` times with varied parameters through
``OpportunitySearch.search`` (the route's use case: the store's reads, the checks and ranking in
code, the organizations' visibility) and saves p50/p99 per kind, with candidates read, to
bench/opportunities_search.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient, InsertOne

from jumo_common.jwt import Principal
from jumo_common.mongo import ensure_indexes
from jumo_common.mongo.bulk import chunked_bulk_write
from jumo_common.outbox import Outbox
from jumo_common.web import validate
from jumo_devstack import FerretNode, free_port, scratch_dir
from jumo_orgs import catalogue
from jumo_orgs.deps import deps_of
from jumo_orgs.opportunity_model import (
    CommitmentKind,
    Opportunity,
    Place,
    Slot,
    Status,
    Weekday,
    WeeklyPattern,
    document_of,
)
from jumo_orgs.opportunity_search import OpportunitySearch
from jumo_orgs.opportunity_search_index import ROWS, rows_of
from jumo_orgs.schemas.opportunity_search import OpportunitySearchQuery
from jumo_orgs.settings import OrgsSettings
from jumo_orgs.store import INDEXES, OUTBOX_COLLECTIONS, mongo_stores

HERE = Path(__file__).parent
NOW = datetime.now(UTC).replace(microsecond=0)
ORGS = 2000
CITIES = [
    ("Lyon", "FR", 45.76, 4.84),
    ("Paris", "FR", 48.86, 2.35),
    ("Marseille", "FR", 43.30, 5.37),
    ("Lille", "FR", 50.63, 3.06),
    ("Bordeaux", "FR", 44.84, -0.58),
    ("Madrid", "ES", 40.42, -3.70),
    ("Barcelona", "ES", 41.39, 2.17),
    ("Lisbon", "PT", 38.72, -9.14),
    ("London", "GB", 51.51, -0.13),
    ("Manchester", "GB", 53.48, -2.24),
    ("Dublin", "IE", 53.35, -6.26),
    ("Berlin", "DE", 52.52, 13.40),
    ("Munich", "DE", 48.14, 11.58),
    ("Brussels", "BE", 50.85, 4.35),
    ("Amsterdam", "NL", 52.37, 4.90),
    ("Rome", "IT", 41.90, 12.50),
    ("Milan", "IT", 45.46, 9.19),
    ("Montreal", "CA", 45.50, -73.57),
    ("Toronto", "CA", 43.65, -79.38),
    ("New York", "US", 40.71, -74.01),
    ("Chicago", "US", 41.88, -87.63),
    ("Dakar", "SN", 14.72, -17.47),
    ("Abidjan", "CI", 5.36, -4.01),
    ("Nairobi", "KE", -1.29, 36.82),
    ("Mexico City", "MX", 19.43, -99.13),
    ("Bogota", "CO", 4.71, -74.07),
    ("Auckland", "NZ", -36.85, 174.76),
    ("Suva", "FJ", -18.14, 178.44),
    ("Tokyo", "JP", 35.68, 139.69),
    ("Geneva", "CH", 46.20, 6.14),
]
ZONES = {
    "FR": "Europe/Paris",
    "ES": "Europe/Madrid",
    "PT": "Europe/Lisbon",
    "GB": "Europe/London",
    "IE": "Europe/Dublin",
    "DE": "Europe/Berlin",
    "BE": "Europe/Brussels",
    "NL": "Europe/Amsterdam",
    "IT": "Europe/Rome",
    "CA": "America/Toronto",
    "US": "America/New_York",
    "SN": "Africa/Dakar",
    "CI": "Africa/Abidjan",
    "KE": "Africa/Nairobi",
    "MX": "America/Mexico_City",
    "CO": "America/Bogota",
    "NZ": "Pacific/Auckland",
    "FJ": "Pacific/Fiji",
    "JP": "Asia/Tokyo",
    "CH": "Europe/Zurich",
}
TASKS = [
    "sorting",
    "tutoring",
    "cooking",
    "cleaning",
    "planting",
    "driving",
    "mentoring",
    "reading",
    "painting",
    "coding",
    "listening",
    "translating",
    "repairing",
    "collecting",
    "welcoming",
    "accompagnement",
    "distribution",
    "collecte",
    "soutien",
    "animation",
    "jardinage",
    "écoute",
    "maraude",
    "alphabétisation",
    "réparation",
]
OBJECTS = [
    "food parcels",
    "homework",
    "meals",
    "river banks",
    "trees",
    "elderly neighbours",
    "books",
    "websites",
    "refugees",
    "bicycles",
    "clothes",
    "colis alimentaires",
    "devoirs",
    "repas",
    "personnes âgées",
    "vélos",
    "vêtements",
    "jeunes",
    "familles",
    "sans-abri",
]
SKILLS = [
    "cooking",
    "first-aid",
    "driving",
    "teaching",
    "python",
    "web-design",
    "accounting",
    "translation",
    "gardening",
    "carpentry",
    "photography",
    "listening",
    "premiers-secours",
    "cuisine",
    "manutention",
    "logistique",
    "communication",
    "plomberie",
    "couture",
    "music",
]
CAUSES = [c.slug for c in catalogue.CAUSES]
WEEK: list[Weekday] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def org_documents(rng: random.Random) -> list[dict[str, Any]]:
    """2,000 organizations: verified, 2% hidden."""
    return [
        {
            "_id": uuid.uuid4().hex,
            "slug": f"org-{i}",
            "name": f"{rng.choice(TASKS).title()} "
            f"{rng.choice(['Friends', 'Collectif', 'Together', 'Solidarité', 'Network'])} {i}",
            "status": "verified",
            "hidden": rng.random() < 0.02,
            "created_at": NOW,
            "version": 1,
        }
        for i in range(ORGS)
    ]


def _slots(rng: random.Random) -> tuple[CommitmentKind, tuple[Slot, ...], WeeklyPattern | None]:
    kinds: list[CommitmentKind] = ["one_off", "recurring", "ongoing"]
    kind = rng.choices(kinds, [60, 25, 15])[0]
    if kind == "one_off":
        first = NOW + timedelta(days=rng.randint(1, 90), hours=rng.randint(-6, 6))
        slots = tuple(
            Slot(
                uuid.uuid4().hex,
                first + timedelta(days=7 * i),
                first + timedelta(days=7 * i, hours=rng.choice([2, 3, 4])),
                rng.randint(1, 20),
            )
            for i in range(rng.randint(1, 3))
        )
        return kind, slots, None
    if kind == "recurring":
        start = (NOW + timedelta(days=rng.randint(1, 30))).date()
        hour = rng.choice([8, 9, 14, 18])
        pattern = WeeklyPattern(
            tuple(sorted(rng.sample(WEEK, rng.randint(1, 3)), key=WEEK.index)),
            datetime.min.replace(hour=hour).time(),
            datetime.min.replace(hour=hour + 3).time(),
            3.0,
            start,
            start + timedelta(days=rng.randint(30, 180)),
        )
        starts = datetime.combine(pattern.starts_on, pattern.start_time, UTC)
        ends = datetime.combine(pattern.ends_on, pattern.end_time, UTC)
        return kind, (Slot(uuid.uuid4().hex, starts, ends, rng.randint(2, 30)),), pattern
    return kind, (Slot(uuid.uuid4().hex, None, None, rng.randint(2, 50)),), None


def opportunity(rng: random.Random, org: dict[str, Any]) -> dict[str, Any]:
    """One opportunity as the opportunities area stores it."""
    city, country, lat, lng = rng.choice(CITIES)
    kind, slots, pattern = _slots(rng)
    remote = rng.random() < 0.2
    place = (
        None
        if remote and rng.random() < 0.5
        else Place(
            city=city,
            country=country,
            lat=round(lat + rng.uniform(-0.1, 0.1), 2),
            lng=round(lng + rng.uniform(-0.1, 0.1), 2),
        )
    )
    statuses: list[Status] = ["open", "draft", "paused", "closed"]
    status = rng.choices(statuses, [80, 10, 5, 5])[0]
    published = NOW - timedelta(days=rng.randint(0, 730), minutes=rng.randint(0, 1440))
    opp = Opportunity(
        id=uuid.uuid4().hex,
        org_id=org["_id"],
        status=status,
        title=f"{rng.choice(TASKS).title()} {rng.choice(OBJECTS)}",
        description="Help us every week. " * rng.randint(2, 10),
        causes=tuple(rng.sample(CAUSES, rng.randint(1, 3))),
        skills_wanted=tuple(rng.sample(SKILLS, rng.randint(0, 3))),
        skills_required=tuple(rng.sample(SKILLS, rng.randint(0, 1))),
        commitment=kind,
        time_zone=ZONES[country],
        place=place,
        remote=remote or place is None,
        slots=slots,
        pattern=pattern,
        created_by=uuid.uuid4().hex,
        created_at=published,
        updated_at=published,
        published_at=published if status != "draft" else None,
    )
    return document_of(opp) | {"version": 2}


def queries(rng: random.Random) -> dict[str, Any]:
    """One query per kind, with varied parameters."""
    city = rng.choice(CITIES)
    near = f"{city[2]},{city[3]}"
    in_a_week = NOW + timedelta(days=rng.randint(5, 40))
    return {
        "text, one word": {"q": rng.choice(TASKS)},
        "text, a prefix": {"q": rng.choice(TASKS)[:4]},
        "text, two words": {"q": f"{rng.choice(TASKS)} {rng.choice(OBJECTS).split()[0]}"},
        "a child cause": {"cause": rng.choice([c.slug for c in catalogue.CAUSES if c.parent])},
        "a top-level cause": {"cause": rng.choice([c.slug for c in catalogue.top_level()])},
        "skills": {"skills": ",".join(rng.sample(SKILLS, 2))},
        "near 25 km": {"near": near},
        "near 25 km + text": {"near": near, "q": rng.choice(TASKS)[:5]},
        "remote": {"remote": "true"},
        "from/to, soonest": {
            "from": in_a_week.isoformat(),
            "to": (in_a_week + timedelta(days=7)).isoformat(),
        },
        "available=me, soonest": {"available": "me"},
        "plain listing, newest": {"sort": "newest"},
    }


class CountingRows:
    """The index rows collection, counting the rows its reads return (FerretDB decodes every
    row an equality matches: the time follows that count)."""

    def __init__(self, rows: Any) -> None:
        self.rows, self.read, self.seconds = rows, 0, 0.0

    def find(self, *args: Any, **kwargs: Any) -> Any:
        cursor, counter = self.rows.find(*args, **kwargs), self

        class Counted:
            async def to_list(self, length: int | None = None) -> list[Any]:
                started = time.perf_counter()
                found: list[Any] = await cursor.to_list(length)
                counter.read += len(found)
                counter.seconds += time.perf_counter() - started  # overlapping reads add up
                return found

        return Counted()


def pct(values: list[float], q: float) -> float:
    """A quantile in milliseconds."""
    if q == 0.5:
        return round(statistics.median(values) * 1000, 1)
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)


async def seed(db: Any, count: int, rng: random.Random) -> dict[str, Any]:
    """Organizations, opportunities and their index rows, in bulk; how long each took."""
    await ensure_indexes(db, INDEXES)
    orgs = org_documents(rng)
    started = time.perf_counter()
    await chunked_bulk_write(db["orgs"], [InsertOne(o) for o in orgs], ordered=False)
    docs = [opportunity(rng, rng.choice(orgs)) for _ in range(count)]
    await chunked_bulk_write(db["opportunities"], [InsertOne(d) for d in docs], ordered=False)
    inserted = time.perf_counter() - started
    by_id = {o["_id"]: o for o in orgs}
    rows = [row for d in docs for row in rows_of(d, by_id[d["org_id"]])]
    started = time.perf_counter()
    await chunked_bulk_write(db[ROWS], [InsertOne(r) for r in rows], ordered=False)
    return {
        "opportunities": count,
        "open": sum(d["status"] == "open" for d in docs),
        "index rows": len(rows),
        "seconds inserting opportunities": round(inserted, 1),
        "seconds inserting index rows": round(time.perf_counter() - started, 1),
    }


async def measure(url: str, count: int, repeats: int) -> dict[str, Any]:
    """Seed a database of its own, run the mix, drop the database."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True)
    name, rng = f"bench_opps_{uuid.uuid4().hex[:8]}", random.Random(9)
    db = client[name]
    try:
        setup = await seed(db, count, rng)
        settings = OrgsSettings(mongo_url=url, amqp_url="amqp://unused.invalid/")
        deps = deps_of(settings, mongo_stores(db, Outbox(db, OUTBOX_COLLECTIONS)))
        ann = uuid.uuid4().hex
        await db["people"].insert_one(
            {
                "_id": ann,
                "display_name": "Ann",
                "availability": {"parts": ["weekend_mornings", "weekday_evenings"]},
                "profile_version": 2,
            }
        )
        counting = CountingRows(deps.stores.opportunities.index.rows)  # type: ignore[attr-defined]
        deps.stores.opportunities.index.rows = counting  # type: ignore[attr-defined]
        read: dict[str, list[int]] = {}
        reading: dict[str, list[float]] = {}
        search = OpportunitySearch(deps)
        who = Principal(user_id=ann, token_id=uuid.uuid4().hex, expires_at=2**40, roles=frozenset())
        samples: dict[str, list[float]] = {}
        found: dict[str, list[int]] = {}
        for _ in range(repeats):
            for kind, params in queries(rng).items():
                query = validate(OpportunitySearchQuery, params)
                counting.read, counting.seconds, started = 0, 0.0, time.perf_counter()
                page = await search.search(query, who, NOW)
                samples.setdefault(kind, []).append(time.perf_counter() - started)
                read.setdefault(kind, []).append(counting.read)
                reading.setdefault(kind, []).append(counting.seconds)
                found.setdefault(kind, []).append(len(page.items) + (100 if page.capped else 0))
        kinds = {
            kind: {
                "p50 ms": pct(s, 0.5),
                "p99 ms": pct(s, 0.99),
                "runs": len(s),
                "median results (+100 when capped)": statistics.median(found[kind]),
                "median index rows read": statistics.median(read[kind]),
                "p50 ms in the reads (summed)": pct(reading[kind], 0.5),
            }
            for kind, s in samples.items()
        }
        return {"setup": setup, "queries": kinds}
    finally:
        await client.drop_database(name)
        await client.close()


@contextmanager
def private_postgresql() -> Iterator[FerretNode]:
    """A FerretDB on a PostgreSQL cluster of its own, stopped (by pid) afterwards."""
    base = scratch_dir("jumo-bench-opps-")
    node = FerretNode(base, free_port(), backend="postgresql")
    node.start(timeout=120)
    try:
        yield node
    finally:
        node.stop()
        shutil.rmtree(base, ignore_errors=True)


async def main(count: int, repeats: int) -> None:
    """Measure on a private FerretDB on PostgreSQL and save the figures."""
    section: dict[str, Any] = {
        "when": NOW.isoformat(),
        "python": sys.version.split()[0],
        "load average at start": [round(x, 2) for x in os.getloadavg()],
        "repeats": repeats,
    }
    with private_postgresql() as node:
        section["ferretdb pid"] = node.pid
        section |= await measure(node.url, count, repeats)
    for kind, row in section["queries"].items():
        print(f"{kind}: {row}")
    print("setup:", section["setup"])
    path = HERE / "opportunities_search.json"
    path.write_text(json.dumps({"private FerretDB on PostgreSQL": section}, indent=2) + "\n")
    print("saved", path.relative_to(HERE.parent))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=20, help="queries of each kind")
    args = parser.parse_args()
    asyncio.run(main(args.opportunities, args.repeats))
