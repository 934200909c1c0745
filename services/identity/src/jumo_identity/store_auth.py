"""The credentials side of identity's database: login states, refresh tokens, signing keys,
Facebook data-deletion requests (collections described in ``store``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from pymongo.errors import DuplicateKeyError

from jumo_common.mongo import Collection, Database, Document, insert_once
from jumo_identity.tokens import NewRefreshToken


class AuthStore(Protocol):
    """What identity's use cases need of the credential records."""

    async def save_login_state(self, state_hash: str, record: dict[str, Any]) -> None:
        """Remember a login in progress under the hash of its state."""
        ...

    async def take_login_state(self, state_hash: str, now: datetime) -> Document | None:
        """Consume a login state: it is returned to at most one caller, ever."""
        ...

    async def start_family(self, family_id: str, user_id: str, now: datetime) -> None:
        """Record a new login's token family."""
        ...

    async def save_refresh_token(self, token: NewRefreshToken, user_id: str, now: datetime) -> None:
        """Keep a refresh token's hash (never the token itself)."""
        ...

    async def retire_refresh_token(self, token_hash: str, now: datetime) -> Document | None:
        """Retire a token exactly once: its document for the first caller, else None."""
        ...

    async def refresh_token(self, token_hash: str) -> Document | None:
        """A refresh token's record, used or not."""
        ...

    async def family(self, family_id: str) -> Document | None:
        """A token family."""
        ...

    async def revoke_family(self, family_id: str, now: datetime) -> None:
        """End a login: flag first, then delete its tokens (see ``sessions.refresh`` for why)."""
        ...

    async def revoke_user(self, user_id: str, now: datetime) -> None:
        """End every login of a user."""
        ...

    async def families_of(self, user_id: str) -> list[Document]:
        """A user's logins (for an export)."""
        ...

    async def forget_user(self, user_id: str) -> None:
        """Delete every credential record of a deleted user (used-token markers included)."""
        ...

    async def purge_expired(self, now: datetime) -> int:
        """Delete expired login states and refresh tokens (no TTL indexes on FerretDB)."""
        ...

    async def keyring_record(self) -> Document | None:
        """The newest ring version ``{_id: version, current, previous}``, or None before any."""
        ...

    async def signing_key_records(self, kids: list[str]) -> list[Document]:
        """Stored keys by id."""
        ...

    async def save_signing_key(self, kid: str, sealed_pem: str, now: datetime) -> None:
        """Store a key pair (private half sealed)."""
        ...

    async def add_keyring_version(
        self, version: int, current: str, previous: str | None, now: datetime
    ) -> bool:
        """Publish ring ``version``; False when another process published that version first."""
        ...

    async def deletion_by_subject(self, subject: str) -> Document | None:
        """The deletion request of a Facebook user (by pseudonym)."""
        ...

    async def deletion_by_code(self, code: str) -> Document | None:
        """A deletion request by its confirmation code."""
        ...

    async def save_deletion(self, record: dict[str, Any]) -> Document:
        """Record a request; the earlier record if this subject already asked (a replay)."""
        ...

    async def finish_deletion(self, code: str, outcome: str, now: datetime) -> None:
        """Record what the deletion did."""
        ...


