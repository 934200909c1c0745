"""A browser's way through the Login dialog: cookies, forms and redirects, no shortcuts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from jumo_facebook import FacebookClient
from jumo_facebook.sandbox.testing import TEST_CALLBACK, SandboxControl


@dataclass
class Form:
    """One HTML form: where it posts, its hidden fields, its buttons and checkboxes."""

    action: str
    hidden: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    checkboxes: list[tuple[str, str]] = field(default_factory=list)


class FormParser(HTMLParser):
    """Just enough HTML reading to click buttons the way a browser would."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", "")))
        elif tag == "input" and a.get("type") == "hidden":
            self.forms[-1].hidden[a["name"]] = a.get("value", "")
        elif tag == "input" and a.get("type") == "checkbox" and "disabled" not in a:
            self.forms[-1].checkboxes.append((a["name"], a["value"]))
        elif tag == "button" and "name" in a:
            self.forms[-1].buttons.append((a["name"], a.get("value", "")))


def forms_of(html: str) -> list[Form]:
    """The forms on a page."""
    parser = FormParser()
    parser.feed(html)
    return parser.forms


@pytest.fixture
async def browser() -> AsyncIterator[aiohttp.ClientSession]:
    """A cookie-keeping HTTP client that does not follow redirects by itself."""
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1, as a browser keeps them
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        yield session


async def _open(browser: aiohttp.ClientSession, url: str) -> tuple[int, str, str]:
    async with browser.get(url, allow_redirects=False) as response:
        return response.status, response.headers.get("Location", ""), await response.text()


async def _submit(
    browser: aiohttp.ClientSession, base: str, form: Form, data: list[tuple[str, str]]
) -> tuple[int, str]:
    fields = list(form.hidden.items()) + data
    async with browser.post(f"{base}{form.action}", data=fields, allow_redirects=False) as resp:
        return resp.status, resp.headers.get("Location", "")


def _callback_query(location: str) -> dict[str, str]:
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == TEST_CALLBACK
    assert parts.fragment == "_=_"
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


async def _new_user(sandbox: SandboxControl, name: str) -> dict[str, str]:
    """Facebook's test-user API, with the app token, not yet installed."""
    status, body = await sandbox.graph(
        "POST",
        f"/{sandbox.config.app_id}/accounts/test-users",
        f"{sandbox.config.app_id}|{sandbox.config.app_secret}",
        {"installed": "false", "name": name},
    )
    assert status == 200, body
    return dict(body)


async def test_login_url_then_dialog_then_code(
    sandbox: SandboxControl, fb: FacebookClient, browser: aiohttp.ClientSession
) -> None:
    ann = await _new_user(sandbox, "Ann Example")
    assert "access_token" not in ann  # not installed: no token until she logs in
    status, _, _ = await _open(browser, ann["login_url"])
    assert status == 200
    start = fb.start_login(TEST_CALLBACK)
    status, _, html = await _open(browser, start.url)
    assert status == 200
    consent = forms_of(html)[0]
    status, location = await _submit(
        browser, sandbox.url, consent, [*consent.checkboxes, ("decision", "accept")]
    )
    assert status == 302
    query = _callback_query(location)
    assert query["state"] == start.state
    token = await fb.exchange_code(query["code"], TEST_CALLBACK, code_verifier=start.code_verifier)
    profile = await fb.me(token.access_token)
    assert (profile.id, profile.email) == (ann["id"], ann["email"])
    # Authorized now: the dialog redirects at once.
    status, location, _ = await _open(browser, fb.start_login(TEST_CALLBACK).url)
    assert status == 302
    assert "code" in _callback_query(location)


async def test_logging_in_with_email_and_password(
    sandbox: SandboxControl, fb: FacebookClient, browser: aiohttp.ClientSession
) -> None:
    ann = await _new_user(sandbox, "Ann Example")
    status, _, html = await _open(browser, fb.start_login(TEST_CALLBACK).url)
    assert status == 200
    password_form = next(f for f in forms_of(html) if not f.buttons)
    status, location = await _submit(
        browser, sandbox.url, password_form, [("email", ann["email"]), ("pass", ann["password"])]
    )
    assert status == 302
    _, _, html = await _open(browser, f"{sandbox.url}{location}")
    assert "Ann Example" in html
    assert forms_of(html)[0].action.endswith("/dialog/oauth/confirm")


