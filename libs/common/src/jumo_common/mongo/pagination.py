"""Cursor (keyset) pagination over any sort that ends with a unique field."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from bson import ObjectId, json_util
from bson.binary import UuidRepresentation
from bson.errors import BSONError
from bson.json_util import JSONMode, JSONOptions

from jumo_common.mongo.client import ASCENDING, Collection, Document

# find_page never reads more than this many documents for one page, whatever it is asked.
MAX_PAGE_LIMIT = 1000


class InvalidCursor(ValueError):
    """A cursor that is not one of ours for this sort (the web layer answers 400 invalid-cursor)."""


SortSpec: TypeAlias = Sequence[tuple[str, int]]
_CURSOR_JSON = JSONOptions(
    json_mode=JSONMode.CANONICAL,
    tz_aware=True,
    tzinfo=dt.UTC,
    uuid_representation=UuidRepresentation.STANDARD,
)
_CURSOR_SCALARS = (str, int, bool, dt.datetime, ObjectId, uuid.UUID, type(None))


@dataclass(frozen=True)
class PageResult:
    """One page of raw documents and the cursor of the next page (None on the last one)."""

    items: list[Document]
    next_cursor: str | None


def _value_at(doc: Mapping[str, Any], dotted: str) -> Any:
    value: Any = doc
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def encode_cursor(sort: SortSpec, doc: Mapping[str, Any]) -> str:
    """The opaque cursor after ``doc``: base64url of the sort spec and ``doc``'s sort values."""
    payload = {"s": [[f, d] for f, d in sort], "v": [_value_at(doc, f) for f, _ in sort]}
    raw = json_util.dumps(payload, json_options=_CURSOR_JSON, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


def _cursor_payload(cursor: str) -> Any:
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.encode("ascii"))
        return json_util.loads(raw, json_options=_CURSOR_JSON)
    except (ValueError, binascii.Error, BSONError, UnicodeError, TypeError):
        return None


def _safe_value(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, _CURSOR_SCALARS)


def decode_cursor(sort: SortSpec, cursor: str) -> list[Any]:
    """The sort values inside ``cursor``; ``InvalidCursor`` unless it is ours for ``sort``."""
    payload = _cursor_payload(cursor)
    values = payload.get("v") if isinstance(payload, dict) else None
    if not (
        isinstance(payload, dict)
        and payload.get("s") == [[f, d] for f, d in sort]
        and isinstance(values, list)
        and len(values) == len(sort)
        and all(_safe_value(v) for v in values)
    ):
        raise InvalidCursor("The cursor is not valid here.")
    return values


def after_filter(sort: SortSpec, values: Sequence[Any]) -> Document:
    """Documents strictly after ``values`` in ``sort`` order (keyset pagination)."""
    clauses: list[Document] = []
    for i, (field, direction) in enumerate(sort):
        clause: Document = {f: v for (f, _), v in zip(sort[:i], values[:i], strict=True)}
        clause[field] = {"$gt" if direction == ASCENDING else "$lt": values[i]}
        clauses.append(clause)
    return clauses[0] if len(clauses) == 1 else {"$or": clauses}


async def find_page(
    collection: Collection,
    query: Mapping[str, Any],
    sort: SortSpec,
    *,
    limit: int,
    cursor: str | None = None,
    projection: Mapping[str, Any] | None = None,
) -> PageResult:
    """One page of ``query`` in ``sort`` order, which must be unique (end it with ``_id``)."""
    limit = max(1, min(limit, MAX_PAGE_LIMIT))
    flt: Document = dict(query)
    if cursor is not None:
        after = after_filter(sort, decode_cursor(sort, cursor))
        flt = {"$and": [flt, after]} if flt else after
    found = collection.find(flt, projection).sort(list(sort)).limit(limit + 1)
    docs = await found.to_list(length=limit + 1)
    if len(docs) <= limit:
        return PageResult(docs, None)
    return PageResult(docs[:limit], encode_cursor(sort, docs[limit - 1]))
