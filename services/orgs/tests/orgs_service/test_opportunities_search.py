"""Opportunity search on the memory stores: words (folded, prefixes), causes and their
children, skills, distance, remote, dates, the caller's availability, only open ones of
visible organizations, the sorts and their cursors. ``test_opportunities_search_contract.py``
runs the store part over MongoDB too."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from jumo_common.events import make_event
from jumo_common.events.identity import Availability, UserRegistered, UserUpdated
from jumo_common.mongo import InvalidCursor
from jumo_common.web import validate
from jumo_orgs.errors import NotAllowed
from jumo_orgs.opportunity_availability import pattern_parts, slot_parts
from jumo_orgs.opportunity_search import InvalidSkill
from jumo_orgs.schemas.opportunity_search import OpportunitySearchPage, OpportunitySearchQuery
from jumo_orgs.search import UnknownCause

from .community import NOW, principal
from .opportunities_samples import OppWorld, draft, one_off_body, ongoing_body, recurring_body

PARIS = {"city": "Paris", "country": "FR", "lat": 48.8566, "lng": 2.3522}


@pytest.fixture
async def world() -> OppWorld:
    return OppWorld.make()


async def _published(world: OppWorld, org: Any, body: dict[str, Any]) -> str:
    editor = await world.member(org)
    made = await world.opportunities.create(
        org["_id"], editor, draft(body | {"publish": True}), NOW
    )
    return made.id


async def _search(world: OppWorld, who: Any = None, **params: Any) -> OpportunitySearchPage:
    query = validate(OpportunitySearchQuery, {k.rstrip("_"): v for k, v in params.items()})
    return await world.opportunities.search.search(query, who, NOW)


def ids(page: OpportunitySearchPage) -> list[str]:
    return [h.id for h in page.items]


async def test_words_are_folded_prefixes_of_title_skills_organization_or_city(
    world: OppWorld,
) -> None:
    org = await world.org("banque-alimentaire", name="Banque Alimentaire")
    sorting = await _published(world, org, one_off_body(title="Tri des colis équitables"))
    other = await _published(world, org, one_off_body(title="Accueil", skills_wanted=["Écoute"]))
    assert ids(await _search(world, q="EQUITABLE")) == [sorting]
    assert ids(await _search(world, q="equi colis")) == [sorting]
    assert ids(await _search(world, q="ecoute")) == [other]
    assert set(ids(await _search(world, q="banque lyon"))) == {sorting, other}
    page = await _search(world, q="tri")
    assert ids(page) == [sorting]
    [word] = page.items[0].why.words
    assert (word.fields, word.exact, page.items[0].score) == (["title"], True, 16)
    assert ids(await _search(world, q="the of")) == []  # stop words only: nothing


async def test_causes_match_their_children_and_skills_any_of_them(world: OppWorld) -> None:
    org = await world.org()
    reading = await _published(world, org, one_off_body(causes=["literacy"]))
    water = await _published(
        world, org, one_off_body(causes=["clean-water"], skills_wanted=["Plomberie"])
    )
    assert ids(await _search(world, cause="education")) == [reading]
    assert ids(await _search(world, cause="literacy")) == [reading]
    assert ids(await _search(world, skills="plomberie,jardinage")) == [water]
    assert (await _search(world, skills="Plomberie")).items[0].why.skills == ["plomberie"]
    with pytest.raises(UnknownCause):
        await _search(world, cause="astrology")
    with pytest.raises(InvalidSkill):
        await _search(world, skills="ok,not ok!")


async def test_near_keeps_the_circle_and_sorts_by_distance(world: OppWorld) -> None:
    org = await world.org()
    lyon = await _published(world, org, one_off_body())
    paris = await _published(world, org, one_off_body(place=PARIS))
    remote = await _published(world, org, ongoing_body())
    page = await _search(world, near="45.75,4.85")
    assert (ids(page), page.sort) == ([lyon], "distance")
    assert (page.items[0].why.distance_km or 99) < 2
    wide = await _search(world, near="45.75,4.85", radius_km=500)
    assert ids(wide) == [lyon, paris]
    assert ids(await _search(world, remote=True)) == [remote]
    assert set(ids(await _search(world, remote=False))) == {lyon, paris}


async def test_dates_and_soonest(world: OppWorld) -> None:
    org = await world.org()
    soon = await _published(world, org, one_off_body())  # three days on
    later = await _published(world, org, recurring_body())  # a week on
    always = await _published(world, org, ongoing_body())
    assert ids(await _search(world)) == [soon, later, always]  # soonest by default
    window = {"from_": (NOW + timedelta(days=10)).isoformat(),
              "to": (NOW + timedelta(days=12)).isoformat()}  # fmt: skip
    assert set(ids(await _search(world, **window))) == {later, always}
    page = await _search(world, sort="newest")
    assert len(page.items) == 3


async def test_available_me_keeps_what_fits_the_callers_parts(world: OppWorld) -> None:
    org = await world.org()
    weekend_mornings = await _published(world, org, recurring_body())  # sat, sun 09-12
    always = await _published(world, org, ongoing_body())
    ann = principal()
    people = world.deps.people
    await people.on_registered(make_event(UserRegistered(user_id=ann.user_id, display_name="A"),
                                          producer="identity"))  # fmt: skip
    profile = UserUpdated(user_id=ann.user_id, display_name="A", version=2,
                          availability=Availability(parts=("weekend_mornings",)))  # fmt: skip
    await people.on_updated(make_event(profile, producer="identity"))
    page = await _search(world, ann, available="me")
    assert set(ids(page)) == {weekend_mornings, always}
    by_id = {h.id: h for h in page.items}
    assert by_id[weekend_mornings].why.fits == ["weekend_mornings"]
    profile = profile.model_copy(
        update={"version": 3, "availability": Availability(parts=("weekday_evenings",))}
    )
    await people.on_updated(make_event(profile, producer="identity"))
    assert ids(await _search(world, ann, available="me")) == [always]
    with pytest.raises(NotAllowed):
        await _search(world, None, available="me")


def test_the_parts_a_time_takes() -> None:
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    friday = NOW.replace(day=5, hour=15)  # 2026-06-05, a Friday, 17:00 in Paris
    assert slot_parts(friday, friday + timedelta(hours=3), paris) == {
        "weekday_afternoons", "weekday_evenings",
    }  # fmt: skip
    overnight = slot_parts(friday + timedelta(hours=5), friday + timedelta(hours=15), paris)
    assert overnight == {"weekday_evenings", "weekend_mornings"}
    assert pattern_parts(["mon", "sat"], "11:00", "13:00") == {
        "weekday_mornings", "weekday_afternoons", "weekend_mornings", "weekend_afternoons",
    }  # fmt: skip


async def test_only_open_opportunities_of_visible_organizations(world: OppWorld) -> None:
    org = await world.org()
    shown = await _published(world, org, one_off_body())
    editor = await world.member(org)
    drafted = await world.opportunities.create(org["_id"], editor, draft(one_off_body()), NOW)
    paused = await _published(world, org, one_off_body())
    await world.opportunities.pause(paused, editor, NOW)
    hidden_org = await world.org("hidden-later")
    hidden = await _published(world, hidden_org, one_off_body())
    store: Any = world.deps.stores.orgs
    store.orgs.documents[hidden_org["_id"]]["hidden"] = True
    found = ids(await _search(world))
    assert found == [shown]
    assert drafted.id not in found
    assert hidden not in found


async def test_pages_follow_their_cursor_in_every_sort(world: OppWorld) -> None:
    org = await world.org()
    made = []
    for i in range(7):
        body = one_off_body(title=f"Shift number {i}", place=PARIS if i % 2 else None,
                            remote=not i % 2)  # fmt: skip
        made.append(await _published(world, org, body))
    for sort in ("relevance", "soonest", "newest"):
        seen: list[str] = []
        cursor: str | None = None
        while True:
            extra: dict[str, str] = {"cursor": cursor} if cursor else {}
            page = await _search(world, q="shift", sort=sort, limit=3, **extra)
            seen += ids(page)
            if (cursor := page.next_cursor) is None:
                break
        assert sorted(seen) == sorted(made), sort
    with pytest.raises(InvalidCursor):
        await _search(world, cursor="bm90LWEtY3Vyc29y")
