"""jumo_common.signing: Ed25519 key pairs that round-trip through their PEM, JWKs without the
private half, and compact JWS any JOSE library (here PyJWT, and the kit's parse_jwks) verifies."""

from __future__ import annotations

from datetime import UTC, datetime

import jwt
import pytest

from jumo_common.jwt import parse_jwks
from jumo_common.signing import jwks_of, load_signing_key, new_signing_key, sign_jws

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_a_key_round_trips_through_its_pem() -> None:
    key = new_signing_key(NOW)
    again = load_signing_key(key.kid, key.private_pem(), key.created_at)
    assert again.public_jwk() == key.public_jwk()
    assert key.kid.startswith("20260601120000-")


def test_a_jwks_publishes_public_halves_the_kit_accepts() -> None:
    keys = [new_signing_key(NOW), new_signing_key(NOW)]
    document = jwks_of(keys)
    assert all("d" not in jwk for jwk in document["keys"])
    assert set(parse_jwks(document)) == {k.kid for k in keys}


def test_a_jws_verifies_with_pyjwt_and_only_unchanged() -> None:
    key = new_signing_key(NOW)
    token = sign_jws({"sub": "ann", "hours": 3}, key, typ="example+jws")
    assert jwt.get_unverified_header(token) == {
        "alg": "EdDSA",
        "kid": key.kid,
        "typ": "example+jws",
    }
    public = jwt.PyJWKSet.from_dict(jwks_of([key]))[key.kid]
    assert jwt.decode(token, public, algorithms=["EdDSA"]) == {"sub": "ann", "hours": 3}
    other = jwt.PyJWKSet.from_dict(jwks_of([new_signing_key(NOW)])).keys[0]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, other, algorithms=["EdDSA"])


def test_a_pem_of_another_kind_of_key_is_refused() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key

    pem = generate_private_key(SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()  # fmt: skip
    with pytest.raises(ValueError, match="not Ed25519"):
        load_signing_key("k", pem, NOW)
