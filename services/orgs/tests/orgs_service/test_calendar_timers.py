"""The periodic loop: steps run in order with the time given, a failing step is logged and
retried next round without stopping the others, and the app runs the loop."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from jumo_common.testing.bus import EventTap
from jumo_orgs.app import create_app
from jumo_orgs.settings import OrgsSettings
from jumo_orgs.timers import Timers
from orgs_service.conftest import AiohttpClient, Client, service

NOW = datetime(2030, 5, 1, 12, tzinfo=UTC)


async def test_a_round_runs_every_step_with_the_time_given() -> None:
    timers, seen = Timers(), list[tuple[str, datetime]]()

    async def first(now: datetime) -> int:
        seen.append(("first", now))
        return 2

    async def second(now: datetime) -> int:
        seen.append(("second", now))
        return 0

    timers.register("first", first)
    timers.register("second", second)
    assert await timers.run_round(NOW) == {"first": 2, "second": 0}
    assert seen == [("first", NOW), ("second", NOW)]
    assert timers.names == ("first", "second")


async def test_a_failing_step_does_not_stop_the_others_and_runs_again() -> None:
    timers, calls = Timers(), {"flaky": 0, "steady": 0}

    async def flaky(now: datetime) -> int:
        calls["flaky"] += 1
        if calls["flaky"] == 1:
            raise RuntimeError("the store is away")
        return 1

    async def steady(now: datetime) -> int:
        calls["steady"] += 1
        return 1

    timers.register("flaky", flaky)
    timers.register("steady", steady)
    assert await timers.run_round(NOW) == {"steady": 1}
    assert await timers.run_round(NOW) == {"flaky": 1, "steady": 1}


def test_a_name_is_registered_once() -> None:
    timers = Timers()

    async def step(now: datetime) -> int:
        return 0

    timers.register("step", step)
    with pytest.raises(ValueError, match="already registered"):
        timers.register("step", step)


async def test_the_app_runs_the_loop(
    aiohttp_client: AiohttpClient, settings: OrgsSettings, tap: EventTap
) -> None:
    fast = settings.model_copy(update={"timers_interval_s": 0.05})
    client: Client = await aiohttp_client(create_app(fast))
    ran = asyncio.Event()

    async def step(now: datetime) -> int:
        assert now.tzinfo is not None
        ran.set()
        return 0

    service(client).timers.register("test.step", step)
    await asyncio.wait_for(ran.wait(), timeout=30)
