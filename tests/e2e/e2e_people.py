"""What a person does with curl: create a Facebook test user, log in through the gateway, …"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from e2e_curl import Answer, Curl
from e2e_processes import SystemUnderTest

SCOPES_GRANTED = "grant=email&grant=user_friends"


def create_test_user(curl: Curl, system: SystemUnderTest, *, installed: bool) -> dict[str, Any]:
    """Facebook's test-user API (the sandbox's): ``{id, login_url, email, password, …}``."""
    answer = curl(
        "-X", "POST", f"{system.sandbox_url}/v26.0/{system.app_id}/accounts/test-users",
        "-d", f"installed={str(installed).lower()}",
        "-d", "permissions=email,user_friends",
        "-d", f"access_token={system.app_id}|{system.app_secret}",
    )  # fmt: skip
    assert answer.status == 200, answer.body
    user: dict[str, Any] = answer.json()
    return user


def appsecret_proof(system: SystemUnderTest, token: str) -> str:
    """HMAC-SHA256 of the token keyed with the app secret, hex: what openssl prints."""
    return hmac.new(system.app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def facebook_token(curl: Curl, system: SystemUnderTest, user_id: str) -> str:
    """A test user's Facebook token, from the app's list of test users (once installed)."""
    answer = curl(
        "-G", f"{system.sandbox_url}/v26.0/{system.app_id}/accounts/test-users",
        "--data-urlencode", f"access_token={system.app_id}|{system.app_secret}",
    )  # fmt: skip
    assert answer.status == 200, answer.body
    tokens = {row["id"]: row.get("access_token") for row in answer.json()["data"]}
    token = tokens[user_id]
    assert token, f"test user {user_id} has not installed the app"
    return str(token)


def befriend(curl: Curl, system: SystemUnderTest, user_id: str, other_id: str, token: str) -> None:
    """``POST /{user}/friends/{other}`` with the user's own token: a request, or a confirmation."""
    answer = curl(
        "-X", "POST", f"{system.sandbox_url}/v26.0/{user_id}/friends/{other_id}",
        "-d", f"access_token={token}", "-d", f"appsecret_proof={appsecret_proof(system, token)}",
    )  # fmt: skip
    assert answer.status == 200, answer.body
    assert answer.json() == {"success": True}


def open_dialog(curl: Curl, system: SystemUnderTest, user: dict[str, Any]) -> str:
    """Log the browser in to Facebook as ``user``, start Jumo's login; the dialog's URL."""
    assert curl(user["login_url"]).status == 200
    login = curl(f"{system.gateway.url}/auth/facebook/login")
    assert login.status == 302, login.body
    assert login.location.startswith(f"{system.sandbox_url}/v26.0/dialog/oauth?")
    return login.location


def consent(curl: Curl, system: SystemUnderTest, dialog: str, decision: str) -> str:
    """Answer Facebook's consent page; the URL it sends the browser back to."""
    page = curl(dialog)
    assert page.status == 200
    assert b"decision" in page.body  # the Continue / Cancel form
    fields = dialog.split("?", 1)[1]
    confirm = f"{system.sandbox_url}/v26.0/dialog/oauth/confirm"
    answer = curl("--data", f"{fields}&decision={decision}&{SCOPES_GRANTED}", confirm)
    assert answer.status == 302, answer.body
    assert answer.location.startswith(f"{system.gateway.url}/auth/facebook/callback?")
    return answer.location


def sign_up(curl: Curl, system: SystemUnderTest, user: dict[str, Any]) -> Answer:
    """The whole login of a person who has not used Jumo yet; the callback's answer."""
    callback = consent(curl, system, open_dialog(curl, system, user), "accept")
    return curl(callback)


def bearer(login: dict[str, Any]) -> tuple[str, str]:
    """curl's arguments for the Authorization header."""
    return "-H", f"Authorization: Bearer {login['access_token']}"


def refresh(curl: Curl, system: SystemUnderTest, refresh_token: str) -> Answer:
    """POST /auth/refresh with a refresh token."""
    body = json.dumps({"refresh_token": refresh_token})
    headers = ("-H", "Content-Type: application/json")
    return curl("-X", "POST", *headers, "--data", body, f"{system.gateway.url}/auth/refresh")


def assert_login(answer: Answer, user: dict[str, Any], *, created: bool) -> dict[str, Any]:
    """The callback's JSON, checked; returned."""
    assert answer.status == 200, answer.body
    login: dict[str, Any] = answer.json()
    assert login["token_type"] == "Bearer"
    assert login["created"] is created
    assert login["user"]["email"] == user["email"]
    assert login["access_token"].count(".") == 2
    assert login["refresh_token"]
    return login
