"""Search's use case on the memory stores: folding, prefixes, causes and their children, the box
refined by distance, the antimeridian, why each result matched, sorts and their cursors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest

from jumo_common.jwt import Principal
from jumo_common.mongo import Document, InvalidCursor
from jumo_orgs.deps import Deps
from jumo_orgs.errors import NotAllowed
from jumo_orgs.schemas.search import OrgHit, OrgSearchQuery, SearchPage
from jumo_orgs.search import Search, UnknownCause

from .memory import memory_deps
from .memory_orgs import MemoryOrgStore
from .search_samples import org_doc

MODERATOR = Principal("mod", "t1", 2_000_000_000, frozenset({"moderator"}))
SOMEONE = Principal("someone", "t2", 2_000_000_000)


@dataclass
class World:
    """Search over organizations put straight into the memory organization store."""

    deps: Deps
    orgs: MemoryOrgStore

    def add(self, *docs: Document) -> list[str]:
        for doc in docs:
            self.orgs.orgs.documents[doc["_id"]] = doc
        return [d["_id"] for d in docs]


@pytest.fixture
def world() -> World:
    deps, _ = memory_deps()
    assert isinstance(deps.stores.orgs, MemoryOrgStore)
    return World(deps, deps.stores.orgs)


async def find(
    world: World, caller: Principal | None = None, max_candidates: int = 1000, **query: Any
) -> SearchPage:
    search = Search(world.deps, max_candidates=max_candidates)
    return await search.search(OrgSearchQuery(**query), caller)


def names(page: SearchPage) -> list[str]:
    return [hit.name for hit in page.items]


def only(page: SearchPage) -> OrgHit:
    assert len(page.items) == 1, names(page)
    return page.items[0]


# ---- text ---------------------------------------------------------------------------------------


async def test_accents_and_case_do_not_matter(world: World) -> None:
    world.add(org_doc("Médecins du Monde", mission="Soins pour tous"), org_doc("Water for All"))
    for q in ("medecins", "MÉDECINS", "Medécins", "médecins monde"):
        hit = only(await find(world, q=q))
        assert hit.name == "Médecins du Monde"
        assert hit.why.words[0].fields == ["name"]
        assert hit.why.words[0].exact


async def test_the_beginning_of_a_word_is_enough(world: World) -> None:
    world.add(org_doc("Education First"), org_doc("Edam Cheese Lovers"))
    typing = only(await find(world, q="educ"))
    assert typing.name == "Education First"
    assert (typing.why.words[0].word, typing.why.words[0].exact) == ("educ", False)
    assert only(await find(world, q="education")).why.words[0].exact
    assert names(await find(world, q="ed")) == []  # two letters: whole words only


async def test_every_word_must_match_somewhere(world: World) -> None:
    world.add(
        org_doc("Clean Water", city="Lyon"),
        org_doc("Clean Water", city="Paris"),
        org_doc("Reading Club", description="Clean books, clear minds", city="Lyon"),
    )
    hits = (await find(world, q="clean lyon")).items
    assert sorted((h.name, h.city) for h in hits) == [
        ("Clean Water", "Lyon"),
        ("Reading Club", "Lyon"),
    ]
    reading = next(h for h in hits if h.name == "Reading Club")
    assert [(w.word, w.fields) for w in reading.why.words] == [
        ("clean", ["description"]), ("lyon", ["city"]),
    ]  # fmt: skip


async def test_a_long_word_must_match_beyond_the_stored_prefixes(world: World) -> None:
    world.add(org_doc("Internationalization Lab"))  # prefixes stop at 12 letters: "internationa"
    assert names(await find(world, q="internationalisation")) == []
    assert names(await find(world, q="internationaliz")) == ["Internationalization Lab"]


async def test_a_query_of_stop_words_matches_nothing(world: World) -> None:
    world.add(org_doc("The Food Bank"))
    assert names(await find(world, q="the and of")) == []
    assert names(await find(world, q="the food")) == ["The Food Bank"]
    blank = await find(world, q="   ")  # no words at all: as if there were no q
    assert (names(blank), blank.sort) == (["The Food Bank"], "newest")


async def test_name_outranks_mission_outranks_description(world: World) -> None:
    world.add(
        org_doc("Helping Hands", description="We plant trees"),
        org_doc("Trees for Tomorrow"),
        org_doc("Green Lyon", mission="More trees in town"),
        org_doc("Tree Huggers"),  # "trees" is not a prefix of "tree": no match
    )
    page = await find(world, q="trees")
    assert names(page) == ["Trees for Tomorrow", "Green Lyon", "Helping Hands"]
    assert [h.score for h in page.items] == [16, 8, 4]
    assert page.sort == "relevance"


# ---- causes -------------------------------------------------------------------------------------


async def test_a_cause_matches_its_children(world: World) -> None:
    world.add(
        org_doc("Read Together", causes=["literacy"]),
        org_doc("Schools Now", causes=["education", "health"]),
        org_doc("Green Streets", causes=["urban-nature"]),
    )
    page = await find(world, cause="education")
    assert sorted(names(page)) == ["Read Together", "Schools Now"]
    why = {h.name: h.why.causes for h in page.items}
    assert why == {"Read Together": ["literacy"], "Schools Now": ["education"]}
    assert names(await find(world, cause="literacy")) == ["Read Together"]  # not the parent
    with pytest.raises(UnknownCause):
        await find(world, cause="no-such-cause")


# ---- distance -----------------------------------------------------------------------------------

LYON = "45.76,4.84"


async def test_the_box_is_refined_by_the_real_distance(world: World) -> None:
    world.add(
        org_doc("Centre", lat=45.76, lng=4.84),
        org_doc("Villeurbanne", lat=45.77, lng=4.88),
        org_doc("Corner", lat=45.96, lng=5.14),  # inside the 25 km box, 32 km away
        org_doc("Paris", lat=48.86, lng=2.35),
        org_doc("Nowhere", lat=None, lng=None),
    )
    page = await find(world, near=LYON)
    assert page.sort == "distance"
    assert names(page) == ["Centre", "Villeurbanne"]
    assert [h.why.distance_km for h in page.items] == [0.0, 3.3]
    assert "Corner" in names(await find(world, near=LYON, radius_km=35))


async def test_across_the_antimeridian(world: World) -> None:
    world.add(
        org_doc("Taveuni", lat=-16.85, lng=179.95),
        org_doc("East of the line", lat=-16.85, lng=-179.8),
        org_doc("Far west", lat=-16.85, lng=178.0),
        org_doc("Greenwich", lat=-16.85, lng=0.0),
    )
    page = await find(world, near="-16.85,179.99", radius_km=50)
    assert names(page) == ["Taveuni", "East of the line"]
    page = await find(world, near="-16.85,-179.85", radius_km=50)
    assert names(page) == ["East of the line", "Taveuni"]


async def test_near_a_pole_every_longitude_is_in_the_box(world: World) -> None:
    world.add(org_doc("Station", lat=89.9, lng=-120.0), org_doc("Other side", lat=89.9, lng=60.0))
    assert sorted(names(await find(world, near="89.95,0", radius_km=50))) == [
        "Other side", "Station",
    ]  # fmt: skip


# ---- who sees what ------------------------------------------------------------------------------


async def test_only_verified_visible_organizations_by_default(world: World) -> None:
    world.add(
        org_doc("Shown Water"),
        org_doc("Pending Water", status="pending"),
        org_doc("Hidden Water", hidden=True),
    )
    assert names(await find(world, q="water")) == ["Shown Water"]
    everyone = await find(world, MODERATOR, q="water", verified=False)
    assert sorted(names(everyone)) == ["Pending Water", "Shown Water"]
    assert {h.name: h.verified for h in everyone.items}["Pending Water"] is False
    with pytest.raises(NotAllowed):
        await find(world, SOMEONE, q="water", verified=False)
    with pytest.raises(NotAllowed):
        await find(world, None, verified=False)


# ---- sorts and cursors --------------------------------------------------------------------------


async def every_page(world: World, max_candidates: int = 1000, **query: Any) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        page = await find(world, max_candidates=max_candidates, cursor=cursor, **query)
        pages.append([h.id for h in page.items])
        cursor = page.next_cursor
        if cursor is None:
            return pages


def flat(pages: Iterable[list[str]]) -> list[str]:
    return [i for page in pages for i in page]


async def test_newest_pages_go_through_the_store(world: World) -> None:
    ids = world.add(*(org_doc(f"Food Bank {n}") for n in range(7)))
    pages = await every_page(world, q="food", sort="newest", limit=3)
    assert [len(p) for p in pages] == [3, 3, 1]
    assert flat(pages) == ids[::-1]
    assert flat(await every_page(world, sort="newest", limit=2)) == ids[::-1]  # no filter at all


async def test_relevance_pages_are_stable_with_ties_by_id(world: World) -> None:
    ids = world.add(
        *(org_doc(f"Garden {n}") for n in range(4)),
        *(org_doc(f"Club {n}", mission="A garden") for n in range(3)),
    )
    pages = await every_page(world, q="garden", limit=2)
    assert [len(p) for p in pages] == [2, 2, 2, 1]
    assert flat(pages) == sorted(ids[:4]) + sorted(ids[4:])


async def test_distance_pages_are_nearest_first(world: World) -> None:
    ids = world.add(
        *(org_doc(f"Shelter {n}", lat=round(45.76 + n / 100, 2), lng=4.84) for n in range(5))
    )
    twin = world.add(org_doc("Shelter twin", lat=45.77, lng=4.84))  # as far as Shelter 1
    pages = await every_page(world, near=LYON, limit=2)
    expected = [ids[0], *sorted([ids[1], twin[0]]), *ids[2:]]
    assert flat(pages) == expected


async def test_a_cursor_of_another_sort_is_refused(world: World) -> None:
    world.add(*(org_doc(f"Music {n}") for n in range(3)))
    page = await find(world, q="music", limit=1)
    assert page.next_cursor is not None
    with pytest.raises(InvalidCursor):
        await find(world, q="music", sort="newest", cursor=page.next_cursor)
    with pytest.raises(InvalidCursor):
        await find(world, near=LYON, cursor=page.next_cursor)


async def test_too_many_candidates_are_capped_and_said_so(world: World) -> None:
    ids = world.add(*(org_doc(f"Sport {n}") for n in range(5)))
    ranked = await find(world, max_candidates=3, q="sport")
    assert ranked.capped
    assert sorted(h.id for h in ranked.items) == sorted(ids[2:])  # the newest 3
    assert not (await find(world, max_candidates=5, q="sport")).capped
    # newest goes on through the store: short pages, never a lost one
    pages = await every_page(world, max_candidates=2, sort="newest", q="sport", limit=3)
    assert flat(pages) == ids[::-1]
