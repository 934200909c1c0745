"""Test keys and tokens: an Ed25519 key set that serves a JWKS and mints access tokens.

``TestKeys`` mints tokens the way identity does, and forged ones for negative tests
(``alg: none``, HS256 keyed with the public key, wrong claims or headers). Serve its JWKS over
HTTP with ``jwks_app()`` (e.g. under pytest-aiohttp's ``aiohttp_server``), or hand
``jwks_source`` to ``JwksVerifier`` directly, or ``async with keys.serve() as jwks_url:`` to
point a whole service (``jwt_context``) at it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import jwt as pyjwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jumo_common.jwt import ALGORITHM

JWKS_PATH = "/.well-known/jwks.json"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64_json(value: Mapping[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode())


class TestKeys:
    """A rotating set of Ed25519 keys, its JWKS, and a minting press for access tokens."""

    __test__ = False  # not a pytest test class

    def __init__(self, *, issuer: str = "jumo-identity", audience: str = "jumo") -> None:
        self.issuer = issuer
        self.audience = audience
        self._keys: dict[str, Ed25519PrivateKey] = {}
        self.current_kid = self.rotate()
        self.jwks_requests = 0

    def rotate(self) -> str:
        """Add a new key and sign with it from now on; older keys stay in the JWKS."""
        kid = uuid.uuid4().hex[:16]
        self._keys[kid] = Ed25519PrivateKey.generate()
        self.current_kid = kid
        return kid

    def retire(self, kid: str) -> None:
        """Drop a key from the JWKS (tokens it signed stop verifying once caches refresh)."""
        del self._keys[kid]

    def public_jwk(self, kid: str) -> dict[str, Any]:
        """The public JWK of ``kid``."""
        raw = (
            self._keys[kid]
            .public_key()
            .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )
        return {"kty": "OKP", "crv": "Ed25519", "x": _b64(raw), "kid": kid, "use": "sig",
                "alg": ALGORITHM}  # fmt: skip

    def jwks(self) -> dict[str, Any]:
        """The JWKS document of every live key."""
        return {"keys": [self.public_jwk(kid) for kid in self._keys]}

    async def jwks_source(self) -> Mapping[str, Any]:
        """A ``JwksSource`` for ``JwksVerifier`` that counts its calls."""
        self.jwks_requests += 1
        return self.jwks()

    def jwks_app(self) -> web.Application:
        """An aiohttp app serving the JWKS at ``/.well-known/jwks.json``."""

        async def serve(_request: web.Request) -> web.Response:
            return web.json_response(await self.jwks_source())

        app = web.Application()
        app.router.add_get(JWKS_PATH, serve)
        return app

    @asynccontextmanager
    async def serve(self, host: str = "127.0.0.1") -> AsyncIterator[str]:
        """Serve the JWKS on a free port for the block; yields its URL (for ``jwks_url``)."""
        runner = web.AppRunner(self.jwks_app(), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, 0).start()
            port = runner.addresses[0][1]
            yield f"http://{host}:{port}{JWKS_PATH}"
        finally:
            await runner.cleanup()

    def claims(self, sub: str = "user-1", *, ttl_s: int = 300, **overrides: Any) -> dict[str, Any]:
        """Valid claims for ``sub``; an override of None removes a claim."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer, "aud": self.audience, "sub": sub, "iat": now,
            "exp": now + ttl_s, "jti": uuid.uuid4().hex,
        }  # fmt: skip
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def headers(self, **overrides: Any) -> dict[str, Any]:
        """The JOSE header of an access token; an override of None removes a member."""
        header: dict[str, Any] = {"typ": "at+jwt", "kid": self.current_kid}
        header.update(overrides)
        return {k: v for k, v in header.items() if v is not None}

    def mint(
        self,
        sub: str = "user-1",
        *,
        ttl_s: int = 300,
        kid: str | None = None,
        key: Ed25519PrivateKey | None = None,
        headers: Mapping[str, Any] | None = None,
        **claims: Any,
    ) -> str:
        """An EdDSA access token; claims and header members may be overridden (None drops one)."""
        signing_kid = kid or self.current_kid
        signing_key = key or self._keys[signing_kid]
        header = self.headers(**{"kid": signing_kid, **dict(headers or {})})
        payload = self.claims(sub, ttl_s=ttl_s, **claims)
        # PyJWT always writes "alg" and adds "typ: JWT" unless told otherwise.
        return pyjwt.encode(payload, signing_key, algorithm=ALGORITHM, headers=header)

    def forge_unsigned(self, sub: str = "user-1") -> str:
        """``alg: none`` with an empty signature."""
        header = {"alg": "none", "typ": "at+jwt", "kid": self.current_kid}
        return f"{_b64_json(header)}.{_b64_json(self.claims(sub))}."

    def forge_hs256_with_public_key(self, sub: str = "user-1", *, pem: bool = True) -> str:
        """HS256 "signed" with the public key as the HMAC secret (the classic confusion attack)."""
        public = self._keys[self.current_kid].public_key()
        secret = (
            public.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            if pem
            else public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )
        header = {"alg": "HS256", "typ": "at+jwt", "kid": self.current_kid}
        signing_input = f"{_b64_json(header)}.{_b64_json(self.claims(sub))}"
        signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(signature)}"
