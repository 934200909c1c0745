"""Leaving: export, account deletion, Facebook's deauthorize and data-deletion callbacks."""

from __future__ import annotations

import json
import time
from typing import Any

from jumo_common.testing.bus import EventTap
from jumo_facebook import sign_request
from jumo_facebook.sandbox.testing import TEST_APP_SECRET, SandboxControl

from .conftest import Client, LoggedIn, login


async def _follow(client: Client, who: LoggedIn, target: str) -> None:
    response = await client.put(f"/users/{target}/follow", headers=who.auth)
    assert response.status == 200


async def _refresh_status(client: Client, token: str) -> int:
    response = await client.post("/auth/refresh", json={"refresh_token": token})
    status: int = response.status
    return status


def _signed(user_id: str, **overrides: Any) -> str:
    now = int(time.time())
    payload = {"algorithm": "HMAC-SHA256", "issued_at": now, "expires": now + 3600,
               "user_id": user_id}  # fmt: skip
    return sign_request(payload | overrides, TEST_APP_SECRET)


async def _callback(client: Client, kind: str, signed_request: str) -> tuple[int, Any]:
    path = "/facebook/data-deletion" if kind == "data_deletion" else "/facebook/deauthorize"
    response = await client.post(path, data={"signed_request": signed_request})
    return response.status, await response.json()


async def test_export_holds_everything_but_secrets(client: Client, sandbox: SandboxControl) -> None:
    ann = await login(client, sandbox, await sandbox.create_test_user("Ann"))
    bob = await login(client, sandbox, await sandbox.create_test_user("Bob"))
    await _follow(client, ann, bob.user_id)
    await _follow(client, bob, ann.user_id)
    await client.patch("/users/me", json={"bio": "mine"}, headers=ann.auth)

    response = await client.get("/users/me/export", headers=ann.auth)
    export = await response.json()
    assert response.status == 200
    assert export["profile"]["bio"] == "mine"
    assert export["profile"]["email"]
    assert [f["user_id"] for f in export["following"]] == [bob.user_id]
    assert [f["user_id"] for f in export["followers"]] == [bob.user_id]
    assert len(export["logins"]) == 1
    assert export["facebook"]["access_token"].startswith("held encrypted")
    text = await response.text()
    assert ann.refresh_token not in text
    assert ann.access_token not in text


