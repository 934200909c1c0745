"""The middlewares ``create_base_app`` installs, outermost first.

1. ``request_context_middleware``: request id from the gateway (or a new one), bound to every
   log line, echoed in ``X-Request-Id``.
2. ``access_middleware``: one access-log line and the Prometheus metrics per request.
3. ``error_middleware``: every failure becomes ``application/problem+json``.
4. ``body_limit_middleware``: a declared ``Content-Length`` over the limit is a 413 before the
   handler runs (aiohttp's ``client_max_size`` catches chunked bodies when they are read).
5. ``nul_middleware``: a path with a NUL character names nothing (404), before a handler puts
   it in a query that FerretDB on PostgreSQL cannot even run.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid

from aiohttp import web
from aiohttp.typedefs import Handler
from pymongo.errors import ConnectionFailure

from jumo_common.errors import DomainError
from jumo_common.logging import bind_log_context, get_logger
from jumo_common.mongo.pagination import InvalidCursor
from jumo_common.web.keys import METRICS, REQUEST_ID, SETTINGS
from jumo_common.web.metrics import route_template
from jumo_common.web.problems import (
    BadRequest,
    NotFound,
    PayloadTooLarge,
    ProblemError,
    ServiceUnavailable,
    problem_response,
    status_title,
)

REQUEST_ID_HEADER = "X-Request-Id"
TRACE_ID_HEADER = "X-Trace-Id"
# Whatever the gateway sends is logged verbatim, so accept only short, boring ids.
_SANE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}$")
# nginx's status for "the client went away before the answer": not an error of ours.
CLIENT_CLOSED_REQUEST = 499
# Probes and scrapes every few seconds would drown the access log.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
# A path parameter of this name is a secret: such a route's path is never logged.
SECRET_PARAMETER = "{secret"  # noqa: S105  (a parameter's name, not a password)

_access_log = get_logger("jumo.access")
_log = get_logger(__name__)


def _sane_or_none(value: str | None) -> str | None:
    return value if value is not None and _SANE_ID.match(value) else None


def request_id(request: web.Request) -> str:
    """The id of this request (from ``X-Request-Id`` when the gateway sent a sane one)."""
    return request.get(REQUEST_ID) or ""


@web.middleware
async def request_context_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Give the request an id, bind it to the log context and echo it in the response."""
    rid = _sane_or_none(request.headers.get(REQUEST_ID_HEADER)) or uuid.uuid4().hex
    # Until something better arrives, a request's trace is the request itself.
    trace = _sane_or_none(request.headers.get(TRACE_ID_HEADER)) or rid
    request[REQUEST_ID] = rid
    with bind_log_context(request_id=rid, trace_id=trace):
        try:
            response = await handler(request)
        except web.HTTPException as exc:  # redirects and 2xx raised by handlers
            exc.headers[REQUEST_ID_HEADER] = rid
            raise
        if not response.prepared:
            response.headers[REQUEST_ID_HEADER] = rid
        return response


@web.middleware
async def access_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Log one line per request with its latency, and count it in the metrics."""
    started = time.perf_counter()
    status = 500  # if something escapes the error middleware
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    except asyncio.CancelledError:
        status = CLIENT_CLOSED_REQUEST
        raise
    finally:
        _record_access(request, status, time.perf_counter() - started)


def _record_access(request: web.Request, status: int, elapsed: float) -> None:
    route = route_template(request)
    request.config_dict[METRICS].observe(request.method, route, status, elapsed)
    level = logging.DEBUG if request.path in QUIET_PATHS else logging.INFO
    _access_log.log(
        level,
        "request",
        method=request.method,
        # A route whose path holds a secret (a calendar feed's) is logged by its template.
        path=route if SECRET_PARAMETER in route else request.path,
        route=route,
        status=status,
        duration_ms=round(elapsed * 1000, 2),
    )


def _from_http_exception(exc: web.HTTPException) -> ProblemError:
    default_text = f"{exc.status}: {exc.reason}"
    detail = exc.text if exc.text and exc.text != default_text else None
    skip = {"content-type", "content-length"}
    headers = {k: v for k, v in exc.headers.items() if k.lower() not in skip}
    return ProblemError(exc.status, status_title(exc.status), detail, headers=headers)


def _answer(request: web.Request, error: ProblemError) -> web.Response:
    return problem_response(error, instance=request.path, request_id=request_id(request))


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Map every failure to a problem+json answer; a 500 says nothing about its cause."""
    try:
        return await handler(request)
    except ProblemError as exc:
        if exc.status_code >= 500:
            _log.warning("problem", status=exc.status_code, detail=exc.detail)
        return _answer(request, exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return _answer(request, _from_http_exception(exc))
    except DomainError as exc:
        return _answer(request, ProblemError(exc.status, detail=exc.detail, type_suffix=exc.slug))
    except InvalidCursor as exc:
        return _answer(request, BadRequest(str(exc), type_suffix="invalid-cursor"))
    except ConnectionFailure as exc:
        # Covers ServerSelectionTimeoutError, AutoReconnect and NetworkTimeout.
        _log.warning("database unavailable", error=str(exc))
        return _answer(request, ServiceUnavailable("The database is unavailable; try again."))
    except Exception:
        _log.exception("unhandled error")
        return _answer(request, ProblemError(500))


@web.middleware
async def body_limit_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse a declared body larger than ``settings.max_body_bytes`` with a 413 problem."""
    limit = request.config_dict[SETTINGS].max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"The body may be at most {limit} bytes.")
    return await handler(request)


@web.middleware
async def nul_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A NUL in the decoded path names nothing: 404, whatever the route.

    No identifier holds NUL (bodies and query parameters refuse it: 422 ``nul_char``), so such
    a path can match nothing; but looking it up is an error on FerretDB's PostgreSQL backend (its
    JSON cannot hold U+0000), which would otherwise reach the client as a 500.
    """
    if "\x00" in request.path:
        raise NotFound("No resource has a NUL character in its path.")
    return await handler(request)
