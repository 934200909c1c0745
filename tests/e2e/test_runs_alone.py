"""Each service runs alone: started with every other service stopped, it comes up and serves
what it can; a service that was down catches up on what happened meanwhile once it is back.

These stop and start services, so they run on a system of their own (``start_system``, the same
processes the session's ``system`` is made of), never on the session's shared one. A stopped
service's queues stay on the broker (durable quorum queues declared when it first ran), so what
is published meanwhile waits there for it. A service started while identity is down serves its
public paths and answers a caller's token with a 503 problem (it has never fetched identity's
keys) until identity is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Iterator
from typing import Any

import aio_pika
import pytest
from conftest import SERVICE_QUEUES, _delete_topology  # the session system's own clean-up
from e2e_curl import Curl
from e2e_orgs import call, eventually, make_moderator, newcomer, ok
from e2e_people import refresh
from e2e_processes import ServiceProcess, SystemUnderTest, start_system
from pymongo import MongoClient

from jumo_common.bus.deadletters import service_queues
from jumo_common.testing.plugin import InfraUrls

SERVICES = ("identity", "orgs", "feed", "notifier")
# Starting a whole system and each service several times on a loaded machine takes a while.
pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def alone(
    nginx: str, infra: InfraUrls, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SystemUnderTest]:
    """A whole system of this module's own: its services are stopped and started here."""
    sut = start_system(tmp_path_factory.mktemp("alone"), infra, nginx)
    yield sut
    sut.stop()
    client: MongoClient[dict[str, Any]] = MongoClient(infra.mongo_url)
    with client:
        for database in (sut.plan.mongo_database, sut.plan.orgs_database,
                         sut.plan.feed_database, sut.plan.notifier_database):  # fmt: skip
            client.drop_database(database)
    asyncio.run(_delete_topology(infra.amqp_url, sut.plan))


def process(system: SystemUnderTest, name: str) -> ServiceProcess:
    """One of the four services' processes."""
    found: ServiceProcess = getattr(system, name)
    return found


@contextlib.contextmanager
def stopped(system: SystemUnderTest, *names: str) -> Iterator[None]:
    """``names`` stopped inside the block; every one of them running again after it."""
    for name in names:
        process(system, name).stop()
    try:
        yield
    finally:
        for name in SERVICES:  # in the system's start order
            if name in names:
                process(system, name).start(timeout=120)


# A path of each service that needs the caller's access token, and one that does not.
OWN_PATH = {
    "identity": "/users/me",
    "orgs": "/users/me/following/orgs",
    "feed": "/feed",
    "notifier": "/notifications",
}
PUBLIC_PATH = {"orgs": "/causes", "identity": "/.well-known/jwks.json"}


def test_each_service_starts_while_every_other_service_is_stopped(
    alone: SystemUnderTest, curl: Curl
) -> None:
    gw = alone.gateway.url
    ann = newcomer(curl, alone)  # an access token identity signed, for later
    with stopped(alone, *SERVICES):
        for name in SERVICES:
            service = process(alone, name)
            service.start(timeout=120)  # fails with its log unless /readyz answers 200
            try:
                health = curl(service.ready_url.replace("/readyz", "/healthz"))
                assert health.status == 200, health.body
                assert name in health.body.decode()
                # through the gateway: its own paths answer, the others' are 502 problems
                docs = curl(f"{gw}/openapi/{name}.json")
                assert docs.status == 200, (name, docs.status, docs.body[:300])
                for other in SERVICES:
                    if other != name:
                        down = curl(f"{gw}/openapi/{other}.json")
                        assert down.status == 502, (other, down.status)
                if name in PUBLIC_PATH:
                    public = curl(f"{gw}{PUBLIC_PATH[name]}")
                    assert public.status == 200, (name, public.status, public.body[:300])
                # A caller's token: identity verifies its own; the others have never fetched
                # identity's keys since they started, so they say so (503), not 401 nor a hang.
                own = call(curl, "GET", f"{gw}{OWN_PATH[name]}", ann)
                expected = 200 if name == "identity" else 503
                assert own.status == expected, (name, own.status, own.body[:300])
                assert own.status == 200 or own.json()["status"] == 503
            finally:
                service.stop()

    def answers(name: str) -> bool | None:
        return call(curl, "GET", f"{gw}{OWN_PATH[name]}", ann).status == 200 or None

    for name in SERVICES:  # all back: each reaches identity's keys again, and answers
        eventually(functools.partial(answers, name), f"{name} with identity back", timeout=60)


