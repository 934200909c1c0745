"""appsecret_proof: required, wrong, time-stamped; tokens in the header or the query."""

from __future__ import annotations

import time

import pytest

from jumo_facebook import FacebookClient, FacebookInvalidParameterError
from jumo_facebook.sandbox.testing import SandboxControl, running_sandbox, test_config
from jumo_facebook.security import appsecret_proof

PROOF_MISSING = {
    "message": "API calls from the server require an appsecret_proof argument",
    "type": "GraphMethodException",
    "code": 100,
}


async def _token(sandbox: SandboxControl) -> str:
    ann = await sandbox.create_test_user("Ann")
    assert ann.access_token is not None
    return ann.access_token


async def test_missing_proof_is_refused_when_required(sandbox: SandboxControl) -> None:
    status, body = await sandbox.graph("GET", "/me", await _token(sandbox), proof=False)
    assert status == 400
    assert {k: v for k, v in body["error"].items() if k != "fbtrace_id"} == PROOF_MISSING


async def test_missing_proof_is_accepted_when_not_required() -> None:
    async with running_sandbox(test_config(require_proof=False)) as sandbox:
        status, _ = await sandbox.graph("GET", "/me", await _token(sandbox), proof=False)
    assert status == 200


async def test_wrong_proof_is_refused_even_when_not_required() -> None:
    async with running_sandbox(test_config(require_proof=False)) as sandbox:
        token = await _token(sandbox)
        async with FacebookClient(sandbox.client_settings(app_secret="not-ours")) as fb:
            with pytest.raises(FacebookInvalidParameterError) as caught:
                await fb.me(token)
    assert caught.value.message == "Invalid appsecret_proof provided in the API argument"


async def test_time_stamped_proof(sandbox: SandboxControl) -> None:
    token = await _token(sandbox)
    async with FacebookClient(sandbox.client_settings(proof_with_time=True)) as fb:
        assert (await fb.me(token)).name == "Ann"


async def test_stale_time_stamped_proof_is_refused(sandbox: SandboxControl) -> None:
    token = await _token(sandbox)
    stamp = int(time.time()) - 3600
    proof = appsecret_proof(sandbox.config.app_secret, token, stamp)
    params = {"appsecret_proof": proof, "appsecret_time": str(stamp)}
    status, body = await sandbox.graph("GET", "/me", token, params, proof=False)
    assert (status, body["error"]["code"]) == (400, 100)


async def test_token_in_query_or_header(sandbox: SandboxControl) -> None:
    token = await _token(sandbox)
    proof = appsecret_proof(sandbox.config.app_secret, token)
    for scheme in ("OAuth", "Bearer"):
        async with sandbox.http.get(
            f"{sandbox.url}/v26.0/me",
            params={"appsecret_proof": proof},
            headers={"Authorization": f"{scheme} {token}"},
        ) as response:
            assert response.status == 200
    status, _ = await sandbox.graph("GET", "/me", token)
    assert status == 200


async def test_no_token_at_all(sandbox: SandboxControl) -> None:
    status, body = await sandbox.graph("GET", "/me")
    assert (status, body["error"]["code"]) == (400, 2500)
