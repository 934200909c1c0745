"""Deauthorize and data-deletion callbacks: the sandbox signs, the client verifies."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from jumo_facebook import (
    FacebookClient,
    FacebookTokenError,
    SignedRequest,
    SignedRequestError,
    TokenProblem,
)
from jumo_facebook.sandbox.testing import SandboxControl

CLIENT = web.AppKey("client", FacebookClient)
RECEIVED = web.AppKey("received", list[SignedRequest])


async def _deauthorize(request: web.Request) -> web.Response:
    client = request.app[CLIENT]
    try:
        parsed = client.parse_signed_request(str((await request.post())["signed_request"]))
    except SignedRequestError:
        return web.Response(status=400)
    request.app[RECEIVED].append(parsed)
    return web.Response(status=200)


async def _data_deletion(request: web.Request) -> web.Response:
    client = request.app[CLIENT]
    parsed = client.parse_signed_request(str((await request.post())["signed_request"]))
    request.app[RECEIVED].append(parsed)
    code = f"del-{parsed.user_id}"
    status_page = f"https://jumo.example/deletion/{code}"
    return web.json_response({"url": status_page, "confirmation_code": code})


@pytest.fixture
async def receiver(fb: FacebookClient) -> AsyncIterator[tuple[str, list[SignedRequest]]]:
    """Our side of the callbacks: verifies with the client and records what it got."""
    app = web.Application()
    app[CLIENT], app[RECEIVED] = fb, []
    app.router.add_post("/facebook/deauthorize", _deauthorize)
    app.router.add_post("/facebook/data-deletion", _data_deletion)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/"), app[RECEIVED]
    finally:
        await server.close()


async def test_deauthorize(
    sandbox: SandboxControl, fb: FacebookClient, receiver: tuple[str, list[SignedRequest]]
) -> None:
    url, received = receiver
    ann = await sandbox.create_test_user("Ann")
    answer = await sandbox.send_callback("deauthorize", ann.id, f"{url}/facebook/deauthorize")
    assert answer["status"] == 200
    assert [r.user_id for r in received] == [ann.id]
    assert ann.access_token is not None
    with pytest.raises(FacebookTokenError) as caught:
        await fb.me(ann.access_token)
    assert caught.value.problem is TokenProblem.APP_REMOVED


async def test_data_deletion(
    sandbox: SandboxControl, fb: FacebookClient, receiver: tuple[str, list[SignedRequest]]
) -> None:
    url, received = receiver
    ann = await sandbox.create_test_user("Ann")
    answer = await sandbox.send_callback("data_deletion", ann.id, f"{url}/facebook/data-deletion")
    assert answer["status"] == 200
    body = json.loads(answer["body"])
    assert set(body) == {"url", "confirmation_code"}
    parsed = fb.parse_signed_request(answer["signed_request"])
    assert parsed.expires is not None
    assert len(received) == 1


async def test_a_callback_to_nowhere_is_reported(sandbox: SandboxControl) -> None:
    ann = await sandbox.create_test_user("Ann")
    answer = await sandbox.send_callback("deauthorize", ann.id, "http://127.0.0.1:9/nothing")
    assert answer["status"] is None
    assert answer["error"]


async def test_another_apps_secret_fails_verification(sandbox: SandboxControl) -> None:
    ann = await sandbox.create_test_user("Ann")
    answer = await sandbox.send_callback("deauthorize", ann.id, "http://127.0.0.1:9/nothing")
    async with FacebookClient(sandbox.client_settings(app_secret="another")) as other:
        with pytest.raises(SignedRequestError):
            other.parse_signed_request(answer["signed_request"])
