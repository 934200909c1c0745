"""HTTP plumbing for Jumo services: app factory, problems, parsing, OpenAPI, metrics.

A service's ``app.py`` and ``api.py`` look like this::

    routes = ApiRoutes(tags=("users",))

    @routes.patch("/users/me", body=ProfilePatch, response=UserOut, auth=True, problems=(409,))
    async def patch_me(request: web.Request) -> web.Response:
        user = await require_user(request)            # jumo_common.jwt; 401 problem otherwise
        patch = await parse_body(request, ProfilePatch)  # 415/400/422 problems
        return json_response(await store.update(user.user_id, patch))

    def create_app(settings: Settings) -> web.Application:
        app = create_base_app(settings, openapi_info=OpenApiInfo("jumo identity", "1.0.0"))
        app.cleanup_ctx.append(mongo_context(settings, INDEXES))  # jumo_common.mongo
        app.cleanup_ctx.append(jwt_context(settings))              # jumo_common.jwt
        add_routes(app, routes)
        return app

Raise ``NotFound``/``Conflict``/… anywhere below a handler; the error middleware answers.
"""

from jumo_common.readiness import READINESS_CHECKS, add_readiness_check, remove_readiness_check
from jumo_common.web.app import (
    ApiRoutes,
    Health,
    Readiness,
    RouteOptions,
    add_route,
    add_routes,
    create_base_app,
    serve,
)
from jumo_common.web.keys import METRICS, REQUEST_ID, ROUTES, SETTINGS
from jumo_common.web.middlewares import REQUEST_ID_HEADER, request_id
from jumo_common.web.openapi import OpenApiInfo
from jumo_common.web.pagination import Page, PageQuery
from jumo_common.web.parsing import ApiModel, json_response, parse_body, parse_query, validate
from jumo_common.web.problems import (
    PROBLEM_CONTENT_TYPE,
    PROBLEM_TYPE_BASE,
    BadRequest,
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    Problem,
    ProblemError,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    Unprocessable,
    UnsupportedMediaType,
    problem_type,
)

__all__ = [
    "METRICS",
    "PROBLEM_CONTENT_TYPE",
    "PROBLEM_TYPE_BASE",
    "READINESS_CHECKS",
    "REQUEST_ID",
    "REQUEST_ID_HEADER",
    "ROUTES",
    "SETTINGS",
    "ApiModel",
    "ApiRoutes",
    "BadRequest",
    "Conflict",
    "FieldError",
    "Forbidden",
    "Health",
    "NotFound",
    "OpenApiInfo",
    "Page",
    "PageQuery",
    "PayloadTooLarge",
    "Problem",
    "ProblemError",
    "Readiness",
    "RouteOptions",
    "ServiceUnavailable",
    "TooManyRequests",
    "Unauthorized",
    "Unprocessable",
    "UnsupportedMediaType",
    "add_readiness_check",
    "add_route",
    "add_routes",
    "create_base_app",
    "json_response",
    "parse_body",
    "parse_query",
    "problem_type",
    "remove_readiness_check",
    "request_id",
    "serve",
    "validate",
]
