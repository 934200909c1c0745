"""Issue 4's "done when", through the gateway, driven with curl as docs/walkthrough.md does it.

A person creates a sandbox test user, logs in through the gateway (Facebook's dialog, consent,
back to the callback), calls /users/me, follows another user, refreshes, and deletes the
account. Every request below is one curl command with a cookie jar, as in the walkthrough.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import aio_pika
from e2e_curl import Curl
from e2e_people import (
    assert_login,
    bearer,
    consent,
    create_test_user,
    open_dialog,
    refresh,
    sign_up,
)
from e2e_processes import SystemUnderTest
from e2e_support import GatewayFactory

from jumo_common.events.envelope import Envelope, parse_event
from jumo_common.testing.plugin import InfraUrls
from jumo_common.testing.wait import wait_until


def test_a_person_signs_up_follows_refreshes_and_leaves(
    system: SystemUnderTest, curl: Curl, other_curl: Curl
) -> None:
    gateway = system.gateway.url
    ann = create_test_user(curl, system, installed=False)
    login = assert_login(sign_up(curl, system, ann), ann, created=True)
    me = curl(*bearer(login), f"{gateway}/users/me")
    assert me.status == 200, me.body
    ann_id = me.json()["id"]
    assert me.json()["email"] == ann["email"]

    # Ben has used Jumo before: Facebook sends him straight back, one command with -L.
    ben = create_test_user(other_curl, system, installed=True)
    assert other_curl(ben["login_url"]).status == 200
    ben_login = assert_login(other_curl("-L", f"{gateway}/auth/facebook/login"), ben, created=True)
    ben_id = ben_login["user"]["id"]

    follow = curl("-X", "PUT", *bearer(login), f"{gateway}/users/{ben_id}/follow")
    assert follow.status in (200, 204), follow.body
    followers = curl(*bearer(ben_login), f"{gateway}/users/{ben_id}/followers")
    assert followers.status == 200, followers.body
    assert ann_id in [item["id"] for item in followers.json()["items"]]

    renewed = refresh(curl, system, login["refresh_token"])
    assert renewed.status == 200, renewed.body
    pair = renewed.json()
    assert pair["refresh_token"] != login["refresh_token"]
    assert curl(*bearer(pair), f"{gateway}/users/me").status == 200

    gone = curl("-X", "DELETE", *bearer(pair), f"{gateway}/users/me")
    assert gone.status in (200, 204), gone.body
    assert refresh(curl, system, pair["refresh_token"]).status == 401
    assert curl(*bearer(ben_login), f"{gateway}/users/{ann_id}").status == 404


def test_a_second_login_finds_the_same_account(system: SystemUnderTest, curl: Curl) -> None:
    ann = create_test_user(curl, system, installed=False)
    first = assert_login(sign_up(curl, system, ann), ann, created=True)
    # Facebook remembers the consent: the second login needs no page, just redirects.
    second = assert_login(
        curl("-L", f"{system.gateway.url}/auth/facebook/login"), ann, created=False
    )
    assert second["user"]["id"] == first["user"]["id"]


def test_a_cancelled_login_is_a_401_problem(system: SystemUnderTest, curl: Curl) -> None:
    ann = create_test_user(curl, system, installed=False)
    callback = consent(curl, system, open_dialog(curl, system, ann), "cancel")
    answer = curl(callback)
    assert answer.status == 401
    assert answer.headers["content-type"] == "application/problem+json"


def test_refresh_token_reuse_is_refused(system: SystemUnderTest, curl: Curl) -> None:
    ann = create_test_user(curl, system, installed=False)
    login = assert_login(sign_up(curl, system, ann), ann, created=True)
    renewed = refresh(curl, system, login["refresh_token"])
    assert renewed.status == 200
    assert refresh(curl, system, login["refresh_token"]).status == 401
    # Reuse revoked the whole family: the new one is dead too.
    assert refresh(curl, system, renewed.json()["refresh_token"]).status == 401


def test_identity_logs_the_gateway_request_id(system: SystemUnderTest, curl: Curl) -> None:
    answer = curl("-H", "X-Request-Id: chosen-by-client", f"{system.gateway.url}/users/me")
    assert answer.status == 401
    request_id = answer.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert answer.json()["request_id"] == request_id

    async def logged() -> bool:
        return any(r.get("request_id") == request_id for r in system.identity.log_records())

    asyncio.run(wait_until(logged, timeout=5, what="identity's log line with the request id"))


def test_the_gateway_exposes_identity_openapi(system: SystemUnderTest, curl: Curl) -> None:
    answer = curl(f"{system.gateway.url}/openapi/identity.json")
    assert answer.status == 200
    paths = answer.json()["paths"]
    for path in ("/auth/facebook/login", "/users/me", "/users/{id}/follow"):
        assert path in paths


def test_a_2_mib_profile_is_refused_at_the_gateway(system: SystemUnderTest, curl: Curl) -> None:
    body = curl.folder / "big.json"
    body.write_text(json.dumps({"bio": "x" * (2 * 1024 * 1024)}))
    answer = curl(
        "-X", "PATCH", "-H", "Content-Type: application/json", "--data-binary", f"@{body}",
        f"{system.gateway.url}/users/me",
    )  # fmt: skip
    assert answer.status == 413
    assert answer.json()["type"].endswith("/content-too-large")


def test_login_is_rate_limited_at_the_gateway(
    system: SystemUnderTest, start_gateway: GatewayFactory, curl: Curl
) -> None:
    identity = f"127.0.0.1:{system.plan.identity_port}"
    gateway = start_gateway({"identity": identity}, auth_rate="1r/m", auth_burst=2)
    statuses = [curl(f"{gateway.url}/auth/facebook/login").status for _ in range(4)]
    assert statuses == [302, 302, 302, 429]


async def test_events_carry_the_request_id_the_gateway_gave(
    system: SystemUnderTest, infra: InfraUrls, curl: Curl
) -> None:
    # A consumer of our own on identity's exchange: it sees the sign-up's event.
    connection = await aio_pika.connect(infra.amqp_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(system.plan.events_exchange)
        queue = await channel.declare_queue(exclusive=True)
        await queue.bind(exchange, "user.registered")

        ann = await asyncio.to_thread(create_test_user, curl, system, installed=False)
        answer = await asyncio.to_thread(sign_up, curl, system, ann)
        user_id = assert_login(answer, ann, created=True)["user"]["id"]

        async def registered() -> Envelope[Any] | None:
            message = await queue.get(fail=False, no_ack=True)
            event = parse_event(message.body) if message else None
            return event if event and event.subject_id == user_id else None

        event = await wait_until(registered, timeout=10, what="user.registered for Ann")
    assert event is not None
    assert event.trace_id == answer.headers["x-request-id"]
