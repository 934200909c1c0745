"""The sandbox answers the client's basic calls."""

from __future__ import annotations

from jumo_facebook.client import FacebookClient
from jumo_facebook.sandbox.testing import SandboxControl


async def test_test_user_token_reads_me(sandbox: SandboxControl, fb: FacebookClient) -> None:
    ann = await sandbox.create_test_user("Ann Example")
    assert ann.access_token is not None
    profile = await fb.me(ann.access_token)
    assert profile.id == ann.id
    assert profile.name == "Ann Example"
    assert profile.email == ann.email
    assert fb.last_usage is not None
    assert fb.last_usage.app is not None
