"""In-memory stand-ins of our own storage ports, for use-case tests that need no servers.

``MemoryDocuments`` behaves like ``jumo_common.outbox.VersionedDocuments`` (versions, plans,
``Written``, unique keys), and every event a write carries lands in ``published`` at once, as if
the relay had sent it. ``libs/common/tests/test_documents_contract.py`` runs one suite over both,
so the fake cannot drift from the real thing. A service's memory store builds on it::

    events = PublishedEvents()
    users = MemoryDocuments(events, unique=("facebook_id",))
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from jumo_common.change import Change
from jumo_common.events import Envelope, EventData
from jumo_common.mongo import (
    ASCENDING,
    DESCENDING,
    MAX_PAGE_LIMIT,
    Document,
    PageResult,
    SortSpec,
    decode_cursor,
    encode_cursor,
)
from jumo_common.outbox.documents import (
    VERSION_FIELD,
    Plan,
    UpsertPlan,
    Visible,
    Written,
    apply,
)


class PublishedEvents(list[Envelope[Any]]):
    """The events a service's memory stores wrote, in order."""

    def of_type(self, model: type[EventData]) -> list[Envelope[Any]]:
        """The events whose data is a ``model``."""
        return [e for e in self if isinstance(e.data, model)]


def stored(value: Any) -> Any:
    """``value`` as a MongoDB server hands it back: a deep copy whose datetimes are UTC at
    millisecond precision (BSON's) and whose tuples are lists."""
    if isinstance(value, Mapping):
        return {key: stored(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [stored(item) for item in value]
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).replace(microsecond=value.microsecond // 1000 * 1000)
    return copy.deepcopy(value)


def _everything(_doc: Document) -> bool:
    return True


class MemoryDocuments:
    """A collection of versioned documents in a dict; writes are instant and never conflict."""

    def __init__(self, published: PublishedEvents, *, unique: Sequence[str] = ()) -> None:
        self.published = published
        self.unique = tuple(unique)
        self.documents: dict[Any, Document] = {}

    async def get(self, doc_id: Any) -> Document | None:
        """A copy of the document with this ``_id``."""
        doc = self.documents.get(doc_id)
        return copy.deepcopy(doc) if doc is not None else None

    async def create(
        self, document: Mapping[str, Any], events: Sequence[Envelope[Any]] = ()
    ) -> bool:
        """Insert as version 1; False when its ``_id`` or a unique field's value is taken."""
        if document["_id"] in self.documents or self._clashes(document):
            return False
        self.documents[document["_id"]] = stored(dict(document) | {VERSION_FIELD: 1})
        self.published.extend(events)
        return True

    async def change(
        self, doc_id: Any, plan: Plan, *, visible: Visible = _everything
    ) -> Written | None:
        """As ``VersionedDocuments.change``."""
        doc = self.documents.get(doc_id)
        if doc is None or not visible(doc):
            return None
        return self._apply(doc_id, copy.deepcopy(doc), plan(copy.deepcopy(doc)))

    async def upsert(self, doc_id: Any, plan: UpsertPlan) -> Written:
        """As ``VersionedDocuments.upsert``."""
        doc = self.documents.get(doc_id)
        before = copy.deepcopy(doc) if doc is not None else None
        return self._apply(doc_id, before, plan(copy.deepcopy(before)))

    def _apply(self, doc_id: Any, before: Document | None, change: Change | None) -> Written:
        current = int(before.get(VERSION_FIELD, 0)) if before else 0
        if change is None:
            return Written(before, None, current)
        version = current + 1
        self.documents[doc_id] = stored(apply(before or {"_id": doc_id}, change, version))
        self.published.extend(change.events_at(version))
        return Written(before, change, version)

    def _clashes(self, document: Mapping[str, Any]) -> bool:
        return any(
            name in document and any(d.get(name) == document[name] for d in self.documents.values())
            for name in self.unique
        )


def page_of(
    documents: Iterable[Document], sort: SortSpec, *, limit: int, cursor: str | None = None
) -> PageResult:
    """``find_page`` over documents in memory: the same order, limits and cursors."""
    limit = max(1, min(limit, MAX_PAGE_LIMIT))
    ordered = list(documents)
    for field, direction in reversed(sort):  # stable sorts, least significant key first
        ordered.sort(key=_value_of(field), reverse=direction == DESCENDING)
    if cursor is not None:
        after = decode_cursor(sort, cursor)
        ordered = [d for d in ordered if _after(d, sort, after)]
    if len(ordered) <= limit:
        return PageResult(copy.deepcopy(ordered), None)
    return PageResult(copy.deepcopy(ordered[:limit]), encode_cursor(sort, ordered[limit - 1]))


def _value_of(field: str) -> Callable[[Document], Any]:
    def value(doc: Document) -> Any:
        return doc.get(field)

    return value


def _after(doc: Document, sort: SortSpec, values: Sequence[Any]) -> bool:
    for (field, direction), value in zip(sort, values, strict=True):
        mine = doc.get(field)
        if mine != value:
            return bool(mine > value) if direction == ASCENDING else bool(mine < value)
    return False
