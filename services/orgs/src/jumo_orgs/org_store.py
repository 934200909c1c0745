"""Organizations and their people: the store's Protocol, its MongoDB implementation, its indexes.

Collections::

    orgs            one per organization: _id (hex id), unique slug, the page's fields, status
                    draft | pending | verified | rejected, ``hidden``, ``owners`` (the user ids
                    of its owners: the lock that keeps at least one, see ``members``; empty =
                    unclaimed), ``created_by``, search keywords (``terms``, ``prefixes``), the
                    headquarters point ``hq.lat``/``hq.lng``; imported ones ``external_id``;
                    ``version``; pending org.* in _outbox. Every write of one is followed by
                    the rows of search's index (``search_sync``: search reads only those).
    org_members     {_id: "<org>:<user>", org_id, user_id, role, state active | invited | none,
                    since, invited_by; version = the seq of org.member_added / removed}. Kept
                    in state ``none`` when someone leaves, so the version (the seq consumers
                    order by) never restarts.
    org_claims      {_id: "<org>:<user>", org_id, user_id, evidence, state open | approved |
                    rejected, reason, created_at, decided_at}: one claim per person and
                    organization at a time; claims publish nothing.

``Access`` uses ``org``, ``org_by_slug`` and ``member``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from jumo_common.events import Envelope
from jumo_common.logging import get_logger
from jumo_common.mongo import (
    ASCENDING,
    DESCENDING,
    Collection,
    Database,
    Document,
    IndexSpec,
    PageResult,
    find_page,
)
from jumo_common.outbox import Outbox, Plan, UpsertPlan, VersionedDocuments, Written
from jumo_orgs.search_sync import MongoSearchIndex

log = get_logger(__name__)

INDEXES = (
    IndexSpec("orgs", (("slug", ASCENDING),), unique=True),
    IndexSpec("orgs", (("status", ASCENDING), ("submitted_at", ASCENDING), ("_id", ASCENDING))),
    IndexSpec("orgs", (("created_by", ASCENDING),)),
    IndexSpec("org_members", (("user_id", ASCENDING), ("state", ASCENDING))),
    IndexSpec("org_members", (("org_id", ASCENDING), ("state", ASCENDING))),
    IndexSpec("org_claims", (("state", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING))),
    IndexSpec("org_claims", (("user_id", ASCENDING),)),
)
OUTBOX_COLLECTIONS = ("orgs", "org_members")
PENDING_SORT = (("submitted_at", ASCENDING), ("_id", ASCENDING))  # oldest first
MEMBERS_SORT = (("since", ASCENDING), ("_id", ASCENDING))
INVITATIONS_SORT = (("since", DESCENDING), ("_id", DESCENDING))
OPEN_CLAIMS_SORT = (("created_at", ASCENDING), ("_id", ASCENDING))
MY_CLAIMS_SORT = (("created_at", DESCENDING), ("_id", DESCENDING))


def member_key(org_id: str, user_id: str) -> str:
    """The _id of a person's membership of an organization."""
    return f"{org_id}:{user_id}"


def claim_key(org_id: str, user_id: str) -> str:
    """The _id (and public id) of a person's claim of an organization."""
    return f"{org_id}:{user_id}"


class OrgStore(Protocol):
    """What the use cases need of organizations, their people and claims."""

    async def org(self, org_id: str) -> Document | None:
        """An organization by id."""
        ...

    async def org_by_slug(self, slug: str) -> Document | None:
        """An organization by slug."""
        ...

    async def create_org(
        self, document: Mapping[str, Any], events: Sequence[Envelope[Any]]
    ) -> bool:
        """Create an organization; False when its _id or slug is taken."""
        ...

    async def change_org(self, org_id: str, plan: Plan) -> Written | None:
        """Apply ``plan`` to an organization (None: no such organization)."""
        ...

    async def pending_page(self, *, limit: int, cursor: str | None) -> PageResult:
        """Organizations waiting for verification, oldest submission first."""
        ...

    async def orgs_created_by(self, user_id: str) -> list[str]:
        """Ids of the organizations a person created."""
        ...

    async def member(self, org_id: str, user_id: str) -> Document | None:
        """A person's membership of an organization (any state), if any."""
        ...

    async def change_member(self, org_id: str, user_id: str, plan: UpsertPlan) -> Written:
        """Apply ``plan`` to a person's membership (or to its absence)."""
        ...

    async def members_page(
        self, org_id: str, state: str, *, limit: int, cursor: str | None
    ) -> PageResult:
        """Memberships of an organization in ``state``, oldest first."""
        ...

    async def count_members(self, org_id: str) -> int:
        """How many active people an organization has (counted, never kept)."""
        ...

    async def memberships_of(self, user_id: str) -> list[Document]:
        """A person's active memberships and pending invitations."""
        ...

    async def invitations_of(self, user_id: str, *, limit: int, cursor: str | None) -> PageResult:
        """A person's pending invitations, newest first."""
        ...

    async def claim(self, claim_id: str) -> Document | None:
        """A claim by id."""
        ...

    async def change_claim(self, claim_id: str, plan: UpsertPlan) -> Written:
        """Apply ``plan`` to a claim (or to its absence)."""
        ...

    async def open_claims_page(self, *, limit: int, cursor: str | None) -> PageResult:
        """Claims waiting for a moderator, oldest first."""
        ...

    async def claims_of(self, user_id: str, *, limit: int, cursor: str | None) -> PageResult:
        """A person's claims, newest first."""
        ...

    async def delete_claims_of(self, user_id: str) -> None:
        """Delete every claim a person made."""
        ...


