"""Causes people join: the store's Protocol, its MongoDB implementation, its indexes.

Collections::

    cause_members   {_id: "<cause slug>:<user>", cause, user_id, active, since,
                    version = the seq of cause.joined / cause.left}. Kept when the person
                    leaves (``active: false``), so that the version of the pair keeps counting.
                    A deleted person's become tombstones {_id, user_id, deleted: true, version,
                    _outbox: [cause.left]} until the relay has sent their events;
                    ``purge_forgotten`` then deletes them.

Read here, never written: ``orgs``, the organizations area's collection, by the fields
``_id``, ``slug``, ``name``, ``status``, ``hidden``, ``causes`` (an array of cause slugs) and
``hq`` (city, country) only — to count a cause's organizations and to list them. An
organization counts when it is ``verified`` and not ``hidden``.

Counts are counted (``count_documents``, ``$group`` with ``$sum``), never kept with ``$inc``:
FerretDB loses concurrent updates of one document. The catalogue itself is in the repository
(``catalogue.py``), not in the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

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
from jumo_common.outbox import Outbox, UpsertPlan, VersionedDocuments, Written

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec("cause_members", (("cause", ASCENDING), ("active", ASCENDING))),
    IndexSpec("cause_members", (("user_id", ASCENDING), ("active", ASCENDING))),
    IndexSpec("cause_members", (("deleted", ASCENDING),)),
    # A cause's organizations, by name (slug); the organizations area owns the collection.
    IndexSpec("orgs", (("causes", ASCENDING), ("status", ASCENDING), ("slug", ASCENDING))),
)
OUTBOX_COLLECTIONS = ("cause_members",)
# A cause's organizations are listed by name: their slug is the name folded, and unique.
ORG_PAGE_SORT = (("slug", ASCENDING), ("_id", ASCENDING))
ORG_FIELDS = {"_id": 1, "slug": 1, "name": 1, "status": 1, "hidden": 1, "causes": 1, "hq": 1}
VISIBLE_ORG: Document = {"status": "verified", "hidden": {"$ne": True}}


def membership_key(cause: str, user_id: str) -> str:
    """The _id of a person's membership of a cause."""
    return f"{cause}:{user_id}"


def orgs_of(causes: Sequence[str]) -> Document:
    """The filter of the visible organizations that chose any of ``causes``."""
    return {"causes": {"$in": list(causes)}, **VISIBLE_ORG}


class CauseStore(Protocol):
    """What the use cases need of cause memberships (and of organizations, to count them)."""

    async def membership(self, cause: str, user_id: str) -> Document | None:
        """A person's membership of a cause (joined, left or a tombstone), if any."""
        ...

    async def change_membership(self, cause: str, user_id: str, plan: UpsertPlan) -> Written:
        """Apply ``plan`` to the membership of a pair (or to its absence)."""
        ...

    async def member_counts(self) -> dict[str, int]:
        """The number of members of each cause that has any."""
        ...

    async def distinct_members(self, causes: Sequence[str]) -> int:
        """How many people joined any of ``causes`` (each person once)."""
        ...

    async def org_counts(self) -> dict[str, int]:
        """The number of visible organizations that chose each cause that has any."""
        ...

    async def count_orgs(self, causes: Sequence[str]) -> int:
        """How many visible organizations chose any of ``causes`` (each once)."""
        ...

    async def org_page(
        self, causes: Sequence[str], *, limit: int, cursor: str | None
    ) -> PageResult:
        """Visible organizations that chose any of ``causes``, by name (slug)."""
        ...

    async def memberships_of(self, user_id: str) -> list[Document]:
        """The causes a person is a member of now, newest first."""
        ...

    async def every_membership_of(self, user_id: str) -> list[Document]:
        """Every membership document of a person, left ones too, tombstones not."""
        ...

    async def purge_forgotten(self, user_id: str | None = None) -> int:
        """Delete the tombstones (of one person, or everyone's) whose events were all sent."""
        ...


