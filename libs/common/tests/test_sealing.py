"""jumo_common.sealing: a sealed value opens only with its key and its context, and a value
sealed before the move (identity's stored tokens) still opens."""

from __future__ import annotations

import base64
import secrets

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from jumo_common.sealing import NONCE_BYTES, Sealer, SealError


def test_a_sealed_value_opens_in_its_context_only() -> None:
    sealer = Sealer(secrets.token_bytes(32))
    sealed = sealer.seal("EAAtoken", "page-token:o1")
    assert "EAAtoken" not in sealed
    assert sealer.open(sealed, "page-token:o1") == "EAAtoken"
    with pytest.raises(SealError, match=r"page-token$"):
        sealer.open(sealed, "page-token:o2")
    with pytest.raises(SealError):
        Sealer(secrets.token_bytes(32)).open(sealed, "page-token:o1")


def test_each_seal_has_a_fresh_nonce_and_tampering_is_refused() -> None:
    sealer = Sealer(secrets.token_bytes(32))
    first, second = sealer.seal("same", "c:1"), sealer.seal("same", "c:1")
    assert first != second
    raw = bytearray(base64.b64decode(first))
    raw[-1] ^= 1
    with pytest.raises(SealError):
        sealer.open(base64.b64encode(bytes(raw)).decode(), "c:1")
    with pytest.raises(SealError):
        sealer.open("not base64 at all!", "c:1")


def test_the_format_is_nonce_then_aes_gcm_with_the_context_as_associated_data() -> None:
    key = secrets.token_bytes(32)
    nonce = secrets.token_bytes(NONCE_BYTES)
    written_elsewhere = base64.b64encode(nonce + AESGCM(key).encrypt(nonce, b"v", b"ctx:1"))
    assert Sealer(key).open(written_elsewhere.decode(), "ctx:1") == "v"
