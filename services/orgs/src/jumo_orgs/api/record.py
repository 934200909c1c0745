"""Routes of attendance, the volunteer's record and its export, the record's JWKS and an
organization's figures (thin: parse, call the use case, answer a schema)."""

from __future__ import annotations

from typing import Literal

from aiohttp import web

from jumo_common.web import ApiModel, ApiRoutes, json_response, parse_body, parse_query
from jumo_orgs.api.common import caller, now, service
from jumo_orgs.record import JWKS_PATH
from jumo_orgs.schemas.record import (
    CheckInBody,
    CheckInList,
    CheckInOut,
    CodeBody,
    CodeOut,
    DisputeBody,
    HoursBody,
    Jwks,
    OrgStatsOut,
    RecordExport,
    RecordOut,
)

routes = ApiRoutes(tags=("volunteering record",))
JOSE = "application/jose"  # RFC 7515 §9.2.1: a compact JWS


class ExportQuery(ApiModel):
    """``?format=json`` (default) or ``jws`` (the compact JWS, as ``/export.jws``)."""

    format: Literal["json", "jws"] = "json"


@routes.get(JWKS_PATH, response=Jwks, summary="Public keys that verify exported records")
async def record_jwks(request: web.Request) -> web.Response:
    """Every key orgs ever signed volunteers' records with (public halves): a record exported
    years ago still verifies. Public and cacheable."""
    document = await service(request).record.keys.jwks()
    return json_response(document, headers={"Cache-Control": "public, max-age=300"})


@routes.post(
    "/applications/{id}/check-in-code", body=CodeBody, response=CodeOut, status=201, auth=True,
    problems=(404, 409, 422), summary="A one-time code to show when you arrive (yours only)",
)  # fmt: skip
async def issue_check_in_code(request: web.Request) -> web.Response:
    """The volunteer of an accepted application gets a short code, valid a few minutes and
    once; the organization types it in ``POST /opportunities/{id}/check-ins``."""
    who = await caller(request)
    body = await parse_body(request, CodeBody)
    code = await service(request).attendance.issue_code(request.match_info["id"], who, body, now())
    return json_response(code, status=201)


@routes.post(
    "/opportunities/{id}/check-ins", body=CheckInBody, response=CheckInOut, status=201,
    auth=True, problems=(403, 404, 409, 422),
    summary="Check a volunteer in (the organization's editors and up; by application or code)",
)  # fmt: skip
async def check_in(request: web.Request) -> web.Response:
    """Exactly once per application and session: 201 when this made it, 200 with the check-in
    already there. Nobody checks themself in."""
    who = await caller(request)
    body = await parse_body(request, CheckInBody)
    out, created = await service(request).attendance.check_in(
        request.match_info["id"], who, body, now()
    )
    return json_response(out, status=201 if created else 200)


@routes.get(
    "/opportunities/{id}/check-ins", response=CheckInList, auth=True, problems=(403, 404),
    summary="An opportunity's check-ins (the organization's editors and up)",
)  # fmt: skip
async def list_check_ins(request: web.Request) -> web.Response:
    """Every check-in of the opportunity, oldest first, with hours and answers."""
    who = await caller(request)
    items = await service(request).attendance.check_ins(request.match_info["id"], who)
    return json_response(CheckInList(items=items))


@routes.put(
    "/opportunities/{id}/check-ins/{check_in_id}/hours", body=HoursBody, response=CheckInOut,
    auth=True, problems=(403, 404, 409, 422),
    summary="Record the hours of a session (the organization's editors and up)",
)  # fmt: skip
async def record_hours(request: web.Request) -> web.Response:
    """0 < hours ≤ 24; correctable until the volunteer confirms (volunteering.attested)."""
    who = await caller(request)
    body = await parse_body(request, HoursBody)
    out = await service(request).attendance.record_hours(
        request.match_info["id"], request.match_info["check_in_id"], who, body.hours, now()
    )
    return json_response(out)


@routes.get(
    "/users/me/volunteering", response=RecordOut, auth=True,
    summary="Your record: every engagement with recorded hours, totals by cause and year",
)  # fmt: skip
async def my_volunteering(request: web.Request) -> web.Response:
    """Newest first; disputed engagements are marked and left out of the totals."""
    who = await caller(request)
    return json_response(await service(request).record.mine(who))


@routes.get(
    "/users/me/volunteering/export", query=ExportQuery, response=RecordExport, auth=True,
    summary="Your attested record as JSON (or ?format=jws: signed)",
)  # fmt: skip
async def export_volunteering(request: web.Request) -> web.Response:
    """The attested engagements; ``?format=jws`` answers the compact JWS (application/jose)."""
    who = await caller(request)
    if parse_query(request, ExportQuery).format == "jws":
        return await _jws(request)
    return json_response(await service(request).record.export(who, now()))


@routes.get(
    "/users/me/volunteering/export.jws", auth=True,
    summary="Your attested record as a compact JWS (EdDSA), verifiable with the orgs JWKS",
)  # fmt: skip
async def export_volunteering_jws(request: web.Request) -> web.Response:
    """``application/jose``: verify it offline with ``GET /.well-known/orgs-jwks.json``."""
    return await _jws(request)


async def _jws(request: web.Request) -> web.Response:
    who = await caller(request)
    token = await service(request).record.export_jws(who, now())
    disposition = 'attachment; filename="volunteering.jws"'
    return web.Response(text=token, content_type=JOSE,
                        headers={"Content-Disposition": disposition})  # fmt: skip


@routes.post(
    "/users/me/volunteering/{id}/confirm", response=CheckInOut, auth=True,
    problems=(404, 409), summary="Confirm the hours an organization recorded (yours only)",
)  # fmt: skip
async def confirm_hours(request: web.Request) -> web.Response:
    """The hours stand as attested; the organization can no longer change them."""
    who = await caller(request)
    out = await service(request).attendance.confirm(request.match_info["id"], who, now())
    return json_response(out)


@routes.post(
    "/users/me/volunteering/{id}/dispute", body=DisputeBody, response=CheckInOut, auth=True,
    problems=(404, 409, 422), summary="Dispute the hours an organization recorded, saying why",
)  # fmt: skip
async def dispute_hours(request: web.Request) -> web.Response:
    """The engagement is no longer attested (volunteering.disputed) until the organization
    corrects the hours."""
    who = await caller(request)
    body = await parse_body(request, DisputeBody)
    out = await service(request).attendance.dispute(
        request.match_info["id"], who, body.reason, now()
    )
    return json_response(out)


@routes.get(
    "/orgs/{id}/stats", response=OrgStatsOut, auth=True, problems=(403, 404),
    summary="An organization's figures, all time and by month (its admins and owners)",
)  # fmt: skip
async def org_stats(request: web.Request) -> web.Response:
    """Counted at read time from applications and attendance (see ``jumo_orgs.stats``)."""
    who = await caller(request)
    return json_response(
        await service(request).org_stats.stats(request.match_info["id"], who, now())
    )
