"""Smaller promises of the sandbox: headers on every answer, development-mode redirects, …"""

from __future__ import annotations

import json

import pytest

from jumo_facebook import FacebookClient
from jumo_facebook.sandbox.testing import SandboxControl, running_sandbox, test_config


async def test_usage_header_on_every_graph_answer(sandbox: SandboxControl) -> None:
    for path in ("/me", "/no/such/path", "/debug_token"):
        async with sandbox.http.get(f"{sandbox.url}/v26.0{path}") as response:
            assert response.status == 400
            assert set(json.loads(response.headers["x-app-usage"])) == {
                "call_count", "total_cputime", "total_time",
            }  # fmt: skip
            assert "x-business-use-case-usage" not in response.headers
    async with sandbox.http.get(f"{sandbox.url}/dialog/share") as response:
        assert "x-app-usage" not in response.headers  # the www host is not the Graph API


async def test_unknown_path_names_the_unknown_part(sandbox: SandboxControl) -> None:
    _, body = await sandbox.graph("GET", "/me/shoes/left")
    assert body["error"]["message"] == "Unknown path components: /shoes/left"


async def test_page_token_reads_its_page(sandbox: SandboxControl) -> None:
    ann = await sandbox.create_test_user("Ann")
    page = await sandbox.create_page(ann.id, "Clean Water Now", id="4242")
    status, body = await sandbox.graph("GET", "/me", page.access_token)
    assert (status, body) == (200, {"id": "4242", "name": "Clean Water Now"})


async def test_revoke_one_permission(sandbox: SandboxControl, fb: FacebookClient) -> None:
    ann = await sandbox.create_test_user("Ann")
    assert ann.access_token is not None
    status, body = await sandbox.graph("DELETE", "/me/permissions/email", ann.access_token)
    assert (status, body) == (200, {"success": True})
    assert (await fb.me(ann.access_token)).email is None
    assert "email" not in {p.permission for p in await fb.permissions(ann.access_token)}


async def test_app_token_by_client_credentials(sandbox: SandboxControl) -> None:
    params = {
        "client_id": sandbox.config.app_id,
        "client_secret": sandbox.config.app_secret,
        "grant_type": "client_credentials",
    }
    status, body = await sandbox.graph("GET", "/oauth/access_token", params=params)
    assert status == 200
    assert body["access_token"] == f"{sandbox.config.app_id}|{sandbox.config.app_secret}"


async def test_unknown_client_id(sandbox: SandboxControl) -> None:
    params = {"client_id": "1", "client_secret": "x", "code": "c", "redirect_uri": "u"}
    status, body = await sandbox.graph("GET", "/oauth/access_token", params=params)
    assert (status, body["error"]["code"]) == (400, 101)


@pytest.mark.parametrize(
    ("allow", "status"), [(True, 302), (False, 400)], ids=["development-mode", "strict"]
)
async def test_localhost_redirects_in_development_mode(allow: bool, status: int) -> None:
    config = test_config(allow_localhost_redirects=allow)
    async with running_sandbox(config) as sandbox:
        ann = await sandbox.create_test_user("Ann")
        login = await sandbox.login(ann.id)
        async with FacebookClient(sandbox.client_settings()) as fb:
            url = fb.login_dialog_url("http://localhost:8001/auth/callback", "s")
        headers = {"Cookie": login["cookie_header"]}
        async with sandbox.http.get(url, headers=headers, allow_redirects=False) as response:
            assert response.status == status


async def test_control_login_refuses_an_unregistered_redirect(sandbox: SandboxControl) -> None:
    ann = await sandbox.create_test_user("Ann")
    with pytest.raises(AssertionError, match="not registered"):
        await sandbox.login(ann.id, redirect_uri="https://evil.example/cb")


async def test_logout_forgets_the_browser(sandbox: SandboxControl, fb: FacebookClient) -> None:
    ann = await sandbox.create_test_user("Ann")
    login = await sandbox.login(ann.id)
    headers = {"Cookie": login["cookie_header"]}
    async with sandbox.http.get(f"{sandbox.url}/logout.php", headers=headers) as response:
        assert response.status == 200
    url = fb.login_dialog_url(sandbox.config.redirect_uris[0], "s")
    async with sandbox.http.get(url, headers=headers, allow_redirects=False) as response:
        assert response.status == 200  # the login page again, not a redirect
        assert "Log in" in await response.text()
