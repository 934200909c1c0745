"""The control API under /__sandbox/: what tests and demos use to steer the sandbox."""

from __future__ import annotations

from typing import Any, Literal, TypeVar

import aiohttp
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jumo_facebook.sandbox.auth import state_of
from jumo_facebook.sandbox.state import Failure, Page, SandboxState, TestUser, new_id
from jumo_facebook.sandbox.testusers import create_user, login_url
from jumo_facebook.sandbox.www import SESSION_COOKIE, USER_COOKIE
from jumo_facebook.signed_request import ALGORITHM, sign_request


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewTestUser(_Body):
    """Like the test-user API, without needing the app token."""

    name: str | None = None
    installed: bool = True
    permissions: list[str] = Field(default_factory=lambda: ["email", "user_friends"])


class LoginRequest(_Body):
    """Log a test user in; with ``redirect_uri`` also authorize and return a code."""

    user_id: str
    redirect_uri: str | None = None
    scope: list[str] = Field(default_factory=lambda: ["public_profile", "email", "user_friends"])
    code_challenge: str | None = None
    code_challenge_method: Literal["S256", "plain"] = "S256"


class NewPage(_Body):
    """Give a test user a Page they manage."""

    owner_id: str
    name: str
    id: str | None = None
    category: str = "Nonprofit organization"


class NewFailure(_Body):
    """Fault injection for the next ``count`` calls to ``path`` (``*``: any Graph path)."""

    path: str
    method: str | None = None
    count: int = Field(default=1, ge=1)
    code: int | None = None
    subcode: int | None = None
    status: int | None = None
    message: str | None = None
    type: str | None = None
    is_transient: bool | None = None
    latency_ms: float = Field(default=0, ge=0)
    succeed_then_500: bool = False
    regain_minutes: float | None = None


class Callback(_Body):
    """Send Facebook's signed deauthorize or data-deletion request for a user."""

    kind: Literal["deauthorize", "data_deletion"]
    user_id: str
    url: str


class NewToken(_Body):
    """Mint a user token, e.g. one issued to another app."""

    user_id: str
    app_id: str | None = None
    scopes: list[str] = Field(default_factory=lambda: ["public_profile"])


class Invalidation(_Body):
    """Kill every token of a user as Facebook would (460 password changed, 467 logged out)."""

    subcode: Literal[458, 460, 463, 467]


B = TypeVar("B", bound=BaseModel)


async def _body(request: web.Request, model: type[B]) -> B:
    try:
        return model.model_validate(await request.json() if request.can_read_body else {})
    except (ValidationError, ValueError) as exc:
        raise web.HTTPBadRequest(text=str(exc)) from exc


def _user(state: SandboxState, user_id: str) -> TestUser:
    user = state.users.get(user_id)
    if user is None:
        raise web.HTTPNotFound(text=f"no test user {user_id}")
    return user


async def reset(request: web.Request) -> web.Response:
    """POST /__sandbox/reset: forget everything."""
    state_of(request).reset()
    return web.json_response({"ok": True})


async def app_info(request: web.Request) -> web.Response:
    """GET /__sandbox/app: the app the sandbox plays (never its secret)."""
    config = state_of(request).config
    return web.json_response(
        {
            "app_id": config.app_id,
            "redirect_uris": config.redirect_uris,
            "require_proof": config.require_proof,
            "public_url": config.base_url(),
        }
    )


async def new_test_user(request: web.Request) -> web.Response:
    """POST /__sandbox/test-users: a test user, answered like the Graph test-user API."""
    body = await _body(request, NewTestUser)
    values = {"installed": str(body.installed).lower(), "permissions": ",".join(body.permissions)}
    return web.json_response(
        create_user(state_of(request), values | ({"name": body.name} if body.name else {}))
    )


async def login(request: web.Request) -> web.Response:
    """POST /__sandbox/login: session cookies, and a code when ``redirect_uri`` is given."""
    state, body = state_of(request), await _body(request, LoginRequest)
    user = _user(state, body.user_id)
    xs = state.start_session(user.id)
    answer: dict[str, Any] = {
        "cookies": {SESSION_COOKIE: xs, USER_COOKIE: user.id},
        "cookie_header": f"{SESSION_COOKIE}={xs}; {USER_COOKIE}={user.id}",
        "login_url": login_url(state, user),
    }
    if body.redirect_uri is not None:
        if not state.redirect_allowed(body.redirect_uri):
            raise web.HTTPBadRequest(text=f"redirect_uri not registered: {body.redirect_uri}")
        state.grant(user, body.scope, set(body.scope))
        code = state.issue_code(
            user, body.redirect_uri, body.code_challenge, body.code_challenge_method
        )
        answer["code"] = code.value
    return web.json_response(answer)


