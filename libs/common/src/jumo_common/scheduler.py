"""A durable scheduler: due jobs in the database, run under leases, at least once; the job's
effect makes it exactly once.

Why the database and not the broker: RabbitMQ here has no delayed-message plugin, and a
per-message TTL with dead-lettering only expires messages at the head of a queue (a job due
tomorrow would hold back one due in a minute); FerretDB has no TTL indexes either. And a job
must move (a calendar event's start changes) or vanish (it is cancelled), which a message
already sent cannot. So a job is a document ``{_id, kind, due_at, payload, generation, state}``
that the service's periodic loop reads when due.

Exactly once, on a store whose updates are not atomic (FerretDB):

- a job is written through ``VersionedDocuments`` (write claims serialise its writers) and
  carries the caller's ``generation`` (e.g. the version of the thing it belongs to): a
  ``schedule`` or ``cancel`` older than the job's changes nothing, so concurrent reschedules
  end on the newest whatever order they land in;
- a run takes a lease by an exclusive insert ``{_id: "<job>:<generation>:<due>:<n>"}``; a lease
  whose holder has not finished within ``lease`` is taken to be dead and the next ``n`` is
  inserted, so a process SIGKILLed mid-run delays its job by one lease, never loses it;
- the handler's effect must be an exclusive insert too (a document with a unique ``_id`` per
  job occurrence, carrying its outbox events): a rerun after a crash between the effect and
  ``finish`` finds it there and does nothing twice.

``MongoJobs`` is the store; ``jumo_common.testing.scheduler.MemoryJobs`` its twin in memory
(one contract suite runs over both); ``run_due`` is the step a periodic loop calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from jumo_common.change import Change
from jumo_common.logging import get_logger
from jumo_common.mongo import (
    ASCENDING,
    Collection,
    Database,
    Document,
    IndexSpec,
    as_utc,
    insert_once,
)
from jumo_common.outbox import Outbox, VersionedDocuments

log = get_logger(__name__)
JOBS_COLLECTION = "scheduled_jobs"
LEASES_COLLECTION = "scheduled_leases"
INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(JOBS_COLLECTION, (("state", ASCENDING), ("due_at", ASCENDING))),
    IndexSpec(LEASES_COLLECTION, (("at", ASCENDING),)),
)
DEFAULT_LEASE = dt.timedelta(seconds=60)
JobState = Literal["due", "done", "cancelled"]


@dataclass(frozen=True)
class Job:
    """One scheduled job as stored."""

    id: str
    kind: str
    due_at: dt.datetime
    payload: Mapping[str, Any]
    generation: int
    state: JobState = "due"


@dataclass(frozen=True)
class RunAt:
    """A handler's answer: not yet, run the job again at ``due_at`` (its thing moved)."""

    due_at: dt.datetime


# A handler does the job's effect (exactly once by its own exclusive insert) and returns None
# when the job is done, or RunAt when it must run again later.
Handler = Callable[[Job, dt.datetime], Awaitable[RunAt | None]]


class JobStore(Protocol):
    """What ``run_due`` and the services need of the jobs."""

    async def schedule(
        self, job_id: str, kind: str, due_at: dt.datetime, payload: Mapping[str, Any], *,
        generation: int,
    ) -> bool:  # fmt: skip
        """Create the job or move it to ``due_at`` (due again); False when the job already has
        a newer generation (this one changes nothing)."""
        ...

    async def cancel(self, job_id: str, *, generation: int) -> bool:
        """Drop a job that is still due; False when there is none or it is newer."""
        ...

    async def job(self, job_id: str) -> Job | None:
        """A job by id, whatever its state."""
        ...

    async def due(self, now: dt.datetime, limit: int) -> list[Job]:
        """Jobs due at ``now``, earliest first."""
        ...

    async def lease(self, job: Job, now: dt.datetime, length: dt.timedelta) -> bool:
        """Take the lease of this run of ``job`` for ``length`` (False: a live holder has
        it)."""
        ...

    async def finish(self, job: Job, next_due: dt.datetime | None) -> None:
        """The run of ``job`` is over: done, or due again at ``next_due``; nothing when the job
        was rescheduled meanwhile (that newer generation stays due)."""
        ...


def job_of(doc: Document) -> Job:
    """A stored job."""
    return Job(
        id=doc["_id"], kind=doc["kind"], due_at=as_utc(doc["due_at"]), payload=doc["payload"],
        generation=int(doc["generation"]), state=doc["state"],
    )  # fmt: skip


def schedule_plan(
    kind: str, due_at: dt.datetime, payload: Mapping[str, Any], generation: int
) -> Callable[[Document | None], Change | None]:
    """The write of ``schedule``: the job due at ``due_at`` unless it is newer already."""

    def plan(doc: Document | None) -> Change | None:
        if doc is not None and int(doc["generation"]) > generation:
            return None
        fields = {"kind": kind, "due_at": due_at, "payload": dict(payload),
                  "generation": generation, "state": "due"}  # fmt: skip
        if doc is not None and all(doc.get(k) == v for k, v in fields.items()):
            return None
        return Change(set=fields)

    return plan


