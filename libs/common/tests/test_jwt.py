"""Access-token verification: good tokens pass, every forgery is refused, keys rotate live."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import jwt as pyjwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jumo_common.jwt import (
    JWT_VERIFIER,
    InvalidToken,
    JwksVerifier,
    jwt_context,
    optional_user,
    require_role,
    require_user,
)
from jumo_common.settings import ServiceSettings
from jumo_common.testing.tokens import JWKS_PATH, TestKeys
from jumo_common.web import (
    PROBLEM_CONTENT_TYPE,
    ServiceUnavailable,
    add_route,
    create_base_app,
    json_response,
)

Client = TestClient[Any, Any]


@pytest.fixture
def keys() -> TestKeys:
    return TestKeys()


@pytest.fixture
def verifier(keys: TestKeys) -> JwksVerifier:
    return JwksVerifier(keys.jwks_source, keys.issuer, keys.audience, leeway_s=5)


async def test_a_valid_token_names_its_user(keys: TestKeys, verifier: JwksVerifier) -> None:
    principal = await verifier.verify(keys.mint("u42", jti="t1"))
    assert (principal.user_id, principal.token_id) == ("u42", "t1")


async def test_typ_may_be_the_full_media_type(keys: TestKeys, verifier: JwksVerifier) -> None:
    token = keys.mint(headers={"typ": "application/at+jwt"})
    assert (await verifier.verify(token)).user_id == "user-1"


def forged(keys: TestKeys) -> dict[str, str]:
    """Every token the verifier must refuse, by what is wrong with it."""
    stranger = Ed25519PrivateKey.generate()
    good = keys.mint()
    head, payload, signature = good.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return {
        "alg none": keys.forge_unsigned(),
        "HS256 keyed with the PEM public key": keys.forge_hs256_with_public_key(),
        "HS256 keyed with the raw public key": keys.forge_hs256_with_public_key(pem=False),
        "wrong audience": keys.mint(aud="another-api"),
        "wrong issuer": keys.mint(iss="https://evil.example"),
        "expired beyond the leeway": keys.mint(ttl_s=-60),
        "unknown kid": keys.mint(kid="no-such-kid", key=stranger),
        "known kid, other key": keys.mint(key=stranger),
        "typ JWT (an ID token, say)": keys.mint(headers={"typ": "JWT"}),
        "no typ": keys.mint(headers={"typ": None}),
        "no kid": keys.mint(headers={"kid": None}),
        "no exp": keys.mint(exp=None),
        "no sub": keys.mint(sub=None),  # type: ignore[arg-type]
        "no jti": keys.mint(jti=None),
        "numeric sub": keys.mint(sub=7),  # type: ignore[arg-type]
        "tampered signature": f"{head}.{payload}.{flipped}",
        "garbage": "not.a.token",
        "empty": "",
    }


CASES = list(forged(TestKeys()))


@pytest.mark.parametrize("case", CASES)
async def test_forged_tokens_are_refused(keys: TestKeys, verifier: JwksVerifier, case: str) -> None:
    with pytest.raises(InvalidToken) as caught:
        await verifier.verify(forged(keys)[case])
    assert caught.value.status_code == 401
    assert caught.value.headers["WWW-Authenticate"].endswith('error="invalid_token"')


async def test_expiry_within_the_leeway_is_tolerated(
    keys: TestKeys, verifier: JwksVerifier
) -> None:
    assert await verifier.verify(keys.mint(ttl_s=-2))


async def test_keys_rotate_without_restart_over_http(keys: TestKeys, aiohttp_server: Any) -> None:
    server: TestServer = await aiohttp_server(keys.jwks_app())
    async with aiohttp.ClientSession() as session:
        url = str(server.make_url(JWKS_PATH))
        verifier = JwksVerifier.from_url(
            url, keys.issuer, keys.audience, session, refresh_min_interval_s=0.0
        )
        old_token = keys.mint("alice")
        assert (await verifier.verify(old_token)).user_id == "alice"
        keys.rotate()
        assert (await verifier.verify(keys.mint("bob"))).user_id == "bob"
        assert (await verifier.verify(old_token)).user_id == "alice"  # both keys published
        assert keys.jwks_requests == 2


async def test_a_flood_of_unknown_kids_fetches_the_jwks_rarely(keys: TestKeys) -> None:
    verifier = JwksVerifier(keys.jwks_source, keys.issuer, keys.audience)
    stranger = Ed25519PrivateKey.generate()
    floods = [keys.mint(kid=f"bogus-{i}", key=stranger) for i in range(200)]
    results = await asyncio.gather(*(verifier.verify(t) for t in floods), return_exceptions=True)
    assert all(isinstance(r, InvalidToken) for r in results)
    assert keys.jwks_requests == 1
    assert await verifier.verify(keys.mint())  # known keys still verify, no extra fetch
    assert keys.jwks_requests == 1


async def test_unreachable_jwks_before_any_key_is_503(keys: TestKeys) -> None:
    async def down() -> Any:
        raise aiohttp.ClientConnectionError("identity is down")

    verifier = JwksVerifier(down, keys.issuer, keys.audience)
    with pytest.raises(ServiceUnavailable):
        await verifier.verify(keys.mint())


async def test_cached_keys_survive_a_jwks_outage(keys: TestKeys) -> None:
    up = True

    async def flaky() -> Any:
        if not up:
            raise aiohttp.ClientConnectionError("identity is down")
        return keys.jwks()

    verifier = JwksVerifier(
        flaky, keys.issuer, keys.audience, max_age_s=0.0, refresh_min_interval_s=0.0
    )
    assert await verifier.verify(keys.mint())
    up = False
    assert await verifier.verify(keys.mint())  # stale, refresh fails, old keys still good


# ---- through an app ----------------------------------------------------------------------


async def me(request: web.Request) -> web.Response:
    principal = await require_user(request)
    return json_response({"user_id": principal.user_id})


async def moderate(request: web.Request) -> web.Response:
    principal = await require_role(request, "moderator")
    return json_response({"user_id": principal.user_id})


async def maybe(request: web.Request) -> web.Response:
    principal = await optional_user(request)
    return json_response({"user_id": principal.user_id if principal else None})


@pytest.fixture
async def client(aiohttp_client: Any, keys: TestKeys, verifier: JwksVerifier) -> Client:
    app = create_base_app(ServiceSettings(service_name="demo"))
    app[JWT_VERIFIER] = verifier
    app.router.add_get("/me", me)
    app.router.add_get("/maybe", maybe)
    app.router.add_get("/moderate", moderate)
    c: Client = await aiohttp_client(app)
    return c


async def test_roles_travel_in_the_token(keys: TestKeys, verifier: JwksVerifier) -> None:
    assert (await verifier.verify(keys.mint("u1"))).roles == frozenset()
    principal = await verifier.verify(keys.mint("u1", roles=["moderator"]))
    assert principal.has_role("moderator")


@pytest.mark.parametrize("roles", ["moderator", [1], {"moderator": True}])
async def test_malformed_roles_refuse_the_token(
    keys: TestKeys, verifier: JwksVerifier, roles: Any
) -> None:
    with pytest.raises(InvalidToken, match="roles"):
        await verifier.verify(keys.mint("u1", roles=roles))


async def test_a_role_route_is_403_without_the_role(client: Client, keys: TestKeys) -> None:
    plain = {"Authorization": f"Bearer {keys.mint('u1')}"}
    moderator = {"Authorization": f"Bearer {keys.mint('u2', roles=['moderator'])}"}
    assert (await client.get("/moderate")).status == 401
    refused = await client.get("/moderate", headers=plain)
    assert refused.status == 403
    assert (await refused.json())["type"].endswith("/role-required")
    assert await (await client.get("/moderate", headers=moderator)).json() == {"user_id": "u2"}


async def test_require_user_accepts_a_bearer_token(client: Client, keys: TestKeys) -> None:
    response = await client.get("/me", headers={"Authorization": f"Bearer {keys.mint('u9')}"})
    assert await response.json() == {"user_id": "u9"}


async def test_no_token_is_401_with_a_bare_challenge(client: Client) -> None:
    response = await client.get("/me")
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="jumo"'
    body = await response.json(content_type=PROBLEM_CONTENT_TYPE)
    assert body["type"] == "https://jumo.example/problems/unauthorized"


async def test_a_forged_token_is_401_invalid_token(client: Client, keys: TestKeys) -> None:
    headers = {"Authorization": f"Bearer {keys.forge_unsigned()}"}
    response = await client.get("/me", headers=headers)
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="jumo", error="invalid_token"'


async def test_another_scheme_is_401_invalid_request(client: Client) -> None:
    response = await client.get("/me", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert response.status == 401
    assert 'error="invalid_request"' in response.headers["WWW-Authenticate"]


async def test_optional_user(client: Client, keys: TestKeys) -> None:
    assert await (await client.get("/maybe")).json() == {"user_id": None}
    headers = {"Authorization": f"Bearer {keys.mint('u3')}"}
    assert await (await client.get("/maybe", headers=headers)).json() == {"user_id": "u3"}
    bad = {"Authorization": f"Bearer {keys.mint(aud='x')}"}
    assert (await client.get("/maybe", headers=bad)).status == 401


def test_pinning_alone_would_refuse_hs256_too(keys: TestKeys) -> None:
    """Defence in depth: even past our header check, PyJWT with EdDSA pinned says no."""
    public = keys.jwks()["keys"][0]
    with pytest.raises(pyjwt.InvalidAlgorithmError):
        pyjwt.decode(
            keys.forge_hs256_with_public_key(),
            pyjwt.PyJWK(public).key,
            algorithms=["EdDSA"],
            audience=keys.audience,
        )


async def test_routes_declared_with_auth_are_guarded_and_documented(
    aiohttp_client: Any, keys: TestKeys, verifier: JwksVerifier
) -> None:
    async def secret(request: web.Request) -> web.Response:
        principal = await require_user(request)  # the guard's answer, cached on the request
        return json_response({"user_id": principal.user_id})

    app = create_base_app(ServiceSettings(service_name="demo"))
    app[JWT_VERIFIER] = verifier
    add_route(app, "GET", "/secret", secret, auth=True, summary="Guarded")
    client: Client = await aiohttp_client(app)
    assert (await client.get("/secret")).status == 401
    headers = {"Authorization": f"Bearer {keys.mint('u5')}"}
    assert await (await client.get("/secret", headers=headers)).json() == {"user_id": "u5"}
    assert keys.jwks_requests == 1
    doc = await (await client.get("/openapi.json")).json()
    operation = doc["paths"]["/secret"]["get"]
    assert operation["security"] == [{"bearerAuth": []}]
    assert "401" in operation["responses"]


async def test_jwt_context_verifies_against_a_served_jwks(
    aiohttp_client: Any, keys: TestKeys
) -> None:
    async with keys.serve() as jwks_url:
        settings = ServiceSettings(
            service_name="orgs", jwks_url=jwks_url, jwt_issuer=keys.issuer, jwt_audience="jumo"
        )
        app = create_base_app(settings)
        app.cleanup_ctx.append(jwt_context(settings))
        add_route(app, "GET", "/me", me, auth=True)
        client: Client = await aiohttp_client(app)
        headers = {"Authorization": f"Bearer {keys.mint('u8')}"}
        assert await (await client.get("/me", headers=headers)).json() == {"user_id": "u8"}
        assert keys.jwks_requests == 1
