"""End-to-end fixtures: the real nginx gateway (deploy/gateway) in front of real services.

nginx must be installed: without it every test here fails and says how to install it.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aio_pika
import pytest

# The helpers beside this file are not an installed package: put this folder on the path.
# jumo_gateway.py here is a symlink to deploy/gateway/jumo_gateway.py, the one runner the local
# stack uses too; the link lets mypy, checking tests/ on its own, see its types.
HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from e2e_curl import Curl  # noqa: E402
from e2e_processes import Plan, SystemUnderTest, start_system  # noqa: E402
from e2e_support import GatewayFactory, ServiceBehindGateway, free_port  # noqa: E402
from jumo_gateway import Gateway, GatewayConfig, GatewayError, find_nginx  # noqa: E402
from pymongo import MongoClient  # noqa: E402

from jumo_common.bus import dead_exchange_name, unrouted_name  # noqa: E402
from jumo_common.settings import ServiceSettings  # noqa: E402
from jumo_common.testing.plugin import InfraUrls  # noqa: E402


@pytest.fixture(scope="session")
def nginx() -> str:
    """The nginx binary; the test fails (never skips) when there is none."""
    try:
        return find_nginx()
    except GatewayError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def start_gateway(nginx: str, tmp_path: Path) -> Iterator[GatewayFactory]:
    """Start gateways of this test's own (own port, own run folder); all stopped afterwards."""
    started: list[Gateway] = []

    def start(upstreams: dict[str, str], **limits: Any) -> Gateway:
        config = GatewayConfig(listen=f"127.0.0.1:{free_port()}", upstreams=upstreams, **limits)
        gateway = Gateway(tmp_path / f"gateway-{len(started)}", config, nginx)
        started.append(gateway)
        gateway.start()
        return gateway

    yield start
    for gateway in reversed(started):
        gateway.stop()


@pytest.fixture
async def service() -> AsyncIterator[ServiceBehindGateway]:
    """A real Jumo service on a free port, standing in as identity."""
    svc = ServiceBehindGateway()
    await svc.start()
    yield svc
    await svc.stop()


@pytest.fixture
async def gateway(start_gateway: GatewayFactory, service: ServiceBehindGateway) -> Gateway:
    """A gateway with default limits in front of ``service``."""
    return await asyncio.to_thread(start_gateway, {"identity": service.address})


@pytest.fixture(scope="session")
def system(
    nginx: str, infra: InfraUrls, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SystemUnderTest]:
    """The Facebook sandbox (with Jumo's Page), identity, orgs, feed with a Redis, notifier
    with a Mailpit, and a gateway: processes of this session's own."""
    sut = start_system(tmp_path_factory.mktemp("system"), infra, nginx)
    yield sut
    sut.stop()
    client: MongoClient[dict[str, Any]] = MongoClient(infra.mongo_url)
    with client:
        client.drop_database(sut.plan.mongo_database)
        client.drop_database(sut.plan.orgs_database)
        client.drop_database(sut.plan.feed_database)
        client.drop_database(sut.plan.notifier_database)
    asyncio.run(_delete_topology(infra.amqp_url, sut.plan))


# Each service's queues (``<prefix><service>.<name>``, each with its ``.dead``), as its
# consumers.py declares them.
SERVICE_QUEUES = {
    "orgs": ("events", "erasure"),
    "feed": ("events", "activities", "fanout", "erasure"),
    "notifier": ("people", "orgs", "notices", "facebook", "email", "erasure"),
}


async def _delete_topology(amqp_url: str, plan: Plan) -> None:
    """Remove the session's exchanges and queues from the shared broker."""
    settings = ServiceSettings(events_exchange=plan.events_exchange)
    prefix = f"test.{plan.token}."
    queues = [
        f"{prefix}{service}.{name}{dead}"
        for service, names in SERVICE_QUEUES.items()
        for name in names
        for dead in ("", ".dead")
    ]
    exchanges = [plan.events_exchange, dead_exchange_name(settings), unrouted_name(settings)]
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        for name in [*queues, unrouted_name(settings)]:
            channel = await connection.channel()
            with contextlib.suppress(Exception):
                await channel.queue_delete(name)
        for name in exchanges:
            channel = await connection.channel()
            with contextlib.suppress(Exception):
                await channel.exchange_delete(name)


@pytest.fixture
def curl(tmp_path: Path) -> Curl:
    """A person's terminal with its own cookie jar (call it: ``curl("-X", "POST", url)``)."""
    return Curl(tmp_path / "curl")


@pytest.fixture
def other_curl(tmp_path: Path) -> Curl:
    """A second person's terminal, cookies of their own."""
    return Curl(tmp_path / "other-curl")
