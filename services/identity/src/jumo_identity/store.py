"""Users and the follow graph: the store's Protocol, its MongoDB implementation, its indexes.

Collections (database ``jumo_identity``)::

    users           one per person; _id = user id; unique facebook_id; ``version`` counts
                    writes; pending user.registered/updated/deleted in _outbox. A deleted user
                    stays as a tombstone {_id, deleted, deleted_at, facebook_id: "deleted:<id>",
                    version, _outbox: [user.deleted]}: nothing else of the person remains.
    follows         one edge per (follower, followee) pair, _id "<follower>:<followee>",
                    ``state`` active | requested | none, kept when it ends so its ``version``
                    keeps counting: that version is the ``seq`` of user.followed/unfollowed.
    write_claims    {_id: "<collection>:<document id>:<version>"}: whoever inserts it may write
                    that version of that document (``jumo_common.outbox.VersionedDocuments``).
    outbox_sent, outbox_watermarks   the relay's records (``jumo_common.outbox``).
    (credentials: ``store_auth``)

Every write of a users or follows document goes through ``VersionedDocuments``: the use case
returns a ``Change`` (fields, events), the store claims the next version, writes the fields and
the events in one update, and wakes the relay. Reads by id are by ``_id`` alone — FerretDB's one
fast lookup — and filter tombstones in Python. ``tests/identity_service/memory.py`` is the same
store in memory; ``test_store_contract.py`` runs one suite over both.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

from jumo_common.events import Envelope
from jumo_common.mongo import (
    ASCENDING,
    DESCENDING,
    WRITE_CLAIMS,
    Collection,
    Database,
    Document,
    IndexSpec,
    PageResult,
    find_page,
    purge_claims,
)
from jumo_common.outbox import Outbox, Plan, UpsertPlan, VersionedDocuments, Written
from jumo_identity.profiles import User

# A person's Facebook friends looked up at login (Facebook lists at most 5,000; 500 is plenty
# for suggestions and keeps one login to a bounded number of lookups).
FRIENDS_LOOKED_UP = 500
FRIEND_LOOKUPS_AT_ONCE = 20  # in flight together: a login must not take the pool

INDEXES = (
    IndexSpec("users", (("facebook_id", ASCENDING),), unique=True),
    IndexSpec("users", (("facebook_friend_ids", ASCENDING),)),
    IndexSpec("follows", (("followee_id", 1), ("state", 1), ("since", -1), ("_id", -1))),
    IndexSpec("follows", (("follower_id", 1), ("state", 1), ("since", -1), ("_id", -1))),
    IndexSpec("login_states", (("expires_at", ASCENDING),)),
    IndexSpec("token_families", (("user_id", ASCENDING),)),
    IndexSpec("refresh_tokens", (("family_id", ASCENDING),)),
    IndexSpec("refresh_tokens", (("user_id", ASCENDING),)),
    IndexSpec("refresh_tokens", (("expires_at", ASCENDING),)),
    IndexSpec(WRITE_CLAIMS, (("at", ASCENDING),)),
    IndexSpec("login_states_used", (("expires_at", ASCENDING),)),
    IndexSpec("refresh_tokens_used", (("expires_at", ASCENDING),)),
    IndexSpec("refresh_tokens_used", (("user_id", ASCENDING),)),
    IndexSpec("deletions", (("subject", ASCENDING),), unique=True),
)
OUTBOX_COLLECTIONS = ("users", "follows")
FOLLOW_PAGE_SORT = (("since", DESCENDING), ("_id", DESCENDING))
EdgeState = Literal["active", "requested", "none"]
Direction = Literal["followers", "following", "requests"]


def edge_id(follower_id: str, followee_id: str) -> str:
    """The _id of the follow edge of a pair."""
    return f"{follower_id}:{followee_id}"


def is_live(doc: Document) -> bool:
    """Whether a user document is a person's (not the tombstone of one)."""
    return not doc.get("deleted")


