"""pytest plugin: every test talks to a real RabbitMQ and a real MongoDB wire-protocol server.

Where the servers come from, in order:
1. ``AMQP_URL`` / ``MONGO_URL`` in the environment (``make test`` sources deploy/local/stack.env);
2. else, when a Docker engine answers, ``mongo:7`` and ``rabbitmq:3.13`` containers
   (testcontainers);
3. else the local stack's default addresses (127.0.0.1:5672 and 127.0.0.1:27017).

A server that does not answer fails the test with a message saying how to start it; nothing is
skipped. Each test gets its own database name, exchange name and queue prefix.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import io
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aio_pika
import orjson
import pytest
from pymongo import AsyncMongoClient, MongoClient

from jumo_common.bus.topology import (
    dead_exchange_name,
    declared_queues,
    forget_declared,
    unrouted_name,
)
from jumo_common.logging import configure_logging
from jumo_common.settings import ServiceSettings

LOCAL_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
LOCAL_MONGO_URL = "mongodb://127.0.0.1:27017/"
HOW_TO_START = (
    "start the local stack with `make up` (RabbitMQ + FerretDB, no Docker needed), "
    "or point AMQP_URL / MONGO_URL at running servers"
)


@dataclass(frozen=True)
class InfraUrls:
    """Where the real servers for this test session are."""

    amqp_url: str
    mongo_url: str


@dataclass(frozen=True)
class TestNames:
    """Names that isolate one test from every other on the shared servers."""

    token: str
    mongo_database: str
    events_exchange: str
    queue_prefix: str

    def settings_overrides(self, infra: InfraUrls) -> dict[str, Any]:
        """Keyword arguments for a ServiceSettings subclass that point it at this test's names."""
        return {
            "amqp_url": infra.amqp_url,
            "mongo_url": infra.mongo_url,
            "mongo_database": self.mongo_database,
            "events_exchange": self.events_exchange,
            "queue_prefix": self.queue_prefix,
            "mongo_server_selection_timeout_ms": 3000,
        }


