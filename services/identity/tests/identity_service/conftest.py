"""identity's service tests: the app in-process on real FerretDB + RabbitMQ, the Facebook
sandbox in-process, and a tap on the per-test exchange that records every event published."""

from __future__ import annotations

import base64
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp.test_utils import TestClient
from pydantic import SecretStr

from jumo_common.testing.bus import EventTap
from jumo_common.testing.plugin import InfraUrls, TestNames
from jumo_facebook import FacebookSettings
from jumo_facebook.sandbox.testing import (
    TEST_APP_ID,
    TEST_APP_SECRET,
    SandboxControl,
    TestUserInfo,
    running_sandbox,
    test_config,
)
from jumo_identity.app import create_app
from jumo_identity.settings import IdentitySettings

PUBLIC_BASE_URL = "https://jumo.example"
CALLBACK = f"{PUBLIC_BASE_URL}/auth/facebook/callback"
Client = TestClient[Any, Any]
AiohttpClient = Callable[..., Any]


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxControl]:
    """A fresh Facebook sandbox that knows our callback URL."""
    async with running_sandbox(test_config(redirect_uris=[CALLBACK])) as control:
        yield control


def identity_settings(
    infra: InfraUrls, names: TestNames, sandbox: SandboxControl, **overrides: Any
) -> IdentitySettings:
    """Settings of an identity instance aimed at this test's names and sandbox."""
    values: dict[str, Any] = {
        **names.settings_overrides(infra),
        "encryption_key": SecretStr(base64.b64encode(secrets.token_bytes(32)).decode()),
        "public_base_url": PUBLIC_BASE_URL,
        "cookie_secure": False,  # the test client speaks plain HTTP
        "key_activation_delay_s": 0,
        "key_cache_ttl_s": 0,
        "jwks_refresh_min_interval_s": 0,
    }
    # ``facebook_<field>=`` overrides go to the Facebook settings, the rest to identity's.
    facebook: dict[str, Any] = {
        "app_id": TEST_APP_ID,
        "app_secret": SecretStr(TEST_APP_SECRET),
        "graph_url": sandbox.url,
        "www_url": sandbox.url,
        "timeout_s": 2.0,
    }
    for name in [name for name in overrides if name.startswith("facebook_")]:
        facebook[name.removeprefix("facebook_")] = overrides.pop(name)
    values["facebook"] = FacebookSettings(**facebook)
    return IdentitySettings(**(values | overrides))


@pytest.fixture
def settings(infra: InfraUrls, names: TestNames, sandbox: SandboxControl) -> IdentitySettings:
    """This test's identity settings."""
    return identity_settings(infra, names, sandbox)


@pytest.fixture
async def tap(settings: IdentitySettings) -> AsyncIterator[EventTap]:
    """Every user.* event on this test's exchange (bound before identity publishes)."""
    async with EventTap.open(settings, "user.#") as recorder:
        yield recorder


@pytest.fixture
async def client(
    aiohttp_client: AiohttpClient, settings: IdentitySettings, tap: EventTap
) -> Client:
    """The identity app, started, with its own cookie jar (one browser)."""
    result: Client = await aiohttp_client(create_app(settings))
    return result


@dataclass(frozen=True)
class LoggedIn:
    """A person after a login: their tokens and profile."""

    user_id: str
    access_token: str
    refresh_token: str
    created: bool
    body: dict[str, Any]

    @property
    def auth(self) -> dict[str, str]:
        """The Authorization header."""
        return {"Authorization": f"Bearer {self.access_token}"}


async def start_login(client: Client, query: dict[str, str] | None = None) -> dict[str, str]:
    """GET /auth/facebook/login (with ``query``, e.g. share_joins); the dialog URL's query
    parameters."""
    response = await client.get("/auth/facebook/login", params=query, allow_redirects=False)
    assert response.status == 302, await response.text()
    dialog = parse_qs(urlsplit(response.headers["Location"]).query)
    return {k: v[0] for k, v in dialog.items()}


async def facebook_code(
    sandbox: SandboxControl, fb_user: TestUserInfo, dialog: dict[str, str]
) -> str:
    """What the person's browser gets from the dialog: a code for our redirect URI."""
    options: dict[str, Any] = {"redirect_uri": dialog["redirect_uri"]}
    if "code_challenge" in dialog:
        options["code_challenge"] = dialog["code_challenge"]
    answer = await sandbox.login(fb_user.id, **options)
    return str(answer["code"])


async def login(
    client: Client,
    sandbox: SandboxControl,
    fb_user: TestUserInfo,
    query: dict[str, str] | None = None,
) -> LoggedIn:
    """The whole browser flow, ending with identity's token answer (``query``: the login
    start's, e.g. ``{"share_joins": "true"}``)."""
    dialog = await start_login(client, query)
    code = await facebook_code(sandbox, fb_user, dialog)
    response = await client.get(
        "/auth/facebook/callback", params={"code": code, "state": dialog["state"]}
    )
    body = await response.json()
    assert response.status == 200, body
    return LoggedIn(
        user_id=body["user"]["id"],
        access_token=body["access_token"],
        refresh_token=body["refresh_token"],
        created=body["created"],
        body=body,
    )


async def befriend(sandbox: SandboxControl, a: TestUserInfo, b: TestUserInfo) -> None:
    """Make two test users Facebook friends."""
    sandbox.state.users[a.id].friends.add(b.id)
    sandbox.state.users[b.id].friends.add(a.id)
