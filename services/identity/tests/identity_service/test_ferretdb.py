"""Pins the FerretDB 1.24 behaviour identity's store is built around (see ``store``).

MongoDB applies a conditional single-document update atomically: of many concurrent
``find_one_and_update({used: None})`` or ``find_one_and_delete`` calls, exactly one wins.
FerretDB 1.24 on SQLite runs them as read-modify-writes outside a transaction (FerretDB issue
#3040), and several callers win. An insert with a unique ``_id`` is exclusive on both, which is
why every "exactly once" in identity is an insert (a claim).
"""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo.errors import DuplicateKeyError

from jumo_common.mongo import is_ferretdb

TRIALS = 30
CALLERS = 10


async def _most_winners(mongo_db: Any, operation: str) -> int:
    most = 0
    for _ in range(TRIALS):
        await mongo_db.probe.delete_many({})
        await mongo_db.probe.insert_one({"_id": 1, "used": None})
        if operation == "update":
            calls = [mongo_db.probe.find_one_and_update({"_id": 1, "used": None},
                                                        {"$set": {"used": i}})
                     for i in range(CALLERS)]  # fmt: skip
        else:
            calls = [mongo_db.probe.find_one_and_delete({"_id": 1}) for _ in range(CALLERS)]
        results = await asyncio.gather(*calls)
        most = max(most, sum(r is not None for r in results))
    return most


async def _insert_winners(mongo_db: Any) -> int:
    async def claim() -> bool:
        try:
            await mongo_db.claims.insert_one({"_id": "once"})
        except DuplicateKeyError:
            return False
        return True

    return sum(await asyncio.gather(*(claim() for _ in range(CALLERS))))


async def test_conditional_updates_and_deletes_are_not_exclusive_on_ferretdb(
    mongo_db: Any,
) -> None:
    ferret = await is_ferretdb(mongo_db)
    for operation in ("update", "delete"):
        most = await _most_winners(mongo_db, operation)
        if ferret:
            assert most > 1, f"FerretDB's find_one_and_{operation} became exclusive: revisit store"
        else:
            assert most == 1


async def test_an_insert_claim_is_exclusive_everywhere(mongo_db: Any) -> None:
    assert await _insert_winners(mongo_db) == 1
