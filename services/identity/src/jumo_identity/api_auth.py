"""Routes of login, tokens, keys and Facebook's callbacks (thin: parse, call, answer)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from jumo_common.web import ApiRoutes, json_response, parse_body, parse_query
from jumo_identity.login import CallbackParams
from jumo_identity.schemas import (
    CallbackQuery,
    DeletionAnswer,
    DeletionStatus,
    Jwks,
    LoginQuery,
    LoginTokens,
    RefreshBody,
    TokenPair,
    private_view,
)
from jumo_identity.typedefs import IDENTITY

routes = ApiRoutes(tags=("auth",))
LOGIN_COOKIE = "jumo_login"
CALLBACK_PATH = "/auth/facebook/callback"
# RFC 6749 section 5.1: token answers must not be cached anywhere.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _now() -> datetime:
    return datetime.now(UTC)


@routes.get(
    "/auth/facebook/login", query=LoginQuery, status=302,
    summary="Start a Facebook login (redirect); share_joins=true: show my sign-up on Facebook",
)  # fmt: skip
async def facebook_login(request: web.Request) -> web.Response:
    """302 to the Facebook dialog; sets the HttpOnly cookie that binds the state to this browser."""
    query = parse_query(request, LoginQuery)
    identity = request.app[IDENTITY]
    cookie = request.cookies.get(LOGIN_COOKIE)
    url, nonce = await identity.login.begin(cookie, _now(), share_joins=query.share_joins)
    response = web.Response(status=302, headers={"Location": url, **NO_STORE})
    response.set_cookie(
        LOGIN_COOKIE, nonce, max_age=identity.settings.login_state_ttl_s, path=CALLBACK_PATH,
        httponly=True, samesite="Lax", secure=identity.settings.secure_cookies(),
    )  # fmt: skip
    return response


@routes.get(
    CALLBACK_PATH, query=CallbackQuery, response=LoginTokens, problems=(400, 401, 503),
    summary="Complete a Facebook login: Jumo's tokens and the profile",
)  # fmt: skip
async def facebook_callback(request: web.Request) -> web.Response:
    """Check the state once, exchange the code, link the account, issue tokens."""
    query = parse_query(request, CallbackQuery)
    params = CallbackParams(
        state=query.state, code=query.code, error=query.error, error_code=query.error_code
    )
    identity = request.app[IDENTITY]
    result = await identity.login.complete(params, request.cookies.get(LOGIN_COOKIE), _now())
    body = LoginTokens(
        **result.tokens.model_dump(), created=result.created, user=private_view(result.user)
    )
    return json_response(body, headers=NO_STORE)


@routes.post(
    "/auth/refresh", body=RefreshBody, response=TokenPair, problems=(401,),
    summary="New tokens for a refresh token (which is retired)",
)  # fmt: skip
async def refresh(request: web.Request) -> web.Response:
    """Rotate a refresh token; reusing a retired one revokes its whole login."""
    body = await parse_body(request, RefreshBody)
    pair = await request.app[IDENTITY].sessions.refresh(body.refresh_token, _now())
    return json_response(pair, headers=NO_STORE)


@routes.post("/auth/logout", body=RefreshBody, status=204, summary="End a login")
async def logout(request: web.Request) -> web.Response:
    """Revoke the login (token family) of a refresh token; unknown tokens are ignored."""
    body = await parse_body(request, RefreshBody)
    await request.app[IDENTITY].sessions.logout(body.refresh_token, _now())
    return web.Response(status=204)


@routes.get("/.well-known/jwks.json", response=Jwks, summary="Public keys of access tokens")
async def jwks(request: web.Request) -> web.Response:
    """The current and previous Ed25519 public keys."""
    document: Any = await request.app[IDENTITY].keyring.jwks()
    # Short caching: verifiers re-fetch on an unknown kid anyway.
    return json_response(document, headers={"Cache-Control": "public, max-age=60"})


async def _signed_request(request: web.Request) -> str | None:
    form = await request.post()
    value = form.get("signed_request")
    return value if isinstance(value, str) else None


@routes.post(
    "/facebook/deauthorize", status=200, problems=(400,), tags=("facebook",),
    summary="Facebook's deauthorize callback (form field signed_request)",
)  # fmt: skip
async def facebook_deauthorize(request: web.Request) -> web.Response:
    """Unlink a person who removed Jumo on Facebook."""
    await request.app[IDENTITY].callbacks.deauthorize(await _signed_request(request), _now())
    return json_response({"success": True})


@routes.post(
    "/facebook/data-deletion", response=DeletionAnswer, problems=(400,), tags=("facebook",),
    summary="Facebook's data-deletion callback (form field signed_request)",
)  # fmt: skip
async def facebook_data_deletion(request: web.Request) -> web.Response:
    """Delete a person's data; a replay answers the same confirmation code."""
    callbacks = request.app[IDENTITY].callbacks
    answer = await callbacks.request_deletion(await _signed_request(request), _now())
    return json_response(answer)


@routes.get(
    "/facebook/data-deletion/{code}", response=DeletionStatus, problems=(404,),
    tags=("facebook",), summary="What a data-deletion request did, in words",
)  # fmt: skip
async def facebook_data_deletion_status(request: web.Request) -> web.Response:
    """The status page Facebook links people to."""
    code = request.match_info["code"]
    return json_response(await request.app[IDENTITY].callbacks.status(code[:64]))