class Store(Protocol):
    """What identity's use cases need of users and follows."""

    async def user(self, user_id: str) -> User | None:
        """A live user by id (None when unknown or deleted)."""
        ...

    async def user_document(self, user_id: str) -> Document | None:
        """The raw live user document, sealed secrets included."""
        ...

    async def user_by_facebook_id(self, facebook_id: str) -> Document | None:
        """The raw live user linked to an app-scoped Facebook id."""
        ...

    async def users_by_ids(self, ids: Sequence[str]) -> dict[str, User]:
        """Live users among ``ids``, by id."""
        ...

    async def users_with_friend(self, facebook_id: str) -> list[str]:
        """Ids of the users whose Facebook friend list holds ``facebook_id``."""
        ...

    async def create_user(self, document: Document, events: Sequence[Envelope[Any]]) -> bool:
        """Create a user; False when that Facebook id is already linked (a concurrent login)."""
        ...

    async def change_user(self, user_id: str, plan: Plan) -> Written | None:
        """Apply ``plan`` to a live user (None: no live user)."""
        ...

    async def friends_using_jumo(self, user: User) -> list[User]:
        """Users who are this user's Facebook friends, seen from either side's friend list."""
        ...

    async def follow_edge(self, follower_id: str, followee_id: str) -> Document | None:
        """The edge of a pair (in any state), or None if they never met."""
        ...

    async def change_follow(self, follower_id: str, followee_id: str, plan: UpsertPlan) -> Written:
        """Apply ``plan`` to the edge of a pair (or to its absence)."""
        ...

    async def follow_page(
        self, user_id: str, *, direction: Direction, limit: int, cursor: str | None
    ) -> PageResult:
        """Active edges to ``user_id`` (followers), from it (following), or requests to it."""
        ...

    async def followed_among(self, follower_id: str, candidates: Sequence[str]) -> set[str]:
        """Which of ``candidates`` the follower follows now."""
        ...

    async def edges_of(self, user_id: str) -> list[Document]:
        """Every active edge from or to a user (for an export)."""
        ...

    async def delete_edges_of(self, user_id: str) -> None:
        """Forget every edge from or to a deleted user (user.deleted supersedes their events)."""
        ...

    async def purge_claims(self, before: datetime) -> int:
        """Delete write claims older than ``before``."""
        ...


def page_filter(user_id: str, direction: Direction) -> Document:
    """The edges a follow list shows."""
    if direction == "followers":
        return {"followee_id": user_id, "state": "active"}
    if direction == "following":
        return {"follower_id": user_id, "state": "active"}
    return {"followee_id": user_id, "state": "requested"}


