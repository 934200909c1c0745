"""The gateway's routes to notifier: /notifications, /facebook-pages and notifier's OpenAPI
document, with a real Jumo service (jumo_common's base app) standing in for notifier."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from e2e_support import GatewayFactory, ServiceBehindGateway, access_log, free_port
from test_gateway import assert_gateway_problem, bearer, fetch

from jumo_common.testing.wait import wait_until

NOTIFIER_PATHS = [
    "/notifications",
    "/notifications/",
    "/notifications/unread-count",
    "/notifications/stream",
    "/notifications/preferences",
    "/notifications/blocked/u1",
    "/notifications/unsubscribe",
    "/facebook-pages",
    "/facebook-pages/o1",
    "/facebook-pages/o1/login",
    "/facebook-pages/callback",
]


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain client: no cookies kept, redirects not followed."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        yield session


async def test_notifier_s_paths_reach_notifier(
    http: aiohttp.ClientSession, start_gateway: GatewayFactory, service: ServiceBehindGateway
) -> None:
    # The stand-in answers as notifier: its own 404 problem names the path (nginx's has no
    # `instance`), and the access log names the upstream.
    gateway = await asyncio.to_thread(
        start_gateway, {"identity": f"127.0.0.1:{free_port()}", "notifier": service.address}
    )
    for path in NOTIFIER_PATHS:
        status, headers, body = await fetch(http, "GET", f"{gateway.url}{path}?token=t")
        assert (status, headers["Content-Type"]) == (404, "application/problem+json"), path
        assert body["instance"] == path
        assert headers.getall("X-Content-Type-Options") == ["nosniff"]

    async def logged() -> list[dict[str, Any]]:
        lines = access_log(gateway)
        return lines if len(lines) == len(NOTIFIER_PATHS) else []

    lines = await wait_until(logged, timeout=5, what="the notifier requests in the access log")
    assert {line["upstream"] for line in lines} == {"notifier"}
    assert {line["upstream_addr"] for line in lines} == {service.address}
    # Only the stream says that no proxy may buffer it.
    _, headers, _ = await fetch(http, "GET", f"{gateway.url}/notifications")
    assert "X-Accel-Buffering" not in headers


@pytest.mark.parametrize(
    "path", ["/notificationsx", "/notification", "/facebook-page", "/facebook-pagesx/callback"]
)
async def test_paths_that_only_look_like_notifier_s_are_gateway_problems(
    http: aiohttp.ClientSession,
    start_gateway: GatewayFactory,
    service: ServiceBehindGateway,
    path: str,
) -> None:
    gateway = await asyncio.to_thread(start_gateway, {"notifier": service.address})
    status, headers, body = await fetch(http, "GET", f"{gateway.url}{path}")
    assert_gateway_problem(status, headers, body, 404)
    assert "instance" not in body


async def test_facebook_stays_identity_s(
    http: aiohttp.ClientSession, start_gateway: GatewayFactory, service: ServiceBehindGateway
) -> None:
    # /facebook/… (identity's deauthorize and data-deletion callbacks) is not /facebook-pages.
    gateway = await asyncio.to_thread(
        start_gateway, {"identity": service.address, "notifier": f"127.0.0.1:{free_port()}"}
    )
    assert (await fetch(http, "GET", f"{gateway.url}/facebook/_probe"))[0] == 200


async def test_notifier_openapi_document_is_exposed(
    http: aiohttp.ClientSession, start_gateway: GatewayFactory, service: ServiceBehindGateway
) -> None:
    gateway = await asyncio.to_thread(start_gateway, {"notifier": service.address})
    status, headers, body = await fetch(http, "GET", f"{gateway.url}/openapi/notifier.json")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert body["openapi"].startswith("3.1")


async def test_notifier_down_is_a_502_problem_naming_notifier(
    http: aiohttp.ClientSession, start_gateway: GatewayFactory
) -> None:
    gateway = await asyncio.to_thread(start_gateway, {"notifier": f"127.0.0.1:{free_port()}"})
    calls = [
        ("GET", "/notifications"),
        ("GET", "/notifications/stream"),
        ("POST", "/notifications/read-all"),
        ("GET", "/facebook-pages/callback"),
        ("POST", "/facebook-pages/o1/login"),
        ("GET", "/openapi/notifier.json"),
    ]
    for method, path in calls:
        status, headers, body = await fetch(http, method, f"{gateway.url}{path}")
        assert_gateway_problem(status, headers, body, 502)
        assert body["service"] == "notifier"


async def test_writes_to_notifier_are_limited_per_token_and_one_click_unsubscribe_is_not(
    http: aiohttp.ClientSession, start_gateway: GatewayFactory, service: ServiceBehindGateway
) -> None:
    gateway = await asyncio.to_thread(
        start_gateway, {"notifier": service.address}, write_rate="1r/m", write_burst=1
    )
    ann = bearer("a")
    url = f"{gateway.url}/notifications/read-all"
    statuses = [(await fetch(http, "POST", url, headers=ann))[0] for _ in range(3)]
    assert statuses == [404, 404, 429]
    # RFC 8058: a mail provider POSTs List-Unsubscribe=One-Click, with no credentials.
    one_click = {"data": {"List-Unsubscribe": "One-Click"}}
    unsubscribe = f"{gateway.url}/notifications/unsubscribe?token=signed"
    statuses = [(await fetch(http, "POST", unsubscribe, **one_click))[0] for _ in range(4)]
    assert statuses == [404, 404, 404, 404]


async def test_the_page_linking_callback_is_limited_per_address_like_identity_s(
    http: aiohttp.ClientSession, start_gateway: GatewayFactory, service: ServiceBehindGateway
) -> None:
    gateway = await asyncio.to_thread(
        start_gateway, {"notifier": service.address}, auth_rate="1r/m", auth_burst=1
    )
    url = f"{gateway.url}/facebook-pages/callback?code=SECRET-CODE&state=SECRET-STATE"
    statuses = [(await fetch(http, "GET", url))[0] for _ in range(3)]
    assert statuses == [404, 404, 429]
    assert (await fetch(http, "GET", f"{gateway.url}/facebook-pages/o1"))[0] == 404  # not limited

    async def four_logged() -> bool:
        return len(access_log(gateway)) == 4

    await wait_until(four_logged, timeout=5, what="four lines in the access log")
    for log in (gateway.access_log, gateway.error_log):
        assert "SECRET" not in log.read_text()
