"""The organization's side on the memory stores: candidates are findable people only, ranked
by the same terms, never shown beyond their visibility; invitations (invite, accept → accepted
at once through the applications lifecycle, decline) and their refusals; erasure."""

from __future__ import annotations

from typing import Any

import pytest

from jumo_common.events.applications import ApplicationAccepted, ApplicationSubmitted
from jumo_common.events.matching import InvitationAccepted, InvitationDeclined, OpportunityInvited
from jumo_orgs.errors import NotAllowed
from jumo_orgs.opportunity_invitations import (
    AlreadyInvited,
    InvitationAnswered,
    InvitationNotFound,
    NotFindable,
    NotInvitable,
)
from jumo_orgs.schemas.matching import InvitationAnswer, InvitationDraft

from .community import NOW
from .matching_world import MatchWorld
from .memory_matching import MemoryCandidateStore
from .opportunities_samples import LYON, one_off_body, ongoing_body

NEAR = {"city": "Lyon", "lat": 45.76, "lng": 4.83}
PARIS = {"city": "Paris", "lat": 48.86, "lng": 2.35}


@pytest.fixture
async def world() -> MatchWorld:
    return MatchWorld.make()


def body(**fields: Any) -> dict[str, Any]:
    slot = one_off_body()["commitment"]["slots"][0]
    return one_off_body(skills_wanted=["cuisine"], skills_required=["manutention"], questions=[],
                        commitment={"kind": "one_off", "slots": [slot]}, place=dict(LYON),
                        minimum_age=None) | fields  # fmt: skip


async def test_only_findable_people_are_candidates_ranked_with_why(world: MatchWorld) -> None:
    org = await world.opp.org()
    admin = await world.opp.member(org, "admin")
    opp = await world.published(org, body())
    best = await world.person("Best", findable=True, place=NEAR, skills=["manutention"])
    some = await world.person("Some", findable=True, place=NEAR)
    await world.person("Hidden", findable=False, place=NEAR, skills=["manutention"])
    await world.person("Far", findable=True, place=PARIS, skills=["manutention"])
    page = await world.candidates(opp, admin)
    assert [c.id for c in page.items] == [best.user_id, some.user_id]
    top = page.items[0]
    assert top.why.startswith("matches 1 of your skills (1 required)")
    assert "under 1 km" in top.why
    assert top.score == pytest.approx(sum(t.points for t in top.terms))


async def test_no_longer_findable_or_deleted_people_leave_at_once(world: MatchWorld) -> None:
    org = await world.opp.org()
    admin = await world.opp.member(org, "admin")
    opp = await world.published(org, body())
    ann = await world.person("Ann", findable=True, place=NEAR)
    bob = await world.person("Bob", findable=True, place=NEAR)
    await world.profile(ann, "Ann", findable=False, place=NEAR)
    await world.deps.people.forget(bob.user_id)
    assert (await world.candidates(opp, admin)).items == []
    store = world.deps.stores.candidates
    assert isinstance(store, MemoryCandidateStore)
    assert store.rows == {}


async def test_a_remote_opportunity_finds_people_by_skill_or_interest(world: MatchWorld) -> None:
    org = await world.opp.org()
    admin = await world.opp.member(org, "admin")
    opp = await world.published(org, ongoing_body(skills_wanted=["cuisine"], questions=[],
                                                  causes=["clean-water"]))  # fmt: skip
    cook = await world.person("Cook", findable=True, skills=["cuisine"], place=PARIS)
    cares = await world.person("Cares", findable=True, interests=["environment"])
    await world.person("Other", findable=True, skills=["jardinage"])
    found = {c.id: c for c in (await world.candidates(opp, admin)).items}
    assert set(found) == {cook.user_id, cares.user_id}
    assert "remote" in found[cook.user_id].why
    assert found[cares.user_id].why.startswith("in a cause you care about")


