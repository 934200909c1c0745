"""Routes of reviews (thin: parse, call the use case, answer a schema)."""

from __future__ import annotations

from aiohttp import web

from jumo_common.web import ApiRoutes, Page, json_response, parse_body, parse_query
from jumo_orgs.api.common import caller, maybe_caller, now, service
from jumo_orgs.schemas.reviews import (
    AnswerDraft,
    ReviewDraft,
    ReviewOut,
    ReviewQuery,
    ReviewSummary,
    Vote,
)

routes = ApiRoutes(tags=("reviews",))
# "<organization id>:<author's user id>": one review per person and organization.
REVIEW_ID = "{id:[A-Za-z0-9_-]{1,64}:[0-9a-f]{32}}"


@routes.post(
    "/orgs/{id}/reviews", body=ReviewDraft, response=ReviewOut, auth=True,
    problems=(403, 404, 409), summary="Review an organization (sending it again edits yours)",
)  # fmt: skip
async def post_review(request: web.Request) -> web.Response:
    """Your review of a verified organization: review.posted, then review.updated on edits."""
    who, draft = await caller(request), await parse_body(request, ReviewDraft)
    review = await service(request).reviews.post(request.match_info["id"], who, draft, now())
    return json_response(review)


@routes.get(
    "/orgs/{id}/reviews/summary", response=ReviewSummary, problems=(404,),
    summary="An organization's average and 1-5 histogram (verified volunteers' apart)",
)  # fmt: skip
async def review_summary(request: web.Request) -> web.Response:
    """Counted from the reviews themselves: exact."""
    orgs = service(request)
    org = await orgs.access.org(request.match_info["id"], await maybe_caller(request))
    return json_response(await orgs.reviews.summary(org["_id"]))


@routes.get(
    "/orgs/{id}/reviews", query=ReviewQuery, response=Page[ReviewOut], problems=(400, 404),
    summary="An organization's reviews, newest or most helpful first",
)  # fmt: skip
async def list_reviews(request: web.Request) -> web.Response:
    """A page of reviews; ``volunteered=true`` shows verified volunteers' reviews apart."""
    query = parse_query(request, ReviewQuery)
    items, cursor = await service(request).reviews.page(
        request.match_info["id"], await maybe_caller(request), query
    )
    return json_response(Page[ReviewOut](items=items, next_cursor=cursor))


@routes.get(f"/reviews/{REVIEW_ID}", response=ReviewOut, problems=(404,), summary="A review")
async def get_review(request: web.Request) -> web.Response:
    """One review, with the organization's answer."""
    who = await maybe_caller(request)
    return json_response(await service(request).reviews.review(request.match_info["id"], who))


@routes.delete(
    f"/reviews/{REVIEW_ID}", status=204, auth=True, problems=(403, 404, 409),
    summary="Delete your review",
)  # fmt: skip
async def delete_review(request: web.Request) -> web.Response:
    """Its author deletes a review: review.deleted."""
    await service(request).reviews.delete(request.match_info["id"], await caller(request))
    return web.Response(status=204)


@routes.post(
    f"/reviews/{REVIEW_ID}/answer", body=AnswerDraft, response=ReviewOut, auth=True,
    problems=(403, 404, 409), summary="Answer a review (the organization's admins, once)",
)  # fmt: skip
async def answer_review(request: web.Request) -> web.Response:
    """The organization's one public answer; a second is a 409."""
    who, draft = await caller(request), await parse_body(request, AnswerDraft)
    review = await service(request).reviews.answer(request.match_info["id"], who, draft, now())
    return json_response(review)


async def _vote(request: web.Request, *, helpful: bool) -> web.Response:
    who = await caller(request)
    vote = await service(request).reviews.vote(
        request.match_info["id"], who, helpful=helpful, now=now()
    )
    return json_response(vote)


@routes.put(
    f"/reviews/{REVIEW_ID}/helpful", response=Vote, auth=True, problems=(403, 404),
    summary="Find a review helpful (idempotent)",
)  # fmt: skip
async def vote_helpful(request: web.Request) -> web.Response:
    """One vote per person and review; not for your own review."""
    return await _vote(request, helpful=True)


@routes.delete(
    f"/reviews/{REVIEW_ID}/helpful", response=Vote, auth=True, problems=(403, 404),
    summary="Take back your helpful vote (idempotent)",
)  # fmt: skip
async def unvote_helpful(request: web.Request) -> web.Response:
    """Remove your vote; ``changed`` is false when you had none."""
    return await _vote(request, helpful=False)
