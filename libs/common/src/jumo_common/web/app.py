"""The base application every Jumo service builds on.

``create_base_app(settings)`` gives an ``aiohttp.web.Application`` with the standard
middlewares, ``/healthz``, ``/readyz``, ``/metrics`` and ``/openapi.json``. The service then
adds its cleanup contexts (``mongo_context``, the bus, ``jwt_context``) and its routes with
``add_route`` or an ``ApiRoutes`` table, which also document them in the OpenAPI document.
Nothing here connects to anything: resources live in ``app.cleanup_ctx``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypedDict, TypeVar, Unpack

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from pydantic import BaseModel

from jumo_common.logging import get_logger
from jumo_common.metrics import METRICS_REGISTRY, SCRAPE_HOOKS, run_scrape_hooks
from jumo_common.readiness import READINESS_CHECKS, ReadinessCheck
from jumo_common.settings import ServiceSettings
from jumo_common.web.headers import add_response_headers
from jumo_common.web.keys import METRICS, ROUTES, SETTINGS
from jumo_common.web.metrics import HttpMetrics, render_metrics
from jumo_common.web.middlewares import (
    access_middleware,
    body_limit_middleware,
    error_middleware,
    nul_middleware,
    request_context_middleware,
)
from jumo_common.web.openapi import OpenApiInfo, RouteDoc, RouteRegistry
from jumo_common.web.parsing import json_response
from jumo_common.web.problems import ServiceUnavailable

H = TypeVar("H", bound=Handler)

# A check slower than this counts as failed: a readiness probe must answer quickly.
READINESS_TIMEOUT_S = 3.0
OPS_TAG = "ops"

_log = get_logger(__name__)


class Health(BaseModel):
    """``/healthz``: the process is alive, and which service it is (``make up`` checks that)."""

    status: str
    service: str


class Readiness(BaseModel):
    """``/readyz``: each dependency's state (``ok`` or the failure's type)."""

    status: str
    checks: dict[str, str]


class RouteOptions(TypedDict, total=False):
    """What a route declares about itself; every key is optional."""

    body: type[BaseModel] | None  # the JSON body model (documents 400/413/415/422 too)
    query: type[BaseModel] | None  # the query-string model (documents 422)
    response: type[BaseModel] | None  # the success body model
    status: int  # the success status (200)
    summary: str
    problems: Sequence[int]  # further problem statuses the route answers with
    auth: bool  # a valid access token is required: enforced here, documented as bearerAuth
    tags: Sequence[str]
    name: str | None  # operationId and route name (the handler's name)


def _route_doc(
    method: str, path: str, handler: Handler, options: RouteOptions, tags: Sequence[str] = ()
) -> RouteDoc:
    return RouteDoc(
        method=method.upper(),
        path=path,
        operation_id=options.get("name") or handler.__name__,
        summary=options.get("summary", ""),
        body=options.get("body"),
        query=options.get("query"),
        response=options.get("response"),
        status=options.get("status", 200),
        problems=tuple(options.get("problems", ())),
        auth=options.get("auth", False),
        tags=tuple(options.get("tags", tags)),
    )


def add_route(
    app: web.Application, method: str, path: str, handler: Handler, **options: Unpack[RouteOptions]
) -> None:
    """Route ``method path`` to ``handler`` and document it (models, statuses, auth)."""
    _install(app, _route_doc(method, path, handler, options), handler)


def _authenticated(handler: Handler) -> Handler:
    async def guarded(request: web.Request) -> web.StreamResponse:
        # Imported here: jumo_common.jwt imports this package's problems module.
        from jumo_common.jwt import require_user

        await require_user(request)  # cached on the request for the handler's own call
        return await handler(request)

    return guarded


def _install(app: web.Application, doc: RouteDoc, handler: Handler) -> None:
    app[ROUTES].add(doc)
    if doc.auth:
        handler = _authenticated(handler)
    if doc.method == "GET":
        app.router.add_get(doc.path, handler, name=doc.operation_id)  # HEAD comes along
    else:
        app.router.add_route(doc.method, doc.path, handler, name=doc.operation_id)


@dataclass(frozen=True)
class _Entry:
    doc: RouteDoc
    handler: Handler


class ApiRoutes:
    """A route table declared in a service's ``api.py`` and installed with ``add_routes``."""

    def __init__(self, *, tags: Sequence[str] = ()) -> None:
        self._tags = tuple(tags)
        self._entries: list[_Entry] = []

    def route(self, method: str, path: str, **options: Unpack[RouteOptions]) -> Callable[[H], H]:
        """Decorator registering ``handler`` for ``method path``; options as for ``add_route``."""

        def register(handler: H) -> H:
            doc = _route_doc(method, path, handler, options, self._tags)
            self._entries.append(_Entry(doc, handler))
            return handler

        return register

    def get(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[H], H]:
        """``route("GET", …)``."""
        return self.route("GET", path, **options)

    def post(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[H], H]:
        """``route("POST", …)``."""
        return self.route("POST", path, **options)

    def put(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[H], H]:
        """``route("PUT", …)``."""
        return self.route("PUT", path, **options)

    def patch(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[H], H]:
        """``route("PATCH", …)``."""
        return self.route("PATCH", path, **options)

    def delete(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[H], H]:
        """``route("DELETE", …)``."""
        return self.route("DELETE", path, **options)

    def entries(self) -> list[tuple[RouteDoc, Handler]]:
        """The declared routes, in order."""
        return [(e.doc, e.handler) for e in self._entries]


