"""One suite over matching's MongoDB stores and their memory twins (memory_matching.py): the
index of findable people (found by the cells of their reach, their skills, their interests;
gone when no longer findable or deleted; in step with the last profile after concurrent
changes) and the invitations (one per opportunity and volunteer, lists, erasure)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest

from jumo_common.change import Change
from jumo_common.mongo import WRITE_CLAIMS, Document, ensure_indexes
from jumo_common.outbox import Outbox
from jumo_common.testing.memory import PublishedEvents
from jumo_orgs import candidate_store, opportunity_invitations_store, people_store
from jumo_orgs.candidate_store import CandidateStore, MongoCandidateStore
from jumo_orgs.opportunity_invitations_store import (
    InvitationStore,
    MongoInvitationStore,
    invitation_id,
)
from jumo_orgs.opportunity_search_index import point_cells
from jumo_orgs.people_store import MongoPeopleStore, PeopleStore

from .community import NOW
from .memory_matching import MemoryCandidateStore, MemoryInvitationStore
from .memory_people import MemoryPeopleStore

LYON = (45.76, 4.83)
VIENNE = (45.5253, 4.8744)  # 26 km south


@pytest.fixture(params=["mongo", "memory"])
async def pair(
    request: pytest.FixtureRequest, mongo_db: Any
) -> AsyncIterator[tuple[PeopleStore, CandidateStore]]:
    """The people store and the candidate index over it."""
    if request.param == "memory":
        people = MemoryPeopleStore(PublishedEvents())
        yield people, MemoryCandidateStore(people)
        return
    await ensure_indexes(mongo_db, (*people_store.INDEXES, *candidate_store.INDEXES))
    outbox = Outbox(mongo_db, ())
    yield MongoPeopleStore(mongo_db, outbox, mongo_db[WRITE_CLAIMS]), MongoCandidateStore(mongo_db)


@pytest.fixture(params=["mongo", "memory"])
async def invitations(
    request: pytest.FixtureRequest, mongo_db: Any
) -> AsyncIterator[InvitationStore]:
    """MongoInvitationStore on this test's database, or the memory twin."""
    if request.param == "memory":
        yield MemoryInvitationStore(PublishedEvents())
        return
    await ensure_indexes(mongo_db, opportunity_invitations_store.INDEXES)
    outbox = Outbox(mongo_db, opportunity_invitations_store.OUTBOX_COLLECTIONS)
    yield MongoInvitationStore(mongo_db, outbox, mongo_db[WRITE_CLAIMS])


async def _profile(pair: tuple[PeopleStore, CandidateStore], user_id: str, **fields: Any) -> None:
    people, index = pair
    base = {"display_name": user_id, "findable": True, "radius_km": 25, "skills": [],
            "interests": [], "place": {"city": "Lyon", "lat": LYON[0], "lng": LYON[1]}}  # fmt: skip
    await people.change_person(user_id, lambda d: Change(set=base | fields))
    await index.sync(user_id)


def _ids(found: list[dict[str, Any]]) -> list[str]:
    return [p["_id"] for p in found]


async def test_found_by_the_cells_of_their_reach_their_skills_and_interests(
    pair: tuple[PeopleStore, CandidateStore],
) -> None:
    _, index = pair
    await _profile(pair, "ann", skills=["Cuisine"], interests=["education"])
    await _profile(pair, "bo", radius_km=40)
    await _profile(pair, "cy", findable=False, skills=["cuisine"])
    assert _ids(await index.candidates(point_cells(*LYON))) == ["ann", "bo"]
    # the cells are a coarse first cut (the use case measures the distance): 26 km away, the
    # cells of bo's 40 km reach cover the point; 390 km away, nobody's
    assert "bo" in _ids(await index.candidates(point_cells(*VIENNE)))
    assert await index.candidates(point_cells(48.86, 2.35)) == []
    assert _ids(await index.candidates(["s:cuisine"])) == ["ann"]  # folded as opportunities'
    assert _ids(await index.candidates(["i:education", "s:cuisine"])) == ["ann"]
    [ann] = await index.candidates(["s:cuisine"])
    assert (ann["display_name"], ann["radius_km"], ann["skills"]) == ("ann", 25, ["cuisine"])


