"""Where orgs keeps the keys that sign volunteers' records: Protocol, MongoDB, indexes.

Collections::

    record_signing_keys   {_id: kid, private_pem, created_at}: every key ever made; none is
                          deleted, so a record signed years ago still verifies.
    record_key_ring       {_id: version (1, 2, …), current: kid, at}: which key signs. Rotating
                          inserts the next version, an exclusive insert only one process wins
                          (an update would not be exclusive on FerretDB); the JWKS publishes
                          every key a version ever named, so a key saved by a process that lost
                          the race is never published nor used.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from jumo_common.mongo import Collection, Database, Document, IndexSpec, insert_once

INDEXES: tuple[IndexSpec, ...] = ()
OUTBOX_COLLECTIONS: tuple[str, ...] = ()


class SigningKeyStore(Protocol):
    """What the record's key ring needs of the database."""

    async def ring_versions(self) -> list[Document]:
        """Every version of the ring, oldest first."""
        ...

    async def keys(self, kids: list[str]) -> list[Document]:
        """The stored keys with these ids."""
        ...

    async def save_key(self, kid: str, private_pem: str, created_at: datetime) -> None:
        """Keep a new key (before a ring version names it)."""
        ...

    async def add_ring_version(self, version: int, current: str, at: datetime) -> bool:
        """Make ``current`` the signing key as ring ``version``; False if that version exists."""
        ...


class MongoSigningKeyStore:
    """The key ring in MongoDB."""

    def __init__(self, db: Database) -> None:
        self._keys: Collection = db["record_signing_keys"]
        self._ring: Collection = db["record_key_ring"]

    async def ring_versions(self) -> list[Document]:
        return await self._ring.find({}).sort("_id", 1).to_list()

    async def keys(self, kids: list[str]) -> list[Document]:
        return await self._keys.find({"_id": {"$in": kids}}).to_list()

    async def save_key(self, kid: str, private_pem: str, created_at: datetime) -> None:
        await self._keys.insert_one(
            {"_id": kid, "private_pem": private_pem, "created_at": created_at}
        )

    async def add_ring_version(self, version: int, current: str, at: datetime) -> bool:
        return await insert_once(self._ring, {"_id": version, "current": current, "at": at})
