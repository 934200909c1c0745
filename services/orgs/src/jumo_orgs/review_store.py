"""Reviews of organizations, and their helpful votes: Protocol, MongoDB implementation, indexes.

Collections::

    reviews         {_id: "<org>:<author>"} (one per person and organization): org_id,
                    author_id, stars, text, volunteered (the badge, as of the last write),
                    answer {text, answered_at} | absent, state posted | deleted, hidden,
                    created_at, updated_at, version; pending review.* in _outbox. A deleted
                    review is a tombstone {_id, org_id, state: "deleted", version}: it keeps
                    nothing its author wrote, carries review.deleted, and keeps the version
                    growing should the same person review the organization again.
    review_votes    {_id: "<review>:<voter>", review_id, org_id, voter_id, at}: one helpful
                    vote per person and review, by an exclusive insert.

Every number is counted from the documents, never kept with ``$inc`` (FerretDB loses
concurrent updates): the summary is a ``$group`` of the listed reviews by stars, and the
helpful count a ``$group`` of votes by review. Sorting by helpful counts the organization's
votes in one ``$group`` and ranks its listed reviews' keys in code, then reads the page's
reviews by ``_id``: exact at every read, and no vote ever writes the review (so votes never
contend with its author's edits, nor bump its version). Its cost grows with one
organization's reviews and votes, not with the collection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

from jumo_common.mongo import (
    ASCENDING,
    DESCENDING,
    Collection,
    Database,
    Document,
    IndexSpec,
    PageResult,
    as_utc,
    decode_cursor,
    encode_cursor,
    find_page,
    insert_once,
)
from jumo_common.outbox import Outbox, UpsertPlan, VersionedDocuments, Written

INDEXES = (
    IndexSpec("reviews", (("org_id", ASCENDING), ("created_at", DESCENDING))),
    IndexSpec("reviews", (("author_id", ASCENDING),)),
    IndexSpec("review_votes", (("review_id", ASCENDING),)),
    IndexSpec("review_votes", (("org_id", ASCENDING),)),
    IndexSpec("review_votes", (("voter_id", ASCENDING),)),
)
OUTBOX_COLLECTIONS = ("reviews",)

Sort = Literal["newest", "helpful"]
NEWEST = (("created_at", DESCENDING), ("_id", DESCENDING))
HELPFUL = (("helpful", DESCENDING), ("created_at", DESCENDING), ("_id", DESCENDING))
STARS = (1, 2, 3, 4, 5)


def review_key(org_id: str, author_id: str) -> str:
    """The _id of a person's review of an organization."""
    return f"{org_id}:{author_id}"


def vote_key(review_id: str, voter_id: str) -> str:
    """The _id of a person's helpful vote on a review."""
    return f"{review_id}:{voter_id}"


def listed(org_id: str, volunteered: bool | None = None) -> Document:
    """The reviews an organization's list and summary count: posted, not hidden (and, unless
    ``volunteered`` is None, by people who did or did not volunteer there)."""
    query: Document = {"org_id": org_id, "state": "posted", "hidden": False}
    return query if volunteered is None else query | {"volunteered": volunteered}


def is_listed(doc: Mapping[str, Any]) -> bool:
    """Whether a review shows in lists (``listed`` as a test of one document)."""
    return doc.get("state") == "posted" and not doc.get("hidden")


def _rank(key: Mapping[str, Any]) -> tuple[int, datetime, str]:
    return int(key["helpful"]), as_utc(key["created_at"]), str(key["_id"])


def helpful_ranking(
    keys: Sequence[Mapping[str, Any]], counts: Mapping[str, int], *, limit: int, cursor: str | None
) -> PageResult:
    """One page of reviews' keys ({_id, created_at}) by helpful votes, then newest first; each
    key gets its ``helpful`` count. The cursor is keyset-like (after the last key's values)."""
    ranked = sorted(
        ({"_id": k["_id"], "created_at": k["created_at"], "helpful": counts.get(k["_id"], 0)}
         for k in keys),
        key=_rank, reverse=True,
    )  # fmt: skip
    if cursor is not None:
        helpful, created_at, review_id = decode_cursor(HELPFUL, cursor)
        after = (int(helpful), as_utc(created_at), str(review_id))
        ranked = [k for k in ranked if _rank(k) < after]
    if len(ranked) <= limit:
        return PageResult(ranked, None)
    return PageResult(ranked[:limit], encode_cursor(HELPFUL, ranked[limit - 1]))


class ReviewStore(Protocol):
    """What the use cases need of reviews and their votes."""

    async def review(self, review_id: str) -> Document | None:
        """A review (a tombstone too) by id."""
        ...

    async def change_review(self, review_id: str, plan: UpsertPlan) -> Written:
        """Apply ``plan`` to a review or to its absence."""
        ...

    async def org_reviews(
        self, org_id: str, *, sort: Sort, volunteered: bool | None, limit: int, cursor: str | None
    ) -> PageResult:
        """One page of an organization's listed reviews, each with its ``helpful`` count."""
        ...

    async def star_counts(self, org_id: str, *, volunteered: bool | None) -> dict[int, int]:
        """How many listed reviews of an organization gave each number of stars."""
        ...

    async def review_ids_by(self, author_id: str) -> list[str]:
        """The ids of every review a person has posted (and not deleted)."""
        ...

    async def add_vote(self, review_id: str, org_id: str, voter_id: str, at: datetime) -> bool:
        """Record a helpful vote; False when this person's vote was there already."""
        ...

    async def remove_vote(self, review_id: str, voter_id: str) -> bool:
        """Remove a helpful vote; False when there was none."""
        ...

    async def helpful(self, review_id: str) -> int:
        """How many people found a review helpful (counted)."""
        ...

    async def voted_among(self, voter_id: str, review_ids: Sequence[str]) -> set[str]:
        """Which of ``review_ids`` this person found helpful."""
        ...

    async def forget_votes_on(self, review_id: str) -> None:
        """Delete every vote on a review (it is gone, or starts again)."""
        ...

    async def forget_votes_by(self, voter_id: str) -> None:
        """Delete every vote a person gave."""
        ...


