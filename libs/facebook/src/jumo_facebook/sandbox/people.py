"""Graph reads about people: /me, friends, permissions, the Pages they manage."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from jumo_facebook.sandbox import errors
from jumo_facebook.sandbox.auth import authenticate, params, state_of
from jumo_facebook.sandbox.errors import GraphError
from jumo_facebook.sandbox.state import Page, SandboxState, TestUser, Token

USER_FIELDS = ("id", "name", "email", "first_name", "last_name", "picture")
PAGE_FIELDS = ("id", "name", "category")
DEFAULT_LIMIT, MAX_LIMIT = 25, 5000


def _user_of(state: SandboxState, token: Token, node: str, method: str) -> TestUser:
    """The person a user token speaks for, when ``node`` is them."""
    user = state.users.get(token.user_id or "")
    if token.kind != "user" or user is None or node not in ("me", user.id):
        raise errors.unsupported(method, node)
    return user


def _picture(state: SandboxState, user: TestUser) -> dict[str, Any]:
    url = f"{state.config.base_url()}/platform/profilepic/?asid={user.id}&height=50&width=50"
    return {"data": {"height": 50, "is_silhouette": False, "url": url, "width": 50}}


def _user_field(state: SandboxState, user: TestUser, token: Token, name: str) -> Any:
    if name == "email":
        return user.email if "email" in token.scopes else None
    if name == "picture":
        return _picture(state, user)
    return getattr(user, name)


def _fields(values: dict[str, str], allowed: tuple[str, ...], node_type: str) -> list[str]:
    asked = [f.strip() for f in values.get("fields", "").split(",") if f.strip()]
    for name in asked:
        if name not in allowed:
            raise GraphError(
                400,
                100,
                f"(#100) Tried accessing nonexisting field ({name}) on node type ({node_type})",
            )
    return asked or ["id", "name"]


async def node(request: web.Request) -> web.Response:
    """GET /{node}: a person (``me`` or their id) or, with a Page token, the Page."""
    token, values = await authenticate(request), await params(request)
    state, node_id = state_of(request), request.match_info["node"]
    if token.kind == "page" and node_id in ("me", token.page_id):
        page = state.pages[token.page_id or ""]
        names = _fields(values, PAGE_FIELDS, "Page")
        return web.json_response({n: getattr(page, n) for n in names})
    user = _user_of(state, token, node_id, "get")
    names = _fields(values, USER_FIELDS, "User")
    body = {n: _user_field(state, user, token, n) for n in names}
    return web.json_response({k: v for k, v in body.items() if v is not None})


def _cursor(user_id: str) -> str:
    return base64.urlsafe_b64encode(user_id.encode()).decode().rstrip("=")


def _limit(values: dict[str, str]) -> int:
    raw = values.get("limit", "")
    return min(int(raw), MAX_LIMIT) if raw.isdigit() and int(raw) > 0 else DEFAULT_LIMIT


def _paging(request: web.Request, page: list[str], more: bool, limit: int) -> dict[str, Any]:
    paging: dict[str, Any] = {"cursors": {"before": _cursor(page[0]), "after": _cursor(page[-1])}}
    if more:
        query = urlencode({"limit": limit, "after": _cursor(page[-1])})
        base = state_of(request).config.base_url()
        paging["next"] = f"{base}{request.path}?{query}"
    return paging


def _window(
    request: web.Request, values: dict[str, str], ids: list[str]
) -> tuple[list[str], dict[str, Any]]:
    """One page of ``ids`` after the ``after`` cursor, and its ``paging`` (empty when none)."""
    after, limit = values.get("after"), _limit(values)
    start = next((i + 1 for i, x in enumerate(ids) if _cursor(x) == after), 0) if after else 0
    window = ids[start : start + limit]
    if not window:
        return [], {}
    return window, {"paging": _paging(request, window, start + limit < len(ids), limit)}


def _app_friends(state: SandboxState, user: TestUser) -> list[str]:
    """Friends who use the app (and let it see them as friends), in a stable order."""
    return sorted(
        f
        for f in user.friends
        if f in state.users
        and state.users[f].installed
        and "user_friends" in state.users[f].granted
    )


async def friends(request: web.Request) -> web.Response:
    """GET /{user}/friends: friends who use the app, cursor-paged, with the total count."""
    token, values = await authenticate(request), await params(request)
    state = state_of(request)
    user = _user_of(state, token, request.match_info["node"], "get")
    summary = {"total_count": len(user.friends)}
    ids = _app_friends(state, user) if "user_friends" in token.scopes else []
    window, paging = _window(request, values, ids)
    body: dict[str, Any] = {"data": [{"name": state.users[f].name, "id": f} for f in window]}
    return web.json_response(body | paging | {"summary": summary})


async def permissions(request: web.Request) -> web.Response:
    """GET /{user}/permissions: every permission asked for, granted or declined."""
    token = await authenticate(request)
    user = _user_of(state_of(request), token, request.match_info["node"], "get")
    rows = [{"permission": p, "status": "granted"} for p in sorted(user.granted)]
    rows += [{"permission": p, "status": "declined"} for p in sorted(user.declined)]
    return web.json_response({"data": rows})


async def revoke(request: web.Request) -> web.Response:
    """DELETE /{user}/permissions[/{permission}]: remove one permission or the whole app."""
    token, state = await authenticate(request), state_of(request)
    user = _user_of(state, token, request.match_info["node"], "delete")
    permission = request.match_info.get("permission")
    if permission:
        user.granted.discard(permission)
        for t in state.tokens.values():
            if t.user_id == user.id and permission in t.scopes:
                t.scopes.remove(permission)
    else:
        state.deauthorize(user.id)
    return web.json_response({"success": True})


def _account(state: SandboxState, page: Page, token: Token) -> dict[str, Any]:
    category = {"id": "2612", "name": page.category}
    return {
        "access_token": state.page_token(page, token).value,
        "category": page.category,
        "category_list": [category],
        "name": page.name,
        "id": page.id,
        "tasks": ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"],
    }


async def accounts(request: web.Request) -> web.Response:
    """GET /{user}/accounts: the Pages the person manages, each with a Page token."""
    token, values = await authenticate(request), await params(request)
    state = state_of(request)
    user = _user_of(state, token, request.match_info["node"], "get")
    owned = sorted(p.id for p in state.pages.values() if p.owner_id == user.id)
    if "pages_show_list" not in token.scopes:
        owned = []
    window, paging = _window(request, values, owned)
    data = [_account(state, state.pages[page_id], token) for page_id in window]
    return web.json_response({"data": data} | paging)