async def test_visibility_limits_what_the_organization_sees(world: MatchWorld) -> None:
    org = await world.opp.org()
    admin = await world.opp.member(org, "admin")
    opp = await world.published(org, body())
    await world.person("Priv", findable=True, place=NEAR, skills=["manutention"],
                       visibility="private")  # fmt: skip
    [shown] = (await world.candidates(opp, admin)).items
    assert shown.limited is True
    assert shown.terms == []
    assert shown.why == ""
    assert shown.skills == []
    assert shown.city is None


async def test_only_the_organizations_admins_list_candidates(world: MatchWorld) -> None:
    org, other = await world.opp.org("a"), await world.opp.org("b")
    opp = await world.published(org, body())
    editor = await world.opp.member(org, "editor")
    other_owner = await world.opp.member(other, "owner")
    for who in (editor, other_owner, await world.person("Stranger")):
        with pytest.raises(NotAllowed):
            await world.candidates(opp, who)


async def test_invite_then_accept_is_accepted_at_once(world: MatchWorld) -> None:
    org = await world.opp.org()
    admin = await world.opp.member(org, "admin")
    opp = await world.published(org, body())
    ann = await world.person("Ann", findable=True, place=NEAR)
    sent = await world.invitations.invite(opp, admin, InvitationDraft(volunteer_id=ann.user_id),
                                          NOW)  # fmt: skip
    [invited] = world.events.of_type(OpportunityInvited)
    assert (invited.data.volunteer_id, invited.data.invitation_id) == (ann.user_id, sent.id)
    assert [i.id for i in await world.invitations.mine(ann)] == [sent.id]
    assert (await world.candidates(opp, admin)).items[0].invited is True
    out, application = await world.invitations.accept(sent.id, ann, InvitationAnswer(), NOW)
    assert out.status == "accepted"
    assert application.status == "accepted"
    assert out.application_id == application.id
    assert len(world.events.of_type(ApplicationSubmitted)) == 1
    [accepted] = world.events.of_type(ApplicationAccepted)
    assert accepted.data.by == admin.user_id
    [answered] = world.events.of_type(InvitationAccepted)
    assert answered.data.application_id == application.id
    with pytest.raises(InvitationAnswered):
        await world.invitations.decline(sent.id, ann, NOW)


async def test_declining_and_the_refusals(world: MatchWorld) -> None:
    org = await world.opp.org()
    admin = await world.opp.member(org, "admin")
    opp = await world.published(org, body())
    ann = await world.person("Ann", findable=True, place=NEAR)
    hidden = await world.person("Hidden", place=NEAR)
    with pytest.raises(NotFindable):
        await world.invitations.invite(opp, admin, InvitationDraft(volunteer_id=hidden.user_id),
                                       NOW)  # fmt: skip
    with pytest.raises(NotInvitable):  # the organization's own people do not apply
        await world.invitations.invite(opp, admin, InvitationDraft(volunteer_id=admin.user_id),
                                       NOW)  # fmt: skip
    sent = await world.invitations.invite(opp, admin, InvitationDraft(volunteer_id=ann.user_id),
                                          NOW)  # fmt: skip
    with pytest.raises(AlreadyInvited):
        await world.invitations.invite(opp, admin, InvitationDraft(volunteer_id=ann.user_id), NOW)
    with pytest.raises(InvitationNotFound):  # nobody answers another's invitation
        await world.invitations.decline(sent.id, hidden, NOW)
    out = await world.invitations.decline(sent.id, ann, NOW)
    assert out.status == "declined"
    assert len(world.events.of_type(InvitationDeclined)) == 1


async def test_erasure_leaves_no_invitation_nor_index_row_of_the_person(
    world: MatchWorld,
) -> None:
    org = await world.opp.org()
    admin = await world.opp.member(org, "admin")
    opp = await world.published(org, body())
    ann = await world.person("Ann", findable=True, place=NEAR)
    await world.invitations.invite(opp, admin, InvitationDraft(volunteer_id=ann.user_id), NOW)
    await world.invitations.forget(ann.user_id)
    await world.deps.people.forget(ann.user_id)
    assert await world.invitations.mine(ann) == []
    store = world.deps.stores.candidates
    assert isinstance(store, MemoryCandidateStore)
    assert not [r for r in store.rows.values() if r["u"] == ann.user_id]
