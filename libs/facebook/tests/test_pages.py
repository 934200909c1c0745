"""Pages: /me/accounts, posting with a Page token, the closed user wall, duplicates."""

from __future__ import annotations

import pytest

from jumo_facebook import (
    FacebookClient,
    FacebookDuplicatePostError,
    FacebookPermissionError,
    FacebookTransientError,
)
from jumo_facebook.sandbox.testing import PageInfo, SandboxControl, TestUserInfo


async def _manager(sandbox: SandboxControl) -> tuple[TestUserInfo, PageInfo, str]:
    """A person who manages a Page, with a user token that may list and post."""
    scopes = ("pages_show_list", "pages_manage_posts", "pages_read_engagement")
    ann = await sandbox.create_test_user("Ann", permissions=scopes)
    page = await sandbox.create_page(ann.id, "Clean Water Now")
    assert ann.access_token is not None
    return ann, page, ann.access_token


async def test_accounts_list_pages_with_tokens(sandbox: SandboxControl, fb: FacebookClient) -> None:
    _, page, user_token = await _manager(sandbox)
    pages = await fb.pages(user_token)
    assert [(p.id, p.name) for p in pages] == [(page.id, "Clean Water Now")]
    assert pages[0].access_token
    assert "CREATE_CONTENT" in pages[0].tasks


async def test_accounts_empty_without_pages_show_list(
    sandbox: SandboxControl, fb: FacebookClient
) -> None:
    ann = await sandbox.create_test_user("Ann")
    await sandbox.create_page(ann.id, "Clean Water Now")
    assert ann.access_token is not None
    assert await fb.pages(ann.access_token) == []


async def test_post_to_page(sandbox: SandboxControl, fb: FacebookClient) -> None:
    _, page, user_token = await _manager(sandbox)
    page_token = (await fb.pages(user_token))[0].access_token
    post_id = await fb.post_to_page(
        page.id, page_token, "Ann joined Clean Water Now", link="https://jumo.example/o/1"
    )
    page_id, _, number = post_id.partition("_")
    assert page_id == page.id
    assert number.isdigit()
    posted = await sandbox.posts(page.id)
    assert [(p["id"], p["message"], p["link"]) for p in posted] == [
        (post_id, "Ann joined Clean Water Now", "https://jumo.example/o/1")
    ]
    assert [p.id for p in await fb.page_posts(page.id, page_token)] == [post_id]
    usage = fb.last_usage
    assert usage is not None
    assert page.id in usage.business


async def test_posting_with_a_user_token_is_refused(
    sandbox: SandboxControl, fb: FacebookClient
) -> None:
    _, page, user_token = await _manager(sandbox)
    with pytest.raises(FacebookPermissionError) as caught:
        await fb.post_to_page(page.id, user_token, "hello")
    assert (caught.value.code, caught.value.http_status) == (200, 403)


async def test_posting_to_a_persons_wall_is_closed(
    sandbox: SandboxControl, fb: FacebookClient
) -> None:
    ann, _, user_token = await _manager(sandbox)
    with pytest.raises(FacebookPermissionError) as caught:
        await fb.post_to_page(ann.id, user_token, "hello")
    assert caught.value.message.startswith("(#200)")
    assert caught.value.message.endswith("publish_actions is deprecated")
    assert caught.value.http_status == 403


async def test_the_same_post_twice_is_a_duplicate(
    sandbox: SandboxControl, fb: FacebookClient
) -> None:
    _, page, _ = await _manager(sandbox)
    await fb.post_to_page(page.id, page.access_token, "Ann joined")
    with pytest.raises(FacebookDuplicatePostError) as caught:
        await fb.post_to_page(page.id, page.access_token, "Ann joined")
    assert caught.value.code == 506
    assert caught.value.user_title == "Duplicate Status Update"


async def test_a_500_after_success_leaves_the_post_there(
    sandbox: SandboxControl, fb: FacebookClient
) -> None:
    _, page, _ = await _manager(sandbox)
    await sandbox.fail(f"/v26.0/{page.id}/feed", method="POST", succeed_then_500=True)
    with pytest.raises(FacebookTransientError) as caught:
        await fb.post_to_page(page.id, page.access_token, "Ann joined")
    assert caught.value.is_transient
    # Check before re-posting: the post is there, and re-posting would duplicate it.
    assert [p.message for p in await fb.page_posts(page.id, page.access_token)] == ["Ann joined"]
    with pytest.raises(FacebookDuplicatePostError):
        await fb.post_to_page(page.id, page.access_token, "Ann joined")


async def test_reading_a_feed_needs_pages_read_engagement(
    sandbox: SandboxControl, fb: FacebookClient
) -> None:
    ann = await sandbox.create_test_user("Ann", permissions=("pages_show_list",))
    await sandbox.create_page(ann.id, "Clean Water Now")
    assert ann.access_token is not None
    page = (await fb.pages(ann.access_token))[0]
    with pytest.raises(FacebookPermissionError) as caught:
        await fb.page_posts(page.id, page.access_token)
    assert caught.value.code == 10


async def test_every_page_a_person_manages(sandbox: SandboxControl, fb: FacebookClient) -> None:
    ann, _, user_token = await _manager(sandbox)
    for n in range(4):
        await sandbox.create_page(ann.id, f"Cause {n}")
    pages = await fb.pages(user_token, page_size=2)
    assert len({p.id for p in pages}) == 5


async def test_a_feed_is_read_only_with_that_pages_token_or_its_managers(
    sandbox: SandboxControl, fb: FacebookClient
) -> None:
    _, page, ann_token = await _manager(sandbox)
    await fb.post_to_page(page.id, page.access_token, "Ann joined")
    _, other_page, ben_token = await _manager(sandbox)
    for foreign in (other_page.access_token, ben_token):
        with pytest.raises(FacebookPermissionError) as caught:
            await fb.page_posts(page.id, foreign)
        assert caught.value.code == 10
    assert [p.message for p in await fb.page_posts(page.id, ann_token)] == ["Ann joined"]