def cancel_plan(generation: int) -> Callable[[Document], Change | None]:
    """The write of ``cancel``."""

    def plan(doc: Document) -> Change | None:
        if int(doc["generation"]) > generation or doc["state"] != "due":
            return None
        return Change(set={"state": "cancelled", "generation": generation})

    return plan


def finish_plan(job: Job, next_due: dt.datetime | None) -> Callable[[Document], Change | None]:
    """The write of ``finish``: only the generation that ran, only while it is due."""

    def plan(doc: Document) -> Change | None:
        if int(doc["generation"]) != job.generation or doc["state"] != "due":
            return None
        if next_due is None:
            return Change(set={"state": "done"})
        return Change(set={"due_at": next_due})

    return plan


def lease_key(job: Job, n: int) -> str:
    """The ``_id`` of the ``n``-th lease of one occurrence of a job (its generation and due
    time: a job moved by its handler is a new occurrence)."""
    return f"{job.id}:{job.generation}:{job.due_at.timestamp():.3f}:{n}"


class MongoJobs:
    """``JobStore`` on MongoDB / FerretDB (collections ``scheduled_jobs``, ``scheduled_leases``;
    add ``INDEXES`` to the service's)."""

    def __init__(self, db: Database, outbox: Outbox, claims: Collection) -> None:
        self.jobs: Collection = db[JOBS_COLLECTION]
        self.leases: Collection = db[LEASES_COLLECTION]
        self._jobs = VersionedDocuments(self.jobs, outbox, claims)

    async def schedule(
        self, job_id: str, kind: str, due_at: dt.datetime, payload: Mapping[str, Any], *,
        generation: int,
    ) -> bool:  # fmt: skip
        """Create or move the job (see ``JobStore``)."""
        written = await self._jobs.upsert(job_id, schedule_plan(kind, due_at, payload, generation))
        return written.change is not None or _is(written.before, generation)

    async def cancel(self, job_id: str, *, generation: int) -> bool:
        """Drop a due job (see ``JobStore``)."""
        written = await self._jobs.change(job_id, cancel_plan(generation))
        return written is not None and written.change is not None

    async def job(self, job_id: str) -> Job | None:
        """A job by id."""
        doc = await self._jobs.get(job_id)
        return job_of(doc) if doc is not None else None

    async def due(self, now: dt.datetime, limit: int) -> list[Job]:
        """Jobs due at ``now``, earliest first."""
        query = {"state": "due", "due_at": {"$lte": now}}
        docs = await self.jobs.find(query).sort("due_at", ASCENDING).limit(limit).to_list()
        return [job_of(doc) for doc in docs]

    async def lease(self, job: Job, now: dt.datetime, length: dt.timedelta) -> bool:
        """An exclusive insert; a stale lease (its holder died) is passed by the next one."""
        n = 1
        while not await insert_once(
            self.leases, {"_id": lease_key(job, n), "job_id": job.id, "at": now}
        ):
            held = await self.leases.find_one({"_id": lease_key(job, n)})
            if held is not None and now - as_utc(held["at"]) < length:
                return False
            n += 1
        return True

    async def finish(self, job: Job, next_due: dt.datetime | None) -> None:
        """Done, or due again (see ``JobStore``). The run's lease stays until ``purge``: a
        runner that read the job as due before this keeps out by it."""
        await self._jobs.change(job.id, finish_plan(job, next_due))

    async def purge(self, before: dt.datetime) -> int:
        """Delete leases older than ``before`` (their runs are long over; housekeeping)."""
        result = await self.leases.delete_many({"at": {"$lt": before}})
        return result.deleted_count


def _is(doc: Document | None, generation: int) -> bool:
    """Whether a job already stands at ``generation`` (a repeated schedule is not refused)."""
    return doc is not None and int(doc["generation"]) == generation


async def _still_due(jobs: JobStore, job: Job) -> bool:
    """Whether the job read as due is so still, at the same generation, once leased (another
    runner may have finished it, or a reschedule moved it, since it was read)."""
    now_stored = await jobs.job(job.id)
    return now_stored is not None and now_stored == job


async def run_due(
    jobs: JobStore, handlers: Mapping[str, Handler], now: dt.datetime, *,
    lease: dt.timedelta = DEFAULT_LEASE, limit: int = 100,
) -> int:  # fmt: skip
    """Run the jobs due at ``now`` whose lease (of ``lease``: longer than a run takes) this
    caller gets; how many finished. A failing handler is logged and its job runs again once
    its lease expires."""
    finished = 0
    for job in await jobs.due(now, limit):
        handler = handlers.get(job.kind)
        if (
            handler is None
            or not await jobs.lease(job, now, lease)
            or not await _still_due(jobs, job)
        ):
            continue
        try:
            again = await handler(job, now)
        except Exception:
            log.exception("scheduled job failed; it runs again after its lease", job=job.id)
            continue
        await jobs.finish(job, again.due_at if again else None)
        finished += 1
    return finished
