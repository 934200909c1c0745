"""Settings from the environment, and the sandbox as its own process."""

from __future__ import annotations

import asyncio
import socket
import sys
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from jumo_facebook import FacebookSettings
from jumo_facebook.sandbox import SandboxConfig


def test_client_settings_from_facebook_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACEBOOK_APP_ID", "123")
    monkeypatch.setenv("FACEBOOK_APP_SECRET", "shh")
    monkeypatch.setenv("FACEBOOK_GRAPH_URL", "http://127.0.0.1:8090")
    monkeypatch.setenv("FACEBOOK_WWW_URL", "http://127.0.0.1:8090/")
    monkeypatch.setenv("FACEBOOK_GRAPH_VERSION", "v25.0")
    settings = FacebookSettings()  # read from the environment
    assert settings.app_token() == "123|shh"
    assert settings.graph_base() == "http://127.0.0.1:8090/v25.0"
    assert "shh" not in repr(settings)


def test_client_settings_defaults_are_facebook(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GRAPH_URL", "WWW_URL", "GRAPH_VERSION"):
        monkeypatch.delenv(f"FACEBOOK_{name}", raising=False)
    settings = FacebookSettings(app_id="1", app_secret="s")  # type: ignore[arg-type]
    assert settings.graph_base() == "https://graph.facebook.com/v26.0"
    assert settings.www_url == "https://www.facebook.com"


def test_pkce_is_on_unless_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACEBOOK_USE_PKCE", raising=False)
    assert FacebookSettings(app_id="1", app_secret="s").use_pkce is True  # type: ignore[arg-type]
    monkeypatch.setenv("FACEBOOK_USE_PKCE", "false")
    assert FacebookSettings(app_id="1", app_secret="s").use_pkce is False  # type: ignore[arg-type]


def test_sandbox_config_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACEBOOK_APP_ID", "77")
    monkeypatch.setenv("FACEBOOK_APP_SECRET", "sec")
    monkeypatch.setenv("FACEBOOK_SANDBOX_REDIRECT_URIS", "http://a/cb, http://b/cb")
    monkeypatch.setenv("FACEBOOK_SANDBOX_REQUIRE_PROOF", "true")
    config = SandboxConfig()
    assert (config.app_id, config.app_secret, config.port) == ("77", "sec", 8090)
    assert config.redirect_uris == ["http://a/cb", "http://b/cb"]
    assert config.require_proof
    assert config.base_url() == "http://127.0.0.1:8090"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def sandbox_process() -> AsyncIterator[str]:
    """``python -m jumo_facebook.sandbox`` on a free port, stopped afterwards by its pid."""
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "jumo_facebook.sandbox", "--port", str(port),
        "--app-id", "555", "--app-secret", "cli-secret", "--redirect-uri", "http://a/cb",
        "--redirect-uri", "http://b/cb", "--require-proof",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        await process.wait()


async def _answers(http: aiohttp.ClientSession, url: str) -> dict[str, object] | None:
    try:
        async with http.get(f"{url}/__sandbox/app") as response:
            return dict(await response.json())
    except aiohttp.ClientConnectionError:
        return None


async def test_the_sandbox_runs_alone(sandbox_process: str) -> None:
    deadline = time.monotonic() + 20
    async with aiohttp.ClientSession() as http:
        info = await _answers(http, sandbox_process)
        while info is None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)  # polling for the process to listen, not a fixed wait
            info = await _answers(http, sandbox_process)
    assert info == {
        "app_id": "555",
        "redirect_uris": ["http://a/cb", "http://b/cb"],
        "require_proof": True,
        "public_url": sandbox_process,
    }
