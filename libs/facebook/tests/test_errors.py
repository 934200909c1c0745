"""Every error category, decided by Facebook's code (never the HTTP status), and timeouts."""

from __future__ import annotations

import socket

import pytest
from pydantic import SecretStr

from jumo_facebook import (
    FacebookBlockedError,
    FacebookClient,
    FacebookDuplicatePostError,
    FacebookError,
    FacebookInvalidParameterError,
    FacebookPermissionError,
    FacebookRateLimitedError,
    FacebookSettings,
    FacebookTokenError,
    FacebookTransientError,
    FacebookUnavailableError,
    TokenProblem,
)
from jumo_facebook.sandbox.testing import SandboxControl, running_sandbox, test_config

ME = "/v26.0/me"


async def _token(sandbox: SandboxControl) -> str:
    ann = await sandbox.create_test_user("Ann")
    assert ann.access_token is not None
    return ann.access_token


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        (1, 500, FacebookTransientError),
        (2, 500, FacebookTransientError),
        (4, 400, FacebookRateLimitedError),
        (17, 400, FacebookRateLimitedError),
        (32, 400, FacebookRateLimitedError),
        (341, 400, FacebookRateLimitedError),
        (613, 400, FacebookRateLimitedError),
        (10, 400, FacebookPermissionError),
        (200, 403, FacebookPermissionError),
        (299, 400, FacebookPermissionError),
        (100, 400, FacebookInvalidParameterError),
        (102, 400, FacebookTokenError),
        (190, 400, FacebookTokenError),
        (368, 400, FacebookBlockedError),
        (506, 400, FacebookDuplicatePostError),
        # Decided by code: a 190 that arrives with a 500 is still a token problem.
        (190, 500, FacebookTokenError),
    ],
)
async def test_error_category_by_code(
    sandbox: SandboxControl,
    fb: FacebookClient,
    code: int,
    status: int,
    expected: type[FacebookError],
) -> None:
    token = await _token(sandbox)
    await sandbox.fail(ME, code=code, status=status, is_transient=code in (1, 2))
    with pytest.raises(expected) as caught:
        await fb.me(token)
    assert type(caught.value) is expected
    assert (caught.value.code, caught.value.http_status) == (code, status)
    assert caught.value.fbtrace_id
    # One injected failure only: the next call succeeds.
    assert (await fb.me(token)).name == "Ann"


@pytest.mark.parametrize(
    ("subcode", "problem"),
    [
        (458, TokenProblem.APP_REMOVED),
        (460, TokenProblem.PASSWORD_CHANGED),
        (463, TokenProblem.EXPIRED),
        (467, TokenProblem.LOGGED_OUT),
        (None, TokenProblem.INVALID),
    ],
)
async def test_token_subcode_meaning(
    sandbox: SandboxControl, fb: FacebookClient, subcode: int | None, problem: TokenProblem
) -> None:
    token = await _token(sandbox)
    await sandbox.fail(ME, code=190, subcode=subcode)
    with pytest.raises(FacebookTokenError) as caught:
        await fb.me(token)
    assert caught.value.problem is problem


async def test_invalid_parameter_carries_its_subcode(
    sandbox: SandboxControl, fb: FacebookClient
) -> None:
    token = await _token(sandbox)
    await sandbox.fail(ME, code=100, subcode=33)
    with pytest.raises(FacebookInvalidParameterError) as caught:
        await fb.me(token)
    assert caught.value.subcode == 33


async def test_unknown_code_is_the_base_error(sandbox: SandboxControl, fb: FacebookClient) -> None:
    token = await _token(sandbox)
    await sandbox.fail(ME, code=1609005)
    with pytest.raises(FacebookError) as caught:
        await fb.me(token)
    assert type(caught.value) is FacebookError


async def test_rate_limit_says_how_long_to_wait(
    sandbox: SandboxControl, fb: FacebookClient
) -> None:
    scopes = ("pages_show_list", "pages_manage_posts", "pages_read_engagement")
    ann = await sandbox.create_test_user("Ann", permissions=scopes)
    page = await sandbox.create_page(ann.id, "Clean Water Now")
    await sandbox.fail(f"/v26.0/{page.id}/feed", code=32, regain_minutes=7)
    with pytest.raises(FacebookRateLimitedError) as caught:
        await fb.post_to_page(page.id, page.access_token, "Ann joined")
    assert caught.value.retry_after == 7 * 60
    assert fb.last_usage is not None
    assert fb.last_usage.max_percent == 100


async def test_app_budget_exhausted_is_rate_limited() -> None:
    async with running_sandbox(test_config(app_call_limit=3)) as sandbox:
        token = await _token(sandbox)
        async with FacebookClient(sandbox.client_settings()) as fb:
            for _ in range(3):
                await fb.me(token)
            usage = fb.last_usage
            # The headers said so before the limit was hit.
            assert usage is not None
            assert usage.max_percent == 100
            with pytest.raises(FacebookRateLimitedError) as caught:
                await fb.me(token)
    assert caught.value.code == 4


async def test_app_budget_grows_with_the_apps_users() -> None:
    async with running_sandbox(test_config(app_call_limit=3, app_calls_per_user=2)) as sandbox:
        token = await _token(sandbox)  # one test user: the budget is still the floor, 3
        await sandbox.create_test_user("Ben")
        await sandbox.create_test_user("Chloe")  # three users: 2 calls each, 6
        async with FacebookClient(sandbox.client_settings()) as fb:
            for _ in range(6):
                await fb.me(token)
            assert fb.last_usage is not None
            assert fb.last_usage.max_percent == 100
            with pytest.raises(FacebookRateLimitedError) as caught:
                await fb.me(token)
    assert caught.value.code == 4


async def test_latency_beyond_the_timeout_is_unavailable(sandbox: SandboxControl) -> None:
    token = await _token(sandbox)
    await sandbox.fail(ME, latency_ms=2000)
    async with FacebookClient(sandbox.client_settings(timeout_s=0.2)) as fb:
        with pytest.raises(FacebookUnavailableError):
            await fb.me(token)


async def test_latency_within_the_timeout_is_fine(sandbox: SandboxControl) -> None:
    token = await _token(sandbox)
    await sandbox.fail(ME, latency_ms=50)
    async with FacebookClient(sandbox.client_settings(timeout_s=5)) as fb:
        assert (await fb.me(token)).name == "Ann"


async def test_nobody_listening_is_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # The port was free a moment ago and nothing listens on it now.
    settings = FacebookSettings(
        app_id="1", app_secret=SecretStr("s"), graph_url=f"http://127.0.0.1:{port}", timeout_s=2
    )
    async with FacebookClient(settings) as fb:
        with pytest.raises(FacebookUnavailableError) as caught:
            await fb.exchange_code("c", "https://x/cb")
    assert "client_secret" not in str(caught.value)


async def test_an_answer_that_is_not_json_is_unavailable(sandbox: SandboxControl) -> None:
    # The sandbox's HTML pages stand in for a proxy's error page.
    settings = sandbox.client_settings(graph_url=f"{sandbox.url}/logout.php?x=")
    async with FacebookClient(settings) as fb:
        with pytest.raises(FacebookUnavailableError):
            await fb.me("EAAx")
