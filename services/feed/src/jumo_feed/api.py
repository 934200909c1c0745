"""feed's HTTP API (thin: parse, call the use case, answer a schema). Every route is the
caller's own feed: there is no path that names another person."""

from __future__ import annotations

from aiohttp import web

from jumo_common.jwt import require_user
from jumo_common.web import ApiRoutes, json_response, parse_body, parse_query
from jumo_feed.schemas import (
    FeedAnswer,
    FeedQuery,
    PreferencesIn,
    PreferencesOut,
    SeenIn,
    SeenOut,
    decode_cursor,
    encode_cursor,
)
from jumo_feed.typedefs import FEED, Feed

routes = ApiRoutes(tags=("feed",))


def service(request: web.Request) -> Feed:
    """feed's service objects."""
    return request.app[FEED]


@routes.get(
    "/feed", query=FeedQuery, response=FeedAnswer, auth=True, problems=(400,),
    summary="Your home feed, newest first, each item with why it is there",
)  # fmt: skip
async def read_feed(request: web.Request) -> web.Response:
    """A page (``limit``, ``cursor``), or with ``mode=catch-up`` what happened since you last
    marked your place (``POST /feed/seen``), grouped by source."""
    query = parse_query(request, FeedQuery)
    who = await require_user(request)
    reading = service(request).reading
    if query.mode == "catch-up":
        return json_response(await reading.catch_up(who.user_id))
    below = decode_cursor(query.cursor) if query.cursor else None
    return json_response(await reading.page(who.user_id, limit=query.limit, below=below))


@routes.post(
    "/feed/seen", body=SeenIn, response=SeenOut, auth=True, problems=(400,),
    summary="Mark where you stopped reading (catch-up starts after it)",
)  # fmt: skip
async def mark_seen(request: web.Request) -> web.Response:
    """The body is optional: without a cursor, the newest item of your feed."""
    who = await require_user(request)
    body = await parse_body(request, SeenIn) if request.body_exists else SeenIn()
    number = decode_cursor(body.cursor) if body.cursor else None
    seen = await service(request).reading.mark_seen(who.user_id, number)
    return json_response(SeenOut(seen=encode_cursor(seen) if seen else None))


@routes.get(
    "/feed/preferences", response=PreferencesOut, auth=True,
    summary="Your feed's preferences",
)  # fmt: skip
async def preferences(request: web.Request) -> web.Response:
    """What your feed includes besides what you follow."""
    who = await require_user(request)
    return json_response(await _preferences(service(request), who.user_id))


@routes.put(
    "/feed/preferences", body=PreferencesIn, response=PreferencesOut, auth=True,
    problems=(400,), summary="Change your feed's preferences",
)  # fmt: skip
async def change_preferences(request: web.Request) -> web.Response:
    """``cause_opportunities``: new opportunities of the causes you joined reach your feed."""
    who = await require_user(request)
    body = await parse_body(request, PreferencesIn)
    feed = service(request)
    if body.cause_opportunities is not None:
        await feed.graph.set_cause_opportunities(who.user_id, body.cause_opportunities)
    return json_response(await _preferences(feed, who.user_id))


async def _preferences(feed: Feed, user_id: str) -> PreferencesOut:
    reader = await feed.deps.store.reader(user_id)
    return PreferencesOut(cause_opportunities=bool(reader.get("cause_opportunities")))