class MongoCauseStore:
    """``CauseStore`` on MongoDB / FerretDB."""

    def __init__(self, db: Database, outbox: Outbox, claims: Collection) -> None:
        self.members: Collection = db["cause_members"]
        self.orgs: Collection = db["orgs"]
        self._outbox = outbox
        self._members = VersionedDocuments(self.members, outbox, claims)

    async def membership(self, cause: str, user_id: str) -> Document | None:
        """A person's membership of a cause (joined, left or a tombstone), if any."""
        return await self._members.get(membership_key(cause, user_id))

    async def change_membership(self, cause: str, user_id: str, plan: UpsertPlan) -> Written:
        """Apply ``plan`` to the membership of a pair (or to its absence)."""
        return await self._members.upsert(membership_key(cause, user_id), plan)

    async def member_counts(self) -> dict[str, int]:
        """The number of members of each cause that has any."""
        return await _grouped(self.members, [{"$match": {"active": True}}], "$cause")

    async def distinct_members(self, causes: Sequence[str]) -> int:
        """How many people joined any of ``causes`` (each person once)."""
        pipeline: list[Document] = [
            {"$match": {"cause": {"$in": list(causes)}, "active": True}},
            {"$group": {"_id": "$user_id"}},
            {"$count": "n"},
        ]
        found = await (await self.members.aggregate(pipeline)).to_list()
        return int(found[0]["n"]) if found else 0

    async def org_counts(self) -> dict[str, int]:
        """The number of visible organizations that chose each cause that has any."""
        stages: list[Document] = [
            {"$match": VISIBLE_ORG}, {"$project": {"causes": 1}}, {"$unwind": "$causes"},
        ]  # fmt: skip
        return await _grouped(self.orgs, stages, "$causes")

    async def count_orgs(self, causes: Sequence[str]) -> int:
        """How many visible organizations chose any of ``causes`` (each once)."""
        return await self.orgs.count_documents(orgs_of(causes))

    async def org_page(
        self, causes: Sequence[str], *, limit: int, cursor: str | None
    ) -> PageResult:
        """Visible organizations that chose any of ``causes``, by name (slug)."""
        return await find_page(
            self.orgs, orgs_of(causes), ORG_PAGE_SORT, limit=limit, cursor=cursor,
            projection=ORG_FIELDS,
        )  # fmt: skip

    async def memberships_of(self, user_id: str) -> list[Document]:
        """The causes a person is a member of now, newest first."""
        found = self.members.find({"user_id": user_id, "active": True})
        return await found.sort([("since", DESCENDING), ("_id", ASCENDING)]).to_list()

    async def every_membership_of(self, user_id: str) -> list[Document]:
        """Every membership document of a person, left ones too, tombstones not."""
        found = await self.members.find({"user_id": user_id}).to_list()
        return [doc for doc in found if not doc.get("deleted")]

    async def purge_forgotten(self, user_id: str | None = None) -> int:
        """Delete the tombstones (of one person, or everyone's) whose events were all sent."""
        return await purge_sent_tombstones(self.members, self._outbox, user_id)


async def _grouped(collection: Collection, stages: list[Document], key: str) -> dict[str, int]:
    pipeline = [*stages, {"$group": {"_id": key, "n": {"$sum": 1}}}]
    found = await (await collection.aggregate(pipeline)).to_list()
    return {str(row["_id"]): int(row["n"]) for row in found if row["_id"] is not None}


async def purge_sent_tombstones(collection: Collection, outbox: Outbox, user_id: str | None) -> int:
    """Delete the tombstones in ``collection`` whose events the relay has confirmed.

    A tombstone is a pair document of a deleted person that still carries the events saying
    so (cause.left, org.unfollowed); once they are out, nothing needs it. Nobody writes a
    deleted person's documents any more, so deleting one cannot erase a concurrent write.
    """
    query: dict[str, Any] = {"deleted": True}
    if user_id is not None:
        query["user_id"] = user_id
    purged = 0
    for doc in await collection.find(query).to_list():
        if not await outbox.pending(collection, doc):
            result = await collection.delete_one({"_id": doc["_id"], "version": doc["version"]})
            purged += result.deleted_count
    return purged
