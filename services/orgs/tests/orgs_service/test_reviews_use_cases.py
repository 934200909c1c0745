"""Reviews on the memory stores: one per person and organization, who may review, answers,
helpful votes and their order, the summary, hiding, erasure, the volunteering seam."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jumo_common.events.orgs import ReviewDeleted, ReviewHidden, ReviewPosted, ReviewUpdated
from jumo_common.jwt import Principal
from jumo_common.mongo import Document
from jumo_common.web import Unprocessable, validate
from jumo_orgs.errors import Blocked, NotAllowed, OrgNotVerified
from jumo_orgs.review_plans import (
    AlreadyAnswered,
    NotTheAuthor,
    OwnOrganization,
    OwnReview,
    ReviewIsHidden,
    ReviewNotFound,
)
from jumo_orgs.reviews import Reviews
from jumo_orgs.schemas.reviews import AnswerDraft, ReviewDraft, ReviewOut, ReviewQuery

from .community import NOW, World, principal


def draft(stars: int = 4, text: str = "Kind people, well organised.") -> ReviewDraft:
    return validate(ReviewDraft, {"stars": stars, "text": text})


def query(**fields: object) -> ReviewQuery:
    return validate(ReviewQuery, fields)


@pytest.fixture
def world() -> World:
    return World.make()


async def review(world: World, org: Document, who: Principal, stars: int = 4,
                 minutes: int = 0) -> ReviewOut:  # fmt: skip
    return await world.reviews.post(org["_id"], who, draft(stars), NOW + timedelta(minutes=minutes))


async def test_a_second_review_edits_the_first(world: World) -> None:
    org, ann = await world.org("shelter"), principal()
    first = await world.reviews.post("shelter", ann, draft(3, "Fine."), NOW)
    same = await world.reviews.post("shelter", ann, draft(3, "Fine."), NOW)
    edited = await world.reviews.post("shelter", ann, draft(5, "Great, in fact."), NOW)
    assert first.id == edited.id == f"{org['_id']}:{ann.user_id}"
    assert (first.version, same.version, edited.version, edited.stars) == (1, 1, 2, 5)
    [posted] = world.events.of_type(ReviewPosted)
    [updated] = world.events.of_type(ReviewUpdated)
    assert isinstance(posted.data, ReviewPosted)
    assert isinstance(updated.data, ReviewUpdated)
    assert (posted.data.stars, posted.data.excerpt, posted.data.version) == (3, "Fine.", 1)
    assert (updated.data.stars, updated.data.version, updated.data.org.slug) == (5, 2, "shelter")
    assert not updated.data.volunteered


async def test_who_may_not_review(world: World) -> None:
    org = await world.org("picky")
    blocked = principal()
    await world.block(org, blocked)
    with pytest.raises(Blocked):
        await world.reviews.post(org["_id"], blocked, draft(), NOW)
    for role in ("editor", "admin", "owner"):
        with pytest.raises(OwnOrganization):
            await world.reviews.post(org["_id"], await world.member(org, role), draft(), NOW)
    for status in ("draft", "pending", "rejected"):
        unverified = await world.org(f"not-yet-{status}", status=status)
        with pytest.raises(OrgNotVerified):
            await world.reviews.post(unverified["_id"], principal(), draft(), NOW)
    assert world.events == []


@pytest.mark.parametrize(
    "fields", [{"stars": 0}, {"stars": 6}, {"stars": 3.5}, {"text": ""}, {"text": "x" * 2001},
               {"text": "esc \x1b"}, {"helpful": 99}, {"volunteered": True}],
)  # fmt: skip
def test_what_a_review_may_not_be(fields: dict[str, object]) -> None:
    with pytest.raises(Unprocessable):
        validate(ReviewDraft, {"stars": 4, "text": "ok", **fields})


async def test_only_the_author_deletes_and_the_votes_go_with_it(world: World) -> None:
    org, ann, bob = await world.org("deleting"), principal(), principal()
    mine = await world.reviews.post(org["_id"], ann, draft(), NOW)
    await world.reviews.vote(mine.id, bob, helpful=True, now=NOW)
    for other in (bob, await world.member(org, "owner"), principal(roles=("moderator",))):
        with pytest.raises(NotTheAuthor):
            await world.reviews.delete(mine.id, other)
    await world.reviews.delete(mine.id, ann)
    with pytest.raises(ReviewNotFound):
        await world.reviews.delete(mine.id, ann)
    [event] = world.events.of_type(ReviewDeleted)
    assert event.data == ReviewDeleted(review_id=mine.id, org_id=org["_id"], author_id=ann.user_id)
    assert world.review_store.votes == {}
    again = await world.reviews.post(org["_id"], ann, draft(2), NOW)  # a fresh start
    assert (again.version, again.helpful, again.stars) == (3, 0, 2)
    assert len(world.events.of_type(ReviewPosted)) == 2


async def test_the_organization_answers_once(world: World) -> None:
    org, ann = await world.org("answering"), principal()
    mine = await world.reviews.post(org["_id"], ann, draft(2), NOW)
    for caller in (ann, await world.member(org, "editor"), principal()):
        with pytest.raises(NotAllowed):
            await world.reviews.answer(mine.id, caller, AnswerDraft(text="Thanks"), NOW)
    answered = await world.reviews.answer(
        mine.id, await world.member(org, "admin"), AnswerDraft(text="Sorry, we fixed it."), NOW
    )
    assert answered.answer is not None
    assert answered.answer.text == "Sorry, we fixed it."
    with pytest.raises(AlreadyAnswered):
        await world.reviews.answer(mine.id, await world.member(org, "owner"),
                                   AnswerDraft(text="Again"), NOW)  # fmt: skip
    shown = await world.reviews.review(mine.id, None)
    assert shown.answer is not None
    assert shown.answer.text == "Sorry, we fixed it."


async def test_helpful_votes_one_per_person_not_ones_own(world: World) -> None:
    org, ann, bob = await world.org("votes"), principal(), principal()
    mine = await world.reviews.post(org["_id"], ann, draft(), NOW)
    first = await world.reviews.vote(mine.id, bob, helpful=True, now=NOW)
    second = await world.reviews.vote(mine.id, bob, helpful=True, now=NOW)
    assert (first.changed, second.changed, second.helpful) == (True, False, 1)
    with pytest.raises(OwnReview):
        await world.reviews.vote(mine.id, ann, helpful=True, now=NOW)
    with pytest.raises(OwnOrganization):
        await world.reviews.vote(mine.id, await world.member(org), helpful=True, now=NOW)
    shown = await world.reviews.review(mine.id, bob)
    assert (shown.helpful, shown.voted) == (1, True)
    assert (await world.reviews.review(mine.id, None)).voted is None
    taken = await world.reviews.vote(mine.id, bob, helpful=False, now=NOW)
    again = await world.reviews.vote(mine.id, bob, helpful=False, now=NOW)
    assert (taken.changed, again.changed, again.helpful) == (True, False, 0)


async def test_sort_by_helpful_then_newest_and_page_through(world: World) -> None:
    org = await world.org("sorting")
    authors = [principal() for _ in range(5)]
    ids = [(await review(world, org, who, minutes=i)).id for i, who in enumerate(authors)]
    for votes, review_id in zip((1, 3, 0, 3, 2), ids, strict=True):
        for _ in range(votes):
            await world.reviews.vote(review_id, principal(), helpful=True, now=NOW)
    pages, cursor = [], None
    for _ in range(3):
        items, cursor = await world.reviews.page(
            org["_id"], None, query(sort="helpful", limit=2, cursor=cursor)
        )
        pages.extend(items)
    assert cursor is None
    ranked = [(r.id, r.helpful) for r in pages]
    assert ranked == list(
        zip([ids[3], ids[1], ids[4], ids[0], ids[2]], [3, 3, 2, 1, 0], strict=True)
    )
    newest, _ = await world.reviews.page(org["_id"], None, query())
    assert [r.id for r in newest] == ids[::-1]


async def test_the_summary_counts_listed_reviews_and_volunteers_apart(world: World) -> None:
    org = await world.org("summary")
    volunteers = {principal().user_id for _ in range(2)}

    class Record:
        async def volunteered(self, user_id: str, org_id: str) -> bool:
            return user_id in volunteers and org_id == org["_id"]

    reviews = Reviews(world.deps, Record())
    for i, user_id in enumerate([*sorted(volunteers), *(principal().user_id for _ in range(3))]):
        await reviews.post(org["_id"], principal(user_id), draft(stars=i + 1), NOW)
    summary = await reviews.summary(org["_id"])
    assert (summary.count, summary.average) == (5, 3.0)
    assert summary.histogram == {"1": 1, "2": 1, "3": 1, "4": 1, "5": 1}
    assert (summary.volunteered.count, summary.volunteered.average) == (2, 1.5)
    apart, _ = await reviews.page(org["_id"], None, query(volunteered=True))
    assert len(apart) == 2
    assert all(r.volunteered for r in apart)
    others, _ = await reviews.page(org["_id"], None, query(volunteered=False))
    assert len(others) == 3
    assert not any(r.volunteered for r in others)
    empty = await reviews.summary((await world.org("quiet"))["_id"])
    assert (empty.count, empty.average, empty.histogram["5"]) == (0, None, 0)


async def test_a_hidden_review_leaves_lists_and_summaries(world: World) -> None:
    org, ann = await world.org("moderated"), principal()
    mine = await review(world, org, ann, stars=1)
    await review(world, org, principal(), stars=5)
    assert await world.reviews.set_hidden(mine.id, True)
    assert await world.reviews.set_hidden(mine.id, True)  # already hidden: no second event
    summary = await world.reviews.summary(org["_id"])
    assert (summary.count, summary.average) == (1, 5.0)
    for sort in ("newest", "helpful"):
        items, _ = await world.reviews.page(org["_id"], None, query(sort=sort))
        assert mine.id not in [r.id for r in items]
    with pytest.raises(ReviewNotFound):
        await world.reviews.review(mine.id, principal())
    with pytest.raises(ReviewNotFound):
        await world.reviews.vote(mine.id, principal(), helpful=True, now=NOW)
    assert (await world.reviews.review(mine.id, ann)).hidden
    with pytest.raises(ReviewIsHidden):
        await world.reviews.post(org["_id"], ann, draft(2), NOW)
    assert await world.reviews.set_hidden(mine.id, False)
    assert [e.data.hidden for e in world.events.of_type(ReviewHidden)] == [True, False]
    assert (await world.reviews.summary(org["_id"])).count == 2
    assert not await world.reviews.set_hidden("nope:" + "0" * 32, True)


async def test_a_departed_person_leaves_no_review_and_no_vote(world: World) -> None:
    org, other_org = await world.org("erasure"), await world.org("elsewhere")
    ann, bob = principal(), principal()
    mine = await review(world, org, ann)
    theirs = await review(world, other_org, ann, stars=2)
    bobs = await review(world, org, bob)
    await world.reviews.vote(bobs.id, ann, helpful=True, now=NOW)
    await world.reviews.vote(mine.id, bob, helpful=True, now=NOW)
    await world.reviews.forget(ann.user_id)
    deleted = {e.data.review_id for e in world.events.of_type(ReviewDeleted)}
    assert deleted == {mine.id, theirs.id}
    assert world.review_store.votes == {}
    assert (await world.reviews.summary(org["_id"])).count == 1
    for review_id in (mine.id, theirs.id):
        stored = await world.deps.stores.reviews.review(review_id)
        assert stored is not None
        assert set(stored) == {"_id", "org_id", "state", "version"}
