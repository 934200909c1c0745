"""Facebook's ``signed_request`` (deauthorize and data-deletion callbacks): verify, then parse.

Format: ``<sig>.<payload>``; payload is base64url JSON, sig is base64url of
HMAC-SHA256(key=app_secret, msg=payload as sent). The signature is checked (constant time)
before the payload is decoded, so unauthenticated bytes are never parsed as JSON.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from jumo_facebook.security import b64url

ALGORITHM = "HMAC-SHA256"
# A real signed_request is a few hundred bytes; refuse to hash or decode megabytes.
MAX_LENGTH = 8192


class SignedRequestError(ValueError):
    """A signed_request that is malformed, forged, stale or not for us."""


class SignedRequest(BaseModel):
    """The verified payload; other keys Facebook adds are kept in ``model_extra``."""

    model_config = ConfigDict(frozen=True, extra="allow", strict=True)

    algorithm: str
    issued_at: int
    user_id: str | None = None
    expires: int | None = None


def sign_request(payload: dict[str, Any], app_secret: str) -> str:
    """Build a signed_request as Facebook does (used by the sandbox and tests)."""
    encoded = b64url(json.dumps(payload, separators=(",", ":")).encode())
    return f"{signature(encoded, app_secret)}.{encoded}"


def signature(encoded_payload: str, app_secret: str) -> str:
    """base64url HMAC-SHA256 of an encoded payload: the part before the dot."""
    digest = hmac.new(app_secret.encode(), encoded_payload.encode("ascii"), hashlib.sha256)
    return b64url(digest.digest())


def _b64decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise SignedRequestError("signed_request is not base64url") from exc


def _split(signed_request: str) -> tuple[str, str]:
    if not isinstance(signed_request, str) or len(signed_request) > MAX_LENGTH:
        raise SignedRequestError("signed_request is missing or too long")
    if not signed_request.isascii() or signed_request.count(".") != 1:
        raise SignedRequestError("signed_request is not <signature>.<payload>")
    sig, payload = signed_request.split(".")
    if not sig or not payload:
        raise SignedRequestError("signed_request has an empty part")
    return sig, payload


def _verify_signature(sig: str, payload: str, app_secret: str) -> None:
    expected = _b64decode(signature(payload, app_secret))
    if not hmac.compare_digest(_b64decode(sig), expected):
        raise SignedRequestError("signed_request signature does not match")


def _decode_payload(payload: str) -> SignedRequest:
    try:
        data = json.loads(_b64decode(payload).decode("utf-8"))
        return SignedRequest.model_validate(data)
    except (UnicodeDecodeError, ValueError, RecursionError, ValidationError) as exc:
        raise SignedRequestError("signed_request payload is not the expected JSON") from exc


def parse_signed_request(
    signed_request: str, app_secret: str, *, max_age_s: float, now: float | None = None
) -> SignedRequest:
    """Verify and decode a signed_request; raise SignedRequestError on anything wrong."""
    sig, payload = _split(signed_request)
    _verify_signature(sig, payload, app_secret)
    data = _decode_payload(payload)
    if data.algorithm.upper() != ALGORITHM:
        raise SignedRequestError("signed_request algorithm is not HMAC-SHA256")
    current = time.time() if now is None else now
    # A little skew is allowed into the future; the past is bounded by max_age_s.
    if not current - max_age_s <= data.issued_at <= current + 60:
        raise SignedRequestError("signed_request is stale or from the future")
    return data
