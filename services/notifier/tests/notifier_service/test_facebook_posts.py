"""The Facebook channel against a real Facebook sandbox: which joins are posted where (only
with the member's opt-in), organizations' opportunities and news on their own Page when they
asked for it, each post once whatever the redeliveries, each with its link to the public page
of what was joined; and erasure of the person's publishing records."""

from __future__ import annotations

from typing import Any

from jumo_common.events import make_event
from jumo_common.events.identity import UserDeleted
from jumo_common.events.orgs import CauseJoined
from jumo_common.testing.tokens import TestKeys
from jumo_facebook.sandbox.testing import PageInfo, SandboxControl

from .conftest import Client, new_org, person, publish, send, service
from .facebook_support import (
    PUBLIC,
    accepted,
    all_settled,
    attested,
    facebook_settings_fixture,  # noqa: F401  (fixtures)
    jumo_page_fixture,  # noqa: F401
    linked_org,
    news,
    opportunity,
    opted_in,
    overrides_fixture,  # noqa: F401
    page_options,
    page_shows,
    posts_on,
    records,
    sandbox_config_fixture,  # noqa: F401
    sandbox_fixture,  # noqa: F401
    settled,
)


async def test_an_opted_in_member_joining_jumo_shows_on_jumos_page_once(
    client: Client, keys: TestKeys, sandbox: SandboxControl, jumo_page: PageInfo
) -> None:
    ann = await opted_in(client, keys, "Ann Example")
    await opted_in(client, keys, "Bob Example", share=False)

    [record] = await all_settled(client, 1)
    assert (record["_id"], record["state"]) == (f"welcome:{ann.user_id}", "posted")
    [post] = await page_shows(sandbox, jumo_page.id, 1)
    link = f"{PUBLIC}/?ref={record['ref']}"
    assert post["message"] == f"Ann Example joined Jumo\n{link}"
    assert post["link"] == link
    assert post["id"] == record["post_id"]


async def test_a_redelivered_event_is_posted_once(
    client: Client, keys: TestKeys, sandbox: SandboxControl, jumo_page: PageInfo
) -> None:
    ann = await opted_in(client, keys, "Ann Example")
    event = make_event(CauseJoined(cause="clean-water", user_id=ann.user_id, seq=1),
                       producer="orgs")  # fmt: skip
    await send(client, event)
    await settled(client, f"cause:clean-water:{ann.user_id}")
    await send(client, event)
    await publish(client, CauseJoined(cause="clean-water", user_id=ann.user_id, seq=3))
    await all_settled(client, 2)
    texts = [p["message"].split("\n")[0] for p in await posts_on(sandbox, jumo_page.id)]
    assert sorted(texts) == ["Ann Example joined Jumo", "Ann Example joined the cause Clean Water"]


async def test_joins_need_the_members_opt_in_which_preferences_change(
    client: Client, keys: TestKeys, sandbox: SandboxControl, jumo_page: PageInfo
) -> None:
    bob = await opted_in(client, keys, "Bob Example", share=False)
    await publish(client, CauseJoined(cause="animals", user_id=bob.user_id, seq=1))
    assert await records(client) == []

    answer = await client.put("/notifications/preferences", headers=bob.auth,
                              json={"kinds": {"joined_cause": {"facebook": True}}})  # fmt: skip
    assert answer.status == 200, await answer.text()
    await publish(client, CauseJoined(cause="clean-water", user_id=bob.user_id, seq=1))
    [record] = await all_settled(client, 1)
    assert record["_id"] == f"cause:clean-water:{bob.user_id}"
    [post] = await page_shows(sandbox, jumo_page.id, 1)
    assert post["message"].startswith("Bob Example joined the cause Clean Water\n")
    assert post["link"] == f"{PUBLIC}/causes/clean-water?ref={record['ref']}"

    answer = await client.put("/notifications/preferences", headers=bob.auth,
                              json={"kinds": {"joined_cause": {"facebook": False}}})  # fmt: skip
    await publish(client, CauseJoined(cause="forests", user_id=bob.user_id, seq=1))
    assert len(await records(client)) == 1


