"""OpenAPI 3.1 from the routes' pydantic models.

Each route registered with ``add_route`` (or an ``ApiRoutes`` table) records a ``RouteDoc``;
``build_openapi`` turns them into one document whose schemas are the models' JSON Schemas
(pydantic's ``models_json_schema``, so input and output variants of one model get distinct,
stable names under ``#/components/schemas``). Errors are documented as problem+json.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

from jumo_common.web.encoding import TIMESTAMP_PATTERN
from jumo_common.web.parsing import INT64_MAX, INT64_MIN, NO_NUL_PATTERN, STORABLE_KEY_PATTERN
from jumo_common.web.problems import PROBLEM_CONTENT_TYPE, Problem, status_title

REF_TEMPLATE = "#/components/schemas/{model}"
# Failures any parsed body or query can produce, documented once here rather than per route.
BODY_PROBLEMS = (400, 413, 415, 422)
QUERY_PROBLEMS = (422,)
DEFAULT_SEGMENT = "[^{}/]+"
AUTH_PROBLEMS = (401,)

Mode = Literal["validation", "serialization"]
ModelKey = tuple[type[BaseModel], Mode]
# pydantic types the keys more widely (dataclasses too); ours are always ModelKeys.
Refs = dict[Any, JsonSchemaValue]


class StorableJsonSchema(GenerateJsonSchema):
    """JSON Schema that also states what ``parse_body``/``parse_query`` refuse for MongoDB's sake.

    Strings without a pattern of their own get one that excludes NUL, integers get 64-bit
    bounds, free-form object keys a pattern without '.', '$' prefix or NUL, so that a schema-
    driven client (or schemathesis) never sends what the API will answer with a 422. Those
    constraints are on input (validation-mode) schemas only: answers may quote what was
    refused. Answers' datetimes get the one format every answer uses (UTC, milliseconds, Z).
    """

    def str_schema(self, schema: core_schema.StringSchema) -> JsonSchemaValue:
        """A string: no NUL unless the field has its own pattern."""
        json_schema = super().str_schema(schema)
        if self.mode == "validation":
            json_schema.setdefault("pattern", NO_NUL_PATTERN)
        return json_schema

    def int_schema(self, schema: core_schema.IntSchema) -> JsonSchemaValue:
        """An integer: within BSON's int64 unless bounded tighter."""
        json_schema = super().int_schema(schema)
        if self.mode == "serialization":
            return json_schema
        if "exclusiveMinimum" not in json_schema:
            json_schema["minimum"] = max(json_schema.get("minimum", INT64_MIN), INT64_MIN)
        if "exclusiveMaximum" not in json_schema:
            json_schema["maximum"] = min(json_schema.get("maximum", INT64_MAX), INT64_MAX)
        return json_schema

    def datetime_schema(self, schema: core_schema.DatetimeSchema) -> JsonSchemaValue:
        """A datetime: answers write it as ``encoding.format_timestamp`` does."""
        json_schema = super().datetime_schema(schema)
        if self.mode == "serialization":
            json_schema["pattern"] = TIMESTAMP_PATTERN
        return json_schema

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        """A free-form object: keys MongoDB can store."""
        json_schema = super().dict_schema(schema)
        if self.mode == "validation":
            json_schema.setdefault("propertyNames", {"pattern": STORABLE_KEY_PATTERN})
        return json_schema


@dataclass(frozen=True)
class OpenApiInfo:
    """The document's ``info`` object."""

    title: str
    version: str = "0.1.0"
    description: str = ""


@dataclass(frozen=True)
class RouteDoc:
    """What one route declares about itself for the document."""

    method: str
    path: str
    operation_id: str
    summary: str = ""
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    problems: tuple[int, ...] = ()
    auth: bool = False
    tags: tuple[str, ...] = ()


@dataclass
class RouteRegistry:
    """The routes of one application, and its document once built."""

    info: OpenApiInfo
    routes: list[RouteDoc] = field(default_factory=list)
    _document: dict[str, Any] | None = None

    def add(self, doc: RouteDoc) -> None:
        """Record a route; the document is rebuilt on next use."""
        if any(r.operation_id == doc.operation_id for r in self.routes):
            raise ValueError(f"duplicate operation id {doc.operation_id!r}")
        self.routes.append(doc)
        self._document = None

    def document(self) -> dict[str, Any]:
        """The OpenAPI document (built once, then cached)."""
        if self._document is None:
            self._document = build_openapi(self.info, self.routes)
        return self._document


