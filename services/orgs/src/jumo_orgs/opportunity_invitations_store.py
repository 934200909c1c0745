"""Invitations of findable volunteers to opportunities.

Collection ``opportunity_invitations``: one per opportunity and volunteer (its ``_id`` a digest
of the pair, so a second invitation of the same person to the same opportunity is refused by
the exclusive insert), ``{opportunity_id, org_id, volunteer_id, slot_id, message, invited_by,
status: pending|accepted|declined, created_at, answered_at, application_id}``; written through
``VersionedDocuments`` (its events: ``opportunity.invited``, ``.invitation_accepted``,
``.invitation_declined``). Erasure deletes a volunteer's invitations and forgets the inviter.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from jumo_common.change import Change
from jumo_common.mongo import ASCENDING, DESCENDING, Collection, Database, Document, IndexSpec
from jumo_common.outbox import Outbox, Plan, VersionedDocuments, Written

COLLECTION = "opportunity_invitations"
INDEXES = (
    IndexSpec(COLLECTION, (("volunteer_id", ASCENDING), ("created_at", DESCENDING))),
    IndexSpec(COLLECTION, (("opportunity_id", ASCENDING),)),
    IndexSpec(COLLECTION, (("invited_by", ASCENDING),)),
)
OUTBOX_COLLECTIONS = (COLLECTION,)
MAX_LISTED = 200


def invitation_id(opportunity_id: str, volunteer_id: str) -> str:
    """The one invitation of a volunteer to an opportunity (32 hex characters)."""
    return hashlib.blake2b(f"{opportunity_id}:{volunteer_id}".encode(), digest_size=16).hexdigest()


class InvitationStore(Protocol):
    """What invitations need of their storage."""

    async def invitation(self, invitation_id: str) -> Document | None:
        """An invitation by id."""
        ...

    async def create(self, doc: Document, plan: Plan) -> bool:
        """Insert an invitation and apply ``plan`` (its event); False when it exists."""
        ...

    async def change(self, invitation_id: str, plan: Plan) -> Written | None:
        """Apply ``plan`` to an existing invitation."""
        ...

    async def of_volunteer(self, volunteer_id: str) -> list[Document]:
        """A volunteer's invitations, newest first."""
        ...

    async def of_opportunity(self, opportunity_id: str) -> list[Document]:
        """An opportunity's invitations, newest first."""
        ...

    async def forget(self, user_id: str) -> None:
        """Delete a volunteer's invitations; the ones they sent name no inviter any more."""
        ...


def _unnamed(doc: Document) -> Change:
    return Change(set={"invited_by": None}, forget_pending=True)


class MongoInvitationStore:
    """``InvitationStore`` on MongoDB / FerretDB."""

    def __init__(self, db: Database, outbox: Outbox, claims: Collection) -> None:
        self.collection: Collection = db[COLLECTION]
        self._docs = VersionedDocuments(self.collection, outbox, claims)

    async def invitation(self, invitation_id: str) -> Document | None:
        """An invitation by id."""
        return await self._docs.get(invitation_id)

    async def create(self, doc: Document, plan: Plan) -> bool:
        """Insert an invitation and apply ``plan`` (its event); False when it exists."""
        if not await self._docs.create(doc):
            return False
        await self._docs.change(doc["_id"], plan)
        return True

    async def change(self, invitation_id: str, plan: Plan) -> Written | None:
        """Apply ``plan`` to an existing invitation."""
        return await self._docs.change(invitation_id, plan)

    async def of_volunteer(self, volunteer_id: str) -> list[Document]:
        """A volunteer's invitations, newest first."""
        found = self.collection.find({"volunteer_id": volunteer_id})
        return await found.sort([("created_at", DESCENDING), ("_id", ASCENDING)]).to_list(
            MAX_LISTED
        )

    async def of_opportunity(self, opportunity_id: str) -> list[Document]:
        """An opportunity's invitations, newest first."""
        found = self.collection.find({"opportunity_id": opportunity_id})
        return await found.sort([("created_at", DESCENDING), ("_id", ASCENDING)]).to_list(
            MAX_LISTED
        )

    async def forget(self, user_id: str) -> None:
        """Delete a volunteer's invitations; the ones they sent name no inviter any more."""
        await self.collection.delete_many({"volunteer_id": user_id})
        async for doc in self.collection.find({"invited_by": user_id}, {"_id": 1}):
            await self._docs.change(doc["_id"], _unnamed)