class MongoAuthStore:
    """``AuthStore`` on MongoDB / FerretDB."""

    def __init__(self, db: Database) -> None:
        self.login_states: Collection = db["login_states"]
        self.login_states_used: Collection = db["login_states_used"]
        self.token_families: Collection = db["token_families"]
        self.refresh_tokens: Collection = db["refresh_tokens"]
        self.refresh_tokens_used: Collection = db["refresh_tokens_used"]
        self.signing_keys: Collection = db["signing_keys"]
        self.keyring: Collection = db["keyring"]
        self.deletions: Collection = db["deletions"]

    # ---- login states ---------------------------------------------------------------------

    async def save_login_state(self, state_hash: str, record: dict[str, Any]) -> None:
        """Remember a login in progress under the hash of its state."""
        await self.login_states.insert_one({"_id": state_hash, **record})

    async def take_login_state(self, state_hash: str, now: datetime) -> Document | None:
        """Consume a login state: it is returned to at most one caller, ever."""
        record = await self.login_states.find_one({"_id": state_hash})
        if record is None or not await _claim(
            self.login_states_used, state_hash, {"at": now, "expires_at": record["expires_at"]}
        ):
            return None
        await self.login_states.delete_one({"_id": state_hash})
        return record

    # ---- refresh tokens -------------------------------------------------------------------

    async def start_family(self, family_id: str, user_id: str, now: datetime) -> None:
        """Record a new login's token family."""
        await self.token_families.insert_one(
            {"_id": family_id, "user_id": user_id, "created_at": now, "revoked_at": None}
        )

    async def save_refresh_token(self, token: NewRefreshToken, user_id: str, now: datetime) -> None:
        """Keep a refresh token's hash (never the token itself)."""
        await self.refresh_tokens.insert_one(
            {"_id": token.token_hash, "family_id": token.family_id, "user_id": user_id,
             "issued_at": now, "expires_at": token.expires_at}
        )  # fmt: skip

    async def retire_refresh_token(self, token_hash: str, now: datetime) -> Document | None:
        """Retire a token exactly once: its document for the first caller, else None."""
        record = await self.refresh_tokens.find_one({"_id": token_hash})
        if record is None:
            return None
        # The marker names its user, so that deleting the account takes the hash with it.
        used = {"at": now, "expires_at": record["expires_at"], "user_id": record["user_id"]}
        if not await _claim(self.refresh_tokens_used, token_hash, used):
            return None
        return record

    async def refresh_token(self, token_hash: str) -> Document | None:
        """A refresh token's record, used or not."""
        return await self.refresh_tokens.find_one({"_id": token_hash})

    async def family(self, family_id: str) -> Document | None:
        """A token family."""
        return await self.token_families.find_one({"_id": family_id})

    async def revoke_family(self, family_id: str, now: datetime) -> None:
        """End a login: flag first, then delete its tokens (see ``sessions.refresh`` for why)."""
        await self.token_families.update_one(
            {"_id": family_id, "revoked_at": None}, {"$set": {"revoked_at": now}}
        )
        await self.refresh_tokens.delete_many({"family_id": family_id})

    async def revoke_user(self, user_id: str, now: datetime) -> None:
        """End every login of a user."""
        await self.token_families.update_many(
            {"user_id": user_id, "revoked_at": None}, {"$set": {"revoked_at": now}}
        )
        await self.refresh_tokens.delete_many({"user_id": user_id})

    async def families_of(self, user_id: str) -> list[Document]:
        """A user's logins (for an export)."""
        return await self.token_families.find({"user_id": user_id}).to_list()

    async def forget_user(self, user_id: str) -> None:
        """Delete every credential record of a deleted user, the used-token markers included."""
        for collection in (self.refresh_tokens, self.refresh_tokens_used, self.token_families):
            await collection.delete_many({"user_id": user_id})

    async def purge_expired(self, now: datetime) -> int:
        """Delete expired login states and refresh tokens (no TTL indexes on FerretDB)."""
        expired = {"expires_at": {"$lte": now}}
        total = 0
        for collection in (self.login_states, self.login_states_used, self.refresh_tokens,
                           self.refresh_tokens_used):  # fmt: skip
            total += (await collection.delete_many(expired)).deleted_count
        return total

    # ---- signing keys ---------------------------------------------------------------------

    async def keyring_record(self) -> Document | None:
        """The newest ring version ``{_id: version, current, previous}``, or None before any."""
        return await self.keyring.find_one({}, sort=[("_id", -1)])

    async def signing_key_records(self, kids: list[str]) -> list[Document]:
        """Stored keys by id."""
        return await self.signing_keys.find({"_id": {"$in": kids}}).to_list()

    async def save_signing_key(self, kid: str, sealed_pem: str, now: datetime) -> None:
        """Store a key pair (private half sealed)."""
        await self.signing_keys.insert_one(
            {"_id": kid, "private_key": sealed_pem, "created_at": now}
        )

    async def add_keyring_version(
        self, version: int, current: str, previous: str | None, now: datetime
    ) -> bool:
        """Publish ring ``version``; False when another process published that version first."""
        record = {"current": current, "previous": previous, "created_at": now}
        return await _claim(self.keyring, version, record)

    # ---- Facebook data-deletion requests ---------------------------------------------------

    async def deletion_by_subject(self, subject: str) -> Document | None:
        """The deletion request of a Facebook user (by pseudonym)."""
        return await self.deletions.find_one({"subject": subject})

    async def deletion_by_code(self, code: str) -> Document | None:
        """A deletion request by its confirmation code."""
        return await self.deletions.find_one({"_id": code})

    async def save_deletion(self, record: dict[str, Any]) -> Document:
        """Record a request; the earlier record if this subject already asked (a replay)."""
        try:
            await self.deletions.insert_one(record)
        except DuplicateKeyError:
            earlier = await self.deletion_by_subject(record["subject"])
            if earlier is None:
                raise
            return earlier
        return record

    async def finish_deletion(self, code: str, outcome: str, now: datetime) -> None:
        """Record what the deletion did."""
        await self.deletions.update_one(
            {"_id": code},
            {"$set": {"status": "completed", "outcome": outcome, "completed_at": now}},
        )


async def _claim(collection: Collection, key: Any, fields: dict[str, Any]) -> bool:
    """Insert ``{_id: key}``: True for the one caller that did, False for everyone else."""
    return await insert_once(collection, {"_id": key, **fields})
