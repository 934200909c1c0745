"""Live notifications: which open streams of this process to wake when a notification is
stored. A stream also polls the database every ``stream_poll_s``, so a notification stored by
another notifier process reaches it too (a few seconds later at worst); one stored by this
process wakes it at once.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict


class LiveHub:
    """Per person, the wake-up events of their open streams in this process."""

    def __init__(self) -> None:
        self._streams: defaultdict[str, set[asyncio.Event]] = defaultdict(set)

    def open(self, user_id: str) -> asyncio.Event:
        """A stream of ``user_id`` starts listening."""
        wake = asyncio.Event()
        self._streams[user_id].add(wake)
        return wake

    def close(self, user_id: str, wake: asyncio.Event) -> None:
        """A stream ended."""
        streams = self._streams.get(user_id)
        if streams is None:
            return
        streams.discard(wake)
        if not streams:
            del self._streams[user_id]

    def wake(self, user_id: str) -> None:
        """Something new for ``user_id``: every stream of theirs reads it now."""
        for wake in self._streams.get(user_id, ()):
            wake.set()

    def listeners(self) -> int:
        """How many streams are open in this process."""
        return sum(len(s) for s in self._streams.values())
