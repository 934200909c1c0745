"""Small secrets at rest: AES-256-GCM under one key, each value bound to a context. No I/O.

A sealed value is ``base64(nonce || ciphertext+tag)`` with a fresh 96-bit nonce. Each value is
sealed with a *context* (``facebook-token:<user id>``, ``page-token:<org id>``) as associated
data, so a ciphertext copied into another document does not open there. identity seals
Facebook tokens and signing keys with it, notifier organizations' Page tokens.
"""

from __future__ import annotations

import base64
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class SealError(ValueError):
    """A sealed value that does not open with our key and context (tampered or foreign)."""


class Sealer:
    """Seals and opens small secrets with one AES-256-GCM key (32 bytes)."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, plaintext: str, context: str) -> str:
        """Encrypt ``plaintext`` bound to ``context``."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return base64.b64encode(nonce + sealed).decode("ascii")

    def open(self, sealed: str, context: str) -> str:
        """Decrypt what ``seal`` produced for the same ``context``; SealError otherwise."""
        try:
            raw = base64.b64decode(sealed, validate=True)
            nonce, body = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
            return self._aead.decrypt(nonce, body, context.encode()).decode()
        except (InvalidTag, ValueError) as exc:
            # Name only the context's kind: its id part may be personal.
            raise SealError(f"cannot open sealed value for {context.split(':')[0]}") from exc
