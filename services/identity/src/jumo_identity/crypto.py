"""Secrets at rest (AES-256-GCM) and one-way hashes of bearer secrets. No I/O.

A sealed value is ``base64(nonce || ciphertext+tag)``. Each value is sealed with a
*context* (``facebook-token:<user id>``, ``signing-key:<kid>``) as associated data, so a
ciphertext copied into another document does not open there.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class SealError(ValueError):
    """A sealed value that does not open with our key and context (tampered or foreign)."""


class Sealer:
    """Seals and opens small secrets with one AES-256-GCM key."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)
        # A separate key for pseudonyms, derived so that one setting still suffices.
        self._mac_key = hmac.new(key, b"jumo-identity-pseudonym", hashlib.sha256).digest()

    def seal(self, plaintext: str, context: str) -> str:
        """Encrypt ``plaintext`` bound to ``context``."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return base64.b64encode(nonce + sealed).decode("ascii")

    def open(self, sealed: str, context: str) -> str:
        """Decrypt what ``seal`` produced for the same ``context``."""
        try:
            raw = base64.b64decode(sealed, validate=True)
            nonce, body = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
            return self._aead.decrypt(nonce, body, context.encode()).decode()
        except (InvalidTag, ValueError) as exc:
            raise SealError(f"cannot open sealed value for {context.split(':')[0]}") from exc

    def pseudonym(self, value: str, purpose: str) -> str:
        """A keyed, stable hash of ``value`` (look a value up without storing it)."""
        message = f"{purpose}:{value}".encode()
        return hmac.new(self._mac_key, message, hashlib.sha256).hexdigest()


def sha256_hex(secret: str) -> str:
    """The hash under which a high-entropy bearer secret (refresh token, state) is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def random_token(nbytes: int = 32) -> str:
    """A URL-safe random secret of ``nbytes`` bytes (256 bits by default)."""
    return secrets.token_urlsafe(nbytes)
