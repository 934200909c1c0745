"""Routes of news (thin: parse, call the use case, answer a schema)."""

from __future__ import annotations

from aiohttp import web

from jumo_common.web import ApiRoutes, Page, PageQuery, json_response, parse_body, parse_query
from jumo_orgs.api.common import caller, maybe_caller, now, service
from jumo_orgs.schemas.news import PostDraft, PostOut, PostPatch

routes = ApiRoutes(tags=("news",))
POST_ID = "{id:[0-9a-f]{32}}"  # other ids cannot exist: a plain 404 without a query


@routes.post(
    "/orgs/{id}/posts", body=PostDraft, response=PostOut, status=201, auth=True,
    problems=(403, 404, 409), summary="Post news (an editor+ of a verified organization)",
)  # fmt: skip
async def publish_post(request: web.Request) -> web.Response:
    """Publish a post: post.published carries everything a feed needs to show it."""
    who, draft = await caller(request), await parse_body(request, PostDraft)
    post = await service(request).news.publish(request.match_info["id"], who, draft, now())
    return json_response(post, status=201)


@routes.get(
    "/orgs/{id}/posts", query=PageQuery, response=Page[PostOut], problems=(400, 404),
    summary="An organization's news, newest first",
)  # fmt: skip
async def list_posts(request: web.Request) -> web.Response:
    """A page of an organization's posts (``{id}``: its id or slug)."""
    query = parse_query(request, PageQuery)
    items, cursor = await service(request).news.page(
        request.match_info["id"], await maybe_caller(request), limit=query.limit,
        cursor=query.cursor,
    )  # fmt: skip
    return json_response(Page[PostOut](items=items, next_cursor=cursor))


@routes.get(f"/posts/{POST_ID}", response=PostOut, problems=(404,), summary="A post")
async def get_post(request: web.Request) -> web.Response:
    """One post."""
    post = await service(request).news.post(request.match_info["id"], await maybe_caller(request))
    return json_response(post)


@routes.patch(
    f"/posts/{POST_ID}", body=PostPatch, response=PostOut, auth=True, problems=(403, 404, 409),
    summary="Edit a post (only the fields sent change)",
)  # fmt: skip
async def edit_post(request: web.Request) -> web.Response:
    """Edit a post: post.updated with its new snapshot (nothing when nothing changed)."""
    who, patch = await caller(request), await parse_body(request, PostPatch)
    post = await service(request).news.edit(request.match_info["id"], who, patch, now())
    return json_response(post)


@routes.delete(
    f"/posts/{POST_ID}", status=204, auth=True, problems=(403, 404, 409), summary="Delete a post"
)
async def delete_post(request: web.Request) -> web.Response:
    """Delete a post: post.deleted; nothing of it remains."""
    await service(request).news.delete(request.match_info["id"], await caller(request))
    return web.Response(status=204)
