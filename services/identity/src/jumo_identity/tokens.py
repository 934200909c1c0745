"""Jumo's tokens: EdDSA access tokens and opaque refresh tokens. No I/O.

Access token: a JWT with header ``{alg: EdDSA, typ: at+jwt, kid}`` and claims ``iss``,
``aud``, ``sub`` (user id), ``iat``, ``exp``, ``jti``. Refresh token: 256 random bits, given
to the client once and stored only as its SHA-256; every refresh token belongs to a
*family* (one login), so reuse of a retired one can revoke the whole login.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from jumo_common.jwt import ALGORITHM
from jumo_common.signing import SigningKey
from jumo_identity.crypto import random_token, sha256_hex

ACCESS_TOKEN_TYPE = "at+jwt"  # noqa: S105  (RFC 9068 media type, not a secret)
REFRESH_TOKEN_BYTES = 32


@dataclass(frozen=True)
class TokenPolicy:
    """Issuer, audience and lifetimes, from the settings."""

    issuer: str
    audience: str
    access_ttl: timedelta
    refresh_ttl: timedelta


def mint_access_token(
    key: SigningKey, policy: TokenPolicy, user_id: str, now: datetime, roles: Sequence[str] = ()
) -> str:
    """A signed access token for ``user_id``, carrying their platform ``roles`` (if any)."""
    claims: dict[str, Any] = {
        "iss": policy.issuer,
        "aud": policy.audience,
        "sub": user_id,
        "iat": int(now.timestamp()),
        "exp": int((now + policy.access_ttl).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    if roles:
        claims["roles"] = sorted(roles)
    headers = {"kid": key.kid, "typ": ACCESS_TOKEN_TYPE}
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers=headers)


@dataclass(frozen=True)
class NewRefreshToken:
    """A refresh token as the client gets it, and the hash we keep."""

    token: str
    token_hash: str
    family_id: str
    expires_at: datetime


def new_refresh_token(family_id: str, policy: TokenPolicy, now: datetime) -> NewRefreshToken:
    """A fresh refresh token in ``family_id``."""
    token = random_token(REFRESH_TOKEN_BYTES)
    return NewRefreshToken(token, sha256_hex(token), family_id, now + policy.refresh_ttl)


def new_family_id() -> str:
    """The id of a new login's token family."""
    return uuid.uuid4().hex
