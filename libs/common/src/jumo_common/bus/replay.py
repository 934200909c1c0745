"""Hand the events parked in ``jumo.unrouted`` to the consumers that exist now.

``python -m jumo_common.bus.replay`` (``AMQP_URL`` and ``EVENTS_EXCHANGE`` from the environment,
as every service reads them): each event that waited in the unrouted queue because no queue was
bound for its type when it was published is published again into the events exchange under its
original routing key, with a confirm, and only then removed from the unrouted queue. An event
that still has no taker goes straight back to the unrouted queue (the alternate exchange), so
the command takes at most the number of events parked when it started, and ends.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from dataclasses import dataclass

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection

from jumo_common.bus.publisher import Publisher
from jumo_common.bus.runtime import connect, open_publisher
from jumo_common.bus.topology import unrouted_name
from jumo_common.settings import ServiceSettings


@dataclass(frozen=True)
class Replayed:
    """What a replay did."""

    replayed: int
    still_unrouted: int


async def replay_unrouted(settings: ServiceSettings, limit: int | None = None) -> Replayed:
    """Republish up to ``limit`` (default: all parked now) unrouted events; see the module doc."""
    connection = await connect(settings)
    async with connection:
        publisher = await open_publisher(connection, settings)
        channel = await connection.channel()
        queue = await channel.declare_queue(unrouted_name(settings), passive=True)
        parked = int(queue.declaration_result.message_count or 0)
        todo = parked if limit is None else min(parked, limit)
        done = 0
        while done < todo and (message := await queue.get(no_ack=False, fail=False)) is not None:
            await _republish(publisher, message)
            done += 1
        await channel.close()  # its acks are processed before the close completes
        return Replayed(done, await _parked(connection, settings))


async def _parked(connection: AbstractRobustConnection, settings: ServiceSettings) -> int:
    channel = await connection.channel()
    try:
        queue = await channel.declare_queue(unrouted_name(settings), passive=True)
        return int(queue.declaration_result.message_count or 0)
    finally:
        await channel.close()


async def _republish(publisher: Publisher, message: AbstractIncomingMessage) -> None:
    """Publish a copy with a confirm, then ack the parked one (a crash between: a duplicate)."""
    copy = aio_pika.Message(
        message.body,
        headers=dict(message.headers or {}),
        content_type=message.content_type,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=message.message_id,
        type=message.type,
    )
    try:
        await publisher.publish_message(copy, message.routing_key or "")
    except Exception:
        with contextlib.suppress(Exception):
            await message.nack(requeue=True)
        raise
    await message.ack()


def main(argv: list[str] | None = None) -> None:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m jumo_common.bus.replay", description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="replay at most this many")
    args = parser.parse_args(argv)
    result = asyncio.run(replay_unrouted(ServiceSettings(), args.limit))
    print(f"replayed {result.replayed} events; {result.still_unrouted} still have no consumer")


if __name__ == "__main__":
    main()
