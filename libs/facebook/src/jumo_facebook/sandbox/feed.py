"""Feeds: posting to a Page with its Page token, reading it back, and the closed user wall."""

from __future__ import annotations

import time

from aiohttp import web

from jumo_facebook.sandbox.auth import BUSINESS_KEY, authenticate, params, state_of
from jumo_facebook.sandbox.errors import GraphError
from jumo_facebook.sandbox.state import Post, SandboxState, Token, new_id

POST_SCOPES = frozenset({"pages_manage_posts", "pages_read_engagement"})


def _created(post: Post) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(post.created_time))


def _page_call(request: web.Request, state: SandboxState, page_id: str) -> None:
    """Count a Page call; at 100 % of its budget Facebook answers (#32)."""
    request[BUSINESS_KEY] = page_id
    calls = state.page_window(page_id)
    if len(calls) >= state.config.page_call_limit:
        raise GraphError(400, 32, "(#32) Page request limit reached")
    state.count_call(calls, 86400)


def _user_wall() -> GraphError:
    return GraphError(
        403,
        200,
        "(#200) Posting to a person's own timeline requires publish_actions, and "
        "publish_actions is deprecated",
    )


def _check_page_token(token: Token, page_id: str, needed: frozenset[str]) -> None:
    if token.kind != "page" or token.page_id != page_id or not needed <= set(token.scopes):
        raise GraphError(
            403,
            200,
            "(#200) If posting to a page, requires both pages_read_engagement and "
            "pages_manage_posts permission with page token",
        )


def _speaks_for(state: SandboxState, token: Token, page_id: str) -> bool:
    """A Page token of this very Page, or a user token of the person who manages it."""
    if token.kind == "page":
        return token.page_id == page_id
    return token.kind == "user" and token.user_id == state.pages[page_id].owner_id


def _is_duplicate(state: SandboxState, page_id: str, message: str | None, link: str | None) -> bool:
    latest = next((p for p in reversed(state.posts) if p.page_id == page_id), None)
    return latest is not None and (latest.message, latest.link) == (message, link)


def _duplicate() -> GraphError:
    return GraphError(
        400,
        506,
        "Duplicate status message",
        subcode=1455006,
        is_transient=False,
        user_title="Duplicate Status Update",
        user_msg="This status update is identical to the last one you posted. Try posting "
        "something different, or delete your previous update.",
    )


async def publish(request: web.Request) -> web.Response:
    """POST /{node}/feed: a Page post with a Page token; a person's wall answers (#200)."""
    token, values = await authenticate(request), await params(request)
    state, node_id = state_of(request), request.match_info["node"]
    page_id = token.page_id if node_id == "me" and token.kind == "page" else node_id
    if page_id not in state.pages:
        raise _user_wall()
    _page_call(request, state, page_id)
    _check_page_token(token, page_id, POST_SCOPES)
    message, link = values.get("message") or None, values.get("link") or None
    if message is None and link is None:
        raise GraphError(400, 100, "(#100) Missing message or attachment")
    if _is_duplicate(state, page_id, message, link):
        raise _duplicate()
    post = Post(f"{page_id}_{new_id()}", page_id, message, link, int(state.now()))
    state.posts.append(post)
    return web.json_response({"id": post.id})


async def read(request: web.Request) -> web.Response:
    """GET /{page}/feed: the Page's latest posts (needs pages_read_engagement)."""
    token, values = await authenticate(request), await params(request)
    state, page_id = state_of(request), request.match_info["node"]
    if page_id == "me" and token.page_id:
        page_id = token.page_id
    if page_id not in state.pages:
        raise GraphError(400, 100, "(#100) Tried accessing nonexisting field (feed)")
    _page_call(request, state, page_id)
    if "pages_read_engagement" not in token.scopes or not _speaks_for(state, token, page_id):
        raise GraphError(
            400,
            10,
            "(#10) This endpoint requires the 'pages_read_engagement' permission or the "
            "'Page Public Content Access' feature.",
        )
    limit = int(values["limit"]) if values.get("limit", "").isdigit() else 25
    posts = [p for p in reversed(state.posts) if p.page_id == page_id][:limit]
    data = [{"created_time": _created(p), "message": p.message, "id": p.id} for p in posts]
    return web.json_response({"data": [{k: v for k, v in d.items() if v} for d in data]})
