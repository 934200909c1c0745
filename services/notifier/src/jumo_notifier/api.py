"""notifier's HTTP API (thin: parse, call the use case, answer a schema). Every route is the
caller's own notifications: no path names another person's, and an id of someone else's
notification matches nothing (404)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from jumo_common.jwt import require_user
from jumo_common.mongo import Document
from jumo_common.web import ApiRoutes, NotFound, json_response, parse_body, parse_query
from jumo_common.web.encoding import dumps
from jumo_notifier.inbox import stream_item
from jumo_notifier.live import Stream
from jumo_notifier.preferences import Preferences
from jumo_notifier.schemas import (
    BlockOut,
    ChannelsOut,
    ListQuery,
    NotificationOut,
    NotificationPage,
    PreferencesIn,
    PreferencesOut,
    ReadAnswer,
    ReadBody,
    UnreadCount,
    decode_cursor,
    encode_cursor,
)
from jumo_notifier.typedefs import NOTIFIER, Notifier

routes = ApiRoutes(tags=("notifications",))
USER_ID = "{user_id:[0-9a-f]{32}}"
NOTIFICATION_ID = "{id:[a-z_]+:[0-9a-f-]{36}:[0-9a-f]{32}}"


def service(request: web.Request) -> Notifier:
    """notifier's service objects."""
    return request.app[NOTIFIER]


@routes.get(
    "/notifications", query=ListQuery, response=NotificationPage, auth=True, problems=(400,),
    summary="Your notifications, newest first, like ones grouped",
)  # fmt: skip
async def list_notifications(request: web.Request) -> web.Response:
    """A page (``limit``, ``cursor``); ``unread=true`` for the unread ones only. A line with
    ``count`` > 1 groups like notifications ("Ann and 4 others followed Water for All")."""
    query = parse_query(request, ListQuery)
    who = await require_user(request)
    notifier = service(request)
    below = decode_cursor(query.cursor) if query.cursor else None
    items, next_below = await notifier.inbox.page(who.user_id, limit=query.limit, below=below,
                                                  unread=query.unread)  # fmt: skip
    page = NotificationPage(
        items=[NotificationOut.model_validate(item) for item in items],
        next_cursor=encode_cursor(next_below) if next_below else None,
        unread=await notifier.store.unread_count(who.user_id),
    )
    return json_response(page)


@routes.get(
    "/notifications/unread-count", response=UnreadCount, auth=True,
    summary="How many of your notifications are unread",
)  # fmt: skip
async def unread_count(request: web.Request) -> web.Response:
    """The number the app shows on its bell."""
    who = await require_user(request)
    return json_response(UnreadCount(unread=await service(request).store.unread_count(who.user_id)))


@routes.post(
    f"/notifications/{NOTIFICATION_ID}/read", body=ReadBody, response=ReadAnswer, auth=True,
    problems=(400, 404), summary="Mark a notification (or a group of them) read",
)  # fmt: skip
async def mark_read(request: web.Request) -> web.Response:
    """The body is optional: ``ids`` marks the other notifications of a grouped line too."""
    who = await require_user(request)
    body = await parse_body(request, ReadBody) if request.body_exists else ReadBody()
    store = service(request).store
    notification_id = request.match_info["id"]
    found = await store.notification(notification_id)
    if found is None or found["recipient"] != who.user_id:
        raise NotFound("You have no such notification.")
    marked = await store.mark_read(who.user_id, [notification_id, *body.ids])
    return json_response(ReadAnswer(marked=marked, unread=await store.unread_count(who.user_id)))


@routes.post(
    "/notifications/read-all", response=ReadAnswer, auth=True,
    summary="Mark every notification of yours read",
)  # fmt: skip
async def mark_all_read(request: web.Request) -> web.Response:
    """Everything unread becomes read."""
    who = await require_user(request)
    store = service(request).store
    marked = await store.mark_all_read(who.user_id)
    return json_response(ReadAnswer(marked=marked, unread=await store.unread_count(who.user_id)))


@routes.get(
    "/notifications/stream", auth=True, summary="Your new notifications, live (Server-Sent Events)",
)  # fmt: skip
async def stream(request: web.Request) -> web.StreamResponse:
    """``text/event-stream``: one ``notification`` event per new notification (``id``: its
    cursor), a comment every few seconds while idle. Reconnect with ``Last-Event-ID`` to get
    what was stored meanwhile; without it the stream starts now."""
    who = await require_user(request)
    notifier = service(request)
    since = _resume_from(request)
    response = web.StreamResponse(headers={
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-cache, no-store",
        "X-Accel-Buffering": "no",
    })  # fmt: skip
    await response.prepare(request)
    if since is None:
        newest = await notifier.store.notifications_of(who.user_id, below=None, unread=None,
                                                       limit=1)  # fmt: skip
        since = int(newest[0]["number"]) if newest else 0
    await response.write(b"retry: 3000\n\n")
    stream = notifier.live.open(who.user_id, since)
    try:
        await _serve(response, notifier, who.user_id, stream)
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        notifier.live.close(who.user_id, stream)
    return response