class MongoReviewStore:
    """``ReviewStore`` on MongoDB / FerretDB."""

    def __init__(self, db: Database, outbox: Outbox, claims: Collection) -> None:
        self.reviews: Collection = db["reviews"]
        self.votes: Collection = db["review_votes"]
        self._reviews = VersionedDocuments(self.reviews, outbox, claims)

    async def review(self, review_id: str) -> Document | None:
        """A review (a tombstone too) by id."""
        return await self._reviews.get(review_id)

    async def change_review(self, review_id: str, plan: UpsertPlan) -> Written:
        """Apply ``plan`` to a review or to its absence."""
        return await self._reviews.upsert(review_id, plan)

    async def org_reviews(
        self, org_id: str, *, sort: Sort, volunteered: bool | None, limit: int, cursor: str | None
    ) -> PageResult:
        """One page of an organization's listed reviews, each with its ``helpful`` count."""
        query = listed(org_id, volunteered)
        if sort == "helpful":
            return await self._helpful_page(org_id, query, limit=limit, cursor=cursor)
        page = await find_page(self.reviews, query, NEWEST, limit=limit, cursor=cursor)
        counts = await self._counts({"review_id": {"$in": [d["_id"] for d in page.items]}})
        items = [d | {"helpful": counts.get(d["_id"], 0)} for d in page.items]
        return PageResult(items, page.next_cursor)

    async def _helpful_page(
        self, org_id: str, query: Document, *, limit: int, cursor: str | None
    ) -> PageResult:
        keys = await self.reviews.find(query, {"created_at": 1}).to_list(None)
        counts = await self._counts({"org_id": org_id})
        ranked = helpful_ranking(keys, counts, limit=limit, cursor=cursor)
        ids = [k["_id"] for k in ranked.items]
        docs = {d["_id"]: d async for d in self.reviews.find({"_id": {"$in": ids}})}
        items = [
            docs[k["_id"]] | {"helpful": k["helpful"]}
            for k in ranked.items
            if k["_id"] in docs and is_listed(docs[k["_id"]])  # not deleted or hidden meanwhile
        ]
        return PageResult(items, ranked.next_cursor)

    async def _counts(self, match: Document) -> dict[str, int]:
        pipeline = [{"$match": match}, {"$group": {"_id": "$review_id", "n": {"$sum": 1}}}]
        rows = await self.votes.aggregate(pipeline)
        return {row["_id"]: int(row["n"]) async for row in rows}

    async def star_counts(self, org_id: str, *, volunteered: bool | None) -> dict[int, int]:
        """How many listed reviews of an organization gave each number of stars."""
        match = listed(org_id, volunteered)
        pipeline = [{"$match": match}, {"$group": {"_id": "$stars", "n": {"$sum": 1}}}]
        rows = await self.reviews.aggregate(pipeline)
        return {int(row["_id"]): int(row["n"]) async for row in rows}

    async def review_ids_by(self, author_id: str) -> list[str]:
        """The ids of every review a person has posted (and not deleted)."""
        found = self.reviews.find({"author_id": author_id}, {"_id": 1})
        return [doc["_id"] async for doc in found]

    async def add_vote(self, review_id: str, org_id: str, voter_id: str, at: datetime) -> bool:
        """Record a helpful vote; False when this person's vote was there already."""
        vote = {"_id": vote_key(review_id, voter_id), "review_id": review_id, "org_id": org_id,
                "voter_id": voter_id, "at": at}  # fmt: skip
        return await insert_once(self.votes, vote)

    async def remove_vote(self, review_id: str, voter_id: str) -> bool:
        """Remove a helpful vote; False when there was none."""
        result = await self.votes.delete_one({"_id": vote_key(review_id, voter_id)})
        return result.deleted_count == 1

    async def helpful(self, review_id: str) -> int:
        """How many people found a review helpful (counted)."""
        return await self.votes.count_documents({"review_id": review_id})

    async def voted_among(self, voter_id: str, review_ids: Sequence[str]) -> set[str]:
        """Which of ``review_ids`` this person found helpful."""
        keys = [vote_key(r, voter_id) for r in review_ids]
        found = self.votes.find({"_id": {"$in": keys}}, {"review_id": 1})
        return {doc["review_id"] async for doc in found}

    async def forget_votes_on(self, review_id: str) -> None:
        """Delete every vote on a review (it is gone, or starts again)."""
        await self.votes.delete_many({"review_id": review_id})

    async def forget_votes_by(self, voter_id: str) -> None:
        """Delete every vote a person gave."""
        await self.votes.delete_many({"voter_id": voter_id})
