"""People: /me with fields, friends across pages, permissions, revoking the app."""

from __future__ import annotations

import pytest

from jumo_facebook import (
    FacebookClient,
    FacebookInvalidParameterError,
    FacebookTokenError,
    TokenProblem,
)
from jumo_facebook.sandbox.testing import SandboxControl, TestUserInfo


def _token(user: TestUserInfo) -> str:
    assert user.access_token is not None
    return user.access_token


async def _befriend(sandbox: SandboxControl, a: TestUserInfo, b: TestUserInfo) -> None:
    """Facebook's test-user friendship: a request, then the other's confirmation."""
    for user, other in ((a, b), (b, a)):
        status, body = await sandbox.graph("POST", f"/{user.id}/friends/{other.id}", _token(user))
        assert (status, body) == (200, {"success": True})


async def test_me_with_fields(sandbox: SandboxControl, fb: FacebookClient) -> None:
    ann = await sandbox.create_test_user("Ann Marie Example")
    profile = await fb.me(_token(ann))
    assert (profile.first_name, profile.last_name) == ("Ann Marie", "Example")
    assert profile.picture is not None
    assert profile.picture.data.width == 50
    assert not profile.picture.data.is_silhouette
    only_id = await fb.me(_token(ann), ["id"])
    assert (only_id.id, only_id.name) == (ann.id, None)


async def test_email_missing_when_not_granted(sandbox: SandboxControl, fb: FacebookClient) -> None:
    ben = await sandbox.create_test_user("Ben", permissions=("user_friends",))
    profile = await fb.me(_token(ben))
    assert profile.email is None
    assert profile.name == "Ben"


async def test_unknown_field_is_a_bad_parameter(
    sandbox: SandboxControl, fb: FacebookClient
) -> None:
    ann = await sandbox.create_test_user("Ann")
    with pytest.raises(FacebookInvalidParameterError) as caught:
        await fb.me(_token(ann), ["id", "shoe_size"])
    assert "shoe_size" in caught.value.message


async def test_friends_who_use_the_app_across_pages(
    sandbox: SandboxControl, fb: FacebookClient
) -> None:
    ann = await sandbox.create_test_user("Ann")
    users = [await sandbox.create_test_user(f"Friend {i}") for i in range(5)]
    stranger = await sandbox.create_test_user("Stranger")
    hidden = await sandbox.create_test_user("No Friends Scope", permissions=("email",))
    for friend in [*users, hidden]:
        await _befriend(sandbox, ann, friend)
    result = await fb.friends(_token(ann), page_size=2)
    assert sorted(f.id for f in result.friends) == sorted(u.id for u in users)
    assert stranger.id not in {f.id for f in result.friends}
    assert result.total_count == 6  # every friend, including the one the app may not see


async def test_a_friend_request_alone_makes_no_friends(
    sandbox: SandboxControl, fb: FacebookClient
) -> None:
    ann, ben = await sandbox.create_test_user("Ann"), await sandbox.create_test_user("Ben")
    status, _ = await sandbox.graph("POST", f"/{ann.id}/friends/{ben.id}", _token(ann))
    assert status == 200
    assert (await fb.friends(_token(ann))).friends == []


async def test_friends_need_user_friends(sandbox: SandboxControl, fb: FacebookClient) -> None:
    ann = await sandbox.create_test_user("Ann", permissions=("email",))
    ben = await sandbox.create_test_user("Ben")
    await _befriend(sandbox, ann, ben)
    result = await fb.friends(_token(ann))
    assert result.friends == []
    assert result.total_count == 1


async def test_permissions_granted_and_declined(
    sandbox: SandboxControl, fb: FacebookClient
) -> None:
    ann = await sandbox.create_test_user("Ann", permissions=("user_friends",))
    sandbox.state.users[ann.id].declined.add("email")  # as if she unticked it in the dialog
    rows = {p.permission: p.granted for p in await fb.permissions(_token(ann))}
    assert rows == {"public_profile": True, "user_friends": True, "email": False}


async def test_revoke_removes_the_app(sandbox: SandboxControl, fb: FacebookClient) -> None:
    ann = await sandbox.create_test_user("Ann")
    assert await fb.revoke(_token(ann)) is True
    with pytest.raises(FacebookTokenError) as caught:
        await fb.me(_token(ann))
    assert caught.value.problem is TokenProblem.APP_REMOVED
    assert not sandbox.state.users[ann.id].installed