async def _serve(response: web.StreamResponse, notifier: Notifier, user_id: str,
                 stream: Stream) -> None:  # fmt: skip
    """Send what the database holds above the stream's mark, then what is handed to it, and
    read the database again every ``stream_poll_s`` (other processes' notifications)."""
    settings = notifier.settings
    loop = asyncio.get_running_loop()
    read_at = 0.0
    idle_since = loop.time()
    while True:
        if loop.time() - read_at >= settings.stream_poll_s:
            found = await notifier.store.newer_than(user_id, stream.since)
            await _send(response, stream.fresh(found, read=True))
            if found:
                stream.caught_up(max(int(d["number"]) for d in found))
            read_at = loop.time()
        wait = max(0.0, settings.stream_poll_s - (loop.time() - read_at))
        try:
            async with asyncio.timeout(wait):
                handed = [await stream.inbox.get()]
        except TimeoutError:
            handed = []
        while not stream.inbox.empty():
            handed.append(stream.inbox.get_nowait())
        if handed:
            await _send(response, stream.fresh(handed, read=False))
            idle_since = loop.time()
        elif loop.time() - idle_since >= settings.stream_heartbeat_s:
            await response.write(b": idle\n\n")
            idle_since = loop.time()


async def _send(response: web.StreamResponse, docs: list[Document]) -> None:
    """Write each notification as one ``notification`` event."""
    for doc in docs:
        item = NotificationOut.model_validate(stream_item(doc))
        payload = dumps(item.model_dump(mode="json"))
        await response.write(b"id: " + item.cursor.encode() + b"\nevent: notification\n"
                             b"data: " + payload + b"\n\n")  # fmt: skip


def _resume_from(request: web.Request) -> int | None:
    """The number after which a reconnecting stream resumes (``Last-Event-ID``)."""
    last = request.headers.get("Last-Event-ID")
    if not last:
        return None
    return decode_cursor(last.strip())


# -- preferences ------------------------------------------------------------------------------


@routes.get(
    "/notifications/preferences", response=PreferencesOut, auth=True,
    summary="Your notification preferences",
)  # fmt: skip
async def preferences(request: web.Request) -> web.Response:
    """Per kind its channels (defaults filled in), the digest, quiet hours."""
    who = await require_user(request)
    return json_response(await _preferences_out(service(request), who.user_id))


@routes.put(
    "/notifications/preferences", body=PreferencesIn, response=PreferencesOut, auth=True,
    problems=(400,), summary="Change your notification preferences",
)  # fmt: skip
async def change_preferences(request: web.Request) -> web.Response:
    """Only what the body names changes: per kind the channels given; ``digest``;
    ``quiet_hours`` (``null`` removes them). ``facebook`` exists for joins only (off by
    default): when on, Jumo shows on Facebook Pages that you joined."""
    who = await require_user(request)
    body = await parse_body(request, PreferencesIn)
    notifier = service(request)
    stored = Preferences.of(await notifier.store.preferences_of(who.user_id))
    change = Preferences.model_validate(body.model_dump(exclude_unset=True))
    updated = stored.merged(change)
    await notifier.store.save_preferences(who.user_id, updated.model_dump(mode="json"))
    return json_response(await _preferences_out(notifier, who.user_id))


async def _preferences_out(notifier: Notifier, user_id: str) -> PreferencesOut:
    prefs = Preferences.of(await notifier.store.preferences_of(user_id))
    person = await notifier.store.person(user_id) or {}
    kinds = {kind: ChannelsOut(**channels) for kind, channels in prefs.effective().items()}
    return PreferencesOut(kinds=kinds, digest=prefs.digest, quiet_hours=prefs.quiet_hours,
                          email_stopped=person.get("email_stopped"))  # fmt: skip


# -- blocks -----------------------------------------------------------------------------------


@routes.put(
    f"/notifications/blocked/{USER_ID}", response=BlockOut, auth=True, problems=(400,),
    summary="Stop hearing from a person (or an organization)",
)  # fmt: skip
async def block(request: web.Request) -> web.Response:
    """Nothing they do notifies you any more, on any channel."""
    who = await require_user(request)
    other = request.match_info["user_id"]
    await service(request).store.block(who.user_id, other)
    return json_response(BlockOut(user_id=other, blocked=True))


@routes.delete(
    f"/notifications/blocked/{USER_ID}", response=BlockOut, auth=True,
    summary="Hear from a person (or an organization) again",
)  # fmt: skip
async def unblock(request: web.Request) -> web.Response:
    """Undo a block (nothing missed meanwhile comes back)."""
    who = await require_user(request)
    other = request.match_info["user_id"]
    await service(request).store.unblock(who.user_id, other)
    return json_response(BlockOut(user_id=other, blocked=False))
