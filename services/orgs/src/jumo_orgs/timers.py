"""The one periodic loop of orgs: every time-based step (an opportunity past its deadline
closes, a pending application expires, a calendar event's reminder falls due) runs here.

A step is ``async def step(now: datetime) -> int`` (how many things it did). Steps take
``now`` so that tests call them directly with the time they want instead of sleeping; the
loop passes the clock. A step's failure is logged and the step runs again next round: every
step must be safe to repeat (they are exactly-once by exclusive inserts, not by running once).

Areas register their steps in ``app.build_orgs``::

    timers.register("opportunities.close_due", opportunities.close_due)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

from aiohttp import web

from jumo_common.logging import get_logger

log = get_logger(__name__)
Step = Callable[[datetime], Awaitable[int]]
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


class Timers:
    """The registered steps, run in registration order, one round at a time."""

    def __init__(self) -> None:
        self._steps: dict[str, Step] = {}

    def register(self, name: str, step: Step) -> None:
        """Run ``step`` every round under ``name`` (a name is registered once)."""
        if name in self._steps:
            raise ValueError(f"timer step {name!r} is already registered")
        self._steps[name] = step

    @property
    def names(self) -> tuple[str, ...]:
        """The registered steps' names, in the order they run."""
        return tuple(self._steps)

    async def run_round(self, now: datetime) -> dict[str, int]:
        """Every step once with ``now``; what each did (a failed step is logged, left out,
        and tried again next round — the others still run)."""
        done: dict[str, int] = {}
        for name, step in list(self._steps.items()):  # a step may be registered meanwhile
            try:
                done[name] = await step(now)
            except Exception:
                log.exception("timer step failed; it runs again next round", step=name)
        for name, count in done.items():
            if count:
                log.info("timer step did work", step=name, count=count)
        return done

    async def run_forever(self, interval_s: float, clock: Clock = utc_now) -> None:
        """A round now (what fell due while the service was down), then every
        ``interval_s`` seconds."""
        while True:
            try:
                await self.run_round(clock())
            except Exception:  # the loop itself must outlive anything
                log.exception("timer round failed; the next one runs as planned")
            await asyncio.sleep(interval_s)


def timers_context(
    timers_of: Callable[[web.Application], Timers], interval_s: float
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context running the loop while the app runs (after the service objects and
    the bus: steps write events that the relay sends)."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(timers_of(app).run_forever(interval_s), name="timers")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return context
