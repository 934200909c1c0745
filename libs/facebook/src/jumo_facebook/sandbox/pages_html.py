"""The plain HTML the sandbox shows a person: login, consent, share, errors."""

from __future__ import annotations

from html import escape

from aiohttp import web

from jumo_facebook.sandbox.state import TestUser

_STYLE = (
    "body{font-family:sans-serif;max-width:34em;margin:3em auto;color:#1c1e21}"
    "h1{color:#1877f2;font-size:1.4em}button{margin:.3em .3em .3em 0;padding:.4em 1em}"
    "fieldset{border:1px solid #ccd;margin:1em 0}"
)


def page(title: str, body: str, status: int = 200) -> web.Response:
    """A complete HTML page."""
    html = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return web.Response(text=html, status=status, content_type="text/html")


def hidden(fields: dict[str, str]) -> str:
    """Hidden inputs carrying the dialog's parameters through a form."""
    return "".join(
        f"<input type='hidden' name='{escape(k)}' value='{escape(v)}'>" for k, v in fields.items()
    )


def error_page(title: str, message: str) -> web.Response:
    """What Facebook shows instead of redirecting when the request itself is wrong."""
    return page(title, f"<p>{escape(message)}</p>", status=400)


def login_form(users: list[TestUser], next_url: str, app_name: str) -> web.Response:
    """Pick a test user, or type a test user's email and password."""
    buttons = (
        "".join(
            f"<button name='user_id' value='{escape(u.id)}'>Log in as {escape(u.name)}</button><br>"
            for u in users
        )
        or "<p>No test users yet: create one with the test-user API.</p>"
    )
    nxt = hidden({"next": next_url})
    return page(
        "Log in to Facebook (sandbox)",
        f"<p>Log in to continue to {escape(app_name)}.</p>"
        f"<form method='post' action='/login.php'>{nxt}{buttons}</form>"
        f"<form method='post' action='/login.php'>{nxt}<fieldset>"
        "<input name='email' placeholder='Email'> <input name='pass' type='password' "
        "placeholder='Password'> <button>Log in</button></fieldset></form>",
    )


def consent_form(
    user: TestUser, app_name: str, scopes: list[str], fields: dict[str, str], action: str
) -> web.Response:
    """Accept or cancel the app's request; optional permissions can be unticked."""
    boxes = "".join(
        f"<label><input type='checkbox' name='grant' value='{escape(s)}' checked"
        f"{' disabled' if s == 'public_profile' else ''}> {escape(s)}</label><br>"
        for s in scopes
    )
    return page(
        f"{app_name} is requesting access",
        f"<p>Logged in as <b>{escape(user.name)}</b> (<a href='/logout.php'>not you?</a>)</p>"
        f"<form method='post' action='{escape(action)}'>{hidden(fields)}"
        f"<fieldset>{boxes}</fieldset>"
        "<button name='decision' value='accept'>Continue</button>"
        "<button name='decision' value='cancel'>Cancel</button></form>",
    )
