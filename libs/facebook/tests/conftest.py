"""Every test gets a fresh sandbox on a real 127.0.0.1 port and a client aimed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from jumo_facebook.client import FacebookClient
from jumo_facebook.sandbox.testing import SandboxControl, running_sandbox, test_config


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxControl]:
    """A sandbox that requires appsecret_proof, like a well-configured real app."""
    async with running_sandbox(test_config()) as control:
        yield control


@pytest.fixture
async def fb(sandbox: SandboxControl) -> AsyncIterator[FacebookClient]:
    """The client under test, aimed at the sandbox."""
    async with FacebookClient(sandbox.client_settings(timeout_s=5)) as client:
        yield client
