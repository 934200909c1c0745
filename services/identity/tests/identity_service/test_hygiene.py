"""PKCE, secrets kept out of logs and storage, expiry housekeeping, and the command line."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from jumo_common.logging import configure_logging
from jumo_common.mongo import MONGO_DB
from jumo_facebook.sandbox.testing import TEST_APP_SECRET, SandboxControl
from jumo_identity.settings import IdentitySettings
from jumo_identity.typedefs import IDENTITY

from .conftest import Client, facebook_code, login, start_login


@pytest.fixture
def log_buffer() -> Iterator[io.StringIO]:
    """Every log line (DEBUG and up, JSON) written while the test runs."""
    buffer = io.StringIO()
    configure_logging(IdentitySettings.model_construct(log_json=True, log_level="DEBUG"),
                      stream=buffer)  # fmt: skip
    yield buffer
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_jumo_handler", False)]:
        root.removeHandler(handler)


async def test_pkce_login_by_default(client: Client, sandbox: SandboxControl) -> None:
    dialog = await start_login(client)
    assert dialog["code_challenge_method"] == "S256"
    assert len(dialog["code_challenge"]) == 43

    ann = await login(client, sandbox, await sandbox.create_test_user("Ann"))
    assert ann.created is True


async def test_no_code_token_or_secret_reaches_the_logs_or_the_database(
    client: Client, sandbox: SandboxControl, log_buffer: io.StringIO
) -> None:
    fb_ann = await sandbox.create_test_user("Ann")
    dialog = await start_login(client)
    code = await facebook_code(sandbox, fb_ann, dialog)
    response = await client.get(
        "/auth/facebook/callback", params={"code": code, "state": dialog["state"]}
    )
    body = await response.json()
    refreshed = await client.post("/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert refreshed.status == 200
    tokens = [t for t in sandbox.state.tokens.values() if t.user_id == fb_ann.id]
    assert tokens, "the sandbox issued a user token"
    facebook_token = tokens[-1].value

    secrets = [code, dialog["state"], body["access_token"], body["refresh_token"],
               facebook_token, TEST_APP_SECRET]  # fmt: skip
    logs = log_buffer.getvalue()
    assert "/auth/facebook/callback" in logs  # the lines are there...
    for secret in secrets:
        assert secret not in logs  # ...without any secret
    db = client.app[MONGO_DB]
    documents = [doc for name in await db.list_collection_names()
                 for doc in await db[name].find().to_list()]  # fmt: skip
    stored = repr(documents)
    for secret in secrets:
        assert secret not in stored


async def test_housekeeping_deletes_expired_states_and_tokens(
    client: Client, sandbox: SandboxControl
) -> None:
    await login(client, sandbox, await sandbox.create_test_user("Ann"))
    await start_login(client)
    auth = client.app[IDENTITY].auth
    later = datetime.now(UTC) + timedelta(days=31)
    assert await auth.purge_expired(later) >= 3  # a used state, an open one, a refresh token
    assert await auth.login_states.count_documents({}) == 0
    assert await auth.refresh_tokens.count_documents({}) == 0


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jumo_identity", *args],
        env=os.environ | env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


async def test_command_line_generates_keys_and_rotates(
    client: Client, settings: IdentitySettings
) -> None:
    generated = _run(["gen-key"], {})
    assert generated.returncode == 0
    assert len(generated.stdout.strip()) == 44
    before = await (await client.get("/.well-known/jwks.json")).json()
    env = {
        "MONGO_URL": settings.mongo_url, "MONGO_DATABASE": settings.mongo_database,
        "ENCRYPTION_KEY": settings.encryption_key.get_secret_value(),
        "FACEBOOK_APP_ID": settings.facebook.app_id,
        "FACEBOOK_APP_SECRET": settings.facebook.app_secret.get_secret_value(),
    }  # fmt: skip

    rotated = _run(["rotate-keys"], env)

    assert rotated.returncode == 0, rotated.stderr
    after = await (await client.get("/.well-known/jwks.json")).json()
    assert after["keys"][1]["kid"] == before["keys"][0]["kid"]
    assert after["keys"][0]["kid"] != before["keys"][0]["kid"]
    assert "PRIVATE" not in rotated.stdout + rotated.stderr
    wrong_key = _run(["rotate-keys"], env | {"ENCRYPTION_KEY": "not-base64!"})
    assert wrong_key.returncode != 0
