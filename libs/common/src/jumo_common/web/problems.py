"""RFC 9457 problem details: the one error shape every Jumo API answers with.

Domain and API code raise a ``ProblemError`` (or one of the subclasses below); the error
middleware turns it into ``application/problem+json``. ``type`` URIs are stable: they are
``PROBLEM_TYPE_BASE`` plus a slug, and clients may switch on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, ClassVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict

from jumo_common.web.encoding import dumps

PROBLEM_TYPE_BASE = "https://jumo.example/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_type(slug: str) -> str:
    """The stable ``type`` URI for ``slug`` (e.g. ``not-found``)."""
    return PROBLEM_TYPE_BASE + slug


# RFC 9110's titles, fixed here because Python's HTTPStatus phrases change between versions
# (413 and 422 were renamed in 3.13) and the ``type`` slugs derived from them must not.
_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    408: "Request Timeout",
    409: "Conflict",
    410: "Gone",
    411: "Length Required",
    412: "Precondition Failed",
    413: "Content Too Large",
    414: "URI Too Long",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    428: "Precondition Required",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def status_title(status: int) -> str:
    """``404`` -> ``Not Found``."""
    if status in _TITLES:
        return _TITLES[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


def status_slug(status: int) -> str:
    """``404`` -> ``not-found``: the default ``type`` slug of a status."""
    title = status_title(status).lower().replace("'", "").replace("-", " ")
    return "-".join(title.split())


class FieldError(BaseModel):
    """One invalid input field: ``field`` is a dotted path (``address.city``, ``tags.2``)."""

    field: str
    message: str
    type: str


class Problem(BaseModel):
    """The problem+json body (documentation model; extension members are allowed)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None


class ProblemError(Exception):
    """An error the API reports as a problem; raise it (or a subclass) from any handler."""

    status: ClassVar[int] = 500
    default_detail: ClassVar[str | None] = None

    def __init__(
        self,
        status: int | None = None,
        title: str | None = None,
        detail: str | None = None,
        type_suffix: str | None = None,
        *,
        extensions: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status_code = status if status is not None else type(self).status
        self.title = title or status_title(self.status_code)
        self.detail = detail if detail is not None else type(self).default_detail
        self.type = problem_type(type_suffix or status_slug(self.status_code))
        self.extensions = dict(extensions or {})
        self.headers = dict(headers or {})
        super().__init__(self.detail or self.title)

    def body(self, *, instance: str | None = None, request_id: str | None = None) -> dict[str, Any]:
        """The problem+json document for this error."""
        doc: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status_code}
        if self.detail is not None:
            doc["detail"] = self.detail
        if instance is not None:
            doc["instance"] = instance
        if request_id is not None:
            doc["request_id"] = request_id
        doc.update(self.extensions)
        return doc


class _StatusProblem(ProblemError):
    """A problem of a fixed status: ``NotFound("no such user")``."""

    def __init__(
        self,
        detail: str | None = None,
        *,
        type_suffix: str | None = None,
        title: str | None = None,
        extensions: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            type(self).status, title, detail, type_suffix, extensions=extensions, headers=headers
        )


class BadRequest(_StatusProblem):
    """400: the request cannot be understood (bad JSON, bad cursor)."""

    status = 400


class Unauthorized(_StatusProblem):
    """401: no valid access token; carries ``WWW-Authenticate: Bearer``."""

    status = 401

    def __init__(
        self,
        detail: str | None = None,
        *,
        error: str | None = "invalid_token",
        type_suffix: str | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        # RFC 6750 section 3: no error code when the request carried no credentials at all.
        challenge = 'Bearer realm="jumo"'
        if error is not None:
            challenge += f', error="{error}"'
        super().__init__(
            detail,
            type_suffix=type_suffix,
            extensions=extensions,
            headers={"WWW-Authenticate": challenge},
        )


class Forbidden(_StatusProblem):
    """403: authenticated, but not allowed to do this."""

    status = 403


class NotFound(_StatusProblem):
    """404: no such resource (or the caller may not know it exists)."""

    status = 404


class Conflict(_StatusProblem):
    """409: the request conflicts with the current state (duplicate, stale version)."""

    status = 409


class PayloadTooLarge(_StatusProblem):
    """413: the body is larger than the service accepts."""

    status = 413


class UnsupportedMediaType(_StatusProblem):
    """415: the body is not JSON."""

    status = 415


class Unprocessable(_StatusProblem):
    """422: well-formed but invalid input; ``errors`` names each field."""

    status = 422

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[FieldError] | None = None,
        type_suffix: str | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        ext = dict(extensions or {})
        if errors is not None:
            ext["errors"] = [e.model_dump() for e in errors]
        super().__init__(detail, type_suffix=type_suffix, extensions=ext)


def _retry_after(seconds: int | None) -> dict[str, str] | None:
    return {"Retry-After": str(seconds)} if seconds is not None else None


class TooManyRequests(_StatusProblem):
    """429: slow down; ``retry_after_s`` becomes the ``Retry-After`` header."""

    status = 429

    def __init__(self, detail: str | None = None, *, retry_after_s: int | None = None) -> None:
        super().__init__(detail, headers=_retry_after(retry_after_s))


class ServiceUnavailable(_StatusProblem):
    """503: a dependency (MongoDB, RabbitMQ, Facebook) is down; try again shortly."""

    status = 503

    def __init__(self, detail: str | None = None, *, retry_after_s: int | None = 5) -> None:
        super().__init__(detail, headers=_retry_after(retry_after_s))


def problem_response(
    error: ProblemError, *, instance: str | None = None, request_id: str | None = None
) -> web.Response:
    """The aiohttp response for ``error``."""
    # str() for the odd extension value: an error answer must never fail to serialise.
    body = dumps(error.body(instance=instance, request_id=request_id), fallback=str)
    response = web.Response(body=body, status=error.status_code, content_type=PROBLEM_CONTENT_TYPE)
    response.headers.update(error.headers)
    return response
