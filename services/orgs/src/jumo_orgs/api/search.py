"""Routes of search: ``GET /orgs`` (thin: parse, call the use case, answer a schema)."""

from __future__ import annotations

from jumo_common.web import ApiRoutes

routes = ApiRoutes(tags=("search",))
