"""Routes of moderation: reports, the moderators' queue and decisions, organizations' blocks
(thin: parse, call the use case, answer a schema)."""

from __future__ import annotations

from typing import cast

from aiohttp import web

from jumo_common.web import ApiRoutes, Page, PageQuery, json_response, parse_body, parse_query
from jumo_orgs.api.common import caller, now, service
from jumo_orgs.schemas.moderation import (
    BlockOut,
    Decision,
    QueueQuery,
    ReportDraft,
    ReportedThing,
    ReportOut,
    Resolution,
    TargetKind,
    Visibility,
)

routes = ApiRoutes(tags=("moderation",))
USER_ID = "{user_id:[0-9a-f]{32}}"  # identity's ids: other ones cannot exist


@routes.post(
    "/reports", body=ReportDraft, response=ReportOut, status=201, auth=True,
    problems=(403, 404), summary="Report an organization, a post or a review",
)  # fmt: skip
async def file_report(request: web.Request) -> web.Response:
    """File a report; while your report of that thing is open, filing again changes nothing and
    answers it as it is."""
    who, draft = await caller(request), await parse_body(request, ReportDraft)
    report, _filed = await service(request).moderation.report(who, draft, now())
    return json_response(report, status=201)


@routes.get(
    "/reports/mine", query=PageQuery, response=Page[ReportOut], auth=True, problems=(400,),
    summary="Your reports, newest first, with their status and outcome",
)  # fmt: skip
async def my_reports(request: web.Request) -> web.Response:
    """The caller's reports."""
    who, query = await caller(request), parse_query(request, PageQuery)
    items, cursor = await service(request).moderation.mine(
        who, limit=query.limit, cursor=query.cursor
    )
    return json_response(Page[ReportOut](items=items, next_cursor=cursor))


@routes.get(
    "/moderation/reports", query=QueueQuery, response=Page[ReportedThing], auth=True,
    problems=(400, 403), summary="The moderators' queue: things reported, oldest report first",
)  # fmt: skip
async def report_queue(request: web.Request) -> web.Response:
    """Things with reports in ``status`` (open by default), each with its reports and a count."""
    who, query = await caller(request), parse_query(request, QueueQuery)
    items, cursor = await service(request).moderation.queue(
        who, query.status, limit=query.limit, cursor=query.cursor
    )
    return json_response(Page[ReportedThing](items=items, next_cursor=cursor))


@routes.post(
    "/moderation/reports/{id}/resolve", body=Decision, response=Resolution, auth=True,
    problems=(403, 404, 409), summary="Hide the thing reported, or dismiss the reports",
)  # fmt: skip
async def resolve_report(request: web.Request) -> web.Response:
    """A moderator decides: every open report of the thing takes the outcome, and each reporter
    hears of it (report.resolved)."""
    who, decision = await caller(request), await parse_body(request, Decision)
    resolution = await service(request).moderation.resolve(
        who, request.match_info["id"], decision, now()
    )
    return json_response(resolution)


@routes.post(
    "/moderation/{kind:org|post|review}/{id}/restore", response=Visibility, auth=True,
    problems=(403, 404), summary="Show a hidden organization, post or review again",
)  # fmt: skip
async def restore_hidden(request: web.Request) -> web.Response:
    """A moderator shows the thing again (org.hidden, post.hidden or review.hidden, false)."""
    who, info = await caller(request), request.match_info
    kind = cast(TargetKind, info["kind"])  # the route's pattern admits only these
    return json_response(await service(request).moderation.restore(who, kind, info["id"]))


@routes.put(
    f"/orgs/{{id}}/blocks/{USER_ID}", response=BlockOut, auth=True, problems=(403, 404, 409),
    summary="Block a person from the organization (its admins)",
)  # fmt: skip
async def block_person(request: web.Request) -> web.Response:
    """The person can no longer follow, review or report the organization (idempotent). One of
    the organization's own people cannot be blocked (409)."""
    who, info = await caller(request), request.match_info
    block, _made = await service(request).moderation.block(who, info["id"], info["user_id"], now())
    return json_response(block)


@routes.delete(
    f"/orgs/{{id}}/blocks/{USER_ID}", status=204, auth=True, problems=(403, 404),
    summary="Lift a block (its admins)",
)  # fmt: skip
async def unblock_person(request: web.Request) -> web.Response:
    """Idempotent: 204 whether or not the person was blocked."""
    who, info = await caller(request), request.match_info
    await service(request).moderation.unblock(who, info["id"], info["user_id"])
    return web.Response(status=204)


@routes.get(
    "/orgs/{id}/blocks", query=PageQuery, response=Page[BlockOut], auth=True,
    problems=(400, 403, 404), summary="Whom the organization blocked, newest first (its admins)",
)  # fmt: skip
async def list_blocks(request: web.Request) -> web.Response:
    """The organization's blocks."""
    who, query = await caller(request), parse_query(request, PageQuery)
    items, cursor = await service(request).moderation.blocks(
        who, request.match_info["id"], limit=query.limit, cursor=query.cursor
    )
    return json_response(Page[BlockOut](items=items, next_cursor=cursor))
