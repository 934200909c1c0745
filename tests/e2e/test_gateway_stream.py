"""The live notification stream through the gateway: Server-Sent Events are not buffered.

A stream upstream of the test's own stands in for notifier's ``GET /notifications/stream``: it
writes one small event at a time, when the test says so, and keeps the stream open. Each event
must reach the client through real nginx at once (a buffering proxy holds small writes back
until a buffer fills or the stream ends), a quiet stream must outlive the gateway's usual
upstream timeout, and opening streams is limited per client address. Then the real notifier of
the session's system, through its gateway: a follow shows on the follower's stream.
"""

from __future__ import annotations

import asyncio
import json
import queue
import socket
import threading
import time
from collections.abc import AsyncIterator
from http.client import HTTPConnection
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp import web
from e2e_curl import Curl
from e2e_orgs import newcomer, ok
from e2e_processes import SystemUnderTest
from e2e_support import GatewayFactory, free_port
from jumo_gateway import Gateway
from test_gateway import assert_gateway_problem, bearer, fetch

from jumo_common.testing.wait import wait_until

PROMPTLY_S = 1.0  # far above what a local proxy hop costs, far below any buffering's wait
STREAM = "/notifications/stream"


class StreamUpstream:
    """Serves ``GET /notifications/stream`` as notifier does: ``text/event-stream``, written
    as the test puts chunks on ``send`` (``None`` ends the stream); it asks proxies to buffer
    (``X-Accel-Buffering: yes``), which the gateway must ignore. Remembers each request."""

    def __init__(self) -> None:
        self.port = free_port()
        self.send: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.requests: list[dict[str, Any]] = []
        self.open_streams = 0
        self._runner: web.AppRunner | None = None

    @property
    def address(self) -> str:
        """host:port, as the gateway's upstream setting wants it."""
        return f"127.0.0.1:{self.port}"

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        self.requests.append({"version": request.version, "headers": request.headers.copy()})
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream; charset=utf-8",
                "Cache-Control": "no-cache, no-store",
                "X-Accel-Buffering": "yes",
            }
        )
        await response.prepare(request)
        self.open_streams += 1
        try:
            while (chunk := await self.send.get()) is not None:
                await response.write(chunk)
        finally:
            self.open_streams -= 1
        return response

    async def start(self) -> None:
        """Serve until stop()."""
        app = web.Application()
        app.router.add_get(STREAM, self._stream)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        """Close the listener and every open stream."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


@pytest.fixture
async def upstream() -> AsyncIterator[StreamUpstream]:
    """The stream stand-in on a free port."""
    server = StreamUpstream()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A client that waits as long as a stream lasts (no total timeout)."""
    timeout = aiohttp.ClientTimeout(total=None, sock_read=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        yield session


def event(number: int) -> bytes:
    """One small SSE event, as notifier writes them (far below any proxy buffer's size)."""
    return f'id: c{number}\nevent: notification\ndata: {{"n": {number}}}\n\n'.encode()


async def read_event(response: aiohttp.ClientResponse) -> bytes:
    """The lines of the next event, up to its blank line."""
    lines = []
    while (line := await response.content.readline()) not in (b"\n", b""):
        lines.append(line)
    return b"".join(lines) + b"\n"


async def stream_gateway(
    start_gateway: GatewayFactory, upstream: StreamUpstream, **limits: Any
) -> Gateway:
    """A gateway of this test's own with the stand-in as notifier."""
    return await asyncio.to_thread(start_gateway, {"notifier": upstream.address}, **limits)


async def test_each_event_reaches_the_client_at_once_while_the_stream_stays_open(
    http: aiohttp.ClientSession, start_gateway: GatewayFactory, upstream: StreamUpstream
) -> None:
    gateway = await stream_gateway(start_gateway, upstream)
    headers = {
        **bearer("a"),
        "Accept": "text/event-stream",
        "Accept-Encoding": "gzip",
        "Last-Event-ID": "c41",
    }
    # A buffering gateway holds even the headers back: fail in seconds, not at sock_read.
    quick = aiohttp.ClientTimeout(total=None, sock_read=5 * PROMPTLY_S)
    async with http.get(f"{gateway.url}{STREAM}", headers=headers, timeout=quick) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/event-stream; charset=utf-8"
        assert response.headers.getall("X-Accel-Buffering") == ["no"]
        assert "Content-Encoding" not in response.headers  # no gzip holding bytes back
        assert response.headers.getall("Cache-Control") == ["no-cache, no-store"]
        assert response.headers.getall("X-Content-Type-Options") == ["nosniff"]
        for number in range(1, 6):
            began = time.monotonic()
            await upstream.send.put(event(number))
            async with asyncio.timeout(PROMPTLY_S):
                assert await read_event(response) == event(number)
            assert time.monotonic() - began < PROMPTLY_S
        assert not response.content.at_eof()
        assert upstream.open_streams == 1
        await upstream.send.put(None)
        async with asyncio.timeout(PROMPTLY_S):
            assert await response.content.read() == b""  # the upstream's end reaches the client
    [request] = upstream.requests
    assert request["version"] == aiohttp.HttpVersion11
    assert request["headers"]["Last-Event-ID"] == "c41"
    assert "Connection" not in request["headers"]  # kept alive, not "close"
    assert request["headers"]["X-Request-Id"] == response.headers["X-Request-Id"]


async def test_a_quiet_stream_outlives_the_usual_upstream_timeout(
    http: aiohttp.ClientSession, start_gateway: GatewayFactory, upstream: StreamUpstream
) -> None:
    # Every other path gets a 504 after upstream_timeout_s of silence; a stream may be quiet
    # far longer (notifier writes a comment every few seconds; an hour of nothing is the limit).
    gateway = await stream_gateway(start_gateway, upstream, upstream_timeout_s=1)
    async with http.get(f"{gateway.url}{STREAM}", headers=bearer("a")) as response:
        assert response.status == 200
        await upstream.send.put(event(1))
        assert await read_event(response) == event(1)
        await asyncio.sleep(2.5)
        assert not response.content.at_eof()
        await upstream.send.put(event(2))
        async with asyncio.timeout(PROMPTLY_S):
            assert await read_event(response) == event(2)
        await upstream.send.put(None)


async def test_opening_streams_is_rate_limited_per_client_address(
    http: aiohttp.ClientSession, start_gateway: GatewayFactory, upstream: StreamUpstream
) -> None:
    gateway = await stream_gateway(start_gateway, upstream, stream_rate="1r/m", stream_burst=1)
    url = f"{gateway.url}{STREAM}"
    for _ in range(2):
        await upstream.send.put(None)  # each stream ends at once
        async with http.get(url, headers=bearer("a")) as response:
            assert response.status == 200
    status, headers, body = await fetch(http, "GET", url, headers=bearer("a"))
    assert_gateway_problem(status, headers, body, 429)
    assert headers.getall("Retry-After") == ["1"]
    connector = aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))
    async with aiohttp.ClientSession(connector=connector) as other:
        await upstream.send.put(None)
        async with other.get(url, headers=bearer("b")) as response:
            assert response.status == 200


