"""Ed25519 signing keys and compact JWS (RFC 7515, RFC 8037): the key handling every service
that signs shares. No I/O: where a service keeps its keys is its own store's business.

A ``SigningKey`` is a key pair with its id (``kid``); ``public_jwk`` is what a JWKS publishes
(never the private half); ``sign_jws`` makes a compact JWS with ``alg: EdDSA``, the ``kid``
and a ``typ`` in its header, which any JOSE library verifies with the JWKS
(``jumo_common.jwt.parse_jwks`` reads one back).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt as pyjwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from jumo_common.jwt import ALGORITHM


def b64url(raw: bytes) -> str:
    """Unpadded base64url (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


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
        """PKCS#8 PEM of the private key (for the service's own store)."""
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
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw), "kid": self.kid,
                "alg": ALGORITHM, "use": "sig"}  # fmt: skip


def new_signing_key(now: datetime) -> SigningKey:
    """A fresh key pair with a random, date-prefixed id (sortable, unguessable)."""
    kid = f"{now:%Y%m%d%H%M%S}-{secrets.token_hex(4)}"
    return SigningKey(kid=kid, private_key=Ed25519PrivateKey.generate(), created_at=now)


def load_signing_key(kid: str, private_pem: str, created_at: datetime) -> SigningKey:
    """A key pair from its stored PEM; ValueError when it is not an Ed25519 key."""
    key = serialization.load_pem_private_key(private_pem.encode("ascii"), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"signing key {kid} is not Ed25519")
    return SigningKey(kid=kid, private_key=key, created_at=created_at)


def jwks_of(keys: list[SigningKey]) -> dict[str, Any]:
    """The JWK Set of ``keys`` (public halves only)."""
    return {"keys": [key.public_jwk() for key in keys]}


def sign_jws(claims: Mapping[str, Any], key: SigningKey, *, typ: str) -> str:
    """A compact JWS of ``claims`` (a JSON object) signed with ``key``: EdDSA, ``kid``, ``typ``."""
    headers = {"kid": key.kid, "typ": typ}
    return pyjwt.encode(dict(claims), key.private_key, algorithm=ALGORITHM, headers=headers)
