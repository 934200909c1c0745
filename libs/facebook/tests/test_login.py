"""Login: the dialog URL, the code exchange and its errors, long-lived tokens, debug_token."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from jumo_facebook import (
    FacebookAppCredentialsError,
    FacebookClient,
    FacebookForeignTokenError,
    FacebookInvalidParameterError,
    FacebookTokenError,
    TokenProblem,
    code_challenge_s256,
    make_code_verifier,
)
from jumo_facebook.sandbox.testing import (
    TEST_APP_ID,
    TEST_CALLBACK,
    TEST_OTHER_CALLBACK,
    SandboxControl,
)


async def _code(
    sandbox: SandboxControl, redirect_uri: str = TEST_CALLBACK, **options: object
) -> str:
    ann = await sandbox.create_test_user("Ann Example", installed=False)
    login = await sandbox.login(ann.id, redirect_uri=redirect_uri, **options)
    return str(login["code"])


def test_login_dialog_url_carries_what_facebook_needs(fb: FacebookClient) -> None:
    start = fb.start_login(TEST_CALLBACK)
    parts = urlsplit(start.url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert parts.path == "/v26.0/dialog/oauth"
    assert query == {
        "client_id": TEST_APP_ID,
        "redirect_uri": TEST_CALLBACK,
        "state": start.state,
        "response_type": "code",
        "scope": "public_profile,email,user_friends",
        # PKCE is on by default (FacebookSettings.use_pkce).
        "code_challenge": code_challenge_s256(start.code_verifier or ""),
        "code_challenge_method": "S256",
    }
    assert start.code_verifier is not None


def test_pkce_and_rerequest_in_the_dialog_url(sandbox: SandboxControl) -> None:
    client = FacebookClient(sandbox.client_settings(use_pkce=True))
    start = client.start_login(TEST_CALLBACK, ["email"], rerequest=True)
    query = {k: v[0] for k, v in parse_qs(urlsplit(start.url).query).items()}
    assert start.code_verifier is not None
    assert query["code_challenge"] == code_challenge_s256(start.code_verifier)
    assert query["code_challenge_method"] == "S256"
    assert query["auth_type"] == "rerequest"


def test_pkce_helpers_follow_rfc_7636() -> None:
    verifier = make_code_verifier()
    assert 43 <= len(verifier) <= 128
    # RFC 7636 appendix B.
    rfc_verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert code_challenge_s256(rfc_verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


async def test_code_exchange_gives_a_user_token(
    sandbox: SandboxControl, fb: FacebookClient
) -> None:
    token = await fb.exchange_code(await _code(sandbox), TEST_CALLBACK)
    assert token.token_type == "bearer"
    assert token.expires_in == 5183944
    assert (await fb.me(token.access_token)).name == "Ann Example"


async def test_a_code_works_once(sandbox: SandboxControl, fb: FacebookClient) -> None:
    code = await _code(sandbox)
    await fb.exchange_code(code, TEST_CALLBACK)
    with pytest.raises(FacebookInvalidParameterError) as caught:
        await fb.exchange_code(code, TEST_CALLBACK)
    assert (caught.value.code, caught.value.subcode, caught.value.http_status) == (100, 36009, 400)


async def test_redirect_uri_must_be_identical(sandbox: SandboxControl, fb: FacebookClient) -> None:
    code = await _code(sandbox)
    with pytest.raises(FacebookInvalidParameterError) as caught:
        await fb.exchange_code(code, TEST_OTHER_CALLBACK)
    assert caught.value.subcode == 36008
    # The failed attempt did not spend the code.
    assert (await fb.exchange_code(code, TEST_CALLBACK)).access_token


async def test_an_old_code_has_expired(sandbox: SandboxControl, fb: FacebookClient) -> None:
    code = await _code(sandbox)
    await sandbox.advance_clock(601)
    with pytest.raises(FacebookInvalidParameterError) as caught:
        await fb.exchange_code(code, TEST_CALLBACK)
    assert caught.value.subcode == 36007


async def test_a_made_up_code_is_a_bad_parameter(fb: FacebookClient) -> None:
    with pytest.raises(FacebookInvalidParameterError) as caught:
        await fb.exchange_code("not-a-code", TEST_CALLBACK)
    assert caught.value.subcode is None


async def test_wrong_app_secret_is_a_credentials_error(sandbox: SandboxControl) -> None:
    code = await _code(sandbox)
    async with FacebookClient(sandbox.client_settings(app_secret="wrong")) as client:
        with pytest.raises(FacebookAppCredentialsError) as caught:
            await client.exchange_code(code, TEST_CALLBACK)
    assert (caught.value.code, caught.value.error_type) == (1, "OAuthException")


async def test_pkce_verifier_is_checked(sandbox: SandboxControl, fb: FacebookClient) -> None:
    verifier = make_code_verifier()
    challenge = code_challenge_s256(verifier)
    code = await _code(sandbox, code_challenge=challenge)
    with pytest.raises(FacebookInvalidParameterError):
        await fb.exchange_code(code, TEST_CALLBACK)
    with pytest.raises(FacebookInvalidParameterError):
        await fb.exchange_code(code, TEST_CALLBACK, code_verifier=make_code_verifier())
    token = await fb.exchange_code(code, TEST_CALLBACK, code_verifier=verifier)
    assert token.access_token


async def test_long_lived_exchange(sandbox: SandboxControl, fb: FacebookClient) -> None:
    short = await fb.exchange_code(await _code(sandbox), TEST_CALLBACK)
    long = await fb.exchange_long_lived(short.access_token)
    assert long.access_token != short.access_token
    assert long.expires_in is not None
    assert (await fb.verify_token(long.access_token)).is_valid


async def test_long_lived_exchange_of_garbage_is_a_token_error(fb: FacebookClient) -> None:
    with pytest.raises(FacebookTokenError):
        await fb.exchange_long_lived("EAAnothing")


async def test_debug_token_describes_our_token(sandbox: SandboxControl, fb: FacebookClient) -> None:
    ann = await sandbox.create_test_user("Ann Example")
    assert ann.access_token is not None
    info = await fb.verify_token(ann.access_token)
    assert (info.app_id, info.user_id) == (TEST_APP_ID, ann.id)
    assert set(info.scopes) == {"public_profile", "email", "user_friends"}


async def test_token_issued_to_another_app_is_refused(
    sandbox: SandboxControl, fb: FacebookClient
) -> None:
    ann = await sandbox.create_test_user("Ann Example")
    foreign = await sandbox.mint_token(ann.id, app_id="999999999")
    info = await fb.debug_token(foreign)
    assert info.is_valid
    assert info.app_id == "999999999"
    with pytest.raises(FacebookForeignTokenError):
        await fb.verify_token(foreign)


async def test_invalid_token_is_refused(fb: FacebookClient) -> None:
    info = await fb.debug_token("EAAmadeup")
    assert not info.is_valid
    assert info.error is not None
    with pytest.raises(FacebookTokenError) as caught:
        await fb.verify_token("EAAmadeup")
    assert caught.value.problem is TokenProblem.INVALID


async def test_expired_token(sandbox: SandboxControl, fb: FacebookClient) -> None:
    ann = await sandbox.create_test_user("Ann Example")
    assert ann.access_token is not None
    await sandbox.advance_clock(5183944 + 1)
    with pytest.raises(FacebookTokenError) as caught:
        await fb.verify_token(ann.access_token)
    assert caught.value.problem is TokenProblem.EXPIRED
    with pytest.raises(FacebookTokenError) as on_me:
        await fb.me(ann.access_token)
    assert (on_me.value.code, on_me.value.subcode) == (190, 463)


@pytest.mark.parametrize(
    ("subcode", "problem"),
    [(460, TokenProblem.PASSWORD_CHANGED), (467, TokenProblem.LOGGED_OUT)],
)
async def test_invalidated_tokens_say_why(
    sandbox: SandboxControl, fb: FacebookClient, subcode: int, problem: TokenProblem
) -> None:
    ann = await sandbox.create_test_user("Ann Example")
    assert ann.access_token is not None
    await sandbox.invalidate(ann.id, subcode)
    with pytest.raises(FacebookTokenError) as caught:
        await fb.me(ann.access_token)
    assert caught.value.problem is problem
    with pytest.raises(FacebookTokenError) as by_debug:
        await fb.verify_token(ann.access_token)
    assert by_debug.value.problem is problem
