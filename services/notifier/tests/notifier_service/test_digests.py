"""Digests: the period a moment falls in (a day, an ISO week, in the person's zone); a digest
tells what happened in the organizations one follows (each follow's ``digest`` setting
respected, deleted and hidden posts left out), the opportunities matched to one and one's
upcoming events; nothing is sent when there is nothing to say; each period's digest goes once
per person, however many passes run at once and across a restart of notifier."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jumo_common.events.calendar import CalendarEventCard, EventCancelled, EventRsvped
from jumo_common.events.opportunities import OpportunityPublished, OpportunitySnapshot
from jumo_common.events.orgs import (
    CauseJoined,
    FollowSettings,
    OrgCard,
    OrgFollowed,
    PostDeleted,
    PostHidden,
    PostPublished,
)
from jumo_common.testing.tokens import TestKeys
from jumo_notifier.app import create_app
from jumo_notifier.digests import period_of
from jumo_notifier.settings import NotifierSettings

from .conftest import AiohttpClient, Client, Person, new_org, now, person, publish
from .mailbox import Mailbox, address, mailbox, mailing, smtp_overrides

__all__ = ["mailbox", "smtp_overrides"]  # fixtures


@pytest.fixture
def overrides(smtp_overrides: dict[str, Any]) -> dict[str, Any]:
    """The stack's Mailpit; the loops off; digests due from midnight, weekly ones from Monday:
    whenever the test runs, this period's digest is due."""
    return smtp_overrides | {"digest_hour": 0, "digest_weekday": 0}


def test_the_period_of_a_moment() -> None:
    # Saturday 9 May 2026, 23:30 UTC: Sunday 10 May 09:30 in Sydney (ISO week 19 either way).
    moment = datetime(2026, 5, 9, 23, 30, tzinfo=UTC)
    assert period_of("daily", moment, "UTC", 8, 0) == (
        "2026-05-09", datetime(2026, 5, 9, 8, 0, tzinfo=UTC))  # fmt: skip
    day, due = period_of("daily", moment, "Australia/Sydney", 8, 0)
    assert day == "2026-05-10"
    assert due == datetime(2026, 5, 9, 22, 0, tzinfo=UTC)  # 08:00 in Sydney (UTC+10)
    week, due = period_of("weekly", moment, "UTC", 8, 0)
    assert week == "2026-W19"
    assert due == datetime(2026, 5, 4, 8, 0, tzinfo=UTC)  # Monday 08:00
    # Monday 11 May, 07:00 in Paris: week 20 began, its digest is due at 08:00.
    monday = datetime(2026, 5, 11, 5, 0, tzinfo=UTC)
    week, due = period_of("weekly", monday, "Europe/Paris", 8, 0)
    assert week == "2026-W20"
    assert due == datetime(2026, 5, 11, 6, 0, tzinfo=UTC)
    assert monday < due
    assert period_of("weekly", monday, "Europe/Paris", 8, 4)[1].weekday() == 4  # on Fridays
    # New Year: the ISO year of 1 January 2027 (a Friday) is 2026.
    assert period_of("weekly", datetime(2027, 1, 1, 12, tzinfo=UTC), "UTC", 8, 0)[0] == "2026-W53"


def post(org: OrgCard, title: str, hours_ago: float = 1) -> PostPublished:
    """A post ``org`` published ``hours_ago``."""
    return PostPublished(post_id=uuid.uuid4().hex, org=org, author_id=uuid.uuid4().hex,
                         title=title, excerpt=f"About {title}", published_at=now() -
                         timedelta(hours=hours_ago), version=1)  # fmt: skip


async def follow(client: Client, who: Person, org: OrgCard, digest: str) -> None:
    """``who`` follows ``org`` with this digest setting."""
    settings = FollowSettings.model_validate({"notify": "none", "digest": digest})
    await publish(client, OrgFollowed(org_id=org.org_id, user_id=who.user_id, settings=settings,
                                      seq=1))  # fmt: skip


