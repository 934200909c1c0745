"""``ModerationStore`` in memory (the contract suite runs over it and the MongoDB one)."""

from __future__ import annotations

import copy

from jumo_common.mongo import Document
from jumo_common.testing.memory import PublishedEvents
from jumo_orgs.moderation_store import block_key


class MemoryModerationStore:
    """Reports and blocks in memory."""

    def __init__(self, published: PublishedEvents) -> None:
        self.published = published
        self.blocks: dict[str, Document] = {}

    async def block(self, org_id: str, user_id: str) -> Document | None:
        return copy.deepcopy(self.blocks.get(block_key(org_id, user_id)))