class MongoStore:
    """``Store`` on MongoDB / FerretDB."""

    def __init__(self, db: Database, outbox: Outbox) -> None:
        self.users: Collection = db["users"]
        self.follows: Collection = db["follows"]
        self.write_claims: Collection = db[WRITE_CLAIMS]
        self._users = VersionedDocuments(self.users, outbox, self.write_claims)
        self._follows = VersionedDocuments(self.follows, outbox, self.write_claims)

    # ---- users ----------------------------------------------------------------------------

    async def user(self, user_id: str) -> User | None:
        """A live user by id (None when unknown or deleted)."""
        doc = await self.user_document(user_id)
        return User.model_validate(doc) if doc else None

    async def user_document(self, user_id: str) -> Document | None:
        """The raw live user document, sealed secrets included."""
        doc = await self._users.get(user_id)
        return doc if doc is not None and is_live(doc) else None

    async def user_by_facebook_id(self, facebook_id: str) -> Document | None:
        """The raw live user linked to an app-scoped Facebook id (tombstones hold none)."""
        return await self.users.find_one({"facebook_id": facebook_id})

    async def users_by_ids(self, ids: Sequence[str]) -> dict[str, User]:
        """Live users among ``ids``, by id."""
        found = self.users.find({"_id": {"$in": list(ids)}})
        return {doc["_id"]: User.model_validate(doc) async for doc in found if is_live(doc)}

    async def users_with_friend(self, facebook_id: str) -> list[str]:
        """Ids of the users whose Facebook friend list holds ``facebook_id``."""
        found = self.users.find({"facebook_friend_ids": facebook_id}, {"_id": 1})
        return [doc["_id"] async for doc in found]

    async def create_user(self, document: Document, events: Sequence[Envelope[Any]]) -> bool:
        """Create a user; False when that Facebook id is already linked (a concurrent login)."""
        return await self._users.create(document, events)

    async def change_user(self, user_id: str, plan: Plan) -> Written | None:
        """Apply ``plan`` to a live user (None: no live user)."""
        return await self._users.change(user_id, plan, visible=is_live)

    async def friends_using_jumo(self, user: User) -> list[User]:
        """Users who are this user's Facebook friends, seen from either side's friend list.

        Top-level equalities only, each served by an index: FerretDB pushes neither ``$in`` nor
        an ``$or`` of them down to PostgreSQL, so the one-query form read every user (2.7 s at
        1,600 users) and made each sign-up slower than the last."""
        ids = list(dict.fromkeys(user.facebook_friend_ids))[:FRIENDS_LOOKED_UP]
        found: dict[str, Document] = {}
        for start in range(0, len(ids), FRIEND_LOOKUPS_AT_ONCE):
            chunk = ids[start : start + FRIEND_LOOKUPS_AT_ONCE]
            theirs = await asyncio.gather(*(self.users.find_one({"facebook_id": f}) for f in chunk))
            found.update({doc["_id"]: doc for doc in theirs if doc is not None})
        naming_me = self.users.find({"facebook_friend_ids": user.facebook_id}).limit(500)
        found.update({doc["_id"]: doc async for doc in naming_me})
        found.pop(user.id, None)
        return [User.model_validate(doc) for doc in found.values() if is_live(doc)]

    # ---- follows --------------------------------------------------------------------------

    async def follow_edge(self, follower_id: str, followee_id: str) -> Document | None:
        """The edge of a pair (in any state), or None if they never met."""
        return await self._follows.get(edge_id(follower_id, followee_id))

    async def change_follow(self, follower_id: str, followee_id: str, plan: UpsertPlan) -> Written:
        """Apply ``plan`` to the edge of a pair (or to its absence)."""
        return await self._follows.upsert(edge_id(follower_id, followee_id), plan)

    async def follow_page(
        self, user_id: str, *, direction: Direction, limit: int, cursor: str | None
    ) -> PageResult:
        """Active edges to ``user_id`` (followers), from it (following), or requests to it."""
        query = page_filter(user_id, direction)
        return await find_page(self.follows, query, FOLLOW_PAGE_SORT, limit=limit, cursor=cursor)

    async def followed_among(self, follower_id: str, candidates: Sequence[str]) -> set[str]:
        """Which of ``candidates`` the follower follows now."""
        query = {"follower_id": follower_id, "followee_id": {"$in": list(candidates)},
                 "state": "active"}  # fmt: skip
        return {doc["followee_id"] async for doc in self.follows.find(query, {"followee_id": 1})}

    async def edges_of(self, user_id: str) -> list[Document]:
        """Every active edge from or to a user (for an export)."""
        query = {"$or": [{"follower_id": user_id}, {"followee_id": user_id}], "state": "active"}
        projection = {"follower_id": 1, "followee_id": 1, "since": 1}
        return await self.follows.find(query, projection).to_list()

    async def delete_edges_of(self, user_id: str) -> None:
        """Forget every edge from or to a deleted user (user.deleted supersedes their events)."""
        await self.follows.delete_many(
            {"$or": [{"follower_id": user_id}, {"followee_id": user_id}]}
        )

    async def purge_claims(self, before: datetime) -> int:
        """Delete write claims older than ``before`` (their versions are long written)."""
        return await purge_claims(self.write_claims, before)
