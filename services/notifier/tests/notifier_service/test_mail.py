"""The email channel against the stack's Mailpit: every kind that emails by default arrives with
both parts and its headers; preferences, missing addresses and stopped email keep it away; each
email goes at most once per (person, event) whatever the redeliveries; a relay that is away
makes the handler retry without sending anything twice."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest

from jumo_common.events import Envelope, make_event
from jumo_common.events.applications import (
    ApplicationAccepted,
    ApplicationDeclined,
    ApplicationExpired,
    ApplicationPromoted,
    ApplicationSubmitted,
    ApplicationWaitlisted,
)
from jumo_common.events.calendar import CalendarEventCard, EventReminder
from jumo_common.events.orgs import OrgCard, OrgRejected, OrgVerified, PostPublished
from jumo_common.testing.tokens import TestKeys
from jumo_devstack import free_port
from jumo_notifier.mailer import Mailer, TemporaryFailure
from jumo_notifier.model import EMAIL_BY_DEFAULT
from jumo_notifier.notices import Addressed

from .conftest import Client, Person, follow_org, new_org, now, person, publish, send, service
from .mailbox import Mailbox, address, mailbox, mailing, smtp_overrides

__all__ = ["mailbox", "smtp_overrides"]  # fixtures


@pytest.fixture
def overrides(smtp_overrides: dict[str, Any]) -> dict[str, Any]:
    """The stack's Mailpit; the loops off."""
    return smtp_overrides


def application(org: OrgCard, volunteer: Person, status: str, seq: int) -> dict[str, Any]:
    """What every application.* event says."""
    return {"application_id": uuid.uuid4().hex, "opportunity_id": "b" * 32, "org_id": org.org_id,
            "volunteer_id": volunteer.user_id, "slot_id": "c" * 32, "status": status, "seq": seq,
            "opportunity_title": "River clean-up", "org_name": org.name, "at": now()}  # fmt: skip


async def emailed(client: Client, name: str, keys: TestKeys, **profile: Any) -> tuple[Person, str]:
    """A person with an address of this test's own."""
    to = address(name)
    return await person(client, keys, name, email=to, **profile), to


async def check_message(box: Mailbox, summary: dict[str, Any], to: str, sentence: str,
                        link_path: str) -> dict[str, list[str]]:  # fmt: skip
    """A notice's email as the brief wants it; its headers."""
    message = await box.message(summary["ID"])
    headers = await box.headers(summary["ID"])
    assert message["From"] == {"Name": "Jumo", "Address": "notifications@jumo.example"}
    assert [t["Address"] for t in message["To"]] == [to]
    assert message["Subject"] == sentence
    assert sentence in message["Text"]
    assert "http://127.0.0.1:8080" + link_path in message["Text"]
    assert f'href="http://127.0.0.1:8080{link_path}"' in message["HTML"]
    assert "<img" not in message["HTML"]  # no tracking pixel
    [unsubscribe] = headers["List-Unsubscribe"]
    assert re.fullmatch(r"<http://127\.0\.0\.1:8080/notifications/unsubscribe\?token=[^>]+>",
                        unsubscribe)  # fmt: skip
    assert headers["List-Unsubscribe-Post"] == ["List-Unsubscribe=One-Click"]
    assert unsubscribe[1:-1].replace("&amp;", "&") in message["Text"]
    assert re.fullmatch(r"<[0-9a-f]{32}@jumo\.example>", headers["Message-Id"][0])
    assert headers["Auto-Submitted"] == ["auto-generated"]
    return headers


