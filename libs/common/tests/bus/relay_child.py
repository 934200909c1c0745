"""A relay process that publishes, then hangs before marking: the parent SIGKILLs it there.

Run as ``python relay_child.py AMQP_URL MONGO_URL DATABASE EXCHANGE``; prints PUBLISHED once
the broker confirmed the events and before they are removed from the outbox.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

from pymongo import AsyncMongoClient

from jumo_common.bus.runtime import connect, open_publisher
from jumo_common.outbox import Outbox, OutboxRelay
from jumo_common.settings import ServiceSettings


class CrashBeforeMark(OutboxRelay):
    """Stops the world between the broker's confirm and the sent marker."""

    async def mark_sent(self, keys: list[str]) -> None:
        print("PUBLISHED", flush=True)
        time.sleep(3600)  # noqa: ASYNC251  blocking on purpose: nothing else may run until the SIGKILL


async def main(amqp_url: str, mongo_url: str, database: str, exchange: str) -> None:
    settings = ServiceSettings(amqp_url=amqp_url, events_exchange=exchange)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
    connection = await connect(settings)
    outbox = Outbox(client[database], ["users"])
    relay = CrashBeforeMark(await open_publisher(connection, settings), outbox)
    await relay.relay_once()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
