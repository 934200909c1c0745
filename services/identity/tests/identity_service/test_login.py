"""Login through Facebook: first and second login, cancel, state replay and forgery, outages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from hashlib import sha256

from jumo_common.mongo import MONGO_DB
from jumo_common.testing import plugin
from jumo_common.testing.bus import EventTap
from jumo_facebook.sandbox.testing import SandboxControl
from jumo_identity.app import create_app
from jumo_identity.typedefs import IDENTITY

from .conftest import (
    CALLBACK,
    AiohttpClient,
    Client,
    facebook_code,
    identity_settings,
    login,
    start_login,
)


async def test_first_login_creates_the_user_and_publishes_registered(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    ann = await sandbox.create_test_user("Ann Example")
    dialog = await start_login(client)
    assert dialog["redirect_uri"] == CALLBACK
    assert dialog["scope"] == "public_profile,email,user_friends"
    assert len(dialog["state"]) >= 32

    first = await login(client, sandbox, ann)

    assert first.created is True
    assert first.body["token_type"] == "Bearer"
    assert first.body["expires_in"] == 900
    user = first.body["user"]
    assert user["display_name"] == "Ann Example"
    assert user["email"] == ann.email
    assert user["facebook_id"] == ann.id
    [registered] = await tap.wait_for("user.registered")
    assert registered["data"]["user_id"] == first.user_id
    assert registered["subject_id"] == first.user_id
    assert registered["data"]["email"] == ann.email  # for the notifier (never shown to others)
    assert registered["data"]["share_joins"] is False  # not asked: nothing shown on Facebook


async def test_second_login_finds_the_same_user_and_publishes_nothing_new(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    ann = await sandbox.create_test_user("Ann Example")
    first = await login(client, sandbox, ann)
    second = await login(client, sandbox, ann)

    assert second.created is False
    assert second.user_id == first.user_id
    assert second.refresh_token != first.refresh_token
    await tap.wait_for("user.registered")
    me = await client.get("/users/me", headers=second.auth)
    assert (await me.json())["id"] == first.user_id
    assert len(tap.of_type("user.registered")) == 1


async def test_login_cookie_is_httponly_lax_and_scoped_to_the_callback(client: Client) -> None:
    response = await client.get("/auth/facebook/login", allow_redirects=False)
    cookie = response.cookies["jumo_login"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/auth/facebook/callback"
    assert "state=" not in response.headers["Set-Cookie"]


async def test_cancelled_dialog_is_401(client: Client) -> None:
    dialog = await start_login(client)
    params = {
        "error": "access_denied", "error_reason": "user_denied",
        "error_description": "Permissions error.", "state": dialog["state"],
    }  # fmt: skip
    response = await client.get("/auth/facebook/callback", params=params)
    assert response.status == 401
    assert (await response.json())["type"].endswith("/login-cancelled")


async def test_replayed_state_is_400(client: Client, sandbox: SandboxControl) -> None:
    ann = await sandbox.create_test_user()
    dialog = await start_login(client)
    code = await facebook_code(sandbox, ann, dialog)
    params = {"code": code, "state": dialog["state"]}
    assert (await client.get("/auth/facebook/callback", params=params)).status == 200

    replay = await client.get("/auth/facebook/callback", params=params)

    assert replay.status == 400
    assert (await replay.json())["type"].endswith("/invalid-login-state")


async def test_missing_unknown_and_foreign_browser_states_are_400(
    client: Client, sandbox: SandboxControl
) -> None:
    ann = await sandbox.create_test_user()
    dialog = await start_login(client)
    code = await facebook_code(sandbox, ann, dialog)
    for params in ({"code": code}, {"code": code, "state": "forged-" + "x" * 40}):
        response = await client.get("/auth/facebook/callback", params=params)
        assert response.status == 400, params

    # The right state in a browser that did not start the login (no cookie): CSRF refused.
    client.session.cookie_jar.clear()
    response = await client.get(
        "/auth/facebook/callback", params={"code": code, "state": dialog["state"]}
    )
    assert response.status == 400


async def test_expired_state_is_400(client: Client, sandbox: SandboxControl) -> None:
    ann = await sandbox.create_test_user()
    dialog = await start_login(client)
    code = await facebook_code(sandbox, ann, dialog)
    db = client.app[MONGO_DB]
    state_hash = sha256(dialog["state"].encode()).hexdigest()
    past = datetime.now(UTC) - timedelta(seconds=1)
    await db["login_states"].update_one({"_id": state_hash}, {"$set": {"expires_at": past}})

    response = await client.get(
        "/auth/facebook/callback", params={"code": code, "state": dialog["state"]}
    )
    assert response.status == 400


async def test_facebook_unreachable_is_503(client: Client, sandbox: SandboxControl) -> None:
    ann = await sandbox.create_test_user()
    dialog = await start_login(client)
    code = await facebook_code(sandbox, ann, dialog)
    await sandbox.fail("/v26.0/oauth/access_token", status=500, code=2, is_transient=True)

    response = await client.get(
        "/auth/facebook/callback", params={"code": code, "state": dialog["state"]}
    )
    assert response.status == 503
    assert (await response.json())["type"].endswith("/facebook-unavailable")


async def test_facebook_down_is_503(
    aiohttp_client: AiohttpClient,
    infra: plugin.InfraUrls,
    names: plugin.TestNames,
    sandbox: SandboxControl,
) -> None:
    # Nothing listens on the discard port: every Facebook call fails to connect.
    down = identity_settings(
        infra, names, sandbox, facebook_graph_url="http://127.0.0.1:9", facebook_timeout_s=1.0
    )
    client: Client = await aiohttp_client(create_app(down))
    dialog = await start_login(client)

    response = await client.get(
        "/auth/facebook/callback", params={"code": "any-code", "state": dialog["state"]}
    )
    assert response.status == 503


async def test_no_secret_appears_in_the_dialog_url(client: Client) -> None:
    response = await client.get("/auth/facebook/login", allow_redirects=False)
    location = response.headers["Location"]
    assert "secret" not in location
    assert "access_token" not in location
    assert "code=" not in location


async def _code_injection(
    aiohttp_client: AiohttpClient, victim: Client, sandbox: SandboxControl
) -> tuple[str, int, dict[str, object]]:
    """An attacker's browser completes its own login with the victim's authorization code.

    The victim (a member already) starts a login; Facebook gives the victim's browser a code
    bound to the victim's PKCE challenge, and it leaks (a log, a Referer, a history). The
    attacker starts a login of their own (own state, own cookie) and presents that code.
    Answers the victim's user id, their logins (token families) after the attack, and the
    attacker's answer.
    """
    fb_victim = await sandbox.create_test_user("Victim")
    member = await login(victim, sandbox, fb_victim)
    leaked = await facebook_code(sandbox, fb_victim, await start_login(victim))

    attacker: Client = await aiohttp_client(victim.server)  # same app, another cookie jar
    own = await start_login(attacker)
    answer = await attacker.get(
        "/auth/facebook/callback", params={"code": leaked, "state": own["state"]}
    )
    body = await answer.json()
    families = await victim.app[IDENTITY].auth.families_of(member.user_id)
    return member.user_id, len(families), {"status": answer.status, **body}


async def test_an_injected_authorization_code_is_refused_with_pkce(
    aiohttp_client: AiohttpClient, client: Client, sandbox: SandboxControl
) -> None:
    _, logins, answer = await _code_injection(aiohttp_client, client, sandbox)

    assert answer["status"] == 401, answer
    assert str(answer["type"]).endswith("/login-failed")
    assert "access_token" not in answer
    assert logins == 1, "only the victim's own earlier login exists"


async def test_without_pkce_an_injected_code_logs_the_attacker_in_as_the_victim(
    aiohttp_client: AiohttpClient,
    infra: plugin.InfraUrls,
    names: plugin.TestNames,
    sandbox: SandboxControl,
) -> None:
    # Why PKCE is on by default: the same attack with it turned off succeeds.
    settings = identity_settings(infra, names, sandbox, facebook_use_pkce=False)
    victim: Client = await aiohttp_client(create_app(settings))
    victim_id, logins, answer = await _code_injection(aiohttp_client, victim, sandbox)

    assert answer["status"] == 200, answer
    assert answer["user"]["id"] == victim_id  # type: ignore[index]
    assert logins == 2
