"""The pure domain modules, without I/O: profiles, sealing, keys, tokens."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from jumo_common.signing import new_signing_key
from jumo_identity.crypto import Sealer, SealError, sha256_hex
from jumo_identity.profiles import Location, User, changes, may_see_full, normalise_tag
from jumo_identity.schemas import ProfilePatch, public_view
from jumo_identity.signing import KeyRing
from jumo_identity.tokens import TokenPolicy, mint_access_token, new_refresh_token

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _user(**fields: object) -> User:
    base = {"_id": "u1", "facebook_id": "fb1", "display_name": "Ann", "created_at": NOW,
            "updated_at": NOW}  # fmt: skip
    return User.model_validate(base | fields)


@pytest.mark.parametrize(
    ("raw", "tag"),
    [("  Data  Science ", "data-science"), ("first_aid", "first-aid"), ("C++", "c++"),
     ("Node.js", "node.js"), ("ÉDUCATION", "éducation"), ("\uff46\uff55\uff4c\uff4c", "full")],
)  # fmt: skip
def test_tags_are_normalised(raw: str, tag: str) -> None:
    assert normalise_tag(raw) == tag


@pytest.mark.parametrize("raw", ["", "   ", "!!", "a" * 41, "<script>"])
def test_bad_tags_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="tag"):
        normalise_tag(raw)


def test_location_is_coarse() -> None:
    assert Location(lat=38.722252, lng=-9.139337).model_dump() == {
        "city": None, "lat": 38.72, "lng": -9.14,
    }  # fmt: skip


def test_visibility_rule() -> None:
    for visibility, stranger, follower in (
        ("public", True, True), ("followers", False, True), ("private", False, False),
    ):  # fmt: skip
        user = _user(visibility=visibility)
        assert may_see_full(user, viewer_id=None, viewer_follows=False) is stranger
        assert may_see_full(user, viewer_id="u2", viewer_follows=True) is follower
        assert may_see_full(user, viewer_id="u1", viewer_follows=False) is True
    assert public_view(_user(bio="x"), full=False).bio is None


def test_changes_are_only_what_differs() -> None:
    user = _user(bio="same", skills=["a"])
    patch = ProfilePatch.model_validate({"bio": "same", "skills": ["A", "b"]})
    assert changes(user, patch.fields_sent()) == {"skills": ["a", "b"]}
    assert changes(user, ProfilePatch.model_validate({}).fields_sent()) == {}


def test_sealed_values_open_only_in_their_context() -> None:
    sealer = Sealer(secrets.token_bytes(32))
    sealed = sealer.seal("fb-token", "facebook-token:u1")
    assert sealer.open(sealed, "facebook-token:u1") == "fb-token"
    assert "fb-token" not in sealed
    with pytest.raises(SealError):
        sealer.open(sealed, "facebook-token:u2")
    with pytest.raises(SealError):
        Sealer(secrets.token_bytes(32)).open(sealed, "facebook-token:u1")
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    with pytest.raises(SealError):
        sealer.open(tampered, "facebook-token:u1")
    assert (
        sealer.pseudonym("123", "p") == sealer.pseudonym("123", "p") != sealer.pseudonym("123", "q")
    )


def test_access_tokens_verify_with_the_published_key() -> None:
    key = new_signing_key(NOW)
    ring = KeyRing(new_signing_key(NOW + timedelta(days=1)), key)
    assert [k["kid"] for k in ring.jwks()["keys"]] == [ring.current.kid, key.kid]
    policy = TokenPolicy("iss", "aud", timedelta(minutes=15), timedelta(days=30))
    token = mint_access_token(key, policy, "u1", datetime.now(UTC))
    public = jwt.PyJWK(ring.jwks()["keys"][1]).key
    claims = jwt.decode(token, public, algorithms=["EdDSA"], audience="aud", issuer="iss")
    assert claims["sub"] == "u1"


def test_refresh_tokens_are_256_bits_and_kept_as_hashes() -> None:
    policy = TokenPolicy("iss", "aud", timedelta(minutes=15), timedelta(days=30))
    refresh = new_refresh_token("family", policy, NOW)
    assert len(refresh.token) >= 43  # 32 bytes, base64url
    assert refresh.token_hash == sha256_hex(refresh.token) != refresh.token
    assert refresh.expires_at == NOW + timedelta(days=30)