async def test_every_kind_that_emails_by_default_reaches_the_inbox(
    client: Client, keys: TestKeys, mailbox: Mailbox
) -> None:
    (admin, admin_to), (vol, vol_to) = [await emailed(client, n, keys) for n in ("Ada", "Val")]
    org = await new_org(client, admin)
    opportunity = "/opportunities/" + "b" * 32
    cases: list[tuple[Any, str, str, str]] = [
        (ApplicationSubmitted(**application(org, vol, "pending", 1)), admin_to,
         "Val applied to River clean-up", opportunity),
        (ApplicationWaitlisted(**application(org, vol, "waitlisted", 2)), vol_to,
         "You are on the waiting list of River clean-up (Water for All)", opportunity),
        (ApplicationPromoted(**application(org, vol, "accepted", 3)), vol_to,
         "A place opened up: you are in for River clean-up (Water for All)", opportunity),
        (ApplicationAccepted(**application(org, vol, "accepted", 4)), vol_to,
         "Water for All accepted you for River clean-up", opportunity),
        (ApplicationDeclined(**application(org, vol, "declined", 5), reason="no_places"), vol_to,
         "Water for All declined your application to River clean-up: no places left",
         opportunity),
        (ApplicationExpired(**application(org, vol, "expired", 6), submitted_at=now()), vol_to,
         "Your application to River clean-up expired without an answer", opportunity),
        (OrgVerified(org=org, by=uuid.uuid4().hex, version=2), admin_to,
         "Water for All is verified: it can now publish opportunities", f"/orgs/{org.org_id}"),
        (OrgRejected(org=org, by=uuid.uuid4().hex, reason="no proof", version=3), admin_to,
         "Water for All was not verified: no proof", f"/orgs/{org.org_id}"),
    ]  # fmt: skip
    starts = now() + timedelta(days=1)
    card = CalendarEventCard(event_id="e" * 32, org=org, title="Beach day", starts_at=starts,
                             ends_at=starts + timedelta(hours=3), time_zone="Europe/Paris",
                             city="Nantes", capacity=20, url="/events/" + "e" * 32)  # fmt: skip
    cases.append((EventReminder(event=card, recipients=(vol.user_id,), starts_at=starts), vol_to,
                  "Tomorrow: Beach day", "/events/" + "e" * 32))  # fmt: skip
    covered = {"application_received", "application_waitlisted", "application_promoted",
               "application_accepted", "application_declined", "application_expired",
               "org_verified", "org_rejected", "event_tomorrow"}  # fmt: skip
    # follow_requested emails by default too; identity's event for it is tested where it is wired.
    assert covered | {"follow_requested"} == EMAIL_BY_DEFAULT
    for count, (data, to, sentence, link) in enumerate(cases, start=1):
        await publish(client, data)
        mine = [m for m in await mailbox.to(to) if m["Subject"] == sentence]
        assert len(mine) == 1, (sentence, [m["Subject"] for m in await mailbox.to(to)])
        await check_message(mailbox, mine[0], to, sentence, link)
        assert count == len(await mailbox.to(admin_to)) + len(await mailbox.to(vol_to))
    reminder = await mailbox.message((await mailbox.to(vol_to))[0]["ID"])
    assert "Nantes" in reminder["Text"]
    assert "(Europe/Paris)" in reminder["Text"]
    accepted = [m for m in await mailbox.to(vol_to) if "accepted you" in m["Subject"]]
    share = (await mailbox.message(accepted[0]["ID"]))["Text"]
    assert "/dialog/share?" in share  # a join: the share link, as in the app


async def test_kinds_off_by_default_and_turned_off_send_nothing(
    client: Client, keys: TestKeys, mailbox: Mailbox
) -> None:
    (admin, admin_to), (fan, fan_to) = [await emailed(client, n, keys) for n in ("Ada", "Fay")]
    org = await new_org(client, admin)
    await follow_org(client, fan, org, notify="all")  # "followed" to the admin: not by email
    post = PostPublished(post_id=uuid.uuid4().hex, org=org, author_id=admin.user_id,
                         title="Wells dug", excerpt="Three new wells", important=True,
                         published_at=now(), version=1)  # fmt: skip
    await publish(client, post)  # org_post: in the app, not by email unless asked
    answer = await client.put("/notifications/preferences", headers=admin.auth,
                              json={"kinds": {"org_verified": {"email": False}}})  # fmt: skip
    assert answer.status == 200
    await publish(client, OrgVerified(org=org, by=uuid.uuid4().hex, version=2))
    assert await mailbox.to(admin_to) == []
    assert await mailbox.to(fan_to) == []
    # Asked for: the next post reaches the fan by email.
    answer = await client.put("/notifications/preferences", headers=fan.auth,
                              json={"kinds": {"org_post": {"email": True}}})  # fmt: skip
    assert answer.status == 200
    await publish(client, post.model_copy(update={"post_id": uuid.uuid4().hex, "title": "More"}))
    [arrived] = await mailbox.wait_for(fan_to)
    assert arrived["Subject"] == "Water for All posted: More"
    assert "Three new wells" in (await mailbox.message(arrived["ID"]))["Text"]