async def test_no_longer_findable_or_deleted_leaves_no_row(
    pair: tuple[PeopleStore, CandidateStore],
) -> None:
    people, index = pair
    await _profile(pair, "ann", skills=["cuisine"])
    await _profile(pair, "bo", skills=["cuisine"])
    await _profile(pair, "ann", findable=False, skills=["cuisine"])
    await people.change_person("bo", lambda d: Change(set={"deleted": True},
                                                      unset=frozenset({"findable"})))  # fmt: skip
    await index.sync("bo")
    assert await index.candidates(["s:cuisine", *point_cells(*LYON)]) == []
    await _profile(pair, "cy", skills=["cuisine"])
    await index.forget("cy")
    assert await index.candidates(["s:cuisine"]) == []


async def test_rows_follow_the_last_profile_after_concurrent_changes(
    pair: tuple[PeopleStore, CandidateStore],
) -> None:
    people, index = pair
    await _profile(pair, "ann", skills=["s0"])

    syncs = []
    for n in range(1, 11):  # each change's sync runs while the next changes come in
        await people.change_person("ann", _skills(f"s{n}"))
        syncs.append(asyncio.ensure_future(index.sync("ann")))
    await asyncio.gather(*syncs)
    last = (await people.person("ann") or {})["skills"][0]
    keys = [f"s:s{n}" for n in range(11)]
    [found] = await index.candidates(keys)
    assert found["skills"] == [last]
    assert [k for k in keys if await index.candidates([k])] == [f"s:{last}"]


def _skills(skill: str) -> Callable[[Document | None], Change]:
    return lambda doc: Change(set={"skills": [skill]})


def _invitation(opp: str, volunteer: str, minutes: int = 0, **extra: Any) -> Document:
    return {"_id": invitation_id(opp, volunteer), "opportunity_id": opp, "org_id": "org1",
            "volunteer_id": volunteer, "invited_by": "olga", "status": "pending",
            "created_at": NOW + timedelta(minutes=minutes), **extra}  # fmt: skip


def _touch(doc: Document) -> Change:
    return Change(set={"seen": True})


async def test_one_invitation_per_opportunity_and_volunteer(invitations: InvitationStore) -> None:
    results = await asyncio.gather(
        *(invitations.create(_invitation("o1", "ann"), _touch) for _ in range(10))
    )
    assert sorted(results) == [False] * 9 + [True]
    found = await invitations.invitation(invitation_id("o1", "ann"))
    assert found is not None
    assert found["seen"] is True
    written = await invitations.change(found["_id"], lambda d: Change(set={"status": "declined"}))
    assert written is not None
    assert written.after()["status"] == "declined"
    assert await invitations.change(uuid.uuid4().hex, _touch) is None


async def test_lists_newest_first_and_erasure(invitations: InvitationStore) -> None:
    for opp, who, minutes in (("o1", "ann", 1), ("o2", "ann", 2), ("o1", "bo", 3)):
        assert await invitations.create(_invitation(opp, who, minutes), _touch)
    assert [d["opportunity_id"] for d in await invitations.of_volunteer("ann")] == ["o2", "o1"]
    assert [d["volunteer_id"] for d in await invitations.of_opportunity("o1")] == ["bo", "ann"]
    await invitations.forget("ann")
    assert await invitations.of_volunteer("ann") == []
    await invitations.forget("olga")  # the inviter: the invitation stays, naming nobody
    [left] = await invitations.of_opportunity("o1")
    assert (left["volunteer_id"], left["invited_by"]) == ("bo", None)
