"""The email channel's own chain check (``email_reachable``), and quiet hours: an email that falls
in them is held (recorded with its ``hold_until``), sent once when they end — by one pass
however many run, and by the background loop — and dropped if the person no longer wants it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from jumo_common.events.applications import ApplicationAccepted
from jumo_common.testing.tokens import TestKeys
from jumo_notifier.chain import CHECKS, Candidate, Chain, email_reachable
from jumo_notifier.mail import Mail
from jumo_notifier.model import Notice
from jumo_notifier.preferences import QuietHours

from .conftest import Client, Person, eventually, new_org, person, publish
from .mailbox import Mailbox, address, mailbox, mailing, smtp_overrides
from .test_mail import application

__all__ = ["mailbox", "smtp_overrides"]  # fixtures


# The one test that runs the release loop (every 0.2 s) instead of calling its pass.
LOOPING = {"test_the_background_loop_sends_what_is_due": {"mail_release_interval_s": 0.2}}


@pytest.fixture
def overrides(smtp_overrides: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    """The stack's Mailpit; the loops off (but in LOOPING)."""
    return smtp_overrides | LOOPING.get(request.function.__name__, {})


def candidate(channel: str, person: dict[str, Any] | None) -> Candidate:
    """An email candidate for a person as the chain loads them."""
    notice = Notice("application_accepted", str(uuid.uuid4()), datetime.now(UTC))
    return Candidate(notice, "r" * 32, channel, datetime.now(UTC), person)  # type: ignore[arg-type]


async def test_email_reachable() -> None:
    chain = Chain(None, {})  # type: ignore[arg-type]
    assert email_reachable in CHECKS
    ok = {"_id": "r" * 32, "email": "rex@mail.test"}
    assert await email_reachable(candidate("email", ok), chain) is None
    assert await email_reachable(candidate("email", {"_id": "r"}), chain) == (
        "the recipient has no email address"
    )
    stopped = ok | {"email_stopped": "Email to rex@mail.test stopped: 550 no such user."}
    assert await email_reachable(candidate("email", stopped), chain) == (
        "email to the recipient stopped: Email to rex@mail.test stopped: 550 no such user."
    )
    # Only email needs an address: the app and Facebook do not.
    for channel in ("in_app", "facebook"):
        assert await email_reachable(candidate(channel, {"_id": "r"}), chain) is None


def quiet_now(zone: str = "Europe/Paris") -> QuietHours:
    """Quiet hours that hold now (from an hour ago to two hours on, local time)."""
    local = datetime.now(ZoneInfo(zone))
    start = (local - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (local + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    return QuietHours(start=start, end=end, time_zone=zone)


async def quiet(client: Client, who: Person) -> datetime:
    """Give ``who`` quiet hours holding now; when they end."""
    hours = quiet_now()
    answer = await client.put("/notifications/preferences", headers=who.auth,
                              json={"quiet_hours": hours.model_dump(mode="json")})  # fmt: skip
    assert answer.status == 200, await answer.text()
    until = hours.holds(datetime.now(UTC))
    assert until is not None
    return until


async def held_volunteer(client: Client, keys: TestKeys) -> tuple[Person, str, datetime]:
    """Val, in quiet hours, accepted: the email is held; Val, the address, the end of the hours."""
    admin = await person(client, keys, "Ada", email=address("ada"))
    org = await new_org(client, admin)
    to = address("val")
    val = await person(client, keys, "Val", email=to)
    until = await quiet(client, val)
    await publish(client, ApplicationAccepted(**application(org, val, "accepted", 1)))
    return val, to, until


async def test_an_email_in_quiet_hours_waits_for_their_end_and_goes_once(
    client: Client, keys: TestKeys, mailbox: Mailbox
) -> None:
    val, to, until = await held_volunteer(client, keys)
    store = mailing(client).store
    [record] = [d async for d in store.emails.find({"recipient": val.user_id})]
    assert record["state"] == "held"
    assert abs(record["hold_until"].replace(tzinfo=UTC) - until) < timedelta(seconds=1)
    mail = mailing(client).mail
    assert await mail.release_held(until - timedelta(minutes=1)) == 0  # still quiet
    assert await mailbox.to(to) == []
    # Two processes' passes at once when the hours end: one email.
    second = Mail(mail.store, mail.mail_store, mail.chain, mail.inbox, mail.letters, mail.mailer)
    sent = await asyncio.gather(mail.release_held(until), second.release_held(until))
    assert sorted(sent) == [0, 1]
    [arrived] = await mailbox.wait_for(to)
    assert arrived["Subject"] == "Water for All accepted you for River clean-up"
    assert (await store.email(record["_id"]) or {})["state"] == "sent"
    assert await mail.release_held(until + timedelta(hours=1)) == 0
    assert len(await mailbox.to(to)) == 1


async def test_a_held_email_no_longer_wanted_is_dropped(
    client: Client, keys: TestKeys, mailbox: Mailbox
) -> None:
    val, to, until = await held_volunteer(client, keys)
    off = {"kinds": {"application_accepted": {"email": False}}}
    answer = await client.put("/notifications/preferences", headers=val.auth, json=off)
    assert answer.status == 200
    assert await mailing(client).mail.release_held(until) == 0
    [record] = [d async for d in mailing(client).store.emails.find({"recipient": val.user_id})]
    assert record["state"] == "dropped"
    assert "turned application_accepted off on email" in record["why"]
    assert await mailbox.to(to) == []


async def test_the_background_loop_sends_what_is_due(
    client: Client, keys: TestKeys, mailbox: Mailbox
) -> None:
    val, to, _ = await held_volunteer(client, keys)
    store = mailing(client).store
    assert await mailbox.to(to) == []
    # The hours end (moved into the past rather than waiting for them).
    past = {"$set": {"hold_until": datetime.now(UTC) - timedelta(days=1)}}
    await store.emails.update_one({"recipient": val.user_id}, past)
    await client.put("/notifications/preferences", headers=val.auth, json={"quiet_hours": None})
    [arrived] = await mailbox.wait_for(to)
    assert arrived["Subject"] == "Water for All accepted you for River clean-up"

    async def settled() -> bool:
        doc = await store.emails.find_one({"recipient": val.user_id})
        return doc is not None and doc["state"] == "sent"

    await eventually(settled)


def test_quiet_hours_of_the_helper_hold_now() -> None:
    hours = quiet_now("Asia/Tokyo")
    assert hours.holds(datetime.now(UTC)) is not None
    assert isinstance(hours.start, time)