async def new_page(request: web.Request) -> web.Response:
    """POST /__sandbox/pages: a Page the test user manages, with its Page token."""
    state, body = state_of(request), await _body(request, NewPage)
    owner = _user(state, body.owner_id)
    page = Page(body.id or new_id(), body.name, body.category, owner.id)
    state.pages[page.id] = page
    scopes = sorted(
        owner.granted | {"pages_show_list", "pages_manage_posts", "pages_read_engagement"}
    )
    user_token = state.issue_user_token(owner.id, scopes)
    token = state.page_token(page, user_token)
    return web.json_response({"id": page.id, "name": page.name, "access_token": token.value})


async def posts(request: web.Request) -> web.Response:
    """GET /__sandbox/posts[?page_id=]: what was posted where."""
    state, page_id = state_of(request), request.query.get("page_id")
    rows = [
        {
            "id": p.id,
            "page_id": p.page_id,
            "message": p.message,
            "link": p.link,
            "created_time": p.created_time,
        }
        for p in state.posts
        if page_id is None or p.page_id == page_id
    ]
    return web.json_response({"posts": rows, "shares": state.shares})


async def add_failure(request: web.Request) -> web.Response:
    """POST /__sandbox/failures: fault injection for the next calls to a path."""
    body = await _body(request, NewFailure)
    failure = Failure(
        path=body.path,
        method=body.method.upper() if body.method else None,
        remaining=body.count,
        code=body.code,
        subcode=body.subcode,
        status=body.status,
        message=body.message,
        error_type=body.type,
        is_transient=body.is_transient,
        latency_s=body.latency_ms / 1000,
        succeed_then_500=body.succeed_then_500,
        regain_minutes=body.regain_minutes,
    )
    state_of(request).failures.append(failure)
    return web.json_response({"ok": True})


async def clear_failures(request: web.Request) -> web.Response:
    """DELETE /__sandbox/failures: no more injected faults."""
    state_of(request).failures.clear()
    return web.json_response({"ok": True})


def _signed_payload(state: SandboxState, body: Callback) -> dict[str, Any]:
    now = int(state.now())
    payload: dict[str, Any] = {"algorithm": ALGORITHM, "issued_at": now}
    if body.kind == "data_deletion":
        payload["expires"] = now + 3600
    return payload | {"user_id": body.user_id}


async def callback(request: web.Request) -> web.Response:
    """POST /__sandbox/callbacks: the person removed the app / asked for deletion; tell the app."""
    state, body = state_of(request), await _body(request, Callback)
    signed = sign_request(_signed_payload(state, body), state.config.app_secret)
    state.deauthorize(body.user_id)
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http,
            http.post(body.url, data={"signed_request": signed}) as response,
        ):
            text = await response.text()
            answer: dict[str, Any] = {"status": response.status, "body": text}
    except (aiohttp.ClientError, TimeoutError) as exc:
        answer = {"status": None, "body": None, "error": type(exc).__name__}
    return web.json_response(answer | {"signed_request": signed})


async def advance_clock(request: web.Request) -> web.Response:
    """POST /__sandbox/clock {"advance_s": N}: let codes and tokens expire without waiting."""
    state = state_of(request)
    try:
        state.clock_offset_s += float((await request.json())["advance_s"])
    except (ValueError, KeyError, TypeError) as exc:
        raise web.HTTPBadRequest(text="advance_s (seconds) is required") from exc
    return web.json_response({"now": int(state.now())})


async def mint_token(request: web.Request) -> web.Response:
    """POST /__sandbox/tokens: a user token, possibly for another app."""
    state, body = state_of(request), await _body(request, NewToken)
    _user(state, body.user_id)
    token = state.issue_user_token(body.user_id, body.scopes, body.app_id)
    return web.json_response({"access_token": token.value, "app_id": token.app_id})


async def invalidate(request: web.Request) -> web.Response:
    """POST /__sandbox/users/{id}/invalidate: the user's tokens die with a subcode."""
    state, body = state_of(request), await _body(request, Invalidation)
    user = _user(state, request.match_info["user_id"])
    state.invalidate_user_tokens(user.id, body.subcode)
    return web.json_response({"ok": True})