async def test_volunteering_shows_on_the_organizations_page_once_whichever_comes_first(
    client: Client, keys: TestKeys, sandbox: SandboxControl
) -> None:
    linked = await linked_org(client, keys, sandbox)
    org, page = linked.org, linked.page
    ann = await opted_in(client, keys, "Ann Example")
    cat = await opted_in(client, keys, "Cat Example")
    bob = await opted_in(client, keys, "Bob Example", share=False)

    await publish(client, accepted(org, ann, "b" * 32))
    await publish(client, attested(org, ann))  # later hours: no second post
    await publish(client, attested(org, cat))  # hours before any acceptance
    await publish(client, accepted(org, cat, "b" * 32))
    await publish(client, accepted(org, bob, "b" * 32))  # did not opt in
    await all_settled(client, 4)  # two welcomes to Jumo's Page, two here

    shown = await posts_on(sandbox, page.id)
    assert sorted(p["message"].split("\n")[0] for p in shown) == [
        "Ann Example now volunteers with Water for All",
        "Cat Example now volunteers with Water for All"]  # fmt: skip
    assert all(p["link"].startswith(f"{PUBLIC}/orgs/{org.org_id}?ref=") for p in shown)


async def test_followers_only_volunteering_is_not_put_on_a_public_page(
    client: Client, keys: TestKeys, sandbox: SandboxControl
) -> None:
    linked = await linked_org(client, keys, sandbox)
    org, page = linked.org, linked.page
    ann = await opted_in(client, keys, "Ann Example")
    await publish(client, attested(org, ann, visibility="followers"))
    await all_settled(client, 1)  # the welcome only
    assert await posts_on(sandbox, page.id) == []


async def test_a_join_goes_nowhere_when_the_organization_linked_no_page(
    client: Client, keys: TestKeys, sandbox: SandboxControl
) -> None:
    owner = await person(client, keys, "Ada")
    org = await new_org(client, owner)
    ann = await opted_in(client, keys, "Ann Example")
    await publish(client, accepted(org, ann, "b" * 32))
    assert [r["_id"] for r in await all_settled(client, 1)] == [f"welcome:{ann.user_id}"]


async def test_opportunities_and_news_go_to_the_organizations_page_when_it_asked(
    client: Client, keys: TestKeys, sandbox: SandboxControl
) -> None:
    linked = await linked_org(client, keys, sandbox)
    owner, org, page = linked.owner, linked.org, linked.page
    await publish(client, opportunity(org))
    await publish(client, news(org, "Not asked for"))
    assert await records(client) == []

    await page_options(client, owner, org, post_opportunities=True)
    wanted = opportunity(org)
    await publish(client, wanted)
    await publish(client, news(org, "Still not asked for"))
    await page_options(client, owner, org, post_news=True)
    told = news(org, "Wells dug")
    await publish(client, told)
    await all_settled(client, 2)

    by_link = {p["link"].split("?")[0]: p["message"] for p in await posts_on(sandbox, page.id)}
    snapshot = wanted.opportunity
    assert by_link == {
        f"{PUBLIC}{snapshot.url_path}":
            f"Water for All needs volunteers: Medic at the race\n{PUBLIC}{snapshot.url_path}"
            f"?ref={(await settled(client, f'opportunity:{snapshot.opportunity_id}'))['ref']}",
        f"{PUBLIC}/orgs/{org.org_id}/posts/{told.post_id}":
            f"Wells dug\n\nTwelve wells this year.\n{PUBLIC}/orgs/{org.org_id}/posts/"
            f"{told.post_id}?ref={(await settled(client, f'news:{told.post_id}'))['ref']}",
    }  # fmt: skip


async def test_erasure_deletes_the_persons_publishing_records(
    client: Client, keys: TestKeys, sandbox: SandboxControl, jumo_page: PageInfo
) -> None:
    ann = await opted_in(client, keys, "Ann Example")
    bob = await opted_in(client, keys, "Bob Example")
    await publish(client, CauseJoined(cause="clean-water", user_id=ann.user_id, seq=1))
    await all_settled(client, 3)

    await publish(client, UserDeleted(user_id=ann.user_id), producer="identity")

    left: list[Any] = await records(client)
    assert [r["user_id"] for r in left] == [bob.user_id]
    assert not any("Ann" in repr(r) for r in left)
    posts = service(client).facebook.posts
    assert [d async for d in posts.queue.find({})] == []
    assert [d async for d in posts.attempts.find({})] == []
    # A late redelivery of her join finds a tombstone: nothing is intended again.
    await publish(client, CauseJoined(cause="forests", user_id=ann.user_id, seq=2))
    assert [r["user_id"] for r in await records(client)] == [bob.user_id]