def _closing_brace(path: str, start: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``start`` (regexes may nest braces: ``{32}``)."""
    depth = 0
    for index in range(start, len(path)):
        depth += {"{": 1, "}": -1}.get(path[index], 0)
        if depth == 0:
            return index
    raise ValueError(f"unbalanced braces in route {path!r}")


def path_parameters(path: str) -> list[tuple[str, str | None]]:
    """``/users/{id:[0-9a-f]{32}}`` -> ``[("id", "[0-9a-f]{32}")]`` (regex None when absent)."""
    params: list[tuple[str, str | None]] = []
    index = path.find("{")
    while index != -1:
        end = _closing_brace(path, index)
        name, colon, regex = path[index + 1 : end].partition(":")
        params.append((name, regex if colon else None))
        index = path.find("{", end)
    return params


def openapi_path(path: str) -> str:
    """aiohttp's ``/users/{id:\\d+}`` as OpenAPI's ``/users/{id}``."""
    for name, regex in path_parameters(path):
        if regex is not None:
            path = path.replace("{" + name + ":" + regex + "}", "{" + name + "}", 1)
    return path


def _model_keys(routes: list[RouteDoc]) -> list[ModelKey]:
    keys: dict[ModelKey, None] = {(Problem, "serialization"): None}
    for r in routes:
        for model, mode in ((r.body, "validation"), (r.query, "validation")):
            if model is not None:
                keys[(model, mode)] = None  # type: ignore[index]
        if r.response is not None:
            keys[(r.response, "serialization")] = None
    return list(keys)


def _json_content(media_type: str, schema: JsonSchemaValue) -> dict[str, Any]:
    return {media_type: {"schema": schema}}


def _query_parameters(
    model: type[BaseModel], refs: Refs, schemas: dict[str, Any]
) -> list[dict[str, Any]]:
    name = refs[(model, "validation")]["$ref"].rsplit("/", 1)[-1]
    schema = schemas[name]
    required = set(schema.get("required", []))
    return [
        {"name": prop, "in": "query", "required": prop in required, "schema": _not_null(sub)}
        for prop, sub in schema.get("properties", {}).items()
    ]


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``X | None`` as just X: a query parameter is absent, never null."""
    branches = schema.get("anyOf")
    if not isinstance(branches, list):
        return schema
    kept = [b for b in branches if b != {"type": "null"}]
    rest = {k: v for k, v in schema.items() if k != "anyOf" and not (k == "default" and v is None)}
    if len(kept) == 1:
        return {**rest, **kept[0]}
    return {**rest, "anyOf": kept}


def _top_level_alternation(regex: str) -> bool:
    """Whether ``regex`` has a ``|`` outside every group and character class."""
    depth, in_class, escaped = 0, False, False
    for char in regex:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            return True
    return False


def segment_pattern(regex: str | None) -> str:
    """The anchored pattern of a path parameter: aiohttp matches its regex on the whole segment.

    ``me|[0-9a-f]{32}`` becomes ``^(?:me|[0-9a-f]{32})$``: anchoring each side of a bare
    alternation would let ``mexyz`` through.
    """
    regex = regex or DEFAULT_SEGMENT
    if _top_level_alternation(regex):
        regex = f"(?:{regex})"
    return f"^{regex}$"


def _path_parameter(name: str, regex: str | None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "pattern": segment_pattern(regex)}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _path_parameters(path: str) -> list[dict[str, Any]]:
    return [_path_parameter(name, regex) for name, regex in path_parameters(path)]


def _problem_statuses(route: RouteDoc) -> list[int]:
    statuses = set(route.problems)
    if route.body is not None:
        statuses.update(BODY_PROBLEMS)
    if route.query is not None:
        statuses.update(QUERY_PROBLEMS)
    if route.auth:
        statuses.update(AUTH_PROBLEMS)
    return sorted(statuses)


def _responses(route: RouteDoc, refs: Refs) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": status_title(route.status)}
    if route.response is not None:
        ok["content"] = _json_content("application/json", refs[(route.response, "serialization")])
    responses: dict[str, Any] = {str(route.status): ok}
    problem = _json_content(PROBLEM_CONTENT_TYPE, refs[(Problem, "serialization")])
    for status in _problem_statuses(route):
        responses[str(status)] = {"description": status_title(status), "content": problem}
    responses["default"] = {"description": "Any other problem", "content": problem}
    return responses


def _operation(route: RouteDoc, refs: Refs, schemas: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": route.operation_id, "responses": _responses(route, refs)}
    if route.summary:
        op["summary"] = route.summary
    if route.tags:
        op["tags"] = list(route.tags)
    params = _path_parameters(route.path)
    if route.query is not None:
        params += _query_parameters(route.query, refs, schemas)
    if params:
        op["parameters"] = params
    if route.body is not None:
        body_schema = refs[(route.body, "validation")]
        op["requestBody"] = {
            "required": True,
            "content": _json_content("application/json", body_schema),
        }
    if route.auth:
        op["security"] = [{"bearerAuth": []}]
    return op


def build_openapi(info: OpenApiInfo, routes: list[RouteDoc]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``routes``."""
    refs, top = models_json_schema(
        _model_keys(routes), ref_template=REF_TEMPLATE, schema_generator=StorableJsonSchema
    )
    schemas: dict[str, Any] = top.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        item = paths.setdefault(openapi_path(route.path), {})
        item[route.method.lower()] = _operation(route, refs, schemas)
    info_doc = {"title": info.title, "version": info.version}
    if info.description:
        info_doc["description"] = info.description
    return {
        "openapi": "3.1.0",
        "info": info_doc,
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
