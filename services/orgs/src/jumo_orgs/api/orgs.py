"""Routes of organizations (thin: parse, call the use case, answer a schema).

``{id}`` is an organization's id or its slug everywhere. Its people and roles are in
``api.members``, claims of unclaimed organizations in ``api.claims``.
"""

from __future__ import annotations

from collections.abc import Set
from typing import TypeVar

from aiohttp import web

from jumo_common.web import (
    ApiModel,
    ApiRoutes,
    Page,
    PageQuery,
    Unprocessable,
    json_response,
    parse_body,
    parse_query,
)
from jumo_orgs.api.common import caller, maybe_caller, now, service
from jumo_orgs.schemas.orgs import (
    PATCH_PROTECTED_FIELDS,
    PROTECTED_FIELDS,
    OrgCreate,
    OrgPage,
    OrgPatch,
    OrgView,
    RejectBody,
)

routes = ApiRoutes(tags=("organizations",))
M = TypeVar("M", bound=ApiModel)


async def parse_page(request: web.Request, model: type[M], protected: Set[str]) -> M:
    """The body; naming a read-only field is a 422 that says so (not "extra field")."""
    try:
        return await parse_body(request, model)
    except Unprocessable as exc:
        for error in exc.extensions.get("errors", []):
            if error.get("field") in protected:
                error["message"], error["type"] = "is read-only", "read_only"
        raise


@routes.post(
    "/orgs", body=OrgCreate, response=OrgView, status=201, auth=True, problems=(409,),
    summary="Create an organization (a draft; you become its owner)",
)  # fmt: skip
async def create_org(request: web.Request) -> web.Response:
    """Create an organization: org.created and org.member_added (you, owner). Without a slug
    one is derived from the name (``-2``, ``-3``… if taken); a slug given and taken is 409
    slug-taken. ``status``, ``verified``, owners, counts and the like are read-only (422)."""
    who = await caller(request)
    body = await parse_page(request, OrgCreate, PROTECTED_FIELDS)
    org = await service(request).organizations.create(who, body, now())
    return json_response(org, status=201)


@routes.get("/orgs/{id}", response=OrgPage, problems=(404,), summary="An organization's page")
async def get_org(request: web.Request) -> web.Response:
    """An organization by id or slug, with its follower count and its reviews in numbers
    (verified volunteers' apart). Drafts, pending and rejected organizations are visible to
    their own people and moderators only (404 for anyone else), hidden ones too."""
    orgs = service(request)
    org = await orgs.organizations.view(request.match_info["id"], await maybe_caller(request))
    followers = await orgs.following.count(org.id)
    reviews = await orgs.reviews.summary(org.id)
    volunteering = await orgs.org_stats.public(org.id, now())
    return json_response(OrgPage(**org.model_dump(), followers=followers, reviews=reviews,
                                 volunteering=volunteering))  # fmt: skip


@routes.patch(
    "/orgs/{id}", body=OrgPatch, response=OrgView, auth=True, problems=(403, 404, 409),
    summary="Edit an organization's page (owners and admins; only the fields sent change)",
)  # fmt: skip
async def patch_org(request: web.Request) -> web.Response:
    """Edit the page: org.updated naming the changed fields (nothing when nothing changed). A
    verified organization whose registration changes goes back to pending. The slug is fixed."""
    who = await caller(request)
    patch = await parse_page(request, OrgPatch, PATCH_PROTECTED_FIELDS)
    org = await service(request).organizations.update(request.match_info["id"], who, patch, now())
    return json_response(org)


@routes.post(
    "/orgs/{id}/submit", response=OrgView, auth=True, problems=(403, 404, 409),
    summary="Ask for verification (owners and admins)",
)  # fmt: skip
async def submit_org(request: web.Request) -> web.Response:
    """A draft or rejected organization becomes pending (org.submitted); again: no change."""
    who = await caller(request)
    org = await service(request).organizations.submit(request.match_info["id"], who, now())
    return json_response(org)


@routes.post(
    "/orgs/{id}/verify", response=OrgView, auth=True, problems=(403, 404, 409),
    summary="Verify a pending organization (moderators)",
)  # fmt: skip
async def verify_org(request: web.Request) -> web.Response:
    """A pending organization becomes verified (org.verified)."""
    who = await caller(request)
    org = await service(request).organizations.verify(request.match_info["id"], who, now())
    return json_response(org)


@routes.post(
    "/orgs/{id}/reject", body=RejectBody, response=OrgView, auth=True, problems=(403, 404, 409),
    summary="Turn a pending organization down, saying why (moderators)",
)  # fmt: skip
async def reject_org(request: web.Request) -> web.Response:
    """A pending organization becomes rejected (org.rejected); its people read the reason, edit
    and submit again."""
    who, body = await caller(request), await parse_body(request, RejectBody)
    org = await service(request).organizations.reject(
        request.match_info["id"], who, body.reason, now()
    )
    return json_response(org)


@routes.get(
    "/moderation/orgs", query=PageQuery, response=Page[OrgView], auth=True, problems=(400, 403),
    summary="Organizations waiting for verification, oldest first (moderators)",
)  # fmt: skip
async def pending_orgs(request: web.Request) -> web.Response:
    """The verification queue."""
    query = parse_query(request, PageQuery)
    items, cursor = await service(request).organizations.pending(
        await caller(request), limit=query.limit, cursor=query.cursor
    )
    return json_response(Page[OrgView](items=items, next_cursor=cursor))
