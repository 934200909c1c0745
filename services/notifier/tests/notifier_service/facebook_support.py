"""What the Facebook tests share: a Facebook sandbox of their own (``running_sandbox``: the
same server as the stack's, in this process on a free port — its app registers this test's
Page-linking callback, and a test may give it small rate budgets), Jumo's own Page on it,
notifier aimed at both, and helpers that link an organization's Page the way a browser does.

A test module uses them by importing the fixtures (pytest finds fixtures in a module's
namespace; each is registered under the name without ``_fixture``)::

    from .facebook_support import (  # noqa: F401
        facebook_settings_fixture, jumo_page_fixture, overrides_fixture, sandbox_fixture,
        sandbox_config_fixture,
    )
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from jumo_common.bus import BUS_KEY
from jumo_common.events import EventData, make_event
from jumo_common.events.applications import ApplicationAccepted
from jumo_common.events.identity import UserRegistered
from jumo_common.events.opportunities import OpportunityPublished, OpportunitySnapshot
from jumo_common.events.orgs import OrgCard, PostPublished
from jumo_common.events.record import VolunteeringAttested
from jumo_common.mongo import Document
from jumo_common.testing.tokens import TestKeys
from jumo_facebook import FacebookSettings
from jumo_facebook.sandbox import SandboxConfig
from jumo_facebook.sandbox.testing import (
    PageInfo,
    SandboxControl,
    TestUserInfo,
    running_sandbox,
    test_config,
)
from jumo_notifier.page_links import PAGE_SCOPES

from .conftest import Client, Person, eventually, new_org, now, person, publish, service

PUBLIC = "http://127.0.0.1:8080"
CALLBACK = f"{PUBLIC}/facebook-pages/callback"
# Facebook's calls time out after this (the sandbox's injected latency goes beyond it).
CALL_TIMEOUT_S = 2.0
SETTLED_WITHIN_S = 30.0


@pytest.fixture(name="sandbox_config")
def sandbox_config_fixture() -> SandboxConfig:
    """The sandbox's app (override in a module for other rate budgets)."""
    return test_config(redirect_uris=[CALLBACK])


@pytest.fixture(name="sandbox")
async def sandbox_fixture(sandbox_config: SandboxConfig) -> AsyncIterator[SandboxControl]:
    """A Facebook sandbox of this test's own."""
    async with running_sandbox(sandbox_config) as control:
        yield control


@pytest.fixture(name="facebook_settings")
def facebook_settings_fixture(sandbox: SandboxControl) -> FacebookSettings:
    """notifier's Facebook app: the sandbox's, with a short call timeout."""
    return sandbox.client_settings(timeout_s=CALL_TIMEOUT_S, connect_timeout_s=1.0)


@pytest.fixture(name="jumo_page")
async def jumo_page_fixture(sandbox: SandboxControl) -> PageInfo:
    """Jumo's own Page, managed by a staff test user, with its Page token."""
    staff = await sandbox.create_test_user("Jumo Staff")
    return await sandbox.create_page(staff.id, "Jumo")


@pytest.fixture(name="overrides")
def overrides_fixture(jumo_page: PageInfo) -> dict[str, Any]:
    """notifier posting to Jumo's sandbox Page, quick to retry and to take over."""
    return posting_overrides(jumo_page)


def posting_overrides(jumo_page: PageInfo) -> dict[str, Any]:
    """The settings of ``overrides``, for a module that changes some."""
    return {
        "public_base_url": PUBLIC,
        "jumo_page_id": jumo_page.id,
        "jumo_page_token": jumo_page.access_token,
        "posting_poll_s": 0.2,
        "posting_lease_s": 2 * CALL_TIMEOUT_S + 1,
        "posting_throttle_s": 2.0,
    }


async def opted_in(client: Client, keys: TestKeys, name: str, *, share: bool = True) -> Person:
    """A person who signed up saying yes (or no) to showing their joins on Facebook."""
    user_id = uuid.uuid4().hex
    await publish(client, UserRegistered(user_id=user_id, display_name=name, share_joins=share,
                                         email=f"{user_id[:8]}@example.org"),
                  producer="identity")  # fmt: skip
    return Person(user_id, name, keys.mint(user_id))


async def posts_on(sandbox: SandboxControl, page_id: str) -> list[dict[str, Any]]:
    """What the sandbox Page shows, oldest first."""
    return await sandbox.posts(page_id)


async def records(client: Client) -> list[Document]:
    """notifier's record of every Facebook post it intended."""
    return [doc async for doc in service(client).facebook.posts.posts.find({})]


async def settled(client: Client, key: str) -> Document:
    """The record of one intended post once it is no longer pending."""

    async def done() -> Document | None:
        doc = await service(client).facebook.posts.post(key)
        return doc if doc is not None and doc.get("state") != "pending" else None

    return await eventually(done, timeout=SETTLED_WITHIN_S)


async def all_settled(client: Client, count: int) -> list[Document]:
    """Every intended post, once there are ``count`` and none is pending."""

    async def done() -> list[Document] | None:
        found = await records(client)
        pending = [d for d in found if d.get("state") == "pending"]
        return found if len(found) >= count and not pending else None

    return await eventually(done, timeout=SETTLED_WITHIN_S)


async def page_shows(sandbox: SandboxControl, page_id: str, count: int) -> list[dict[str, Any]]:
    """The Page's posts once it shows ``count`` of them."""

    async def shown() -> list[dict[str, Any]] | None:
        found = await posts_on(sandbox, page_id)
        return found if len(found) >= count else None

    return await eventually(shown, timeout=SETTLED_WITHIN_S)