def calendar_event(org: OrgCard, title: str, in_days: float) -> CalendarEventCard:
    """A calendar event of ``org`` starting in ``in_days``."""
    starts = now() + timedelta(days=in_days)
    event_id = uuid.uuid4().hex
    return CalendarEventCard(event_id=event_id, org=org, title=title, starts_at=starts,
                             ends_at=starts + timedelta(hours=2), time_zone="UTC", city="Lyon",
                             capacity=10, url=f"/events/{event_id}")  # fmt: skip


async def rsvp(client: Client, who: Person, card: CalendarEventCard, status: str) -> None:
    """``who`` answered ``card``."""
    answer = {"going": "going", "waiting": "going", "maybe": "maybe"}.get(status, "declined")
    rsvped = EventRsvped.model_validate({"event_id": card.event_id, "org_id": card.org.org_id,
                                         "user_id": who.user_id, "answer": answer,
                                         "status": status, "event": card, "seq": 1})  # fmt: skip
    await publish(client, rsvped)


async def matched(client: Client, org: OrgCard, who: Person, title: str) -> None:
    """An opportunity matched to ``who`` (their cause, remote)."""
    cause = f"cause-{uuid.uuid4().hex[:8]}"
    await publish(client, CauseJoined(cause=cause, user_id=who.user_id, seq=1))
    opportunity_id = uuid.uuid4().hex
    snapshot = OpportunitySnapshot(opportunity_id=opportunity_id, org=org, title=title,
                                   excerpt="x", status="open", commitment="one_off",
                                   causes=(cause,), remote=True, time_zone="UTC", places=3,
                                   url_path=f"/opportunities/{opportunity_id}")  # fmt: skip
    await publish(client, OpportunityPublished(opportunity=snapshot, published_at=now(), version=1))


async def test_a_digest_tells_what_happened_and_goes_once_per_period(
    client: Client, keys: TestKeys, mailbox: Mailbox, aiohttp_client: AiohttpClient,
    settings: NotifierSettings,
) -> None:  # fmt: skip
    admin = await person(client, keys, "Ada", email=address("ada"))
    water, food, noisy = [await new_org(client, admin, n) for n in ("Water for All", "Food Bank",
                                                                    "Noisy Club")]  # fmt: skip
    to = address("rea")
    reader = await person(client, keys, "Rea", email=to)
    await follow(client, reader, water, "weekly")
    await follow(client, reader, food, "daily")
    await follow(client, reader, noisy, "never")
    for org, title in ((water, "Wells dug"), (food, "Pantry open"), (noisy, "Loud news")):
        await publish(client, post(org, title))
    await publish(client, post(water, "Last month", hours_ago=24 * 30))  # before the window
    gone, hidden = post(water, "Deleted post"), post(water, "Hidden post")
    await publish(client, gone)
    await publish(client, hidden)
    await publish(client, PostDeleted(post_id=gone.post_id, org_id=water.org_id))
    await publish(client, PostHidden(post_id=hidden.post_id, org_id=water.org_id))
    await matched(client, water, reader, "Medic at the race")
    await rsvp(client, reader, calendar_event(water, "Beach day", 2), "going")
    await rsvp(client, reader, calendar_event(food, "Soup night", 3), "waiting")
    await rsvp(client, reader, calendar_event(food, "Said no", 3), "declined")
    await rsvp(client, reader, calendar_event(food, "Next month", 30), "going")
    cancelled = calendar_event(food, "Cancelled gala", 1)
    await rsvp(client, reader, cancelled, "going")
    await publish(client, EventCancelled(event=cancelled, by=admin.user_id, going=1, version=2))

    digests = mailing(client).digests
    moment = now()
    sent = await digests.run_due(moment)
    assert sent >= 1  # the reader's (the admin's has nothing to say, others' tests are elsewhere)
    [arrived] = await mailbox.wait_for(to)
    assert arrived["Subject"] == "Your weekly Jumo digest"
    message = await mailbox.message(arrived["ID"])
    text = message["Text"]
    for wanted in ("Wells dug", "Pantry open", "Medic at the race", "Beach day", "Soup night",
                   "on the waiting list"):  # fmt: skip
        assert wanted in text, wanted
        assert wanted in message["HTML"]
    for unwanted in ("Loud news", "Last month", "Deleted post", "Hidden post", "Said no",
                     "Next month", "Cancelled gala"):  # fmt: skip
        assert unwanted not in text, unwanted
    headers = await mailbox.headers(arrived["ID"])
    assert ".digest." in headers["List-Unsubscribe"][0]
    assert headers["List-Unsubscribe-Post"] == ["List-Unsubscribe=One-Click"]
    assert text.index("Wells dug") < text.index("Medic at the race") < text.index("Beach day")
    # Once per period: another pass, two at once, and a restarted notifier send nothing more.
    assert await digests.run_due(moment + timedelta(seconds=1)) == 0
    restarted: Client = await aiohttp_client(create_app(settings))
    again = mailing(restarted).digests
    assert again is not digests
    assert list(await asyncio.gather(again.run_due(moment), digests.run_due(moment))) == [0, 0]
    assert len(await mailbox.to(to)) == 1
    [record] = [d async for d in mailing(client).store.digests.find({"user": reader.user_id})]
    assert record["state"] == "sent"
    assert record["counts"] == {"posts": 2, "opportunities": 1, "events": 2}
    # The next week: what happened since the last digest only (nothing: none is sent).
    assert await digests.run_due(moment + timedelta(days=7)) == 0
    assert len(await mailbox.to(to)) == 1


