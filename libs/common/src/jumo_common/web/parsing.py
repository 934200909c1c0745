"""Request parsing and JSON answers, with pydantic v2.

``parse_body`` and ``parse_query`` validate into a model and raise problems: 415 when the body
is not JSON, 400 when it does not parse, 422 naming every invalid field. After validation
every parsed value is also checked, recursively, for what MongoDB wire servers cannot store
(FerretDB refuses NUL characters and NaN/Infinity; BSON has no integers beyond 64 bits; keys
may not contain '.' or start with '$'). That check runs on the validated model's data, so it
applies to every model, not only to subclasses of ``ApiModel``.
"""

from __future__ import annotations

import decimal
import functools
import math
import re
import types
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from aiohttp import web
from multidict import MultiMapping
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from jumo_common.web.encoding import dumps
from jumo_common.web.problems import BadRequest, FieldError, Unprocessable, UnsupportedMediaType

M = TypeVar("M", bound=BaseModel)

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# Also written into the OpenAPI schemas (see openapi.StorableJsonSchema), so clients know.
NO_NUL_PATTERN = "^[^\\u0000]*$"
STORABLE_KEY_PATTERN = "^[^.$\\u0000][^.\\u0000]*$"
STORABLE_KEY = re.compile(r"^[^.$\x00][^.\x00]*\Z")
_LIST_ORIGINS: tuple[Any, ...] = (list, tuple, set, frozenset, Sequence, typing.Sequence)


class ApiModel(BaseModel):
    """Base for request models: unknown fields are refused with a 422 naming them."""

    model_config = ConfigDict(extra="forbid")


def _dotted(loc: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in loc)


def field_errors(exc: ValidationError) -> list[FieldError]:
    """pydantic's errors as ``{field, message, type}``; the offending input is never echoed."""
    return _field_errors(exc.errors(include_url=False, include_input=False))


def _field_errors(errors: Iterable[ErrorDetails]) -> list[FieldError]:
    # Only location, message and type are kept: never the input.
    return [
        FieldError(field=_dotted(err["loc"]), message=err["msg"], type=err["type"])
        for err in errors
    ]


def _key_error(key: Any, path: tuple[int | str, ...]) -> Iterator[FieldError]:
    if isinstance(key, str) and not STORABLE_KEY.match(key):
        message = "keys must be non-empty, without '.' or NUL, and not start with '$'"
        yield FieldError(field=_dotted((*path, key)), message=message, type="invalid_key")


def _non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    return isinstance(value, decimal.Decimal) and not value.is_finite()


def _scalar_errors(value: Any, path: tuple[int | str, ...]) -> Iterator[FieldError]:
    field = _dotted(path)
    if isinstance(value, str) and "\x00" in value:
        yield FieldError(field=field, message="must not contain NUL characters", type="nul_char")
    elif _non_finite(value):
        yield FieldError(field=field, message="must be a finite number", type="finite_number")
    elif type(value) is int and not INT64_MIN <= value <= INT64_MAX:
        yield FieldError(field=field, message="must fit in 64 bits", type="int_range")


def unstorable_values(value: Any, path: tuple[int | str, ...] = ()) -> Iterator[FieldError]:
    """Every place in ``value`` that MongoDB/FerretDB could not store, as field errors."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _key_error(key, path)
            yield from unstorable_values(item, (*path, key))
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            yield from unstorable_values(item, (*path, index))
    else:
        yield from _scalar_errors(value, path)


def _storable(value: M) -> M:
    errors = list(unstorable_values(value.model_dump(by_alias=True)))
    if errors:
        raise Unprocessable("The request is invalid.", errors=errors)
    return value


def _invalid(errors: Iterable[ErrorDetails]) -> Unprocessable:
    return Unprocessable("The request is invalid.", errors=_field_errors(errors))


def validate(model: type[M], data: Any) -> M:
    """``model`` validated (lax) from Python ``data``, or a 422 problem naming the fields."""
    try:
        value = model.model_validate(data)
    except ValidationError as exc:
        raise _invalid(exc.errors(include_input=False)) from None
    return _storable(value)


def validate_json(model: type[M], raw: bytes) -> M:
    """``model`` validated strictly from JSON text: 400 if it does not parse, 422 if invalid."""
    try:
        value = model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        value = _revalidate_lax(model, raw, exc)
    return _storable(value)


def _revalidate_lax(model: type[M], raw: bytes, exc: ValidationError) -> M:
    """The strict pass failed: a 400 or a 422, unless only integral floats stood in its way."""
    errors = exc.errors(include_url=False)
    if any(err["type"] == "json_invalid" for err in errors):
        detail = f"The body is not valid JSON: {errors[0]['msg']}"
        raise BadRequest(detail, type_suffix="invalid-json") from None
    wrong = [err for err in errors if not _integral_float(err)]
    if wrong:  # 3.0 is a valid integer (see below): name only the fields really wrong
        raise _invalid(wrong) from None
    # JSON Schema counts 3.0 as an integer; strict pydantic does not, lax pydantic does. The
    # strict pass stopped at the fields, so the model's own validators run only now: their
    # errors (a ValueError in a model_validator) are the client's too.
    try:
        return model.model_validate_json(raw)
    except ValidationError as lax_exc:
        raise _invalid(lax_exc.errors(include_input=False)) from None


def _integral_float(error: ErrorDetails) -> bool:
    value = error.get("input")
    return error["type"] == "int_type" and isinstance(value, float) and value.is_integer()


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


async def parse_body(request: web.Request, model: type[M]) -> M:
    """The JSON body validated strictly into ``model``: 415 not JSON, 400 malformed, 422 invalid.

    Strict, so that the body matches the OpenAPI schema exactly (``true`` is not an integer);
    pydantic's JSON mode still reads ISO dates, UUIDs and enum values from strings.
    """
    if not _is_json(request.content_type):
        raise UnsupportedMediaType("The body must be JSON (Content-Type: application/json).")
    raw = await request.read()  # over client_max_size: aiohttp raises 413, mapped to a problem
    return validate_json(model, raw)


def _accepts_many(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in _LIST_ORIGINS or annotation in _LIST_ORIGINS:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_accepts_many(arg) for arg in typing.get_args(annotation))
    return False


@functools.cache
def _many_valued_names(model: type[BaseModel]) -> frozenset[str]:
    # Cached: a model's fields never change, and this runs on every request with a query.
    names: set[str] = set()
    for name, info in model.model_fields.items():
        if _accepts_many(info.annotation):
            names.add(name)
            if info.alias is not None:
                names.add(info.alias)
    return frozenset(names)


def query_data(query: MultiMapping[str], model: type[BaseModel]) -> dict[str, Any]:
    """The query string as a dict: repeated keys (``?skill=a&skill=b``) become lists."""
    many = _many_valued_names(model)
    data: dict[str, Any] = {}
    for key in dict.fromkeys(query.keys()):
        values = query.getall(key)
        data[key] = values if key in many or len(values) > 1 else values[0]
    return data


def parse_query(request: web.Request, model: type[M]) -> M:
    """The query string validated into ``model`` (422 naming the parameter if invalid)."""
    return validate(model, query_data(request.query, model))


def json_response(
    data: BaseModel | Any,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """A JSON answer: models dumped by alias, timestamps as ``encoding.format_timestamp``."""
    if status == 204:
        return web.Response(status=204, headers=headers)
    body = dumps(data)
    return web.Response(body=body, status=status, content_type="application/json", headers=headers)
