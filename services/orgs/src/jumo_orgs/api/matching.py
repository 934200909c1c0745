"""Routes of matching (thin: parse, call the use case, answer a schema).

Installed before the opportunities' routes: ``/opportunities/recommended`` and
``/opportunities/invitations`` are fixed paths beside ``/opportunities/{id}``.
"""

from __future__ import annotations

from aiohttp import web

from jumo_common.web import ApiRoutes, json_response, parse_body, parse_query
from jumo_orgs.api.common import caller, now, service
from jumo_orgs.schemas.matching import (
    CandidatesPage,
    CandidatesQuery,
    InvitationAccepted,
    InvitationAnswer,
    InvitationDraft,
    InvitationOut,
    InvitationsPage,
    RecommendedPage,
    RecommendedQuery,
)

routes = ApiRoutes(tags=("matching",))
HEX_ID = "{id:[0-9a-f]{32}}"


@routes.get(
    "/opportunities/recommended", query=RecommendedQuery, response=RecommendedPage, auth=True,
    problems=(400,), summary="Opportunities for you, best first, each with why",
)  # fmt: skip
async def recommended_opportunities(request: web.Request) -> web.Response:
    """Open opportunities ranked by skills, causes, followed organizations, distance against
    your radius, your availability, freshness and the organization's responsiveness."""
    who, query = await caller(request), parse_query(request, RecommendedQuery)
    return json_response(await service(request).matching.recommended(who, query, now()))


@routes.get(
    "/opportunities/invitations", response=InvitationsPage, auth=True,
    summary="Your invitations to opportunities, newest first",
)  # fmt: skip
async def my_opportunity_invitations(request: web.Request) -> web.Response:
    """Invitations organizations sent you (you chose to be findable)."""
    who = await caller(request)
    return json_response(InvitationsPage(items=await service(request).invitations.mine(who)))


@routes.post(
    f"/opportunities/invitations/{HEX_ID}/accept", body=InvitationAnswer,
    response=InvitationAccepted, auth=True, problems=(404, 409, 422),
    summary="Accept an invitation: you are accepted at once (a place permitting)",
)  # fmt: skip
async def accept_opportunity_invitation(request: web.Request) -> web.Response:
    """Applies with the answers the opportunity asks for, then accepts (application.accepted)."""
    who, body = await caller(request), await parse_body(request, InvitationAnswer)
    out, app = await service(request).invitations.accept(request.match_info["id"], who, body, now())
    return json_response(InvitationAccepted(invitation=out, application=app))


@routes.post(
    f"/opportunities/invitations/{HEX_ID}/decline", response=InvitationOut, auth=True,
    problems=(404, 409), summary="Decline an invitation",
)  # fmt: skip
async def decline_opportunity_invitation(request: web.Request) -> web.Response:
    """opportunity.invitation_declined tells the organization."""
    who = await caller(request)
    out = await service(request).invitations.decline(request.match_info["id"], who, now())
    return json_response(out)


@routes.get(
    f"/opportunities/{HEX_ID}/candidates", query=CandidatesQuery, response=CandidatesPage,
    auth=True, problems=(400, 403, 404),
    summary="Findable volunteers for an opportunity (its organization's admins), with why",
)  # fmt: skip
async def opportunity_candidates(request: web.Request) -> web.Response:
    """Only people who chose to be findable, never more than their visibility shows."""
    who, query = await caller(request), parse_query(request, CandidatesQuery)
    out = await service(request).matching.candidates(request.match_info["id"], who, query)
    return json_response(out)


@routes.post(
    f"/opportunities/{HEX_ID}/invitations", body=InvitationDraft, response=InvitationOut,
    status=201, auth=True, problems=(403, 404, 409, 422),
    summary="Invite a findable volunteer (the organization's admins)",
)  # fmt: skip
async def invite_to_opportunity(request: web.Request) -> web.Response:
    """opportunity.invited tells the volunteer."""
    who, draft = await caller(request), await parse_body(request, InvitationDraft)
    out = await service(request).invitations.invite(request.match_info["id"], who, draft, now())
    return json_response(out, status=201)
