"""Reading a Graph request: its parameters, its access token, and its appsecret_proof."""

from __future__ import annotations

import hmac
import time

from aiohttp import web

from jumo_facebook.sandbox import errors
from jumo_facebook.sandbox.state import SandboxState, Token
from jumo_facebook.security import appsecret_proof

STATE_KEY = web.AppKey("facebook_sandbox_state", SandboxState)
PARAMS_KEY = web.RequestKey("facebook_sandbox_params", dict[str, str])
# The business object (Page) a Graph call concerns, for x-business-use-case-usage.
BUSINESS_KEY = web.RequestKey("facebook_sandbox_business_id", str)
# The time-stamped proof must be this fresh (seconds, either way).
PROOF_TIME_WINDOW_S = 300


def state_of(request: web.Request) -> SandboxState:
    """The sandbox state behind a request."""
    return request.app[STATE_KEY]


async def params(request: web.Request) -> dict[str, str]:
    """Query and form parameters merged, as Graph reads them (form wins)."""
    if PARAMS_KEY in request:
        return request[PARAMS_KEY]
    merged = dict(request.query)
    if request.method in ("POST", "DELETE") and request.can_read_body:
        form = await request.post()
        merged |= {key: value for key, value in form.items() if isinstance(value, str)}
    request[PARAMS_KEY] = merged
    return merged


def _token_value(request: web.Request, values: dict[str, str]) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() in ("bearer", "oauth") and credential.strip():
        return credential.strip()
    return values.get("access_token") or None


def _resolve(state: SandboxState, value: str) -> Token:
    app_id, bar, secret = value.partition("|")
    if bar:
        if app_id != state.config.app_id or not hmac.compare_digest(
            secret, state.config.app_secret
        ):
            raise errors.bad_app_token()
        return Token(value, "app", app_id, None, [], 0, 0)
    token = state.tokens.get(value)
    if token is None:
        raise errors.unparsable_token()
    if token.invalid_subcode is not None:
        raise errors.token_invalid(token.invalid_subcode, token.user_id, token.app_id)
    if token.expires_at and token.expires_at <= state.now():
        raise errors.token_invalid(463, token.user_id, token.app_id)
    return token


def _check_proof(state: SandboxState, token: Token, values: dict[str, str]) -> None:
    proof = values.get("appsecret_proof")
    if proof is None:
        if state.config.require_proof and token.kind != "app":
            raise errors.proof_missing()
        return
    stamp = values.get("appsecret_time")
    unix_time: int | None = None
    if stamp is not None:
        if not stamp.isdigit() or abs(int(stamp) - time.time()) > PROOF_TIME_WINDOW_S:
            raise errors.proof_invalid()
        unix_time = int(stamp)
    expected = appsecret_proof(state.config.app_secret, token.value, unix_time)
    if not hmac.compare_digest(proof.encode(), expected.encode()):
        raise errors.proof_invalid()


async def authenticate(request: web.Request) -> Token:
    """The call's token, valid and (when sent or required) proven with appsecret_proof."""
    values = await params(request)
    value = _token_value(request, values)
    if not value:
        raise errors.missing_token()
    state = state_of(request)
    token = _resolve(state, value)
    _check_proof(state, token, values)
    if token.page_id is not None:
        request[BUSINESS_KEY] = token.page_id
    return token


def find_token(state: SandboxState, value: str) -> Token | None:
    """A token the sandbox issued, or None."""
    return state.tokens.get(value)
