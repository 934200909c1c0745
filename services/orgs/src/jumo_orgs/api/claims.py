"""Routes of claims: a person claims an unclaimed organization, a moderator decides."""

from __future__ import annotations

from aiohttp import web

from jumo_common.web import ApiRoutes, Page, PageQuery, json_response, parse_body, parse_query
from jumo_orgs.api.common import caller, now, service
from jumo_orgs.schemas.claims import ClaimBody, ClaimView, DecisionBody

routes = ApiRoutes(tags=("organizations: claims",))
CLAIM_ID = "{claim_id:[0-9a-f]{32}:[A-Za-z0-9_-]{1,64}}"  # "<org id>:<user id>"


@routes.get(
    "/claims/mine", query=PageQuery, response=Page[ClaimView], auth=True, problems=(400,),
    summary="Your claims and their outcomes, newest first",
)  # fmt: skip
async def my_claims(request: web.Request) -> web.Response:
    """What became of your claims (``reason``: the moderator's word, if any)."""
    query = parse_query(request, PageQuery)
    items, cursor = await service(request).organizations.claims.mine(
        await caller(request), limit=query.limit, cursor=query.cursor
    )
    return json_response(Page[ClaimView](items=items, next_cursor=cursor))


@routes.get(
    "/moderation/claims", query=PageQuery, response=Page[ClaimView], auth=True,
    problems=(400, 403), summary="Open claims, oldest first (moderators)",
)  # fmt: skip
async def open_claims(request: web.Request) -> web.Response:
    """The claims waiting for a decision, with the claimant and the evidence."""
    query = parse_query(request, PageQuery)
    items, cursor = await service(request).organizations.claims.queue(
        await caller(request), limit=query.limit, cursor=query.cursor
    )
    return json_response(Page[ClaimView](items=items, next_cursor=cursor))


@routes.post(
    "/orgs/{id}/claims", body=ClaimBody, response=ClaimView, status=201, auth=True,
    problems=(403, 404, 409), summary="Claim an unclaimed organization, with evidence",
)  # fmt: skip
async def claim_org(request: web.Request) -> web.Response:
    """One open claim per person and organization (409 claim-open); an organization with an
    owner cannot be claimed (409 org-claimed)."""
    who, body = await caller(request), await parse_body(request, ClaimBody)
    claim = await service(request).organizations.claims.claim(
        request.match_info["id"], who, body.evidence, now()
    )
    return json_response(claim, status=201)


async def _decision(request: web.Request) -> DecisionBody:
    # The reason is optional, and so is the body that carries it.
    return await parse_body(request, DecisionBody) if request.body_exists else DecisionBody()


@routes.post(
    f"/moderation/claims/{CLAIM_ID}/approve", body=DecisionBody, response=ClaimView, auth=True,
    problems=(403, 404, 409), summary="Approve a claim: the claimant becomes owner (moderators)",
)  # fmt: skip
async def approve_claim(request: web.Request) -> web.Response:
    """The claimant becomes the organization's owner (org.member_added); the first approved
    claim wins, another is then 409 org-claimed."""
    who, body = await caller(request), await _decision(request)
    claim = await service(request).organizations.claims.approve(
        who, request.match_info["claim_id"], body.reason, now()
    )
    return json_response(claim)


@routes.post(
    f"/moderation/claims/{CLAIM_ID}/reject", body=DecisionBody, response=ClaimView, auth=True,
    problems=(403, 404, 409), summary="Reject a claim (moderators)",
)  # fmt: skip
async def reject_claim(request: web.Request) -> web.Response:
    """The claimant reads the outcome (and the reason) in their claims, and may claim again."""
    who, body = await caller(request), await _decision(request)
    claim = await service(request).organizations.claims.reject(
        who, request.match_info["claim_id"], body.reason, now()
    )
    return json_response(claim)
