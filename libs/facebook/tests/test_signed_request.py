"""signed_request: round trip, every way it can be wrong, and fuzzing that finds only our error."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jumo_facebook import SignedRequestError, sign_request
from jumo_facebook.security import b64url
from jumo_facebook.signed_request import parse_signed_request, signature

SECRET = "app-secret"
NOW = 1_800_000_000


def _parse(signed: str, **options: Any) -> Any:
    return parse_signed_request(signed, SECRET, max_age_s=600, now=options.get("now", NOW))


def _payload(**changes: Any) -> dict[str, Any]:
    return {"algorithm": "HMAC-SHA256", "issued_at": NOW - 5, "user_id": "1234"} | changes


def test_round_trip_deauthorize() -> None:
    parsed = _parse(sign_request(_payload(), SECRET))
    assert (parsed.user_id, parsed.issued_at, parsed.expires) == ("1234", NOW - 5, None)


def test_round_trip_data_deletion_keeps_extra_keys() -> None:
    parsed = _parse(sign_request(_payload(expires=NOW + 3600, oauth_token="x"), SECRET))
    assert parsed.expires == NOW + 3600
    assert parsed.model_extra == {"oauth_token": "x"}


def test_the_format_is_facebooks() -> None:
    """sig = base64url(HMAC-SHA256(secret, payload as sent)), both without padding."""
    signed = sign_request(_payload(), SECRET)
    sig, payload = signed.split(".")
    assert "=" not in signed
    expected = hmac.new(SECRET.encode(), payload.encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(sig + "=") == expected
    assert json.loads(base64.urlsafe_b64decode(payload + "==")) == _payload()


@pytest.mark.parametrize(
    "signed",
    [
        "",
        "nodot",
        "a.b.c",
        ".payload",
        "sig.",
        "!!!.???",
        "é.é",
        "x" * 9000 + "." + "y",
    ],
)
def test_malformed(signed: str) -> None:
    with pytest.raises(SignedRequestError):
        _parse(signed)


def test_wrong_secret() -> None:
    with pytest.raises(SignedRequestError):
        _parse(sign_request(_payload(), "another-secret"))


def test_tampered_payload() -> None:
    sig, _ = sign_request(_payload(), SECRET).split(".")
    forged = b64url(json.dumps(_payload(user_id="666")).encode())
    with pytest.raises(SignedRequestError):
        _parse(f"{sig}.{forged}")


@pytest.mark.parametrize("algorithm", ["HMAC-SHA1", "none", ""])
def test_algorithm_must_be_hmac_sha256(algorithm: str) -> None:
    with pytest.raises(SignedRequestError):
        _parse(sign_request(_payload(algorithm=algorithm), SECRET))


@pytest.mark.parametrize("issued_at", [NOW - 601, NOW + 3600])
def test_stale_or_future(issued_at: int) -> None:
    with pytest.raises(SignedRequestError):
        _parse(sign_request(_payload(issued_at=issued_at), SECRET))


@pytest.mark.parametrize(
    "payload",
    [
        [1, 2],
        "text",
        {"algorithm": "HMAC-SHA256"},
        {"algorithm": "HMAC-SHA256", "issued_at": "1800000000"},
        {"algorithm": "HMAC-SHA256", "issued_at": True},
        {"algorithm": "HMAC-SHA256", "issued_at": NOW, "user_id": 1234},
    ],
)
def test_validly_signed_but_wrong_shape(payload: Any) -> None:
    encoded = b64url(json.dumps(payload).encode())
    with pytest.raises(SignedRequestError):
        _parse(f"{signature(encoded, SECRET)}.{encoded}")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_only_raises_our_error(signed: str) -> None:
    with contextlib.suppress(SignedRequestError):
        _parse(signed)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_validly_signed_bytes_only_raise_our_error(raw: bytes) -> None:
    encoded = b64url(raw)
    with contextlib.suppress(SignedRequestError):
        _parse(f"{signature(encoded, SECRET)}.{encoded}")


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["algorithm", "issued_at", "user_id", "expires", "other"]), _json
    )
)
def test_any_validly_signed_json_only_raises_our_error(payload: dict[str, Any]) -> None:
    try:
        parsed = _parse(sign_request(payload, SECRET), now=time.time())
    except SignedRequestError:
        return
    assert parsed.algorithm.upper() == "HMAC-SHA256"
