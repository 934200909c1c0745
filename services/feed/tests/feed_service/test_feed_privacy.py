"""Privacy: a private person's activities never reach a feed — not when they were private
before the activity, and not any more once they go private after it — while a profile (and
volunteering) open to followers reaches the followers, and nobody else.

Blocking between people is not here: identity has no block feature nor event yet.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from redis.asyncio import Redis

from jumo_common.events.identity import UserUpdated
from jumo_common.events.orgs import CauseJoined, OrgCard, ReviewPosted
from jumo_common.events.record import VolunteeringAttested
from jumo_common.testing.tokens import TestKeys
from jumo_feed.model import REASON_PERSON

from .conftest import (
    Client,
    Person,
    activity_member,
    follow,
    follow_org,
    minutes_ago,
    new_org,
    open_feed,
    person,
    publish,
    read_feed,
    reasons,
    service,
    timeline,
    titles,
)


async def activities_of(client: Client, who: Person, org: OrgCard) -> None:
    """``who`` follows ``org``, joins a cause and reviews ``org``: three activities."""
    await follow_org(client, who, org)
    await publish(client, CauseJoined(cause="clean-water", user_id=who.user_id, seq=1),
                  occurred_at=minutes_ago(2))  # fmt: skip
    await publish(client, ReviewPosted(review_id=uuid.uuid4().hex, org=org, author_id=who.user_id,
                                       stars=4, excerpt="Kind people", version=1))  # fmt: skip


async def go(client: Client, who: Person, visibility: str, version: int) -> None:
    """``who`` changes their profile's visibility (identity's user.updated)."""
    update = UserUpdated(user_id=who.user_id, display_name=who.name, visibility=visibility,
                         version=version)  # fmt: skip
    await publish(client, update, producer="identity")


async def test_a_private_persons_activities_never_reach_a_feed(
    client: Client, keys: TestKeys, redis: Redis
) -> None:
    ann = await person(client, keys, "Ann")
    bo = await person(client, keys, "Bo", visibility="private")
    await open_feed(client, ann)
    await follow(client, ann, bo)
    org = await new_org(client, "Food Bank")

    await activities_of(client, bo, org)

    assert (await read_feed(client, ann))["items"] == []
    assert await timeline(client, redis, ann) == {}  # never delivered, not merely hidden
    await service(client).deps.timelines.drop_timeline(ann.user_id)  # the cache is lost
    assert (await read_feed(client, ann))["items"] == []  # the rebuild does not bring them


async def test_going_private_takes_what_was_spread_out_of_every_feed(
    client: Client, keys: TestKeys, redis: Redis
) -> None:
    ann, cy = await person(client, keys, "Ann"), await person(client, keys, "Cy")
    bo = await person(client, keys, "Bo")
    for reader in (ann, cy):
        await open_feed(client, reader)
        await follow(client, reader, bo)
    org = await new_org(client, "Food Bank")
    await activities_of(client, bo, org)
    shown = ["review:review", "org_followed:org_followed", "cause_joined:clean-water"]
    assert titles(await read_feed(client, ann)) == shown
    assert titles(await read_feed(client, cy)) == shown

    await go(client, bo, "private", version=3)

    for reader in (ann, cy):
        assert (await read_feed(client, reader))["items"] == []
        await service(client).deps.timelines.drop_timeline(reader.user_id)
        assert (await read_feed(client, reader))["items"] == []  # nor after a rebuild


async def test_volunteering_open_to_followers_reaches_the_followers_only(
    client: Client, keys: TestKeys, redis: Redis
) -> None:
    ann, dee = await person(client, keys, "Ann"), await person(client, keys, "Dee")
    bo = await person(client, keys, "Bo", visibility="followers")
    for reader in (ann, dee):
        await open_feed(client, reader)
    await follow(client, ann, bo)
    org = await new_org(client, "Food Bank")
    check_in = uuid.uuid4().hex

    await publish(client, VolunteeringAttested(
        check_in_id=check_in, volunteer_id=bo.user_id, org=org,
        opportunity_id=uuid.uuid4().hex, opportunity_title="Sort food", session="s1",
        hours=2.5, attested_at=datetime.now(UTC), visibility="followers", version=1))  # fmt: skip

    feed = await read_feed(client, ann)
    assert titles(feed) == ["volunteered:volunteered"]
    assert reasons(feed) == [["Bo, whom you follow, volunteered with Food Bank"]]
    assert feed["items"][0]["snapshot"]["hours"] == 2.5
    wanted = await activity_member(client, f"volunteered:{check_in}", REASON_PERSON)
    assert await timeline(client, redis, ann) == {wanted: wanted // 8}
    assert (await read_feed(client, dee))["items"] == []
    assert await timeline(client, redis, dee) == {}


async def test_what_a_person_did_while_private_stays_out_once_they_go_public(
    client: Client, keys: TestKeys, redis: Redis
) -> None:
    ann, dee = await person(client, keys, "Ann"), await person(client, keys, "Dee")
    bo = await person(client, keys, "Bo", visibility="private")
    await open_feed(client, ann)
    await follow(client, ann, bo)
    org = await new_org(client, "Food Bank")
    await activities_of(client, bo, org)

    await go(client, bo, "public", version=3)
    await publish(client, CauseJoined(cause="education", user_id=bo.user_id, seq=1))

    shown = ["cause_joined:education"]  # only what Bo did in public
    assert titles(await read_feed(client, ann)) == shown
    await service(client).deps.timelines.drop_timeline(ann.user_id)
    assert titles(await read_feed(client, ann)) == shown  # a rebuild brings nothing more
    await open_feed(client, dee)
    await follow(client, dee, bo)  # nor does the back-fill of a new follower
    assert titles(await read_feed(client, dee)) == shown
