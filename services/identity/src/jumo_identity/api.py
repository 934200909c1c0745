"""identity's HTTP API: the users routes here, login/tokens/callbacks in ``api_auth``.

Routes are thin: parse with pydantic, call the domain object, answer a model. Order matters
for aiohttp: ``/users/me…`` is registered before ``/users/{id}…``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from jumo_common.jwt import optional_user, require_user
from jumo_common.web import (
    ApiRoutes,
    Page,
    PageQuery,
    Unprocessable,
    add_routes,
    json_response,
    parse_body,
    parse_query,
)
from jumo_identity import api_auth
from jumo_identity.errors import AccountGone, ConnectionsHidden
from jumo_identity.profiles import PROTECTED_FIELDS, User, may_see_full
from jumo_identity.schemas import (
    Export,
    FollowEntry,
    FollowState,
    PrivateProfile,
    ProfilePatch,
    PublicProfile,
    Suggestions,
    private_view,
    public_view,
)
from jumo_identity.store import Direction
from jumo_identity.typedefs import IDENTITY

routes = ApiRoutes(tags=("users",))
USER_ID = "{id:[0-9a-f]{32}}"  # other ids cannot exist: a plain 404 without a query
ME = "me"


def _now() -> datetime:
    return datetime.now(UTC)


async def current_user(request: web.Request) -> User:
    """The caller's live account; 401 without a valid token or when the account is gone."""
    principal = await require_user(request)
    user = await request.app[IDENTITY].store.user(principal.user_id)
    if user is None:
        raise AccountGone("This account no longer exists.")
    return user


async def _patch_body(request: web.Request) -> ProfilePatch:
    try:
        return await parse_body(request, ProfilePatch)
    except Unprocessable as exc:
        for error in exc.extensions.get("errors", []):
            if error.get("field") in PROTECTED_FIELDS:
                error["message"], error["type"] = "is read-only", "read_only"
        raise


@routes.get("/users/me", response=PrivateProfile, auth=True, summary="Your profile")
async def get_me(request: web.Request) -> web.Response:
    """The caller's private profile (with email)."""
    return json_response(private_view(await current_user(request)))


@routes.patch(
    "/users/me", body=ProfilePatch, response=PrivateProfile, auth=True,
    summary="Edit your profile (only the fields sent change)",
)  # fmt: skip
async def patch_me(request: web.Request) -> web.Response:
    """Change profile fields; read-only or unknown fields are a 422 and change nothing."""
    user = await current_user(request)
    patch = await _patch_body(request)
    updated = await request.app[IDENTITY].accounts.update_profile(user, patch, _now())
    return json_response(private_view(updated))


@routes.delete("/users/me", status=204, auth=True, summary="Delete your account")
async def delete_me(request: web.Request) -> web.Response:
    """Revoke tokens and Facebook permissions, delete the data, publish user.deleted."""
    user = await current_user(request)
    await request.app[IDENTITY].accounts.delete(
        user.id, _now(), revoke_facebook=True, actor=user.id
    )
    return web.Response(status=204)


@routes.get("/users/me/export", response=Export, auth=True, summary="Export your data")
async def export_me(request: web.Request) -> web.Response:
    """Everything identity holds about the caller, as JSON."""
    user = await current_user(request)
    document = await request.app[IDENTITY].accounts.export(user.id)
    return json_response(document, headers={"Cache-Control": "no-store"})


@routes.get("/users/me/suggestions", response=Suggestions, auth=True, summary="People to follow")
async def suggestions(request: web.Request) -> web.Response:
    """Facebook friends who use Jumo and whom the caller does not follow yet."""
    user = await current_user(request)
    found = await request.app[IDENTITY].graph.suggestions(user)
    return json_response(Suggestions(items=found))


@routes.get(f"/users/{USER_ID}", response=PublicProfile, problems=(401, 404), summary="A profile")
async def get_user(request: web.Request) -> web.Response:
    """A public profile, limited to name and picture when its visibility says so."""
    user = await request.app[IDENTITY].accounts.live_user(request.match_info["id"])
    return json_response(public_view(user, full=await _viewer_sees_full(request, user)))


async def _viewer_sees_full(request: web.Request, user: User) -> bool:
    """Whether the caller (anonymous, a follower, anyone) may see all of ``user``'s profile."""
    viewer = await optional_user(request)
    viewer_id = viewer.user_id if viewer else None
    graph = request.app[IDENTITY].graph
    follows = viewer_id is not None and await graph.follows(viewer_id, user.id)
    return may_see_full(user, viewer_id=viewer_id, viewer_follows=follows)


