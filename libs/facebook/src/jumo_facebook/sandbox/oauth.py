"""Graph's OAuth endpoints: the code exchange, long-lived tokens, and debug_token."""

from __future__ import annotations

import hmac
from typing import Any

from aiohttp import web

from jumo_facebook.sandbox import errors
from jumo_facebook.sandbox.auth import authenticate, find_token, params, state_of
from jumo_facebook.sandbox.errors import GraphError
from jumo_facebook.sandbox.state import AuthCode, SandboxState, Token
from jumo_facebook.security import code_challenge_s256


def _check_client(state: SandboxState, values: dict[str, str]) -> None:
    client_id = values.get("client_id")
    if not client_id:
        raise GraphError(400, 101, "Missing client_id parameter.")
    if client_id != state.config.app_id:
        raise GraphError(400, 101, "Error validating application. Invalid application ID.")
    secret = values.get("client_secret", "")
    if not hmac.compare_digest(secret.encode(), state.config.app_secret.encode()):
        raise GraphError(400, 1, "Error validating client secret.")


def _token_body(token: Token) -> dict[str, Any]:
    body: dict[str, Any] = {"access_token": token.value, "token_type": "bearer"}
    if token.expires_at:
        body["expires_in"] = token.expires_at - token.issued_at
    return body


def _verify_pkce(code: AuthCode, verifier: str | None) -> None:
    """PKCE both ways: a code issued with a challenge needs its verifier, and a code issued
    without one refuses any verifier (RFC 9700 §2.1.1, the PKCE downgrade: otherwise a code from
    a crafted dialog URL with no challenge, injected into a login whose client sends a verifier,
    would be redeemed as if PKCE had held)."""
    if code.code_challenge is None:
        if verifier is not None:
            raise errors.invalid_code_verifier()
        return
    if not verifier:
        raise GraphError(400, 100, "Missing code_verifier parameter.")
    expected = verifier if code.code_challenge_method == "plain" else code_challenge_s256(verifier)
    if not hmac.compare_digest(expected.encode(), code.code_challenge.encode()):
        raise errors.invalid_code_verifier()


def _redeem(state: SandboxState, values: dict[str, str]) -> Token:
    code = state.codes.get(values.get("code", ""))
    if code is None:
        raise GraphError(400, 100, "Invalid verification code format.")
    if code.used:
        raise GraphError(400, 100, "This authorization code has been used.", subcode=36009)
    if state.now() - code.created_at > state.config.code_ttl_s:
        raise GraphError(400, 100, "This authorization code has expired.", subcode=36007)
    if values.get("redirect_uri") != code.redirect_uri:
        raise GraphError(
            400,
            100,
            "Error validating verification code. Please make sure your redirect_uri is "
            "identical to the one you used in the OAuth dialog request",
            subcode=36008,
        )
    _verify_pkce(code, values.get("code_verifier"))
    code.used = True
    return state.issue_user_token(code.user_id, code.scopes)


def _exchange(state: SandboxState, values: dict[str, str]) -> Token:
    old = find_token(state, values.get("fb_exchange_token", ""))
    if old is None or old.kind != "user":
        raise errors.unparsable_token()
    if old.invalid_subcode is not None:
        raise errors.token_invalid(old.invalid_subcode, old.user_id, old.app_id)
    if old.expires_at and old.expires_at <= state.now():
        raise errors.token_invalid(463, old.user_id, old.app_id)
    assert old.user_id is not None
    return state.issue_user_token(old.user_id, old.scopes)


async def access_token(request: web.Request) -> web.Response:
    """GET /oauth/access_token: code, fb_exchange_token or client_credentials grants."""
    state, values = state_of(request), await params(request)
    _check_client(state, values)
    grant = values.get("grant_type")
    if grant == "client_credentials":
        app_token = f"{state.config.app_id}|{state.config.app_secret}"
        return web.json_response({"access_token": app_token, "token_type": "bearer"})
    if grant == "fb_exchange_token":
        return web.json_response(_token_body(_exchange(state, values)))
    if "code" not in values:
        raise GraphError(400, 100, "Missing authorization code")
    return web.json_response(_token_body(_redeem(state, values)))


def _token_data(token: Token) -> dict[str, Any]:
    # Only the keys shared/FACEBOOK.md shows; the client needs no others.
    return {
        "app_id": token.app_id,
        "is_valid": True,
        "user_id": token.user_id,
        "scopes": token.scopes,
        "expires_at": token.expires_at,
    }


def _invalid_data(token: Token) -> dict[str, Any]:
    subcode = token.invalid_subcode or 463
    error = errors.token_invalid(subcode, token.user_id, token.app_id)
    data = _token_data(token) | {"is_valid": False}
    data["error"] = {"code": 190, "message": error.message, "subcode": subcode}
    return data


async def debug_token(request: web.Request) -> web.Response:
    """GET /debug_token: what a token is, asked with the app token; 200 even when invalid."""
    await authenticate(request)
    state, values = state_of(request), await params(request)
    token = find_token(state, values.get("input_token", ""))
    if token is None:
        message = errors.unparsable_token().message
        data = {"error": {"code": 190, "message": message}, "is_valid": False, "scopes": []}
    elif token.invalid_subcode is not None or (0 < token.expires_at <= state.now()):
        data = _invalid_data(token)
    else:
        data = _token_data(token)
    return web.json_response({"data": data})
