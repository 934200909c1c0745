"""Facebook's test-user API: create and list test users, make them friends, delete them."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from jumo_facebook.sandbox import errors
from jumo_facebook.sandbox.auth import authenticate, params, state_of
from jumo_facebook.sandbox.errors import GraphError
from jumo_facebook.sandbox.state import SandboxState, TestUser, Token

DEFAULT_NAMES = ("Ann", "Ben", "Chloe", "Dev", "Esi", "Femi", "Gita", "Hugo")


def login_url(state: SandboxState, user: TestUser) -> str:
    """Opening this in a browser logs the test user in to the sandbox."""
    base = state.config.base_url()
    return f"{base}/checkpoint/test-user-login/{user.id}/?nonce={user.login_nonce}"


def _require_app(state: SandboxState, token: Token, app_id: str) -> None:
    if token.kind != "app":
        raise errors.app_token_required()
    if app_id != state.config.app_id:
        raise errors.unsupported("post", app_id)


def create_user(state: SandboxState, values: dict[str, str]) -> dict[str, Any]:
    """Create a test user from Graph-style parameters; the Graph answer."""
    installed = values.get("installed", "true").lower() != "false"
    permissions = [p.strip() for p in values.get("permissions", "").split(",") if p.strip()]
    name = values.get("name") or f"{DEFAULT_NAMES[len(state.users) % 8]} Test User"
    user = state.add_user(name, installed, permissions)
    body: dict[str, Any] = {"id": user.id}
    if installed:
        body["access_token"] = state.issue_user_token(user.id, sorted(user.granted)).value
    body |= {"login_url": login_url(state, user), "email": user.email, "password": user.password}
    return body


async def create(request: web.Request) -> web.Response:
    """POST /{app-id}/accounts/test-users (app token)."""
    token, values, state = await authenticate(request), await params(request), state_of(request)
    _require_app(state, token, request.match_info["app_id"])
    return web.json_response(create_user(state, values))


def _any_token(state: SandboxState, user: TestUser) -> str | None:
    for token in state.tokens.values():
        if token.user_id == user.id and token.kind == "user" and token.invalid_subcode is None:
            return token.value
    return None


async def listing(request: web.Request) -> web.Response:
    """GET /{app-id}/accounts/test-users (app token)."""
    token, state = await authenticate(request), state_of(request)
    _require_app(state, token, request.match_info["app_id"])
    data = []
    for user in state.users.values():
        row = {"id": user.id, "login_url": login_url(state, user)}
        access = _any_token(state, user) if user.installed else None
        data.append(row | ({"access_token": access} if access else {}))
    return web.json_response({"data": data})


async def befriend(request: web.Request) -> web.Response:
    """POST /{user}/friends/{other}: a request, or the other's confirmation, with own token."""
    token, state = await authenticate(request), state_of(request)
    user_id, other_id = request.match_info["node"], request.match_info["other"]
    user, other = state.users.get(user_id), state.users.get(other_id)
    if token.kind != "user" or token.user_id != user_id or user is None:
        raise errors.unsupported("post", user_id)
    if other is None or other_id == user_id:
        raise GraphError(400, 100, "(#100) Invalid user id", error_type="GraphMethodException")
    if other_id in user.friend_requests:
        user.friend_requests.discard(other_id)
        user.friends.add(other_id)
        other.friends.add(user_id)
    elif other_id not in user.friends:
        other.friend_requests.add(user_id)
    return web.json_response({"success": True})


async def delete_node(request: web.Request) -> web.Response:
    """DELETE /{test-user-id} with the app token removes the test user."""
    token, state = await authenticate(request), state_of(request)
    node_id = request.match_info["node"]
    if token.kind != "app" or node_id not in state.users:
        raise errors.unsupported("delete", node_id)
    state.deauthorize(node_id)
    del state.users[node_id]
    for user in state.users.values():
        user.friends.discard(node_id)
        user.friend_requests.discard(node_id)
    return web.json_response({"success": True})