# -- linking a Page, as a browser does --------------------------------------------------------


async def start_login(client: Client, admin: Person, org: OrgCard,
                      page_id: str | None = None) -> dict[str, str]:  # fmt: skip
    """POST /facebook-pages/{org}/login: the dialog URL's parameters (asserts 200)."""
    body = {"page_id": page_id} if page_id else None
    answer = await client.post(f"/facebook-pages/{org.org_id}/login", json=body,
                               headers=admin.auth)  # fmt: skip
    found = await answer.json()
    assert answer.status == 200, found
    query = {k: v[0] for k, v in parse_qs(urlsplit(found["url"]).query).items()}
    return query | {"url": found["url"]}


async def facebook_code(sandbox: SandboxControl, fb_user: TestUserInfo, dialog: dict[str, str],
                        scope: tuple[str, ...] = PAGE_SCOPES) -> str:  # fmt: skip
    """The person logs in to Facebook and grants ``scope``: the code of the redirect."""
    answer = await sandbox.login(fb_user.id, redirect_uri=dialog["redirect_uri"], scope=list(scope),
                                 code_challenge=dialog.get("code_challenge"))  # fmt: skip
    return str(answer["code"])


async def callback(client: Client, **query: str) -> tuple[int, dict[str, Any]]:
    """Facebook's redirect back to notifier; the status and the JSON answer."""
    answer = await client.get("/facebook-pages/callback", params=query)
    return answer.status, await answer.json()


async def link_page(client: Client, sandbox: SandboxControl, admin: Person, org: OrgCard,
                    fb_user: TestUserInfo,
                    page_id: str | None = None) -> dict[str, Any]:  # fmt: skip
    """The whole linking round trip; the link as GET shows it (asserts it linked)."""
    dialog = await start_login(client, admin, org, page_id)
    code = await facebook_code(sandbox, fb_user, dialog)
    status, body = await callback(client, code=code, state=dialog["state"])
    assert status == 200, body
    assert body["linked"] is True, body
    return body


async def page_options(client: Client, admin: Person, org: OrgCard, **options: bool) -> None:
    """PATCH /facebook-pages/{org}: what the organization wants posted (asserts 200)."""
    answer = await client.patch(f"/facebook-pages/{org.org_id}", json=options,
                                headers=admin.auth)  # fmt: skip
    assert answer.status == 200, await answer.text()


# -- events and organizations -----------------------------------------------------------------


def accepted(org: OrgCard, volunteer: Person, opportunity_id: str) -> ApplicationAccepted:
    """orgs' application.accepted for ``volunteer``."""
    return ApplicationAccepted(application_id=uuid.uuid4().hex, opportunity_id=opportunity_id,
                               org_id=org.org_id, volunteer_id=volunteer.user_id,
                               slot_id="c" * 32, status="accepted", seq=2,
                               opportunity_title="River clean-up", org_name=org.name,
                               at=now())  # fmt: skip


def attested(org: OrgCard, volunteer: Person, visibility: str = "public") -> VolunteeringAttested:
    """orgs' volunteering.attested of a session ``volunteer`` was checked in to."""
    return VolunteeringAttested.model_validate({
        "check_in_id": uuid.uuid4().hex, "volunteer_id": volunteer.user_id, "org": org,
        "opportunity_id": "b" * 32, "opportunity_title": "River clean-up",
        "session": "2026-12-01", "hours": 3.0, "attested_at": now(),
        "visibility": visibility, "version": 1,
    })  # fmt: skip


def opportunity(org: OrgCard) -> OpportunityPublished:
    """orgs' opportunity.published."""
    opportunity_id = uuid.uuid4().hex
    snapshot = OpportunitySnapshot(opportunity_id=opportunity_id, org=org,
                                   title="Medic at the race", excerpt="x", status="open",
                                   commitment="one_off", time_zone="Europe/Paris", places=3,
                                   url_path=f"/opportunities/{opportunity_id}")  # fmt: skip
    return OpportunityPublished(opportunity=snapshot, published_at=now(), version=1)


def news(org: OrgCard, title: str = "Wells dug") -> PostPublished:
    """orgs' post.published."""
    return PostPublished(post_id=uuid.uuid4().hex, org=org, author_id="a" * 32, title=title,
                         excerpt="Twelve wells this year.", published_at=now(),
                         version=1)  # fmt: skip


@dataclass(frozen=True)
class LinkedOrg:
    """An organization whose owner linked its Page (``fb_owner`` manages it on Facebook)."""

    owner: Person
    org: OrgCard
    page: PageInfo
    fb_owner: TestUserInfo


async def linked_org(client: Client, keys: TestKeys, sandbox: SandboxControl,
                     **options: bool) -> LinkedOrg:  # fmt: skip
    """An organization whose owner linked its Page (with ``options`` turned on)."""
    owner = await person(client, keys, "Ada")
    org = await new_org(client, owner)
    fb_owner = await sandbox.create_test_user("Ada Example")
    page = await sandbox.create_page(fb_owner.id, org.name)
    await link_page(client, sandbox, owner, org, fb_owner)
    if options:
        await page_options(client, owner, org, **options)
    return LinkedOrg(owner, org, page, fb_owner)


async def publish_only(client: Client, data: EventData, producer: str = "orgs") -> None:
    """Publish an event without waiting for this process to handle it (with two notifier
    processes, either may take it)."""
    await client.app[BUS_KEY].publisher.publish(make_event(data, producer=producer))
