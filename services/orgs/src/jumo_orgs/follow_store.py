"""People following organizations, with their settings: Protocol, MongoDB implementation,
indexes.

Collections::

    org_follows     {_id: "<user>:<org>", user_id, org_id, active, in_feed, notify, digest,
                    since, version = the seq of org.followed / follow_changed / unfollowed}.
                    Kept when the person unfollows (``active: false``, no settings), so that
                    the version of the pair keeps counting. A deleted person's become
                    tombstones {_id, user_id, deleted: true, version, _outbox: [org.unfollowed]}
                    until the relay has sent their events; ``purge_forgotten`` then deletes them.

Read here, never written: ``orgs``, the organizations area's collection, by ``_id`` with the
fields ``_id``, ``slug``, ``name``, ``status``, ``hidden`` only — the cards of the
organizations a person follows. Follower counts are counted (``count_documents``), never kept
with ``$inc``: FerretDB loses concurrent updates of one document.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

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
from jumo_orgs.cause_store import purge_sent_tombstones

FOLLOW_PAGE_SORT = (("since", DESCENDING), ("_id", DESCENDING))
INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec("org_follows", (("user_id", ASCENDING), ("active", ASCENDING), *FOLLOW_PAGE_SORT)),
    IndexSpec("org_follows", (("org_id", ASCENDING), ("active", ASCENDING), *FOLLOW_PAGE_SORT)),
    IndexSpec("org_follows", (("deleted", ASCENDING),)),
)
OUTBOX_COLLECTIONS = ("org_follows",)
CARD_FIELDS = {"_id": 1, "slug": 1, "name": 1, "status": 1, "hidden": 1}


def follow_key(user_id: str, org_id: str) -> str:
    """The _id of a person's follow of an organization."""
    return f"{user_id}:{org_id}"


class FollowStore(Protocol):
    """What the use cases need of organization follows."""

    async def follow(self, user_id: str, org_id: str) -> Document | None:
        """A person's follow of an organization (active, ended or a tombstone), if any."""
        ...

    async def change_follow(self, user_id: str, org_id: str, plan: UpsertPlan) -> Written:
        """Apply ``plan`` to the follow of a pair (or to its absence)."""
        ...

    async def following_page(self, user_id: str, *, limit: int, cursor: str | None) -> PageResult:
        """The organizations a person follows now, newest follow first."""
        ...

    async def followers_page(self, org_id: str, *, limit: int, cursor: str | None) -> PageResult:
        """The people who follow an organization now, newest first."""
        ...

    async def count_followers(self, org_id: str) -> int:
        """How many people follow an organization now."""
        ...

    async def orgs(self, org_ids: Sequence[str]) -> dict[str, Document]:
        """The organizations among ``org_ids`` (card fields only), by id."""
        ...

    async def every_follow_of(self, user_id: str) -> list[Document]:
        """Every follow document of a person, ended ones too, tombstones not."""
        ...

    async def purge_forgotten(self, user_id: str | None = None) -> int:
        """Delete the tombstones (of one person, or everyone's) whose events were all sent."""
        ...


class MongoFollowStore:
    """``FollowStore`` on MongoDB / FerretDB."""

    def __init__(self, db: Database, outbox: Outbox, claims: Collection) -> None:
        self.follows: Collection = db["org_follows"]
        self.org_documents: Collection = db["orgs"]
        self._outbox = outbox
        self._follows = VersionedDocuments(self.follows, outbox, claims)

    async def follow(self, user_id: str, org_id: str) -> Document | None:
        """A person's follow of an organization (active, ended or a tombstone), if any."""
        return await self._follows.get(follow_key(user_id, org_id))

    async def change_follow(self, user_id: str, org_id: str, plan: UpsertPlan) -> Written:
        """Apply ``plan`` to the follow of a pair (or to its absence)."""
        return await self._follows.upsert(follow_key(user_id, org_id), plan)

    async def following_page(self, user_id: str, *, limit: int, cursor: str | None) -> PageResult:
        """The organizations a person follows now, newest follow first."""
        query = {"user_id": user_id, "active": True}
        return await find_page(self.follows, query, FOLLOW_PAGE_SORT, limit=limit, cursor=cursor)

    async def followers_page(self, org_id: str, *, limit: int, cursor: str | None) -> PageResult:
        """The people who follow an organization now, newest first."""
        query = {"org_id": org_id, "active": True}
        return await find_page(self.follows, query, FOLLOW_PAGE_SORT, limit=limit, cursor=cursor)

    async def count_followers(self, org_id: str) -> int:
        """How many people follow an organization now."""
        return await self.follows.count_documents({"org_id": org_id, "active": True})

    async def orgs(self, org_ids: Sequence[str]) -> dict[str, Document]:
        """The organizations among ``org_ids`` (card fields only), by id.

        One read by ``_id`` each, concurrently: FerretDB's fast path (an ``$in`` scans)."""
        wanted = list(dict.fromkeys(org_ids))
        found = await asyncio.gather(
            *(self.org_documents.find_one({"_id": org_id}, CARD_FIELDS) for org_id in wanted)
        )
        return {doc["_id"]: doc for doc in found if doc is not None}

    async def every_follow_of(self, user_id: str) -> list[Document]:
        """Every follow document of a person, ended ones too, tombstones not."""
        found = await self.follows.find({"user_id": user_id}).to_list()
        return [doc for doc in found if not doc.get("deleted")]

    async def purge_forgotten(self, user_id: str | None = None) -> int:
        """Delete the tombstones (of one person, or everyone's) whose events were all sent."""
        return await purge_sent_tombstones(self.follows, self._outbox, user_id)
