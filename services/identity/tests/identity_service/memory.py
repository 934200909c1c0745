"""identity's stores in memory, for use-case tests that need no servers.

``MemoryStore`` and ``MemoryAuthStore`` implement the ``Store`` and ``AuthStore`` Protocols;
``test_store_contract.py`` runs one suite over them and over the MongoDB stores, so they cannot
drift. Every event a write carries is in ``published`` at once, as if the relay had sent it.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from jumo_common.events import Envelope
from jumo_common.mongo import Document, PageResult
from jumo_common.outbox import Plan, UpsertPlan, Written
from jumo_common.testing.memory import MemoryDocuments, PublishedEvents, page_of, stored
from jumo_identity.profiles import User
from jumo_identity.store import FOLLOW_PAGE_SORT, Direction, edge_id, is_live, page_filter
from jumo_identity.tokens import NewRefreshToken


def _matches(doc: Document, query: Document) -> bool:
    return all(doc.get(k) == v for k, v in query.items())


class MemoryStore:
    """``jumo_identity.store.Store`` in memory."""

    def __init__(self, published: PublishedEvents | None = None) -> None:
        self.published = published if published is not None else PublishedEvents()
        self.users = MemoryDocuments(self.published, unique=("facebook_id",))
        self.follows = MemoryDocuments(self.published)

    def _live(self) -> list[Document]:
        return [d for d in self.users.documents.values() if is_live(d)]

    async def user(self, user_id: str) -> User | None:
        doc = await self.user_document(user_id)
        return User.model_validate(doc) if doc else None

    async def user_document(self, user_id: str) -> Document | None:
        doc = await self.users.get(user_id)
        return doc if doc is not None and is_live(doc) else None

    async def user_by_facebook_id(self, facebook_id: str) -> Document | None:
        found = [d for d in self.users.documents.values() if d.get("facebook_id") == facebook_id]
        return copy.deepcopy(found[0]) if found else None

    async def users_by_ids(self, ids: Sequence[str]) -> dict[str, User]:
        return {d["_id"]: User.model_validate(d) for d in self._live() if d["_id"] in ids}

    async def users_with_friend(self, facebook_id: str) -> list[str]:
        docs = self.users.documents.values()
        return [d["_id"] for d in docs if facebook_id in (d.get("facebook_friend_ids") or [])]

    async def create_user(self, document: Document, events: Sequence[Envelope[Any]]) -> bool:
        return await self.users.create(document, events)

    async def change_user(self, user_id: str, plan: Plan) -> Written | None:
        return await self.users.change(user_id, plan, visible=is_live)

    async def friends_using_jumo(self, user: User) -> list[User]:
        return [
            User.model_validate(d)
            for d in self._live()
            if d["_id"] != user.id
            and (
                d["facebook_id"] in user.facebook_friend_ids
                or user.facebook_id in (d.get("facebook_friend_ids") or [])
            )
        ]

    async def follow_edge(self, follower_id: str, followee_id: str) -> Document | None:
        return await self.follows.get(edge_id(follower_id, followee_id))

    async def change_follow(self, follower_id: str, followee_id: str, plan: UpsertPlan) -> Written:
        return await self.follows.upsert(edge_id(follower_id, followee_id), plan)

    async def follow_page(
        self, user_id: str, *, direction: Direction, limit: int, cursor: str | None
    ) -> PageResult:
        query = page_filter(user_id, direction)
        edges = [d for d in self.follows.documents.values() if _matches(d, query)]
        return page_of(edges, FOLLOW_PAGE_SORT, limit=limit, cursor=cursor)

    async def followed_among(self, follower_id: str, candidates: Sequence[str]) -> set[str]:
        return {
            d["followee_id"]
            for d in self.follows.documents.values()
            if d["follower_id"] == follower_id
            and d["followee_id"] in candidates
            and d["state"] == "active"
        }

    async def edges_of(self, user_id: str) -> list[Document]:
        return [
            {k: d[k] for k in ("_id", "follower_id", "followee_id", "since")}
            for d in self.follows.documents.values()
            if user_id in (d["follower_id"], d["followee_id"]) and d["state"] == "active"
        ]

    async def delete_edges_of(self, user_id: str) -> None:
        for key, edge in list(self.follows.documents.items()):
            if user_id in (edge["follower_id"], edge["followee_id"]):
                del self.follows.documents[key]

    async def purge_claims(self, before: datetime) -> int:
        return 0  # memory writes claim nothing


class MemoryAuthStore:
    """``jumo_identity.store_auth.AuthStore`` in memory."""

    def __init__(self) -> None:
        self.login_states: dict[str, Document] = {}
        self.login_states_used: dict[str, Document] = {}
        self.families: dict[str, Document] = {}
        self.refresh_tokens: dict[str, Document] = {}
        self.refresh_tokens_used: dict[str, Document] = {}
        self.signing_keys: dict[str, Document] = {}
        self.keyring: dict[int, Document] = {}
        self.deletions: dict[str, Document] = {}

    async def save_login_state(self, state_hash: str, record: dict[str, Any]) -> None:
        self.login_states[state_hash] = stored({"_id": state_hash, **record})

    async def take_login_state(self, state_hash: str, now: datetime) -> Document | None:
        record = self.login_states.get(state_hash)
        if record is None or state_hash in self.login_states_used:
            return None
        self.login_states_used[state_hash] = {"at": now, "expires_at": record["expires_at"]}
        return self.login_states.pop(state_hash)

    async def start_family(self, family_id: str, user_id: str, now: datetime) -> None:
        self.families[family_id] = stored(
            {"_id": family_id, "user_id": user_id, "created_at": now, "revoked_at": None}
        )

    async def save_refresh_token(self, token: NewRefreshToken, user_id: str, now: datetime) -> None:
        self.refresh_tokens[token.token_hash] = stored(
            {"_id": token.token_hash, "family_id": token.family_id, "user_id": user_id,
             "issued_at": now, "expires_at": token.expires_at}
        )  # fmt: skip

    async def retire_refresh_token(self, token_hash: str, now: datetime) -> Document | None:
        record = self.refresh_tokens.get(token_hash)
        if record is None or token_hash in self.refresh_tokens_used:
            return None
        self.refresh_tokens_used[token_hash] = {
            "at": now, "expires_at": record["expires_at"], "user_id": record["user_id"]
        }  # fmt: skip
        return copy.deepcopy(record)

    async def refresh_token(self, token_hash: str) -> Document | None:
        return copy.deepcopy(self.refresh_tokens.get(token_hash))

    async def family(self, family_id: str) -> Document | None:
        return copy.deepcopy(self.families.get(family_id))

    async def revoke_family(self, family_id: str, now: datetime) -> None:
        family = self.families.get(family_id)
        if family is not None and family["revoked_at"] is None:
            family["revoked_at"] = stored(now)
        self._drop_tokens(lambda t: t["family_id"] == family_id)

    async def revoke_user(self, user_id: str, now: datetime) -> None:
        for family in self.families.values():
            if family["user_id"] == user_id and family["revoked_at"] is None:
                family["revoked_at"] = stored(now)
        self._drop_tokens(lambda t: t["user_id"] == user_id)

    def _drop_tokens(self, which: Any) -> None:
        for key in [k for k, t in self.refresh_tokens.items() if which(t)]:
            del self.refresh_tokens[key]

    async def families_of(self, user_id: str) -> list[Document]:
        return [copy.deepcopy(f) for f in self.families.values() if f["user_id"] == user_id]

    async def forget_user(self, user_id: str) -> None:
        self._drop_tokens(lambda t: t["user_id"] == user_id)
        for records in (self.families, self.refresh_tokens_used):
            for key in [k for k, r in records.items() if r.get("user_id") == user_id]:
                del records[key]

    async def purge_expired(self, now: datetime) -> int:
        total = 0
        for records in (self.login_states, self.login_states_used, self.refresh_tokens,
                        self.refresh_tokens_used):  # fmt: skip
            for key in [k for k, r in records.items() if r["expires_at"] <= now]:
                del records[key]
                total += 1
        return total

    async def keyring_record(self) -> Document | None:
        return copy.deepcopy(self.keyring[max(self.keyring)]) if self.keyring else None

    async def signing_key_records(self, kids: list[str]) -> list[Document]:
        return [copy.deepcopy(self.signing_keys[k]) for k in kids if k in self.signing_keys]

    async def save_signing_key(self, kid: str, sealed_pem: str, now: datetime) -> None:
        self.signing_keys[kid] = stored({"_id": kid, "private_key": sealed_pem, "created_at": now})

    async def add_keyring_version(
        self, version: int, current: str, previous: str | None, now: datetime
    ) -> bool:
        if version in self.keyring:
            return False
        self.keyring[version] = stored(
            {"_id": version, "current": current, "previous": previous, "created_at": now}
        )
        return True

    async def deletion_by_subject(self, subject: str) -> Document | None:
        found = [d for d in self.deletions.values() if d["subject"] == subject]
        return copy.deepcopy(found[0]) if found else None

    async def deletion_by_code(self, code: str) -> Document | None:
        return copy.deepcopy(self.deletions.get(code))

    async def save_deletion(self, record: dict[str, Any]) -> Document:
        earlier = await self.deletion_by_subject(record["subject"])
        if earlier is not None:
            return earlier
        self.deletions[record["_id"]] = stored(record)
        return record

    async def finish_deletion(self, code: str, outcome: str, now: datetime) -> None:
        record = self.deletions.get(code)
        if record is not None:
            record.update(status="completed", outcome=outcome, completed_at=stored(now))
