"""How the server answers a filter, so that a store can read "any of these values" the way it
answers best.

- MongoDB serves ``{field: {$in: [...]}}`` with its index ("indexes").
- FerretDB 1.24 on PostgreSQL pushes a top-level equality down, which an index serves (the
  local stack's GIN mirror), but not ``$in``: that reads the whole collection. One equality
  per value, a few at once, is the fast form there ("equalities").
- FerretDB 1.24 on SQLite pushes nothing down but ``_id``: every query is a scan, so one query
  for all the values is the cheapest ("scan").

``libs/devstack/tests/test_gin_mirror.py`` pins the PostgreSQL behaviour.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Literal

from jumo_common.mongo.client import Collection, Document

Mode = Literal["equalities", "indexes", "scan"]
IDS_AT_ONCE = 16  # equalities in flight for one find_by_ids


class FilterMode:
    """The server's way with filters on one collection, asked once with ``explain`` (or told)."""

    def __init__(self, collection: Collection, mode: Mode | None = None) -> None:
        self.collection = collection
        self._mode = mode  # None: ask the server

    async def get(self) -> Mode:
        """FerretDB's explain says whether it pushed the filter down (``filterPushdown``);
        MongoDB's says nothing of the kind and uses its indexes."""
        if self._mode is None:
            # Not ``_id``: SQLite pushes that one down, and only that one.
            command = {"find": self.collection.name, "filter": {"probe": "pushdown"}}
            plan = await self.collection.database.command("explain", command)
            if not plan.get("queryPlanner"):
                return "equalities"  # no collection yet: nothing to read either way
            pushdown = plan.get("filterPushdown")
            self._mode = "indexes" if pushdown is None else "equalities" if pushdown else "scan"
        return self._mode


async def find_by_ids(
    collection: Collection, ids: Iterable[str], mode: FilterMode
) -> list[Document]:
    """The documents of ``ids`` that exist (in no particular order): one ``_id`` equality each,
    a few at once, for a single id or where the server pushes equalities down; else one
    ``$in``."""
    wanted = list(dict.fromkeys(ids))
    if len(wanted) > 1 and await mode.get() != "equalities":
        return [document async for document in collection.find({"_id": {"$in": wanted}})]
    found: list[Document] = []
    for start in range(0, len(wanted), IDS_AT_ONCE):
        chunk = wanted[start : start + IDS_AT_ONCE]
        answers = await asyncio.gather(*(collection.find_one({"_id": one}) for one in chunk))
        found += [document for document in answers if document is not None]
    return found