def add_routes(app: web.Application, routes: ApiRoutes) -> None:
    """Install every route of ``routes`` on ``app``."""
    for doc, handler in routes.entries():
        _install(app, doc, handler)


async def _run_check(name: str, check: ReadinessCheck) -> str:
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_S):
            await check()
    except Exception as exc:
        _log.warning("readiness check failed", check=name, error=repr(exc))
        return f"failed: {type(exc).__name__}"
    return "ok"


async def healthz(request: web.Request) -> web.Response:
    """Alive: the event loop answers."""
    return json_response(Health(status="ok", service=request.app[SETTINGS].service_name))


async def readyz(request: web.Request) -> web.Response:
    """Ready: every registered dependency check passes."""
    checks = request.app[READINESS_CHECKS].copy()  # a check may register meanwhile
    results = await asyncio.gather(*(_run_check(n, c) for n, c in checks.items()))
    states = dict(zip(checks, results, strict=True))
    if any(state != "ok" for state in states.values()):
        error = ServiceUnavailable("A dependency is not ready.", retry_after_s=None)
        error.extensions["checks"] = states
        raise error
    return json_response(Readiness(status="ready", checks=states))


async def metrics(request: web.Request) -> web.Response:
    """Prometheus metrics of this process (readings that need I/O refreshed first, bounded)."""
    await run_scrape_hooks(request.app)
    return render_metrics(request.app[METRICS])


async def openapi_json(request: web.Request) -> web.Response:
    """This service's OpenAPI 3.1 document."""
    return json_response(request.app[ROUTES].document())


def create_base_app(
    settings: ServiceSettings,
    *,
    openapi_info: OpenApiInfo | None = None,
    middlewares: Sequence[Middleware] = (),
) -> web.Application:
    """An application with Jumo's middlewares and ops endpoints; ``middlewares`` run innermost."""
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[
            request_context_middleware,
            access_middleware,
            error_middleware,
            body_limit_middleware,
            nul_middleware,
            *middlewares,
        ],
    )
    app[SETTINGS] = settings
    checks: dict[str, ReadinessCheck] = {}
    app[READINESS_CHECKS] = checks
    app[METRICS] = HttpMetrics.create()
    app[METRICS_REGISTRY] = app[METRICS].registry
    app[SCRAPE_HOOKS] = []
    app[ROUTES] = RouteRegistry(openapi_info or OpenApiInfo(title=f"jumo {settings.service_name}"))
    add_response_headers(app)
    _add_ops_routes(app)
    return app


def _add_ops_routes(app: web.Application) -> None:
    ops = (OPS_TAG,)
    add_route(app, "GET", "/healthz", healthz, response=Health, summary="Liveness", tags=ops)
    add_route(
        app, "GET", "/readyz", readyz, response=Readiness, problems=(503,), summary="Readiness",
        tags=ops,
    )  # fmt: skip
    app.router.add_get("/metrics", metrics, name="metrics")
    app.router.add_get("/openapi.json", openapi_json, name="openapi")


def serve(app: web.Application, settings: ServiceSettings) -> None:
    """Run ``app`` on ``settings.host:port`` until SIGTERM/SIGINT (access log is ours)."""
    web.run_app(app, host=settings.host, port=settings.port, access_log=None, print=None)
