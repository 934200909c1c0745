"""JSON text of every answer: one serialiser, one timestamp format.

Every datetime in an answer, whatever holds it (a model, a raw dict, a problem's extension),
is written in UTC with exactly millisecond precision and a ``Z``: ``2026-12-01T13:46:19.610Z``.
Milliseconds because that is what MongoDB keeps: a value just made (microseconds) and the same
value read back (truncated to milliseconds) must read the same; truncated, not rounded, as
BSON does. A naive datetime is taken as UTC (PyMongo returns naive UTC datetimes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import orjson
from pydantic import BaseModel
from pydantic_core import to_jsonable_python

# Also written into the OpenAPI schemas of answers (see openapi.StorableJsonSchema).
TIMESTAMP_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$"


def format_timestamp(value: dt.datetime) -> str:
    """``value`` in UTC, to the millisecond (truncated), with a ``Z``."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(timespec="milliseconds") + "Z"


def _encoder(fallback: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    def default(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return format_timestamp(value)
        if isinstance(value, dt.date | dt.time):
            return value.isoformat()
        if isinstance(value, BaseModel):
            # Python mode keeps datetimes as datetimes, so that they come back here.
            return value.model_dump(mode="python", by_alias=True)
        # What orjson does not know (Decimal, URLs, sets, bytes, SecretStr…): as pydantic's JSON.
        return to_jsonable_python(value, fallback=fallback)

    return default


_STRICT = _encoder(None)


def dumps(data: Any, *, fallback: Callable[[Any], Any] | None = None) -> bytes:
    """``data`` (models, dicts, lists, scalars) as JSON, timestamps as ``format_timestamp``.

    A value neither orjson nor pydantic can write raises, unless ``fallback`` converts it.
    """
    default = _STRICT if fallback is None else _encoder(fallback)
    return orjson.dumps(data, default=default, option=orjson.OPT_PASSTHROUGH_DATETIME)
