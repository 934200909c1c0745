"""The www host: the Login dialog (cookie session), test-user login URLs, the Share dialog."""

from __future__ import annotations

import hmac
from html import escape
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.typedefs import Handler

from jumo_facebook.sandbox import pages_html
from jumo_facebook.sandbox.auth import state_of
from jumo_facebook.sandbox.state import KNOWN_SCOPES, SandboxState, TestUser

SESSION_COOKIE, USER_COOKIE = "xs", "c_user"
DIALOG_PARAMS = (
    "client_id",
    "redirect_uri",
    "state",
    "scope",
    "response_type",
    "auth_type",
    "code_challenge",
    "code_challenge_method",
)
# The 1x1 transparent PNG behind every test user's picture.
_PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


class DialogError(Exception):
    """A dialog request Facebook refuses with an error page rather than a redirect."""

    def __init__(self, title: str, message: str) -> None:
        super().__init__(message)
        self.title, self.message = title, message


def session_user(request: web.Request) -> TestUser | None:
    """The test user logged in to the sandbox in this browser, if any."""
    state = state_of(request)
    user_id = state.sessions.get(request.cookies.get(SESSION_COOKIE, ""))
    return state.users.get(user_id) if user_id else None


def log_in(response: web.StreamResponse, state: SandboxState, user: TestUser) -> None:
    """Set the session cookies of a logged-in test user."""
    response.set_cookie(SESSION_COOKIE, state.start_session(user.id), httponly=True, path="/")
    response.set_cookie(USER_COOKIE, user.id, path="/")


def _scopes(raw: str) -> list[str]:
    scopes = [s for s in raw.replace(" ", ",").split(",") if s]
    unknown = [s for s in scopes if s not in KNOWN_SCOPES]
    if unknown:
        raise DialogError("Invalid Scopes", f"Invalid Scopes: {', '.join(unknown)}.")
    return ["public_profile", *[s for s in dict.fromkeys(scopes) if s != "public_profile"]]


def _validated(state: SandboxState, fields: dict[str, str]) -> list[str]:
    """Check the dialog's parameters; the requested scopes."""
    if fields.get("client_id") != state.config.app_id:
        raise DialogError(
            "Invalid App ID", "The provided app ID does not look like a valid app ID."
        )
    if not state.redirect_allowed(fields.get("redirect_uri", "")):
        raise DialogError(
            "URL Blocked",
            "This redirect failed because the redirect URI is not whitelisted in the app's "
            "Client OAuth Settings. Make sure Client and Web OAuth Login are on and add all "
            "your app domains as Valid OAuth Redirect URIs.",
        )
    if fields.get("response_type", "code") != "code":
        raise DialogError("Error", "The sandbox answers response_type=code only.")
    if fields.get("code_challenge_method", "S256") not in ("S256", "plain"):
        raise DialogError("Error", "Invalid code_challenge_method.")
    return _scopes(fields.get("scope", ""))


def _redirect(redirect_uri: str, query: dict[str, str]) -> web.HTTPFound:
    joiner = "&" if "?" in redirect_uri else "?"
    return web.HTTPFound(f"{redirect_uri}{joiner}{urlencode(query)}#_=_")


def _with_code(state: SandboxState, user: TestUser, fields: dict[str, str]) -> web.HTTPFound:
    code = state.issue_code(
        user,
        fields["redirect_uri"],
        fields.get("code_challenge") or None,
        fields.get("code_challenge_method") or "S256",
    )
    return _redirect(fields["redirect_uri"], {"code": code.value} | _echoed_state(fields))


def _echoed_state(fields: dict[str, str]) -> dict[str, str]:
    """The dialog's ``state``, which Facebook hands back on every redirect when one was sent."""
    return {"state": fields["state"]} if fields.get("state") else {}


def _error_page(handler: Handler) -> Handler:
    """Parameters Facebook refuses (DialogError) get its error page rather than a redirect."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except DialogError as exc:
            return pages_html.error_page(exc.title, exc.message)

    return wrapped


@_error_page
async def dialog(request: web.Request) -> web.StreamResponse:
    """GET /{v}/dialog/oauth: redirect at once if already authorized, else log in / consent."""
    state = state_of(request)
    fields = {k: request.query[k] for k in DIALOG_PARAMS if k in request.query}
    scopes = _validated(state, fields)
    user = session_user(request)
    if user is None:
        return pages_html.login_form(
            list(state.users.values()), request.path_qs, state.config.app_name
        )
    answered = user.granted | user.declined
    if user.installed and set(scopes) <= answered and fields.get("auth_type") != "rerequest":
        raise _with_code(state, user, fields)
    action = f"{request.path}/confirm"
    return pages_html.consent_form(user, state.config.app_name, scopes, fields, action)


@_error_page
async def confirm(request: web.Request) -> web.StreamResponse:
    """POST /{v}/dialog/oauth/confirm: the person's Continue or Cancel."""
    state, form = state_of(request), await request.post()
    fields = {k: str(form[k]) for k in DIALOG_PARAMS if k in form}
    scopes = _validated(state, fields)
    user = session_user(request)
    if user is None:
        raise web.HTTPFound(f"{request.path.removesuffix('/confirm')}?{urlencode(fields)}")
    if form.get("decision") != "accept":
        denied = {
            "error": "access_denied",
            "error_description": "Permissions error",
            "error_reason": "user_denied",
        }
        raise _redirect(fields["redirect_uri"], denied | _echoed_state(fields))
    state.grant(user, scopes, {str(g) for g in form.getall("grant", [])})
    raise _with_code(state, user, fields)


