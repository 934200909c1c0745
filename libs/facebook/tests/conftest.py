"""Every test gets a fresh sandbox on a real 127.0.0.1 port and a client aimed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from jumo_facebook.client import FacebookClient
from jumo_facebook.sandbox import SandboxConfig
from jumo_facebook.sandbox.testing import SandboxControl, running_sandbox

APP_ID = "246813579024680"
APP_SECRET = "test-app-secret-0123456789abcdef"
CALLBACK = "https://jumo.example/auth/facebook/callback"
OTHER_CALLBACK = "https://jumo.example/other/callback"


def sandbox_config(**overrides: object) -> SandboxConfig:
    """The app every test plays against, with overrides."""
    values: dict[str, object] = {
        "app_id": APP_ID,
        "app_secret": APP_SECRET,
        "redirect_uris": [CALLBACK, OTHER_CALLBACK],
        "require_proof": True,
    }
    return SandboxConfig.model_validate(values | overrides)


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxControl]:
    """A sandbox that requires appsecret_proof, like a well-configured real app."""
    async with running_sandbox(sandbox_config()) as control:
        yield control


@pytest.fixture
async def fb(sandbox: SandboxControl) -> AsyncIterator[FacebookClient]:
    """The client under test, aimed at the sandbox."""
    async with FacebookClient(sandbox.client_settings(timeout_s=5)) as client:
        yield client
