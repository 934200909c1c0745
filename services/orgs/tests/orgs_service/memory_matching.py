"""Matching's stores in memory: the index of findable people (over the memory people store)
and the invitations. The contract suite runs them beside the MongoDB ones."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from jumo_common.mongo import Document
from jumo_common.outbox import Plan, Written
from jumo_common.testing.memory import MemoryDocuments, PublishedEvents
from jumo_orgs.candidate_index import rows_of
from jumo_orgs.candidate_store import unique
from jumo_orgs.people_store import PeopleStore


class MemoryCandidateStore:
    """The rows of findable people, rebuilt from the people store at each sync."""

    def __init__(self, people: PeopleStore) -> None:
        self._people = people
        self.rows: dict[str, Document] = {}

    async def sync(self, user_id: str) -> None:
        doc = await self._people.person(user_id)
        await self.forget(user_id)
        self.rows |= {r["_id"]: r for r in rows_of(user_id, doc)}

    async def candidates(self, keys: Sequence[str]) -> list[dict[str, Any]]:
        wanted = set(keys)
        return unique([copy.deepcopy(r) for r in self.rows.values() if r["k"] in wanted])

    async def forget(self, user_id: str) -> None:
        self.rows = {k: r for k, r in self.rows.items() if r["u"] != user_id}


class MemoryInvitationStore:
    """Invitations in memory."""

    def __init__(self, published: PublishedEvents) -> None:
        self.docs = MemoryDocuments(published)

    async def invitation(self, invitation_id: str) -> Document | None:
        return await self.docs.get(invitation_id)

    async def create(self, doc: Document, plan: Plan) -> bool:
        if not await self.docs.create(doc):
            return False
        await self.docs.change(doc["_id"], plan)
        return True

    async def change(self, invitation_id: str, plan: Plan) -> Written | None:
        return await self.docs.change(invitation_id, plan)

    def _where(self, field: str, value: str) -> list[Document]:
        found = [copy.deepcopy(d) for d in self.docs.documents.values() if d.get(field) == value]
        return sorted(sorted(found, key=lambda d: d["_id"]), key=lambda d: d["created_at"],
                      reverse=True)  # fmt: skip

    async def of_volunteer(self, volunteer_id: str) -> list[Document]:
        return self._where("volunteer_id", volunteer_id)

    async def of_opportunity(self, opportunity_id: str) -> list[Document]:
        return self._where("opportunity_id", opportunity_id)

    async def forget(self, user_id: str) -> None:
        for key, doc in list(self.docs.documents.items()):
            if doc.get("volunteer_id") == user_id:
                del self.docs.documents[key]
            elif doc.get("invited_by") == user_id:
                doc["invited_by"] = None
