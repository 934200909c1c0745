"""``PostStore`` in memory (the contract suite runs over it and the MongoDB one)."""

from __future__ import annotations

from jumo_common.testing.memory import PublishedEvents


class MemoryPostStore:
    """Post documents in memory."""

    def __init__(self, published: PublishedEvents) -> None:
        self.published = published
