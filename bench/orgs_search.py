"""Search over 10,000 organizations: GET /orgs's use case over search's index, p50/p99, beside
the store it replaced (reading the organizations themselves), in the same run.

    uv run python bench/orgs_search.py --only-postgresql   # a private FerretDB on PostgreSQL
    uv run python bench/orgs_search.py                     # and the running stack's (MONGO_URL)

Inserts 10,000 organizations as the organizations area stores them (names, missions and
descriptions built from the causes they work for, in English, French and Spanish; headquarters
in 40 real cities of 20 countries, Fiji and Auckland among them; 1-3 causes of the catalogue;
mostly verified, some pending, drafts, hidden) with ``jumo_common.mongo.chunked_bulk_write``
into a database of its own (``bench_search_<token>``, dropped at the end), and search's index of
them (``search_index.org_rows``: the rows ``search_sync`` writes after each organization write,
here in bulk). Then runs a mix of queries (text, prefix, cause, near + radius, combined, and the
plain newest listing) through ``jumo_orgs.search.Search``, on ``MongoSearchStore`` ("after")
and on ``BeforeStore`` (the store of commit 5f926f5: filters on the organizations, shaped for
FerretDB's pushdown; "before"), alternately in each run so both see the same load: every
query's time in the use case, split into the store's fetch and the scoring in code, and how
many candidates it fetched. Each figure is the median over ``--runs`` runs of that run's p50 /
p99. It also times the write side (an organization's rows rewritten after an edit, a repair
that finds nothing to do), what a projection saves FerretDB, and prints ``explain`` of the main
query. Everything goes to bench/orgs_search.json. With ``--postgresql`` it starts a FerretDB on
a PostgreSQL cluster of its own (GIN mirror on, as ``make up`` has it) and stops it by pid.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import secrets
import shutil
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from pymongo import AsyncMongoClient, InsertOne

from jumo_common.mongo import (
    ASCENDING,
    DESCENDING,
    Database,
    Document,
    IndexSpec,
    after_filter,
    ensure_indexes,
)
from jumo_common.mongo.bulk import chunked_bulk_write
from jumo_common.outbox import Outbox
from jumo_devstack import FerretNode, free_port, scratch_dir
from jumo_orgs import catalogue, geo, text
from jumo_orgs.deps import deps_of
from jumo_orgs.schemas.search import OrgSearchQuery
from jumo_orgs.search import Search, criteria
from jumo_orgs.search_index import ROWS, month_of, month_row, org_rows, visibility
from jumo_orgs.search_store import NEWEST, MongoSearchStore, OrgQuery, Position
from jumo_orgs.settings import OrgsSettings
from jumo_orgs.store import INDEXES, OUTBOX_COLLECTIONS, mongo_stores

HERE = Path(__file__).resolve().parent
ORGS = 10_000  # --orgs changes it (a quick check of the script, not a measurement)

CITIES = (  # (city, country, lat, lng)
    ("Paris", "FR", 48.86, 2.35), ("Lyon", "FR", 45.76, 4.84), ("Marseille", "FR", 43.30, 5.37),
    ("Lille", "FR", 50.63, 3.06), ("Toulouse", "FR", 43.60, 1.44), ("London", "GB", 51.51, -0.13),
    ("Manchester", "GB", 53.48, -2.24), ("Glasgow", "GB", 55.86, -4.25),
    ("New York", "US", 40.71, -74.01), ("Chicago", "US", 41.88, -87.63),
    ("San Francisco", "US", 37.77, -122.42), ("Austin", "US", 30.27, -97.74),
    ("Berlin", "DE", 52.52, 13.40), ("Hamburg", "DE", 53.55, 9.99), ("Madrid", "ES", 40.42, -3.70),
    ("Barcelona", "ES", 41.39, 2.17), ("Sevilla", "ES", 37.39, -5.98), ("Roma", "IT", 41.90, 12.50),
    ("Milano", "IT", 45.46, 9.19), ("Bruxelles", "BE", 50.85, 4.35), ("Genève", "CH", 46.20, 6.15),
    ("Montréal", "CA", 45.50, -73.57), ("Toronto", "CA", 43.65, -79.38),
    ("Nairobi", "KE", -1.29, 36.82), ("Mombasa", "KE", -4.04, 39.67), ("Lagos", "NG", 6.52, 3.38),
    ("Dakar", "SN", 14.72, -17.47), ("Cape Town", "ZA", -33.92, 18.42),
    ("Mumbai", "IN", 19.08, 72.88), ("Bengaluru", "IN", 12.97, 77.59),
    ("Delhi", "IN", 28.61, 77.21),
    ("São Paulo", "BR", -23.55, -46.63), ("Recife", "BR", -8.05, -34.88),
    ("Ciudad de México", "MX", 19.43, -99.13), ("Bogotá", "CO", 4.71, -74.07),
    ("Tokyo", "JP", 35.68, 139.69), ("Sydney", "AU", -33.87, 151.21),
    ("Auckland", "NZ", -36.85, 174.76), ("Suva", "FJ", -18.14, 178.44),
    ("Labasa", "FJ", -16.43, 179.36),
)  # fmt: skip
TOPICS = {  # a top-level cause: (words of its names, what its missions say)
    "education": (["School", "Learning", "Literacy", "Tutors", "Éducation", "Escuela"],
                  "teaching children and adults to read, write and count"),
    "health": (["Health", "Care", "Médecins", "Clinic", "Salud", "Santé"],
               "bringing care, prevention and first aid to those far from a doctor"),
    "environment": (["Green", "Climate", "Forest", "Rivers", "Planète", "Verde"],
                    "protecting forests, rivers and the climate we share"),
    "human-rights": (["Rights", "Justice", "Liberté", "Dignity", "Derechos"],
                     "defending dignity, free speech and access to justice"),
    "poverty-hunger": (["Food", "Bank", "Solidarité", "Pan", "Harvest"],
                       "feeding families and fighting poverty every day"),
    "disaster-relief": (["Relief", "Rescue", "Secours", "Emergency"],
                        "helping communities recover after floods, fires and earthquakes"),
    "animals": (["Animal", "Paws", "Refuge", "Wildlife", "Animaux"],
                "sheltering animals and protecting wildlife"),
    "arts-culture": (["Arts", "Music", "Théâtre", "Culture", "Cine"],
                     "opening music, theatre and the arts to everyone"),
    "community": (["Neighbours", "Community", "Quartier", "Barrio", "Together"],
                  "bringing neighbours together around gardens, sport and shared meals"),
    "refugees-migrants": (["Welcome", "Refugees", "Accueil", "Migrants", "Bienvenue"],
                          "welcoming refugees and migrants, with language classes and housing"),
    "elderly": (["Elders", "Aînés", "Mayores", "Silver", "Companions"],
                "keeping older people company and independent at home"),
    "children-youth": (["Youth", "Kids", "Jeunesse", "Niños", "Future"],
                       "giving children and young people a safe place to grow"),
}  # fmt: skip
FORMS = ("{a} {b}", "{a} for All", "{a} Sans Frontières", "Friends of {a}", "{a} {city}",
         "Association {a} {b}", "{a} Network", "Fundación {a}")  # fmt: skip
SENTENCES = (  # two of them close each description: words many organizations share
    "Founded by volunteers in a kitchen, we now run projects in three districts.",
    "We work with local partners, town halls and families.",
    "Every month we train new volunteers and thank our donors.",
    "Our members meet on Saturdays; anyone can join.",
    "Donations, skills and time all help, whatever their size.",
    "We publish our accounts every year and answer every question.",
    "Since our first project we have grown with the help of our neighbours.",
    "We rely on a small paid team and many volunteers.",
    "Nous accueillons les bénévoles de tous âges.",
    "Buscamos voluntarios con ganas de ayudar.",
)


def _topic(cause: str) -> tuple[list[str], str]:
    parent = catalogue.cause(cause)
    top = parent.parent if parent and parent.parent else cause
    return TOPICS.get(top, TOPICS["community"])


def organization(rng: random.Random, n: int, start: datetime) -> Document:
    """One organization as the organizations area stores it, with its search keywords."""
    causes = rng.sample([c.slug for c in catalogue.CAUSES], rng.randint(1, 3))
    words, mission = _topic(causes[0])
    city, country, lat, lng = rng.choice(CITIES)
    a, b = rng.sample(words + _topic(causes[-1])[0], 2)
    name = rng.choice(FORMS).format(a=a, b=b, city=city)
    details = ", ".join(catalogue.BY_SLUG[c].description.rstrip(".").lower() for c in causes)
    description = f"In {city}, {mission}: {details}. " + " ".join(rng.sample(SENTENCES, 2))
    hq = {"city": city, "country": country, "lat": geo.rounded(lat + rng.uniform(-0.15, 0.15)),
          "lng": geo.rounded(lng + rng.uniform(-0.15, 0.15))}  # fmt: skip
    terms = text.words(" ".join((name, mission, description, city)))
    status = rng.choices(("verified", "pending", "draft"), (85, 10, 5))[0]
    return {
        "_id": uuid.UUID(int=rng.getrandbits(128)).hex, "slug": f"{text.slugify(name)}-{n}",
        "name": name, "mission": mission.capitalize() + ".", "description": description,
        "hq": hq, "causes": causes, "status": status, "hidden": rng.random() < 0.01,
        "owners": [], "created_at": start + timedelta(minutes=n * 150), "version": 1,
        "terms": terms, "prefixes": text.prefixes(terms),
    }  # fmt: skip


# ---- the query mix ------------------------------------------------------------------------------

MIX: dict[str, list[dict[str, Any]]] = {
    "text: whole words": [{"q": "education"}, {"q": "refugees"}, {"q": "food bank"},
                          {"q": "médecins"}],
    "text: prefixes (typing)": [{"q": "educ"}, {"q": "clim"}, {"q": "refu"}, {"q": "sol"}],
    "cause: a parent (one query per child)": [{"cause": "education"}, {"cause": "health"},
                                              {"cause": "animals"}],
    "cause: a child (one equality)": [{"cause": "literacy"}, {"cause": "mental-health"},
                                      {"cause": "clean-water"}],
    "near + 25 km": [{"near": "48.86,2.35"}, {"near": "-1.29,36.82"},
                     {"near": "40.71,-74.01"}, {"near": "-17.0,179.9", "radius_km": 200}],
    "combined: q + cause + near": [
        {"q": "school", "cause": "education", "near": "45.76,4.84", "radius_km": 50},
        {"q": "care", "cause": "health", "near": "51.51,-0.13"},
        {"q": "forest", "near": "52.52,13.40", "radius_km": 100},
        {"q": "welcome refugees", "cause": "refugees-migrants"},
    ],
    "newest, no filter": [{}],
}  # fmt: skip
MAIN_QUERY: dict[str, Any] = {
    "q": "school",
    "cause": "education",
    "near": "45.76,4.84",
    "radius_km": 50,
}


# ---- the store before search's index (commit 5f926f5), to measure beside it ---------------------

BEFORE_INDEXES = tuple(
    IndexSpec("orgs", keys) for keys in (
        (("prefixes", ASCENDING),), (("terms", ASCENDING),), (("causes", ASCENDING),),
        (("hq.lat", ASCENDING), ("hq.lng", ASCENDING)),
        (("status", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)),
    )
)  # fmt: skip
BEFORE_FIELDS = dict.fromkeys(("_id", "name", "slug", "mission", "terms", "causes", "hq",
                               "status", "hidden", "created_at"), 1)  # fmt: skip


def before_filter(query: OrgQuery, after: Position | None) -> Document:
    """The filter of commit 5f926f5: the longest word and the status as top-level equalities
    (FerretDB pushes those down), everything else inside ``$and``."""
    top: Document = {"hidden": {"$ne": True}} | ({"status": "verified"} if query.verified_only
                                                 else {})  # fmt: skip
    rest: list[Document] = []
    pairs = [("prefixes", p) for p in query.prefixes] + [("terms", t) for t in query.terms]
    for name, value in sorted(pairs, key=lambda pair: -len(pair[1])):
        (rest.append({name: value}) if name in top else top.__setitem__(name, value))
    if len(query.causes) == 1:
        top["causes"] = query.causes[0]
    elif query.causes:
        rest.append({"causes": {"$in": list(query.causes)}})
    if (box := query.box) is not None:
        rest.append({"hq.lat": {"$gte": box.min_lat, "$lte": box.max_lat}})
        if box.lng_wraps:
            rest.append({"$or": [{"hq.lng": {"$gte": box.min_lng}},
                                 {"hq.lng": {"$lte": box.max_lng}}]})  # fmt: skip
        elif box.max_lng - box.min_lng < 360:
            rest.append({"hq.lng": {"$gte": box.min_lng, "$lte": box.max_lng}})
    if after is not None:
        rest.append(after_filter(NEWEST, list(after)))
    return top | ({"$and": rest} if rest else {})


@dataclass
class BeforeStore:
    """The search store of commit 5f926f5 on FerretDB's PostgreSQL (one query per cause)."""

    db: Database

    async def newest(
        self, query: OrgQuery, *, after: Position | None, limit: int
    ) -> list[Document]:
        """As it was: one query, or one per cause for several causes without words."""
        parts = [query]
        if len(query.causes) > 1 and not (query.prefixes or query.terms):
            parts = [replace(query, causes=(cause,)) for cause in query.causes]
        found = await asyncio.gather(*(self._find(p, after, limit) for p in parts))
        merged = {doc["_id"]: doc for docs in found for doc in docs}
        key = lambda d: (d["created_at"], d["_id"])  # noqa: E731
        return sorted(merged.values(), key=key, reverse=True)[:limit]

    async def _find(self, query: OrgQuery, after: Position | None, limit: int) -> list[Document]:
        found = self.db["orgs"].find(before_filter(query, after), BEFORE_FIELDS)
        return await found.sort(list(NEWEST)).limit(limit).to_list(length=limit)

    async def repair(self) -> int:
        """Nothing to repair: it read the organizations."""
        return 0


