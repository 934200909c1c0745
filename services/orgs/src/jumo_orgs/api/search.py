"""Routes of search: ``GET /orgs`` (thin: parse, call the use case, answer a schema)."""

from __future__ import annotations

from aiohttp import web

from jumo_common.web import ApiRoutes, json_response, parse_query
from jumo_orgs.api.common import maybe_caller, service
from jumo_orgs.schemas.search import OrgSearchQuery, SearchPage

routes = ApiRoutes(tags=("search",))


@routes.get(
    "/orgs", query=OrgSearchQuery, response=SearchPage, problems=(400, 403),
    summary="Find organizations by words, cause and distance, each with why it matched",
)  # fmt: skip
async def search_orgs(request: web.Request) -> web.Response:
    """Verified organizations matching every word of ``q`` (accents and case ignored, a word's
    beginning is enough), the ``cause`` or one of its children, within ``radius_km`` of
    ``near``; ``sort`` relevance, distance or newest; cursor pages."""
    query = parse_query(request, OrgSearchQuery)
    page = await service(request).search.search(query, await maybe_caller(request))
    return json_response(page)
