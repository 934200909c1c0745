"""``jumo_common.scheduler.JobStore`` in memory, for use-case tests (the contract suite in
``libs/common/tests/test_scheduler_contract.py`` runs it beside ``MongoJobs``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from jumo_common.scheduler import (
    Job,
    cancel_plan,
    finish_plan,
    job_of,
    lease_key,
    schedule_plan,
)
from jumo_common.testing.memory import MemoryDocuments, PublishedEvents


class MemoryJobs:
    """Jobs in a ``MemoryDocuments``, leases in a dict."""

    def __init__(self, published: PublishedEvents | None = None) -> None:
        self.jobs = MemoryDocuments(published if published is not None else PublishedEvents())
        self.leases: dict[str, dict[str, Any]] = {}

    async def schedule(
        self, job_id: str, kind: str, due_at: dt.datetime, payload: Mapping[str, Any], *,
        generation: int,
    ) -> bool:  # fmt: skip
        written = await self.jobs.upsert(job_id, schedule_plan(kind, due_at, payload, generation))
        before = written.before
        return written.change is not None or (
            before is not None and int(before["generation"]) == generation
        )

    async def cancel(self, job_id: str, *, generation: int) -> bool:
        written = await self.jobs.change(job_id, cancel_plan(generation))
        return written is not None and written.change is not None

    async def job(self, job_id: str) -> Job | None:
        doc = await self.jobs.get(job_id)
        return job_of(doc) if doc is not None else None

    async def due(self, now: dt.datetime, limit: int) -> list[Job]:
        jobs = [job_of(d) for d in self.jobs.documents.values()]
        ready = [j for j in jobs if j.state == "due" and j.due_at <= now]
        return sorted(ready, key=lambda j: j.due_at)[:limit]

    async def lease(self, job: Job, now: dt.datetime, length: dt.timedelta) -> bool:
        n = 1
        while (key := lease_key(job, n)) in self.leases:
            if now - self.leases[key]["at"] < length:
                return False
            n += 1
        self.leases[key] = {"job_id": job.id, "at": now}
        return True

    async def finish(self, job: Job, next_due: dt.datetime | None) -> None:
        await self.jobs.change(job.id, finish_plan(job, next_due))