# ---- measuring ----------------------------------------------------------------------------------


class Store(Protocol):
    async def newest(
        self, query: OrgQuery, *, after: Position | None, limit: int
    ) -> list[Document]: ...

    async def repair(self) -> int: ...


@dataclass
class TimedStore:
    """A search store, timing each fetch and counting what it returns."""

    store: Store
    seconds: float = 0.0
    fetched: int = 0

    async def newest(
        self, query: OrgQuery, *, after: Position | None, limit: int
    ) -> list[Document]:
        """The store's ``newest``, timed."""
        started = time.perf_counter()
        found = await self.store.newest(query, after=after, limit=limit)
        self.seconds += time.perf_counter() - started
        self.fetched += len(found)
        return found

    async def repair(self) -> int:
        """The store's ``repair``."""
        return await self.store.repair()


@dataclass
class Samples:
    """The samples of one kind of query in one run."""

    total: list[float] = field(default_factory=list)
    fetch: list[float] = field(default_factory=list)
    fetched: list[int] = field(default_factory=list)
    results: list[int] = field(default_factory=list)


def quantile(values: list[float], q: float) -> float:
    """The q-quantile (p50: the median), inclusive of the extremes for few samples."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


async def measure(search: Search, timed: TimedStore, repeats: int) -> dict[str, Samples]:
    """One run of the mix: every query ``repeats`` times."""
    runs: dict[str, Samples] = {}
    for kind, queries in MIX.items():
        samples = runs.setdefault(kind, Samples())
        for _ in range(repeats):
            for params in queries:
                timed.seconds, timed.fetched = 0.0, 0
                started = time.perf_counter()
                page = await search.search(OrgSearchQuery(**params), None)
                samples.total.append(time.perf_counter() - started)
                samples.fetch.append(timed.seconds)
                samples.fetched.append(timed.fetched)
                samples.results.append(len(page.items))
    return runs


def _series(samples: Samples, pick: str) -> list[float]:
    if pick == "scoring":
        return [t - f for t, f in zip(samples.total, samples.fetch, strict=True)]
    return samples.total if pick == "total" else samples.fetch


def summary(runs: list[dict[str, Samples]]) -> dict[str, dict[str, float]]:
    """Per kind: medians over runs of p50/p99 (ms) of the use case, its fetch and its scoring."""
    out: dict[str, dict[str, float]] = {}
    for kind in MIX:
        per_run = [run[kind] for run in runs]

        def figure(pick: str, q: float, per_run: list[Samples] = per_run) -> float:
            values = [quantile(_series(s, pick), q) for s in per_run]
            return round(statistics.median(values) * 1000, 1)

        out[kind] = {
            "use case p50 (ms)": figure("total", 0.5), "use case p99 (ms)": figure("total", 0.99),
            "store fetch p50 (ms)": figure("fetch", 0.5),
            "store fetch p99 (ms)": figure("fetch", 0.99),
            "scoring in code p50 (ms)": figure("scoring", 0.5),
            "candidates fetched (median)": statistics.median(per_run[0].fetched),
            "results on the page (median)": statistics.median(per_run[0].results),
        }  # fmt: skip
    return out


def ratios(before: dict[str, dict[str, float]], after: dict[str, dict[str, float]]) -> Document:
    """How many times faster, per kind (p50 and p99 of the use case)."""

    def times(kind: str, name: str) -> float:
        return round(before[kind][name] / max(after[kind][name], 0.1), 1)

    return {kind: {"p50 before/after": times(kind, "use case p50 (ms)"),
                   "p99 before/after": times(kind, "use case p99 (ms)")}
            for kind in after}  # fmt: skip


# ---- seeding ------------------------------------------------------------------------------------


def index_rows(docs: list[Document]) -> list[Document]:
    """Search's index of ``docs``: the rows ``search_sync`` writes, and each month's row."""
    months = {(vis, month_of(d["created_at"])) for d in docs if (vis := visibility(d))}
    return [month_row(vis, month) for vis, month in sorted(months)] + [
        row for doc in docs for row in org_rows(doc)
    ]


async def seed(db: Database, orgs: int, before: bool) -> tuple[dict[str, Any], list[Document]]:
    """The organizations and their index, in bulk; how long each took."""
    rng = random.Random(8)
    docs = [organization(rng, n, datetime(2023, 1, 1, tzinfo=UTC)) for n in range(orgs)]
    await ensure_indexes(db, INDEXES + (BEFORE_INDEXES if before else ()))
    started = time.perf_counter()
    await chunked_bulk_write(db["orgs"], [InsertOne(d) for d in docs], ordered=False)
    inserted, rows = time.perf_counter() - started, index_rows(docs)
    started = time.perf_counter()
    await chunked_bulk_write(db[ROWS], [InsertOne(r) for r in rows], ordered=False)
    indexed = time.perf_counter() - started
    size = statistics.mean(len(json.dumps(d, default=str)) for d in docs[:500])
    row_size = statistics.mean(len(json.dumps(r, default=str)) for r in rows[-2000:])
    return {
        "organizations inserted (s)": round(inserted, 1), "index rows": len(rows),
        "index rows inserted (s)": round(indexed, 1),
        "rows per organization": round(len(rows) / orgs, 1),
        "average organization (bytes of JSON)": round(size),
        "average row (bytes of JSON)": round(row_size),
    }, docs  # fmt: skip


# ---- the write side, projections, explain -------------------------------------------------------


async def measure_writes(db: Database, docs: list[Document], samples: int) -> Document:
    """An edit's rows (``sync`` after a changed mission: every row's payload changes), and a
    repair that finds nothing stale (it reads every organization)."""
    index, times = MongoSearchStore(db).index, []
    for doc in docs[:samples]:
        mission = f"{doc['mission']} And more."
        version = doc["version"] + 1
        terms = text.words(" ".join((doc["name"], mission, doc["description"], doc["hq"]["city"])))
        await db["orgs"].update_one({"_id": doc["_id"]}, {"$set": {
            "mission": mission, "version": version, "terms": terms,
            "prefixes": text.prefixes(terms)}})  # fmt: skip
        started = time.perf_counter()
        await index.sync(doc["_id"])
        times.append(time.perf_counter() - started)
    started = time.perf_counter()
    repaired = await index.repair()
    return {
        "rows of an edited organization p50 (ms)": round(quantile(times, 0.5) * 1000, 1),
        "p99 (ms)": round(quantile(times, 0.99) * 1000, 1),
        "repair finding nothing (s)": round(time.perf_counter() - started, 1),
        "repaired": repaired,
    }  # fmt: skip


async def measure_projection(db: Database) -> Document:
    """Does a projection make FerretDB decode less? The organizations holding ``educ``."""
    out = {}
    for label, projection in (("whole documents", None), ("search's fields", BEFORE_FIELDS),
                              ("_id only", {"_id": 1})):  # fmt: skip
        times = []
        for _ in range(5):
            started = time.perf_counter()
            await db["orgs"].find({"prefixes": "educ"}, projection).to_list()
            times.append(time.perf_counter() - started)
        out[f"{label} (ms)"] = round(statistics.median(times) * 1000, 1)
    return out


def explain_summary(plan: Document) -> dict[str, Any]:
    """What ``explain`` says of the main query: pushdowns, and the backend's plan."""
    keep = ("filterPushdown", "sortPushdown", "limitPushdown", "queryPlanner")
    return {k: plan[k] for k in keep if k in plan}