def _answers(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    address = (parts.hostname or "127.0.0.1", parts.port or default_port)
    try:
        with socket.create_connection(address, timeout=2):
            return True
    except OSError:
        return False


def _docker_answers() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env(timeout=2).ping()
    except Exception:  # no engine, no client, no socket: all mean "no Docker"
        return False
    return True


def _containers() -> Iterator[InfraUrls]:
    from testcontainers.mongodb import MongoDbContainer
    from testcontainers.rabbitmq import RabbitMqContainer

    with MongoDbContainer("mongo:7") as mongo, RabbitMqContainer("rabbitmq:3.13") as rabbit:
        amqp = (
            f"amqp://guest:guest@{rabbit.get_container_host_ip()}:{rabbit.get_exposed_port(5672)}/"
        )
        yield InfraUrls(amqp_url=amqp, mongo_url=mongo.get_connection_url())


@pytest.fixture(scope="session")
def infra() -> Iterator[InfraUrls]:
    """The RabbitMQ and MongoDB URLs of this test session, checked to answer."""
    amqp, mongo = os.environ.get("AMQP_URL"), os.environ.get("MONGO_URL")
    if not (amqp and mongo) and _docker_answers():
        yield from _containers()
        return
    urls = InfraUrls(amqp_url=amqp or LOCAL_AMQP_URL, mongo_url=mongo or LOCAL_MONGO_URL)
    for name, url, port in (("RabbitMQ", urls.amqp_url, 5672), ("MongoDB", urls.mongo_url, 27017)):
        if not _answers(url, port):
            pytest.fail(f"{name} does not answer at {url}: {HOW_TO_START}", pytrace=False)
    yield urls  # noqa: PT022  (a generator, because the Docker branch has teardown)


@pytest.fixture
def names(request: pytest.FixtureRequest) -> TestNames:
    """Fresh database, exchange and queue names for one test; its database dropped after it.

    Dropped here, not only by ``mongo_db``: a service under test creates the database itself,
    and hundreds of leftover databases slow a shared FerretDB down.
    """
    token = uuid.uuid4().hex[:12]
    value = TestNames(
        token=token,
        mongo_database=f"test_{token}",
        events_exchange=f"test.{token}.jumo.events",
        queue_prefix=f"test.{token}.",
    )
    infra: InfraUrls | None = (
        request.getfixturevalue("infra") if "infra" in request.fixturenames else None
    )
    if infra is not None:
        request.node.stash[_TIDY_AFTER] = (infra, value)
    return value


# What to tidy once a test's every fixture is finalized (see pytest_runtest_teardown).
_TIDY_AFTER = pytest.StashKey[tuple[InfraUrls, TestNames]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """Drop a test's database and delete its queues after ALL its fixtures are finalized.

    Not in ``names``' own teardown: fixtures finalize in reverse order of setup, so when a test
    asked for ``aiohttp_client`` before ``names``, the names went first and the app under test
    was still running; its robust channels then fought the deletions (consumers cancelled by
    the broker, recovery redeclaring onto a deleted exchange) and on a loaded machine its
    cleanup hung past the test timeout.
    """
    try:
        yield
    finally:
        tidy = item.stash.get(_TIDY_AFTER, None)
        if tidy is not None:
            infra, value = tidy
            _drop_database(infra.mongo_url, value.mongo_database)
            _in_a_thread(_delete_topology(infra.amqp_url, value))


def _in_a_thread(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine to its end on a loop of its own (a sync fixture's teardown has none)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result(timeout=60)


async def _delete_topology(amqp_url: str, names: TestNames) -> None:
    """Delete the queues and exchanges a test declared on the shared broker.

    Quorum queues are heavy (a process and a log each): a few thousand leftovers make the broker
    stop answering, so each test removes its own. The exchanges go too (they are cheap)."""
    settings = ServiceSettings(events_exchange=names.events_exchange)
    unrouted = unrouted_name(settings)
    queues = {q for q in declared_queues() if q.startswith(names.queue_prefix) or q == unrouted}
    exchanges = (names.events_exchange, dead_exchange_name(settings), unrouted)
    with contextlib.suppress(Exception):  # the broker is gone (a test stopped its own)
        connection = await aio_pika.connect(amqp_url, timeout=5)
        async with connection:
            for name in sorted(queues):
                await _quietly(connection, "queue_delete", name)
            for name in exchanges:
                await _quietly(connection, "exchange_delete", name)
    forget_declared(queues)


async def _quietly(connection: Any, verb: str, name: str) -> None:
    # A failed delete closes its channel: one channel per delete.
    with contextlib.suppress(Exception):
        channel = await connection.channel()
        await getattr(channel, verb)(name)
        await channel.close()


def _drop_database(url: str, name: str) -> None:
    client: MongoClient[dict[str, Any]] = MongoClient(url, serverSelectionTimeoutMS=3000)
    # The server may be gone (a test stopped it): then there is nothing to tidy there.
    with contextlib.suppress(Exception), client:
        client.drop_database(name)


@pytest.fixture
async def mongo_client(infra: InfraUrls) -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    """A client on this test's event loop, closed after the test."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        infra.mongo_url,
        serverSelectionTimeoutMS=3000,
        tz_aware=True,
        maxPoolSize=ServiceSettings().mongo_max_pool_size,  # as the services' clients
    )
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture
async def mongo_db(
    mongo_client: AsyncMongoClient[dict[str, Any]], names: TestNames
) -> AsyncIterator[Any]:
    """This test's own database, dropped afterwards."""
    db = mongo_client[names.mongo_database]
    try:
        yield db
    finally:
        await mongo_client.drop_database(names.mongo_database)


LogLines = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def log_lines() -> Iterator[LogLines]:
    """Logging configured as JSON into a buffer; call the fixture's value to read the lines.

    Whatever pytest's own capture does (``-p no:logging`` or not), the lines are the service's.
    """
    buffer = io.StringIO()
    configure_logging(ServiceSettings(log_json=True, log_level="DEBUG"), stream=buffer)

    def lines() -> list[dict[str, Any]]:
        return [orjson.loads(line) for line in buffer.getvalue().splitlines() if line]

    yield lines
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_jumo_handler", False)]:
        root.removeHandler(handler)
