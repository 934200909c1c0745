"""Signing: Ed25519 key pairs, the key ring (current + previous) and its run-time manager.

The ring is one small record ``{current, previous}`` of key ids; rotating makes a fresh key
current and the old current previous, so every access token signed in the last lifetime of
a token still verifies (as long as rotations are at least one access-token lifetime apart).

Several identity processes share the ring through MongoDB. Each caches it for
``cache_ttl_s`` and re-reads it when a token names a kid it does not know. Rotation
(``python -m jumo_identity rotate-keys``) inserts the next ring version, an insert that only
one process can win (see ``store`` on why not an update). The manager needs only the four
key-ring calls of ``KeyStore`` (``store_auth.AuthStore`` has them), so this module depends on
no store.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from jumo_common.logging import get_logger
from jumo_common.signing import SigningKey, load_signing_key, new_signing_key
from jumo_identity.crypto import Sealer
from jumo_identity.settings import IdentitySettings

log = get_logger(__name__)
MAX_ROTATE_ATTEMPTS = 5


@dataclass(frozen=True)
class KeyRing:
    """The key that signs now and the one before it (still verifies)."""

    current: SigningKey
    previous: SigningKey | None = None

    def keys(self) -> list[SigningKey]:
        """The keys that verify, newest first."""
        return [self.current] + ([self.previous] if self.previous else [])

    def find(self, kid: str) -> SigningKey | None:
        """The key with id ``kid``, if it still verifies."""
        return next((k for k in self.keys() if k.kid == kid), None)

    def jwks(self) -> dict[str, Any]:
        """The JWK Set published at /.well-known/jwks.json."""
        return {"keys": [k.public_jwk() for k in self.keys()]}


# ---- the ring at run time ------------------------------------------------------------------


class KeyStore(Protocol):
    """Where the ring and the sealed keys are kept (``store_auth.AuthStore``)."""

    async def keyring_record(self) -> Mapping[str, Any] | None: ...

    async def signing_key_records(self, kids: list[str]) -> Sequence[Mapping[str, Any]]: ...

    async def save_signing_key(self, kid: str, sealed_pem: str, now: datetime) -> None: ...

    async def add_keyring_version(
        self, version: int, current: str, previous: str | None, now: datetime
    ) -> bool: ...


class KeyRingUnavailable(RuntimeError):
    """The key ring cannot be read or is inconsistent."""


class KeyRingManager:
    """Gives the key to sign with and the keys that verify."""

    def __init__(
        self,
        store: KeyStore,
        sealer: Sealer,
        *,
        cache_ttl_s: float = 10.0,
        activation_delay_s: float = 30.0,
    ) -> None:
        self._store = store
        self._sealer = sealer
        self._cache_ttl_s = cache_ttl_s
        self._activation_delay = timedelta(seconds=activation_delay_s)
        self._ring: KeyRing | None = None
        self._loaded_at = 0.0

    async def ensure(self) -> KeyRing:
        """The ring, creating the first key when there is none yet (at start-up)."""
        if await self._store.keyring_record() is None:
            key = await self._new_key()
            if not await self._store.add_keyring_version(1, key.kid, None, key.created_at):
                log.info("another process created the key ring first")
        return await self.reload()

    async def ring(self) -> KeyRing:
        """The cached ring, re-read when older than the cache TTL."""
        if self._ring is None or time.monotonic() - self._loaded_at > self._cache_ttl_s:
            return await self.reload()
        return self._ring

    async def reload(self) -> KeyRing:
        """Read the ring from the database now."""
        record = await self._store.keyring_record()
        if record is None:
            raise KeyRingUnavailable("no signing key yet")
        kids = [k for k in (record["current"], record.get("previous")) if k]
        keys = {doc["_id"]: self._open(doc) for doc in await self._store.signing_key_records(kids)}
        if record["current"] not in keys:
            raise KeyRingUnavailable(f"current signing key {record['current']} is missing")
        self._ring = KeyRing(keys[record["current"]], keys.get(record.get("previous") or ""))
        self._loaded_at = time.monotonic()
        return self._ring

    async def jwks(self) -> Mapping[str, Any]:
        """The JWK Set: current and previous public keys."""
        return (await self.ring()).jwks()

    async def fresh_jwks(self) -> Mapping[str, Any]:
        """The JWK Set read from the database (the local verifier's source)."""
        return (await self.reload()).jwks()

    async def signing_key(self, now: datetime | None = None) -> SigningKey:
        """The key to sign with: the current one once it has been published long enough."""
        ring = await self.ring()
        moment = now or datetime.now(UTC)
        if ring.previous is not None and moment - ring.current.created_at < self._activation_delay:
            return ring.previous
        return ring.current

    async def rotate(self) -> KeyRing:
        """Make a fresh key current and the current one previous; the older one stops verifying."""
        for _ in range(MAX_ROTATE_ATTEMPTS):
            record = await self._store.keyring_record()
            if record is None:
                return await self.ensure()
            key = await self._new_key()
            version = int(record["_id"]) + 1
            if await self._store.add_keyring_version(
                version, key.kid, record["current"], key.created_at
            ):
                log.info("signing key rotated", kid=key.kid, previous=record["current"])
                return await self.reload()
        raise KeyRingUnavailable("the key ring kept changing during rotation")

    async def _new_key(self) -> SigningKey:
        key = new_signing_key(datetime.now(UTC))
        sealed = self._sealer.seal(key.private_pem(), f"signing-key:{key.kid}")
        await self._store.save_signing_key(key.kid, sealed, key.created_at)
        return key

    def _open(self, doc: Mapping[str, Any]) -> SigningKey:
        pem = self._sealer.open(doc["private_key"], f"signing-key:{doc['_id']}")
        return load_signing_key(doc["_id"], pem, doc["created_at"])


def keyring_for(settings: IdentitySettings, store: KeyStore, sealer: Sealer) -> KeyRingManager:
    """The key ring manager configured by the settings (the app's and ``rotate-keys``')."""
    return KeyRingManager(
        store,
        sealer,
        cache_ttl_s=settings.key_cache_ttl_s,
        activation_delay_s=settings.key_activation_delay_s,
    )
