"""The PKCE downgrade (RFC 9700 §2.1.1): a code issued without a code_challenge is refused when
the token request carries a code_verifier, the way Facebook refuses a code it will not redeem.

The attack: someone crafts a Login dialog URL for our app with no challenge, gets a code for
the victim's account, and injects it into a login whose client holds a verifier (its own login,
started with PKCE). Were the verifier ignored for such a code, PKCE would protect nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from jumo_facebook import (
    FacebookClient,
    FacebookInvalidParameterError,
    code_challenge_s256,
    make_code_verifier,
)
from jumo_facebook.sandbox.testing import (
    TEST_APP_ID,
    TEST_APP_SECRET,
    TEST_CALLBACK,
    SandboxControl,
)


async def _code(sandbox: SandboxControl, **options: object) -> str:
    ann = await sandbox.create_test_user("Ann Example", installed=False)
    login = await sandbox.login(ann.id, redirect_uri=TEST_CALLBACK, **options)
    return str(login["code"])


async def _exchange(sandbox: SandboxControl, code: str, verifier: str) -> tuple[int, Any]:
    """The raw code exchange, as a server would send it, carrying ``code_verifier``."""
    params = {
        "client_id": TEST_APP_ID, "client_secret": TEST_APP_SECRET,
        "redirect_uri": TEST_CALLBACK, "code": code, "code_verifier": verifier,
    }  # fmt: skip
    async with sandbox.http.get(f"{sandbox.url}/v26.0/oauth/access_token", params=params) as r:
        return r.status, await r.json()


async def test_a_verifier_for_a_code_issued_without_a_challenge_is_refused(
    sandbox: SandboxControl, fb: FacebookClient
) -> None:
    code = await _code(sandbox)  # the crafted dialog: no code_challenge

    with pytest.raises(FacebookInvalidParameterError) as caught:
        await fb.exchange_code(code, TEST_CALLBACK, code_verifier=make_code_verifier())

    error = caught.value
    assert (error.http_status, error.code, error.error_type) == (400, 100, "OAuthException")
    assert error.subcode is None
    assert "code_verifier" in str(error)


async def test_the_refusal_has_facebooks_error_shape(sandbox: SandboxControl) -> None:
    status, body = await _exchange(sandbox, await _code(sandbox), make_code_verifier())
    assert status == 400
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "code", "fbtrace_id"}
    assert (body["error"]["type"], body["error"]["code"]) == ("OAuthException", 100)


async def test_an_empty_verifier_counts_as_one(sandbox: SandboxControl) -> None:
    status, body = await _exchange(sandbox, await _code(sandbox), "")
    assert (status, body["error"]["code"]) == (400, 100)


async def test_the_refused_attempt_does_not_spend_the_code_of_a_client_without_pkce(
    sandbox: SandboxControl, fb: FacebookClient
) -> None:
    # Like a wrong redirect_uri: the refusal leaves the code to the client it was issued for
    # (one that never used PKCE and so sends no verifier).
    code = await _code(sandbox)
    with pytest.raises(FacebookInvalidParameterError):
        await fb.exchange_code(code, TEST_CALLBACK, code_verifier=make_code_verifier())

    token = await fb.exchange_code(code, TEST_CALLBACK)
    assert token.access_token


async def test_pkce_still_works_both_ways(sandbox: SandboxControl, fb: FacebookClient) -> None:
    verifier = make_code_verifier()
    with_challenge = await _code(sandbox, code_challenge=code_challenge_s256(verifier))
    assert (
        await fb.exchange_code(with_challenge, TEST_CALLBACK, code_verifier=verifier)
    ).access_token
    without = await _code(sandbox)
    assert (await fb.exchange_code(without, TEST_CALLBACK)).access_token
