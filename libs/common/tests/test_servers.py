"""Private server instances: they start, survive SIGKILL with their data, and stop cleanly."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aio_pika
import pytest
from pymongo import MongoClient

from jumo_common.testing.servers import (
    FerretNode,
    RabbitNode,
    ferretdb_binary,
    free_port,
    pid_alive,
    port_answers,
    scratch_dir,
)


@pytest.fixture
def base_dir() -> Iterator[Path]:
    """A folder the rabbitmq user can reach, removed afterwards."""
    folder = scratch_dir("jumo-test-servers-")
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_free_port_is_free() -> None:
    port = free_port()
    assert 1024 < port < 65536
    assert not port_answers("127.0.0.1", port)


def test_ferretdb_binary_missing_says_how_to_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUMO_FERRETDB_BIN", "/nonexistent/jumo-ferretdb")
    with pytest.raises(FileNotFoundError, match="make tools"):
        ferretdb_binary()


async def _publish(url: str, queue_name: str, body: bytes) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await channel.declare_queue(queue_name, durable=True)
        message = aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
        # With confirms on, this returns once the broker has the message on disk.
        await channel.default_exchange.publish(message, routing_key=queue_name)


async def _get(url: str, queue_name: str) -> bytes | None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(queue_name, durable=True)
        message = await queue.get(fail=False)
        if message is None:
            return None
        await message.ack()
        return message.body


async def test_rabbit_node_keeps_persistent_message_across_sigkill(base_dir: Path) -> None:
    node = RabbitNode(base_dir, free_port())
    await asyncio.to_thread(node.start)
    try:
        await _publish(node.url, "jumo.test.durable", b"survives")
        pid = node.pid
        await asyncio.to_thread(node.kill)
        assert not pid_alive(pid)
        assert not port_answers("127.0.0.1", node.port)

        await asyncio.to_thread(node.restart)
        assert node.pid != pid
        assert await _get(node.url, "jumo.test.durable") == b"survives"
    finally:
        await asyncio.to_thread(node.stop)
    assert not node.running()
    assert not port_answers("127.0.0.1", node.port)


def test_ferret_node_keeps_data_across_sigkill(base_dir: Path) -> None:
    with FerretNode(base_dir, free_port(), ferretdb_binary()) as node:
        client: MongoClient[dict[str, Any]] = MongoClient(node.url, serverSelectionTimeoutMS=5000)
        try:
            client.jumo_test.things.insert_one({"_id": "a", "n": 1})
            pid = node.pid
            node.kill()
            assert not pid_alive(pid)

            node.restart()
            assert node.pid != pid
            assert client.jumo_test.things.find_one({"_id": "a"}) == {"_id": "a", "n": 1}
        finally:
            client.close()
        pid = node.pid
    assert not pid_alive(pid)
    assert not port_answers("127.0.0.1", node.port)
