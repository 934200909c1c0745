"""Erasure reaches the email area: after ``user.deleted`` nothing of the email channel's or the
digests' collections names the person (their emails, sent and held, their releases, digests and
answers to events), late events bring no email back, and other people's records stay."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from jumo_common.events.applications import ApplicationAccepted
from jumo_common.events.identity import UserDeleted
from jumo_common.testing.tokens import TestKeys
from jumo_notifier.mail_store import collections

from .conftest import Client, Person, new_org, now, person, publish
from .mailbox import Mailbox, address, mailbox, mailing, smtp_overrides
from .test_digests import calendar_event, follow, post, rsvp
from .test_mail import application
from .test_mail_held import quiet

__all__ = ["mailbox", "smtp_overrides"]  # fixtures


@pytest.fixture
def overrides(smtp_overrides: dict[str, Any]) -> dict[str, Any]:
    """The stack's Mailpit; the loops off; digests due whenever the test runs."""
    return smtp_overrides | {"digest_hour": 0, "digest_weekday": 0}


async def traces(client: Client, who: Person) -> list[tuple[str, Any]]:
    """Every document of the email area that names ``who`` anywhere."""
    found = []
    for collection in collections(mailing(client).store):
        async for doc in collection.find({}):
            if who.user_id in repr(doc):
                found.append((collection.name, doc["_id"]))
    return found


async def test_user_deleted_erases_the_email_area(
    client: Client, keys: TestKeys, mailbox: Mailbox
) -> None:
    admin = await person(client, keys, "Ada", email=address("ada"))
    org = await new_org(client, admin)
    gone_to, kept_to = address("gus"), address("kim")
    gone = await person(client, keys, "Gus", email=gone_to)
    kept = await person(client, keys, "Kim", email=kept_to)
    for seq, who in enumerate((gone, kept), start=1):
        await follow(client, who, org, "weekly")
        await rsvp(client, who, calendar_event(org, f"Beach day {seq}", 2), "going")
        await publish(client, ApplicationAccepted(**application(org, who, "accepted", seq)))
    await publish(client, post(org, "Wells dug"))
    assert await mailing(client).digests.run_due(now()) >= 2
    await mailbox.wait_for(gone_to, 2)  # the acceptance and the digest
    until = await quiet(client, gone)
    await publish(client, ApplicationAccepted(**application(org, gone, "accepted", 9)))  # held
    names = {name for name, _ in await traces(client, gone)}
    assert names == {"emails", "digests", "digest_rsvps"}
    await publish(client, UserDeleted(user_id=gone.user_id), producer="identity")
    assert await traces(client, gone) == []
    # Nothing held comes out, and a late event emails nobody.
    assert await mailing(client).mail.release_held(until + timedelta(minutes=1)) == 0
    await publish(client, ApplicationAccepted(**application(org, gone, "accepted", 10)))
    assert await mailing(client).digests.run_due(now() + timedelta(days=7)) == 0
    assert len(await mailbox.to(gone_to)) == 2
    assert await traces(client, gone) == []
    # The others keep theirs; the organization's posts stay (they are the organization's).
    assert {name for name, _ in await traces(client, kept)} == {"emails", "digests",
                                                                "digest_rsvps"}  # fmt: skip
    assert await mailing(client).store.posts.count_documents({"org": org.org_id}) == 1
