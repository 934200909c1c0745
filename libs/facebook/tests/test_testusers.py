"""Facebook's test-user API as the sandbox answers it, and the control API around it."""

from __future__ import annotations

from jumo_facebook import FacebookClient
from jumo_facebook.sandbox.testing import SandboxControl


def _app_token(sandbox: SandboxControl) -> str:
    return f"{sandbox.config.app_id}|{sandbox.config.app_secret}"


async def test_create_with_permissions_and_list(
    sandbox: SandboxControl, fb: FacebookClient
) -> None:
    path = f"/{sandbox.config.app_id}/accounts/test-users"
    params = {"installed": "true", "permissions": "email", "name": "Ann Example"}
    status, ann = await sandbox.graph("POST", path, _app_token(sandbox), params)
    assert status == 200
    assert ann["email"].endswith("@tfbnw.net")
    info = await fb.verify_token(ann["access_token"])
    assert set(info.scopes) == {"public_profile", "email"}
    status, listing = await sandbox.graph("GET", path, _app_token(sandbox))
    assert status == 200
    assert [row["id"] for row in listing["data"]] == [ann["id"]]
    assert listing["data"][0]["login_url"] == ann["login_url"]


async def test_a_user_token_may_not_create_test_users(sandbox: SandboxControl) -> None:
    ann = await sandbox.create_test_user("Ann")
    assert ann.access_token is not None
    path = f"/{sandbox.config.app_id}/accounts/test-users"
    status, body = await sandbox.graph("POST", path, ann.access_token)
    assert (status, body["error"]["code"]) == (400, 15)


async def test_wrong_app_secret_in_the_app_token(sandbox: SandboxControl) -> None:
    path = f"/{sandbox.config.app_id}/accounts/test-users"
    status, body = await sandbox.graph("GET", path, f"{sandbox.config.app_id}|wrong")
    assert (status, body["error"]["code"]) == (400, 190)


async def test_delete_a_test_user(sandbox: SandboxControl) -> None:
    ann = await sandbox.create_test_user("Ann")
    status, body = await sandbox.graph("DELETE", f"/{ann.id}", _app_token(sandbox))
    assert (status, body) == (200, {"success": True})
    assert ann.id not in sandbox.state.users


async def test_reset_forgets_everything(sandbox: SandboxControl, fb: FacebookClient) -> None:
    ann = await sandbox.create_test_user("Ann")
    await sandbox.fail("*", code=2, count=5)
    await sandbox.reset()
    assert ann.access_token is not None
    assert sandbox.state.users == {}
    assert not sandbox.state.failures
    info = await fb.debug_token(ann.access_token)
    assert not info.is_valid


async def test_app_info(sandbox: SandboxControl) -> None:
    info = await sandbox.call("GET", "app")
    assert info["app_id"] == sandbox.config.app_id
    assert "app_secret" not in info


async def test_wildcard_failure_and_count(sandbox: SandboxControl, fb: FacebookClient) -> None:
    ann = await sandbox.create_test_user("Ann")
    assert ann.access_token is not None
    await sandbox.fail("*", code=2, count=2)
    for _ in range(2):
        status, _ = await sandbox.graph("GET", "/me", ann.access_token)
        assert status == 500
    status, _ = await sandbox.graph("GET", "/me", ann.access_token)
    assert status == 200
