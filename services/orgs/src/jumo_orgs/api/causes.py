"""Routes of causes (thin: parse, call the use case, answer a schema).

``/users/{id}/causes`` lives here too: the gateway routes that ``/users/…`` sub-path to orgs.
"""

from __future__ import annotations

from aiohttp import web

from jumo_common.web import ApiRoutes, PageQuery, json_response, parse_query
from jumo_orgs.api.common import caller, maybe_caller, now, service
from jumo_orgs.schemas.causes import CauseDetail, CauseTree, Membership, PersonCauses

routes = ApiRoutes(tags=("causes",))
ME = "me"


@routes.get("/causes", response=CauseTree, summary="The cause catalogue, with its counts")
async def cause_tree(request: web.Request) -> web.Response:
    """Every top-level cause and its children, each with members and organizations (a
    top-level cause counts its children's too, each person and organization once)."""
    return json_response(await service(request).causes.tree())


@routes.get(
    "/causes/{slug}", query=PageQuery, response=CauseDetail, problems=(400, 404),
    summary="A cause, its place in the tree and its organizations",
)  # fmt: skip
async def cause_detail(request: web.Request) -> web.Response:
    """The cause with its parent and children, and a page of its verified organizations by
    name (a top-level cause's include those of its children)."""
    query = parse_query(request, PageQuery)
    found = await service(request).causes.detail(
        request.match_info["slug"], limit=query.limit, cursor=query.cursor
    )
    return json_response(found)


async def _set_membership(request: web.Request, *, member: bool) -> web.Response:
    who = await caller(request)
    state = await service(request).causes.set_membership(
        who.user_id, request.match_info["slug"], member=member, now=now()
    )
    return json_response(state)


@routes.put(
    "/causes/{slug}/membership", response=Membership, auth=True, problems=(404, 409),
    summary="Join a cause (idempotent; publishes cause.joined)",
)  # fmt: skip
async def join_cause(request: web.Request) -> web.Response:
    """Join; ``changed`` is false when you were a member already (nothing is published)."""
    return await _set_membership(request, member=True)


@routes.delete(
    "/causes/{slug}/membership", response=Membership, auth=True, problems=(404, 409),
    summary="Leave a cause (idempotent; publishes cause.left)",
)  # fmt: skip
async def leave_cause(request: web.Request) -> web.Response:
    """Leave; ``changed`` is false when you were not a member (nothing is published)."""
    return await _set_membership(request, member=False)


@routes.get(
    "/users/{id:me|[0-9a-f]{32}}/causes", response=PersonCauses, problems=(401, 403, 404),
    summary="The causes someone joined, as their visibility allows",
)  # fmt: skip
async def person_causes(request: web.Request) -> web.Response:
    """A person's causes, newest first: public profiles to anyone, ``followers`` ones to their
    followers, private ones to themselves (``me``: the caller, who must be signed in)."""
    causes, target = service(request).causes, request.match_info["id"]
    if target == ME:
        me = await caller(request)
        return json_response(await causes.of_person(me.user_id, me.user_id))
    viewer = await maybe_caller(request)
    return json_response(await causes.of_person(viewer.user_id if viewer else None, target))
