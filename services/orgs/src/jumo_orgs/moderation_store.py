"""Reports and blocks: the store's Protocol, its MongoDB implementation, its indexes.

Collections::

    reports     one per person and thing reported, {_id: report_key(kind, target, reporter)}:
                reporter_id, target_kind (org | post | review), target_id, target_key
                ("<kind>:<id>"), org_id (the organization the thing belongs to), reason, text,
                status open | resolved, then outcome (hidden | dismissed), note, resolved_by,
                resolved_at; created_at; version; pending report.resolved in _outbox. Filing
                again while it is open changes nothing; after a decision it opens it again.
    org_blocks  {_id: "<org>:<user>", org_id, user_id, blocked_by, at}: the organization's
                admins blocked this person from interacting with it (following, reviewing,
                reporting it). A block carries no event: it is an exclusive insert and a delete.

``Access`` uses ``block``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
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
    insert_once,
)
from jumo_common.outbox import Outbox, UpsertPlan, VersionedDocuments, Written

INDEXES = (
    IndexSpec("reports", (("status", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING))),
    IndexSpec("reports", (("reporter_id", ASCENDING), ("created_at", DESCENDING))),
    IndexSpec("reports", (("target_key", ASCENDING), ("status", ASCENDING))),
    IndexSpec("org_blocks", (("org_id", ASCENDING), ("at", DESCENDING))),
    IndexSpec("org_blocks", (("user_id", ASCENDING),)),
)
OUTBOX_COLLECTIONS = ("reports",)
QUEUE_SORT = (("created_at", ASCENDING), ("_id", ASCENDING))  # oldest first
MINE_SORT = (("created_at", DESCENDING), ("_id", DESCENDING))  # newest first
BLOCKS_SORT = (("at", DESCENDING), ("_id", DESCENDING))


def block_key(org_id: str, user_id: str) -> str:
    """The _id of a block of a person by an organization."""
    return f"{org_id}:{user_id}"


def target_key(kind: str, target_id: str) -> str:
    """What groups the reports of one thing."""
    return f"{kind}:{target_id}"


def report_key(kind: str, target_id: str, reporter_id: str) -> str:
    """The _id of a person's report of a thing: opaque, and the same at every filing."""
    return hashlib.sha256(f"{kind}\n{target_id}\n{reporter_id}".encode()).hexdigest()[:32]


class ModerationStore(Protocol):
    """What the use cases need of reports and blocks."""

    async def block(self, org_id: str, user_id: str) -> Document | None:
        """The block of a person by an organization, if any."""
        ...

    async def add_block(self, document: Mapping[str, Any]) -> bool:
        """Insert a block; False when the person is blocked already."""
        ...

    async def remove_block(self, org_id: str, user_id: str) -> bool:
        """Delete a block; False when there was none."""
        ...

    async def blocks_page(self, org_id: str, *, limit: int, cursor: str | None) -> PageResult:
        """An organization's blocks, newest first."""
        ...

    async def forget_blocks(self, user_id: str) -> None:
        """Delete the person's blocks, and their name on the blocks they made."""
        ...

    async def report(self, report_id: str) -> Document | None:
        """A report by id."""
        ...

    async def change_report(self, report_id: str, plan: UpsertPlan) -> Written:
        """Apply ``plan`` to a report (or to its absence)."""
        ...

    async def reports_by(self, reporter_id: str, *, limit: int, cursor: str | None) -> PageResult:
        """A person's reports, newest first."""
        ...

    async def reports_page(self, status: str, *, limit: int, cursor: str | None) -> PageResult:
        """Reports in ``status``, oldest first."""
        ...

    async def reports_of(self, target_keys: Sequence[str], status: str) -> list[Document]:
        """Every report in ``status`` of these things."""
        ...

    async def reports_mentioning(self, user_id: str) -> list[Document]:
        """Reports that name the person: theirs, about their things, or decided by them."""
        ...

    async def delete_reports(self, report_ids: Sequence[str]) -> None:
        """Delete these reports (with their unsent events)."""
        ...


class MongoModerationStore:
    """``ModerationStore`` on MongoDB / FerretDB."""

    def __init__(self, db: Database, outbox: Outbox, claims: Collection) -> None:
        self.reports: Collection = db["reports"]
        self.blocks: Collection = db["org_blocks"]
        self._reports = VersionedDocuments(self.reports, outbox, claims)

    async def block(self, org_id: str, user_id: str) -> Document | None:
        """The block of a person by an organization, if any."""
        return await self.blocks.find_one({"_id": block_key(org_id, user_id)})

    async def add_block(self, document: Mapping[str, Any]) -> bool:
        """Insert a block; False when the person is blocked already."""
        return await insert_once(self.blocks, dict(document))

    async def remove_block(self, org_id: str, user_id: str) -> bool:
        """Delete a block; False when there was none."""
        deleted = await self.blocks.delete_one({"_id": block_key(org_id, user_id)})
        return deleted.deleted_count == 1

    async def blocks_page(self, org_id: str, *, limit: int, cursor: str | None) -> PageResult:
        """An organization's blocks, newest first."""
        query = {"org_id": org_id}
        return await find_page(self.blocks, query, BLOCKS_SORT, limit=limit, cursor=cursor)

    async def forget_blocks(self, user_id: str) -> None:
        """Delete the person's blocks, and their name on the blocks they made."""
        await self.blocks.delete_many({"user_id": user_id})
        await self.blocks.update_many({"blocked_by": user_id}, {"$unset": {"blocked_by": ""}})

    async def report(self, report_id: str) -> Document | None:
        """A report by id."""
        return await self._reports.get(report_id)

    async def change_report(self, report_id: str, plan: UpsertPlan) -> Written:
        """Apply ``plan`` to a report (or to its absence)."""
        return await self._reports.upsert(report_id, plan)

    async def reports_by(self, reporter_id: str, *, limit: int, cursor: str | None) -> PageResult:
        """A person's reports, newest first."""
        query = {"reporter_id": reporter_id}
        return await find_page(self.reports, query, MINE_SORT, limit=limit, cursor=cursor)

    async def reports_page(self, status: str, *, limit: int, cursor: str | None) -> PageResult:
        """Reports in ``status``, oldest first."""
        query = {"status": status}
        return await find_page(self.reports, query, QUEUE_SORT, limit=limit, cursor=cursor)

    async def reports_of(self, target_keys: Sequence[str], status: str) -> list[Document]:
        """Every report in ``status`` of these things."""
        found = self.reports.find({"target_key": {"$in": list(target_keys)}, "status": status})
        return await found.to_list(length=None)

    async def reports_mentioning(self, user_id: str) -> list[Document]:
        """Reports that name the person: theirs, about their things, or decided by them."""
        named = re.escape(user_id)
        query = {"$or": [{"reporter_id": user_id}, {"resolved_by": user_id},
                         {"target_id": {"$regex": named}}]}  # fmt: skip
        return await self.reports.find(query).to_list(length=None)

    async def delete_reports(self, report_ids: Sequence[str]) -> None:
        """Delete these reports (with their unsent events)."""
        if report_ids:
            await self.reports.delete_many({"_id": {"$in": list(report_ids)}})
