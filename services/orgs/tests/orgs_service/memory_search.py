"""``SearchStore`` in memory, straight over the memory organizations: the plain statement of what
the MongoDB store answers from its index (the contract suite runs both; there is no index here
to go stale, so ``repair`` has nothing to do)."""

from __future__ import annotations

import copy

from jumo_common.mongo import Document
from jumo_common.testing.memory import MemoryDocuments
from jumo_orgs.geo import Box
from jumo_orgs.search_store import FIELDS, OrgQuery, Position, newest_key


def _coordinates(doc: Document) -> tuple[float, float] | None:
    hq = doc.get("hq") or {}
    lat, lng = hq.get("lat"), hq.get("lng")
    if isinstance(lat, int | float) and isinstance(lng, int | float):
        return float(lat), float(lng)
    return None


def _in_box(doc: Document, box: Box) -> bool:
    point = _coordinates(doc)
    if point is None or not box.min_lat <= point[0] <= box.max_lat:
        return False
    if box.lng_wraps:
        return point[1] >= box.min_lng or point[1] <= box.max_lng
    return box.min_lng <= point[1] <= box.max_lng


def matches(doc: Document, query: OrgQuery) -> bool:
    """Whether ``doc`` matches ``query`` as ``search_store.org_filter`` says."""
    if doc.get("hidden") is True or (query.verified_only and doc.get("status") != "verified"):
        return False
    if not set(query.prefixes) <= set(doc.get("prefixes") or ()):
        return False
    if not set(query.terms) <= set(doc.get("terms") or ()):
        return False
    if query.causes and not set(query.causes) & set(doc.get("causes") or ()):
        return False
    return query.box is None or _in_box(doc, query.box)


class MemorySearchStore:
    """Search over the documents of a memory organization store."""

    def __init__(self, orgs: MemoryDocuments) -> None:
        self.orgs = orgs

    async def newest(
        self, query: OrgQuery, *, after: Position | None, limit: int
    ) -> list[Document]:
        found = [d for d in self.orgs.documents.values() if matches(d, query)]
        found.sort(key=newest_key, reverse=True)
        if after is not None:
            found = [d for d in found if newest_key(d) < after]
        return [{k: copy.deepcopy(d[k]) for k in FIELDS if k in d} for d in found[:limit]]

    async def repair(self) -> int:
        return 0
