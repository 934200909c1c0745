"""First measurement of the store and the bus: FerretDB/MongoDB writes and reads, RabbitMQ rates.

Run in the foreground against the running stack (``make up``)::

    uv run python bench/bus_and_store.py [--runs 5] [--messages 10000]

Every figure is the median of ``--runs`` runs. Names are unique per run (database
``bench_<token>``, exchange/queues ``bench.<token>.*``) and removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import aio_pika
from pymongo import AsyncMongoClient

from jumo_common.bus import Bus, Publisher, queue_names
from jumo_common.events import Envelope, make_event
from jumo_common.events.identity import UserRegistered
from jumo_common.settings import ServiceSettings

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
MONGO_URL = os.environ.get("MONGO_URL", "mongodb://127.0.0.1:27017/")
BODY = b"x" * 300  # the size the architecture's measured ceilings used


def median_of(values: list[float]) -> float:
    """The median, rounded for the report."""
    return round(statistics.median(values), 1)


async def timed(fn: Callable[[], Awaitable[Any]]) -> float:
    """Seconds ``fn`` took."""
    start = time.perf_counter()
    await fn()
    return time.perf_counter() - start


# --- the store -------------------------------------------------------------------------------


def small_docs(n: int) -> list[dict[str, Any]]:
    """``n`` small documents: 50 owners, a counter, a short text, a timestamp."""
    now = datetime.now(UTC)
    return [
        {"_id": uuid.uuid4().hex, "owner": f"o{i % 50}", "n": i, "text": "hello " * 5, "at": now}
        for i in range(n)
    ]


async def bench_store(
    client: AsyncMongoClient[dict[str, Any]], db_name: str, runs: int
) -> dict[str, float]:
    """insert_many of 10,000 documents; a find of 20 by an indexed field; 20 lookups by _id."""
    db = client[db_name]
    inserts: list[float] = []
    for run in range(runs):
        coll = db[f"insert_{run}"]
        docs = small_docs(10_000)
        inserts.append(await timed(lambda c=coll, d=docs: c.insert_many(d)))  # type: ignore[misc]
    coll = db["insert_0"]
    await coll.create_index([("owner", 1), ("n", -1)])
    ids = [d["_id"] async for d in coll.find({}, {"_id": 1}).limit(20)]
    finds, lookups = [], []
    for _ in range(runs * 4):
        finds.append(
            await timed(lambda: coll.find({"owner": "o7"}).sort("n", -1).limit(20).to_list())
        )
        lookups.append(
            await timed(lambda: asyncio.gather(*(coll.find_one({"_id": i}) for i in ids)))
        )
    return {
        "insert_many 10,000 docs (s)": round(statistics.median(inserts), 2),
        "insert_many docs/s": median_of([10_000 / t for t in inserts]),
        "find 20 by indexed field, sorted (ms)": median_of([t * 1000 for t in finds]),
        "20 finds by _id, concurrent (ms)": median_of([t * 1000 for t in lookups]),
    }


# --- the bus ---------------------------------------------------------------------------------


async def bench_publish(settings: ServiceSettings, messages: int, runs: int) -> dict[str, float]:
    """Confirmed persistent publishes into a bound quorum queue: one at a time vs many in flight."""
    bus = await Bus.start(settings, service="bench", handlers={"user.registered": _noop})
    assert bus.consumer is not None
    await bus.consumer.stop()  # keep the queue still; only publishing is measured here
    queue, _ = queue_names(settings, "bench")
    try:
        one, many, events = [], [], []
        for _ in range(runs):
            one.append(
                min(messages, 2000)
                / await timed(lambda: _one_by_one(bus.publisher, min(messages, 2000)))
            )
            many.append(messages / await timed(lambda: _in_flight(bus.publisher, messages)))
            batch = [_event(i) for i in range(messages)]
            events.append(messages / await timed(lambda b=batch: bus.publisher.publish_many(b)))  # type: ignore[misc]
            await _purge(bus, queue)
    finally:
        await bus.close()
    return {
        "publish, awaiting each confirm (msg/s)": median_of(one),
        "publish, 1,000 in flight (msg/s)": median_of(many),
        "Publisher.publish_many of events, 1,000 in flight (msg/s)": median_of(events),
    }


async def _noop(_event: Envelope[Any]) -> None:
    return None


def _event(i: int) -> Envelope[UserRegistered]:
    return make_event(UserRegistered(user_id=f"u{i}", display_name=f"User {i}"), producer="bench")


def _raw(i: int) -> aio_pika.Message:
    return aio_pika.Message(BODY, delivery_mode=aio_pika.DeliveryMode.PERSISTENT, message_id=str(i))


async def _one_by_one(publisher: Publisher, n: int) -> None:
    for i in range(n):
        await publisher.publish_message(_raw(i), "user.registered")


async def _in_flight(publisher: Publisher, n: int, width: int = 1000) -> None:
    for start in range(0, n, width):
        await asyncio.gather(
            *(
                publisher.publish_message(_raw(i), "user.registered")
                for i in range(start, start + width)
            )
        )


async def _purge(bus: Bus, queue: str) -> None:
    channel = await bus.connection.channel()
    await (await channel.get_queue(queue)).purge()
    await channel.close()


async def bench_consume(settings: ServiceSettings, messages: int, runs: int) -> dict[str, float]:
    """Manual-ack consumption of a full queue: raw aio-pika, and our Consumer (parse + handler)."""
    raw, ours = [], []
    for run in range(runs):
        raw.append(await _consume_raw(settings, messages, f"raw{run}"))
        ours.append(await _consume_ours(settings, messages, f"ours{run}"))
    prefetch = settings.prefetch_count
    return {
        f"consume raw, manual ack, prefetch {prefetch} (msg/s)": median_of(raw),
        f"consume via Consumer (validate + handler + ack), prefetch {prefetch} (msg/s)": median_of(
            ours
        ),
    }


async def _fill(settings: ServiceSettings, service: str, messages: int) -> Bus:
    bus = await Bus.start(settings, service=service, handlers={"user.registered": _noop})
    assert bus.consumer is not None
    await bus.consumer.stop()
    await bus.publisher.publish_many([_event(i) for i in range(messages)])
    return bus


async def _consume_raw(settings: ServiceSettings, messages: int, service: str) -> float:
    bus = await _fill(settings, service, messages)
    queue_name, _ = queue_names(settings, service)
    try:
        channel = await bus.connection.channel()
        await channel.set_qos(prefetch_count=settings.prefetch_count)
        queue = await channel.get_queue(queue_name)
        seen, finished = 0, asyncio.Event()

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal seen
            await message.ack()
            seen += 1
            if seen == messages:
                finished.set()

        start = time.perf_counter()
        await queue.consume(on_message)
        await finished.wait()
        return messages / (time.perf_counter() - start)
    finally:
        await _delete(bus, settings, service)


async def _consume_ours(settings: ServiceSettings, messages: int, service: str) -> float:
    filler = await _fill(settings, service, messages)
    seen, finished = 0, asyncio.Event()

    async def handler(_event: Envelope[Any]) -> None:
        nonlocal seen
        seen += 1
        if seen == messages:
            finished.set()

    start = time.perf_counter()
    bus = await Bus.start(settings, service=service, handlers={"user.registered": handler})
    try:
        await finished.wait()
        return messages / (time.perf_counter() - start)
    finally:
        await bus.close()
        await _delete(filler, settings, service)


async def _delete(bus: Bus, settings: ServiceSettings, service: str) -> None:
    for name in queue_names(settings, service):
        channel = await bus.connection.channel()
        await channel.queue_delete(name)
        await channel.close()
    await bus.close()


# --- the report ------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """nproc, CPU model, OS and library versions."""
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        "aio-pika": version("aio-pika"),
        "aiormq": version("aiormq"),
        "pymongo": version("pymongo"),
        "pydantic": version("pydantic"),
    }


async def servers(client: AsyncMongoClient[dict[str, Any]]) -> dict[str, str]:
    """What answers at AMQP_URL and MONGO_URL."""
    info = await client.admin.command("buildInfo")
    mongo = (
        f"FerretDB (SQLite), wire version {info['version']}"
        if "ferretdbVersion" in info
        else f"MongoDB {info['version']}"
    )
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        props = connection.transport.connection.server_properties  # type: ignore[union-attr]
        rabbit = f"{props['product']!s} {props['version']!s}"
    return {"database": mongo, "broker": rabbit}


async def main(runs: int, messages: int) -> None:
    token = uuid.uuid4().hex[:8]
    settings = ServiceSettings(
        service_name="bench",
        amqp_url=AMQP_URL,
        mongo_url=MONGO_URL,
        events_exchange=f"bench.{token}.events",
        queue_prefix=f"bench.{token}.",
    )
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL, tz_aware=True)
    report: dict[str, Any] = {**machine(), **await servers(client)}
    try:
        report |= await bench_store(client, f"bench_{token}", runs)
    finally:
        await client.drop_database(f"bench_{token}")
        await client.close()
    report |= await bench_publish(settings, messages, runs)
    report |= await bench_consume(settings, messages, runs)
    await _delete_exchanges(settings)
    width = max(len(k) for k in report)
    print(f"median of {runs} runs, {messages} messages of ~300 bytes per run")
    for key, value in report.items():
        print(f"{key:<{width}}  {value}")


async def _delete_exchanges(settings: ServiceSettings) -> None:
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        for name in (settings.events_exchange, f"{settings.events_exchange}.dead"):
            await channel.exchange_delete(name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--messages", type=int, default=10_000)
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.messages))
