"""identity's MongoDB collections, their indexes, and every query identity makes.

Collections (database ``jumo_identity``)::

    users           one per person; _id = user id; unique facebook_id; pending events in
                    _outbox (user.registered/updated/deleted). A deleted user stays as a
                    tombstone {_id, deleted, deleted_at, facebook_id: "deleted:<id>"}.
    follows         one edge per (follower, followee) pair, _id "<follower>:<followee>", kept
                    when unfollowed (active=false) so its seq keeps counting; pending
                    user.followed/unfollowed in _outbox.
    follow_seq_claims  {_id: "<edge id>:<seq>"}: whoever inserts it may write that change.
    login_states    _id = SHA-256 of the OAuth state (with the browser nonce's hash).
    login_states_used  {_id: state hash}: inserted to consume a state, exactly once.
    token_families  one per login; revoked_at set when revoked.
    refresh_tokens  _id = SHA-256 of the token (never the token itself).
    refresh_tokens_used  {_id: token hash}: inserted to retire a token, exactly once.
    signing_keys    Ed25519 keys, private half sealed.
    keyring         one immutable doc per version {_id: version, current, previous}.
    deletions       Facebook data-deletion requests: confirmation code, status, subject
                    pseudonym (unique: a replay finds the first request).

Why claims by insert: FerretDB 1.24 on SQLite runs an update (find_one_and_update and
find_one_and_delete included) as a read-modify-write outside any transaction (FerretDB issue
#3040), so two concurrent conditional updates can both "win". An insert with a unique _id is
exclusive on FerretDB and MongoDB alike, so every "exactly once" here is an insert.
FerretDB has no TTL indexes: expiring documents are deleted by ``purge_expired``.
Every write that causes events is one document write (the outbox travels inside it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from jumo_common.events import Envelope
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
from jumo_common.outbox import OUTBOX_DUE_FIELD, outbox_insert, outbox_update
from jumo_identity.profiles import User

INDEXES = (
    IndexSpec("users", (("facebook_id", ASCENDING),), unique=True),
    IndexSpec("users", (("facebook_friend_ids", ASCENDING),)),
    IndexSpec("follows", (("followee_id", 1), ("active", 1), ("since", -1), ("_id", -1))),
    IndexSpec("follows", (("follower_id", 1), ("active", 1), ("since", -1), ("_id", -1))),
    IndexSpec("login_states", (("expires_at", ASCENDING),)),
    IndexSpec("token_families", (("user_id", ASCENDING),)),
    IndexSpec("refresh_tokens", (("family_id", ASCENDING),)),
    IndexSpec("refresh_tokens", (("user_id", ASCENDING),)),
    IndexSpec("refresh_tokens", (("expires_at", ASCENDING),)),
    IndexSpec("login_states_used", (("expires_at", ASCENDING),)),
    IndexSpec("refresh_tokens_used", (("expires_at", ASCENDING),)),
    IndexSpec("deletions", (("subject", ASCENDING),), unique=True),
)
FOLLOW_PAGE_SORT = (("since", DESCENDING), ("_id", DESCENDING))
# What a tombstone keeps; every other field of a user document is removed on deletion.
TOMBSTONE_FIELDS = frozenset({"_id", "deleted", "deleted_at", "facebook_id", "_outbox"})
# A follow that loses this many optimistic-concurrency races in a row is reported as a conflict.
MAX_EDGE_ATTEMPTS = 8
STALE_CLAIM = timedelta(seconds=10)

EventForSeq = Callable[[int], Envelope[Any]]


class EdgeConflict(RuntimeError):
    """Too many concurrent changes to one follow edge."""


def edge_id(follower_id: str, followee_id: str) -> str:
    """The _id of the follow edge of a pair."""
    return f"{follower_id}:{followee_id}"


class Store:
    """Users and the follow graph (login, tokens and keys: ``store_auth.AuthStore``)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.users: Collection = db["users"]
        self.follows: Collection = db["follows"]
        self.follow_seq_claims: Collection = db["follow_seq_claims"]

    def outbox_collections(self) -> list[Collection]:
        """The collections whose documents carry pending events."""
        return [self.users, self.follows]

    # ---- users ----------------------------------------------------------------------------

    async def user(self, user_id: str) -> User | None:
        """A live user by id (None when unknown or deleted)."""
        doc = await self.users.find_one({"_id": user_id, "deleted": {"$ne": True}})
        return User.model_validate(doc) if doc else None

    async def user_document(self, user_id: str) -> Document | None:
        """The raw live user document, sealed secrets included."""
        return await self.users.find_one({"_id": user_id, "deleted": {"$ne": True}})

    async def user_by_facebook_id(self, facebook_id: str) -> Document | None:
        """The raw live user linked to an app-scoped Facebook id."""
        return await self.users.find_one({"facebook_id": facebook_id, "deleted": {"$ne": True}})

    async def users_by_ids(self, ids: Sequence[str]) -> dict[str, User]:
        """Live users among ``ids``, by id."""
        found = self.users.find({"_id": {"$in": list(ids)}, "deleted": {"$ne": True}})
        return {doc["_id"]: User.model_validate(doc) async for doc in found}

    async def insert_user(self, document: Mapping[str, Any], *events: Envelope[Any]) -> bool:
        """Create a user; False when that Facebook id is already linked (a concurrent login)."""
        try:
            await self.users.insert_one(outbox_insert(document, *events))
        except DuplicateKeyError:
            return False
        return True

    async def update_user(
        self, user_id: str, fields: Mapping[str, Any], *events: Envelope[Any]
    ) -> User | None:
        """Set ``fields`` on a live user (and queue ``events``); the updated user or None."""
        update: Document = {"$set": dict(fields)}
        if events:
            update = outbox_update(update, *events)
        doc = await self.users.find_one_and_update(
            {"_id": user_id, "deleted": {"$ne": True}}, update, return_document=ReturnDocument.AFTER
        )
        return User.model_validate(doc) if doc else None

    async def unset_user_fields(self, user_id: str, names: Sequence[str]) -> None:
        """Remove fields of a live user (e.g. the Facebook link on deauthorization)."""
        await self.users.update_one(
            {"_id": user_id, "deleted": {"$ne": True}}, {"$unset": dict.fromkeys(names, "")}
        )

    async def tombstone_user(self, user_id: str, now: datetime, event: Envelope[Any]) -> bool:
        """Erase a live user down to a tombstone carrying ``event``; False if already gone."""
        doc = await self.users.find_one({"_id": user_id, "deleted": {"$ne": True}})
        if doc is None:
            return False
        erase = {name: "" for name in doc if name not in TOMBSTONE_FIELDS | {OUTBOX_DUE_FIELD}}
        tombstone = {"deleted": True, "deleted_at": now, "facebook_id": f"deleted:{user_id}"}
        update = outbox_update(
            {"$set": tombstone, "$unset": erase} if erase else {"$set": tombstone}, event
        )
        result = await self.users.update_one({"_id": user_id, "deleted": {"$ne": True}}, update)
        return result.modified_count == 1

    async def friends_using_jumo(self, user: User) -> list[User]:
        """Users who are this user's Facebook friends, seen from either side's friend list."""
        query = {
            "deleted": {"$ne": True},
            "_id": {"$ne": user.id},
            "$or": [
                {"facebook_id": {"$in": user.facebook_friend_ids}},
                {"facebook_friend_ids": user.facebook_id},
            ],
        }
        return [User.model_validate(doc) async for doc in self.users.find(query).limit(500)]

    # ---- follows --------------------------------------------------------------------------

    async def follow_state(self, follower_id: str, followee_id: str) -> Document | None:
        """The edge of a pair (active or not), or None if they never followed."""
        return await self.follows.find_one({"_id": edge_id(follower_id, followee_id)})

    async def set_follow(
        self, follower_id: str, followee_id: str, *, active: bool, now: datetime, event: EventForSeq
    ) -> bool:
        """Make the edge active or inactive; False when it already was (nothing written).

        The per-pair ``seq`` grows by one on every change; the change and its event (built for
        that seq) are one conditional write, retried when a concurrent change won the race.
        """
        for attempt in range(MAX_EDGE_ATTEMPTS):
            edge = await self.follow_state(follower_id, followee_id)
            if bool(edge and edge["active"]) == active:
                return False
            seq = await self._claim_seq(follower_id, followee_id, edge, now)
            if seq is not None:
                await self._write_edge(follower_id, followee_id, edge, seq, (active, now), event)
                return True
            await asyncio.sleep(0.005 * (attempt + 1))  # the winner's write is landing
        raise EdgeConflict(f"follow edge {follower_id}->{followee_id} keeps changing")

    async def _claim_seq(
        self, follower_id: str, followee_id: str, edge: Document | None, now: datetime
    ) -> int | None:
        """Claim the next seq of a pair (None: someone else holds it); only the claimant writes.

        A claim whose holder never wrote the edge (it crashed) is skipped once it is stale, so
        a pair can never be stuck; seq then jumps, which consumers accept (it only grows).
        """
        seq = int(edge["seq"]) + 1 if edge else 1
        pair = edge_id(follower_id, followee_id)
        while True:
            try:
                await self.follow_seq_claims.insert_one({"_id": f"{pair}:{seq}", "at": now})
            except DuplicateKeyError:
                held = await self.follow_seq_claims.find_one({"_id": f"{pair}:{seq}"})
                if held is None or now - held["at"] < STALE_CLAIM:
                    return None
                seq += 1
                continue
            return seq

    async def _write_edge(
        self,
        follower_id: str,
        followee_id: str,
        edge: Document | None,
        seq: int,
        state: tuple[bool, datetime],
        event: EventForSeq,
    ) -> None:
        active, now = state
        key = edge_id(follower_id, followee_id)
        if edge is None:
            doc = {"_id": key, "follower_id": follower_id, "followee_id": followee_id,
                   "active": active, "seq": seq, "since": now}  # fmt: skip
            await self.follows.replace_one(
                {"_id": key}, outbox_insert(doc, event(seq)), upsert=True
            )
            return
        update = outbox_update({"$set": {"active": active, "seq": seq, "since": now}}, event(seq))
        await self.follows.update_one({"_id": key}, update)

    async def follow_page(
        self, user_id: str, *, direction: str, limit: int, cursor: str | None
    ) -> PageResult:
        """Edges pointing at ``user_id`` (direction "followers") or from it ("following")."""
        field = "followee_id" if direction == "followers" else "follower_id"
        query = {field: user_id, "active": True}
        return await find_page(self.follows, query, FOLLOW_PAGE_SORT, limit=limit, cursor=cursor)

    async def followed_among(self, follower_id: str, candidates: Sequence[str]) -> set[str]:
        """Which of ``candidates`` the follower follows now."""
        query = {
            "follower_id": follower_id,
            "followee_id": {"$in": list(candidates)},
            "active": True,
        }
        return {doc["followee_id"] async for doc in self.follows.find(query, {"followee_id": 1})}

    async def edges_of(self, user_id: str) -> list[Document]:
        """Every active edge from or to a user (for an export)."""
        query = {"$or": [{"follower_id": user_id}, {"followee_id": user_id}], "active": True}
        projection = {"follower_id": 1, "followee_id": 1, "since": 1}
        return await self.follows.find(query, projection).to_list()

    async def delete_edges_of(self, user_id: str) -> None:
        """Forget every edge from or to a deleted user (user.deleted supersedes their events)."""
        await self.follows.delete_many(
            {"$or": [{"follower_id": user_id}, {"followee_id": user_id}]}
        )
