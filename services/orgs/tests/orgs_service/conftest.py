"""orgs' service tests: the app in-process on the real FerretDB/MongoDB and RabbitMQ, access
tokens from a test key set (as identity would mint them), identity's events published by the
test itself, and a tap that records every event orgs publishes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from jumo_common.bus import BUS_KEY
from jumo_common.events import EventData, make_event
from jumo_common.events.identity import UserDeleted, UserRegistered, UserUpdated
from jumo_common.testing.bus import EventTap, wait_handled
from jumo_common.testing.plugin import InfraUrls, TestNames
from jumo_common.testing.tokens import TestKeys
from jumo_orgs.app import create_app
from jumo_orgs.settings import OrgsSettings
from jumo_orgs.typedefs import ORGS, Orgs

Client = TestClient[Any, Any]
AiohttpClient = Callable[..., Any]


@pytest.fixture
async def keys() -> TestKeys:
    """identity's signing keys, as far as orgs can tell."""
    return TestKeys()


@pytest.fixture
async def settings(
    infra: InfraUrls, names: TestNames, keys: TestKeys
) -> AsyncIterator[OrgsSettings]:
    """This test's orgs settings (its own database, exchange and queues; the test JWKS)."""
    async with keys.serve() as jwks_url:
        yield OrgsSettings(**names.settings_overrides(infra), jwks_url=jwks_url)


@pytest.fixture
async def tap(settings: OrgsSettings) -> AsyncIterator[EventTap]:
    """Every event on this test's exchange (bound before orgs publishes)."""
    async with EventTap.open(settings, "#") as recorder:
        yield recorder


@pytest.fixture
async def client(aiohttp_client: AiohttpClient, settings: OrgsSettings, tap: EventTap) -> Client:
    """The orgs app, started."""
    result: Client = await aiohttp_client(create_app(settings))
    return result


def service(client: Client) -> Orgs:
    """The service objects of the app under test."""
    orgs: Orgs = client.app[ORGS]
    return orgs


@dataclass(frozen=True)
class Person:
    """A person identity knows, with an access token for orgs."""

    user_id: str
    name: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        """The Authorization header."""
        return {"Authorization": f"Bearer {self.token}"}


async def publish(client: Client, data: EventData, **envelope: Any) -> None:
    """Publish an event as its producer would, and wait until orgs has handled it."""
    event = make_event(data, producer=envelope.pop("producer", "identity"), **envelope)
    await client.app[BUS_KEY].publisher.publish(event)
    await wait_handled(client.app, event.id)


async def person(
    client: Client, keys: TestKeys, name: str, *, roles: tuple[str, ...] = (), **profile: Any
) -> Person:
    """A person who signed up with identity (orgs learns it from user.registered/updated)."""
    user_id = uuid.uuid4().hex
    await publish(client, UserRegistered(user_id=user_id, display_name=name))
    if profile:
        await publish(client, UserUpdated(user_id=user_id, display_name=name, version=2, **profile))
    token = keys.mint(user_id, roles=list(roles)) if roles else keys.mint(user_id)
    return Person(user_id, name, token)


async def delete(client: Client, who: Person) -> None:
    """The person deleted their account: orgs hears user.deleted."""
    await publish(client, UserDeleted(user_id=who.user_id))
