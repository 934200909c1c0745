"""One suite over the MongoDB search store (over its index, as the organizations store writes it)
and its memory twin (memory_search.py, straight over the organizations): folded words and
prefixes, causes, the box (across the antimeridian and at a pole), visibility, the newest order
and its positions across months. Whatever it checks, both do alike, which entitles the use-case
tests to the memory store. The MongoDB store runs as the server says (one query per key on
FerretDB's PostgreSQL, ``$in`` elsewhere) and forced each way."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jumo_common.mongo import Document, ensure_indexes
from jumo_common.mongo.pushdown import Mode
from jumo_common.testing.memory import MemoryDocuments, PublishedEvents
from jumo_orgs import search_store
from jumo_orgs.geo import Box, box_around
from jumo_orgs.search_store import FIELDS, MongoSearchStore, OrgQuery, SearchStore
from jumo_orgs.search_sync import MongoSearchIndex

from .memory_search import MemorySearchStore
from .search_samples import org_doc


@dataclass
class Twin:
    """A search store and a way to put organizations where it reads them."""

    store: SearchStore
    db: Any = None
    memory: MemoryDocuments | None = None

    async def add(self, *docs: Document) -> list[str]:
        if self.memory is not None:
            self.memory.documents.update({d["_id"]: d for d in docs})
        else:
            await self.db["orgs"].insert_many([dict(d) for d in docs])
            index = MongoSearchIndex(self.db)
            for doc in docs:
                await index.sync(doc["_id"])
        return [d["_id"] for d in docs]

    async def ids(self, query: OrgQuery, limit: int = 100, **kwargs: Any) -> list[str]:
        found = await self.store.newest(query, after=kwargs.get("after"), limit=limit)
        return [d["_id"] for d in found]


MODES: dict[str, Mode | None] = {
    "mongo": None, "mongo-one-query-per-key": "equalities", "mongo-in": "indexes",
    "mongo-scan": "scan",
}  # fmt: skip


@pytest.fixture(params=[*MODES, "memory"])
async def twin(request: pytest.FixtureRequest, mongo_db: Any) -> AsyncIterator[Twin]:
    """MongoSearchStore on this test's database (asking the server how it answers filters, or
    told), or the memory twin."""
    if request.param == "memory":
        documents = MemoryDocuments(PublishedEvents())
        yield Twin(MemorySearchStore(documents), memory=documents)
        return
    await ensure_indexes(mongo_db, search_store.INDEXES)
    yield Twin(MongoSearchStore(mongo_db, mode=MODES[request.param]), db=mongo_db)


def words(*found: str) -> OrgQuery:
    return OrgQuery(prefixes=tuple(w for w in found if len(w) >= 3),
                    terms=tuple(w for w in found if len(w) < 3))  # fmt: skip


def as_set(ids: Sequence[str]) -> set[str]:
    return set(ids)


async def test_folded_words_and_their_prefixes(twin: Twin) -> None:
    msf, water = await twin.add(
        org_doc("Médecins Sans Frontières", city="Genève", country="CH"),
        org_doc("Water UK", description="Clean water in every school"),
    )
    assert await twin.ids(words("medecins")) == [msf]
    assert await twin.ids(words("fron")) == [msf]
    assert await twin.ids(words("geneve", "medec")) == [msf]  # every word, in any field
    assert await twin.ids(words("uk")) == [water]  # shorter than a prefix: a whole word
    assert await twin.ids(words("school", "clean")) == [water]
    assert await twin.ids(words("school", "medecins")) == []
    assert await twin.ids(words("Medecins")) == []  # the store matches folded words only


async def test_one_of_the_causes(twin: Twin) -> None:
    read, both, _green = await twin.add(
        org_doc("A", causes=["literacy"]),
        org_doc("B", causes=["education", "health"]),
        org_doc("C", causes=["urban-nature"]),
    )
    assert as_set(await twin.ids(OrgQuery(causes=("education", "literacy")))) == {read, both}
    assert await twin.ids(OrgQuery(causes=("health",))) == [both]
    assert await twin.ids(OrgQuery(causes=("literacy",), prefixes=("a",))) == []


async def test_several_causes_newest_first_from_a_position_on(twin: Twin) -> None:
    ids = await twin.add(*(org_doc(f"O{n}", causes=[("literacy", "tutoring", "health")[n % 3]])
                           for n in range(7)))  # fmt: skip
    wanted = OrgQuery(causes=("education", "literacy", "tutoring"))
    expected = [i for n, i in enumerate(ids) if n % 3 != 2][::-1]
    assert await twin.ids(wanted, limit=3) == expected[:3]
    found = await twin.store.newest(wanted, after=None, limit=3)
    after = (found[-1]["created_at"], found[-1]["_id"])
    assert await twin.ids(wanted, after=after) == expected[3:]


async def test_the_box_across_the_antimeridian_and_at_a_pole(twin: Twin) -> None:
    west, east, far, nowhere, pole = await twin.add(
        org_doc("W", lat=-16.85, lng=179.95),
        org_doc("E", lat=-16.85, lng=-179.8),
        org_doc("F", lat=-16.85, lng=178.0),
        org_doc("N", lat=None, lng=None),
        org_doc("P", lat=89.9, lng=-120.0),
    )
    across = box_around(-16.85, 179.99, 50)
    assert across.lng_wraps
    assert as_set(await twin.ids(OrgQuery(box=across))) == {west, east}
    assert await twin.ids(OrgQuery(box=Box(-17.0, -16.0, 177.5, 178.5))) == [far]
    assert await twin.ids(OrgQuery(box=box_around(89.95, 0.0, 50))) == [pole]
    assert nowhere in await twin.ids(OrgQuery())  # no box: with or without a point


async def test_only_visible_verified_ones_unless_told(twin: Twin) -> None:
    shown, pending = await twin.add(org_doc("S"), org_doc("P", status="pending"))
    await twin.add(org_doc("H", hidden=True), org_doc("HP", hidden=True, status="pending"))
    assert await twin.ids(OrgQuery()) == [shown]
    assert as_set(await twin.ids(OrgQuery(verified_only=False))) == {shown, pending}


async def test_newest_first_from_a_position_on(twin: Twin) -> None:
    ids = await twin.add(*(org_doc(f"Org {n}") for n in range(5)))
    newest = ids[::-1]
    assert await twin.ids(OrgQuery(), limit=2) == newest[:2]
    found = await twin.store.newest(OrgQuery(), after=None, limit=2)
    after = (found[-1]["created_at"], found[-1]["_id"])
    assert await twin.ids(OrgQuery(), after=after) == newest[2:]


async def test_ties_on_created_at_go_by_id(twin: Twin) -> None:
    first = org_doc("T1")
    same = [org_doc(f"T{n}", created_at=first["created_at"]) for n in range(2, 5)]
    ids = await twin.add(first, *same)
    ordered = sorted(ids, reverse=True)
    assert await twin.ids(OrgQuery()) == ordered
    found = await twin.store.newest(OrgQuery(), after=None, limit=2)
    after = (found[-1]["created_at"], found[-1]["_id"])
    assert await twin.ids(OrgQuery(), after=after) == ordered[2:]


async def test_only_the_fields_search_reads(twin: Twin) -> None:
    await twin.add(org_doc("Fields", description="Long text", mission="One line"))
    (found,) = await twin.store.newest(OrgQuery(), after=None, limit=5)
    assert set(found) <= set(FIELDS)
    assert "prefixes" not in found
    assert "description" not in found
    assert found["hq"]["city"] == "Lyon"
    (by_words,) = await twin.store.newest(words("fiel", "lon"), after=None, limit=5)
    assert {"fields", "long"} <= set(by_words["terms"])  # at least those the words need


async def test_words_beyond_their_first_three_letters(twin: Twin) -> None:
    edu, edam = await twin.add(org_doc("Education First"), org_doc("Edam Cheese Lovers"))
    assert await twin.ids(words("educ")) == [edu]
    assert await twin.ids(words("edam")) == [edam]
    assert as_set(await twin.ids(words("ed"))) == set()  # two letters: a whole word only
    assert await twin.ids(words("cheese", "edu")) == []


async def test_words_inside_a_small_box_and_a_large_one(twin: Twin) -> None:
    lyon, paris, _dirty = await twin.add(
        org_doc("Clean Water", lat=45.76, lng=4.84),
        org_doc("Clean Air", city="Paris", lat=48.86, lng=2.35),
        org_doc("Dirty Water", lat=45.77, lng=4.85),
    )
    clean = words("clean")
    assert await twin.ids(replace(clean, box=box_around(45.76, 4.84, 25))) == [lyon]
    wide = replace(clean, box=box_around(45.76, 4.84, 500))  # Paris is 392 km away
    assert as_set(await twin.ids(wide)) == {lyon, paris}


MONTHS = [datetime(2025, 12, 31, 23, 30, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC),
          datetime(2026, 3, 30, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)]  # fmt: skip


async def every_page(twin: Twin, query: OrgQuery, limit: int) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        found = await twin.store.newest(query, after=after, limit=limit)
        seen += [d["_id"] for d in found]
        if len(found) < limit:
            return seen
        after = (found[-1]["created_at"], found[-1]["_id"])


async def test_newest_pages_go_across_months(twin: Twin) -> None:
    docs = [
        org_doc(f"M{m}-{n}", created_at=start + timedelta(hours=n),
                status="pending" if n == 1 else "verified",
                causes=["literacy"] if n == 0 else ["health", "tutoring"] if n == 2 else ["health"])
        for m, start in enumerate(MONTHS) for n in range(3)
    ]  # fmt: skip
    await twin.add(*docs)
    newest = sorted(docs, key=lambda d: (d["created_at"], d["_id"]), reverse=True)
    verified = [d["_id"] for d in newest if d["status"] == "verified"]
    for limit in (1, 2, 5, 100):
        assert await every_page(twin, OrgQuery(), limit) == verified
    everyone = OrgQuery(verified_only=False)
    assert await every_page(twin, everyone, 3) == [d["_id"] for d in newest]
    literacy = [d["_id"] for d in newest if d["causes"] == ["literacy"]]
    assert await every_page(twin, OrgQuery(causes=("literacy",)), 2) == literacy
    family = OrgQuery(causes=("education", "literacy", "tutoring", "digital-skills",
                              "adult-learning", "school-access"))  # fmt: skip
    kin = [
        d["_id"] for d in newest
        if d["status"] == "verified" and {"literacy", "tutoring"} & set(d["causes"])
    ]  # fmt: skip
    assert await every_page(twin, family, 2) == kin


async def test_several_words_each_found_in_its_own_field(twin: Twin) -> None:
    both, _name_only = await twin.add(
        org_doc("Urban Gardens", description="Compost workshops"), org_doc("Urban Rivers"),
    )  # fmt: skip
    assert await twin.ids(words("compo", "urb")) == [both]
    assert await twin.ids(words("urban", "gardens", "workshops")) == [both]
    (found,) = await twin.store.newest(words("compost", "gard"), after=None, limit=5)
    assert {"compost", "gardens"} <= set(found["terms"])
