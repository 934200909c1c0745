"""Search's store over MongoDB (the index rows, kept in step with each write) and the memory
twin: the same queries find the same opportunities, whichever way in a query reads."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from jumo_common.change import Change
from jumo_common.mongo import WRITE_CLAIMS, Document, ensure_indexes
from jumo_common.outbox import Outbox, WriteConflict
from jumo_common.testing.memory import MemoryDocuments, PublishedEvents
from jumo_orgs import geo, opportunity_store
from jumo_orgs.opportunity_model import Place
from jumo_orgs.opportunity_search_index import ROWS
from jumo_orgs.opportunity_search_store import OppQuery
from jumo_orgs.opportunity_store import MongoOpportunityStore, OpportunityStore

from .community import NOW, org_document
from .memory_opportunities import MemoryOpportunityStore
from .test_opportunities_store_contract import doc


@dataclass
class Setup:
    store: OpportunityStore
    add_org: Callable[[Document], Awaitable[None]]
    rows: Any  # the MongoDB rows collection (None in memory)


@pytest.fixture(params=["mongo", "memory"])
async def setup(request: pytest.FixtureRequest, mongo_db: Any) -> AsyncIterator[Setup]:
    if request.param == "memory":
        orgs = MemoryDocuments(PublishedEvents())

        async def add_memory(org: Document) -> None:
            await orgs.create(org)

        yield Setup(MemoryOpportunityStore(PublishedEvents(), orgs), add_memory, None)
        return
    await ensure_indexes(mongo_db, opportunity_store.INDEXES)
    outbox = Outbox(mongo_db, opportunity_store.OUTBOX_COLLECTIONS)

    async def add_mongo(org: Document) -> None:
        await mongo_db["orgs"].insert_one(org)

    store = MongoOpportunityStore(mongo_db, outbox, mongo_db[WRITE_CLAIMS])
    yield Setup(store, add_mongo, mongo_db[ROWS])


async def _world(setup: Setup) -> dict[str, str]:
    shown, hidden = org_document("food-bank"), org_document("gone", hidden=True)
    for org in (shown, hidden):
        await setup.add_org(org)
    paris = Place(city="Paris", country="FR", lat=48.86, lng=2.35)
    made = {
        "lyon": doc("lyon", org_id=shown["_id"], title="Sorting food"),
        "paris": doc("paris", org_id=shown["_id"], title="Sorting books", place=paris,
                     causes=("literacy",), skills_wanted=("reading",)),
        "remote": doc("remote", org_id=shown["_id"], title="Phone calls", place=None,
                      remote=True),
        "draft": doc("draft", org_id=shown["_id"], status="draft"),
        "hidden": doc("hidden", org_id=hidden["_id"]),
    }  # fmt: skip
    for name, opp in made.items():
        opp["published_at"] = NOW + timedelta(minutes=len(name))
        assert await setup.store.create_opportunity(opp, [])
    return {name: opp["_id"] for name, opp in made.items()}


async def _found(setup: Setup, query: OppQuery) -> set[str]:
    return {p["_id"] for p in await setup.store.candidates(query, limit=100, now=NOW)}


async def test_every_way_in_finds_the_same(setup: Setup) -> None:
    await _world(setup)
    assert await _found(setup, OppQuery()) == {"lyon", "paris", "remote"}
    assert await _found(setup, OppQuery(listing="newest")) == {"lyon", "paris", "remote"}
    assert await _found(setup, OppQuery(since="2026-07")) == set()  # their slots are in June
    assert await _found(setup, OppQuery(since="2026-05", until="2026-06")) == {
        "lyon", "paris", "remote",
    }  # fmt: skip
    assert await _found(setup, OppQuery(prefixes=("sor",))) == {"lyon", "paris"}
    assert await _found(setup, OppQuery(prefixes=("sort", "boo"))) == {"paris"}
    lyon_box = geo.box_around(45.76, 4.84, 10)
    assert await _found(setup, OppQuery(box=lyon_box)) == {"lyon"}
    assert await _found(setup, OppQuery(box=lyon_box, prefixes=("sor",))) == {"lyon"}
    assert await _found(setup, OppQuery(causes=("literacy",), cause_key="c:literacy")) == {"paris"}
    family = OppQuery(causes=("education", "literacy"), cause_key="c:^education")
    assert await _found(setup, family) == {"lyon", "paris", "remote"}
    assert await _found(setup, OppQuery(skills=("reading",))) == {"paris"}
    assert await _found(setup, OppQuery(remote=True)) == {"remote"}
    assert await _found(setup, OppQuery(remote=False)) == {"lyon", "paris"}


async def test_the_index_follows_each_write(setup: Setup) -> None:
    await _world(setup)
    await setup.store.change_opportunity("lyon", lambda d: Change(set={"title": "Packing"}))
    assert await _found(setup, OppQuery(prefixes=("sor",))) == {"paris"}
    assert await _found(setup, OppQuery(prefixes=("pack",))) == {"lyon"}
    await setup.store.change_opportunity("paris", lambda d: Change(set={"status": "closed"}))
    assert await _found(setup, OppQuery()) == {"lyon", "remote"}
    if setup.rows is not None:  # a closed one keeps its head row alone
        assert await setup.rows.count_documents({"o": "paris"}) == 1


async def test_repair_rewrites_what_a_crash_left(setup: Setup) -> None:
    await _world(setup)
    if setup.rows is None:
        assert await setup.store.repair() == 0
        return
    await setup.rows.delete_many({"o": "lyon"})  # as if the process died before the rows
    assert "lyon" not in await _found(setup, OppQuery())
    assert await setup.store.repair() == 1
    assert "lyon" in await _found(setup, OppQuery())
    assert await setup.store.repair() == 0


async def test_concurrent_edits_leave_the_rows_of_the_last_version(setup: Setup) -> None:
    await _world(setup)

    async def rename(i: int) -> None:
        with contextlib.suppress(WriteConflict):  # too many writers: this one gave up
            await setup.store.change_opportunity("lyon", lambda d: Change(set={"title": f"T{i}x"}))

    await asyncio.gather(*(rename(i) for i in range(12)))
    final = await setup.store.opportunity("lyon")
    assert final is not None
    [found] = [p for p in await setup.store.candidates(OppQuery(), limit=100, now=NOW)
               if p["_id"] == "lyon"]  # fmt: skip
    assert found["title"] == final["title"]
    if setup.rows is not None:  # one version's rows, and its head
        rows = await setup.rows.find({"o": "lyon"}).to_list()
        digests = {r["_id"].rsplit("/", 1)[-1] for r in rows if r["k"] != "head"}
        assert len(digests) == 1
        [head] = [r for r in rows if r["k"] == "head"]
        assert head["v"] == final["version"]
