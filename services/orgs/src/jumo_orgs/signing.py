"""The keys that sign volunteers' records, and the JWKS that verifies them.

The ring (``signing_store``) names the key that signs now; every key it ever named stays in
the JWKS (``GET /.well-known/orgs-jwks.json``), so an exported record verifies offline for
as long as its reader keeps it, across restarts and rotations. The first key is made on first
use; ``rotate`` makes a fresh one current (``python -m jumo_orgs``'s operators, or a test).
Keys are read once and cached: a key never changes, only which one signs, which is re-read
after ``cache_ttl_s`` so that every process follows a rotation.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from jumo_common.logging import get_logger
from jumo_common.signing import SigningKey, jwks_of, load_signing_key, new_signing_key, sign_jws
from jumo_orgs.signing_store import SigningKeyStore

log = get_logger(__name__)
MAX_ROTATE_ATTEMPTS = 5


class RecordKeys:
    """The record's key ring at run time."""

    def __init__(self, store: SigningKeyStore, *, cache_ttl_s: float = 10.0) -> None:
        self._store = store
        self._cache_ttl_s = cache_ttl_s
        self._keys: dict[str, SigningKey] = {}
        self._ring: list[str] = []
        self._loaded_at = float("-inf")

    async def current(self) -> SigningKey:
        """The key that signs now (the first one is made when there is none)."""
        ring = await self._ring_kids()
        if not ring:
            await self._add_version(1)
            ring = await self._ring_kids(fresh=True)
        return self._keys[ring[-1]]

    async def jwks(self) -> dict[str, Any]:
        """Every key the ring ever named, newest first (public halves only)."""
        await self.current()
        ring = await self._ring_kids()
        return jwks_of([self._keys[kid] for kid in reversed(dict.fromkeys(ring))])

    async def sign(self, claims: Mapping[str, Any], *, typ: str) -> str:
        """A compact JWS of ``claims`` with the current key."""
        return sign_jws(claims, await self.current(), typ=typ)

    async def rotate(self) -> str:
        """Make a fresh key current; the kid. Earlier keys keep verifying."""
        for _ in range(MAX_ROTATE_ATTEMPTS):
            versions = await self._store.ring_versions()
            if await self._add_version(len(versions) + 1):
                ring = await self._ring_kids(fresh=True)
                log.info("record signing key rotated", kid=ring[-1])
                return ring[-1]
        raise RuntimeError("the record key ring kept changing during rotation")

    async def _add_version(self, version: int) -> bool:
        key = new_signing_key(datetime.now(UTC))
        await self._store.save_key(key.kid, key.private_pem(), key.created_at)
        return await self._store.add_ring_version(version, key.kid, key.created_at)

    async def _ring_kids(self, *, fresh: bool = False) -> list[str]:
        if fresh or time.monotonic() - self._loaded_at > self._cache_ttl_s:
            self._ring = [doc["current"] for doc in await self._store.ring_versions()]
            missing = [kid for kid in self._ring if kid not in self._keys]
            for doc in await self._store.keys(missing) if missing else []:
                self._keys[doc["_id"]] = load_signing_key(
                    doc["_id"], doc["private_pem"], doc["created_at"]
                )
            self._loaded_at = time.monotonic()
        return self._ring
