"""News on the memory stores: who posts, what the events carry, edits, deletion, hiding,
erasure. No servers; ``test_news_store_contract.py`` entitles these to the memory store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jumo_common.events.orgs import PostDeleted, PostHidden, PostPublished, PostUpdated
from jumo_common.web import Unprocessable, validate
from jumo_orgs.cards import card
from jumo_orgs.errors import NotAllowed, OrgNotFound, OrgNotVerified
from jumo_orgs.news_plans import OrgIsHidden, PostIsHidden, PostNotFound
from jumo_orgs.plain_text import excerpt
from jumo_orgs.schemas.news import PostDraft, PostPatch

from .community import NOW, World, principal


def draft(**fields: object) -> PostDraft:
    return validate(PostDraft, {"title": "Spring clean-up", "body": "Join us on Saturday.",
                                **fields})  # fmt: skip


def patch(**fields: object) -> PostPatch:
    return validate(PostPatch, fields)


@pytest.fixture
def world() -> World:
    return World.make()


async def test_an_editor_publishes_and_the_event_renders_without_calling_back(
    world: World,
) -> None:
    org = await world.org("water-for-all")
    editor = await world.member(org, "editor")
    body = "word " * 100 + "https://example.org/join"
    post = await world.news.publish(
        "water-for-all", editor, draft(body=body, important=True,
                                       link={"kind": "event", "id": "e1"}), NOW,
    )  # fmt: skip
    [event] = world.events.of_type(PostPublished)
    data = event.data
    assert isinstance(data, PostPublished)
    assert data.org == card(org)
    assert (data.post_id, data.author_id, data.title) == (
        post.id,
        editor.user_id,
        "Spring clean-up",
    )
    assert data.excerpt == excerpt(body)
    assert len(data.excerpt) <= 280
    assert data.excerpt.endswith("…")
    assert "word" in data.excerpt
    assert data.important
    assert data.link is not None
    assert data.link.kind == "event"
    assert (data.published_at, data.version) == (NOW, 1)
    assert (event.actor_id, event.subject_id) == (editor.user_id, post.id)
    assert post.body == body.strip()
    assert post.author is not None


@pytest.mark.parametrize("role", ["editor", "admin", "owner"])
async def test_every_role_from_editor_up_posts(world: World, role: str) -> None:
    org = await world.org("helpers")
    post = await world.news.publish(org["_id"], await world.member(org, role), draft(), NOW)
    assert post.org.slug == "helpers"


async def test_strangers_and_other_organizations_people_do_not_post(world: World) -> None:
    org, other = await world.org("ours"), await world.org("theirs")
    for caller in (principal(), await world.member(other, "owner"),
                   principal(roles=("moderator",))):  # fmt: skip
        with pytest.raises(NotAllowed):
            await world.news.publish(org["_id"], caller, draft(), NOW)
    assert world.events == []


@pytest.mark.parametrize("status", ["draft", "pending", "rejected"])
async def test_only_a_verified_organization_publishes(world: World, status: str) -> None:
    org = await world.org("new-one", status=status)
    with pytest.raises(OrgNotVerified):
        await world.news.publish(org["_id"], await world.member(org, "owner"), draft(), NOW)


async def test_a_hidden_organization_is_not_found_and_does_not_publish(world: World) -> None:
    org = await world.org("hidden-one", hidden=True)
    with pytest.raises(OrgNotFound):
        await world.news.page(org["_id"], principal(), limit=10, cursor=None)
    owner = await world.member(org, "owner")
    await world.news.page(org["_id"], owner, limit=10, cursor=None)
    with pytest.raises(OrgIsHidden):
        await world.news.publish(org["_id"], owner, draft(), NOW)


@pytest.mark.parametrize(
    "fields",
    [{"title": "a\nb"}, {"title": "x" * 201}, {"body": "y" * 5001}, {"body": "bell \x07"},
     {"title": "   "}, {"body": "nul \x00"}, {"link": {"kind": "page", "id": "1"}},
     {"link": {"kind": "event", "id": "../x"}}, {"status": "verified"}, {"author_id": "me"}],
)  # fmt: skip
def test_what_a_post_may_not_be(fields: dict[str, object]) -> None:
    with pytest.raises(Unprocessable):
        draft(**fields)


def test_plain_text_keeps_lines_and_links_and_normalises_breaks() -> None:
    post = draft(body="  Hello\r\n\tworld https://x.org/?a=1&b=<2>  ")
    assert post.body == "Hello\n\tworld https://x.org/?a=1&b=<2>"


async def test_the_list_is_newest_first_and_pages(world: World) -> None:
    org = await world.org("busy")
    editor = await world.member(org)
    for i in range(5):
        await world.news.publish(org["_id"], editor, draft(title=f"n{i}"),
                                 NOW + timedelta(minutes=i))  # fmt: skip
    first, cursor = await world.news.page("busy", None, limit=3, cursor=None)
    rest, end = await world.news.page("busy", None, limit=3, cursor=cursor)
    assert [p.title for p in first + rest] == ["n4", "n3", "n2", "n1", "n0"]
    assert end is None


async def test_an_edit_publishes_the_new_snapshot_once(world: World) -> None:
    org = await world.org("editing")
    editor, admin = await world.member(org), await world.member(org, "admin")
    post = await world.news.publish(org["_id"], editor, draft(link={"kind": "event", "id": "e"}),
                                    NOW)  # fmt: skip
    later = NOW + timedelta(hours=1)
    edited = await world.news.edit(post.id, admin, patch(title="New title", link=None), later)
    again = await world.news.edit(post.id, admin, patch(title="New title"), later)  # no change
    assert (edited.title, edited.link, edited.version, again.version) == ("New title", None, 2, 2)
    [event] = world.events.of_type(PostUpdated)
    assert isinstance(event.data, PostUpdated)
    assert (event.data.title, event.data.link, event.data.version) == ("New title", None, 2)
    assert edited.updated_at == later
    assert edited.published_at == NOW


async def test_only_its_organizations_editors_edit_or_delete(world: World) -> None:
    org, other = await world.org("mine"), await world.org("other")
    post = await world.news.publish(org["_id"], await world.member(org), draft(), NOW)
    for caller in (principal(), await world.member(other, "owner")):
        with pytest.raises(NotAllowed):
            await world.news.edit(post.id, caller, patch(title="Hijacked"), NOW)
        with pytest.raises(NotAllowed):
            await world.news.delete(post.id, caller)
    assert (await world.news.post(post.id, None)).title == "Spring clean-up"


async def test_a_deleted_post_keeps_nothing_and_says_so_once(world: World) -> None:
    org = await world.org("deleting")
    editor = await world.member(org)
    post = await world.news.publish(org["_id"], editor, draft(), NOW)
    await world.news.delete(post.id, editor)
    with pytest.raises(PostNotFound):
        await world.news.delete(post.id, editor)
    with pytest.raises(PostNotFound):
        await world.news.post(post.id, editor)
    [event] = world.events.of_type(PostDeleted)
    assert event.data == PostDeleted(post_id=post.id, org_id=org["_id"])
    stored = await world.deps.stores.posts.post(post.id)
    assert stored is not None
    assert set(stored) == {"_id", "org_id", "state", "version"}
    assert (await world.news.page(org["_id"], None, limit=10, cursor=None))[0] == []


async def test_a_hidden_post_is_gone_for_the_public_only(world: World) -> None:
    org = await world.org("hiding")
    editor = await world.member(org)
    post = await world.news.publish(org["_id"], editor, draft(), NOW)
    assert await world.news.set_hidden(post.id, True)
    assert await world.news.set_hidden(post.id, True)  # already: no second event
    assert (await world.news.page(org["_id"], editor, limit=10, cursor=None))[0] == []
    for outsider in (None, principal()):
        with pytest.raises(PostNotFound):
            await world.news.post(post.id, outsider)
    assert (await world.news.post(post.id, principal(roles=("moderator",)))).hidden
    with pytest.raises(PostIsHidden):
        await world.news.edit(post.id, editor, patch(title="Sneaky"), NOW)
    assert await world.news.set_hidden(post.id, False)
    assert [e.data.hidden for e in world.events.of_type(PostHidden)] == [True, False]
    assert len((await world.news.page(org["_id"], None, limit=10, cursor=None))[0]) == 1
    assert not await world.news.set_hidden("0" * 32, True)


async def test_a_departed_authors_posts_stay_without_them(world: World) -> None:
    org = await world.org("erasing")
    editor = await world.member(org)
    post = await world.news.publish(org["_id"], editor, draft(), NOW)
    await world.news.forget(editor.user_id)
    stored = await world.deps.stores.posts.post(post.id)
    assert stored is not None
    assert "author_id" not in stored
    shown = await world.news.post(post.id, None)
    assert shown.author is None
    assert shown.title == "Spring clean-up"
    assert len(world.events) == 1  # forgetting an author publishes nothing about the post
