"""identity's MongoDB collections, their indexes, and every query identity makes.

Collections (database ``jumo_identity``)::

    users           one per person; _id = user id; unique facebook_id; ``version`` counts
                    writes; pending events in _outbox (user.registered/updated/deleted). A
                    deleted user stays as a tombstone {_id, deleted, deleted_at,
                    facebook_id: "deleted:<id>", version}.
    follows         one edge per (follower, followee) pair, _id "<follower>:<followee>", kept
                    when unfollowed (active=false) so its seq keeps counting; pending
                    user.followed/unfollowed in _outbox.
    write_claims    {_id: "user:<id>:<version>" | "follow:<edge id>:<seq>"}: whoever inserts
                    it may write that version of that document (and nobody else).
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
#3040), so two concurrent conditional updates can both "win", and of two overlapping updates of one
document one is lost. An insert with a unique _id is exclusive on FerretDB and MongoDB alike,
so every "exactly once" here is an insert, and every writer of a users or follows document
first claims the document's next version (``claim_next``), which serialises its writers.
FerretDB has no TTL indexes: expiring documents are deleted by ``purge_expired``.
Every write that causes events is one document write (the outbox travels inside it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

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
    insert_once,
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
    IndexSpec("write_claims", (("at", ASCENDING),)),
    IndexSpec("login_states_used", (("expires_at", ASCENDING),)),
    IndexSpec("refresh_tokens_used", (("expires_at", ASCENDING),)),
    IndexSpec("deletions", (("subject", ASCENDING),), unique=True),
)
# Matches live users only: a deleted user stays behind as a tombstone with deleted=True.
LIVE: Document = {"deleted": {"$ne": True}}
FOLLOW_PAGE_SORT = (("since", DESCENDING), ("_id", DESCENDING))
# What a tombstone keeps; every other field of a user document is removed on deletion.
TOMBSTONE_FIELDS = frozenset({"_id", "deleted", "deleted_at", "facebook_id", "version", "_outbox"})
# A write that loses this many claim races in a row is reported as a conflict.
MAX_WRITE_ATTEMPTS = 8
STALE_CLAIM = timedelta(seconds=10)

EventForSeq = Callable[[int], Envelope[Any]]
Plan = Callable[[Document], Document | None]


class WriteConflict(RuntimeError):
    """Too many concurrent changes to one document; the caller may retry."""


def edge_id(follower_id: str, followee_id: str) -> str:
    """The _id of the follow edge of a pair."""
    return f"{follower_id}:{followee_id}"


class Store:
    """Users and the follow graph (login, tokens and keys: ``store_auth.AuthStore``)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.users: Collection = db["users"]
        self.follows: Collection = db["follows"]
        self.write_claims: Collection = db["write_claims"]

    def outbox_collections(self) -> list[Collection]:
        """The collections whose documents carry pending events."""
        return [self.users, self.follows]

    # ---- users ----------------------------------------------------------------------------

    async def user(self, user_id: str) -> User | None:
        """A live user by id (None when unknown or deleted)."""
        doc = await self.user_document(user_id)
        return User.model_validate(doc) if doc else None

    async def user_document(self, user_id: str) -> Document | None:
        """The raw live user document, sealed secrets included."""
        return await self.users.find_one({"_id": user_id, **LIVE})

    async def user_by_facebook_id(self, facebook_id: str) -> Document | None:
        """The raw live user linked to an app-scoped Facebook id."""
        return await self.users.find_one({"facebook_id": facebook_id, **LIVE})

    async def users_by_ids(self, ids: Sequence[str]) -> dict[str, User]:
        """Live users among ``ids``, by id."""
        found = self.users.find({"_id": {"$in": list(ids)}, **LIVE})
        return {doc["_id"]: User.model_validate(doc) async for doc in found}

    async def insert_user(self, document: Mapping[str, Any], *events: Envelope[Any]) -> bool:
        """Create a user; False when that Facebook id is already linked (a concurrent login)."""
        return await insert_once(self.users, outbox_insert(document, *events))

    async def change_user(self, user_id: str, plan: Plan, now: datetime) -> Document | None:
        """Apply ``plan(document)`` (an update, or None for nothing) to a live user.

        Every writer of a user claims the document's next ``version`` first, so writes to one
        user never overlap (FerretDB would lose one of two overlapping updates). Returns the
        document as it was before the write (None: no live user), for the caller to derive
        the result from with the same pure function that planned the write.
        """
        for attempt in range(MAX_WRITE_ATTEMPTS):
            doc = await self.user_document(user_id)
            if doc is None:
                return None
            update = plan(doc)
            if update is None:
                return doc
            key = f"user:{user_id}"
            version = await claim_next(self.write_claims, key, int(doc.get("version", 0)), now)
            if version is not None:
                update.setdefault("$set", {})["version"] = version
                await self.users.update_one({"_id": user_id}, update)
                return doc
            await _let_the_winner_write(attempt)
        raise WriteConflict(f"user {user_id} keeps changing")

    async def tombstone_user(self, user_id: str, now: datetime, event: Envelope[Any]) -> bool:
        """Erase a live user down to a tombstone carrying ``event``; False if already gone."""

        def erase(doc: Document) -> Document:
            gone = {name: "" for name in doc if name not in TOMBSTONE_FIELDS | {OUTBOX_DUE_FIELD}}
            tombstone = {"deleted": True, "deleted_at": now, "facebook_id": f"deleted:{user_id}"}
            update = {"$set": tombstone} | ({"$unset": gone} if gone else {})
            return outbox_update(update, event)

        return await self.change_user(user_id, erase, now) is not None

    async def friends_using_jumo(self, user: User) -> list[User]:
        """Users who are this user's Facebook friends, seen from either side's friend list."""
        query = {
            **LIVE,
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

        The per-pair ``seq`` grows by one on every change and is claimed before the write
        (``claim_next``); the change and its event (built for that seq) are one write.
        """
        for attempt in range(MAX_WRITE_ATTEMPTS):
            edge = await self.follow_state(follower_id, followee_id)
            if bool(edge and edge["active"]) == active:
                return False
            current = int(edge["seq"]) if edge else 0
            key = f"follow:{edge_id(follower_id, followee_id)}"
            seq = await claim_next(self.write_claims, key, current, now)
            if seq is not None:
                await self._write_edge(follower_id, followee_id, edge, seq, (active, now), event)
                return True
            await _let_the_winner_write(attempt)
        raise WriteConflict(f"follow edge {follower_id}->{followee_id} keeps changing")

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

    # ---- write claims ---------------------------------------------------------------------

    async def purge_claims(self, before: datetime) -> int:
        """Delete write claims older than ``before`` (their versions are long written)."""
        result = await self.write_claims.delete_many({"at": {"$lt": before}})
        return result.deleted_count


async def _let_the_winner_write(attempt: int) -> None:
    """Back off after losing a claim race: the winner's write is landing meanwhile."""
    await asyncio.sleep(0.005 * (attempt + 1))


async def claim_next(claims: Collection, key: str, current: int, now: datetime) -> int | None:
    """Claim version ``current + 1`` of ``key`` (None: another writer holds it).

    A claim whose holder never wrote (it crashed) is skipped once it is stale, so a document
    can never be stuck; its version then jumps, which readers accept (it only grows).
    """
    version = current + 1
    while not await insert_once(claims, {"_id": f"{key}:{version}", "at": now}):
        held = await claims.find_one({"_id": f"{key}:{version}"})
        if held is None or now - held["at"] < STALE_CLAIM:
            return None
        version += 1
    return version
