"""Matching on the memory stores: each term of the score moves the rank and its sentence says
so; the radius bounds what is recommended; the cursor pages; the organization's side lists
findable people only, ranked alike, never beyond their visibility."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from jumo_common.mongo import InvalidCursor
from jumo_orgs.schemas.matching import RecommendedOpportunity, RecommendedPage

from .community import NOW
from .matching_world import MatchWorld
from .opportunities_samples import LYON, one_off_body, ongoing_body, recurring_body

NEAR_LYON = {"city": "Lyon", "lat": 45.76, "lng": 4.83}
FAR = {"address": "x", "city": "Vienne", "country": "FR", "lat": 45.5253, "lng": 4.8744}  # 26 km
CLOSE = {"address": "x", "city": "Lyon", "country": "FR", "lat": 45.7600, "lng": 4.8310}
MIDDLE = {"address": "x", "city": "Lyon", "country": "FR", "lat": 45.7800, "lng": 4.8600}


@pytest.fixture
async def world() -> MatchWorld:
    return MatchWorld.make()


def ids(page: RecommendedPage) -> list[str]:
    return [item.id for item in page.items]


def term(item: RecommendedOpportunity, name: str) -> Any:
    found = [t for t in item.terms if t.name == name]
    return found[0] if found else None


def by_id(page: RecommendedPage) -> dict[str, RecommendedOpportunity]:
    return {item.id: item for item in page.items}


def plain(**fields: Any) -> dict[str, Any]:
    """A one-off opportunity near Lyon asking for no skill, in a cause nobody joined."""
    return one_off_body(skills_wanted=[], skills_required=[], causes=["animals"], questions=[],
                        place=dict(LYON)) | fields  # fmt: skip


async def test_skills_overlap_ranks_first_and_required_ones_weigh_more(world: MatchWorld) -> None:
    org = await world.opp.org()
    ann = await world.person(skills=["Manutention", "cuisine"], place=NEAR_LYON)
    required = await world.published(org, plain(skills_required=["manutention"]))
    wanted = await world.published(org, plain(skills_wanted=["manutention", "jardinage"]))
    none = await world.published(org, plain())
    page = await world.recommended(ann)
    assert ids(page) == [required, wanted, none]
    first = term(page.items[0], "skills")
    assert first.sentence == "matches 1 of your skills (1 required)"
    assert first.value == ["manutention"]
    assert term(page.items[1], "skills").sentence == "matches 1 of your skills"
    assert term(page.items[2], "skills") is None
    assert "matches 1 of your skills" in page.items[0].why


async def test_a_cause_joined_ranks_first_and_says_so(world: MatchWorld) -> None:
    org = await world.opp.org()
    ann = await world.person(place=NEAR_LYON)
    from jumo_orgs.causes import Causes

    await Causes(world.deps).set_membership(ann.user_id, "education", member=True, now=NOW)
    joined = await world.published(org, plain(causes=["education"]))
    other = await world.published(org, plain())
    page = await world.recommended(ann)
    assert ids(page) == [joined, other]
    assert term(page.items[0], "causes").sentence == "in a cause you joined: Education"


async def test_an_interest_counts_as_a_cause_cared_about(world: MatchWorld) -> None:
    org = await world.opp.org()
    ann = await world.person(place=NEAR_LYON, interests=["education"])
    cared = await world.published(org, plain(causes=["education"]))
    other = await world.published(org, plain())
    page = await world.recommended(ann)
    assert ids(page) == [cared, other]
    assert term(page.items[0], "causes").sentence == "in a cause you care about: Education"


async def test_an_organization_followed_ranks_first_and_says_so(world: MatchWorld) -> None:
    from jumo_orgs.following import Following

    followed_org, other_org = await world.opp.org("food-bank"), await world.opp.org("shelter")
    ann = await world.person(place=NEAR_LYON)
    await Following(world.deps).follow(ann, followed_org["_id"], {}, now=NOW)
    other = await world.published(other_org, plain())
    followed = await world.published(followed_org, plain())
    page = await world.recommended(ann)
    assert ids(page) == [followed, other]
    assert term(page.items[0], "followed").sentence == "from an organization you follow"


async def test_closer_ranks_first_and_beyond_the_radius_is_never_recommended(
    world: MatchWorld,
) -> None:
    org = await world.opp.org()
    ann = await world.person(place=NEAR_LYON, radius_km=25)
    close = await world.published(org, plain(place=CLOSE))
    middle = await world.published(org, plain(place=MIDDLE))
    far = await world.published(org, plain(place=FAR))
    page = await world.recommended(ann)
    assert ids(page) == [close, middle]
    assert term(page.items[0], "distance").sentence == "under 1 km"
    assert term(page.items[1], "distance").sentence == "3 km"
    await world.profile(ann, place=NEAR_LYON, radius_km=40)  # a wider radius reaches Vienne
    page = await world.recommended(ann)
    assert ids(page)[-1] == far
    assert term(page.items[-1], "distance").sentence == "26 km"


async def test_remote_is_within_everyone_reach_and_says_remote(world: MatchWorld) -> None:
    org = await world.opp.org()
    ann = await world.person(place={"city": "Lille", "lat": 50.63, "lng": 3.06},
                             skills=["cuisine"])  # fmt: skip
    remote = await world.published(org, ongoing_body(skills_wanted=["cuisine"]))
    lyon = await world.published(org, plain(skills_wanted=["cuisine"]))
    page = await world.recommended(ann)
    assert ids(page) == [remote]  # Lyon is far beyond 25 km of Lille
    assert term(page.items[0], "distance").sentence == "remote"
    assert lyon not in ids(page)


async def test_availability_fit_ranks_first_and_names_the_parts(world: MatchWorld) -> None:
    org = await world.opp.org()
    ann = await world.person(place=NEAR_LYON, availability={"parts": ["weekend_mornings"]})
    weekends = await world.published(
        org, recurring_body(skills_wanted=[], skills_required=[], causes=["animals"], questions=[])
    )
    weekday = await world.published(org, plain())  # a Thursday afternoon
    page = await world.recommended(ann)
    assert ids(page) == [weekends, weekday]
    assert term(page.items[0], "availability").sentence == "weekend mornings"
    assert term(page.items[1], "availability") is None


async def test_freshness_ranks_the_newer_first(world: MatchWorld) -> None:
    org = await world.opp.org()
    ann = await world.person(skills=["cuisine"])
    body = ongoing_body(skills_wanted=["cuisine"], skills_required=[], questions=[])
    old = await world.published(org, body, now=NOW - timedelta(days=20))
    new = await world.published(org, body, now=NOW - timedelta(hours=2))
    page = await world.recommended(ann)
    assert ids(page) == [new, old]
    assert term(page.items[0], "freshness").sentence == "published today"
    assert term(page.items[1], "freshness").sentence == "published 20 days ago"


async def test_a_responsive_organization_ranks_first_and_says_how_quick(
    world: MatchWorld,
) -> None:
    from jumo_orgs.schemas.applications import ApplicationDraft

    quick, silent = await world.opp.org("quick"), await world.opp.org("silent")
    owner = await world.opp.member(quick, "owner")
    answered = await world.published(quick, plain(place=CLOSE) | {"deadline": None})
    other = await world.published(silent, plain(place=CLOSE) | {"deadline": None})
    bob = await world.person("Bob")
    slot = (await world.opp.opportunities.get(answered)).slots[0].id  # type: ignore[union-attr]
    applied = await world.applications.apply(
        answered, bob, ApplicationDraft(slot_id=slot, meets_minimum_age=True), NOW
    )
    await world.applications.accept(applied.id, owner, NOW + timedelta(days=2))
    ann = await world.person(place=NEAR_LYON)
    page = await world.recommended(ann)
    assert ids(page) == [answered, other]
    assert term(page.items[0], "responsiveness").sentence == "answers applications in 2 days"
    assert term(page.items[1], "responsiveness") is None


async def test_the_total_is_the_sum_of_the_terms_and_the_cursor_pages(world: MatchWorld) -> None:
    org = await world.opp.org()
    ann = await world.person(place=NEAR_LYON, skills=["cuisine"])
    made = [await world.published(org, plain(skills_wanted=["cuisine"])) for _ in range(5)]
    first = await world.recommended(ann, limit=2)
    for item in first.items:
        assert item.score == pytest.approx(sum(t.points for t in item.terms))
        assert all(t.points == pytest.approx(t.weight * min(1.0, t.points / t.weight))
                   for t in item.terms)  # fmt: skip
    assert first.next_cursor is not None
    second = await world.recommended(ann, limit=2, cursor=first.next_cursor)
    third = await world.recommended(ann, limit=2, cursor=second.next_cursor)
    assert third.next_cursor is None
    assert sorted(ids(first) + ids(second) + ids(third)) == sorted(made)
    with pytest.raises(InvalidCursor):
        await world.recommended(ann, cursor="bm90LWEtY3Vyc29y")


async def test_someone_the_rules_know_nothing_of_still_gets_the_listing(world: MatchWorld) -> None:
    org = await world.opp.org()
    made = await world.published(org, plain())
    ann = await world.person()
    assert ids(await world.recommended(ann)) == [made]