async def _set_following(request: web.Request, *, follow: bool) -> web.Response:
    user = await current_user(request)
    state = await request.app[IDENTITY].graph.set_following(
        user.id, request.match_info["id"], follow=follow, now=_now()
    )
    return json_response(state)


@routes.put(
    f"/users/{USER_ID}/follow", response=FollowState, auth=True, problems=(404, 409, 422),
    summary="Follow someone (idempotent)",
)  # fmt: skip
async def follow(request: web.Request) -> web.Response:
    """Follow a public profile, or ask to follow another (``requested``); ``changed`` is false
    when you already did."""
    return await _set_following(request, follow=True)


@routes.delete(
    f"/users/{USER_ID}/follow", response=FollowState, auth=True, problems=(404, 409, 422),
    summary="Unfollow someone (idempotent)",
)  # fmt: skip
async def unfollow(request: web.Request) -> web.Response:
    """Unfollow; ``changed`` is false when you did not follow."""
    return await _set_following(request, follow=False)


async def _follow_list(request: web.Request, direction: Direction) -> web.Response:
    query = parse_query(request, PageQuery)
    identity, target = request.app[IDENTITY], request.match_info["id"]
    # One read of the user: the caller's account check, or the 404 for an unknown id.
    user = (
        await current_user(request) if target == ME else await identity.accounts.live_user(target)
    )
    # Whom someone follows says as much as their profile does: the same visibility rule holds.
    if target != ME and not await _viewer_sees_full(request, user):
        raise ConnectionsHidden("This person's followers and following are not visible to you.")
    items, cursor = await identity.graph.page(
        user, direction=direction, limit=query.limit, cursor=query.cursor
    )
    return json_response(Page[FollowEntry](items=items, next_cursor=cursor))


@routes.get(
    "/users/{id:me|[0-9a-f]{32}}/followers", query=PageQuery, response=Page[FollowEntry],
    problems=(400, 401, 403, 404), summary="Who follows someone, newest first",
)  # fmt: skip
async def followers(request: web.Request) -> web.Response:
    """A page of followers (``me`` means the caller)."""
    return await _follow_list(request, "followers")


@routes.get(
    "/users/{id:me|[0-9a-f]{32}}/following", query=PageQuery, response=Page[FollowEntry],
    problems=(400, 401, 403, 404), summary="Whom someone follows, newest first",
)  # fmt: skip
async def following(request: web.Request) -> web.Response:
    """A page of the people someone follows (``me`` means the caller)."""
    return await _follow_list(request, "following")


@routes.get(
    "/users/me/follow-requests", query=PageQuery, response=Page[FollowEntry], auth=True,
    problems=(400,), summary="Who asks to follow you, newest first",
)  # fmt: skip
async def follow_requests(request: web.Request) -> web.Response:
    """The pending follow requests to the caller (a non-public profile approves its followers)."""
    query = parse_query(request, PageQuery)
    user = await current_user(request)
    items, cursor = await request.app[IDENTITY].graph.page(
        user, direction="requests", limit=query.limit, cursor=query.cursor
    )
    return json_response(Page[FollowEntry](items=items, next_cursor=cursor))


async def _answer_request(request: web.Request, *, approve: bool) -> web.Response:
    user = await current_user(request)
    state = await request.app[IDENTITY].graph.answer_request(
        user.id, request.match_info["id"], approve=approve, now=_now()
    )
    return json_response(state)


@routes.post(
    f"/users/me/follow-requests/{USER_ID}/approve", response=FollowState, auth=True,
    problems=(404, 409), summary="Let someone who asked follow you (publishes user.followed)",
)  # fmt: skip
async def approve_follow_request(request: web.Request) -> web.Response:
    """Approve a pending request; ``changed`` is false when it was approved already."""
    return await _answer_request(request, approve=True)


@routes.post(
    f"/users/me/follow-requests/{USER_ID}/decline", response=FollowState, auth=True,
    problems=(404, 409), summary="Turn down a follow request (nothing is published)",
)  # fmt: skip
async def decline_follow_request(request: web.Request) -> web.Response:
    """Decline a pending request; the person may ask again."""
    return await _answer_request(request, approve=False)


def install_routes(app: web.Application) -> None:
    """Every identity route, in matching order."""
    add_routes(app, api_auth.routes)
    add_routes(app, routes)
