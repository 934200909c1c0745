"""Routes of opportunities (thin: parse, call the use case, answer a schema)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from aiohttp import web

from jumo_common.jwt import Principal
from jumo_common.web import ApiRoutes, Page, json_response, parse_query
from jumo_orgs.api.common import caller, maybe_caller, now, service
from jumo_orgs.api.orgs import parse_page
from jumo_orgs.schemas.opportunities import (
    PROTECTED_FIELDS,
    OpportunityDraft,
    OpportunityListQuery,
    OpportunityOut,
    OpportunityPatch,
)
from jumo_orgs.schemas.opportunity_search import OpportunitySearchPage, OpportunitySearchQuery

routes = ApiRoutes(tags=("opportunities",))
OPPORTUNITY_ID = "{id:[0-9a-f]{32}}"  # other ids cannot exist: a plain 404 without a query
Transition = Callable[[str, Principal, datetime], Awaitable[OpportunityOut]]


@routes.get(
    "/opportunities", query=OpportunitySearchQuery, response=OpportunitySearchPage,
    problems=(400, 403, 422), summary="Search open opportunities (text, cause, skills, distance, "
    "dates, your availability)",
)  # fmt: skip
async def search_opportunities(request: web.Request) -> web.Response:
    """Open opportunities of visible organizations, each with why it matched (see the query's
    parameters); ``available=me`` needs a token."""
    query = parse_query(request, OpportunitySearchQuery)
    page = await service(request).opportunities.search.search(
        query, await maybe_caller(request), now()
    )
    return json_response(page)


@routes.post(
    "/orgs/{id}/opportunities", body=OpportunityDraft, response=OpportunityOut, status=201,
    auth=True, problems=(403, 404, 409),
    summary="Create an opportunity (an editor+; a draft unless publish, a verified org only)",
)  # fmt: skip
async def create_opportunity(request: web.Request) -> web.Response:
    """Create an opportunity: a draft, or published at once (``publish: true``) by a verified
    organization. ``status``, ``org_id``, places taken and the like are read-only (422)."""
    who = await caller(request)
    draft = await parse_page(request, OpportunityDraft, PROTECTED_FIELDS)
    opp = await service(request).opportunities.create(request.match_info["id"], who, draft, now())
    return json_response(opp, status=201)


@routes.get(
    "/orgs/{id}/opportunities", query=OpportunityListQuery, response=Page[OpportunityOut],
    problems=(400, 404), summary="An organization's opportunities, newest first",
)  # fmt: skip
async def list_opportunities(request: web.Request) -> web.Response:
    """Its open, paused and filled ones (its own people see drafts and closed ones too)."""
    query = parse_query(request, OpportunityListQuery)
    items, cursor = await service(request).opportunities.org_page(
        request.match_info["id"], await maybe_caller(request), query.status, limit=query.limit,
        cursor=query.cursor,
    )  # fmt: skip
    return json_response(Page[OpportunityOut](items=items, next_cursor=cursor))


@routes.get(
    f"/opportunities/{OPPORTUNITY_ID}", response=OpportunityOut, problems=(404,),
    summary="An opportunity, with the places remaining in each slot",
)  # fmt: skip
async def get_opportunity(request: web.Request) -> web.Response:
    """One opportunity (a draft only for its organization's people)."""
    opp = await service(request).opportunities.opportunity(
        request.match_info["id"], await maybe_caller(request)
    )
    return json_response(opp)


@routes.patch(
    f"/opportunities/{OPPORTUNITY_ID}", body=OpportunityPatch, response=OpportunityOut,
    auth=True, problems=(403, 404, 409), summary="Edit an opportunity (only the fields sent)",
)  # fmt: skip
async def edit_opportunity(request: web.Request) -> web.Response:
    """Edit: opportunity.updated once published. Places grow, or shrink to what is taken."""
    who = await caller(request)
    patch = await parse_page(request, OpportunityPatch, PROTECTED_FIELDS)
    opp = await service(request).opportunities.edit(request.match_info["id"], who, patch, now())
    return json_response(opp)


async def _transition(request: web.Request, pick: Callable[..., Transition]) -> web.Response:
    who = await caller(request)
    step = pick(service(request).opportunities)
    return json_response(await step(request.match_info["id"], who, now()))


@routes.post(
    f"/opportunities/{OPPORTUNITY_ID}/publish", response=OpportunityOut, auth=True,
    problems=(403, 404, 409), summary="Publish a draft (a verified organization)",
)  # fmt: skip
async def publish_opportunity(request: web.Request) -> web.Response:
    """draft → open: opportunity.published."""
    return await _transition(request, lambda o: o.publish)


@routes.post(
    f"/opportunities/{OPPORTUNITY_ID}/pause", response=OpportunityOut, auth=True,
    problems=(403, 404, 409), summary="Pause an opportunity (no applications meanwhile)",
)  # fmt: skip
async def pause_opportunity(request: web.Request) -> web.Response:
    """open | filled → paused: opportunity.updated."""
    return await _transition(request, lambda o: o.pause)


@routes.post(
    f"/opportunities/{OPPORTUNITY_ID}/resume", response=OpportunityOut, auth=True,
    problems=(403, 404, 409), summary="Resume a paused opportunity",
)  # fmt: skip
async def resume_opportunity(request: web.Request) -> web.Response:
    """paused → open (filled when every place is taken): opportunity.updated."""
    return await _transition(request, lambda o: o.resume)


@routes.post(
    f"/opportunities/{OPPORTUNITY_ID}/close", response=OpportunityOut, auth=True,
    problems=(403, 404, 409), summary="Close an opportunity (final)",
)  # fmt: skip
async def close_opportunity(request: web.Request) -> web.Response:
    """Any → closed: opportunity.closed."""
    return await _transition(request, lambda o: o.close)
