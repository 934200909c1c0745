"""What this process's consumers did with each event: waited on by ``Bus.wait_handled``.

nameko's idea: a test (or a demo script) waits until the consumer has finished with a message
instead of polling for its effects or sleeping. An event counts as finished once every queue of
this process that binds its routing key has handled it (or dead-lettered it).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Iterable
from typing import Literal

Outcome = Literal["handled", "dead-lettered"]
HANDLED: Outcome = "handled"
DEAD: Outcome = "dead-lettered"
# Finished events remembered for a late waiter; older ones are forgotten.
REMEMBERED = 10_000


class Outcomes:
    """A bounded record of finished events, by event id and queue."""

    def __init__(self) -> None:
        self._bindings: dict[str, set[str]] = {}
        self._done: OrderedDict[str, dict[str, tuple[str, Outcome]]] = OrderedDict()
        self._changed = asyncio.Condition()

    def bind(self, queue: str, routing_keys: Iterable[str]) -> None:
        """Declare which routing keys ``queue`` takes (so a waiter knows whom to wait for)."""
        self._bindings[queue] = set(routing_keys)

    def record(self, event_id: str, queue: str, routing_key: str, outcome: Outcome) -> None:
        """``queue`` finished ``event_id`` (received under ``routing_key``)."""
        self._done.setdefault(event_id, {})[queue] = (routing_key, outcome)
        self._done.move_to_end(event_id)
        while len(self._done) > REMEMBERED:
            self._done.popitem(last=False)
        asyncio.get_running_loop().create_task(self._wake())

    async def _wake(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def outcome(self, event_id: str) -> Outcome | None:
        """The outcome once every queue that binds the event has finished it, else None."""
        done = self._done.get(event_id)
        if not done:
            return None
        keys = {key for key, _ in done.values()}
        expected = {q for q, bound in self._bindings.items() if bound & keys}
        if not expected <= done.keys():
            return None
        return DEAD if any(o == DEAD for _, o in done.values()) else HANDLED

    async def wait(self, event_id: str, timeout: float = 10.0) -> Outcome:
        """Wait until the event is finished here; TimeoutError after ``timeout`` seconds."""
        async with asyncio.timeout(timeout), self._changed:
            while (result := self.outcome(event_id)) is None:
                await self._changed.wait()
        return result