async def test_cancel_redirects_with_user_denied(
    sandbox: SandboxControl, fb: FacebookClient, browser: aiohttp.ClientSession
) -> None:
    ann = await _new_user(sandbox, "Ann Example")
    await _open(browser, ann["login_url"])
    start = fb.start_login(TEST_CALLBACK)
    _, _, html = await _open(browser, start.url)
    consent = forms_of(html)[0]
    status, location = await _submit(browser, sandbox.url, consent, [("decision", "cancel")])
    assert status == 302
    query = _callback_query(location)
    assert query["error"] == "access_denied"
    assert query["error_reason"] == "user_denied"
    assert query["error_description"]
    assert query["state"] == start.state
    assert "code" not in query


async def test_declining_email(
    sandbox: SandboxControl, fb: FacebookClient, browser: aiohttp.ClientSession
) -> None:
    ann = await _new_user(sandbox, "Ann Example")
    await _open(browser, ann["login_url"])
    start = fb.start_login(TEST_CALLBACK)
    _, _, html = await _open(browser, start.url)
    consent = forms_of(html)[0]
    ticked = [box for box in consent.checkboxes if box[1] != "email"]
    _, location = await _submit(browser, sandbox.url, consent, [*ticked, ("decision", "accept")])
    code = _callback_query(location)["code"]
    token = await fb.exchange_code(code, TEST_CALLBACK, code_verifier=start.code_verifier)
    assert (await fb.me(token.access_token)).email is None
    statuses = {p.permission: p.status for p in await fb.permissions(token.access_token)}
    assert statuses["email"] == "declined"
    # Declined stays declined without asking again; rerequest shows the dialog once more.
    status, _, _ = await _open(browser, fb.start_login(TEST_CALLBACK).url)
    assert status == 302
    status, _, _ = await _open(browser, fb.start_login(TEST_CALLBACK, rerequest=True).url)
    assert status == 200


async def test_unregistered_redirect_is_an_error_page(
    fb: FacebookClient, browser: aiohttp.ClientSession
) -> None:
    start = fb.login_dialog_url("https://evil.example/cb", "s")
    status, location, html = await _open(browser, start)
    assert (status, location) == (400, "")
    assert "URL Blocked" in html


async def test_unknown_scope_is_an_error_page(
    fb: FacebookClient, browser: aiohttp.ClientSession
) -> None:
    status, _, html = await _open(browser, fb.login_dialog_url(TEST_CALLBACK, "s", ["wall"]))
    assert status == 400
    assert "Invalid Scopes" in html


async def test_login_via_control_api_gives_a_browser_session(
    sandbox: SandboxControl, fb: FacebookClient
) -> None:
    ann = await sandbox.create_test_user("Ann Example")
    login = await sandbox.login(ann.id)
    url = fb.start_login(TEST_CALLBACK).url
    headers = {"Cookie": login["cookie_header"]}
    async with sandbox.http.get(url, headers=headers, allow_redirects=False) as response:
        assert response.status == 302
        assert "code" in _callback_query(response.headers["Location"])


async def test_share_dialog(sandbox: SandboxControl, fb: FacebookClient) -> None:
    url = fb.share_dialog_url("https://jumo.example/o/1", hashtag="CleanWater")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert parts.path == "/dialog/share"
    assert query == {
        "app_id": sandbox.config.app_id,
        "display": "page",
        "href": "https://jumo.example/o/1",
        "hashtag": "#CleanWater",
    }
    async with sandbox.http.get(url) as response:
        html = await response.text()
    assert response.status == 200
    share = forms_of(html)[0]
    async with sandbox.http.post(
        f"{sandbox.url}{share.action}", data={**share.hidden, "decision": "post"}
    ) as response:
        assert response.status == 200
    assert sandbox.state.shares[0]["href"] == "https://jumo.example/o/1"