async def test_no_address_or_stopped_email_sends_nothing(
    client: Client, keys: TestKeys, mailbox: Mailbox
) -> None:
    admin, _ = await emailed(client, "Ada", keys)
    org = await new_org(client, admin)
    silent = await person(client, keys, "Sam", email=None)
    stopped, stopped_to = await emailed(client, "Sue", keys)
    await mailing(client).store.stop_email(stopped.user_id, "Stopped by the test.", "test",
                                           stopped_to)  # fmt: skip
    for who, seq in ((silent, 1), (stopped, 2)):
        await publish(client, ApplicationAccepted(**application(org, who, "accepted", seq)))
    assert await mailbox.to(stopped_to) == []
    emails = mailing(client).store.emails
    assert await emails.count_documents({"recipient": silent.user_id}) == 0
    assert await emails.count_documents({"recipient": stopped.user_id}) == 0
    # In the app they still hear of it.
    for who in (silent, stopped):
        assert await service(client).store.unread_count(who.user_id) == 2


async def test_each_email_goes_at_most_once_per_person_and_event(
    client: Client, keys: TestKeys, mailbox: Mailbox
) -> None:
    admin = (await emailed(client, "Ada", keys))[0]
    org = await new_org(client, admin)
    vol, vol_to = await emailed(client, "Val", keys)
    event: Envelope[Any] = make_event(
        ApplicationAccepted(**application(org, vol, "accepted", 1)), producer="orgs"
    )
    for _ in range(3):  # the broker redelivers: the bus's claim skips it
        await send(client, event)
    await mailbox.wait_for(vol_to)
    # The channel's own record, whatever the bus does: delivering the notice again sends nothing.
    [addressed] = await service(client).notices.application(event)
    assert await mailing(client).mail.deliver(addressed) == 0
    assert await mailing(client).mail.deliver(Addressed(addressed.notice, [vol.user_id] * 3)) == 0
    assert len(await mailbox.to(vol_to)) == 1
    [record] = [d async for d in mailing(client).store.emails.find({"recipient": vol.user_id})]
    assert record["state"] == "sent"
    assert record["reply"].startswith("250")


async def test_a_relay_that_is_away_is_retried_and_nothing_goes_twice(
    client: Client, keys: TestKeys, mailbox: Mailbox
) -> None:
    admin = (await emailed(client, "Ada", keys))[0]
    org = await new_org(client, admin)
    people = [await emailed(client, n, keys) for n in ("Ann", "Bob")]
    event: Envelope[Any] = make_event(
        ApplicationSubmitted(**application(org, people[0][0], "pending", 1)), producer="orgs"
    )
    [addressed] = await service(client).notices.application(event)
    both = Addressed(addressed.notice, [who.user_id for who, _ in people])
    mail = mailing(client).mail
    working = mail.mailer
    closed = working.settings.model_copy(update={"smtp_port": free_port()})
    mail.mailer = Mailer(closed)
    with pytest.raises(TemporaryFailure, match="cannot reach the relay"):
        await mail.deliver(both)
    assert await mailing(client).store.emails.count_documents({"event_id": str(event.id)}) == 0
    mail.mailer = working
    assert await mail.deliver(both) == 2  # the retry sends each one
    assert await mail.deliver(both) == 0
    for _, to in people:
        [arrived] = await mailbox.wait_for(to)
        assert arrived["Subject"] == "Ann applied to River clean-up"
