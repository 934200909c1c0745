"""Routes of applications (thin: parse, call the use case, answer a schema).

The organization answers with a POST per action (``accept``, ``decline``, ``waitlist``,
``cancel``) and the volunteer with ``withdraw``: each action has its own body and its own
actors, which the authorization matrix names one by one.
"""

from __future__ import annotations

from aiohttp import web

from jumo_common.web import ApiRoutes, Page, json_response, parse_body, parse_query
from jumo_orgs.api.common import caller, now, service
from jumo_orgs.schemas.applications import (
    ApplicationDraft,
    ApplicationOut,
    DecisionDraft,
    MyApplicationsQuery,
    OrgApplicationsQuery,
)

routes = ApiRoutes(tags=("applications",))
APPLICATION_ID = "{id:[0-9a-f]{32}}"


@routes.post(
    "/opportunities/{id}/applications", body=ApplicationDraft, response=ApplicationOut,
    status=201, auth=True, problems=(403, 404, 409, 422),
    summary="Apply to an opportunity (one slot of it)",
)  # fmt: skip
async def apply(request: web.Request) -> web.Response:
    """A pending application (application.submitted); the organization answers within
    ``APPLICATION_EXPIRY_DAYS`` or it expires."""
    who, draft = await caller(request), await parse_body(request, ApplicationDraft)
    out = await service(request).applications.apply(request.match_info["id"], who, draft, now())
    return json_response(out, status=201)


@routes.get(
    "/applications", query=MyApplicationsQuery, response=Page[ApplicationOut], auth=True,
    problems=(400,), summary="Your applications, newest first",
)  # fmt: skip
async def my_applications(request: web.Request) -> web.Response:
    """A page of the caller's applications (``status`` filters)."""
    who, query = await caller(request), parse_query(request, MyApplicationsQuery)
    items, cursor = await service(request).applications.mine(who, query)
    return json_response(Page[ApplicationOut](items=items, next_cursor=cursor))


@routes.get(
    "/orgs/{id}/applications", query=OrgApplicationsQuery, response=Page[ApplicationOut],
    auth=True, problems=(400, 403, 404),
    summary="An organization's applications (its admins), by opportunity, slot, status",
)  # fmt: skip
async def org_applications(request: web.Request) -> web.Response:
    """A page of the organization's applications, newest first."""
    who, query = await caller(request), parse_query(request, OrgApplicationsQuery)
    items, cursor = await service(request).applications.of_org(request.match_info["id"], who, query)
    return json_response(Page[ApplicationOut](items=items, next_cursor=cursor))


@routes.get(
    f"/applications/{APPLICATION_ID}", response=ApplicationOut, auth=True, problems=(404,),
    summary="An application (its volunteer and the organization's admins)",
)  # fmt: skip
async def get_application(request: web.Request) -> web.Response:
    """One application, with its answers and, when waitlisted, its place in line."""
    who = await caller(request)
    return json_response(await service(request).applications.one(request.match_info["id"], who))


@routes.post(
    f"/applications/{APPLICATION_ID}/accept", response=ApplicationOut, auth=True,
    problems=(403, 404, 409), summary="Accept an application (the organization's admins)",
)  # fmt: skip
async def accept(request: web.Request) -> web.Response:
    """Takes a place of its slot (409 no-places-left when full: waitlist it instead)."""
    who, app_id = await caller(request), request.match_info["id"]
    return json_response(await service(request).applications.accept(app_id, who, now()))


@routes.post(
    f"/applications/{APPLICATION_ID}/decline", body=DecisionDraft, response=ApplicationOut,
    auth=True, problems=(403, 404, 409, 422),
    summary="Decline an application with a reason shown to the volunteer",
)  # fmt: skip
async def decline(request: web.Request) -> web.Response:
    """application.declined with its reason (not_a_fit, no_places, requirements_not_met,
    other) and text."""
    who, draft = await caller(request), await parse_body(request, DecisionDraft)
    out = await service(request).applications.decline(request.match_info["id"], who, draft, now())
    return json_response(out)


@routes.post(
    f"/applications/{APPLICATION_ID}/waitlist", response=ApplicationOut, auth=True,
    problems=(403, 404, 409), summary="Put an application on its slot's waiting list",
)  # fmt: skip
async def waitlist(request: web.Request) -> web.Response:
    """Only when the slot is full (409 places-remain otherwise); promoted when a place frees."""
    who, app_id = await caller(request), request.match_info["id"]
    return json_response(await service(request).applications.waitlist_one(app_id, who, now()))


@routes.post(
    f"/applications/{APPLICATION_ID}/cancel", body=DecisionDraft, response=ApplicationOut,
    auth=True, problems=(403, 404, 409, 422),
    summary="Cancel an accepted application (its place goes to the first waiting)",
)  # fmt: skip
async def cancel(request: web.Request) -> web.Response:
    """application.cancelled with a reason; the first waiting is promoted."""
    who, draft = await caller(request), await parse_body(request, DecisionDraft)
    out = await service(request).applications.cancel(request.match_info["id"], who, draft, now())
    return json_response(out)


@routes.post(
    f"/applications/{APPLICATION_ID}/withdraw", response=ApplicationOut, auth=True,
    problems=(403, 404, 409), summary="Withdraw your application",
)  # fmt: skip
async def withdraw(request: web.Request) -> web.Response:
    """application.withdrawn; an accepted one frees its place for the first waiting."""
    who, app_id = await caller(request), request.match_info["id"]
    return json_response(await service(request).applications.withdraw(app_id, who, now()))
