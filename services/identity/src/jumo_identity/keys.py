"""Signing keys: Ed25519 key pairs, the key ring (current + previous) and its JWKS. No I/O.

The ring is one small record ``{current, previous}`` of key ids; rotating makes a fresh key
current and the old current previous, so every access token signed in the last lifetime of
a token still verifies (as long as rotations are at least one access-token lifetime apart).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from jumo_common.jwt import ALGORITHM
from jumo_facebook.security import b64url


@dataclass(frozen=True)
class SigningKey:
    """One Ed25519 key pair and its id."""

    kid: str
    private_key: Ed25519PrivateKey
    created_at: datetime

    @property
    def public_key(self) -> Ed25519PublicKey:
        """The verifying half."""
        return self.private_key.public_key()

    def private_pem(self) -> str:
        """PKCS#8 PEM of the private key (seal it before storing it)."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")

    def public_jwk(self) -> dict[str, Any]:
        """The public key as a JWK (RFC 8037 OKP)."""
        raw = self.public_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": b64url(raw),
            "kid": self.kid,
            "alg": ALGORITHM,
            "use": "sig",
        }


def new_signing_key(now: datetime) -> SigningKey:
    """A fresh key pair with a random, date-prefixed id (sortable, unguessable)."""
    kid = f"{now:%Y%m%d%H%M%S}-{secrets.token_hex(4)}"
    return SigningKey(kid=kid, private_key=Ed25519PrivateKey.generate(), created_at=now)


def load_signing_key(kid: str, private_pem: str, created_at: datetime) -> SigningKey:
    """A key pair from its stored PEM."""
    key = serialization.load_pem_private_key(private_pem.encode("ascii"), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"signing key {kid} is not Ed25519")
    return SigningKey(kid=kid, private_key=key, created_at=created_at)


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
