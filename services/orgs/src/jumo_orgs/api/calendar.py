"""Routes of calendar events, RSVPs and calendar feeds (thin: parse, call the use case,
answer a schema or iCalendar text).

``/users/me/calendar`` and ``/calendars/{secret}.ics`` live here too (the gateway routes them
to orgs). The ``.ics`` routes come before ``/events/{id}``, which would match them too.
"""

from __future__ import annotations

from aiohttp import web

from jumo_common.web import ApiRoutes, Page, PageQuery, json_response, parse_body, parse_query
from jumo_orgs.api.common import caller, maybe_caller, now, service
from jumo_orgs.schemas.calendar import (
    CalendarEventIn,
    CalendarEventOut,
    CalendarEventPatch,
    CalendarFeedOut,
    RsvpIn,
    RsvpOut,
)

routes = ApiRoutes(tags=("calendar",))
ICS = "text/calendar"


def _ics(text: str, *, private: bool = False) -> web.Response:
    headers = {"Cache-Control": "private, no-store" if private else "no-cache"}
    if private:
        headers["Referrer-Policy"] = "no-referrer"
    return web.Response(text=text, content_type=ICS, charset="utf-8", headers=headers)


@routes.get(
    "/events/{id}.ics", auth=False, problems=(404,),
    summary="A calendar event as an iCalendar file (RFC 5545)",
)  # fmt: skip
async def event_ics(request: web.Request) -> web.Response:
    """``text/calendar``: one VEVENT (UTC times, the zone named in X-JUMO-TZID)."""
    who = await maybe_caller(request)
    text = await service(request).calendar.feeds.event_ics(who, request.match_info["id"],
                                                           now=now())  # fmt: skip
    return _ics(text)


@routes.get(
    "/calendars/{secret}.ics", auth=False, problems=(404,),
    summary="Your personal calendar feed (the secret URL from POST /users/me/calendar)",
)  # fmt: skip
async def feed_ics(request: web.Request) -> web.Response:
    """``text/calendar``: the events the feed's person is going to. The path holds a secret:
    it is logged by its template only."""
    text = await service(request).calendar.feeds.feed_ics(request.match_info["secret"], now=now())
    return _ics(text, private=True)


@routes.post(
    "/users/me/calendar", response=CalendarFeedOut, status=201, auth=True,
    summary="A new secret calendar feed URL of the events you are going to (replaces yours)",
)  # fmt: skip
async def create_feed(request: web.Request) -> web.Response:
    """The URL is shown once; only its secret's hash is kept. Your previous feed stops."""
    who = await caller(request)
    url = await service(request).calendar.feeds.create(who.user_id, now=now())
    return json_response(
        CalendarFeedOut(url=url), status=201, headers={"Cache-Control": "no-store"}
    )


@routes.delete(
    "/users/me/calendar", status=204, auth=True, summary="Revoke your calendar feed",
)  # fmt: skip
async def revoke_feed(request: web.Request) -> web.Response:
    """Idempotent: 204 whether or not you had one."""
    who = await caller(request)
    await service(request).calendar.feeds.revoke(who.user_id)
    return web.Response(status=204)


@routes.post(
    "/orgs/{id}/events", body=CalendarEventIn, response=CalendarEventOut, status=201, auth=True,
    problems=(403, 404, 409, 422),
    summary="Schedule a calendar event (a verified organization's editors; event.scheduled)",
)  # fmt: skip
async def schedule_event(request: web.Request) -> web.Response:
    """Times without an offset are local times in ``time_zone``; 409 ``org-not-verified``."""
    who = await caller(request)
    body = await parse_body(request, CalendarEventIn)
    out = await service(request).calendar.schedule(
        who, request.match_info["id"], body.model_dump(), now=now()
    )
    return json_response(out, status=201)


@routes.get(
    "/orgs/{id}/events", query=PageQuery, response=Page[CalendarEventOut], auth=False,
    problems=(400, 404), summary="An organization's calendar events, soonest first",
)  # fmt: skip
async def org_events(request: web.Request) -> web.Response:
    """Cancelled ones too (``status``)."""
    query = parse_query(request, PageQuery)
    who = await maybe_caller(request)
    page = await service(request).calendar.org_events(
        who, request.match_info["id"], limit=query.limit, cursor=query.cursor
    )
    return json_response(page)


@routes.get(
    "/events/{id}", response=CalendarEventOut, auth=False, problems=(404,),
    summary="A calendar event, its places taken and waiting list, and your answer",
)  # fmt: skip
async def get_event(request: web.Request) -> web.Response:
    """``going`` counts people and guests with a place."""
    who = await maybe_caller(request)
    return json_response(await service(request).calendar.get(who, request.match_info["id"]))


@routes.patch(
    "/events/{id}", body=CalendarEventPatch, response=CalendarEventOut, auth=True,
    problems=(403, 404, 409, 422), summary="Change a calendar event (event.updated)",
)  # fmt: skip
async def change_event(request: web.Request) -> web.Response:
    """Only the fields sent change; a new start moves the reminder; more capacity promotes
    the waiting list; 409 ``capacity-below-taken``."""
    who = await caller(request)
    sent = (await parse_body(request, CalendarEventPatch)).sent()
    out = await service(request).calendar.update(who, request.match_info["id"], sent, now=now())
    return json_response(out)


@routes.post(
    "/events/{id}/cancel", response=CalendarEventOut, auth=True, problems=(403, 404, 409),
    summary="Cancel a calendar event (event.cancelled; idempotent)",
)  # fmt: skip
async def cancel_event(request: web.Request) -> web.Response:
    """It stays readable, ``status: cancelled``; no reminder is sent; answers close."""
    who = await caller(request)
    return json_response(
        await service(request).calendar.cancel(who, request.match_info["id"], now=now())
    )


@routes.put(
    "/events/{id}/rsvp", body=RsvpIn, response=RsvpOut, auth=True, problems=(403, 404, 409),
    summary="Answer a calendar event: going, maybe or declined, with up to 5 guests",
)  # fmt: skip
async def answer_event(request: web.Request) -> web.Response:
    """``going`` when full: ``status: waiting`` and ``waiting_position``; promoted by itself
    when places free. 409 ``not-enough-places`` for more guests than are left."""
    who = await caller(request)
    body = await parse_body(request, RsvpIn)
    out = await service(request).calendar.rsvps.answer(
        who, request.match_info["id"], body.answer, body.guests, now=now()
    )
    return json_response(out)


@routes.delete(
    "/events/{id}/rsvp", response=RsvpOut, auth=True, problems=(404,),
    summary="Withdraw your answer (its places go to the waiting list)",
)  # fmt: skip
async def withdraw_answer(request: web.Request) -> web.Response:
    """Idempotent; ``status: removed``."""
    who = await caller(request)
    out = await service(request).calendar.rsvps.withdraw(who, request.match_info["id"], now=now())
    return json_response(out)
