"""Verifying identity's access tokens locally, against its JWKS.

Rules (RFC 8725 and RFC 9068): the algorithm is pinned to EdDSA whatever the header says, so
``alg: none`` and the old trick of an HS256 token "signed" with the public key both fail;
``typ`` must be ``at+jwt``; ``kid`` is required; ``iss``, ``aud``, ``exp``, ``sub`` and ``jti``
are required and checked (``exp`` with a small leeway for clock skew).

The JWKS is fetched lazily, cached, and fetched again when a token names an unknown ``kid``
(identity rotated its key) or the cache is older than ``max_age_s``. Fetches are at least
``refresh_min_interval_s`` apart, so a flood of tokens with made-up kids cannot hammer identity.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt as pyjwt
import structlog
from aiohttp import web

from jumo_common.logging import get_logger
from jumo_common.settings import ServiceSettings
from jumo_common.web.problems import Forbidden, ServiceUnavailable, Unauthorized

ALGORITHM = "EdDSA"
ACCESS_TOKEN_TYPES = frozenset({"at+jwt", "application/at+jwt"})
REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub", "jti"]
JWKS_FETCH_TIMEOUT_S = 5.0

JwksSource = Callable[[], Awaitable[Mapping[str, Any]]]
"""Returns a JWKS document (``{"keys": [...]}``); raises when it cannot."""

_log = get_logger(__name__)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user (``sub``), the access token's id (``jti``) and the platform
    roles identity put in it (``roles``, e.g. ``moderator``; granted by an operator)."""

    user_id: str
    token_id: str
    expires_at: int
    roles: frozenset[str] = frozenset()

    def has_role(self, role: str) -> bool:
        """Whether the token carries the platform role ``role``."""
        return role in self.roles