def test_identity_alone_serves_logins_and_profiles(alone: SystemUnderTest, curl: Curl) -> None:
    gw = alone.gateway.url
    with stopped(alone, "orgs", "feed", "notifier"):
        ann = newcomer(curl, alone)  # Facebook login through the gateway
        me = ok(curl, "GET", f"{gw}/users/me", ann)
        assert me["id"] == ann["user"]["id"]
        ok(curl, "PATCH", f"{gw}/users/me", ann, {"bio": "Here while the others are down."})
        assert ok(curl, "GET", f"{gw}/users/{me['id']}", ann)["bio"].startswith("Here while")
        assert refresh(curl, alone, ann["refresh_token"]).status == 200
        feed = call(curl, "GET", f"{gw}/feed", ann)
        assert feed.status == 502  # feed is down: the gateway's problem, not a hang
        assert feed.json()["status"] == 502


def test_feed_started_later_shows_what_orgs_published_while_it_was_down(
    alone: SystemUnderTest, infra: InfraUrls, curl: Curl, other_curl: Curl
) -> None:
    gw = alone.gateway.url
    ann = newcomer(curl, alone)  # reads the feed
    ok(curl, "GET", f"{gw}/feed", ann)
    olga = newcomer(other_curl, alone)  # runs the organization
    mo = newcomer(other_curl, alone)
    make_moderator(alone, infra, mo["user"]["id"])
    mo = refresh(other_curl, alone, mo["refresh_token"]).json()
    org = ok(other_curl, "POST", f"{gw}/orgs", olga, {
        "name": "Books on Wheels", "mission": "A library van for every village.",
        "causes": ["education"], "hq": {"city": "Lyon", "country": "FR", "lat": 45.76,
                                        "lng": 4.84},
    })  # fmt: skip
    ok(other_curl, "POST", f"{gw}/orgs/{org['id']}/submit", olga)
    ok(other_curl, "POST", f"{gw}/orgs/{org['id']}/verify", mo)

    with stopped(alone, "feed"):
        ok(curl, "PUT", f"{gw}/orgs/{org['id']}/follow", ann)
        titles = ["The van is on the road", "Two hundred new books", "Thank you, Lyon"]
        for title in titles:
            ok(other_curl, "POST", f"{gw}/orgs/{org['id']}/posts", olga,
               {"title": title, "body": "News from the van."})  # fmt: skip
        assert call(curl, "GET", f"{gw}/feed", ann).status == 502

    def everything() -> dict[str, Any] | None:
        feed = ok(curl, "GET", f"{gw}/feed", ann)
        posts = [i for i in feed["items"] if i["kind"] == "post"]
        return feed if len(posts) >= len(titles) else None

    feed = eventually(everything, "the posts published while feed was down", timeout=120)
    posts = [i for i in feed["items"] if i["kind"] == "post"]
    assert [p["snapshot"]["title"] for p in posts] == titles[::-1]  # newest first
    for post in posts:
        assert [r["text"] for r in post["reasons"]] == ["You follow Books on Wheels"]


def test_notifier_started_later_notifies_what_happened_while_it_was_down(
    alone: SystemUnderTest, curl: Curl, other_curl: Curl
) -> None:
    gw = alone.gateway.url
    with stopped(alone, "notifier"):
        ann = newcomer(curl, alone)
        bo = newcomer(other_curl, alone)
        ok(other_curl, "PUT", f"{gw}/users/{ann['user']['id']}/follow", bo)
        assert call(curl, "GET", f"{gw}/notifications", ann).status == 502

    def kinds(login: dict[str, Any], who: Curl, want: set[str]) -> set[str] | None:
        items = ok(who, "GET", f"{gw}/notifications", login)["items"]
        found = {item["kind"] for item in items}
        return found if want <= found else None

    wanted = {"welcome", "followed"}
    found = eventually(lambda: kinds(ann, curl, wanted), "Ann's notifications", timeout=120)
    assert wanted <= found
    eventually(lambda: kinds(bo, other_curl, {"welcome"}), "Bo's welcome", timeout=120)


async def _declared(amqp_url: str, queue: str) -> bool:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        try:
            await channel.declare_queue(queue, passive=True)
        except aio_pika.exceptions.ChannelClosed:
            return False
        return True


def test_the_deadletters_command_finds_every_queue_each_service_declares(
    alone: SystemUnderTest, infra: InfraUrls
) -> None:
    """``python -m jumo_common.bus.deadletters list <service>`` reads each service's queues from
    its subscription map: those are exactly what the running service declared."""
    prefix = f"test.{alone.plan.token}."
    assert service_queues("identity") == []
    for service in ("orgs", "feed", "notifier"):
        queues = service_queues(service)
        assert set(queues) == set(SERVICE_QUEUES[service])
        for short in queues:
            for name in (f"{prefix}{service}.{short}", f"{prefix}{service}.{short}.dead"):
                assert asyncio.run(_declared(infra.amqp_url, name)), name
