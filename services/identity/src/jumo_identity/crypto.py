"""Secrets at rest and one-way hashes of bearer secrets. No I/O.

Sealing (AES-256-GCM, each value bound to a *context* such as ``facebook-token:<user id>`` or
``signing-key:<kid>``) lives in ``jumo_common.sealing``, shared with notifier's Page tokens;
identity's ``Sealer`` adds keyed pseudonyms to it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from jumo_common import sealing
from jumo_common.sealing import SealError

__all__ = ["SealError", "Sealer", "random_token", "sha256_hex"]


class Sealer(sealing.Sealer):
    """Seals and opens small secrets with one AES-256-GCM key, and makes keyed pseudonyms."""

    def __init__(self, key: bytes) -> None:
        super().__init__(key)
        # A separate key for pseudonyms, derived so that one setting still suffices.
        self._mac_key = hmac.new(key, b"jumo-identity-pseudonym", hashlib.sha256).digest()

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
