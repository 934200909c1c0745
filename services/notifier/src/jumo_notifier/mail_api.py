"""The email channel's HTTP routes: one-click unsubscribe (RFC 8058) and resuming email.

``GET /notifications/unsubscribe?token=`` only shows a page with a button: link scanners and
mail clients' previews fetch links, and a GET must never unsubscribe anyone. ``POST`` (a mail
client's one-click, with the form body ``List-Unsubscribe=One-Click``, or the page's button)
does it. The token is the authority, so neither needs a sign-in; a token notifier did not sign
is a 400 problem.
"""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from jumo_common.jwt import require_user
from jumo_common.web import ApiRoutes, BadRequest, json_response, parse_query
from jumo_notifier.letters import scope_name
from jumo_notifier.typedefs import NOTIFIER
from jumo_notifier.unsubscribe import BadToken, Scope, unsubscribe_path

routes = ApiRoutes(tags=("email",))
HTML = "text/html"
# Pages that must not be kept by proxies nor framed by other sites.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    "Referrer-Policy": "no-referrer",
}


class UnsubscribeQuery(BaseModel):
    """The signed token of an unsubscribe link."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=512)


class EmailState(BaseModel):
    """Whether email reaches you (``email_stopped``: why not)."""

    email_stopped: str | None = None


def _verified(request: web.Request) -> tuple[str, Scope, str]:
    """The person and scope of the request's token, and the token."""
    token = parse_query(request, UnsubscribeQuery).token
    try:
        user_id, scope = request.app[NOTIFIER].mailing.tokens.verify(token)
    except BadToken as exc:
        raise BadRequest(str(exc), type_suffix="bad-unsubscribe-token") from None
    return user_id, scope, token


def _page(request: web.Request, name: str, title: str, **context: str) -> web.Response:
    body = request.app[NOTIFIER].mailing.letters.page(name, title=title, **context)
    if HTML not in request.headers.get("Accept", HTML) and name == "unsubscribed":
        text = f"{title}: you will no longer get {context['scope_name']}.\n"
        return web.Response(text=text, content_type="text/plain", headers=PAGE_HEADERS)
    return web.Response(text=body, content_type=HTML, headers=PAGE_HEADERS)


@routes.get(
    "/notifications/unsubscribe",
    query=UnsubscribeQuery,
    problems=(400,),
    summary="An unsubscribe link: a page asking to confirm (changes nothing)",
)
async def unsubscribe_page(request: web.Request) -> web.Response:
    """An HTML page with one button that POSTs the same link (no sign-in: the token is the
    authority). A GET changes nothing, so link scanners cannot unsubscribe anyone."""
    _, scope, token = _verified(request)
    return _page(
        request,
        "unsubscribe",
        "Unsubscribe",
        scope_name=scope_name(scope),
        action=unsubscribe_path(token),
    )


@routes.post(
    "/notifications/unsubscribe",
    query=UnsubscribeQuery,
    problems=(400,),
    summary="One-click unsubscribe (RFC 8058): stop the emails the link is for",
)
async def unsubscribe(request: web.Request) -> web.Response:
    """A mail client's one-click POST (form body ``List-Unsubscribe=One-Click``) or the page's
    button: the link's kind of email turns off in your preferences, or the digest, or all
    email. Answers a small confirmation (HTML, or plain text when HTML is not accepted)."""
    # The form's one field (List-Unsubscribe=One-Click) says nothing the token does not.
    user_id, scope, _ = _verified(request)
    mailing = request.app[NOTIFIER].mailing
    await mailing.unsubscribes.apply(user_id, scope, mailing.mail.clock())
    return _page(request, "unsubscribed", "Unsubscribed", scope_name=scope_name(scope))


@routes.post(
    "/notifications/email/resume",
    response=EmailState,
    auth=True,
    summary="Receive email again (after a refused address or unsubscribing from all)",
)
async def resume_email(request: web.Request) -> web.Response:
    """Clears ``email_stopped``: email reaches you again at your address (each kind's email
    channel stays as your preferences say)."""
    who = await require_user(request)
    notifier = request.app[NOTIFIER]
    await notifier.mailing.unsubscribes.resume(who.user_id)
    person = await notifier.store.person(who.user_id) or {}
    return json_response(EmailState(email_stopped=person.get("email_stopped")))
