"""Every kind of in-app notification reaches the right people and no one else."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from jumo_common.events.applications import (
    ApplicationAccepted,
    ApplicationDeclined,
    ApplicationExpired,
    ApplicationPromoted,
    ApplicationSubmitted,
    ApplicationWaitlisted,
)
from jumo_common.events.calendar import CalendarEventCard, EventReminder
from jumo_common.events.identity import UserFollowed, UserFollowRequested, UserRegistered
from jumo_common.events.opportunities import OpportunityPublished, OpportunitySnapshot
from jumo_common.events.orgs import CauseJoined, OrgCard, OrgRejected, OrgVerified, PostPublished
from jumo_common.testing.tokens import TestKeys

from .conftest import (
    Client,
    Person,
    follow_org,
    new_org,
    notifications,
    now,
    person,
    publish,
    texts,
)


def application(org: OrgCard, volunteer: Person, status: str, seq: int) -> dict[str, Any]:
    """What every application.* event says."""
    return {"application_id": "a" * 32, "opportunity_id": "b" * 32, "org_id": org.org_id,
            "volunteer_id": volunteer.user_id, "slot_id": "c" * 32, "status": status, "seq": seq,
            "opportunity_title": "River clean-up", "org_name": org.name, "at": now()}  # fmt: skip


async def test_a_new_person_is_welcomed_with_a_share_link(client: Client, keys: TestKeys) -> None:
    ann = await person(client, keys, "Ann")
    [welcome] = (await notifications(client, ann))["items"]
    assert welcome["kind"] == "welcome"
    assert welcome["text"].startswith("Welcome to Jumo, Ann")
    assert "/dialog/share?" in welcome["data"]["share_url"]
    assert "href=http" in welcome["data"]["share_url"]


async def test_friends_on_jumo_hear_that_a_friend_joined(client: Client, keys: TestKeys) -> None:
    early, other, stranger = [await person(client, keys, n) for n in ("Eli", "Oda", "Sam")]
    joined = UserRegistered(user_id=uuid.uuid4().hex, display_name="Nia",
                            friend_ids=(early.user_id, other.user_id))  # fmt: skip
    await publish(client, joined, producer="identity")
    assert (await texts(client, early))[0] == "Your friend Nia joined Jumo"
    assert (await texts(client, other))[0] == "Your friend Nia joined Jumo"
    assert len(await texts(client, stranger)) == 1


async def test_being_followed_reaches_the_followee_only(client: Client, keys: TestKeys) -> None:
    ann, bob, cat = [await person(client, keys, n) for n in ("Ann", "Bob", "Cat")]
    await publish(client, UserFollowed(follower_id=bob.user_id, followee_id=ann.user_id, seq=1),
                  producer="identity")  # fmt: skip
    assert (await texts(client, ann))[0] == "Bob followed you"
    assert await texts(client, bob) == ["Welcome to Jumo, Bob! Share that you joined."]
    assert await texts(client, cat) == ["Welcome to Jumo, Cat! Share that you joined."]


async def test_a_follow_request_reaches_the_followee_only(client: Client, keys: TestKeys) -> None:
    ann, bob = await person(client, keys, "Ann"), await person(client, keys, "Bob")
    await publish(client, UserFollowRequested(follower_id=bob.user_id, followee_id=ann.user_id,
                                              seq=1), producer="identity")  # fmt: skip
    assert (await texts(client, ann))[0] == "Bob asked to follow you"
    assert len(await texts(client, bob)) == 1


async def test_followers_of_an_organization_group_for_its_admins(
    client: Client, keys: TestKeys
) -> None:
    admin = await person(client, keys, "Ada")
    org = await new_org(client, admin)
    fans = [await person(client, keys, n) for n in ("Ann", "Bob", "Cat", "Dan", "Eve")]
    for fan in fans:
        await follow_org(client, fan, org)
    page = await notifications(client, admin)
    grouped = page["items"][0]
    assert grouped["text"] == "Eve and 4 others followed Water for All"
    assert grouped["count"] == 5
    assert len(grouped["ids"]) == 5
    for fan in fans:
        assert all(i["kind"] == "welcome" for i in (await notifications(client, fan))["items"])


async def test_applications_reach_the_admins_and_answers_the_volunteer(
    client: Client, keys: TestKeys
) -> None:
    admin, vol, other = [await person(client, keys, n) for n in ("Ada", "Val", "Oz")]
    org = await new_org(client, admin)
    await publish(client, ApplicationSubmitted(**application(org, vol, "pending", 1)))
    assert (await texts(client, admin))[0] == "Val applied to River clean-up"
    answers = [
        (ApplicationWaitlisted, "waitlisted", "You are on the waiting list of River clean-up"),
        (ApplicationPromoted, "accepted", "A place opened up: you are in for River clean-up"),
        (ApplicationAccepted, "accepted", "Water for All accepted you for River clean-up"),
        (ApplicationExpired, "expired", "Your application to River clean-up expired"),
    ]
    for seq, (model, status, text) in enumerate(answers, start=2):
        extra = {"submitted_at": now()} if model is ApplicationExpired else {}
        await publish(client, model(**application(org, vol, status, seq), **extra))
        assert (await texts(client, vol))[0].startswith(text)
    declined = ApplicationDeclined(**application(org, vol, "declined", 9), reason="no_places")
    await publish(client, declined)
    assert (await texts(client, vol))[0] == (
        "Water for All declined your application to River clean-up: no places left"
    )
    accepted = [i for i in (await notifications(client, vol))["items"]
                if i["kind"] == "application_accepted"]  # fmt: skip
    assert "/dialog/share?" in accepted[0]["data"]["share_url"]
    assert len(await texts(client, admin)) == 2  # welcome + the application, nothing else
    assert len(await texts(client, other)) == 1


async def test_moderation_reaches_the_admins(client: Client, keys: TestKeys) -> None:
    admin, member = await person(client, keys, "Ada"), await person(client, keys, "Mo")
    org = await new_org(client, admin)
    await publish(client, OrgVerified(org=org, by=uuid.uuid4().hex, version=2))
    await publish(client, OrgRejected(org=org, by=uuid.uuid4().hex, reason="no proof of address",
                                      version=3))  # fmt: skip
    assert (await texts(client, admin))[:2] == [
        "Water for All was not verified: no proof of address",
        "Water for All is verified: it can now publish opportunities",
    ]
    assert len(await texts(client, member)) == 1


async def test_an_event_tomorrow_reaches_the_people_going(client: Client, keys: TestKeys) -> None:
    admin, going, away = [await person(client, keys, n) for n in ("Ada", "Gus", "Al")]
    org = await new_org(client, admin)
    starts = now() + timedelta(days=1)
    card = CalendarEventCard(event_id="e" * 32, org=org, title="Beach day", starts_at=starts,
                             ends_at=starts + timedelta(hours=3), time_zone="Europe/Paris",
                             capacity=20, url="/events/" + "e" * 32)  # fmt: skip
    await publish(client, EventReminder(event=card, recipients=(going.user_id,), starts_at=starts))
    assert (await texts(client, going))[0] == "Tomorrow: Beach day"
    assert len(await texts(client, away)) == 1


async def test_posts_follow_each_followers_setting(client: Client, keys: TestKeys) -> None:
    admin = await person(client, keys, "Ada")
    org = await new_org(client, admin)
    every, important, none, stranger = [await person(client, keys, n) for n in "ABCD"]
    await follow_org(client, every, org, notify="all")
    await follow_org(client, important, org, notify="important")
    await follow_org(client, none, org, notify="none")

    async def post(title: str, is_important: bool) -> None:
        await publish(client, PostPublished(post_id=uuid.uuid4().hex, org=org,
                                            author_id=admin.user_id, title=title, excerpt=title,
                                            important=is_important, published_at=now(),
                                            version=1))  # fmt: skip

    await post("Routine update", False)
    await post("We need you", True)
    assert (await texts(client, every))[:2] == ["Water for All posted: We need you",
                                                "Water for All posted: Routine update"]  # fmt: skip
    assert (await texts(client, important))[0] == "Water for All posted: We need you"
    assert len(await texts(client, important)) == 2
    assert len(await texts(client, none)) == 1
    assert len(await texts(client, stranger)) == 1


async def test_a_new_opportunity_reaches_people_it_matches(client: Client, keys: TestKeys) -> None:
    admin = await person(client, keys, "Ada")
    org = await new_org(client, admin)
    place = {"city": "Lyon"}
    fit = await person(client, keys, "Fit", skills=("first aid",), place=place)
    elsewhere = await person(client, keys, "Far", skills=("first aid",), place={"city": "Oslo"})
    unskilled = await person(client, keys, "Uns", skills=("cooking",), place=place)
    other_cause = await person(client, keys, "Oth", skills=("first aid",), place=place)
    for seq, who in enumerate((fit, elsewhere, unskilled), start=1):
        await publish(client, CauseJoined(cause="clean-water", user_id=who.user_id, seq=seq))
    await publish(client, CauseJoined(cause="animals", user_id=other_cause.user_id, seq=1))
    snapshot = OpportunitySnapshot(opportunity_id="f" * 32, org=org, title="Medic at the race",
                                   excerpt="x", status="open", commitment="one_off",
                                   causes=("clean-water",), skills=("First aid",), city="Lyon",
                                   time_zone="Europe/Paris", places=3,
                                   url_path="/opportunities/" + "f" * 32)  # fmt: skip
    await publish(client, OpportunityPublished(opportunity=snapshot, published_at=now(), version=1))
    assert (await texts(client, fit))[0] == "Water for All needs help near you: Medic at the race"
    for missed in (elsewhere, unskilled, other_cause):
        assert not any("Medic" in t for t in await texts(client, missed))


async def test_near_is_within_the_persons_radius_of_the_place(
    client: Client, keys: TestKeys
) -> None:
    admin = await person(client, keys, "Ada")
    org = await new_org(client, admin)
    villeurbanne = await person(client, keys, "Vil", place={"city": "Villeurbanne", "lat": 45.77,
                                                            "lng": 4.88})  # fmt: skip
    vienne_wide = await person(client, keys, "Wid", place={"city": "Vienne", "lat": 45.52,
                                                           "lng": 4.87}, radius_km=40)  # fmt: skip
    vienne_close = await person(client, keys, "Clo", place={"city": "Vienne", "lat": 45.52,
                                                            "lng": 4.87}, radius_km=10)  # fmt: skip
    for seq, who in enumerate((villeurbanne, vienne_wide, vienne_close), start=1):
        await publish(client, CauseJoined(cause="clean-water", user_id=who.user_id, seq=seq))
    snapshot = OpportunitySnapshot(opportunity_id="d" * 32, org=org, title="Quay clean-up",
                                   excerpt="x", status="open", commitment="one_off",
                                   causes=("clean-water",), city="Lyon", lat=45.76, lng=4.84,
                                   time_zone="Europe/Paris", places=3,
                                   url_path="/opportunities/" + "d" * 32)  # fmt: skip
    await publish(client, OpportunityPublished(opportunity=snapshot, published_at=now(), version=1))
    # 3 km away (another city's name), 27 km within a 40 km radius, 27 km beyond a 10 km one.
    for near in (villeurbanne, vienne_wide):
        assert (await texts(client, near))[0] == "Water for All needs help near you: Quay clean-up"
    assert not any("Quay" in t for t in await texts(client, vienne_close))


async def test_joining_a_cause_gives_its_share_link(client: Client, keys: TestKeys) -> None:
    ann = await person(client, keys, "Ann")
    await publish(client, CauseJoined(cause="clean-water", user_id=ann.user_id, seq=1))
    joined = (await notifications(client, ann))["items"][0]
    assert joined["text"] == "You joined the cause Clean Water. Share it with your friends."
    assert "causes%2Fclean-water" in joined["data"]["share_url"]
