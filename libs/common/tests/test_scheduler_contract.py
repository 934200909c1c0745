"""One suite over both job stores of the durable scheduler: ``MongoJobs`` on the real store
and ``MemoryJobs``. A job runs when due, once its lease is taken; a run that died (its lease
never finished) runs again after the lease, and an effect written by an exclusive insert is
then written once."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from jumo_common.mongo import WRITE_CLAIMS, ensure_indexes, insert_once
from jumo_common.outbox import Outbox
from jumo_common.scheduler import INDEXES, Job, JobStore, MongoJobs, RunAt, run_due
from jumo_common.testing.scheduler import MemoryJobs

T0 = dt.datetime(2030, 1, 1, 9, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=30)


@pytest.fixture(params=["mongo", "memory"])
async def jobs(request: pytest.FixtureRequest, mongo_db: Any) -> AsyncIterator[JobStore]:
    """The job store under test, with a 30-second lease."""
    if request.param == "memory":
        yield MemoryJobs()
        return
    await ensure_indexes(mongo_db, INDEXES)
    yield MongoJobs(mongo_db, Outbox(mongo_db, []), mongo_db[WRITE_CLAIMS])


class Effects:
    """A handler whose effect is an exclusive insert per job occurrence (as a service's)."""

    def __init__(self) -> None:
        self.written: set[str] = set()
        self.calls = 0

    async def handler(self, job: Job, now: dt.datetime) -> RunAt | None:
        self.calls += 1
        self.written.add(f"{job.id}@{job.due_at.isoformat()}")
        return None


async def test_a_job_runs_when_due_and_once(jobs: JobStore) -> None:
    effects = Effects()
    assert await jobs.schedule("j1", "remind", T0, {"x": 1}, generation=1)
    assert (
        await run_due(jobs, {"remind": effects.handler}, T0 - dt.timedelta(seconds=1), lease=LEASE)
        == 0
    )
    assert await run_due(jobs, {"remind": effects.handler}, T0, lease=LEASE) == 1
    assert await run_due(jobs, {"remind": effects.handler}, T0 + LEASE * 3, lease=LEASE) == 0
    assert effects.calls == 1
    job = await jobs.job("j1")
    assert job is not None
    assert job.state == "done"
    assert job.payload == {"x": 1}


async def test_a_newer_generation_wins_whatever_the_order(jobs: JobStore) -> None:
    later = T0 + dt.timedelta(hours=2)
    assert await jobs.schedule("j", "remind", later, {}, generation=3)
    assert not await jobs.schedule("j", "remind", T0, {}, generation=2)  # an older write
    assert await jobs.schedule("j", "remind", later, {}, generation=3)  # repeated: same
    job = await jobs.job("j")
    assert job is not None
    assert job.due_at == later
    assert job.generation == 3
    assert not await jobs.cancel("j", generation=2)
    assert await jobs.cancel("j", generation=4)
    assert await jobs.due(later, 10) == []
    assert await jobs.schedule("j", "remind", later, {}, generation=5)  # scheduled again
    assert [j.id for j in await jobs.due(later, 10)] == ["j"]


async def test_concurrent_reschedules_end_on_the_newest(jobs: JobStore) -> None:
    await asyncio.gather(
        *(
            jobs.schedule("j", "remind", T0 + dt.timedelta(minutes=g), {}, generation=g)
            for g in range(1, 21)
        )
    )
    job = await jobs.job("j")
    assert job is not None
    assert job.generation == 20
    assert job.due_at == T0 + dt.timedelta(minutes=20)


async def test_a_live_lease_keeps_others_out_and_a_dead_one_is_passed(jobs: JobStore) -> None:
    await jobs.schedule("j", "remind", T0, {}, generation=1)
    (job,) = await jobs.due(T0, 10)
    assert await jobs.lease(job, T0, LEASE)  # a process takes it... and dies before finishing
    effects = Effects()
    assert await run_due(jobs, {"remind": effects.handler}, T0 + LEASE / 2, lease=LEASE) == 0
    assert await run_due(jobs, {"remind": effects.handler}, T0 + LEASE, lease=LEASE) == 1
    assert effects.calls == 1


async def test_concurrent_runners_take_one_lease(jobs: JobStore) -> None:
    await jobs.schedule("j", "remind", T0, {}, generation=1)
    effects = Effects()
    done = await asyncio.gather(
        *(run_due(jobs, {"remind": effects.handler}, T0, lease=LEASE) for _ in range(10))
    )
    assert sum(done) == 1
    assert effects.calls == 1


async def test_a_handler_may_move_its_job(jobs: JobStore) -> None:
    later = T0 + dt.timedelta(hours=1)

    async def not_yet(job: Job, now: dt.datetime) -> RunAt | None:
        return RunAt(later) if now < later else None

    await jobs.schedule("j", "remind", T0, {}, generation=1)
    assert await run_due(jobs, {"remind": not_yet}, T0, lease=LEASE) == 1
    assert await jobs.due(T0 + dt.timedelta(minutes=59), 10) == []
    assert await run_due(jobs, {"remind": not_yet}, later, lease=LEASE) == 1
    job = await jobs.job("j")
    assert job is not None
    assert job.state == "done"


async def test_a_failing_handler_runs_again_after_its_lease(jobs: JobStore) -> None:
    calls = 0

    async def flaky(job: Job, now: dt.datetime) -> RunAt | None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the store is away")
        return None

    await jobs.schedule("j", "remind", T0, {}, generation=1)
    assert await run_due(jobs, {"remind": flaky}, T0, lease=LEASE) == 0
    assert await run_due(jobs, {"remind": flaky}, T0 + LEASE, lease=LEASE) == 1
    assert calls == 2


async def test_a_rerun_after_a_crash_writes_the_effect_once(mongo_db: Any) -> None:
    """A run died between its effect and ``finish``: the rerun's exclusive insert finds the
    effect there and the job ends done with one effect."""
    jobs = MongoJobs(mongo_db, Outbox(mongo_db, []), mongo_db[WRITE_CLAIMS])
    inserted = 0

    async def effect(job: Job, now: dt.datetime) -> RunAt | None:
        nonlocal inserted
        inserted += await insert_once(mongo_db.effects, {"_id": f"{job.id}@{job.due_at}"})
        return None

    await jobs.schedule("j", "remind", T0, {}, generation=1)
    (job,) = await jobs.due(T0, 10)
    assert await jobs.lease(job, T0, LEASE)
    await effect(job, T0)  # ... and the process is killed here
    assert await run_due(jobs, {"remind": effect}, T0 + LEASE, lease=LEASE) == 1
    assert inserted == 1
    assert await mongo_db.effects.count_documents({}) == 1
    done = await jobs.job("j")
    assert done is not None
    assert done.state == "done"
    assert await jobs.purge(T0 + LEASE * 2) == 2  # the dead run's lease and the rerun's
