"""The store and the bus: FerretDB's backends side by side, then RabbitMQ rates.

Run in the foreground (``make up`` first: the bus part uses the running stack)::

    uv run python bench/bus_and_store.py [--runs 5] [--messages 10000] [--store-runs 3]
    uv run python bench/bus_and_store.py --no-store   # the bus part alone
    uv run python bench/store_backends.py             # the store part alone

The store part (``store_backends.py``) starts private FerretDB nodes of its own, on SQLite, on
PostgreSQL and on PostgreSQL with the GIN mirror, and runs the same workloads on each in this
one run. The bus part uses ``AMQP_URL`` (and ``MONGO_URL`` for the consumer's claims) under
names of its own (``bench.<token>.*``, database ``bench_<token>``), removed at the end. Every
figure is a median.
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
from importlib.metadata import version
from pathlib import Path
from typing import Any

import aio_pika
from pymongo import AsyncMongoClient
from store_backends import bench_stores, table

from jumo_common.bus import (
    PROCESSED_COLLECTION,
    Bus,
    Publisher,
    Subscriptions,
    declare_queue_topology,
    ensure_processed_index,
    on,
    queue_names,
    unrouted_name,
)
from jumo_common.events import Envelope, make_event, routing_key
from jumo_common.events.identity import UserRegistered
from jumo_common.settings import ServiceSettings

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
MONGO_URL = os.environ.get("MONGO_URL", "mongodb://127.0.0.1:27017/")
BODY = b"x" * 300  # the size the architecture's measured ceilings used
KEY = routing_key("user.registered", 1)


def median_of(values: list[float]) -> float:
    """The median, rounded for the report."""
    return round(statistics.median(values), 1)


async def timed(fn: Callable[[], Awaitable[Any]]) -> float:
    """Seconds ``fn`` took."""
    start = time.perf_counter()
    await fn()
    return time.perf_counter() - start


# --- the bus ---------------------------------------------------------------------------------


async def bench_publish(settings: ServiceSettings, messages: int, runs: int) -> dict[str, float]:
    """Confirmed persistent publishes into a bound quorum queue: one at a time vs many in flight."""
    bus = await Bus.start(settings)
    names = queue_names(settings, "bench")
    await _declare(bus, settings, names)
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
            await _purge(bus, names[0])
    finally:
        await _delete(bus, names)
    return {
        "publish, awaiting each confirm (msg/s)": median_of(one),
        "publish, 1,000 in flight (msg/s)": median_of(many),
        "Publisher.publish_many of events, 1,000 in flight (msg/s)": median_of(events),
    }


async def _declare(bus: Bus, settings: ServiceSettings, names: tuple[str, str]) -> None:
    channel = await bus.connection.channel()
    await declare_queue_topology(channel, settings, names, [KEY])
    await channel.close()


def _event(i: int) -> Envelope[UserRegistered]:
    return make_event(UserRegistered(user_id=f"u{i}", display_name=f"User {i}"), producer="bench")


def _raw(i: int) -> aio_pika.Message:
    return aio_pika.Message(BODY, delivery_mode=aio_pika.DeliveryMode.PERSISTENT, message_id=str(i))


async def _one_by_one(publisher: Publisher, n: int) -> None:
    for i in range(n):
        await publisher.publish_message(_raw(i), KEY)


async def _in_flight(publisher: Publisher, n: int, width: int = 1000) -> None:
    for start in range(0, n, width):
        await asyncio.gather(
            *(publisher.publish_message(_raw(i), KEY) for i in range(start, start + width))
        )


async def _purge(bus: Bus, queue: str) -> None:
    channel = await bus.connection.channel()
    await (await channel.get_queue(queue)).purge()
    await channel.close()


async def bench_consume(
    settings: ServiceSettings, db: Any, messages: int, runs: int
) -> dict[str, float]:
    """Manual-ack consumption of a full queue: raw aio-pika, and our Consumer (claim + handler)."""
    raw, ours = [], []
    for run in range(runs):
        raw.append(await _consume_raw(settings, messages, f"raw{run}"))
        ours.append(await _consume_ours(settings, db, messages, f"ours{run}"))
    prefetch = settings.prefetch_count
    return {
        f"consume raw, manual ack, prefetch {prefetch} (msg/s)": median_of(raw),
        f"consume via Consumer (claim in the store + handler + ack), prefetch {prefetch} "
        "(msg/s)": median_of(ours),
    }


async def _fill(settings: ServiceSettings, service: str, messages: int) -> Bus:
    bus = await Bus.start(settings)
    await _declare(bus, settings, queue_names(settings, service))
    await bus.publisher.publish_many([_event(i) for i in range(messages)])
    return bus


async def _consume_raw(settings: ServiceSettings, messages: int, service: str) -> float:
    bus = await _fill(settings, service, messages)
    names = queue_names(settings, service)
    try:
        channel = await bus.connection.channel()
        await channel.set_qos(prefetch_count=settings.prefetch_count)
        queue = await channel.get_queue(names[0])
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
        await _delete(bus, names)


async def _consume_ours(settings: ServiceSettings, db: Any, messages: int, service: str) -> float:
    filler = await _fill(settings, service, messages)
    seen, finished = 0, asyncio.Event()

    async def registered(_event: Envelope[UserRegistered]) -> None:
        nonlocal seen
        seen += 1
        if seen == messages:
            finished.set()

    processed = db[f"{PROCESSED_COLLECTION}_{service}"]
    await ensure_processed_index(processed)
    start = time.perf_counter()
    bus = await Bus.start(
        settings,
        service=service,
        subscriptions=Subscriptions(on(UserRegistered, registered)),
        processed=processed,
    )
    try:
        await finished.wait()
        return messages / (time.perf_counter() - start)
    finally:
        await bus.close()
        await _delete(filler, queue_names(settings, service))


async def _delete(bus: Bus, names: tuple[str, str]) -> None:
    for name in names:
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


def ferretdb_version() -> str:
    """The FerretDB release our program is built from (its buildInfo says "unknown")."""
    go_mod = Path(__file__).resolve().parent.parent / "deploy/local/ferretdb/go.mod"
    for line in go_mod.read_text().splitlines():
        if line.startswith("require github.com/FerretDB/FerretDB "):
            return line.split()[-1]
    return "unknown"


async def servers(client: AsyncMongoClient[dict[str, Any]]) -> dict[str, str]:
    """What answers at AMQP_URL and MONGO_URL."""
    info = await client.admin.command("buildInfo")
    backend = os.environ.get("JUMO_FERRETDB_BACKEND", "the stack's backend")
    mongo = (
        f"FerretDB {ferretdb_version()} on {backend} (consumer claims)"
        if "ferretdbVersion" in info
        else f"MongoDB {info['version']} (consumer claims)"
    )
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        props = connection.transport.connection.server_properties  # type: ignore[union-attr]
        rabbit = f"{props['product']!s} {props['version']!s}"
    return {"database": mongo, "broker": rabbit}


async def main(runs: int, messages: int, store_runs: int, repeats: int, store: bool) -> None:
    token = uuid.uuid4().hex[:8]
    settings = ServiceSettings(
        service_name="bench",
        amqp_url=AMQP_URL,
        mongo_url=MONGO_URL,
        events_exchange=f"bench.{token}.events",
        queue_prefix=f"bench.{token}.",
    )
    if store:
        print("the store, side by side (private FerretDB nodes):", flush=True)
        stores = await bench_stores(store_runs, repeats)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL, tz_aware=True)
    report: dict[str, Any] = {**machine(), **await servers(client)}
    try:
        report |= await bench_publish(settings, messages, runs)
        report |= await bench_consume(settings, client[f"bench_{token}"], messages, runs)
    finally:
        await client.drop_database(f"bench_{token}")
        await client.close()
        await _delete_exchanges(settings)
    if store:
        print(table(stores))
    width = max(len(k) for k in report)
    print(f"\nthe bus: median of {runs} runs, {messages} messages of ~300 bytes per run")
    for key, value in report.items():
        print(f"{key:<{width}}  {value}")


async def _delete_exchanges(settings: ServiceSettings) -> None:
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        for name in (
            settings.events_exchange,
            f"{settings.events_exchange}.dead",
            unrouted_name(settings),
        ):
            await channel.exchange_delete(name)
        await channel.queue_delete(unrouted_name(settings))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each bus measurement")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--store-runs", type=int, default=3, help="runs of each store write")
    parser.add_argument("--repeats", type=int, default=20, help="repeats of each store read")
    parser.add_argument("--no-store", action="store_true", help="the bus part only")
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.messages, args.store_runs, args.repeats, not args.no_store))
