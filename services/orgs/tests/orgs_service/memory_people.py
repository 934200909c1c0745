"""``PeopleStore`` in memory (the contract suite runs over it and the MongoDB one)."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from jumo_common.mongo import Document
from jumo_common.outbox import UpsertPlan, Written
from jumo_common.testing.memory import MemoryDocuments, PublishedEvents
from jumo_orgs.people_store import follow_key


class MemoryPeopleStore:
    """The people projection in memory."""

    def __init__(self, published: PublishedEvents) -> None:
        self._people = MemoryDocuments(published)
        self._follows = MemoryDocuments(published)

    async def person(self, user_id: str) -> Document | None:
        return await self._people.get(user_id)

    async def people(self, user_ids: Sequence[str]) -> list[Document]:
        docs = self._people.documents
        return [
            copy.deepcopy(docs[i]) for i in user_ids if i in docs and not docs[i].get("deleted")
        ]

    async def change_person(self, user_id: str, plan: UpsertPlan) -> Written:
        return await self._people.upsert(user_id, plan)

    async def follow(self, follower_id: str, followee_id: str) -> Document | None:
        return await self._follows.get(follow_key(follower_id, followee_id))

    async def change_follow(self, follower_id: str, followee_id: str, plan: UpsertPlan) -> Written:
        return await self._follows.upsert(follow_key(follower_id, followee_id), plan)

    async def forget_follows(self, user_id: str) -> None:
        for key, doc in list(self._follows.documents.items()):
            if user_id in (doc.get("follower_id"), doc.get("followee_id")):
                del self._follows.documents[key]