class InvalidToken(Unauthorized):
    """401 with ``WWW-Authenticate: Bearer error="invalid_token"``."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, error="invalid_token")


def http_jwks_source(session: aiohttp.ClientSession, url: str) -> JwksSource:
    """A JwksSource that GETs ``url`` with ``session``."""

    async def fetch() -> Mapping[str, Any]:
        timeout = aiohttp.ClientTimeout(total=JWKS_FETCH_TIMEOUT_S)
        async with session.get(url, timeout=timeout) as response:
            response.raise_for_status()
            document: Mapping[str, Any] = await response.json(content_type=None)
            return document

    return fetch


def parse_jwks(document: Mapping[str, Any]) -> dict[str, pyjwt.PyJWK]:
    """The usable Ed25519 signing keys of a JWKS, by kid; anything else is skipped."""
    keys: dict[str, pyjwt.PyJWK] = {}
    for jwk in document.get("keys", []):
        if not isinstance(jwk, dict) or not _is_ed25519_signing_key(jwk):
            continue
        try:
            keys[jwk["kid"]] = pyjwt.PyJWK(jwk, algorithm=ALGORITHM)
        except pyjwt.PyJWTError as exc:
            _log.warning("unusable key in JWKS", kid=jwk.get("kid"), error=str(exc))
    return keys


def _is_ed25519_signing_key(jwk: Mapping[str, Any]) -> bool:
    return (
        jwk.get("kty") == "OKP"
        and jwk.get("crv") == "Ed25519"
        and isinstance(jwk.get("kid"), str)
        and jwk.get("use", "sig") == "sig"
        and jwk.get("alg", ALGORITHM) in (ALGORITHM, "Ed25519")
        and "d" not in jwk  # a private key has no business in a JWKS
    )


class JwksVerifier:
    """Verifies access tokens against a ``JwksSource``; ``from_url`` reads identity's JWKS."""

    def __init__(
        self,
        source: JwksSource,
        issuer: str,
        audience: str,
        *,
        leeway_s: float = 30.0,
        refresh_min_interval_s: float = 10.0,
        max_age_s: float = 300.0,
    ) -> None:
        self._source = source
        self._issuer = issuer
        self._audience = audience
        self._leeway_s = leeway_s
        self._refresh_min_interval_s = refresh_min_interval_s
        self._max_age_s = max_age_s
        self._keys: dict[str, pyjwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0  # how many times the JWKS was fetched (for tests and metrics)

    @classmethod
    def from_url(
        cls,
        jwks_url: str,
        issuer: str,
        audience: str,
        session: aiohttp.ClientSession,
        **options: float,
    ) -> JwksVerifier:
        """A verifier that fetches the JWKS from ``jwks_url`` with ``session``."""
        return cls(http_jwks_source(session, jwks_url), issuer, audience, **options)

    async def verify(self, token: str) -> Principal:
        """The caller of a valid access token; ``InvalidToken`` (401) otherwise."""
        kid = _checked_header(token)
        key = await self._key_for(kid)
        claims = self._decode(token, key)
        return Principal(
            user_id=claims["sub"],
            token_id=claims["jti"],
            expires_at=claims["exp"],
            roles=_roles(claims),
        )

    def _decode(self, token: str, key: pyjwt.PyJWK) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = pyjwt.decode(
                token,
                key.key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway_s,
                options={"require": REQUIRED_CLAIMS},
            )
        except pyjwt.ExpiredSignatureError:
            raise InvalidToken("The access token has expired.") from None
        except pyjwt.PyJWTError as exc:
            raise InvalidToken(f"The access token is invalid: {exc}") from None
        if not isinstance(claims["sub"], str) or not isinstance(claims["jti"], str):
            raise InvalidToken("The access token's sub and jti must be strings.")
        return claims

    async def _key_for(self, kid: str) -> pyjwt.PyJWK:
        if kid not in self._keys or self._is_stale():
            await self.refresh()
        key = self._keys.get(kid)
        if key is not None:
            return key
        if self._fetched_at is None:
            raise ServiceUnavailable("Access tokens cannot be verified right now.")
        raise InvalidToken("The access token was signed with an unknown key.")

    def _is_stale(self) -> bool:
        return self._fetched_at is None or time.monotonic() - self._fetched_at > self._max_age_s

    def _attempted_recently(self, now: float) -> bool:
        last = self._attempted_at
        return last is not None and now - last < self._refresh_min_interval_s

    async def refresh(self) -> None:
        """Fetch the JWKS again, unless the last attempt was under the minimum interval ago."""
        async with self._lock:
            now = time.monotonic()
            if self._attempted_recently(now):
                return
            self._attempted_at = now
            self.fetches += 1
            try:
                document = await self._source()
            except Exception as exc:  # keep the keys we have; identity may be restarting
                _log.warning("JWKS fetch failed", error=repr(exc))
                return
            self._keys = parse_jwks(document)
            self._fetched_at = time.monotonic()


def _roles(claims: Mapping[str, Any]) -> frozenset[str]:
    roles = claims.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise InvalidToken("The access token's roles must be a list of strings.")
    return frozenset(roles)


def _checked_header(token: str) -> str:
    """The token's kid, after the header has passed every rule; InvalidToken otherwise."""
    try:
        header = pyjwt.get_unverified_header(token)
    except pyjwt.PyJWTError:
        raise InvalidToken("The access token is malformed.") from None
    if header.get("alg") != ALGORITHM:
        raise InvalidToken("The access token's algorithm is not accepted.")
    typ = header.get("typ")
    if not isinstance(typ, str) or typ.lower() not in ACCESS_TOKEN_TYPES:
        raise InvalidToken("The token is not an access token (typ must be at+jwt).")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise InvalidToken("The access token names no key (kid).")
    return kid


# ---- aiohttp integration -----------------------------------------------------------------

JWT_VERIFIER: web.AppKey[JwksVerifier] = web.AppKey("jumo_jwt_verifier", JwksVerifier)
PRINCIPAL: web.RequestKey[Principal] = web.RequestKey("jumo_principal", Principal)


def jwt_context(
    settings: ServiceSettings,
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context: a JwksVerifier for ``settings.jwks_url`` under JWT_VERIFIER."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as session:
            app[JWT_VERIFIER] = JwksVerifier.from_url(
                settings.jwks_url, settings.jwt_issuer, settings.jwt_audience, session
            )
            yield

    return context


def _bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Use Authorization: Bearer <access token>.", error="invalid_request")
    return token.strip()


async def optional_user(request: web.Request) -> Principal | None:
    """The caller if the request carries a token (which must then be valid), else None."""
    if PRINCIPAL in request:
        return request[PRINCIPAL]
    token = _bearer_token(request)
    if token is None:
        return None
    principal = await request.config_dict[JWT_VERIFIER].verify(token)
    request[PRINCIPAL] = principal
    structlog.contextvars.bind_contextvars(user_id=principal.user_id)  # this request's task only
    return principal


async def require_user(request: web.Request) -> Principal:
    """The caller; a 401 problem (``WWW-Authenticate: Bearer``) without a valid token."""
    principal = await optional_user(request)
    if principal is None:
        raise Unauthorized("An access token is required.", error=None)
    return principal


async def require_role(request: web.Request, role: str) -> Principal:
    """The caller if their token carries ``role``; 401 without a token, 403 without the role."""
    principal = await require_user(request)
    if not principal.has_role(role):
        raise Forbidden(f"This needs the {role} role.", type_suffix="role-required")
    return principal
