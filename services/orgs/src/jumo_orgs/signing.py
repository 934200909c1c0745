"""The keys that sign volunteers' records, and the JWKS that verifies them.

The ring (``signing_store``) names the key that signs now; every key it ever named stays in
the JWKS (``GET /.well-known/orgs-jwks.json``), so an exported record verifies offline for
as long as its reader keeps it, across restarts and rotations. The first key is made on first
use; ``rotate`` makes a fresh one current (``python -m jumo_orgs``'s operators, or a test).
Keys are read once and cached: a key never changes, only which one signs, which is re-read
after ``cache_ttl_s`` so that every process follows a rotation.

At rest, a private key is sealed (AES-256-GCM, bound to its kid) when ``RECORD_KEY_SECRET``
is set (base64 of 32 bytes), so a copy of the database cannot forge records; without it (a
development stack) keys are stored as PEM. A key stored unsealed stays readable once the
secret is set, and the next keys are sealed.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from jumo_common.logging import get_logger
from jumo_common.signing import SigningKey, jwks_of, load_signing_key, new_signing_key, sign_jws
from jumo_orgs.settings import OrgsSettings
from jumo_orgs.signing_store import SigningKeyStore

log = get_logger(__name__)
MAX_ROTATE_ATTEMPTS = 5
SEALED = "sealed:"
NONCE_BYTES = 12


class KeySealer:
    """Seals private keys at rest with one AES-256-GCM key (the kid is the associated data,
    so a sealed key copied to another record does not open)."""

    def __init__(self, secret: bytes | None) -> None:
        if secret is not None and len(secret) != 32:
            raise ValueError("RECORD_KEY_SECRET must be base64 of 32 bytes")
        self._aead = AESGCM(secret) if secret is not None else None

    @classmethod
    def from_setting(cls, value: str | None) -> KeySealer:
        """The sealer of the ``record_key_secret`` setting (None: keys stored as PEM)."""
        return cls(base64.b64decode(value, validate=True) if value else None)

    def seal(self, pem: str, kid: str) -> str:
        """What is stored for the key ``kid``."""
        if self._aead is None:
            return pem
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, pem.encode(), f"record-key:{kid}".encode())
        return SEALED + base64.b64encode(nonce + sealed).decode("ascii")

    def open(self, stored: str, kid: str) -> str:
        """The PEM of a stored key (ValueError when it is sealed and no secret is set)."""
        if not stored.startswith(SEALED):
            return stored
        if self._aead is None:
            raise ValueError(f"record key {kid} is sealed: set RECORD_KEY_SECRET")
        raw = base64.b64decode(stored[len(SEALED) :])
        nonce, body = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        return self._aead.decrypt(nonce, body, f"record-key:{kid}".encode()).decode()


class RecordKeys:
    """The record's key ring at run time."""

    def __init__(
        self, store: SigningKeyStore, *, sealer: KeySealer | None = None, cache_ttl_s: float = 10.0
    ) -> None:
        self._store = store
        self._sealer = sealer or KeySealer(None)
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
        await self._store.save_key(key.kid, self._sealer.seal(key.private_pem(), key.kid),
                                   key.created_at)  # fmt: skip
        return await self._store.add_ring_version(version, key.kid, key.created_at)

    async def _ring_kids(self, *, fresh: bool = False) -> list[str]:
        if fresh or time.monotonic() - self._loaded_at > self._cache_ttl_s:
            self._ring = [doc["current"] for doc in await self._store.ring_versions()]
            missing = [kid for kid in self._ring if kid not in self._keys]
            for doc in await self._store.keys(missing) if missing else []:
                pem = self._sealer.open(doc["private_pem"], doc["_id"])
                self._keys[doc["_id"]] = load_signing_key(doc["_id"], pem, doc["created_at"])
            self._loaded_at = time.monotonic()
        return self._ring


def record_keys(settings: OrgsSettings, store: SigningKeyStore) -> RecordKeys:
    """The record's key ring as the settings configure it (sealed with RECORD_KEY_SECRET)."""
    secret = settings.record_key_secret
    sealer = KeySealer.from_setting(secret.get_secret_value() if secret else None)
    return RecordKeys(store, sealer=sealer)
