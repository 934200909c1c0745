"""Every answer nginx makes itself is problem+json with the right status, even to requests
curl cannot send (a garbage request line, `%00`, `..` above the root): raw sockets here."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from e2e_support import access_log
from jumo_gateway import Gateway
from multidict import CIMultiDict

from jumo_common.testing.wait import wait_until
from jumo_common.web.problems import problem_type, status_slug, status_title

CLOSE = b"Host: jumo\r\nConnection: close\r\n"


@dataclass(frozen=True)
class RawAnswer:
    """One HTTP/1.1 answer read off the socket."""

    status: int
    headers: CIMultiDict[str]
    body: bytes

    def json(self) -> Any:
        """The body, parsed."""
        return orjson.loads(self.body)


def parse_answer(raw: bytes) -> RawAnswer:
    """Status line, headers and (Content-Length) body of an HTTP/1.1 answer."""
    head, _, rest = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    assert status_line.startswith("HTTP/1.1 "), status_line
    headers: CIMultiDict[str] = CIMultiDict()
    for line in lines:
        name, _, value = line.partition(":")
        headers.add(name.strip(), value.strip())
    length = int(headers["Content-Length"])
    assert len(rest) == length, "the whole body arrived before the gateway closed"
    return RawAnswer(int(status_line.split()[1]), headers, rest)


async def send_raw(gateway: Gateway, request: bytes) -> RawAnswer:
    """Send ``request`` as is and read the answer until the gateway closes the connection."""
    reader, writer = await asyncio.open_connection(*gateway.config.address)
    try:
        writer.write(request)
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), timeout=10)  # read() ends at EOF
    finally:
        writer.close()
    return parse_answer(raw)


def assert_problem(answer: RawAnswer, status: int) -> dict[str, Any]:
    """``answer`` is the gateway's problem for ``status``, with the headers of every answer."""
    assert answer.status == status, answer
    assert answer.headers["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    assert body["type"] == problem_type(status_slug(status))
    assert body["title"] == status_title(status)
    assert body["status"] == status
    assert body["request_id"] == answer.headers["X-Request-Id"]
    assert answer.headers.getall("X-Content-Type-Options") == ["nosniff"]
    assert answer.headers.getall("Cache-Control") == ["no-store"]
    assert answer.headers["Server"] == "nginx"
    return body


def http11(line: bytes, *headers: bytes, body: bytes = b"") -> bytes:
    """A request: ``line``, then ``headers``, Host and Connection: close, then ``body``."""
    return line + b"\r\n" + b"".join(h + b"\r\n" for h in headers) + CLOSE + b"\r\n" + body


LONG = b"a" * 10_000  # past nginx's 8 KiB buffers for a request or header line
CHUNKED = b"Transfer-Encoding: chunked"
BAD_REQUESTS = {
    "NUL in the path": (http11(b"GET /users/%00 HTTP/1.1"), 400),
    "encoded .. above the root": (http11(b"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1"), 400),
    ".. above the root": (http11(b"GET /users/../../x HTTP/1.1"), 400),
    "a garbage request line": (b"GARBAGE\r\n\r\n", 400),
    "TLS spoken to plain HTTP": (b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(32), 400),
    "no Host header": (b"GET /users/me HTTP/1.1\r\nConnection: close\r\n\r\n", 400),
    "a header line without a colon": (http11(b"GET / HTTP/1.1", b"Broken header"), 400),
    "a malformed chunk": (http11(b"POST /users/_probe HTTP/1.1", CHUNKED, body=b"zz\r\n"), 400),
    "a request line too long": (http11(b"GET /" + LONG + b" HTTP/1.1"), 414),
    "header fields too large": (http11(b"GET / HTTP/1.1", b"X-Big: " + LONG), 431),
    "TRACE": (http11(b"TRACE /users/me HTTP/1.1"), 405),
    "an unknown transfer coding": (
        http11(b"POST /users/_probe HTTP/1.1", b"Transfer-Encoding: gzip"),
        501,
    ),
    "HTTP/2.0 in an HTTP/1 request line": (http11(b"GET /users/me HTTP/2.0"), 505),
}


@pytest.mark.parametrize(("request_bytes", "status"), BAD_REQUESTS.values(), ids=BAD_REQUESTS)
async def test_a_request_nginx_refuses_is_a_problem(
    gateway: Gateway, request_bytes: bytes, status: int
) -> None:
    answer = await send_raw(gateway, request_bytes)
    body = assert_problem(answer, status)

    async def logged() -> list[dict[str, Any]]:
        return [line for line in access_log(gateway) if line["request_id"] == body["request_id"]]

    [line] = await wait_until(logged, timeout=5, what="the refusal in the access log")
    assert line["status"] == status  # the log tells the status the client saw (431, not 494)
    assert line["upstream_addr"] == ""  # refused before it reached the service


async def test_trace_names_the_methods_the_gateway_takes(gateway: Gateway) -> None:
    answer = await send_raw(gateway, http11(b"TRACE / HTTP/1.1"))
    assert_problem(answer, 405)
    assert answer.headers["Allow"] == "GET, HEAD, POST, PUT, PATCH, DELETE"


async def test_the_gateway_s_error_locations_are_not_reachable_from_outside(
    gateway: Gateway,
) -> None:
    answer = await send_raw(gateway, http11(b"GET /__gateway/400 HTTP/1.1"))
    body = assert_problem(answer, 404)
    assert "instance" not in body  # the gateway's own 404, not a service's


@pytest.mark.parametrize("path", ["/users", "/auth", "/facebook", "/.well-known"])
async def test_a_prefix_without_its_slash_reaches_the_service(gateway: Gateway, path: str) -> None:
    # Not nginx's HTML 301 to `path/`: the segment belongs to identity, which answers (here the
    # stand-in service's own 404 problem, which names the path).
    answer = await send_raw(gateway, http11(f"GET {path} HTTP/1.1".encode()))
    assert answer.status == 404
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.json()["instance"] == path


@pytest.mark.parametrize("path", ["/usersx", "/users.json", "/auth-other", "/"])
async def test_a_path_that_only_starts_like_a_prefix_is_the_gateway_s_404(
    gateway: Gateway, path: str
) -> None:
    answer = await send_raw(gateway, http11(f"GET {path} HTTP/1.1".encode()))
    body = assert_problem(answer, 404)
    assert "instance" not in body