async def bench_store(
    url: str, label: str, runs: int, repeats: int, orgs: int, *, before: bool
) -> dict[str, Any]:
    """Seed a private database on ``url``, run the mix ``runs`` times, drop it."""
    client: AsyncMongoClient[Document] = AsyncMongoClient(url, tz_aware=True)
    name = f"bench_search_{secrets.token_hex(4)}"
    db, started = client[name], time.perf_counter()
    try:
        seeded, docs = await seed(db, orgs, before)
        print(f"{label}: seeded {seeded}", flush=True)
        gc.collect()
        gc.freeze()  # the seeded documents are the benchmark's, not a service's: GC skips them
        settings = OrgsSettings(mongo_url=url, amqp_url="amqp://unused.invalid/")
        deps = deps_of(settings, mongo_stores(db, Outbox(db, OUTBOX_COLLECTIONS)))
        stores = {"after": MongoSearchStore(db)} | ({"before": BeforeStore(db)} if before else {})
        timed = {k: TimedStore(store) for k, store in stores.items()}
        results: dict[str, list[dict[str, Samples]]] = {k: [] for k in stores}
        for run in range(runs):
            for kind, store in timed.items():
                deps.stores.search = store
                search = Search(deps)
                await search.search(OrgSearchQuery(q="warm up"), None)
                results[kind].append(await measure(search, store, repeats))
            print(f"{label}: run {run + 1}/{runs} done", flush=True)
        figures: dict[str, Any] = {"setup": seeded}
        figures |= {f"queries {kind}": summary(found) for kind, found in results.items()}
        if before:
            figures["before/after"] = ratios(figures["queries before"], figures["queries after"])
            figures["projection"] = await measure_projection(db)
        main = criteria(OrgSearchQuery(**MAIN_QUERY), moderator=False).store
        plan = await MongoSearchStore(db).explain(main)
        figures["explain of the main query's first read"] = {"query": MAIN_QUERY,
                                                            **explain_summary(plan)}  # fmt: skip
        figures["writes"] = await measure_writes(db, docs, 30)
        return figures | {"seconds": round(time.perf_counter() - started)}
    finally:
        await client.drop_database(name)
        await client.close()


