"""The gateway alone: real nginx in front of a real Jumo service (jumo_common's base app)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from e2e_support import GatewayFactory, ServiceBehindGateway, access_log, free_port
from jumo_gateway import Gateway
from multidict import CIMultiDictProxy

from jumo_common.testing.wait import wait_until
from jumo_common.web.problems import problem_type, status_slug, status_title

MiB = 1024 * 1024
HEX_ID = re.compile(r"^[0-9a-f]{32}$")
Headers = CIMultiDictProxy[str]


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain client: no cookies kept, redirects not followed."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        yield session


async def fetch(
    http: aiohttp.ClientSession, method: str, url: str, **kwargs: Any
) -> tuple[int, Headers, Any]:
    """Status, headers and the JSON body of one request."""
    async with http.request(method, url, allow_redirects=False, **kwargs) as response:
        return response.status, response.headers, await response.json(content_type=None)


def assert_gateway_problem(status: int, headers: Headers, body: Any, expected: int) -> None:
    """A problem+json answer of nginx's own, shaped like jumo_common's for the same status."""
    assert status == expected
    assert headers["Content-Type"] == "application/problem+json"
    assert body["type"] == problem_type(status_slug(expected))
    assert body["title"] == status_title(expected)
    assert body["status"] == expected
    assert body["request_id"] == headers["X-Request-Id"]


@pytest.mark.parametrize("prefix", ["/auth", "/users", "/facebook", "/.well-known"])
async def test_identity_prefixes_reach_identity(
    http: aiohttp.ClientSession, gateway: Gateway, prefix: str
) -> None:
    status, _, body = await fetch(http, "GET", f"{gateway.url}{prefix}/_probe")
    assert status == 200
    assert body["body_bytes"] == 0


async def test_identity_openapi_document_is_exposed(
    http: aiohttp.ClientSession, gateway: Gateway
) -> None:
    status, headers, body = await fetch(http, "GET", f"{gateway.url}/openapi/identity.json")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert body["openapi"].startswith("3.1")


async def test_a_service_problem_passes_through_untouched(
    http: aiohttp.ClientSession, gateway: Gateway
) -> None:
    status, headers, body = await fetch(http, "GET", f"{gateway.url}/users/no-such-route")
    assert status == 404
    assert headers["Content-Type"] == "application/problem+json"
    # Answered by the service (its problem names the path), not by nginx's own 404 page.
    assert body["instance"] == "/users/no-such-route"


async def test_unknown_prefix_is_a_gateway_problem(
    http: aiohttp.ClientSession, gateway: Gateway
) -> None:
    status, headers, body = await fetch(http, "GET", f"{gateway.url}/nothing/here")
    assert_gateway_problem(status, headers, body, 404)


async def test_every_request_gets_a_fresh_id_that_the_service_receives(
    http: aiohttp.ClientSession, gateway: Gateway
) -> None:
    ids = []
    for _ in range(2):
        _, headers, body = await fetch(
            http, "GET", f"{gateway.url}/users/_probe", headers={"X-Request-Id": "client-chosen"}
        )
        assert HEX_ID.match(headers["X-Request-Id"])
        assert body["headers"]["X-Request-Id"] == headers["X-Request-Id"]
        ids.append(headers["X-Request-Id"])
    assert ids[0] != ids[1]

    async def logged() -> list[dict[str, Any]]:
        return [line for line in access_log(gateway) if line["request_id"] in ids]

    lines = await wait_until(logged, timeout=5, what="both requests in the access log")
    assert {line["client_request_id"] for line in lines} == {"client-chosen"}
    assert {line["upstream"] for line in lines} == {"identity"}


async def test_a_service_echo_of_the_id_is_answered_once(
    http: aiohttp.ClientSession, gateway: Gateway
) -> None:
    async with http.get(f"{gateway.url}/users/no-such-route") as response:
        assert len(response.headers.getall("X-Request-Id")) == 1
        body = await response.json(content_type=None)
    # The service logged and answered with the gateway's id, not one of its own.
    assert body["request_id"] == response.headers["X-Request-Id"]


async def test_forwarded_headers_are_set_and_not_forgeable(
    http: aiohttp.ClientSession, gateway: Gateway
) -> None:
    forged = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "X-Trace-Id": "t1"}
    _, _, body = await fetch(http, "GET", f"{gateway.url}/auth/_probe", headers=forged)
    host, port = gateway.config.address
    assert body["headers"]["X-Trace-Id"] is None
    assert body["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert body["headers"]["X-Forwarded-Proto"] == "http"
    assert body["headers"]["X-Forwarded-Host"] == f"{host}:{port}"
    assert body["headers"]["Host"] == host


async def test_no_server_version_is_disclosed(
    http: aiohttp.ClientSession, gateway: Gateway
) -> None:
    _, headers, _ = await fetch(http, "GET", f"{gateway.url}/users/_probe")
    assert headers["Server"] == "nginx"


@pytest.mark.parametrize(
    "path", ["/users/_probe", "/users/no-such-route", "/nothing/here", "/gateway/healthz"]
)
async def test_every_answer_is_nosniff_and_not_stored(
    http: aiohttp.ClientSession, gateway: Gateway, path: str
) -> None:
    # A service's answers (ok or problem) and the gateway's own alike; exactly one of each.
    _, headers, _ = await fetch(http, "GET", f"{gateway.url}{path}")
    assert headers.getall("X-Content-Type-Options") == ["nosniff"]
    assert headers.getall("Cache-Control") == ["no-store"]
    assert "Retry-After" not in headers
    assert "Allow" not in headers


async def test_a_service_s_own_cache_control_passes_through(
    http: aiohttp.ClientSession, gateway: Gateway
) -> None:
    url = f"{gateway.url}/.well-known/_probe?cache_control=public,%20max-age=60"
    _, headers, _ = await fetch(http, "GET", url)
    assert headers.getall("Cache-Control") == ["public, max-age=60"]
    assert headers.getall("X-Content-Type-Options") == ["nosniff"]


async def test_a_body_of_1_mib_passes(http: aiohttp.ClientSession, gateway: Gateway) -> None:
    status, _, body = await fetch(http, "POST", f"{gateway.url}/users/_probe", data=b"x" * MiB)
    assert status == 200
    assert body["body_bytes"] == MiB


async def test_a_body_of_2_mib_is_refused_with_413(
    http: aiohttp.ClientSession, gateway: Gateway
) -> None:
    status, headers, body = await fetch(
        http, "POST", f"{gateway.url}/users/_probe", data=b"x" * (2 * MiB)
    )
    assert_gateway_problem(status, headers, body, 413)

    async def logged() -> list[dict[str, Any]]:
        return [line for line in access_log(gateway) if line["request_id"] == body["request_id"]]

    [line] = await wait_until(logged, timeout=5, what="the 413 in the access log")
    assert line["upstream_addr"] == ""  # refused before it reached the service


async def test_a_chunked_body_over_1_mib_is_refused_with_413(
    http: aiohttp.ClientSession, gateway: Gateway
) -> None:
    # No Content-Length to refuse up front: nginx counts while reading.
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(32):
            yield b"x" * (64 * 1024)

    status, headers, body = await fetch(http, "POST", f"{gateway.url}/users/_probe", data=chunks())
    assert_gateway_problem(status, headers, body, 413)


async def test_auth_is_rate_limited_per_client_address(
    http: aiohttp.ClientSession, start_gateway: GatewayFactory, service: ServiceBehindGateway
) -> None:
    # One request a minute with a burst of 3: exactly 4 pass at once, the 5th is refused.
    gateway = await asyncio.to_thread(
        start_gateway, {"identity": service.address}, auth_rate="1r/m", auth_burst=3
    )
    statuses = [(await fetch(http, "GET", f"{gateway.url}/auth/_probe"))[0] for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]

    status, headers, body = await fetch(http, "GET", f"{gateway.url}/auth/_probe")
    assert_gateway_problem(status, headers, body, 429)
    assert headers.getall("Retry-After") == ["1"]
    assert headers.getall("X-Content-Type-Options") == ["nosniff"]
    # Other paths are not limited, and another client address has its own allowance.
    assert (await fetch(http, "GET", f"{gateway.url}/users/_probe"))[0] == 200
    connector = aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))
    async with aiohttp.ClientSession(connector=connector) as other:
        assert (await fetch(other, "GET", f"{gateway.url}/auth/_probe"))[0] == 200


def bearer(signature: str) -> dict[str, str]:
    """An Authorization header shaped like one of identity's tokens (the gateway checks no
    signature: the service does)."""
    return {"Authorization": f"Bearer eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhIn0.{signature * 86}"}


async def test_writes_are_rate_limited_per_token(
    http: aiohttp.ClientSession, start_gateway: GatewayFactory, service: ServiceBehindGateway
) -> None:
    # One write a minute with a burst of 2: three writes pass at once, the fourth is refused,
    # whichever write method and identity path it uses.
    gateway = await asyncio.to_thread(
        start_gateway, {"identity": service.address}, write_rate="1r/m", write_burst=2
    )
    ann, bob = bearer("a"), bearer("b")
    writes = [("POST", "/users/_probe"), ("PUT", "/users/_probe"), ("PATCH", "/auth/_probe")]
    statuses = [(await fetch(http, m, f"{gateway.url}{p}", headers=ann))[0] for m, p in writes]
    assert statuses == [200, 200, 200]

    status, headers, body = await fetch(http, "DELETE", f"{gateway.url}/users/_probe", headers=ann)
    assert_gateway_problem(status, headers, body, 429)
    assert headers.getall("Retry-After") == ["1"]
    # Reads with that token, another token's writes and writes without a token still pass.
    assert (await fetch(http, "GET", f"{gateway.url}/users/_probe", headers=ann))[0] == 200
    assert (await fetch(http, "POST", f"{gateway.url}/users/_probe", headers=bob))[0] == 200
    for _ in range(4):
        assert (await fetch(http, "POST", f"{gateway.url}/facebook/_probe"))[0] == 200


async def test_writes_with_made_up_credentials_are_limited_per_address(
    http: aiohttp.ClientSession, start_gateway: GatewayFactory, service: ServiceBehindGateway
) -> None:
    # A new non-token for every request buys nothing: such writes share their address's budget.
    gateway = await asyncio.to_thread(
        start_gateway, {"identity": service.address}, write_rate="1r/m", write_burst=2
    )
    url = f"{gateway.url}/users/_probe"
    statuses = [
        (await fetch(http, "POST", url, headers={"Authorization": f"Bearer junk-{n}"}))[0]
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    connector = aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))
    async with aiohttp.ClientSession(connector=connector) as other:
        junk = {"Authorization": "Basic am9lOnNlY3JldA=="}
        assert (await fetch(other, "POST", url, headers=junk))[0] == 200


async def test_a_service_that_is_down_is_a_502_problem_until_it_is_back(
    http: aiohttp.ClientSession, start_gateway: GatewayFactory
) -> None:
    service = ServiceBehindGateway(free_port())  # not started: nothing listens there
    gateway = await asyncio.to_thread(start_gateway, {"identity": service.address})
    status, headers, body = await fetch(http, "GET", f"{gateway.url}/users/_probe")
    assert_gateway_problem(status, headers, body, 502)
    assert body["service"] == "identity"

    await service.start()
    try:
        assert (await fetch(http, "GET", f"{gateway.url}/users/_probe"))[0] == 200
    finally:
        await service.stop()


async def test_a_service_that_hangs_is_a_504_problem(
    http: aiohttp.ClientSession, start_gateway: GatewayFactory
) -> None:
    # A service that accepts the connection and never answers (stuck on a dead database, say).
    hung: list[asyncio.StreamWriter] = []

    async def accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hung.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        gateway = await asyncio.to_thread(
            start_gateway, {"identity": f"127.0.0.1:{port}"}, upstream_timeout_s=1
        )
        status, headers, body = await fetch(http, "GET", f"{gateway.url}/users/_probe")
        assert_gateway_problem(status, headers, body, 504)
    finally:
        for writer in hung:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_no_query_string_reaches_the_gateway_logs(
    http: aiohttp.ClientSession, start_gateway: GatewayFactory
) -> None:
    # The Facebook callback carries a code in its query: refused, failed or passed, it must
    # not be written anywhere by the gateway.
    gateway = await asyncio.to_thread(
        start_gateway, {"identity": f"127.0.0.1:{free_port()}"}, auth_rate="1r/m", auth_burst=1
    )
    url = f"{gateway.url}/auth/facebook/callback?code=SECRET-CODE&state=SECRET-STATE"
    statuses = [(await fetch(http, "GET", url))[0] for _ in range(3)]
    assert statuses == [502, 502, 429]

    async def three_logged() -> bool:
        return len(access_log(gateway)) == 3

    await wait_until(three_logged, timeout=5, what="three lines in the access log")
    for log in (gateway.access_log, gateway.error_log):
        assert "SECRET" not in log.read_text()


async def test_a_calendar_feed_s_secret_never_reaches_the_gateway_logs(
    http: aiohttp.ClientSession, start_gateway: GatewayFactory
) -> None:
    # A calendar app subscribes to /calendars/<secret>.ics: the path is the credential.
    gateway = await asyncio.to_thread(start_gateway, {"orgs": f"127.0.0.1:{free_port()}"})
    status, _, _ = await fetch(http, "GET", f"{gateway.url}/calendars/SECRET-FEED-KEY.ics")
    assert status == 502  # routed to orgs, which is not there

    async def one_logged() -> bool:
        return len(access_log(gateway)) == 1

    await wait_until(one_logged, timeout=5, what="one line in the access log")
    assert access_log(gateway)[0]["path"] == "/calendars/{secret}.ics"
    for log in (gateway.access_log, gateway.error_log):
        assert "SECRET-FEED-KEY" not in log.read_text()


async def test_feed_and_every_path_below_it_reach_feed(
    http: aiohttp.ClientSession, start_gateway: GatewayFactory, service: ServiceBehindGateway
) -> None:
    # The stand-in answers as feed here: its own 404 problem names the path (nginx's has no
    # `instance`), and the access log names the upstream.
    gateway = await asyncio.to_thread(
        start_gateway, {"identity": f"127.0.0.1:{free_port()}", "feed": service.address}
    )
    paths = ["/feed", "/feed/", "/feed/seen", "/feed/some/thing"]
    for path in paths:
        status, headers, body = await fetch(http, "GET", f"{gateway.url}{path}")
        assert (status, headers["Content-Type"]) == (404, "application/problem+json")
        assert body["instance"] == path
        assert headers.getall("X-Content-Type-Options") == ["nosniff"]

    async def logged() -> list[dict[str, Any]]:
        lines = access_log(gateway)
        return lines if len(lines) == len(paths) else []

    lines = await wait_until(logged, timeout=5, what="the feed requests in the access log")
    assert {line["upstream"] for line in lines} == {"feed"}
    assert {line["upstream_addr"] for line in lines} == {service.address}


@pytest.mark.parametrize("path", ["/feeds", "/feedx/seen"])
async def test_paths_that_only_look_like_feed_are_gateway_problems(
    http: aiohttp.ClientSession,
    start_gateway: GatewayFactory,
    service: ServiceBehindGateway,
    path: str,
) -> None:
    gateway = await asyncio.to_thread(start_gateway, {"feed": service.address})
    status, headers, body = await fetch(http, "GET", f"{gateway.url}{path}")
    assert_gateway_problem(status, headers, body, 404)
    assert "instance" not in body


async def test_feed_openapi_document_is_exposed(
    http: aiohttp.ClientSession, start_gateway: GatewayFactory, service: ServiceBehindGateway
) -> None:
    gateway = await asyncio.to_thread(start_gateway, {"feed": service.address})
    status, headers, body = await fetch(http, "GET", f"{gateway.url}/openapi/feed.json")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert body["openapi"].startswith("3.1")


async def test_feed_down_is_a_502_problem_naming_feed(
    http: aiohttp.ClientSession, start_gateway: GatewayFactory
) -> None:
    gateway = await asyncio.to_thread(start_gateway, {"feed": f"127.0.0.1:{free_port()}"})
    for method, path in [("GET", "/feed"), ("POST", "/feed/seen"), ("GET", "/openapi/feed.json")]:
        status, headers, body = await fetch(http, method, f"{gateway.url}{path}")
        assert_gateway_problem(status, headers, body, 502)
        assert body["service"] == "feed"


async def test_writes_to_feed_are_rate_limited_per_token(
    http: aiohttp.ClientSession, start_gateway: GatewayFactory, service: ServiceBehindGateway
) -> None:
    gateway = await asyncio.to_thread(
        start_gateway, {"feed": service.address}, write_rate="1r/m", write_burst=1
    )
    url = f"{gateway.url}/feed/seen"
    ann = bearer("a")
    statuses = [(await fetch(http, "POST", url, headers=ann))[0] for _ in range(2)]
    assert statuses == [404, 404]  # reached feed (the stand-in has no such route)
    status, headers, body = await fetch(http, "POST", url, headers=ann)
    assert_gateway_problem(status, headers, body, 429)
    assert headers.getall("Retry-After") == ["1"]
    assert (await fetch(http, "GET", f"{gateway.url}/feed", headers=ann))[0] == 404  # reads pass
    assert (await fetch(http, "POST", url, headers=bearer("b")))[0] == 404  # another token
