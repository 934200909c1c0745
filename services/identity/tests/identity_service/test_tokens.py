"""Jumo's tokens: refresh rotation, reuse detection, logout, forged tokens, key rotation."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from jumo_facebook.sandbox.testing import SandboxControl
from jumo_identity.__main__ import rotate_keys
from jumo_identity.settings import IdentitySettings
from jumo_identity.typedefs import IDENTITY

from .conftest import Client, LoggedIn, login


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value).encode())


def _claims(sub: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": "jumo-identity", "aud": "jumo", "sub": sub, "iat": now,
              "exp": now + 600, "jti": uuid.uuid4().hex}  # fmt: skip
    return claims | overrides


async def _status(client: Client, token: str) -> int:
    response = await client.get("/users/me", headers={"Authorization": f"Bearer {token}"})
    status: int = response.status
    return status


async def _refresh(client: Client, token: str) -> tuple[int, dict[str, Any]]:
    response = await client.post("/auth/refresh", json={"refresh_token": token})
    return response.status, await response.json() if response.status != 204 else {}


async def _ann(client: Client, sandbox: SandboxControl) -> LoggedIn:
    return await login(client, sandbox, await sandbox.create_test_user("Ann"))


async def test_access_token_shape(client: Client, sandbox: SandboxControl) -> None:
    ann = await _ann(client, sandbox)
    header = jwt.get_unverified_header(ann.access_token)
    claims = jwt.decode(ann.access_token, options={"verify_signature": False})
    assert header["alg"] == "EdDSA"
    assert header["typ"] == "at+jwt"
    jwks = await (await client.get("/.well-known/jwks.json")).json()
    assert header["kid"] in {k["kid"] for k in jwks["keys"]}
    assert all("d" not in k for k in jwks["keys"])
    assert claims["aud"] == "jumo"
    assert claims["iss"] == "jumo-identity"
    assert claims["sub"] == ann.user_id
    assert claims["exp"] - claims["iat"] == 900
    assert claims["jti"]


async def test_refresh_rotates_and_reuse_revokes_the_family(
    client: Client, sandbox: SandboxControl
) -> None:
    ann = await _ann(client, sandbox)
    status, second = await _refresh(client, ann.refresh_token)
    assert status == 200
    assert second["refresh_token"] != ann.refresh_token
    assert await _status(client, second["access_token"]) == 200
    status, third = await _refresh(client, second["refresh_token"])
    assert status == 200

    # The first token comes back: stolen. It fails, and so does the family's newest token.
    status, problem = await _refresh(client, ann.refresh_token)
    assert status == 401
    assert problem["type"].endswith("/invalid-refresh-token")
    status, _ = await _refresh(client, third["refresh_token"])
    assert status == 401


async def test_reuse_revokes_only_that_login(client: Client, sandbox: SandboxControl) -> None:
    fb_ann = await sandbox.create_test_user("Ann")
    phone = await login(client, sandbox, fb_ann)
    laptop = await login(client, sandbox, fb_ann)
    await _refresh(client, phone.refresh_token)
    status, _ = await _refresh(client, phone.refresh_token)
    assert status == 401
    status, _ = await _refresh(client, laptop.refresh_token)
    assert status == 200


async def test_logout_revokes_the_family(client: Client, sandbox: SandboxControl) -> None:
    ann = await _ann(client, sandbox)
    _, second = await _refresh(client, ann.refresh_token)
    response = await client.post("/auth/logout", json={"refresh_token": second["refresh_token"]})
    assert response.status == 204
    status, _ = await _refresh(client, second["refresh_token"])
    assert status == 401
    again = await client.post("/auth/logout", json={"refresh_token": "unknown"})
    assert again.status == 204


async def test_unknown_refresh_token_is_401(client: Client) -> None:
    status, _ = await _refresh(client, "nope")
    assert status == 401


async def test_every_forged_token_is_refused(client: Client, sandbox: SandboxControl) -> None:
    ann = await _ann(client, sandbox)
    key = await client.app[IDENTITY].keyring.signing_key()
    kid = key.kid
    jwks = await (await client.get("/.well-known/jwks.json")).json()
    public_x = next(k for k in jwks["keys"] if k["kid"] == kid)["x"]
    at_header = {"typ": "at+jwt", "kid": kid}

    def signed(claims: dict[str, Any], signing_key: Any = key.private_key, **header: Any) -> str:
        return jwt.encode(claims, signing_key, algorithm="EdDSA", headers=at_header | header)

    def hs256_keyed_with(secret: bytes) -> str:
        head = _segment({"alg": "HS256", **at_header})
        body = _segment(_claims(ann.user_id))
        mac = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
        return f"{head}.{body}.{_b64(mac)}"

    public_pem = key.public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    expired = _claims(ann.user_id, iat=int(time.time()) - 3600, exp=int(time.time()) - 1800)
    head, _, signature = ann.access_token.split(".")

    forged = {
        "alg none": f"{_segment({'alg': 'none', **at_header})}.{_segment(_claims(ann.user_id))}.",
        "HS256 keyed with the public PEM": hs256_keyed_with(public_pem),
        "HS256 keyed with the public x": hs256_keyed_with(public_x.encode()),
        "wrong aud": signed(_claims(ann.user_id, aud="other")),
        "wrong iss": signed(_claims(ann.user_id, iss="https://evil.example")),
        "expired": signed(expired),
        "unknown kid": signed(_claims(ann.user_id), Ed25519PrivateKey.generate(), kid="nope"),
        "known kid, foreign key": signed(_claims(ann.user_id), Ed25519PrivateKey.generate()),
        "not an access token": signed(_claims(ann.user_id), typ="JWT"),
        "tampered claims": f"{head}.{_segment(_claims('someone-else'))}.{signature}",
        "garbage": "not.a.jwt",
    }
    assert await _status(client, signed(_claims(ann.user_id))) == 200  # the forge works
    for name, token in forged.items():
        response = await client.get("/users/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status == 401, name
        assert response.headers["WWW-Authenticate"].startswith("Bearer"), name
    assert (await client.get("/users/me")).status == 401


async def test_key_rotation_logs_nobody_out(
    client: Client, sandbox: SandboxControl, settings: IdentitySettings
) -> None:
    ann = await _ann(client, sandbox)
    old_kid = jwt.get_unverified_header(ann.access_token)["kid"]

    new_kid = await rotate_keys(settings)  # what `python -m jumo_identity rotate-keys` does

    jwks = await (await client.get("/.well-known/jwks.json")).json()
    assert [k["kid"] for k in jwks["keys"]] == [new_kid, old_kid]
    assert await _status(client, ann.access_token) == 200  # signed by the previous key
    status, fresh = await _refresh(client, ann.refresh_token)
    assert status == 200
    assert jwt.get_unverified_header(fresh["access_token"])["kid"] == new_kid
    assert await _status(client, fresh["access_token"]) == 200

    # A second rotation retires the first key: its tokens stop verifying, the newer ones don't.
    await rotate_keys(settings)
    assert await _status(client, fresh["access_token"]) == 200
    assert await _status(client, ann.access_token) == 401


async def test_a_new_key_signs_only_after_the_activation_delay(
    client: Client, sandbox: SandboxControl
) -> None:
    keyring = client.app[IDENTITY].keyring
    before = (await keyring.signing_key()).kid
    ring = await keyring.rotate()
    delayed = type(keyring)(keyring._store, keyring._sealer, cache_ttl_s=0, activation_delay_s=60)
    assert (await delayed.signing_key()).kid == before
    assert (await keyring.signing_key()).kid == ring.current.kid


async def test_concurrent_refreshes_with_one_token_let_exactly_one_through(
    client: Client, sandbox: SandboxControl
) -> None:
    ann = await _ann(client, sandbox)
    results = await asyncio.gather(*(_refresh(client, ann.refresh_token) for _ in range(8)))
    # Only one presentation can retire the token; every other one is reuse, which revokes the
    # whole login, so the winner (if it answered before the revocation) holds a dead token.
    winners = [body for status, body in results if status == 200]
    assert len(winners) <= 1
    assert sorted(status for status, _ in results)[len(winners) :] == [401] * (8 - len(winners))
    for body in winners:
        status, _ = await _refresh(client, body["refresh_token"])
        assert status == 401


async def test_a_login_state_is_consumed_once_under_concurrency(client: Client) -> None:
    auth = client.app[IDENTITY].auth
    now = datetime.now(UTC)
    await auth.save_login_state("h", {"nonce_hash": "n", "expires_at": now + timedelta(minutes=1)})
    taken = await asyncio.gather(*(auth.take_login_state("h", now) for _ in range(10)))
    assert sum(record is not None for record in taken) == 1
