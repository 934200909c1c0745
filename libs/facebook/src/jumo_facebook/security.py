"""appsecret_proof and PKCE: small HMAC/hash helpers shared by the client and the sandbox."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def appsecret_proof(app_secret: str, access_token: str, unix_time: int | None = None) -> str:
    """hex HMAC-SHA256 of the token (``token|unix_time`` in the time-stamped form)."""
    message = access_token if unix_time is None else f"{access_token}|{unix_time}"
    return hmac.new(app_secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def b64url(data: bytes) -> str:
    """base64url without padding, as Facebook and PKCE write it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_code_verifier() -> str:
    """A fresh PKCE code_verifier (43 characters, RFC 7636)."""
    return b64url(secrets.token_bytes(32))


def code_challenge_s256(code_verifier: str) -> str:
    """The S256 code_challenge for a verifier."""
    return b64url(hashlib.sha256(code_verifier.encode("ascii")).digest())


def make_state() -> str:
    """A random login ``state`` (the CSRF defence; bind it to the browser by a cookie)."""
    return secrets.token_urlsafe(24)
