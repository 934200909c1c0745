"""feed's service tests: the app in-process on the real FerretDB/MongoDB, RabbitMQ and Redis,
access tokens from a test key set (as identity would mint them), and the events of identity and
orgs published by the test itself. Each test has its own database, exchange, queues and Redis
key prefix; its Redis keys are deleted after it."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from jumo_common.bus import BUS_KEY
from jumo_common.events import Envelope, EventData, make_event
from jumo_common.events.identity import UserRegistered, UserUpdated
from jumo_common.events.orgs import OrgCard, OrgCreated
from jumo_common.testing.bus import wait_handled
from jumo_common.testing.plugin import InfraUrls, TestNames
from jumo_common.testing.tokens import TestKeys
from jumo_feed.app import create_app
from jumo_feed.settings import FeedSettings
from jumo_feed.typedefs import FEED, Feed

Client = TestClient[Any, Any]
AiohttpClient = Callable[..., Any]
T = TypeVar("T")
LOCAL_REDIS_URL = "redis://127.0.0.1:6380/0"


@pytest.fixture
def redis_url() -> str:
    """The stack's Redis (``make up`` writes REDIS_URL into stack.env)."""
    return os.environ.get("REDIS_URL") or LOCAL_REDIS_URL


@pytest.fixture
async def keys() -> TestKeys:
    """identity's signing keys, as far as feed can tell."""
    return TestKeys()


@pytest.fixture
async def redis(redis_url: str, names: TestNames) -> AsyncIterator[Redis]:
    """A client of the stack's Redis; this test's keys are deleted after it."""
    client = Redis.from_url(redis_url)
    yield client
    async for key in client.scan_iter(match=f"{prefix_of(names)}*", count=1000):
        await client.delete(key)
    await client.aclose()


def prefix_of(names: TestNames) -> str:
    """This test's Redis key prefix."""
    return f"t{names.token}:"


@pytest.fixture
def overrides() -> dict[str, Any]:
    """Settings a test changes (override the fixture in a module)."""
    return {}


@pytest.fixture
async def settings(
    infra: InfraUrls,
    names: TestNames,
    keys: TestKeys,
    redis: Redis,
    redis_url: str,
    overrides: dict[str, Any],
) -> AsyncIterator[FeedSettings]:
    """This test's feed settings (its own database, exchange, queues and keys; the test JWKS)."""
    async with keys.serve() as jwks_url:
        yield FeedSettings(**names.settings_overrides(infra), jwks_url=jwks_url,
                           redis_url=redis_url, redis_prefix=prefix_of(names),
                           **overrides)  # fmt: skip


@pytest.fixture
async def client(aiohttp_client: AiohttpClient, settings: FeedSettings) -> Client:
    """The feed app, started."""
    result: Client = await aiohttp_client(create_app(settings))
    return result


def service(client: Client) -> Feed:
    """The service objects of the app under test."""
    feed: Feed = client.app[FEED]
    return feed


@dataclass(frozen=True)
class Person:
    """A person identity knows, with an access token for feed."""

    user_id: str
    name: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        """The Authorization header."""
        return {"Authorization": f"Bearer {self.token}"}


async def publish(client: Client, data: EventData, **envelope: Any) -> Envelope[Any]:
    """Publish an event as its producer would, and wait until feed has handled it."""
    event = make_event(data, producer=envelope.pop("producer", "orgs"), **envelope)
    await send(client, event)
    return event


async def send(client: Client, event: Envelope[Any]) -> None:
    """Publish a prepared event (again, for redeliveries) and wait until it was handled."""
    await client.app[BUS_KEY].publisher.publish(event)
    await wait_handled(client.app, event.id)


async def person(client: Client, keys: TestKeys, name: str, **profile: Any) -> Person:
    """A person who signed up with identity (feed learns it from user.registered/updated)."""
    user_id = uuid.uuid4().hex
    await publish(client, UserRegistered(user_id=user_id, display_name=name), producer="identity")
    if profile:
        update = UserUpdated(user_id=user_id, display_name=name, version=2, **profile)
        await publish(client, update, producer="identity")
    return Person(user_id, name, keys.mint(user_id))


async def new_org(client: Client, name: str = "Water for All") -> OrgCard:
    """An organization orgs created (feed hears org.created)."""
    card = org_card(name)
    await publish(client, OrgCreated(org=card, status="verified", version=1))
    return card


def org_card(name: str = "Water for All") -> OrgCard:
    """An organization as orgs' events carry it."""
    org_id = uuid.uuid4().hex
    return OrgCard(org_id=org_id, slug=f"org-{org_id[:8]}", name=name, initials=name[:2].upper(),
                   colour="#2266aa", verified=True)  # fmt: skip


def minutes_ago(minutes: float) -> datetime:
    """A moment in the recent past (activities are ordered by their time)."""
    return datetime.now(UTC) - timedelta(minutes=minutes)


async def read_feed(client: Client, who: Person, **query: Any) -> dict[str, Any]:
    """``GET /feed`` as ``who``; the JSON answer (asserts 200)."""
    response = await client.get("/feed", params=query, headers=who.auth)
    body: dict[str, Any] = await response.json()
    assert response.status == 200, body
    return body


async def open_feed(client: Client, who: Person) -> None:
    """``who`` reads their feed once: from then on their timeline exists and fan-out reaches
    it (fan-out writes only the timelines of people who read recently)."""
    await read_feed(client, who)


async def eventually(check: Callable[[], Awaitable[T | None]], timeout: float = 10.0) -> T:
    """Poll ``check`` until it returns something truthy."""
    async with asyncio.timeout(timeout):
        while True:
            found = await check()
            if found:
                return found
            await asyncio.sleep(0.05)
