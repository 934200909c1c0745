"""``ReviewStore`` in memory (the contract suite runs over it and the MongoDB one)."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from jumo_common.mongo import Document, PageResult
from jumo_common.outbox import UpsertPlan, Written
from jumo_common.testing.memory import MemoryDocuments, PublishedEvents, page_of
from jumo_orgs.review_store import NEWEST, Sort, helpful_ranking, listed, vote_key

from .memory_posts import matches


class MemoryReviewStore:
    """Reviews and their votes in memory."""

    def __init__(self, published: PublishedEvents) -> None:
        self.published = published
        self.reviews = MemoryDocuments(published)
        self.votes: dict[str, Document] = {}

    async def review(self, review_id: str) -> Document | None:
        return await self.reviews.get(review_id)

    async def change_review(self, review_id: str, plan: UpsertPlan) -> Written:
        return await self.reviews.upsert(review_id, plan)

    def _listed(self, org_id: str, volunteered: bool | None) -> list[Document]:
        query = listed(org_id, volunteered)
        return [d for d in self.reviews.documents.values() if matches(d, query)]

    def _counts(self) -> Counter[str]:
        return Counter(v["review_id"] for v in self.votes.values())

    async def org_reviews(
        self, org_id: str, *, sort: Sort, volunteered: bool | None, limit: int, cursor: str | None
    ) -> PageResult:
        found, counts = self._listed(org_id, volunteered), self._counts()
        if sort == "newest":
            page = page_of(found, NEWEST, limit=limit, cursor=cursor)
        else:
            ranked = helpful_ranking(found, counts, limit=limit, cursor=cursor)
            docs = [copy.deepcopy(self.reviews.documents[k["_id"]]) for k in ranked.items]
            page = PageResult(docs, ranked.next_cursor)
        items = [d | {"helpful": counts.get(d["_id"], 0)} for d in page.items]
        return PageResult(items, page.next_cursor)

    async def star_counts(self, org_id: str, *, volunteered: bool | None) -> dict[int, int]:
        return dict(Counter(int(d["stars"]) for d in self._listed(org_id, volunteered)))

    async def review_ids_by(self, author_id: str) -> list[str]:
        docs = self.reviews.documents
        return [k for k, d in docs.items() if d.get("author_id") == author_id]

    async def add_vote(self, review_id: str, org_id: str, voter_id: str, at: datetime) -> bool:
        key = vote_key(review_id, voter_id)
        if key in self.votes:
            return False
        self.votes[key] = {"_id": key, "review_id": review_id, "org_id": org_id,
                           "voter_id": voter_id, "at": at}  # fmt: skip
        return True

    async def remove_vote(self, review_id: str, voter_id: str) -> bool:
        return self.votes.pop(vote_key(review_id, voter_id), None) is not None

    async def helpful(self, review_id: str) -> int:
        return self._counts().get(review_id, 0)

    async def voted_among(self, voter_id: str, review_ids: Sequence[str]) -> set[str]:
        return {r for r in review_ids if vote_key(r, voter_id) in self.votes}

    async def forget_votes_on(self, review_id: str) -> None:
        self.votes = {k: v for k, v in self.votes.items() if v["review_id"] != review_id}

    async def forget_votes_by(self, voter_id: str) -> None:
        self.votes = {k: v for k, v in self.votes.items() if v["voter_id"] != voter_id}