async def test_nothing_to_say_sends_nothing_and_never_means_never(
    client: Client, keys: TestKeys, mailbox: Mailbox
) -> None:
    admin = await person(client, keys, "Ada", email=address("ada"))
    org = await new_org(client, admin)
    quiet_to, never_to = address("qui"), address("nev")
    quiet = await person(client, keys, "Qui", email=quiet_to)
    never = await person(client, keys, "Nev", email=never_to)
    await follow(client, never, org, "weekly")
    answer = await client.put("/notifications/preferences", headers=never.auth,
                              json={"digest": "never"})  # fmt: skip
    assert answer.status == 200
    await publish(client, post(org, "Wells dug"))
    digests = mailing(client).digests
    moment = now()
    await digests.run_due(moment)
    assert await mailbox.to(quiet_to) == []
    assert await mailbox.to(never_to) == []
    store = mailing(client).store
    [empty] = [d async for d in store.digests.find({"user": quiet.user_id})]
    assert empty["state"] == "empty"
    assert await store.digests.count_documents({"user": never.user_id}) == 0
    # Later in the same period something happens: the period's digest was decided (empty);
    # the next period's tells it.
    await follow(client, quiet, org, "weekly")
    await publish(client, post(org, "Pantry open", hours_ago=-1 / 60))  # after the first pass
    assert await digests.run_due(moment + timedelta(seconds=1)) == 0
    assert await digests.run_due(moment + timedelta(days=7)) >= 1
    [arrived] = await mailbox.wait_for(quiet_to)
    assert "Pantry open" in (await mailbox.message(arrived["ID"]))["Text"]


async def test_a_daily_digest_counts_days_in_the_person_s_zone(
    client: Client, keys: TestKeys, mailbox: Mailbox
) -> None:
    admin = await person(client, keys, "Ada", email=address("ada"))
    org = await new_org(client, admin)
    to = address("kia")
    kia = await person(client, keys, "Kia", email=to)
    await follow(client, kia, org, "daily")
    hours = {"start": "23:00", "end": "06:00", "time_zone": "Pacific/Auckland"}
    answer = await client.put("/notifications/preferences", headers=kia.auth,
                              json={"digest": "daily", "quiet_hours": hours})  # fmt: skip
    assert answer.status == 200
    await publish(client, post(org, "Wells dug", hours_ago=0.5))
    moment = now()
    assert await mailing(client).digests.run_due(moment) >= 1
    [arrived] = await mailbox.wait_for(to)
    assert arrived["Subject"] == "Your daily Jumo digest"
    [record] = [d async for d in mailing(client).store.digests.find({"user": kia.user_id})]
    local_day = period_of("daily", moment, "Pacific/Auckland", 0, 0)[0]
    assert record["_id"] == f"digest:{kia.user_id}:{local_day}"
