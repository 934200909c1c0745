"""Routes of login, tokens, keys and Facebook's callbacks (thin: parse, call, answer)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from jumo_common.web import ApiRoutes, json_response, parse_body, parse_query, request_id
from jumo_common.web.problems import ProblemError, problem_response
from jumo_identity.browser import (
    CLIENT_HEADER,
    CLIENT_HEADER_VALUE,
    REFRESH_COOKIE,
    clearing_cookies,
    prefers_html,
    refresh_cookies,
)
from jumo_identity.errors import ClientHeaderRequired, RefreshRefused
from jumo_identity.login import CallbackParams
from jumo_identity.schemas import (
    AccessTokenAnswer,
    CallbackQuery,
    DeletionAnswer,
    DeletionStatus,
    Jwks,
    LoginQuery,
    LoginTokens,
    RefreshAnswer,
    RefreshBody,
    private_view,
)
from jumo_identity.typedefs import IDENTITY, Identity

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
    url, nonce = await identity.login.begin(
        cookie, _now(), share_joins=query.share_joins, return_to=query.return_to
    )
    response = web.Response(status=302, headers={"Location": url, **NO_STORE})
    response.set_cookie(
        LOGIN_COOKIE, nonce, max_age=identity.settings.login_state_ttl_s, path=CALLBACK_PATH,
        httponly=True, samesite="Lax", secure=identity.settings.secure_cookies(),
    )  # fmt: skip
    return response


@routes.get(
    CALLBACK_PATH, query=CallbackQuery, response=LoginTokens, problems=(400, 401, 503),
    summary=(
        "Complete a Facebook login: Jumo's tokens and the profile (JSON); a browser asking"
        " for HTML gets a 303 to the login's return_to and its refresh token as a cookie"
    ),
)  # fmt: skip
async def facebook_callback(request: web.Request) -> web.Response:
    """Check the state once, exchange the code, link the account, issue tokens."""
    query = parse_query(request, CallbackQuery)
    params = CallbackParams(
        state=query.state, code=query.code, error=query.error, error_code=query.error_code
    )
    identity = request.app[IDENTITY]
    result = await identity.login.complete(params, request.cookies.get(LOGIN_COOKIE), _now())
    if prefers_html(request.headers.get("Accept")):
        # A browser: back into the app, the refresh token where no script can read it, and
        # no token in the URL (the access token comes from the first cookie refresh).
        response = web.Response(status=303, headers={"Location": result.return_to, **NO_STORE})
        _set_refresh_cookies(response, identity, result.tokens.refresh_token)
        return response
    body = LoginTokens(
        **result.tokens.model_dump(), created=result.created, user=private_view(result.user)
    )
    return json_response(body, headers=NO_STORE)


def _set_refresh_cookies(response: web.StreamResponse, identity: Identity, token: str) -> None:
    max_age = int(identity.sessions.policy.refresh_ttl.total_seconds())
    secure = identity.settings.secure_cookies()
    for value in refresh_cookies(token, max_age, secure=secure):
        response.headers.add("Set-Cookie", value)


def _clear_refresh_cookies(response: web.StreamResponse, identity: Identity) -> None:
    for value in clearing_cookies(secure=identity.settings.secure_cookies()):
        response.headers.add("Set-Cookie", value)


async def _credential(request: web.Request) -> tuple[str | None, bool]:
    """The refresh token a request presents, and whether it came from the cookie.

    A token in the body wins (API clients, unchanged); an empty body or ``{}`` means the
    cookie, which is accepted only with the header a cross-site form cannot send.
    """
    if request.can_read_body and await request.read():
        body = await parse_body(request, RefreshBody)
        if body.refresh_token is not None:
            return body.refresh_token, False
    cookie = request.cookies.get(REFRESH_COOKIE)
    if not cookie:
        return None, False
    if request.headers.get(CLIENT_HEADER) != CLIENT_HEADER_VALUE:
        raise ClientHeaderRequired(
            f"A request that uses the refresh cookie must send {CLIENT_HEADER}:"
            f" {CLIENT_HEADER_VALUE}."
        )
    return cookie, True


@routes.post(
    "/auth/refresh", body=RefreshBody, response=RefreshAnswer, problems=(401, 403),
    summary=(
        "New tokens for a refresh token (which is retired): from the body, or from the"
        " browser's HttpOnly cookie with X-Jumo-Client: web"
    ),
)  # fmt: skip
async def refresh(request: web.Request) -> web.Response:
    """Rotate a refresh token; reusing a retired one revokes its whole login."""
    token, from_cookie = await _credential(request)
    identity = request.app[IDENTITY]
    if token is None:
        raise RefreshRefused("No refresh token: none in the body, and no refresh cookie.")
    if not from_cookie:
        pair = await identity.sessions.refresh(token, _now())
        return json_response(pair, headers=NO_STORE)
    try:
        pair = await identity.sessions.refresh(token, _now())
    except RefreshRefused as exc:
        # The cookie is dead (expired, revoked, reused): the browser should stop sending it.
        problem = ProblemError(exc.status, detail=exc.detail, type_suffix=exc.slug)
        refused = problem_response(problem, instance=request.path, request_id=request_id(request))
        refused.headers.update(NO_STORE)
        _clear_refresh_cookies(refused, identity)
        return refused
    answer = AccessTokenAnswer(access_token=pair.access_token, expires_in=pair.expires_in)
    response = json_response(answer, headers=NO_STORE)
    _set_refresh_cookies(response, identity, pair.refresh_token)
    return response


@routes.post(
    "/auth/logout", body=RefreshBody, status=204, problems=(403,),
    summary="End a login: the body's refresh token, or the browser's cookie (which is cleared)",
)  # fmt: skip
async def logout(request: web.Request) -> web.Response:
    """Revoke the login (token family) of a refresh token; unknown tokens are ignored."""
    token, from_cookie = await _credential(request)
    identity = request.app[IDENTITY]
    if token is not None:
        await identity.sessions.logout(token, _now())
    response = web.Response(status=204)
    if from_cookie:
        _clear_refresh_cookies(response, identity)
    return response


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
