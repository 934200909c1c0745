"""One suite over the MongoDB review store and its memory twin (memory_reviews.py): reviews,
the counted summary and helpful votes, exact under concurrency on every store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from jumo_common.change import Change
from jumo_common.mongo import WRITE_CLAIMS, Document, ensure_indexes
from jumo_common.outbox import Outbox
from jumo_common.testing.memory import PublishedEvents
from jumo_orgs import review_store
from jumo_orgs.review_store import MongoReviewStore, ReviewStore, review_key

from .community import NOW
from .memory_reviews import MemoryReviewStore


@pytest.fixture(params=["mongo", "memory"])
async def store(request: pytest.FixtureRequest, mongo_db: Any) -> AsyncIterator[ReviewStore]:
    """MongoReviewStore on this test's database, or the memory twin."""
    if request.param == "memory":
        yield MemoryReviewStore(PublishedEvents())
        return
    await ensure_indexes(mongo_db, review_store.INDEXES)
    outbox = Outbox(mongo_db, review_store.OUTBOX_COLLECTIONS)
    yield MongoReviewStore(mongo_db, outbox, mongo_db[WRITE_CLAIMS])


def fields(author: str, stars: int, org_id: str = "org1", minutes: int = 0,
           **extra: Any) -> Document:  # fmt: skip
    at = NOW + timedelta(minutes=minutes)
    return {"org_id": org_id, "author_id": author, "stars": stars, "text": "t",
            "volunteered": False, "state": "posted", "hidden": False, "created_at": at,
            "updated_at": at, **extra}  # fmt: skip


async def put(store: ReviewStore, author: str, stars: int, **extra: Any) -> str:
    review_id = review_key(extra.get("org_id", "org1"), author)
    await store.change_review(review_id, lambda d: Change(set=fields(author, stars, **extra)))
    return review_id


async def test_a_review_is_upserted_by_its_key(store: ReviewStore) -> None:
    review_id = await put(store, "ann", 3)
    await put(store, "ann", 5)
    found = await store.review(review_id)
    assert found is not None
    assert (found["stars"], found["version"]) == (5, 2)
    assert await store.review("org1:nobody") is None
    assert await store.review_ids_by("ann") == [review_id]


async def test_star_counts_are_of_listed_reviews(store: ReviewStore) -> None:
    for i, stars in enumerate((5, 5, 4, 1)):
        await put(store, f"u{i}", stars, volunteered=i < 2)
    await put(store, "hidden", 2, hidden=True)
    await put(store, "deleted", 2, state="deleted")
    await put(store, "elsewhere", 2, org_id="org2")
    assert await store.star_counts("org1", volunteered=None) == {5: 2, 4: 1, 1: 1}
    assert await store.star_counts("org1", volunteered=True) == {5: 2}
    assert await store.star_counts("org3", volunteered=None) == {}


async def test_a_hundred_concurrent_reviewers_are_counted_exactly(store: ReviewStore) -> None:
    stars = [1 + i % 5 for i in range(100)]
    await asyncio.gather(*(put(store, f"u{i}", s) for i, s in enumerate(stars)))
    counts = await store.star_counts("org1", volunteered=None)
    assert counts == dict.fromkeys(range(1, 6), 20)


async def test_one_vote_per_person_even_all_at_once(store: ReviewStore) -> None:
    review_id = await put(store, "ann", 4)
    same = await asyncio.gather(*(store.add_vote(review_id, "org1", "bob", NOW) for _ in range(20)))
    assert same.count(True) == 1
    voters = await asyncio.gather(
        *(store.add_vote(review_id, "org1", f"v{i}", NOW) for i in range(50))
    )
    assert all(voters)
    assert await store.helpful(review_id) == 51
    assert await store.voted_among("bob", [review_id, "org1:other"]) == {review_id}
    assert await store.remove_vote(review_id, "bob")
    assert not await store.remove_vote(review_id, "bob")
    assert await store.helpful(review_id) == 50


async def test_pages_by_newest_and_by_helpful_carry_the_counts(store: ReviewStore) -> None:
    ids = [await put(store, f"u{i}", 3, minutes=i) for i in range(4)]
    await put(store, "hidden", 3, minutes=9, hidden=True)
    for votes, review_id in zip((2, 0, 2, 1), ids, strict=True):
        for v in range(votes):
            await store.add_vote(review_id, "org1", f"voter{v}", NOW)
    newest = await store.org_reviews("org1", sort="newest", volunteered=None, limit=10, cursor=None)
    assert [(d["_id"], d["helpful"]) for d in newest.items] == [
        (ids[3], 1), (ids[2], 2), (ids[1], 0), (ids[0], 2),
    ]  # fmt: skip
    first = await store.org_reviews("org1", sort="helpful", volunteered=None, limit=2, cursor=None)
    rest = await store.org_reviews(
        "org1", sort="helpful", volunteered=None, limit=2, cursor=first.next_cursor
    )
    assert [d["_id"] for d in first.items + rest.items] == [ids[2], ids[0], ids[3], ids[1]]
    assert rest.next_cursor is None
    assert first.items[0]["text"] == "t"


async def test_forgetting_votes_on_a_review_and_by_a_voter(store: ReviewStore) -> None:
    a, b = await put(store, "ann", 4), await put(store, "bob", 4)
    for voter in ("x", "y"):
        await store.add_vote(a, "org1", voter, NOW)
        await store.add_vote(b, "org1", voter, NOW)
    await store.forget_votes_on(a)
    await store.forget_votes_by("x")
    assert (await store.helpful(a), await store.helpful(b)) == (0, 1)
