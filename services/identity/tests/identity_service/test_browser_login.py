"""Signing in from a browser: the callback's 303 back into the app with the refresh token in an
HttpOnly cookie, refresh and logout from that cookie (with the header a cross-site form cannot
send), rotation and reuse through the cookie, and API clients' JSON unchanged."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from jumo_common.testing import plugin
from jumo_facebook.sandbox.testing import SandboxControl, TestUserInfo, running_sandbox, test_config
from jumo_identity.app import create_app
from jumo_identity.browser import prefers_html, safe_return_to

from .conftest import (
    CALLBACK,
    AiohttpClient,
    Client,
    facebook_code,
    identity_settings,
    login,
    start_login,
)

# What a browser's page navigation sends (Chromium's, as Debian's chromium sends it).
BROWSER_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
WEB = {"X-Jumo-Client": "web"}
EMPTY: dict[str, Any] = {}
REFRESH_TTL_S = 30 * 24 * 3600
HTTP_BASE = "http://127.0.0.1:8080"


def cookie_attributes(set_cookie: str) -> tuple[str, str, dict[str, str]]:
    """A Set-Cookie value as (name, value, {attribute (lower case): value})."""
    first, *rest = [part.strip() for part in set_cookie.split(";")]
    name, _, value = first.partition("=")
    attributes = {}
    for part in rest:
        key, _, val = part.partition("=")
        attributes[key.lower()] = val
    return name, value, attributes


def refresh_cookies_of(response: Any) -> dict[str, tuple[str, dict[str, str]]]:
    """The response's jumo_refresh cookies by Path: (value, attributes)."""
    found: dict[str, tuple[str, dict[str, str]]] = {}
    for header in response.headers.getall("Set-Cookie", []):
        name, value, attributes = cookie_attributes(header)
        if name == "jumo_refresh":
            assert attributes["path"] not in found, "one cookie per path"
            found[attributes["path"]] = (value, attributes)
    return found


async def browser_login(
    client: Client,
    sandbox: SandboxControl,
    fb_user: TestUserInfo,
    query: dict[str, str] | None = None,
) -> Any:
    """The whole login in a browser; the callback's answer (not followed)."""
    start = await client.get("/auth/facebook/login", params=query, allow_redirects=False)
    assert start.status == 302, await start.text()
    dialog = {k: v[0] for k, v in parse_qs(urlsplit(start.headers["Location"]).query).items()}
    code = await facebook_code(sandbox, fb_user, dialog)
    # The login cookie by hand: when it is Secure, the test client's jar keeps it from plain
    # HTTP (a browser on the https site would send it).
    nonce = start.cookies["jumo_login"].value
    return await client.get(
        "/auth/facebook/callback",
        params={"code": code, "state": dialog["state"]},
        headers={"Accept": BROWSER_ACCEPT, "Cookie": f"jumo_login={nonce}"},
        allow_redirects=False,
    )


async def signed_in(client: Client, sandbox: SandboxControl, name: str = "Ann") -> str:
    """A browser login; the refresh cookie's value."""
    answer = await browser_login(client, sandbox, await sandbox.create_test_user(name))
    assert answer.status == 303, await answer.text()
    return refresh_cookies_of(answer)["/auth/refresh"][0]


