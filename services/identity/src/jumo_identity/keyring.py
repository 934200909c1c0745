"""The signing key ring at run time: load, cache, create the first key, rotate.

Several identity processes share the ring through MongoDB. Each caches it for
``cache_ttl_s`` and re-reads it when a token names a kid it does not know. Rotation
(``python -m jumo_identity rotate-keys``) inserts the next ring version, an insert that only
one process can win (see ``store`` on why not an update).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from jumo_common.logging import get_logger
from jumo_identity.crypto import Sealer
from jumo_identity.keys import KeyRing, SigningKey, load_signing_key, new_signing_key
from jumo_identity.store_auth import AuthStore

log = get_logger(__name__)
MAX_ROTATE_ATTEMPTS = 5


class KeyRingUnavailable(RuntimeError):
    """The key ring cannot be read or is inconsistent."""


class KeyRingManager:
    """Gives the key to sign with and the keys that verify."""

    def __init__(
        self,
        store: AuthStore,
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