async def test_one_address_holds_a_bounded_number_of_streams(
    http: aiohttp.ClientSession, start_gateway: GatewayFactory, upstream: StreamUpstream
) -> None:
    gateway = await stream_gateway(start_gateway, upstream, stream_connections=2)
    url = f"{gateway.url}{STREAM}"
    first = await http.get(url, headers=bearer("a"))
    second = await http.get(url, headers=bearer("b"))
    try:
        assert (first.status, second.status) == (200, 200)
        status, headers, body = await fetch(http, "GET", url, headers=bearer("c"))
        assert_gateway_problem(status, headers, body, 429)
    finally:
        first.close()
        second.close()

    # A closed stream frees its place, once nginx sees that the client is gone.
    async def a_third_opens() -> bool:
        await upstream.send.put(None)
        async with http.get(url, headers=bearer("c")) as response:
            return response.status == 200

    await wait_until(a_third_opens, timeout=5, what="a stream once the others closed")


class LiveStream:
    """``GET /notifications/stream`` through a gateway, read line by line in a thread of its
    own; each event (its ``field: value`` lines) lands on ``events``."""

    def __init__(self, gateway_url: str, token: str) -> None:
        url = urlsplit(gateway_url)
        self.connection = HTTPConnection(url.hostname or "", url.port, timeout=30)
        self.connection.request("GET", STREAM, headers={"Authorization": f"Bearer {token}"})
        self.response = self.connection.getresponse()
        self.events: queue.Queue[dict[str, str]] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        fields: dict[str, str] = {}
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if line == "" and fields:
                    self.events.put(fields)
                    fields = {}
                elif line and not line.startswith(":"):
                    name, _, value = line.partition(":")
                    fields[name] = value.removeprefix(" ")
        except (OSError, ValueError):
            return  # the connection went away

    def next_notification(self, timeout: float) -> dict[str, str]:
        """The next ``notification`` event (``retry`` lines skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            event = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
            if event.get("event") == "notification":
                return event

    def close(self) -> None:
        """Hang up: the reader sees the end of the stream and stops, then the socket closes."""
        if self.connection.sock is not None:
            self.connection.sock.shutdown(socket.SHUT_RDWR)
        self.reader.join(10)
        self.connection.close()


def test_a_follow_shows_on_the_followed_person_s_stream_through_the_gateway(
    system: SystemUnderTest, curl: Curl, other_curl: Curl
) -> None:
    gw = system.gateway.url
    ann, ben = newcomer(curl, system), newcomer(other_curl, system)
    stream = LiveStream(gw, ann["access_token"])
    try:
        assert stream.response.status == 200
        assert stream.response.getheader("Content-Type", "").startswith("text/event-stream")
        assert stream.response.getheader("X-Accel-Buffering") == "no"
        ok(other_curl, "PUT", f"{gw}/users/{ann['user']['id']}/follow", ben)
        event = stream.next_notification(timeout=20)
    finally:
        stream.close()
    notification = json.loads(event["data"])
    assert notification["kind"] == "followed"
    assert notification["actor"]["id"] == ben["user"]["id"]
    assert event["id"] == notification["cursor"]  # what a reconnection sends as Last-Event-ID
