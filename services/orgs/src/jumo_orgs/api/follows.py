"""Routes of following (thin: parse, call the use case, answer a schema).

``/users/me/following/orgs`` lives here too: the gateway routes that ``/users/…`` sub-path to
orgs. ``{id}`` is an organization's id or slug.
"""

from __future__ import annotations

from aiohttp import web

from jumo_common.web import ApiRoutes, Page, PageQuery, json_response, parse_body, parse_query
from jumo_orgs.api.common import caller, now, service
from jumo_orgs.schemas.follows import FollowedOrg, FollowersPage, FollowOut, FollowSettingsIn

routes = ApiRoutes(tags=("following",))


async def _settings(request: web.Request) -> FollowSettingsIn:
    """The settings sent (the body is optional: none sent, none changed)."""
    if not request.body_exists:
        return FollowSettingsIn()
    return await parse_body(request, FollowSettingsIn)


@routes.get(
    "/users/me/following/orgs", query=PageQuery, response=Page[FollowedOrg], auth=True,
    problems=(400,), summary="The organizations you follow, newest first, with your settings",
)  # fmt: skip
async def my_followed_orgs(request: web.Request) -> web.Response:
    """A page of the caller's follows: each organization's card and the follow's settings."""
    query = parse_query(request, PageQuery)
    who = await caller(request)
    page = await service(request).following.following(
        who.user_id, limit=query.limit, cursor=query.cursor
    )
    return json_response(page)


@routes.get(
    "/orgs/{id}/follow", response=FollowOut, auth=True, problems=(404,),
    summary="Whether you follow an organization, and with what settings",
)  # fmt: skip
async def follow_state(request: web.Request) -> web.Response:
    """The caller's follow of the organization (``settings`` null when not following)."""
    who = await caller(request)
    return json_response(await service(request).following.state(who, request.match_info["id"]))


@routes.put(
    "/orgs/{id}/follow", body=FollowSettingsIn, response=FollowOut, auth=True,
    problems=(403, 404, 409), summary="Follow an organization (idempotent; org.followed)",
)  # fmt: skip
async def follow_org(request: web.Request) -> web.Response:
    """Follow with the settings sent (the others take their defaults); when you follow already,
    the settings sent replace yours (org.follow_changed), and sending the same changes nothing.
    The body is optional. 403 ``blocked-by-org`` when the organization blocked you."""
    who = await caller(request)
    wanted = (await _settings(request)).sent()
    state = await service(request).following.follow(
        who, request.match_info["id"], wanted, now=now()
    )
    return json_response(state)


@routes.patch(
    "/orgs/{id}/follow", body=FollowSettingsIn, response=FollowOut, auth=True,
    problems=(403, 404, 409), summary="Change a follow's settings (org.follow_changed)",
)  # fmt: skip
async def change_follow(request: web.Request) -> web.Response:
    """Only the settings sent change; 404 ``not-following`` when you do not follow it."""
    who = await caller(request)
    wanted = (await parse_body(request, FollowSettingsIn)).sent()
    state = await service(request).following.change_settings(who, request.match_info["id"], wanted)
    return json_response(state)


@routes.delete(
    "/orgs/{id}/follow", response=FollowOut, auth=True, problems=(404, 409),
    summary="Unfollow an organization (idempotent; org.unfollowed)",
)  # fmt: skip
async def unfollow_org(request: web.Request) -> web.Response:
    """Unfollow, even an organization hidden since; ``changed`` is false when you did not
    follow it."""
    who = await caller(request)
    state = await service(request).following.unfollow(who.user_id, request.match_info["id"])
    return json_response(state)


@routes.get(
    "/orgs/{id}/followers", query=PageQuery, response=FollowersPage, auth=True,
    problems=(400, 403, 404), summary="An organization's followers (its admins and owners only)",
)  # fmt: skip
async def org_followers(request: web.Request) -> web.Response:
    """A page of followers, newest first, by name and picture, and ``total`` (exact)."""
    query = parse_query(request, PageQuery)
    who = await caller(request)
    page = await service(request).following.followers(
        who, request.match_info["id"], limit=query.limit, cursor=query.cursor
    )
    return json_response(page)
