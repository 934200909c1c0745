"""Moderation on the memory stores, with the real areas it hides things in (organizations, news,
reviews): reports, the grouped queue, decisions and what they publish, restoring, blocks and
what they stop, erasure. ``test_moderation_store_contract.py`` entitles these to memory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from jumo_common.change import Change
from jumo_common.events.orgs import OrgHidden, PostHidden, ReportResolved, ReviewHidden
from jumo_common.jwt import Principal
from jumo_common.mongo import Document
from jumo_common.web import validate
from jumo_orgs.errors import Blocked, NotAllowed, OrgNotFound
from jumo_orgs.following import Following
from jumo_orgs.moderation import Hideable, Moderation, PersonNotFound
from jumo_orgs.moderation_plans import AlreadyDecided, BlockingAMember, TargetNotFound
from jumo_orgs.news_plans import PostNotFound
from jumo_orgs.organizations import Organizations
from jumo_orgs.schemas.moderation import Decision, ReportDraft
from jumo_orgs.schemas.news import PostDraft
from jumo_orgs.schemas.reviews import ReviewDraft
from jumo_orgs.schemas.search import OrgSearchQuery
from jumo_orgs.search import Search

from .community import NOW, principal
from .community import World as Community
from .memory_moderation import MemoryModerationStore

MOD = principal("moderator", roles=("moderator",))


@dataclass
class World:
    """The community areas in memory, with moderation wired to hide in them."""

    community: Community
    moderation: Moderation
    organizations: Organizations
    following: Following

    @classmethod
    def make(cls, queue_batch: int = 100) -> World:
        community = Community.make()
        deps = community.deps
        organizations = Organizations(deps)
        hiders: dict[str, Hideable] = {
            "org": organizations, "post": community.news, "review": community.reviews,
        }  # fmt: skip
        moderation = Moderation(deps, hiders, queue_batch=queue_batch)
        return cls(community, moderation, organizations, Following(deps))

    @property
    def store(self) -> MemoryModerationStore:
        store = self.community.deps.stores.moderation
        assert isinstance(store, MemoryModerationStore)
        return store

    def resolved(self) -> list[ReportResolved]:
        return [e.data for e in self.community.events.of_type(ReportResolved)]

    async def person(self, name: str) -> Principal:
        who = principal()
        await self.community.deps.stores.people.change_person(
            who.user_id, lambda _d: Change(set={"display_name": name, "profile_version": 1})
        )
        return who

    async def a_post(self, org: Document) -> str:
        editor = await self.community.member(org, "editor")
        draft = validate(PostDraft, {"title": "Buy now", "body": "Cheap pills"})
        return (await self.community.news.publish(org["_id"], editor, draft, NOW)).id

    async def a_review(self, org: Document, author: Principal) -> str:
        draft = validate(ReviewDraft, {"stars": 1, "text": "A scam, they kept the money."})
        return (await self.community.reviews.post(org["_id"], author, draft, NOW)).id

    async def report(
        self, who: Principal, kind: str, target: str, reason: str = "spam", minutes: int = 0
    ) -> Any:
        draft = validate(ReportDraft, {"target_kind": kind, "target_id": target,
                                       "reason": reason, "text": f"{reason}!"})  # fmt: skip
        report, _ = await self.moderation.report(who, draft, NOW + timedelta(minutes=minutes))
        return report

    async def decide(self, report_id: str, outcome: str, note: str | None = None) -> Any:
        decision = validate(Decision, {"outcome": outcome, "note": note})
        return await self.moderation.resolve(MOD, report_id, decision, NOW)


@pytest.fixture
def world() -> World:
    return World.make()


# ---- reports and decisions ----------------------------------------------------------------------


async def test_hiding_a_post_resolves_every_open_report_of_it(world: World) -> None:
    org = await world.community.org("shady-deals")
    post_id = await world.a_post(org)
    ann, bob = principal(), principal()
    first = await world.report(ann, "post", post_id, "spam")
    again = await world.report(ann, "post", post_id, "fraud", minutes=5)  # open: nothing changes
    assert (again.id, again.reason, again.status) == (first.id, "spam", "open")
    await world.report(bob, "post", post_id, "offensive", minutes=1)

    (thing,), _ = await world.moderation.queue(MOD, "open", limit=10, cursor=None)
    assert (thing.target_kind, thing.target_id, thing.org_id, thing.count) == (
        "post", post_id, org["_id"], 2,
    )  # fmt: skip
    assert thing.reasons == {"spam": 1, "offensive": 1}
    assert [r.reporter_id for r in thing.reports] == [ann.user_id, bob.user_id]

    resolution = await world.decide(first.id, "hide", note="obvious spam")
    assert (resolution.outcome, resolution.reports_resolved) == ("hidden", 2)
    with pytest.raises(PostNotFound):
        await world.community.news.post(post_id, principal())
    listed, _ = await world.community.news.page(org["_id"], None, limit=10, cursor=None)
    assert listed == []
    [hidden] = world.community.events.of_type(PostHidden)
    assert hidden.data.hidden
    assert sorted((e.reporter_id, e.outcome) for e in world.resolved()) == sorted(
        [(ann.user_id, "hidden"), (bob.user_id, "hidden")]
    )
    mine, _ = await world.moderation.mine(ann, limit=10, cursor=None)
    assert [(r.id, r.status, r.outcome) for r in mine] == [(first.id, "resolved", "hidden")]
    assert (await world.moderation.queue(MOD, "open", limit=10, cursor=None))[0] == []
    (done,), _ = await world.moderation.queue(MOD, "resolved", limit=10, cursor=None)
    assert {(r.note, r.resolved_by) for r in done.reports} == {("obvious spam", MOD.user_id)}

    assert (await world.decide(first.id, "hide")).reports_resolved == 0  # again: nothing
    assert len(world.resolved()) == 2
    with pytest.raises(AlreadyDecided):
        await world.decide(first.id, "dismiss")

    shown = await world.moderation.restore(MOD, "post", post_id)
    assert not shown.hidden
    assert (await world.community.news.post(post_id, None)).id == post_id
    assert [e.data.hidden for e in world.community.events.of_type(PostHidden)] == [True, False]


async def test_dismissing_keeps_the_thing_and_a_new_filing_opens_it_again(world: World) -> None:
    org = await world.community.org("honest-org")
    author, reporter = principal(), principal()
    review_id = await world.a_review(org, author)
    report = await world.report(reporter, "review", review_id, "misleading")
    assert (await world.decide(report.id, "dismiss")).outcome == "dismissed"
    assert (await world.community.reviews.review(review_id, None)).id == review_id
    assert [(e.reporter_id, e.outcome, e.target_kind) for e in world.resolved()] == [
        (reporter.user_id, "dismissed", "review"),
    ]  # fmt: skip
    assert not world.community.events.of_type(ReviewHidden)
    reopened = await world.report(reporter, "review", review_id, "harassment", minutes=9)
    assert (reopened.id, reopened.status, reopened.reason, reopened.outcome) == (
        report.id, "open", "harassment", None,
    )  # fmt: skip


async def test_hiding_an_organization_takes_it_out_of_search(world: World) -> None:
    org = await world.community.org("fake-charity", hq={"city": "Lyon", "lat": 45.76,
                                                       "lng": 4.84}, terms=["fake", "charity"],
                                    prefixes=["fak", "fake", "cha", "char"])  # fmt: skip
    search = Search(world.community.deps)
    assert len((await search.search(OrgSearchQuery(q="fake"), None)).items) == 1
    report = await world.report(principal(), "org", "fake-charity", "fraud")  # by slug
    assert report.target_id == org["_id"]
    await world.decide(report.id, "hide")
    assert [e.data.org_id for e in world.community.events.of_type(OrgHidden)] == [org["_id"]]
    assert (await search.search(OrgSearchQuery(q="fake"), None)).items == []
    with pytest.raises(OrgNotFound):
        await world.community.deps.access.org(org["_id"], principal())
    await world.moderation.restore(MOD, "org", org["_id"])
    assert len((await search.search(OrgSearchQuery(q="fake"), None)).items) == 1


async def test_what_cannot_be_reported(world: World) -> None:
    org = await world.community.org("some-org")
    post_id = await world.a_post(org)
    draft_org = await world.community.org("a-draft", status="draft")
    await world.community.news.set_hidden(post_id, True)
    for kind, target in (("post", post_id), ("post", "0" * 32), ("review", "nope:nope"),
                         ("org", "no-such-org")):  # fmt: skip
        with pytest.raises(TargetNotFound):
            await world.report(principal(), kind, target)
    with pytest.raises(TargetNotFound):
        await world.report(principal(), "org", draft_org["_id"])  # a stranger's: not there
    its_owner = await world.community.member(draft_org, "owner")
    assert (await world.report(its_owner, "org", draft_org["_id"])).status == "open"


async def test_only_moderators_decide(world: World) -> None:
    org = await world.community.org("watched")
    report = await world.report(principal(), "org", org["_id"])
    admin = await world.community.member(org, "owner")
    for who in (principal(), admin):
        with pytest.raises(NotAllowed):
            await world.moderation.queue(who, "open", limit=10, cursor=None)
        with pytest.raises(NotAllowed):
            await world.moderation.resolve(who, report.id, Decision(outcome="hide"), NOW)
        with pytest.raises(NotAllowed):
            await world.moderation.restore(who, "org", org["_id"])
    assert not world.resolved()


async def test_the_queue_pages_things_by_their_oldest_report(world: World) -> None:
    world = World.make(queue_batch=2)  # pages need several reads of the queue
    orgs = [await world.community.org(f"org-{n}") for n in range(4)]
    order = [0, 1, 0, 2, 1, 0, 3, 2]  # which org each successive report is about
    for minute, n in enumerate(order):
        await world.report(principal(), "org", orgs[n]["_id"], minutes=minute)
    seen, cursor = [], None
    while True:
        things, cursor = await world.moderation.queue(MOD, "open", limit=1, cursor=cursor)
        seen += [(t.target_id, t.count) for t in things]
        if cursor is None:
            break
    assert seen == [(orgs[0]["_id"], 3), (orgs[1]["_id"], 2), (orgs[2]["_id"], 2),
                    (orgs[3]["_id"], 1)]  # fmt: skip


# ---- blocks -------------------------------------------------------------------------------------


async def test_admins_block_and_the_blocked_can_no_longer_interact(world: World) -> None:
    org = await world.community.org("tired-org")
    admin, editor = await world.community.member(org, "admin"), await world.community.member(org)
    troll = await world.person("Troll")
    with pytest.raises(NotAllowed):
        await world.moderation.block(editor, org["_id"], troll.user_id, NOW)
    block, made = await world.moderation.block(admin, "tired-org", troll.user_id, NOW)
    assert made
    assert (block.org_id, block.user_id, block.display_name) == (org["_id"], troll.user_id, "Troll")
    assert not (await world.moderation.block(admin, org["_id"], troll.user_id, NOW))[1]
    listed, _ = await world.moderation.blocks(admin, org["_id"], limit=10, cursor=None)
    assert [b.user_id for b in listed] == [troll.user_id]
    with pytest.raises(NotAllowed):
        await world.moderation.blocks(editor, org["_id"], limit=10, cursor=None)

    with pytest.raises(Blocked):
        await world.following.follow(troll, org["_id"], {}, now=NOW)
    with pytest.raises(Blocked):
        await world.a_review(org, troll)
    with pytest.raises(Blocked):
        await world.report(troll, "org", org["_id"])
    post_id = await world.a_post(org)
    with pytest.raises(Blocked):
        await world.report(troll, "post", post_id)

    await world.moderation.unblock(admin, org["_id"], troll.user_id)
    await world.moderation.unblock(admin, org["_id"], troll.user_id)  # idempotent
    assert (await world.following.follow(troll, org["_id"], {}, now=NOW)).org_id == org["_id"]


async def test_a_member_or_a_stranger_to_orgs_cannot_be_blocked(world: World) -> None:
    org = await world.community.org("careful-org")
    admin, editor = await world.community.member(org, "admin"), await world.community.member(org)
    for member in (editor, admin):  # an admin cannot block themselves either
        with pytest.raises(BlockingAMember):
            await world.moderation.block(admin, org["_id"], member.user_id, NOW)
    with pytest.raises(PersonNotFound):
        await world.moderation.block(admin, org["_id"], "f" * 32, NOW)
    assert world.store.blocks == {}


# ---- erasure ------------------------------------------------------------------------------------


async def test_forgetting_a_person_leaves_nothing_of_them(world: World) -> None:
    org = await world.community.org("any-org")
    leaver, other = await world.person("Leaver"), principal()
    admin = await world.community.member(org, "admin")
    mod = principal("leaving-moderator", roles=("moderator",))
    review_id = await world.a_review(org, leaver)
    await world.report(other, "review", review_id, "offensive")  # about the leaver's review
    await world.report(leaver, "org", org["_id"], "spam")  # the leaver's own report
    kept = await world.report(other, "org", org["_id"], "fraud")
    decision = validate(Decision, {"outcome": "dismiss"})
    await world.moderation.resolve(mod, kept.id, decision, NOW)
    await world.moderation.block(admin, org["_id"], leaver.user_id, NOW)
    blocker = await world.person("Other")
    org2 = await world.community.org("second-org")
    admin2 = await world.community.member(org2, "admin")
    await world.moderation.block(admin2, org2["_id"], blocker.user_id, NOW)

    await world.moderation.forget(leaver.user_id)
    await world.moderation.forget(admin2.user_id)
    await world.moderation.forget(mod.user_id)

    remaining = list(world.store.reports.documents.values()) + list(world.store.blocks.values())
    for gone in (leaver.user_id, admin2.user_id, mod.user_id):
        assert gone not in repr(remaining)
    assert [d["_id"] for d in world.store.reports.documents.values()] == [kept.id]
    assert [d["user_id"] for d in world.store.blocks.values()] == [blocker.user_id]
    (mine,), _ = await world.moderation.mine(other, limit=10, cursor=None)
    assert (mine.id, mine.outcome) == (kept.id, "dismissed")
