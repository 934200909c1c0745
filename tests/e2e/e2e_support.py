"""Helpers for the end-to-end tests: free ports, a real upstream service, the gateway's logs."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web
from jumo_gateway import Gateway

from jumo_common.settings import ServiceSettings
from jumo_common.web import create_base_app

# What a probe route reports back: the headers the gateway is responsible for.
FORWARDED = (
    "Host",
    "X-Request-Id",
    "X-Trace-Id",
    "X-Forwarded-For",
    "X-Forwarded-Proto",
    "X-Forwarded-Host",
)


def free_port() -> int:
    """A TCP port nobody listens on right now (the kernel's pick)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class GatewayFactory(Protocol):
    """Starts a gateway of the test's own in front of the given upstreams."""

    def __call__(
        self,
        upstreams: dict[str, str],
        *,
        auth_rate: str = ...,
        auth_burst: int = ...,
        write_rate: str = ...,
        write_burst: int = ...,
        upstream_timeout_s: int = ...,
        stream_rate: str = ...,
        stream_burst: int = ...,
        stream_connections: int = ...,
        docs_root: Path = ...,
    ) -> Gateway: ...


async def _probe(request: web.Request) -> web.Response:
    """What reached the service: the gateway's headers and the body's size.

    ``?cache_control=…`` answers with that Cache-Control, as a handler that sets its own does.
    """
    body = await request.read()
    headers = {name: request.headers.get(name) for name in FORWARDED}
    answer = web.json_response({"headers": headers, "body_bytes": len(body)})
    if "cache_control" in request.query:
        answer.headers["Cache-Control"] = request.query["cache_control"]
    return answer


class ServiceBehindGateway:
    """A real Jumo service (jumo_common's base app, its middlewares, one probe route) on a port.

    It stands in for identity in the tests of the gateway alone; it answers what the real
    app answers (its /openapi.json, its problem+json 404s with the request id it received).
    """

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self._runner: web.AppRunner | None = None

    @property
    def address(self) -> str:
        """host:port, as the gateway's upstream setting wants it."""
        return f"127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Serve until stop()."""
        app = create_base_app(ServiceSettings(service_name="probe"))
        for prefix in ("/auth", "/users", "/facebook", "/.well-known"):
            app.router.add_route("*", f"{prefix}/_probe", _probe)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        """Close the listener and every connection."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def access_log(gateway: Gateway) -> list[dict[str, Any]]:
    """Every line of the gateway's JSON access log, parsed."""
    lines = Path(gateway.access_log).read_text().split("\n")  # not splitlines(): see log_records
    return [json.loads(line) for line in lines if line]
