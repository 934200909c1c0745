"""Reports and blocks: the store's Protocol, its MongoDB implementation, its indexes.

Collections::

    reports     what people reported (an organization, a post, a review), the reason, and the
                moderator's decision.
    org_blocks  {_id: "<org>:<user>"}: the organization's admins blocked this person from
                interacting with it (following, reviewing, reporting it).

(Filled in by the moderation work; ``Access`` uses ``block``.)
"""

from __future__ import annotations

from typing import Protocol

from jumo_common.mongo import Collection, Database, Document, IndexSpec
from jumo_common.outbox import Outbox

INDEXES: tuple[IndexSpec, ...] = ()
OUTBOX_COLLECTIONS = ("reports",)


def block_key(org_id: str, user_id: str) -> str:
    """The _id of a block of a person by an organization."""
    return f"{org_id}:{user_id}"


class ModerationStore(Protocol):
    """What the use cases need of reports and blocks."""

    async def block(self, org_id: str, user_id: str) -> Document | None:
        """The block of a person by an organization, if any."""
        ...


class MongoModerationStore:
    """``ModerationStore`` on MongoDB / FerretDB."""

    def __init__(self, db: Database, outbox: Outbox, claims: Collection) -> None:
        self.reports: Collection = db["reports"]
        self.blocks: Collection = db["org_blocks"]

    async def block(self, org_id: str, user_id: str) -> Document | None:
        """The block of a person by an organization, if any."""
        return await self.blocks.find_one({"_id": block_key(org_id, user_id)})
