"""orgs' HTTP API, one routes module per area; ``install_routes`` installs them in order."""

from __future__ import annotations

from aiohttp import web

from jumo_common.web import add_routes
from jumo_orgs.api import applications as application_routes
from jumo_orgs.api import calendar as calendar_routes
from jumo_orgs.api import (
    causes,
    claims,
    follows,
    members,
    moderation,
    news,
    opportunities,
    orgs,
    reviews,
    search,
)
from jumo_orgs.api import matching as matching_routes
from jumo_orgs.api import record as record_routes


def install_routes(app: web.Application) -> None:
    """Every orgs route, in matching order (fixed paths before ``{id}`` ones in each area)."""
    # matching's fixed /opportunities/... paths go before the opportunities' {id} ones
    for area in (search, orgs, members, claims, causes, follows, news, reviews, moderation,
                 matching_routes, opportunities):  # fmt: skip
        add_routes(app, area.routes)
    add_routes(app, calendar_routes.routes)
    add_routes(app, record_routes.routes)
    add_routes(app, application_routes.routes)
