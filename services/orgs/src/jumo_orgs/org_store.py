"""Organizations and their people: the store's Protocol, its MongoDB implementation, its indexes.

Collections::

    orgs            one per organization: _id (hex id), unique slug, the page's fields, status
                    draft | pending | verified | rejected, search keywords (``terms``,
                    ``prefixes``), headquarters point; ``version``; pending org.* in _outbox.
    org_members     {_id: "<org>:<user>", org_id, user_id, role, state active | invited | none,
                    version = the seq of org.member_added / removed}.
    org_claims      claims of unclaimed (imported) organizations, with their evidence.

(Filled in by the organizations work; ``Access`` uses ``org``, ``org_by_slug`` and ``member``.)
"""

from __future__ import annotations

from typing import Protocol

from jumo_common.mongo import ASCENDING, Collection, Database, Document, IndexSpec
from jumo_common.outbox import Outbox, VersionedDocuments

INDEXES = (
    IndexSpec("orgs", (("slug", ASCENDING),), unique=True),
    IndexSpec("org_members", (("user_id", ASCENDING), ("state", ASCENDING))),
    IndexSpec("org_members", (("org_id", ASCENDING), ("state", ASCENDING))),
)
OUTBOX_COLLECTIONS = ("orgs", "org_members")


def member_key(org_id: str, user_id: str) -> str:
    """The _id of a person's membership of an organization."""
    return f"{org_id}:{user_id}"


class OrgStore(Protocol):
    """What the use cases need of organizations and their people."""

    async def org(self, org_id: str) -> Document | None:
        """An organization by id."""
        ...

    async def org_by_slug(self, slug: str) -> Document | None:
        """An organization by slug."""
        ...

    async def member(self, org_id: str, user_id: str) -> Document | None:
        """A person's membership of an organization (any state), if any."""
        ...


class MongoOrgStore:
    """``OrgStore`` on MongoDB / FerretDB."""

    def __init__(self, db: Database, outbox: Outbox, claims: Collection) -> None:
        self.orgs: Collection = db["orgs"]
        self.members: Collection = db["org_members"]
        self._orgs = VersionedDocuments(self.orgs, outbox, claims)
        self._members = VersionedDocuments(self.members, outbox, claims)

    async def org(self, org_id: str) -> Document | None:
        """An organization by id."""
        return await self._orgs.get(org_id)

    async def org_by_slug(self, slug: str) -> Document | None:
        """An organization by slug."""
        return await self.orgs.find_one({"slug": slug})

    async def member(self, org_id: str, user_id: str) -> Document | None:
        """A person's membership of an organization (any state), if any."""
        return await self._members.get(member_key(org_id, user_id))
