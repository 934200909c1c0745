"""The record's stores in memory: attendance (check-ins, codes) and the signing key ring (the
contract suites run over them and the MongoDB ones)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from jumo_common.events import Envelope
from jumo_common.mongo import Document, as_utc
from jumo_common.outbox import Plan, Written
from jumo_common.testing.memory import MemoryDocuments, PublishedEvents


class MemoryAttendanceStore:
    """Check-ins and check-in codes in memory."""

    def __init__(self, published: PublishedEvents) -> None:
        self.published = published
        self.check_ins = MemoryDocuments(published)
        self.codes: dict[str, Document] = {}
        self.uses: dict[str, Document] = {}

    async def create_check_in(self, doc: Document, events: Sequence[Envelope[Any]]) -> bool:
        return await self.check_ins.create(doc, events)

    async def check_in(self, check_in_id: str) -> Document | None:
        return await self.check_ins.get(check_in_id)

    async def change_check_in(self, check_in_id: str, plan: Plan) -> Written | None:
        return await self.check_ins.change(check_in_id, plan)

    async def check_ins_of(self, field: str, value: str) -> list[Document]:
        found = [k for k, d in self.check_ins.documents.items() if d.get(field) == value]
        return [doc for k in found if (doc := await self.check_ins.get(k)) is not None]

    async def add_code(self, doc: Document) -> bool:
        if doc["_id"] in self.codes:
            return False
        self.codes[doc["_id"]] = dict(doc)
        return True

    async def code(self, code_hash: str) -> Document | None:
        found = self.codes.get(code_hash)
        return dict(found) if found else None

    async def use_code(self, code_hash: str, volunteer_id: str, at: datetime) -> bool:
        if code_hash in self.uses:
            return False
        self.uses[code_hash] = {"_id": code_hash, "volunteer_id": volunteer_id, "at": at}
        return True

    async def purge_codes(self, before: datetime) -> int:
        expired = [k for k, d in self.codes.items() if as_utc(d["expires_at"]) < before]
        for key in expired:
            self.codes.pop(key)
            self.uses.pop(key, None)
        return len(expired)

    async def forget_codes(self, volunteer_id: str) -> int:
        gone = 0
        for docs in (self.codes, self.uses):
            keys = [k for k, d in docs.items() if d.get("volunteer_id") == volunteer_id]
            for key in keys:
                docs.pop(key)
            gone += len(keys)
        return gone


class MemorySigningKeyStore:
    """The record's key ring in memory."""

    def __init__(self) -> None:
        self.saved: dict[str, Document] = {}
        self.ring: dict[int, Document] = {}

    async def ring_versions(self) -> list[Document]:
        return [dict(self.ring[v]) for v in sorted(self.ring)]

    async def keys(self, kids: list[str]) -> list[Document]:
        return [dict(self.saved[k]) for k in kids if k in self.saved]

    async def save_key(self, kid: str, private_pem: str, created_at: datetime) -> None:
        self.saved[kid] = {"_id": kid, "private_pem": private_pem, "created_at": created_at}

    async def add_ring_version(self, version: int, current: str, at: datetime) -> bool:
        if version in self.ring:
            return False
        self.ring[version] = {"_id": version, "current": current, "at": at}
        return True
