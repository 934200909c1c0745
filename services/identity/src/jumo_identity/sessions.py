"""Logins as token families: issue, refresh with rotation and reuse detection, log out."""

from __future__ import annotations

from datetime import datetime
from typing import NoReturn

from jumo_common.logging import get_logger
from jumo_identity.crypto import sha256_hex
from jumo_identity.errors import RefreshRefused
from jumo_identity.profiles import User
from jumo_identity.schemas import TokenPair
from jumo_identity.signing import KeyRingManager
from jumo_identity.store import Store
from jumo_identity.store_auth import AuthStore
from jumo_identity.tokens import TokenPolicy, mint_access_token, new_family_id, new_refresh_token

log = get_logger(__name__)


class Sessions:
    """Issues and rotates Jumo's tokens."""

    def __init__(
        self, auth: AuthStore, users: Store, keyring: KeyRingManager, policy: TokenPolicy
    ) -> None:
        self._auth = auth
        self._users = users
        self._keyring = keyring
        self.policy = policy

    async def start(self, user: User, now: datetime) -> TokenPair:
        """A new login (token family) for ``user``."""
        family_id = new_family_id()
        await self._auth.start_family(family_id, user.id, now)
        return await self._issue(user, family_id, now)

    async def refresh(self, refresh_token: str, now: datetime) -> TokenPair:
        """Exchange a refresh token for a new pair; its reuse revokes the whole family."""
        token_hash = sha256_hex(refresh_token)
        record = await self._auth.retire_refresh_token(token_hash, now)
        if record is None:
            await self._refuse_unusable(token_hash, now)
        family_id, user_id = record["family_id"], record["user_id"]
        if record["expires_at"] <= now:
            raise RefreshRefused("The refresh token has expired.")
        user = await self._users.user(user_id)
        if user is None:
            await self._auth.revoke_family(family_id, now)
            raise RefreshRefused("The account no longer exists.")
        pair = await self._issue(user, family_id, now)
        # Revocation flags the family before deleting its tokens; we wrote before reading the
        # flag, so a concurrent revocation either shows here or deletes what we just wrote.
        family = await self._auth.family(family_id)
        if family is None or family["revoked_at"] is not None:
            await self._auth.revoke_family(family_id, now)
            raise RefreshRefused("The login was revoked.")
        return pair

    async def _refuse_unusable(self, token_hash: str, now: datetime) -> NoReturn:
        known = await self._auth.refresh_token(token_hash)
        if known is None:
            raise RefreshRefused("The refresh token is not valid.")
        # A retired token came back: it was stolen, or the client leaked it. End the login.
        log.warning("refresh token reused; revoking its family", family_id=known["family_id"])
        await self._auth.revoke_family(known["family_id"], now)
        raise RefreshRefused("The refresh token was already used; the login is revoked.")

    async def logout(self, refresh_token: str, now: datetime) -> None:
        """End the login the refresh token belongs to (nothing happens for an unknown one)."""
        record = await self._auth.refresh_token(sha256_hex(refresh_token))
        if record is not None:
            await self._auth.revoke_family(record["family_id"], now)

    async def _issue(self, user: User, family_id: str, now: datetime) -> TokenPair:
        # The roles are read at every issue: a granted or revoked role shows in the next
        # access token (within one access-token lifetime, 15 minutes).
        refresh = new_refresh_token(family_id, self.policy, now)
        await self._auth.save_refresh_token(refresh, user.id, now)
        key = await self._keyring.signing_key(now)
        return TokenPair(
            access_token=mint_access_token(key, self.policy, user.id, now, user.roles),
            expires_in=int(self.policy.access_ttl.total_seconds()),
            refresh_token=refresh.token,
        )