async def test_a_browser_lands_on_return_to_with_the_refresh_token_in_an_httponly_cookie(
    client: Client, sandbox: SandboxControl
) -> None:
    ann = await sandbox.create_test_user("Ann")
    return_to = "/orgs/42/opportunities?tab=open&page=2#top"

    answer = await browser_login(client, sandbox, ann, {"return_to": return_to})

    assert answer.status == 303
    assert answer.headers["Location"] == return_to  # the app's own path, nothing added
    assert answer.headers["Cache-Control"] == "no-store"
    assert await answer.read() == b""  # no token anywhere script or a URL could see it
    cookies = refresh_cookies_of(answer)
    assert set(cookies) == {"/auth/refresh", "/auth/logout"}
    (token, refresh_attrs), (same, _) = cookies["/auth/refresh"], cookies["/auth/logout"]
    assert token == same
    assert len(token) >= 40
    # No Secure: this test's identity has cookie_secure=False (its client speaks plain HTTP).
    assert refresh_attrs == {
        "path": "/auth/refresh", "max-age": str(REFRESH_TTL_S), "httponly": "",
        "samesite": "Strict",
    }  # fmt: skip
    assert token not in answer.headers["Location"]

    # The cookie is the login: a refresh from it answers an access token, and only that.
    refreshed = await client.post("/auth/refresh", headers=WEB)
    body = await refreshed.json()
    assert refreshed.status == 200, body
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    me = await client.get("/users/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert (await me.json())["facebook_id"] == ann.id


async def test_without_return_to_a_browser_lands_on_the_home_page(
    client: Client, sandbox: SandboxControl
) -> None:
    answer = await browser_login(client, sandbox, await sandbox.create_test_user())
    assert answer.status == 303
    assert answer.headers["Location"] == "/"


NOT_APP_PATHS = (
    "//evil.example",
    "//evil.example/path",
    "https://evil.example/",
    "http:/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "evil.example/x",
    "",
    " /feed",
    "/\t/evil.example",  # browsers drop tabs and newlines: this would be //evil.example
    "/\r\nSet-Cookie: x=1",
    "/feed\x00",
    "/caf\u00e9",  # non-ASCII must come percent-encoded
    "/" + "a" * 1024,
)


async def test_a_return_to_that_is_not_an_app_path_is_refused_when_the_login_starts(
    client: Client,
) -> None:
    # Refused (422), not replaced by "/": the login link is wrong, and the app that built it
    # should hear so; no login state is kept and no cookie set, so nothing reaches Facebook.
    for return_to in NOT_APP_PATHS:
        answer = await client.get(
            "/auth/facebook/login", params={"return_to": return_to}, allow_redirects=False
        )

        assert answer.status == 422, (return_to, await answer.text())
        problem = await answer.json()
        assert [e["field"] for e in problem["errors"]] == ["return_to"], return_to
        assert "jumo_login" not in answer.cookies, return_to


def test_safe_return_to_falls_back_to_the_home_page() -> None:
    # The callback re-checks what the state holds (it was checked on the way in).
    for value in ("//evil.example", "https://evil.example/", "/\\evil", None, 42):
        assert safe_return_to(value) == "/"
    # What a browser's location.pathname + location.search may hold is fine.
    for path in ("/", "/%2F/x?y=1#z", "/search?q=[a]{b}|^`", "/it's", "/caf%C3%A9", "/http://x"):
        assert safe_return_to(path) == path


def test_only_a_request_that_prefers_html_is_a_browser() -> None:
    firefox = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    browsers = (BROWSER_ACCEPT, firefox, "text/html", "text/*, application/json;q=0.5")
    for browser in browsers:
        assert prefers_html(browser), browser
    not_browsers = (
        "", "*/*", "application/json", "application/json, text/html",
        "text/html;q=0.5, application/json", "application/*", "text/plain", "text/html;q=0",
    )  # fmt: skip
    for accept in not_browsers:
        assert not prefers_html(accept), accept
    assert not prefers_html(None)


async def test_json_clients_keep_the_json_answer_and_get_no_cookie(
    client: Client, sandbox: SandboxControl
) -> None:
    for accept in ("application/json", "*/*", None):
        fb_user = await sandbox.create_test_user()
        dialog = await start_login(client, {"return_to": "/feed"})
        code = await facebook_code(sandbox, fb_user, dialog)
        answer = await client.get(
            "/auth/facebook/callback", params={"code": code, "state": dialog["state"]},
            headers={"Accept": accept} if accept else None,
            skip_auto_headers=() if accept else ("Accept",), allow_redirects=False,
        )  # fmt: skip
        body = await answer.json()
        assert answer.status == 200, (accept, body)
        assert {"access_token", "refresh_token", "created", "user"} <= set(body)
        assert refresh_cookies_of(answer) == {}, accept
        # The body-token refresh is unchanged: the new pair in the body, no cookie.
        again = await client.post("/auth/refresh", json={"refresh_token": body["refresh_token"]})
        pair = await again.json()
        assert again.status == 200
        assert set(pair) == {"access_token", "token_type", "expires_in", "refresh_token"}
        assert refresh_cookies_of(again) == {}


async def test_a_cookie_refresh_needs_the_client_header(
    client: Client, sandbox: SandboxControl
) -> None:
    await signed_in(client, sandbox)

    for headers in ({}, {"X-Jumo-Client": "evil"}):
        for body in (None, EMPTY):
            refused = await client.post("/auth/refresh", headers=headers, json=body)
            problem = await refused.json()
            assert refused.status == 403, problem
            assert refused.content_type == "application/problem+json"
            assert problem["type"].endswith("/client-header-required")
            assert refresh_cookies_of(refused) == {}  # the cookie is left alone

    # Nothing was consumed: with the header the same cookie still works.
    assert (await client.post("/auth/refresh", headers=WEB, json={})).status == 200


async def test_no_body_and_no_cookie_is_a_401(client: Client) -> None:
    for body in (None, EMPTY):
        answer = await client.post("/auth/refresh", headers=WEB, json=body)
        assert answer.status == 401
        assert (await answer.json())["type"].endswith("/invalid-refresh-token")


async def test_a_cookie_refresh_rotates_the_cookie_and_a_retired_value_revokes_the_login(
    aiohttp_client: AiohttpClient, client: Client, sandbox: SandboxControl
) -> None:
    first = await signed_in(client, sandbox)

    rotated = await client.post("/auth/refresh", headers=WEB)
    assert rotated.status == 200
    cookies = refresh_cookies_of(rotated)
    second = cookies["/auth/refresh"][0]
    assert second != first
    assert cookies["/auth/logout"][0] == second  # both copies move together
    assert cookies["/auth/refresh"][1]["max-age"] == str(REFRESH_TTL_S)
    assert (await client.post("/auth/refresh", headers=WEB)).status == 200  # the jar's new one

    # A thief replays the first (retired) value from another browser.
    thief: Client = await aiohttp_client(client.server)
    replay = await thief.post("/auth/refresh", headers={**WEB, "Cookie": f"jumo_refresh={first}"})
    assert replay.status == 401
    assert (await replay.json())["type"].endswith("/invalid-refresh-token")
    cleared = refresh_cookies_of(replay)
    assert {path: attrs["max-age"] for path, (_, attrs) in cleared.items()} == {
        "/auth/refresh": "0", "/auth/logout": "0",
    }  # fmt: skip

    # The whole login is revoked: the owner's current cookie is refused too, and cleared.
    after = await client.post("/auth/refresh", headers=WEB)
    assert after.status == 401
    assert refresh_cookies_of(after)["/auth/refresh"][1]["max-age"] == "0"
    assert (await client.post("/auth/refresh", headers=WEB)).status == 401  # jar: no cookie


async def test_logout_from_the_cookie_revokes_the_login_and_clears_both_copies(
    aiohttp_client: AiohttpClient, client: Client, sandbox: SandboxControl
) -> None:
    token = await signed_in(client, sandbox)

    refused = await client.post("/auth/logout")  # the cookie, without the header
    assert refused.status == 403
    assert (await refused.json())["type"].endswith("/client-header-required")

    done = await client.post("/auth/logout", headers=WEB)

    assert done.status == 204
    cleared = refresh_cookies_of(done)
    assert set(cleared) == {"/auth/refresh", "/auth/logout"}
    for value, attributes in cleared.values():
        assert value == ""
        assert attributes == {
            "path": attributes["path"], "max-age": "0", "httponly": "", "samesite": "Strict",
        }  # fmt: skip
    # The browser forgot it, and the login itself is over: the value is refused anywhere.
    assert (await client.post("/auth/refresh", headers=WEB)).status == 401
    other: Client = await aiohttp_client(client.server)
    stolen = await other.post("/auth/refresh", json={"refresh_token": token})
    assert stolen.status == 401
    # Logging out again (no cookie any more) is fine.
    assert (await client.post("/auth/logout", headers=WEB)).status == 204


async def test_body_token_logout_is_unchanged(client: Client, sandbox: SandboxControl) -> None:
    ann = await login(client, sandbox, await sandbox.create_test_user())
    out = await client.post("/auth/logout", json={"refresh_token": ann.refresh_token})
    assert out.status == 204
    assert refresh_cookies_of(out) == {}
    assert (
        await client.post("/auth/refresh", json={"refresh_token": ann.refresh_token})
    ).status == 401


@pytest.fixture
async def two_origins_sandbox() -> AsyncIterator[SandboxControl]:
    """A sandbox that knows both an http and an https deployment's callback."""
    uris = [CALLBACK, f"{HTTP_BASE}/auth/facebook/callback"]
    async with running_sandbox(test_config(redirect_uris=uris)) as control:
        yield control


@pytest.mark.parametrize(
    ("public_base_url", "secure"), [(HTTP_BASE, False), ("https://jumo.example", True)]
)
async def test_the_cookie_is_secure_exactly_when_the_public_url_is_https(
    aiohttp_client: AiohttpClient,
    infra: plugin.InfraUrls,
    names: plugin.TestNames,
    two_origins_sandbox: SandboxControl,
    public_base_url: str,
    secure: bool,
) -> None:
    settings = identity_settings(
        infra, names, two_origins_sandbox, public_base_url=public_base_url, cookie_secure=None
    )
    client: Client = await aiohttp_client(create_app(settings))
    fb_user = await two_origins_sandbox.create_test_user()

    answer = await browser_login(client, two_origins_sandbox, fb_user)

    assert answer.status == 303, await answer.text()
    cookies = refresh_cookies_of(answer)
    for path in ("/auth/refresh", "/auth/logout"):
        _, attributes = cookies[path]
        expected = {"path": path, "max-age": str(REFRESH_TTL_S), "httponly": "",
                    "samesite": "Strict"}  # fmt: skip
        assert attributes == (expected | {"secure": ""} if secure else expected)
