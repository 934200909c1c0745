"""``ModerationStore`` in memory (the contract suite runs over it and the MongoDB one)."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from jumo_common.mongo import Document, PageResult
from jumo_common.outbox import UpsertPlan, Written
from jumo_common.testing.memory import MemoryDocuments, PublishedEvents, page_of, stored
from jumo_orgs.moderation_store import (
    BLOCKS_SORT,
    MINE_SORT,
    QUEUE_SORT,
    block_key,
)


class MemoryModerationStore:
    """Reports and blocks in memory."""

    def __init__(self, published: PublishedEvents) -> None:
        self.published = published
        self.blocks: dict[str, Document] = {}
        self.reports = MemoryDocuments(published)

    async def block(self, org_id: str, user_id: str) -> Document | None:
        return copy.deepcopy(self.blocks.get(block_key(org_id, user_id)))

    async def add_block(self, document: Mapping[str, Any]) -> bool:
        if document["_id"] in self.blocks:
            return False
        self.blocks[document["_id"]] = stored(dict(document))
        return True

    async def remove_block(self, org_id: str, user_id: str) -> bool:
        return self.blocks.pop(block_key(org_id, user_id), None) is not None

    async def blocks_page(self, org_id: str, *, limit: int, cursor: str | None) -> PageResult:
        found = [b for b in self.blocks.values() if b.get("org_id") == org_id]
        return page_of(found, BLOCKS_SORT, limit=limit, cursor=cursor)

    async def forget_blocks(self, user_id: str) -> None:
        for key, found in list(self.blocks.items()):
            if found.get("user_id") == user_id:
                del self.blocks[key]
            elif found.get("blocked_by") == user_id:
                del found["blocked_by"]

    async def report(self, report_id: str) -> Document | None:
        return await self.reports.get(report_id)

    async def change_report(self, report_id: str, plan: UpsertPlan) -> Written:
        return await self.reports.upsert(report_id, plan)

    async def reports_by(self, reporter_id: str, *, limit: int, cursor: str | None) -> PageResult:
        found = self._where(lambda r: r.get("reporter_id") == reporter_id)
        return page_of(found, MINE_SORT, limit=limit, cursor=cursor)

    async def reports_page(self, status: str, *, limit: int, cursor: str | None) -> PageResult:
        found = self._where(lambda r: r.get("status") == status)
        return page_of(found, QUEUE_SORT, limit=limit, cursor=cursor)

    async def reports_of(self, target_keys: Sequence[str], status: str) -> list[Document]:
        keys = set(target_keys)
        found = self._where(lambda r: r.get("target_key") in keys and r.get("status") == status)
        return copy.deepcopy(found)

    async def reports_mentioning(self, user_id: str) -> list[Document]:
        def names(report: Document) -> bool:
            return user_id in (report.get("reporter_id"), report.get("resolved_by")) or (
                user_id in str(report.get("target_id", ""))
            )

        return copy.deepcopy(self._where(names))

    async def delete_reports(self, report_ids: Sequence[str]) -> None:
        for report_id in report_ids:
            self.reports.documents.pop(report_id, None)

    def _where(self, keep: Any) -> list[Document]:
        return [r for r in self.reports.documents.values() if keep(r)]
