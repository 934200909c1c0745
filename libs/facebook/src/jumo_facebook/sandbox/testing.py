"""Run the sandbox in-process on a real port and steer it through its control API.

For this package's tests and other services' tests::

    async with running_sandbox(SandboxConfig(redirect_uris=[CALLBACK])) as fb:
        settings = fb.client_settings()          # a FacebookSettings aimed at the sandbox
        ann = await fb.create_test_user("Ann Example")
        login = await fb.login(ann.id, redirect_uri=CALLBACK)   # login["code"]
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from pydantic import BaseModel, ConfigDict, SecretStr

from jumo_facebook.sandbox.app import create_sandbox_app
from jumo_facebook.sandbox.auth import STATE_KEY
from jumo_facebook.sandbox.config import SandboxConfig
from jumo_facebook.sandbox.state import SandboxState
from jumo_facebook.security import appsecret_proof
from jumo_facebook.settings import FacebookSettings

# A ready-made app for tests; any other values work as well.
TEST_APP_ID = "246813579024680"
TEST_APP_SECRET = "test-app-secret-0123456789abcdef"  # noqa: S105  (a sandbox-only secret)
TEST_CALLBACK = "https://jumo.example/auth/facebook/callback"
TEST_OTHER_CALLBACK = "https://jumo.example/other/callback"


def test_config(**overrides: Any) -> SandboxConfig:
    """The test app (both callbacks registered, appsecret_proof required), with overrides."""
    values: dict[str, Any] = {
        "app_id": TEST_APP_ID,
        "app_secret": TEST_APP_SECRET,
        "redirect_uris": [TEST_CALLBACK, TEST_OTHER_CALLBACK],
        "require_proof": True,
    }
    return SandboxConfig.model_validate(values | overrides)


test_config.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


class TestUserInfo(BaseModel):
    """The test-user API's answer."""

    model_config = ConfigDict(frozen=True)
    __test__ = False  # not a pytest test class

    id: str
    login_url: str
    email: str
    password: str
    access_token: str | None = None


class PageInfo(BaseModel):
    """A Page given to a test user, with its Page token."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    access_token: str


class SandboxControl:
    """A running sandbox: its URL, its state, and the control API as methods."""

    def __init__(self, url: str, state: SandboxState, http: aiohttp.ClientSession) -> None:
        self.url = url.rstrip("/")
        self.state = state
        self.http = http

    @property
    def config(self) -> SandboxConfig:
        """The app the sandbox plays."""
        return self.state.config

    def client_settings(self, **overrides: Any) -> FacebookSettings:
        """FacebookSettings for a client of this sandbox (both hosts are the sandbox)."""
        values: dict[str, Any] = {
            "app_id": self.config.app_id,
            "app_secret": SecretStr(self.config.app_secret),
            "graph_url": self.url,
            "www_url": self.url,
        }
        return FacebookSettings(**(values | overrides))

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """One control call; fails loudly when the sandbox refuses it."""
        async with self.http.request(method, f"{self.url}/__sandbox/{path}", json=body) as resp:
            if resp.status >= 400:
                raise AssertionError(f"sandbox {method} {path}: {resp.status} {await resp.text()}")
            return await resp.json()

    async def graph(
        self,
        method: str,
        path: str,
        token: str | None = None,
        params: dict[str, str] | None = None,
        *,
        proof: bool = True,
    ) -> tuple[int, Any]:
        """A raw Graph call (``path`` after the version), with appsecret_proof unless told not."""
        query = dict(params or {})
        if token is not None:
            query["access_token"] = token
            if proof:
                query["appsecret_proof"] = appsecret_proof(self.config.app_secret, token)
        url = f"{self.url}/{self.config.graph_version}{path}"
        async with self.http.request(method, url, params=query) as response:
            return response.status, await response.json()

    async def reset(self) -> None:
        """Forget everything."""
        await self.call("POST", "reset")

    async def create_test_user(
        self,
        name: str | None = None,
        permissions: tuple[str, ...] = ("email", "user_friends"),
        *,
        installed: bool = True,
    ) -> TestUserInfo:
        """A test user, as the test-user API creates it."""
        body = {"name": name, "permissions": list(permissions), "installed": installed}
        answer = await self.call(
            "POST", "test-users", {k: v for k, v in body.items() if v is not None}
        )
        return TestUserInfo.model_validate(answer)

    async def login(self, user_id: str, **options: Any) -> dict[str, Any]:
        """Log a test user in without a browser (and authorize, given ``redirect_uri``)."""
        answer: dict[str, Any] = await self.call("POST", "login", {"user_id": user_id} | options)
        return answer

    async def create_page(self, owner_id: str, name: str, **options: Any) -> PageInfo:
        """Give a test user a Page."""
        answer = await self.call("POST", "pages", {"owner_id": owner_id, "name": name} | options)
        return PageInfo.model_validate(answer)

    async def posts(self, page_id: str | None = None) -> list[dict[str, Any]]:
        """What was posted (on one Page, or everywhere)."""
        query = f"?page_id={page_id}" if page_id else ""
        answer = await self.call("GET", f"posts{query}")
        return list(answer["posts"])

    async def fail(self, path: str, **fault: Any) -> None:
        """Inject a fault on the next calls to ``path`` (see the control API)."""
        await self.call("POST", "failures", {"path": path} | fault)

    async def send_callback(self, kind: str, user_id: str, url: str) -> dict[str, Any]:
        """Send a signed deauthorize or data_deletion request to ``url``."""
        answer: dict[str, Any] = await self.call(
            "POST", "callbacks", {"kind": kind, "user_id": user_id, "url": url}
        )
        return answer

    async def advance_clock(self, seconds: float) -> None:
        """Move the sandbox clock forward."""
        await self.call("POST", "clock", {"advance_s": seconds})

    async def mint_token(self, user_id: str, **options: Any) -> str:
        """A user token (``app_id=`` another app's id to play a foreign token)."""
        answer = await self.call("POST", "tokens", {"user_id": user_id} | options)
        return str(answer["access_token"])

    async def invalidate(self, user_id: str, subcode: int) -> None:
        """Kill a user's tokens with a subcode (460 password changed, 467 logged out, …)."""
        await self.call("POST", f"users/{user_id}/invalidate", {"subcode": subcode})


@asynccontextmanager
async def running_sandbox(config: SandboxConfig | None = None) -> AsyncIterator[SandboxControl]:
    """Serve a fresh sandbox on a free 127.0.0.1 port for the duration of the block."""
    app = create_sandbox_app(config)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("")).rstrip("/")
    state = app[STATE_KEY]
    # The port is known only now; links the sandbox hands out must carry it.
    state.config = state.config.model_copy(update={"public_url": url, "port": server.port})
    try:
        async with aiohttp.ClientSession() as http:
            yield SandboxControl(url, state, http)
    finally:
        await server.close()
