"""Live notifications: the open streams of this process, and what to hand each of them.

A notification stored by this process is handed to the recipient's open streams at once, with
no database read (a post to 10,000 followers, 200 of them streaming, would otherwise cost 200
reads at the moment FerretDB is busiest). A stream also reads the database every
``stream_poll_s``: what another notifier process stored reaches it then, and so does anything a
full inbox dropped. A stream sends each notification once (``Stream.fresh``).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from jumo_common.mongo import Document

# A stream that falls this far behind drops what comes next; the database read catches up.
INBOX_SIZE = 100


class Stream:
    """One open stream: what was handed to it, and what it sent."""

    def __init__(self, since: int) -> None:
        self.inbox: asyncio.Queue[Document] = asyncio.Queue(INBOX_SIZE)
        self.since = since  # the highest number read from the database
        self.sent: dict[str, int] = {}  # sent above ``since``: id → number

    def hand(self, doc: Document) -> None:
        """A notification for this stream (dropped when its inbox is full)."""
        if not self.inbox.full():
            self.inbox.put_nowait(doc)

    def fresh(self, docs: list[Document], *, read: bool) -> list[Document]:
        """The ones of ``docs`` not sent yet, oldest first; remembers them as sent. What the
        database ``read`` gave is above the mark by construction; what was handed is sent
        whatever its number (an event handled late has an older one)."""
        new = [d for d in docs if d["_id"] not in self.sent
               and (not read or int(d["number"]) > self.since)]  # fmt: skip
        new.sort(key=lambda d: int(d["number"]))
        self.sent.update((d["_id"], int(d["number"])) for d in new)
        return new

    def caught_up(self, number: int) -> None:
        """The database was read up to ``number``: what was sent at or below it is behind the
        mark and need not be remembered."""
        self.since = max(self.since, number)
        self.sent = {key: n for key, n in self.sent.items() if n > self.since}


class LiveHub:
    """Per person, their open streams in this process."""

    def __init__(self) -> None:
        self._streams: defaultdict[str, set[Stream]] = defaultdict(set)

    def open(self, user_id: str, since: int) -> Stream:
        """A stream of ``user_id`` starts after ``since``."""
        stream = Stream(since)
        self._streams[user_id].add(stream)
        return stream

    def close(self, user_id: str, stream: Stream) -> None:
        """A stream ended."""
        streams = self._streams.get(user_id)
        if streams is None:
            return
        streams.discard(stream)
        if not streams:
            del self._streams[user_id]

    def hand(self, doc: Document) -> None:
        """A notification was stored: every open stream of its recipient gets it."""
        for stream in self._streams.get(doc["recipient"], ()):
            stream.hand(doc)