def _find_login(state: SandboxState, form: dict[str, str]) -> TestUser | None:
    if form.get("user_id"):
        return state.users.get(form["user_id"])
    for user in state.users.values():
        if user.email == form.get("email") and hmac.compare_digest(
            user.password.encode(), form.get("pass", "").encode()
        ):
            return user
    return None


async def login(request: web.Request) -> web.StreamResponse:
    """POST /login.php: log in as a test user, then go back to the dialog."""
    state, raw = state_of(request), await request.post()
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    user = _find_login(state, form)
    next_url = form.get("next", "/")
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = "/"  # only ever back into the sandbox: no open redirect
    if user is None:
        return pages_html.error_page("Wrong credentials", "Invalid username or password.")
    response = web.HTTPFound(next_url)
    log_in(response, state, user)
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    """GET /logout.php: forget this browser's session."""
    state_of(request).sessions.pop(request.cookies.get(SESSION_COOKIE, ""), None)
    response = pages_html.page("Logged out", "<p>You are logged out of the sandbox.</p>")
    response.del_cookie(SESSION_COOKIE, path="/")
    response.del_cookie(USER_COOKIE, path="/")
    return response


async def test_user_login(request: web.Request) -> web.StreamResponse:
    """GET /checkpoint/test-user-login/{id}/: a test user's login_url."""
    state = state_of(request)
    user = state.users.get(request.match_info["user_id"])
    nonce = request.query.get("nonce", "")
    if user is None or not hmac.compare_digest(nonce.encode(), user.login_nonce.encode()):
        return pages_html.error_page("Link expired", "This login link is not valid.")
    response = pages_html.page(
        f"Logged in as {user.name}",
        "<p>This browser is now logged in to the Facebook sandbox as this test user. "
        "Open your app's Login link to continue.</p>",
    )
    log_in(response, state, user)
    return response


async def share(request: web.Request) -> web.StreamResponse:
    """GET /dialog/share: the member shares a link to their own timeline themselves."""
    state, query = state_of(request), request.query
    if query.get("app_id") != state.config.app_id:
        return pages_html.error_page("Invalid App ID", "The provided app ID is not valid.")
    if not query.get("href"):
        return pages_html.error_page("Error", "The parameter 'href' is required.")
    fields = {k: query[k] for k in ("app_id", "href", "hashtag", "redirect_uri") if k in query}
    return pages_html.page(
        "Share on Facebook",
        f"<p>Share <a href='{escape(query['href'])}'>{escape(query['href'])}"
        f"</a> {escape(query.get('hashtag', ''))}</p>"
        f"<form method='post' action='/dialog/share/submit'>{pages_html.hidden(fields)}"
        "<button name='decision' value='post'>Post to Facebook</button>"
        "<button name='decision' value='cancel'>Cancel</button></form>",
    )


async def share_submit(request: web.Request) -> web.StreamResponse:
    """POST /dialog/share/submit: record the share (no post id comes back, as on Facebook)."""
    state, form = state_of(request), await request.post()
    fields = {k: str(v) for k, v in form.items()}
    user = session_user(request)
    if fields.get("decision") == "post" and fields.get("app_id") == state.config.app_id:
        shared = {"href": fields.get("href", ""), "hashtag": fields.get("hashtag", "")}
        state.shares.append(shared | {"user_id": user.id if user else ""})
    redirect_uri = fields.get("redirect_uri", "")
    if redirect_uri and state.redirect_allowed(redirect_uri):
        raise web.HTTPFound(f"{redirect_uri}#_=_")
    return pages_html.page("Done", "<p>You can close this window.</p>")


async def picture(request: web.Request) -> web.Response:
    """GET /platform/profilepic/: every test user's (blank) picture."""
    return web.Response(body=_PIXEL, content_type="image/png")