@contextmanager
def private_postgresql() -> Iterator[str]:
    """A FerretDB on a PostgreSQL cluster of its own (GIN mirror on), stopped afterwards."""
    base = scratch_dir("jumo-bench-search-")
    node = FerretNode(base, free_port(), backend="postgresql")
    node.start(timeout=120)
    try:
        yield node.url
    finally:
        node.stop()
        shutil.rmtree(base, ignore_errors=True)


def _print(label: str, figures: dict[str, Any]) -> None:
    print(f"\n== {label}")
    for section in ("queries after", "queries before", "before/after"):
        for kind, row in figures.get(section, {}).items():
            print(f"{section}: {kind}: " + ", ".join(f"{k} {v}" for k, v in row.items()))
    for section in ("setup", "writes", "projection"):
        print(f"{section}: {figures.get(section)}")
    print("explain:", json.dumps(figures["explain of the main query's first read"],
                                 default=str)[:1500])  # fmt: skip


def _section(label: str, runs: int, repeats: int, orgs: int) -> dict[str, Any]:
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "organizations": orgs,
        "runs": runs, "repeats": repeats, "python": sys.version.split()[0],
        "load average at start": [round(x, 2) for x in os.getloadavg()], "label": label,
    }  # fmt: skip


async def main(
    runs: int, repeats: int, orgs: int, postgresql: bool, skip_running: bool, before: bool
) -> None:
    """Measure on the running stack's store (and on a private PostgreSQL one); save the JSON
    (a section per store: a run that measures one store keeps the other's section)."""
    url = os.environ.get("MONGO_URL", "mongodb://127.0.0.1:27017/")
    path = HERE / "orgs_search.json"
    saved: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    if not skip_running:
        section = _section(f"the running stack ({url})", runs, repeats, orgs)
        section |= await bench_store(url, "running stack", runs, repeats, orgs, before=before)
        saved["running stack"] = section
        _print(section["label"], section)
    if postgresql:
        section = _section("a private FerretDB on PostgreSQL, GIN mirror", runs, repeats, orgs)
        with private_postgresql() as pg_url:
            section |= await bench_store(pg_url, "PostgreSQL + GIN", runs, repeats, orgs,
                                         before=before)  # fmt: skip
        saved["private FerretDB on PostgreSQL, GIN mirror"] = section
        _print(section["label"], section)
    path.write_text(json.dumps(saved, indent=2, default=str) + "\n")
    print("\nsaved bench/orgs_search.json")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of the whole mix")
    parser.add_argument("--repeats", type=int, default=2, help="repeats of each query per run")
    parser.add_argument("--orgs", type=int, default=ORGS)
    parser.add_argument("--postgresql", action="store_true", help="also a private PostgreSQL")
    parser.add_argument("--only-postgresql", action="store_true", help="not the running stack")
    parser.add_argument("--no-before", action="store_true", help="only the index (no 'before')")
    args = parser.parse_args()
    postgresql = args.postgresql or args.only_postgresql
    asyncio.run(main(args.runs, args.repeats, args.orgs, postgresql, args.only_postgresql,
                     not args.no_before))  # fmt: skip
