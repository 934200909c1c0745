"""Tokens travel in the Authorization header, never in a URL that a proxy or log could keep."""

from __future__ import annotations

from types import SimpleNamespace

import aiohttp

from jumo_facebook import FacebookClient
from jumo_facebook.sandbox.testing import SandboxControl


async def test_user_and_app_tokens_stay_out_of_urls(sandbox: SandboxControl) -> None:
    urls: list[str] = []

    async def record(
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        urls.append(str(params.url))

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(record)
    ann = await sandbox.create_test_user("Ann")
    assert ann.access_token is not None
    async with aiohttp.ClientSession(trace_configs=[trace]) as http:
        fb = FacebookClient(sandbox.client_settings(), http)
        await fb.me(ann.access_token)
        await fb.verify_token(ann.access_token)
        await fb.friends(ann.access_token)
    assert len(urls) == 3
    for url in urls:
        assert ann.access_token not in url.split("input_token=")[0]
        assert sandbox.config.app_secret not in url
        assert "access_token=" not in url
