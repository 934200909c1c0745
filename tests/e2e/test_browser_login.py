"""A browser's sign-in through the gateway: the 303 back into the app, the HttpOnly refresh
cookie passing through nginx, refresh and logout from it with X-Jumo-Client, and no CORS
approval for another origin (identity's own tests cover the rest, directly)."""

from __future__ import annotations

from urllib.parse import quote

from e2e_curl import Curl
from e2e_people import consent, create_test_user
from e2e_processes import SystemUnderTest

# What a browser's page navigation asks for.
HTML = "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
WEB = ("-H", "X-Jumo-Client: web")


def set_cookies(curl: Curl) -> list[str]:
    """Every Set-Cookie of curl's last answer, as sent (curl's headers keep only one)."""
    lines = (curl.folder / "headers.txt").read_text().replace("\r\n", "\n").splitlines()
    return [
        line.split(":", 1)[1].strip() for line in lines if line.lower().startswith("set-cookie:")
    ]


def refresh_cookies(curl: Curl) -> dict[str, list[str]]:
    """The last answer's jumo_refresh cookies by path: their parts after the value."""
    found: dict[str, list[str]] = {}
    for header in set_cookies(curl):
        first, *attributes = [part.strip() for part in header.split(";")]
        if first.startswith("jumo_refresh="):
            path = next(a for a in attributes if a.startswith("Path="))
            found[path.removeprefix("Path=")] = [first.split("=", 1)[1], *attributes]
    return found


def test_a_browser_signs_in_refreshes_from_the_cookie_and_logs_out_through_the_gateway(
    system: SystemUnderTest, curl: Curl
) -> None:
    gateway = system.gateway.url
    ann = create_test_user(curl, system, installed=False)
    assert curl(ann["login_url"]).status == 200
    start = curl(
        "-H", HTML, f"{gateway}/auth/facebook/login?return_to={quote('/feed?mode=catch-up')}"
    )
    assert start.status == 302, start.body
    callback = consent(curl, system, start.location, "accept")

    landed = curl("-H", HTML, callback)

    assert landed.status == 303, landed.body
    assert landed.location == "/feed?mode=catch-up"
    assert landed.body == b""
    cookies = refresh_cookies(curl)
    assert set(cookies) == {"/auth/refresh", "/auth/logout"}
    token = cookies["/auth/refresh"][0]
    assert token not in landed.location
    # The session's gateway is plain http: no Secure.
    assert cookies["/auth/refresh"][1:] == [
        "Path=/auth/refresh", "Max-Age=2592000", "HttpOnly", "SameSite=Strict",
    ]  # fmt: skip

    # A reload: the app asks for an access token with the cookie and the header.
    refused = curl("-X", "POST", f"{gateway}/auth/refresh")  # no header: a cross-site form
    assert refused.status == 403
    assert refused.json()["type"].endswith("/client-header-required")
    refreshed = curl("-X", "POST", *WEB, f"{gateway}/auth/refresh")
    assert refreshed.status == 200, refreshed.body
    assert set(refreshed.json()) == {"access_token", "token_type", "expires_in"}
    rotated = refresh_cookies(curl)["/auth/refresh"][0]
    assert rotated != token
    access = refreshed.json()["access_token"]
    me = curl("-H", f"Authorization: Bearer {access}", f"{gateway}/users/me")
    assert me.status == 200
    assert me.json()["email"] == ann["email"]

    out = curl("-X", "POST", *WEB, f"{gateway}/auth/logout")

    assert out.status == 204
    cleared = refresh_cookies(curl)
    assert {path: parts[0] for path, parts in cleared.items()} == {
        "/auth/refresh": "", "/auth/logout": "",
    }  # fmt: skip
    assert all("Max-Age=0" in parts for parts in cleared.values())
    body = f'{{"refresh_token": "{rotated}"}}'
    again = curl("-X", "POST", "-H", "Content-Type: application/json", "--data", body,
                 f"{gateway}/auth/refresh")  # fmt: skip
    assert again.status == 401  # the login is over, not only forgotten by the browser


def test_another_origin_gets_no_cors_approval_for_the_client_header(
    system: SystemUnderTest, curl: Curl
) -> None:
    # The preflight a cross-origin script's fetch with X-Jumo-Client would need first.
    preflight = curl(
        "-X", "OPTIONS", "-H", "Origin: https://evil.example",
        "-H", "Access-Control-Request-Method: POST",
        "-H", "Access-Control-Request-Headers: x-jumo-client",
        f"{system.gateway.url}/auth/refresh",
    )  # fmt: skip
    assert not any(name.startswith("access-control-allow") for name in preflight.headers)
