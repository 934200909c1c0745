"""The sandbox's JSON, key for key, against the examples of shared/FACEBOOK.md.

Each ``DOC_*`` literal is transcribed from that page ("…" stands for any string). Where the
page gives no example, ``GRAPH_*`` pins the exact keys the sandbox sends (Graph's default
fields), so that nothing can be added unnoticed.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from jumo_facebook import FacebookClient
from jumo_facebook.sandbox.testing import TEST_CALLBACK, SandboxControl, TestUserInfo
from jumo_facebook.security import appsecret_proof, b64url

ANY = "…"
DOC_TOKEN = {"access_token": ANY, "token_type": "bearer", "expires_in": 5183944}
DOC_DEBUG_TOKEN = {
    "data": {"app_id": ANY, "is_valid": True, "user_id": ANY, "scopes": [ANY], "expires_at": 1}
}
DOC_DEBUG_TOKEN_INVALID_KEYS = {"is_valid", "error", "scopes"}
DOC_PICTURE = {"data": {"url": ANY, "width": 50, "height": 50, "is_silhouette": False}}
DOC_PERMISSIONS = {"data": [{"permission": "email", "status": "granted"}]}
DOC_REVOKE = {"success": True}
DOC_PAGE_POST = {"id": "{page-id}_{post-id}"}
DOC_USER_FEED_ERROR = {
    "error": {
        "message": "(#200) … publish_actions is deprecated",
        "type": "OAuthException",
        "code": 200,
    }
}
DOC_PROOF_MISSING = {
    "error": {
        "message": "API calls from the server require an appsecret_proof argument",
        "type": "GraphMethodException",
        "code": 100,
    }
}
DOC_ERROR_KEYS = {
    "message", "type", "code", "error_subcode", "error_user_title", "error_user_msg",
    "is_transient", "fbtrace_id",
}  # fmt: skip
DOC_TEST_USER = {"id": ANY, "access_token": ANY, "login_url": ANY, "email": ANY, "password": ANY}
DOC_APP_USAGE = {"call_count": 28, "total_cputime": 25, "total_time": 25}
DOC_BUSINESS_USAGE_ENTRY = {"type": "pages", "call_count": 1, "estimated_time_to_regain_access": 0}
DOC_DEAUTHORIZE = {"algorithm": ANY, "issued_at": 1, "user_id": ANY}
DOC_DATA_DELETION = {"algorithm": ANY, "expires": 1, "issued_at": 1, "user_id": ANY}
DOC_DIALOG_CODE = {"code", "state"}
DOC_DIALOG_CANCEL = {"error", "error_reason", "error_description", "state"}
DOC_FRIENDS = {"data": [{"id": ANY, "name": ANY}], "paging": {"cursors": {"after": ANY}},
               "summary": {"total_count": 1}}  # fmt: skip

# No example on the page: Graph's default fields, pinned.
GRAPH_ACCOUNT = {
    "access_token": ANY, "category": ANY, "category_list": [{"id": ANY, "name": ANY}],
    "name": ANY, "id": ANY, "tasks": [ANY],
}  # fmt: skip
GRAPH_BUSINESS_USAGE_EXTRA = {"total_cputime", "total_time"}
GRAPH_FRIENDS_PAGING_EXTRA = {"before", "next"}


def same_shape(example: Any, actual: Any, where: str = "$") -> None:
    """Same keys at every level of dicts, same JSON types, list items like the first example."""
    if isinstance(example, dict):
        assert isinstance(actual, dict), f"{where}: {actual!r} is not an object"
        assert set(actual) == set(example), f"{where}: keys {set(actual)} != {set(example)}"
        for key, value in example.items():
            same_shape(value, actual[key], f"{where}.{key}")
    elif isinstance(example, list):
        assert isinstance(actual, list), f"{where}: {actual!r} is not a list"
        for i, item in enumerate(actual):
            same_shape(example[0], item, f"{where}[{i}]")
    else:
        assert type(actual) is type(example), f"{where}: {actual!r} vs {example!r}"


async def _user(sandbox: SandboxControl, *permissions: str) -> tuple[TestUserInfo, str]:
    user = await sandbox.create_test_user("Ann Example", permissions or ("email", "user_friends"))
    assert user.access_token is not None
    return user, user.access_token


async def test_token_exchange_shape(sandbox: SandboxControl) -> None:
    ann, _ = await _user(sandbox)
    code = (await sandbox.login(ann.id, redirect_uri=TEST_CALLBACK))["code"]
    params = {
        "client_id": sandbox.config.app_id,
        "client_secret": sandbox.config.app_secret,
        "redirect_uri": TEST_CALLBACK,
        "code": code,
    }
    status, body = await sandbox.graph("GET", "/oauth/access_token", params=params)
    assert status == 200
    same_shape(DOC_TOKEN, body)
    assert body["token_type"] == "bearer"


async def test_debug_token_shapes(sandbox: SandboxControl) -> None:
    _, token = await _user(sandbox)
    app_token = f"{sandbox.config.app_id}|{sandbox.config.app_secret}"
    status, body = await sandbox.graph("GET", "/debug_token", app_token, {"input_token": token})
    assert status == 200
    same_shape(DOC_DEBUG_TOKEN, body)
    status, body = await sandbox.graph("GET", "/debug_token", app_token, {"input_token": "EAAx"})
    assert status == 200  # an invalid token still answers 200
    assert set(body["data"]) == DOC_DEBUG_TOKEN_INVALID_KEYS
    assert body["data"]["is_valid"] is False


async def test_me_picture_and_missing_email(sandbox: SandboxControl) -> None:
    _, token = await _user(sandbox, "user_friends")
    fields = {"fields": "id,name,email,first_name,last_name,picture"}
    status, body = await sandbox.graph("GET", "/me", token, fields)
    assert status == 200
    assert set(body) == {"id", "name", "first_name", "last_name", "picture"}  # no email
    assert isinstance(body["id"], str)
    same_shape(DOC_PICTURE, body["picture"])


async def test_friends_shape(sandbox: SandboxControl) -> None:
    ann, token = await _user(sandbox)
    ben, ben_token = await _user(sandbox)
    chloe, chloe_token = await _user(sandbox)
    for other, other_token in ((ben, ben_token), (chloe, chloe_token)):
        await sandbox.graph("POST", f"/{ann.id}/friends/{other.id}", token)
        await sandbox.graph("POST", f"/{other.id}/friends/{ann.id}", other_token)
    status, body = await sandbox.graph("GET", "/me/friends", token, {"limit": "1"})
    assert status == 200
    assert set(body["paging"]["cursors"]) - {"after"} <= GRAPH_FRIENDS_PAGING_EXTRA
    assert set(body["paging"]) - {"cursors"} <= GRAPH_FRIENDS_PAGING_EXTRA
    body["paging"] = {"cursors": {"after": body["paging"]["cursors"]["after"]}}
    same_shape(DOC_FRIENDS, body)


async def test_permissions_and_revoke_shapes(sandbox: SandboxControl) -> None:
    _, token = await _user(sandbox)
    status, body = await sandbox.graph("GET", "/me/permissions", token)
    assert status == 200
    same_shape(DOC_PERMISSIONS, body)
    assert {row["status"] for row in body["data"]} <= {"granted", "declined"}
    status, body = await sandbox.graph("DELETE", "/me/permissions", token)
    assert (status, body) == (200, DOC_REVOKE)


async def test_page_shapes(sandbox: SandboxControl) -> None:
    ann, token = await _user(
        sandbox, "pages_show_list", "pages_manage_posts", "pages_read_engagement"
    )
    page = await sandbox.create_page(ann.id, "Clean Water Now")
    status, body = await sandbox.graph("GET", "/me/accounts", token)
    assert status == 200
    same_shape(GRAPH_ACCOUNT, body["data"][0])
    post = {"message": "Ann joined Clean Water Now", "link": "https://jumo.example/o/1"}
    url = f"{sandbox.url}/v26.0/{page.id}/feed"
    proof = {"appsecret_proof": _proof(sandbox, page.access_token)}
    headers = {"Authorization": f"OAuth {page.access_token}"}
    async with sandbox.http.post(url, data=post, params=proof, headers=headers) as response:
        body = await response.json()
        app_usage = json.loads(response.headers["x-app-usage"])
        business = json.loads(response.headers["x-business-use-case-usage"])
    same_shape(DOC_PAGE_POST, body)
    assert body["id"].startswith(f"{page.id}_")
    same_shape(DOC_APP_USAGE, app_usage)
    assert set(business) == {page.id}
    entry = business[page.id][0]
    assert set(entry) - set(DOC_BUSINESS_USAGE_ENTRY) == GRAPH_BUSINESS_USAGE_EXTRA
    same_shape(DOC_BUSINESS_USAGE_ENTRY, {k: entry[k] for k in DOC_BUSINESS_USAGE_ENTRY})


def _proof(sandbox: SandboxControl, token: str) -> str:
    return appsecret_proof(sandbox.config.app_secret, token)


async def test_user_feed_error_shape(sandbox: SandboxControl) -> None:
    ann, token = await _user(sandbox)
    status, body = await sandbox.graph("POST", f"/{ann.id}/feed", token, {"message": "hi"})
    assert status == 403
    error = {k: v for k, v in body["error"].items() if k != "fbtrace_id"}
    same_shape(DOC_USER_FEED_ERROR, {"error": error})
    assert error["message"].startswith("(#200) ")
    assert error["message"].endswith("publish_actions is deprecated")


async def test_error_shapes(sandbox: SandboxControl) -> None:
    _, token = await _user(sandbox)
    status, body = await sandbox.graph("GET", "/me", token, proof=False)
    assert status == 400
    assert isinstance(body["error"].pop("fbtrace_id"), str)
    assert body == DOC_PROOF_MISSING
    await sandbox.fail("/v26.0/me", code=506, subcode=1455006, is_transient=False)
    for params in ({}, {"fields": "shoe_size"}):
        status, body = await sandbox.graph("GET", "/me", token, params)
        assert status == 400
        assert {"message", "type", "code", "fbtrace_id"} <= set(body["error"]) <= DOC_ERROR_KEYS


async def test_test_user_shape(sandbox: SandboxControl) -> None:
    app_token = f"{sandbox.config.app_id}|{sandbox.config.app_secret}"
    path = f"/{sandbox.config.app_id}/accounts/test-users"
    status, body = await sandbox.graph("POST", path, app_token, {"installed": "true"})
    assert status == 200
    same_shape(DOC_TEST_USER, body)


async def test_dialog_redirect_shapes(sandbox: SandboxControl, fb: FacebookClient) -> None:
    ann, _ = await _user(sandbox)
    login = await sandbox.login(ann.id)
    headers = {"Cookie": login["cookie_header"]}
    async with sandbox.http.get(
        fb.start_login(TEST_CALLBACK).url, headers=headers, allow_redirects=False
    ) as response:
        location = urlsplit(response.headers["Location"])
    assert set(parse_qs(location.query)) == DOC_DIALOG_CODE
    assert location.fragment == "_=_"
    fresh = await sandbox.create_test_user("Ben", installed=False)
    login = await sandbox.login(fresh.id)
    form = {
        "client_id": sandbox.config.app_id, "redirect_uri": TEST_CALLBACK, "state": "s",
        "decision": "cancel",
    }  # fmt: skip
    async with sandbox.http.post(
        f"{sandbox.url}/v26.0/dialog/oauth/confirm",
        data=form,
        headers={"Cookie": login["cookie_header"]},
        allow_redirects=False,
    ) as response:
        location = urlsplit(response.headers["Location"])
    assert set(parse_qs(location.query)) == DOC_DIALOG_CANCEL


async def test_signed_request_payload_shapes(sandbox: SandboxControl) -> None:
    ann, _ = await _user(sandbox)
    for kind, doc in (("deauthorize", DOC_DEAUTHORIZE), ("data_deletion", DOC_DATA_DELETION)):
        answer = await sandbox.send_callback(kind, ann.id, "http://127.0.0.1:9/")
        payload = answer["signed_request"].split(".")[1]
        decoded = json.loads(_unb64(payload))
        same_shape(doc, decoded)
        assert decoded["algorithm"] == "HMAC-SHA256"
        assert b64url(_unb64(payload)) == payload  # base64url without padding


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
