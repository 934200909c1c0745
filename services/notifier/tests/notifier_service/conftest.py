"""notifier's service tests: the app in-process on the real FerretDB/MongoDB and RabbitMQ (and,
for the channels, the stack's Facebook sandbox and Mailpit), access tokens from a test key set
(as identity would mint them), and the events of identity and orgs published by the test
itself. Each test has its own database, exchange and queues."""

from __future__ import annotations

import asyncio
import base64
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from aiohttp.test_utils import TestClient
from pydantic import SecretStr

from jumo_common.bus import BUS_KEY
from jumo_common.events import Envelope, EventData, make_event

__all__ = ["make_event"]
from jumo_common.events.identity import UserRegistered, UserUpdated
from jumo_common.events.orgs import FollowSettings, OrgCard, OrgCreated, OrgFollowed, OrgMemberAdded
from jumo_common.testing.bus import wait_handled
from jumo_common.testing.plugin import InfraUrls, TestNames
from jumo_common.testing.tokens import TestKeys
from jumo_facebook import FacebookSettings
from jumo_notifier.app import create_app
from jumo_notifier.settings import NotifierSettings
from jumo_notifier.typedefs import NOTIFIER, Notifier

Client = TestClient[Any, Any]
AiohttpClient = Callable[..., Any]
T = TypeVar("T")
HANDLED_WITHIN_S = 30.0
KEY = base64.b64encode(b"k" * 32).decode()


@pytest.fixture
async def keys() -> TestKeys:
    """identity's signing keys, as far as notifier can tell."""
    return TestKeys()


@pytest.fixture
def overrides() -> dict[str, Any]:
    """Settings a test changes (override the fixture in a module)."""
    return {}


@pytest.fixture
def facebook_settings() -> FacebookSettings:
    """The Facebook app: the stack's sandbox when it runs (stack.env), else a placeholder
    (the in-app tests never call Facebook)."""
    return FacebookSettings(
        app_id=os.environ.get("FACEBOOK_APP_ID", "1"),
        app_secret=SecretStr(os.environ.get("FACEBOOK_APP_SECRET", "secret")),
        graph_url=os.environ.get("FACEBOOK_GRAPH_URL", "http://127.0.0.1:8090"),
        www_url=os.environ.get("FACEBOOK_WWW_URL", "http://127.0.0.1:8090"),
    )


@pytest.fixture
async def settings(
    infra: InfraUrls,
    names: TestNames,
    keys: TestKeys,
    facebook_settings: FacebookSettings,
    overrides: dict[str, Any],
) -> AsyncIterator[NotifierSettings]:
    """This test's notifier settings (its own database, exchange and queues; the test JWKS)."""
    async with keys.serve() as jwks_url:
        values: dict[str, Any] = {
            **names.settings_overrides(infra),
            "jwks_url": jwks_url,
            "unsubscribe_key": KEY,
            "page_token_key": KEY,
            "facebook": facebook_settings,
            "stream_poll_s": 0.5,
            **overrides,
        }
        yield NotifierSettings(**values)


@pytest.fixture
async def client(aiohttp_client: AiohttpClient, settings: NotifierSettings) -> Client:
    """The notifier app, started."""
    result: Client = await aiohttp_client(create_app(settings))
    return result


def service(client: Client) -> Notifier:
    """The service objects of the app under test."""
    notifier: Notifier = client.app[NOTIFIER]
    return notifier


@dataclass(frozen=True)
class Person:
    """A person identity knows, with an access token for notifier."""

    user_id: str
    name: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        """The Authorization header."""
        return {"Authorization": f"Bearer {self.token}"}


async def publish(client: Client, data: EventData, **envelope: Any) -> Envelope[Any]:
    """Publish an event as its producer would, and wait until notifier has handled it."""
    event = make_event(data, producer=envelope.pop("producer", "orgs"), **envelope)
    await send(client, event)
    return event


async def send(client: Client, event: Envelope[Any]) -> None:
    """Publish a prepared event (again, for redeliveries) and wait until every handler of it
    ran (up to HANDLED_WITHIN_S: the machine is shared)."""
    await client.app[BUS_KEY].publisher.publish(event)
    await wait_handled(client.app, event.id, timeout=HANDLED_WITHIN_S)


async def person(client: Client, keys: TestKeys, name: str, **profile: Any) -> Person:
    """A person who signed up with identity (notifier learns it from user.registered and,
    with ``profile``, user.updated)."""
    user_id = uuid.uuid4().hex
    email = profile.pop("email", f"{user_id[:8]}@example.org")
    await publish(client, UserRegistered(user_id=user_id, display_name=name, email=email),
                  producer="identity")  # fmt: skip
    if profile:
        update = UserUpdated(user_id=user_id, display_name=name, version=2, email=email, **profile)
        await publish(client, update, producer="identity")
    return Person(user_id, name, keys.mint(user_id))


def org_card(name: str = "Water for All") -> OrgCard:
    """An organization as orgs' events carry it."""
    org_id = uuid.uuid4().hex
    return OrgCard(org_id=org_id, slug=f"org-{org_id[:8]}", name=name, initials=name[:2].upper(),
                   colour="#2266aa", verified=True)  # fmt: skip


async def new_org(client: Client, admin: Person, name: str = "Water for All") -> OrgCard:
    """An organization ``admin`` created (notifier hears org.created and org.member_added)."""
    card = org_card(name)
    await publish(client, OrgCreated(org=card, status="verified", created_by=admin.user_id,
                                     version=1))  # fmt: skip
    await publish(client, OrgMemberAdded(org_id=card.org_id, user_id=admin.user_id, role="owner",
                                         seq=1))  # fmt: skip
    return card


async def follow_org(client: Client, who: Person, org: OrgCard, *, notify: str = "important",
                     seq: int = 1) -> Envelope[Any]:  # fmt: skip
    """``who`` follows ``org`` with a notify setting (orgs' org.followed)."""
    settings = FollowSettings.model_validate({"notify": notify})
    return await publish(client, OrgFollowed(org_id=org.org_id, user_id=who.user_id,
                                             settings=settings, seq=seq))  # fmt: skip


async def notifications(client: Client, who: Person, **query: Any) -> dict[str, Any]:
    """``GET /notifications`` as ``who``; the JSON answer (asserts 200)."""
    response = await client.get("/notifications", params=query, headers=who.auth)
    body: dict[str, Any] = await response.json()
    assert response.status == 200, body
    return body


async def texts(client: Client, who: Person, **query: Any) -> list[str]:
    """What ``who``'s notifications say, newest first."""
    return [item["text"] for item in (await notifications(client, who, **query))["items"]]


async def eventually(check: Callable[[], Awaitable[T | None]], timeout: float = 10.0) -> T:
    """Poll ``check`` until it returns something truthy."""
    async with asyncio.timeout(timeout):
        while True:
            found = await check()
            if found:
                return found
            await asyncio.sleep(0.05)


def now() -> datetime:
    """The current time, aware."""
    return datetime.now(UTC)
