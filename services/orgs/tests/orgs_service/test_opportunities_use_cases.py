"""Opportunities on the memory stores: who writes them, what a draft, publishing and each
transition do, what the events carry, places, the auto-close sweep, erasure. No servers;
``test_opportunities_store_contract.py`` entitles these to the memory store."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from jumo_common.events.opportunities import (
    OpportunityClosed,
    OpportunityPublished,
    OpportunityUpdated,
)
from jumo_orgs.cards import card
from jumo_orgs.errors import Invalid, NotAllowed, OrgNotVerified
from jumo_orgs.news_plans import OrgIsHidden
from jumo_orgs.opportunity_model import Opportunity
from jumo_orgs.opportunity_plans import OpportunityNotFound, PlacesTaken, WrongState

from .community import NOW, principal
from .opportunities_samples import (
    OppWorld,
    draft,
    one_off_body,
    ongoing_body,
    patch,
    recurring_body,
)


@pytest.fixture
def world() -> OppWorld:
    return OppWorld.make()


class Taken:
    """A TakenPlaces of the test's choosing (the applications area's stand-in)."""

    def __init__(self) -> None:
        self.by_slot: dict[str, int] = {}

    async def taken(self, opportunity_id: str) -> dict[str, int]:
        return dict(self.by_slot)


async def test_an_editor_writes_a_draft_that_only_its_organization_sees(world: OppWorld) -> None:
    org = await world.org()
    editor = await world.member(org)
    made = await world.opportunities.create(org["slug"], editor, draft(one_off_body()), NOW)
    assert (made.status, made.org.org_id, made.places, made.remaining) == (
        "draft",
        org["_id"],
        5,
        5,
    )
    assert made.skills_wanted == ["cuisine", "premiers-secours"]
    assert made.place is not None
    assert (made.place.lat, made.place.lng) == (45.76, 4.83)
    assert [s.remaining for s in made.slots] == [2, 3]
    assert world.events == []  # a draft says nothing
    assert (await world.opportunities.opportunity(made.id, editor)).id == made.id
    for stranger in (None, principal()):
        with pytest.raises(OpportunityNotFound):
            await world.opportunities.opportunity(made.id, stranger)
    got = await world.opportunities.get(made.id)
    assert isinstance(got, Opportunity)
    assert (got.org_id, got.status, got.skills[0], got.slots[0].places) == (
        org["_id"], "draft", "manutention", 2,
    )  # fmt: skip


@pytest.mark.parametrize("role", ["editor", "admin", "owner"])
async def test_every_role_from_editor_up_publishes(world: OppWorld, role: str) -> None:
    org = await world.org()
    made = await world.opportunities.create(
        org["_id"], await world.member(org, role), draft(one_off_body(publish=True)), NOW
    )
    assert made.status == "open"


async def test_strangers_and_other_organizations_people_do_not_write(world: OppWorld) -> None:
    org, other = await world.org(), await world.org("other")
    for who in (principal(), await world.member(other, "owner")):
        with pytest.raises(NotAllowed):
            await world.opportunities.create(org["_id"], who, draft(one_off_body()), NOW)
    made = await world.opportunities.create(
        org["_id"], await world.member(org), draft(one_off_body(publish=True)), NOW
    )
    intruder = await world.member(other, "owner")
    for step in (world.opportunities.pause, world.opportunities.close):
        with pytest.raises(NotAllowed):
            await step(made.id, intruder, NOW)
    with pytest.raises(NotAllowed):
        await world.opportunities.edit(made.id, intruder, patch(title="Mine now"), NOW)


@pytest.mark.parametrize("status", ["draft", "pending", "rejected"])
async def test_an_unverified_organization_keeps_drafts_only(world: OppWorld, status: str) -> None:
    org = await world.org(status=status)
    editor = await world.member(org)
    made = await world.opportunities.create(org["_id"], editor, draft(one_off_body()), NOW)
    with pytest.raises(OrgNotVerified):
        await world.opportunities.publish(made.id, editor, NOW)
    with pytest.raises(OrgNotVerified):
        await world.opportunities.create(org["_id"], editor, draft(one_off_body(publish=True)), NOW)


async def test_a_hidden_organization_publishes_nothing(world: OppWorld) -> None:
    org = await world.org(hidden=True)
    editor = await world.member(org)
    made = await world.opportunities.create(org["_id"], editor, draft(one_off_body()), NOW)
    with pytest.raises(OrgIsHidden):
        await world.opportunities.publish(made.id, editor, NOW)


async def test_publishing_tells_the_feed_everything_it_renders(world: OppWorld) -> None:
    org = await world.org()
    editor = await world.member(org)
    made = await world.opportunities.create(org["_id"], editor, draft(one_off_body()), NOW)
    opened = await world.opportunities.publish(made.id, editor, NOW)
    again = await world.opportunities.publish(made.id, editor, NOW)  # idempotent
    assert (opened.status, opened.published_at, again.version) == ("open", NOW, opened.version)
    [event] = world.events.of_type(OpportunityPublished)
    snap = event.data.opportunity
    assert event.data.version == opened.version == 2
    assert (snap.org, snap.title, snap.city, snap.remote, snap.places) == (
        card(org), "Food bank sorting", "Lyon", False, 5,
    )  # fmt: skip
    assert snap.starts_at == NOW + timedelta(days=3)
    assert snap.url_path == f"/opportunities/{made.id}"
    assert (event.actor_id, event.subject_id) == (editor.user_id, made.id)


async def test_pause_resume_close_and_their_events(world: OppWorld) -> None:
    org = await world.org()
    editor = await world.member(org)
    opp = world.opportunities
    made = await opp.create(org["_id"], editor, draft(one_off_body(publish=True)), NOW)
    assert (await opp.pause(made.id, editor, NOW)).status == "paused"
    assert (await opp.resume(made.id, editor, NOW)).status == "open"
    assert (await opp.resume(made.id, editor, NOW)).status == "open"  # already: nothing
    drafted = await opp.create(org["_id"], editor, draft(one_off_body()), NOW)
    with pytest.raises(WrongState):
        await opp.pause(drafted.id, editor, NOW)
    closed = await opp.close(made.id, editor, NOW)
    assert (closed.status, closed.closed_at) == ("closed", NOW)
    updates = world.events.of_type(OpportunityUpdated)
    assert [(e.data.opportunity.status, e.data.changed) for e in updates] == [
        ("paused", ("status",)), ("open", ("status",)),
    ]  # fmt: skip
    [event] = world.events.of_type(OpportunityClosed)
    assert (event.data.reason, event.data.version) == ("closed", closed.version)
    for step in (opp.publish, opp.pause, opp.resume):
        with pytest.raises(WrongState):
            await step(made.id, editor, NOW)
    with pytest.raises(WrongState):
        await opp.edit(made.id, editor, patch(title="Again"), NOW)


async def test_filled_is_the_applications_areas_to_set(world: OppWorld) -> None:
    org = await world.org()
    editor = await world.member(org)
    taken = Taken()
    world.opportunities.taken = taken
    made = await world.opportunities.create(
        org["_id"], editor, draft(one_off_body(publish=True)), NOW
    )
    assert await world.opportunities.mark_filled(made.id, NOW)
    assert not await world.opportunities.mark_filled(made.id, NOW)  # already filled
    assert (await world.opportunities.opportunity(made.id, None)).status == "filled"
    assert await world.opportunities.mark_unfilled(made.id, NOW)
    await world.opportunities.pause(made.id, editor, NOW)
    taken.by_slot = {s.id: s.places for s in made.slots}
    resumed = await world.opportunities.resume(made.id, editor, NOW)
    assert (resumed.status, resumed.remaining, [s.taken for s in resumed.slots]) == (
        "filled", 0, [2, 3],
    )  # fmt: skip


async def test_places_grow_and_the_observers_hear_of_it(world: OppWorld) -> None:
    org = await world.org()
    editor = await world.member(org)
    taken, heard = Taken(), list[tuple[str, int]]()
    world.opportunities.taken = taken

    async def observer(opportunity: Opportunity, slot_id: str, added: int) -> None:
        heard.append((slot_id, added))

    world.opportunities.on_places_added.append(observer)
    made = await world.opportunities.create(
        org["_id"], editor, draft(one_off_body(publish=True)), NOW
    )
    first, second = made.slots
    taken.by_slot = {first.id: 2}
    body = one_off_body()["commitment"]
    body["slots"][0] |= {"id": first.id, "places": 4}
    body["slots"][1] |= {"id": second.id}
    grown = await world.opportunities.edit(made.id, editor, patch(commitment=body), NOW)
    assert ([s.places for s in grown.slots], [s.remaining for s in grown.slots]) == ([4, 3], [2, 3])
    assert heard == [(first.id, 2)]
    [event] = world.events.of_type(OpportunityUpdated)
    assert (event.data.changed, event.data.opportunity.places) == (("commitment",), 7)
    body["slots"][0]["places"] = 1
    with pytest.raises(PlacesTaken):
        await world.opportunities.edit(made.id, editor, patch(commitment=body), NOW)
    with pytest.raises(PlacesTaken):  # the slot holding two volunteers cannot go
        await world.opportunities.edit(
            made.id, editor, patch(commitment={"kind": "one_off", "slots": [body["slots"][1]]}), NOW
        )


async def test_an_edit_changes_only_what_differs(world: OppWorld) -> None:
    org = await world.org()
    editor = await world.member(org)
    made = await world.opportunities.create(
        org["_id"], editor, draft(one_off_body(publish=True)), NOW
    )
    same = await world.opportunities.edit(made.id, editor, patch(title=made.title), NOW)
    assert same.version == made.version
    moved = await world.opportunities.edit(
        made.id, editor, patch(title="Sorting food", remote=True, place=None), NOW
    )
    assert (moved.title, moved.place, moved.remote) == ("Sorting food", None, True)
    [event] = world.events.of_type(OpportunityUpdated)
    assert set(event.data.changed) == {"title", "place", "remote"}
    with pytest.raises(Invalid):  # neither a place nor remote
        await world.opportunities.edit(made.id, editor, patch(remote=False), NOW)
    with pytest.raises(WrongState):  # the kind of commitment is settled once published
        await world.opportunities.edit(
            made.id, editor, patch(commitment={"kind": "ongoing", "places": 3}), NOW
        )


async def test_recurring_and_ongoing_have_one_slot_of_the_capacity(world: OppWorld) -> None:
    org = await world.org()
    editor = await world.member(org)
    weekly = await world.opportunities.create(org["_id"], editor, draft(recurring_body()), NOW)
    assert weekly.pattern is not None
    assert (weekly.pattern.days, weekly.pattern.start_time) == (["sat", "sun"], "09:00")
    [slot] = weekly.slots
    assert slot.places == 6
    assert slot.starts_at is not None
    assert slot.starts_at.hour == 7
    ongoing = await world.opportunities.create(org["_id"], editor, draft(ongoing_body()), NOW)
    assert [(s.starts_at, s.ends_at, s.places) for s in ongoing.slots] == [(None, None, 10)]
    kept = await world.opportunities.edit(
        weekly.id, editor, patch(time_zone="America/New_York"), NOW
    )
    assert kept.slots[0].id == slot.id
    assert kept.slots[0].starts_at is not None
    assert kept.slots[0].starts_at.hour == 13


async def test_the_sweep_closes_what_is_past_its_deadline_or_end_once(world: OppWorld) -> None:
    org = await world.org()
    editor = await world.member(org)
    opp = world.opportunities
    by_deadline = await opp.create(org["_id"], editor, draft(one_off_body(publish=True)), NOW)
    by_end = await opp.create(
        org["_id"], editor, draft(one_off_body(publish=True, deadline=None)), NOW
    )
    forever = await opp.create(org["_id"], editor, draft(ongoing_body(publish=True)), NOW)
    kept_draft = await opp.create(org["_id"], editor, draft(one_off_body()), NOW)
    assert await opp.close_due(NOW + timedelta(days=1)) == 0
    assert await opp.close_due(NOW + timedelta(days=2)) == 1
    assert await opp.close_due(NOW + timedelta(days=2)) == 0  # safe to repeat
    assert await opp.close_due(NOW + timedelta(days=30)) == 1
    reasons = {e.data.opportunity.opportunity_id: e.data.reason
               for e in world.events.of_type(OpportunityClosed)}  # fmt: skip
    assert reasons == {by_deadline.id: "deadline", by_end.id: "ended"}
    assert (await opp.opportunity(forever.id, None)).status == "open"
    assert (await opp.opportunity(kept_draft.id, editor)).status == "draft"


async def test_the_organizations_list_shows_others_its_published_ones(world: OppWorld) -> None:
    org = await world.org()
    editor = await world.member(org)
    opp = world.opportunities
    opened = await opp.create(org["_id"], editor, draft(one_off_body(publish=True)), NOW)
    drafted = await opp.create(org["_id"], editor, draft(ongoing_body()), NOW)
    public, _ = await opp.org_page(org["slug"], None, None, limit=10, cursor=None)
    assert [o.id for o in public] == [opened.id]
    own, _ = await opp.org_page(org["slug"], editor, None, limit=10, cursor=None)
    assert {o.id for o in own} == {opened.id, drafted.id}
    drafts, _ = await opp.org_page(org["slug"], editor, "draft", limit=10, cursor=None)
    assert [o.id for o in drafts] == [drafted.id]
    assert (await opp.org_page(org["slug"], None, "draft", limit=10, cursor=None))[0] == []


async def test_times_in_the_past_are_refused(world: OppWorld) -> None:
    org = await world.org()
    editor = await world.member(org)
    late = NOW + timedelta(days=10)
    with pytest.raises(Invalid):
        await world.opportunities.create(org["_id"], editor, draft(one_off_body(NOW)), late)
    with pytest.raises(Invalid):
        await world.opportunities.create(
            org["_id"],
            editor,
            draft(ongoing_body(deadline=(NOW - timedelta(hours=1)).isoformat())),
            NOW,
        )


async def test_forgetting_the_creator_keeps_the_opportunity(world: OppWorld) -> None:
    org = await world.org()
    editor = await world.member(org)
    made = await world.opportunities.create(org["_id"], editor, draft(one_off_body()), NOW)
    await world.opportunities.forget(editor.user_id)
    doc: Any = await world.deps.stores.opportunities.opportunity(made.id)
    assert "created_by" not in doc
    assert doc["title"] == made.title
