"""Regressions of issue 7 seen on identity's own answers (the fixes live in jumo_common.web)."""

from __future__ import annotations

import re

from jumo_facebook.sandbox.testing import SandboxControl

from .conftest import Client, login

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


async def test_a_null_display_name_beside_an_integral_float_is_a_422(
    client: Client, sandbox: SandboxControl
) -> None:
    ann = await login(client, sandbox, await sandbox.create_test_user("Ann"))
    raw = b'{"display_name":null,"availability":{"hours_per_month":3.0}}'
    headers = {**ann.auth, "Content-Type": "application/json"}
    response = await client.patch("/users/me", data=raw, headers=headers)
    assert response.status == 422, await response.text()
    problem = await response.json(content_type=None)
    assert any("display_name" in error["message"] for error in problem["errors"])
    me = await (await client.get("/users/me", headers=ann.auth)).json()
    assert me["display_name"] == "Ann"


async def test_one_timestamp_format_before_and_after_a_read_back(
    client: Client, sandbox: SandboxControl
) -> None:
    ann = await login(client, sandbox, await sandbox.create_test_user("Ann"))
    headers = {**ann.auth, "Content-Type": "application/json"}
    patched = await client.patch("/users/me", data=b'{"bio":"hi"}', headers=headers)
    fresh = await patched.json()
    stored = await (await client.get("/users/me", headers=ann.auth)).json()
    for body in (fresh, stored):
        assert TIMESTAMP.match(body["created_at"]), body["created_at"]
        assert TIMESTAMP.match(body["updated_at"]), body["updated_at"]
    assert fresh["updated_at"] == stored["updated_at"]


async def test_personal_answers_are_not_stored_and_the_jwks_is_public(
    client: Client, sandbox: SandboxControl
) -> None:
    ann = await login(client, sandbox, await sandbox.create_test_user("Ann"))
    me = await client.get("/users/me", headers=ann.auth)
    assert me.headers["Cache-Control"] == "no-store"
    assert me.headers["X-Content-Type-Options"] == "nosniff"
    assert "aiohttp" not in me.headers["Server"]
    jwks = await client.get("/.well-known/jwks.json")
    assert jwks.headers["Cache-Control"] == "public, max-age=60"