class MongoOrgStore:
    """``OrgStore`` on MongoDB / FerretDB."""

    def __init__(self, db: Database, outbox: Outbox, claims: Collection) -> None:
        self.orgs: Collection = db["orgs"]
        self.members: Collection = db["org_members"]
        self.claims: Collection = db["org_claims"]
        self._orgs = VersionedDocuments(self.orgs, outbox, claims)
        self._members = VersionedDocuments(self.members, outbox, claims)
        self._claims = VersionedDocuments(self.claims, outbox, claims)
        self._search = MongoSearchIndex(db)

    async def org(self, org_id: str) -> Document | None:
        """An organization by id."""
        return await self._orgs.get(org_id)

    async def org_by_slug(self, slug: str) -> Document | None:
        """An organization by slug."""
        return await self.orgs.find_one({"slug": slug})

    async def create_org(
        self, document: Mapping[str, Any], events: Sequence[Envelope[Any]]
    ) -> bool:
        """Create an organization; False when its _id or slug is taken."""
        created = await self._orgs.create(document, events)
        if created:
            await self._index(document["_id"], {**document, "version": 1})
        return created

    async def change_org(self, org_id: str, plan: Plan) -> Written | None:
        """Apply ``plan`` to an organization (None: no such organization)."""
        written = await self._orgs.change(org_id, plan)
        if written is not None and (change := written.change) is not None:
            # ``after`` applies top-level names only: a dotted one means reading it back.
            dotted = any("." in name for name in (*change.set, *change.unset))
            await self._index(org_id, None if dotted else written.after())
        return written

    async def _index(self, org_id: str, doc: Document | None) -> None:
        """Search's rows of the organization just written. Its write stands whatever happens
        here (the caller must not write it twice): a failure is left to the index's repair,
        and a cancelled request still finishes the rows."""
        try:
            await asyncio.shield(self._search.sync(org_id, doc))
        except Exception:
            log.exception("search index of an organization left to repair", org_id=org_id)

    async def pending_page(self, *, limit: int, cursor: str | None) -> PageResult:
        """Organizations waiting for verification, oldest submission first."""
        query = {"status": "pending"}
        return await find_page(self.orgs, query, PENDING_SORT, limit=limit, cursor=cursor)

    async def orgs_created_by(self, user_id: str) -> list[str]:
        """Ids of the organizations a person created."""
        return [doc["_id"] async for doc in self.orgs.find({"created_by": user_id}, {"_id": 1})]

    async def member(self, org_id: str, user_id: str) -> Document | None:
        """A person's membership of an organization (any state), if any."""
        return await self._members.get(member_key(org_id, user_id))

    async def change_member(self, org_id: str, user_id: str, plan: UpsertPlan) -> Written:
        """Apply ``plan`` to a person's membership (or to its absence)."""
        return await self._members.upsert(member_key(org_id, user_id), plan)

    async def members_page(
        self, org_id: str, state: str, *, limit: int, cursor: str | None
    ) -> PageResult:
        """Memberships of an organization in ``state``, oldest first."""
        query = {"org_id": org_id, "state": state}
        return await find_page(self.members, query, MEMBERS_SORT, limit=limit, cursor=cursor)

    async def count_members(self, org_id: str) -> int:
        """How many active people an organization has (counted, never kept)."""
        return await self.members.count_documents({"org_id": org_id, "state": "active"})

    async def memberships_of(self, user_id: str) -> list[Document]:
        """A person's active memberships and pending invitations."""
        found = self.members.find({"user_id": user_id})
        return [doc async for doc in found if doc.get("state") in ("active", "invited")]

    async def invitations_of(self, user_id: str, *, limit: int, cursor: str | None) -> PageResult:
        """A person's pending invitations, newest first."""
        query = {"user_id": user_id, "state": "invited"}
        return await find_page(self.members, query, INVITATIONS_SORT, limit=limit, cursor=cursor)

    async def claim(self, claim_id: str) -> Document | None:
        """A claim by id."""
        return await self._claims.get(claim_id)

    async def change_claim(self, claim_id: str, plan: UpsertPlan) -> Written:
        """Apply ``plan`` to a claim (or to its absence)."""
        return await self._claims.upsert(claim_id, plan)

    async def open_claims_page(self, *, limit: int, cursor: str | None) -> PageResult:
        """Claims waiting for a moderator, oldest first."""
        query = {"state": "open"}
        return await find_page(self.claims, query, OPEN_CLAIMS_SORT, limit=limit, cursor=cursor)

    async def claims_of(self, user_id: str, *, limit: int, cursor: str | None) -> PageResult:
        """A person's claims, newest first."""
        query = {"user_id": user_id}
        return await find_page(self.claims, query, MY_CLAIMS_SORT, limit=limit, cursor=cursor)

    async def delete_claims_of(self, user_id: str) -> None:
        """Delete every claim a person made (claims carry no events: nothing is left unsent)."""
        await self.claims.delete_many({"user_id": user_id})
