"""The keys that sign volunteers' records: made once, kept across restarts, rotated without
breaking what was signed before — on MongoDB and in memory; verified with plain PyJWT."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from cryptography.exceptions import InvalidTag

from jumo_orgs.signing import KeySealer, RecordKeys
from jumo_orgs.signing_store import MongoSigningKeyStore, SigningKeyStore

from .memory_record import MemorySigningKeyStore

TYP = "jumo-volunteering+jws"


@pytest.fixture(params=["mongo", "memory"])
async def store(request: pytest.FixtureRequest, mongo_db: Any) -> SigningKeyStore:
    """The MongoDB key store on this test's database, or the memory twin."""
    return MongoSigningKeyStore(mongo_db) if request.param == "mongo" else MemorySigningKeyStore()


def verified(token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """The claims of ``token``, verified the way anyone would: PyJWT and the JWKS."""
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWKSet.from_dict(jwks)[kid]
    claims: dict[str, Any] = jwt.decode(token, key, algorithms=["EdDSA"])
    return claims


async def test_the_first_key_is_made_once_and_kept_across_restarts(store: SigningKeyStore) -> None:
    first, second = RecordKeys(store), RecordKeys(store)
    kids = await asyncio.gather(*(keys.current() for keys in (first, second, first)))
    assert len({key.kid for key in kids}) == 1  # concurrent first uses agree on one key
    token = await first.sign({"sub": "ann"}, typ=TYP)
    restarted = RecordKeys(store)
    assert verified(token, await restarted.jwks())["sub"] == "ann"
    assert (await restarted.current()).kid == kids[0].kid
    assert jwt.get_unverified_header(token) == {"alg": "EdDSA", "kid": kids[0].kid, "typ": TYP}


async def test_rotation_keeps_old_keys_in_the_jwks(store: SigningKeyStore) -> None:
    keys = RecordKeys(store, cache_ttl_s=0)
    old = await keys.sign({"sub": "ann"}, typ=TYP)
    new_kid = await keys.rotate()
    new = await keys.sign({"sub": "bob"}, typ=TYP)
    assert jwt.get_unverified_header(new)["kid"] == new_kid
    jwks = await RecordKeys(store).jwks()
    assert next(k["kid"] for k in jwks["keys"]) == new_kid
    assert len(jwks["keys"]) == 2
    assert all("d" not in k for k in jwks["keys"])  # never a private half
    assert verified(old, jwks)["sub"] == "ann"
    assert verified(new, jwks)["sub"] == "bob"


async def test_a_key_saved_by_a_process_that_lost_the_race_is_never_published(
    store: SigningKeyStore,
) -> None:
    keys = RecordKeys(store)
    await keys.current()
    await store.save_key("orphan", "not a pem", datetime.now(UTC))
    assert not await store.add_ring_version(1, "orphan", datetime.now(UTC))
    assert "orphan" not in [k["kid"] for k in (await RecordKeys(store).jwks())["keys"]]


async def test_keys_are_sealed_at_rest_when_a_secret_is_set(store: SigningKeyStore) -> None:
    plain = RecordKeys(store)
    old = await plain.sign({"sub": "ann"}, typ=TYP)  # made before the secret was set
    sealer = KeySealer(secrets.token_bytes(32))
    sealed = RecordKeys(store, sealer=sealer, cache_ttl_s=0)
    kid = await sealed.rotate()
    [stored] = await store.keys([kid])
    assert stored["private_pem"].startswith("sealed:")
    assert "PRIVATE KEY" not in stored["private_pem"]
    restarted = RecordKeys(store, sealer=sealer)
    token = await restarted.sign({"sub": "bob"}, typ=TYP)
    jwks = await restarted.jwks()
    assert verified(token, jwks)["sub"] == "bob"
    assert verified(old, jwks)["sub"] == "ann"  # the unsealed older key still opens
    with pytest.raises(ValueError, match="RECORD_KEY_SECRET"):
        await RecordKeys(store).current()  # a sealed key needs the secret
    with pytest.raises(InvalidTag):
        await RecordKeys(store, sealer=KeySealer(secrets.token_bytes(32))).current()
