"""Turning error bodies into exceptions never fails, whatever Facebook (or a proxy) sends."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from jumo_facebook import (
    FacebookAppCredentialsError,
    FacebookError,
    FacebookTransientError,
    FacebookUnavailableError,
)
from jumo_facebook.errors import error_from_body

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
_error_keys = st.sampled_from(
    ["message", "type", "code", "error_subcode", "is_transient", "fbtrace_id", "error_user_msg"]
)


@given(_json, st.integers(min_value=100, max_value=599))
def test_any_body_gives_a_facebook_error(body: Any, status: int) -> None:
    assert isinstance(error_from_body(body, status, None), FacebookError)


@given(st.dictionaries(_error_keys, _json), st.integers(min_value=400, max_value=599))
def test_any_error_object_gives_a_facebook_error(error: dict[str, Any], status: int) -> None:
    exc = error_from_body({"error": error}, status, None)
    assert isinstance(exc, FacebookError)
    assert exc.http_status == status
    assert isinstance(exc.message, str)


def test_no_error_object_is_unavailable() -> None:
    assert isinstance(error_from_body("<html>", 502, None), FacebookUnavailableError)


def test_code_1_transient_or_credentials() -> None:
    wrong_secret = {"message": "Error validating client secret.", "type": "OAuthException",
                    "code": 1}  # fmt: skip
    assert type(error_from_body({"error": wrong_secret}, 400, None)) is FacebookAppCredentialsError
    unknown = {"message": "An unknown error occurred", "type": "OAuthException", "code": 1,
               "is_transient": True}  # fmt: skip
    assert type(error_from_body({"error": unknown}, 500, None)) is FacebookTransientError


def test_code_2_is_always_transient() -> None:
    body = {"error": {"message": "Service temporarily unavailable", "type": "OAuthException",
                      "code": 2}}  # fmt: skip
    assert type(error_from_body(body, 500, None)) is FacebookTransientError
