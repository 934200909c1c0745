"""One suite over the MongoDB search store and its memory twin (memory_search.py): folded words
and prefixes, causes, the box (across the antimeridian and at a pole), visibility, the newest
order and its positions. Whatever it checks, both do alike, which entitles the use-case tests
to the memory store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from jumo_common.mongo import Document, ensure_indexes
from jumo_common.testing.memory import MemoryDocuments, PublishedEvents
from jumo_orgs import search_store
from jumo_orgs.geo import Box, box_around
from jumo_orgs.search_store import FIELDS, MongoSearchStore, OrgQuery, SearchStore

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
        return [d["_id"] for d in docs]

    async def ids(self, query: OrgQuery, limit: int = 100, **kwargs: Any) -> list[str]:
        found = await self.store.newest(query, after=kwargs.get("after"), limit=limit)
        return [d["_id"] for d in found]


@pytest.fixture(params=["mongo", "mongo-one-query-per-cause", "memory"])
async def twin(request: pytest.FixtureRequest, mongo_db: Any) -> AsyncIterator[Twin]:
    """MongoSearchStore on this test's database (asking the server whether one query per cause
    pays, or told it does), or the memory twin."""
    if request.param == "memory":
        documents = MemoryDocuments(PublishedEvents())
        yield Twin(MemorySearchStore(documents), memory=documents)
        return
    await ensure_indexes(mongo_db, search_store.INDEXES)
    fan_out = True if request.param == "mongo-one-query-per-cause" else None
    yield Twin(MongoSearchStore(mongo_db, fan_out=fan_out), db=mongo_db)


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
    assert found["terms"]
