"""The chain of checks that decides whether to notify: each check on its own, then each seen
end to end (an event published, what the recipient gets)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time
from typing import Any

import pytest

from jumo_common.events.identity import UserDeleted, UserFollowed
from jumo_common.events.orgs import PostPublished
from jumo_common.testing.tokens import TestKeys
from jumo_notifier.chain import (
    CHECKS,
    Candidate,
    Chain,
    follow_setting_allows,
    not_blocked,
    not_duplicate,
    outside_quiet_hours,
    preference_allows,
    recipient_exists,
)
from jumo_notifier.model import Notice, Party
from jumo_notifier.preferences import Channels, Preferences, QuietHours

from .conftest import (
    Client,
    follow_org,
    make_event,
    new_org,
    notifications,
    now,
    person,
    publish,
    send,
    service,
    texts,
)

ACTOR = Party("person", "a" * 32, "Ann")
NOON = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def candidate(kind: str = "followed", channel: str = "in_app", **fields: Any) -> Candidate:
    """A candidate as the chain loads it, with the fields a test sets."""
    notice = Notice(kind, uuid.uuid4().hex, NOON, actor=ACTOR, org_id=fields.pop("org_id", None),  # type: ignore[arg-type]
                    important=fields.pop("important", False))  # fmt: skip
    base: dict[str, Any] = {"person": {"_id": "r", "name": "Rex"}}
    return Candidate(notice, "r" * 32, channel, fields.pop("now", NOON), **{**base, **fields})  # type: ignore[arg-type]


@pytest.fixture
def chain() -> Chain:
    """The chain; the checks under test read only the candidate."""
    return Chain(None, {})  # type: ignore[arg-type]


def test_the_chain_runs_its_checks_in_this_order() -> None:
    assert [c.__name__ for c in CHECKS] == [
        "preference_allows",
        "recipient_exists",
        "email_reachable",
        "not_blocked",
        "follow_setting_allows",
        "not_duplicate",
        "outside_quiet_hours",
    ]


async def test_recipient_exists(chain: Chain) -> None:
    assert await recipient_exists(candidate(), chain) is None
    assert await recipient_exists(candidate(person=None), chain) == "the recipient is unknown"
    erased = candidate(person={"_id": "r", "erased": True})
    assert await recipient_exists(erased, chain) == "the recipient deleted their account"


async def test_not_blocked(chain: Chain) -> None:
    assert await not_blocked(candidate(), chain) is None
    assert await not_blocked(candidate(blocked_actor=True), chain) == (
        "the recipient blocked who acted"
    )


async def test_follow_setting_allows(chain: Chain) -> None:
    def post(notify: str | None, important: bool = False) -> Candidate:
        follow = None if notify is None else {"active": True, "notify": notify}
        return candidate("org_post", org_id="o", important=important, follow=follow)

    assert await follow_setting_allows(post("all"), chain) is None
    assert await follow_setting_allows(post("important", important=True), chain) is None
    assert await follow_setting_allows(post("important"), chain) == (
        "the recipient's follow setting is notify=important"
    )
    assert await follow_setting_allows(post("none", important=True), chain) == (
        "the recipient's follow setting is notify=none"
    )
    assert await follow_setting_allows(post(None), chain) == (
        "the recipient does not follow the organization"
    )
    assert await follow_setting_allows(candidate("followed"), chain) is None  # not a post


async def test_preference_allows(chain: Chain) -> None:
    off = Preferences(kinds={"followed": Channels(in_app=False)})
    assert await preference_allows(candidate(), chain) is None
    assert await preference_allows(candidate(preferences=off), chain) == (
        "the recipient turned followed off on in_app"
    )
    # Email: "followed" waits for the digest by default; an application answer does not.
    assert await preference_allows(candidate(channel="email"), chain) is not None
    assert await preference_allows(candidate("application_accepted", "email"), chain) is None
    # Facebook: off until the member opts in.
    assert await preference_allows(candidate("welcome", "facebook"), chain) is not None
    shared = Preferences(kinds={"welcome": Channels(facebook=True)})
    assert await preference_allows(candidate("welcome", "facebook", preferences=shared),
                                   chain) is None  # fmt: skip


async def test_not_duplicate(chain: Chain) -> None:
    assert await not_duplicate(candidate(), chain) is None
    assert await not_duplicate(candidate(delivered=True), chain) == "already notified of this event"


async def test_outside_quiet_hours_holds_email_until_they_end(chain: Chain) -> None:
    night = QuietHours(start=time(22), end=time(7), time_zone="Europe/Paris")
    prefs = Preferences(quiet_hours=night)
    late = datetime(2026, 6, 1, 21, 30, tzinfo=UTC)  # 23:30 in Paris (summer time)
    held = candidate("application_accepted", "email", preferences=prefs, now=late)
    assert await outside_quiet_hours(held, chain) is None  # held, not refused
    assert held.hold_until == datetime(2026, 6, 2, 5, 0, tzinfo=UTC)  # 07:00 in Paris
    day = candidate("application_accepted", "email", preferences=prefs, now=NOON)
    await outside_quiet_hours(day, chain)
    assert day.hold_until is None
    in_app = candidate(preferences=prefs, now=late)
    await outside_quiet_hours(in_app, chain)
    assert in_app.hold_until is None  # the app keeps it, silently, whatever the hour


def test_quiet_hours_within_one_day() -> None:
    lunch = QuietHours(start=time(12), end=time(14), time_zone="UTC")
    assert lunch.holds(NOON) == datetime(2026, 6, 1, 14, 0, tzinfo=UTC)
    assert lunch.holds(datetime(2026, 6, 1, 14, 0, tzinfo=UTC)) is None


# -- end to end -------------------------------------------------------------------------------


async def test_a_blocked_person_notifies_no_more(client: Client, keys: TestKeys) -> None:
    ann, bob = await person(client, keys, "Ann"), await person(client, keys, "Bob")
    response = await client.put(f"/notifications/blocked/{bob.user_id}", headers=ann.auth)
    assert response.status == 200, await response.text()
    await publish(client, UserFollowed(follower_id=bob.user_id, followee_id=ann.user_id, seq=1),
                  producer="identity")  # fmt: skip
    assert await texts(client, ann) == ["Welcome to Jumo, Ann! Share that you joined."]
    response = await client.delete(f"/notifications/blocked/{bob.user_id}", headers=ann.auth)
    assert response.status == 200
    await publish(client, UserFollowed(follower_id=bob.user_id, followee_id=ann.user_id, seq=3),
                  producer="identity")  # fmt: skip
    assert (await texts(client, ann))[0] == "Bob followed you"


async def test_a_deleted_person_is_not_notified(client: Client, keys: TestKeys) -> None:
    ann, bob = await person(client, keys, "Ann"), await person(client, keys, "Bob")
    await publish(client, UserDeleted(user_id=ann.user_id), producer="identity")
    await publish(client, UserFollowed(follower_id=bob.user_id, followee_id=ann.user_id, seq=1),
                  producer="identity")  # fmt: skip
    assert (
        await service(client).store.notifications.count_documents({"recipient": ann.user_id}) == 0
    )


async def test_a_preference_turns_a_kind_off_in_the_app(client: Client, keys: TestKeys) -> None:
    ann, bob = await person(client, keys, "Ann"), await person(client, keys, "Bob")
    body = {"kinds": {"followed": {"in_app": False}}}
    response = await client.put("/notifications/preferences", json=body, headers=ann.auth)
    assert response.status == 200, await response.text()
    await publish(client, UserFollowed(follower_id=bob.user_id, followee_id=ann.user_id, seq=1),
                  producer="identity")  # fmt: skip
    assert len(await texts(client, ann)) == 1


async def test_one_event_is_one_notification_whatever_the_redeliveries(
    client: Client, keys: TestKeys
) -> None:
    admin = await person(client, keys, "Ada")
    org = await new_org(client, admin)
    fan = await person(client, keys, "Fan")
    await follow_org(client, fan, org, notify="all")
    event = make_event(PostPublished(post_id=uuid.uuid4().hex, org=org, author_id=admin.user_id,
                                     title="Hello", excerpt="Hello", published_at=now(),
                                     version=1), producer="orgs")  # fmt: skip
    for _ in range(3):
        await send(client, event)
    # Even a handler run again from scratch (its claim lost) stores nothing twice.
    addressed = await service(client).notices.post(event)
    for one in addressed:
        assert await service(client).inbox.deliver(one) == 0
    page = await notifications(client, fan)
    assert [i["text"] for i in page["items"]].count("Water for All posted: Hello") == 1


async def test_quiet_hours_keep_in_app_notifications(client: Client, keys: TestKeys) -> None:
    ann, bob = await person(client, keys, "Ann"), await person(client, keys, "Bob")
    always = {"start": "00:00", "end": "23:59", "time_zone": "UTC"}
    response = await client.put("/notifications/preferences", json={"quiet_hours": always},
                                headers=ann.auth)  # fmt: skip
    assert response.status == 200, await response.text()
    await publish(client, UserFollowed(follower_id=bob.user_id, followee_id=ann.user_id, seq=1),
                  producer="identity")  # fmt: skip
    assert (await texts(client, ann))[0] == "Bob followed you"