async def test_delete_me_revokes_everything_and_publishes_deleted(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    fb_ann = await sandbox.create_test_user("Ann")
    ann = await login(client, sandbox, fb_ann)
    bob = await login(client, sandbox, await sandbox.create_test_user("Bob"))
    await _follow(client, bob, ann.user_id)
    assert sandbox.state.users[fb_ann.id].installed

    response = await client.delete("/users/me", headers=ann.auth)

    assert response.status == 204
    [deleted] = await tap.wait_for("user.deleted")
    assert deleted["data"] == {"user_id": ann.user_id}
    assert not sandbox.state.users[fb_ann.id].installed  # DELETE /me/permissions reached Facebook
    assert await _refresh_status(client, ann.refresh_token) == 401
    me = await client.get("/users/me", headers=ann.auth)
    assert me.status == 401
    assert (await me.json())["type"].endswith("/account-deleted")
    assert (await client.get(f"/users/{ann.user_id}", headers=bob.auth)).status == 404
    following = await (await client.get("/users/me/following", headers=bob.auth)).json()
    assert following["items"] == []

    # Logging in again with the same Facebook account is a new sign-up.
    again = await login(client, sandbox, fb_ann)
    assert again.created is True
    assert again.user_id != ann.user_id


async def test_data_deletion_callback_deletes_once_and_replays_the_code(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    fb_ann = await sandbox.create_test_user("Ann")
    ann = await login(client, sandbox, fb_ann)
    url = str(client.make_url("/facebook/data-deletion"))

    sent = await sandbox.send_callback("data_deletion", fb_ann.id, url)
    assert sent["status"] == 200, sent
    answer = json.loads(sent["body"])
    assert answer["url"].startswith("https://jumo.example/facebook/data-deletion/")
    [deleted] = await tap.wait_for("user.deleted")
    assert deleted["data"]["user_id"] == ann.user_id
    assert deleted["actor_id"] is None

    status, replay = await _callback(client, "data_deletion", sent["signed_request"])
    assert status == 200
    assert replay == answer
    status, fresh = await _callback(client, "data_deletion", _signed(fb_ann.id))
    assert fresh["confirmation_code"] == answer["confirmation_code"]

    page = await client.get(f"/facebook/data-deletion/{answer['confirmation_code']}")
    report = await page.json()
    assert page.status == 200
    assert report["status"] == "completed"
    assert "deleted" in report["message"]
    await login(client, sandbox, await sandbox.create_test_user("Later"))  # a later event...
    await tap.wait_for("user.registered", 2)
    assert len(tap.of_type("user.deleted")) == 1  # ...and still one deletion
    assert (await client.get("/facebook/data-deletion/unknown-code")).status == 404


async def test_data_deletion_after_signing_up_again_deletes_the_new_account(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    fb_ann = await sandbox.create_test_user("Ann")
    first = await login(client, sandbox, fb_ann)
    status, answer = await _callback(client, "data_deletion", _signed(fb_ann.id))
    assert status == 200
    await tap.wait_for("user.deleted")

    second = await login(client, sandbox, fb_ann)
    assert second.created is True
    status, replay = await _callback(client, "data_deletion", _signed(fb_ann.id))

    assert status == 200
    assert replay["confirmation_code"] == answer["confirmation_code"]
    deleted = await tap.wait_for("user.deleted", 2)
    assert {e["data"]["user_id"] for e in deleted} == {first.user_id, second.user_id}
    assert (await client.get("/users/me", headers=second.auth)).status == 401


async def test_data_deletion_for_a_stranger_says_nothing_was_held(client: Client) -> None:
    status, answer = await _callback(client, "data_deletion", _signed("1234567890"))
    assert status == 200
    page = await client.get(f"/facebook/data-deletion/{answer['confirmation_code']}")
    assert "nothing to delete" in (await page.json())["message"]


async def test_deauthorize_unlinks_and_ends_logins(client: Client, sandbox: SandboxControl) -> None:
    fb_ann = await sandbox.create_test_user("Ann")
    ann = await login(client, sandbox, fb_ann)
    url = str(client.make_url("/facebook/deauthorize"))

    sent = await sandbox.send_callback("deauthorize", fb_ann.id, url)

    assert sent["status"] == 200, sent
    assert await _refresh_status(client, ann.refresh_token) == 401
    export = await (await client.get("/users/me/export", headers=ann.auth)).json()
    assert export["facebook"]["access_token"] is None
    assert export["profile"]["id"] == ann.user_id  # the account itself stays


async def test_bad_signed_requests_are_400(client: Client, sandbox: SandboxControl) -> None:
    fb_ann = await sandbox.create_test_user("Ann")
    ann = await login(client, sandbox, fb_ann)
    good = _signed(fb_ann.id)
    sig = good.split(".")[0]
    other_payload = _signed("someone-else").split(".")[1]
    bad = {
        "tampered payload": f"{sig}.{other_payload}",
        "wrong secret": sign_request(
            {"algorithm": "HMAC-SHA256", "issued_at": int(time.time()), "user_id": fb_ann.id},
            "not-our-secret",
        ),
        "wrong algorithm": _signed(fb_ann.id, algorithm="HMAC-SHA1"),
        "stale": _signed(fb_ann.id, issued_at=int(time.time()) - 3600),
        "malformed": "no-dot-here",
        "not base64": "!!!.???",
        "empty": "",
    }
    for kind in ("deauthorize", "data_deletion"):
        for name, signed in bad.items():
            status, problem = await _callback(client, kind, signed)
            assert status == 400, (kind, name)
            assert problem["type"].endswith("/invalid-signed-request"), (kind, name)
    missing = await client.post("/facebook/deauthorize", json={"signed_request": good})
    assert missing.status == 400
    assert (await client.get("/users/me", headers=ann.auth)).status == 200  # nothing happened


async def test_deletion_proceeds_when_facebook_is_down(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    ann = await login(client, sandbox, await sandbox.create_test_user("Ann"))
    await sandbox.fail("/v26.0/me/permissions", status=500, code=2, is_transient=True)
    response = await client.delete("/users/me", headers=ann.auth)
    assert response.status == 204
    await tap.wait_for("user.deleted")


async def test_status_page_refuses_odd_codes_without_a_server_error(client: Client) -> None:
    for code in ("%00abc", "a" * 300, "%F0%9F%98%80", "..%2F..%2Fetc"):
        response = await client.get(f"/facebook/data-deletion/{code}")
        assert response.status == 404, code
