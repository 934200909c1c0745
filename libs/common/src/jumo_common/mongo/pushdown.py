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

from typing import Literal

from jumo_common.mongo.client import Collection

Mode = Literal["equalities", "indexes", "scan"]


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
