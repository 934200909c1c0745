"""feed's service tests: the app in-process on the real FerretDB/MongoDB, RabbitMQ and Redis,
access tokens from a test key set (as identity would mint them), and the events of identity and
orgs published by the test itself. Each test has its own database, exchange, queues and Redis
key prefix; its Redis keys are deleted after it."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import aio_pika
import pytest
from aio_pika.abc import AbstractIncomingMessage
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from jumo_common.bus import BUS_KEY
from jumo_common.events import Envelope, EventData, make_event
from jumo_common.events.identity import UserFollowed, UserRegistered, UserUpdated
from jumo_common.events.opportunities import OpportunitySnapshot
from jumo_common.events.orgs import (
    FollowSettings,
    OrgCard,
    OrgCreated,
    OrgFollowed,
    PostPublished,
)
from jumo_common.testing.bus import wait_handled
from jumo_common.testing.plugin import InfraUrls, TestNames
from jumo_common.testing.tokens import TestKeys
from jumo_feed.app import create_app
from jumo_feed.model import SENTINEL, member
from jumo_feed.settings import FeedSettings
from jumo_feed.typedefs import FEED, Feed

Client = TestClient[Any, Any]
AiohttpClient = Callable[..., Any]
T = TypeVar("T")
LOCAL_REDIS_URL = "redis://127.0.0.1:6380/0"
HANDLED_WITHIN_S = 30.0


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
    await delete_keys(client, await prefixed_keys(client, names))
    await client.aclose()


async def prefixed_keys(redis: Redis, names: TestNames, pattern: str = "*") -> list[bytes]:
    """This test's Redis keys (under its prefix) that match ``pattern``."""
    return [key async for key in redis.scan_iter(match=f"{prefix_of(names)}{pattern}",
                                                 count=1000)]  # fmt: skip


async def delete_keys(redis: Redis, keys: list[bytes]) -> None:
    """Delete keys, a thousand per command (a test may leave tens of thousands)."""
    for start in range(0, len(keys), 1000):
        await redis.delete(*keys[start : start + 1000])


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
    """Publish a prepared event (again, for redeliveries) and wait until it was handled (for
    up to HANDLED_WITHIN_S: the machine is shared, and a handler held up by a busy FerretDB is
    slow, not wrong)."""
    await client.app[BUS_KEY].publisher.publish(event)
    await wait_handled(client.app, event.id, timeout=HANDLED_WITHIN_S)


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


# -- events, as identity and orgs publish them --------------------------------------------------


async def follow_org(
    client: Client, who: Person, org: OrgCard, *, in_feed: bool = True, seq: int = 1
) -> Envelope[Any]:
    """``who`` follows ``org`` (orgs' org.followed)."""
    settings = FollowSettings(in_feed=in_feed)
    return await publish(client, OrgFollowed(org_id=org.org_id, user_id=who.user_id,
                                             settings=settings, seq=seq))  # fmt: skip


async def follow(client: Client, who: Person, whom: Person, seq: int = 1) -> Envelope[Any]:
    """``who`` follows ``whom`` (identity's user.followed)."""
    data = UserFollowed(follower_id=who.user_id, followee_id=whom.user_id, seq=seq)
    return await publish(client, data, producer="identity")


def post(org: OrgCard, title: str, at: datetime, version: int = 1) -> PostPublished:
    """An organization's news."""
    return PostPublished(post_id=uuid.uuid4().hex, org=org, author_id=uuid.uuid4().hex,
                         title=title, excerpt=f"{title}…", published_at=at,
                         version=version)  # fmt: skip


def opportunity(org: OrgCard, title: str, causes: tuple[str, ...] = ()) -> OpportunitySnapshot:
    """An opportunity as orgs' events carry it."""
    opp_id = uuid.uuid4().hex
    return OpportunitySnapshot(opportunity_id=opp_id, org=org, title=title, excerpt=title,
                               status="open", commitment="one_off", causes=causes,
                               time_zone="Europe/Paris", places=5,
                               url_path=f"/opportunities/{opp_id}")  # fmt: skip


# -- what a feed shows ------------------------------------------------------------------------


def titles(feed: Mapping[str, Any]) -> list[str]:
    """What a feed (or a list of items) shows, by kind and title (or what the person did)."""
    shown = []
    for item in feed["items"]:
        label = item["snapshot"].get("title") or item["snapshot"].get("cause") or item["kind"]
        shown.append(f"{item['kind']}:{label}")
    return shown


def reasons(feed: Mapping[str, Any]) -> list[list[str]]:
    """Each item's reasons, as their sentences."""
    return [[r["text"] for r in item["reasons"]] for item in feed["items"]]


async def read_all(client: Client, who: Person, limit: int = 100) -> list[dict[str, Any]]:
    """Every item of ``who``'s feed, page after page."""
    items: list[dict[str, Any]] = []
    query: dict[str, Any] = {"limit": limit}
    while True:
        page = await read_feed(client, who, **query)
        items += page["items"]
        if not page["next_cursor"]:
            return items
        query["cursor"] = page["next_cursor"]


async def timeline(client: Client, redis: Redis, who: Person | str) -> dict[int, float] | None:
    """``who``'s timeline as Redis holds it (member → score, the sentinel left out); None when
    there is no timeline."""
    user_id = who if isinstance(who, str) else who.user_id
    key = service(client).deps.timelines.timeline_key(user_id)
    if not await redis.exists(key):
        return None
    found: list[tuple[bytes, float]] = await redis.zrange(key, 0, -1, withscores=True)  # type: ignore[assignment]
    return {int(value): score for value, score in found if value != SENTINEL.encode()}


async def activity_member(client: Client, key: str, reason: int) -> int:
    """The timeline member of a stored activity (``post:<id>``, …) for ``reason``."""
    found = await service(client).deps.store.activity(key)
    assert found is not None
    assert "number" in found, found
    return member(int(found["number"]), reason)


async def drain(amqp_url: str, queue: str) -> list[AbstractIncomingMessage]:
    """Every message now in ``queue`` (taken out of it)."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        messages = []
        while (message := await declared.get(no_ack=True, fail=False)) is not None:
            messages.append(message)
        return messages
