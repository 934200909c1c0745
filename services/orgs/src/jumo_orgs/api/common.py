"""What every routes module of orgs uses: the service objects, the caller, the time."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from jumo_common.jwt import Principal, optional_user, require_user
from jumo_orgs.typedefs import ORGS, Orgs


def service(request: web.Request) -> Orgs:
    """orgs' service objects."""
    return request.app[ORGS]


async def caller(request: web.Request) -> Principal:
    """The authenticated caller (401 otherwise)."""
    return await require_user(request)


async def maybe_caller(request: web.Request) -> Principal | None:
    """The caller if the request carries a (valid) token."""
    return await optional_user(request)


def now() -> datetime:
    """The time of this request."""
    return datetime.now(UTC)
