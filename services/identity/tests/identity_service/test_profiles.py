"""Profiles: read, edit (normalised, validated, read-only fields), visibility, user.updated."""

from __future__ import annotations

import asyncio
from typing import Any

from jumo_common.testing.bus import EventTap
from jumo_facebook.sandbox.testing import SandboxControl

from .conftest import Client, LoggedIn, login


async def _two(client: Client, sandbox: SandboxControl) -> tuple[LoggedIn, LoggedIn]:
    ann = await login(client, sandbox, await sandbox.create_test_user("Ann"))
    bob = await login(client, sandbox, await sandbox.create_test_user("Bob"))
    return ann, bob


async def _patch(client: Client, who: LoggedIn, body: Any) -> tuple[int, dict[str, Any]]:
    response = await client.patch("/users/me", json=body, headers=who.auth)
    return response.status, await response.json()


async def test_edit_profile_normalises_and_publishes_updated(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    ann = await login(client, sandbox, await sandbox.create_test_user("Ann"))
    status, me = await _patch(
        client,
        ann,
        {
            "display_name": "  Ann E.  ",
            "bio": "I plant trees.",
            "skills": ["Data  Science", "first_aid", "data-science", "C++"],
            "interests": ["Climate"],
            "languages": ["pt-BR", "en"],
            "location": {"city": "Lisbon", "lat": 38.722252, "lng": -9.139337},
            "availability": {"parts": ["weekend_mornings"], "hours_per_month": 8},
            "visibility": "followers",
        },
    )
    assert status == 200, me
    assert me["display_name"] == "Ann E."
    assert me["skills"] == ["data-science", "first-aid", "c++"]
    assert me["languages"] == ["pt-br", "en"]
    assert me["location"] == {"city": "Lisbon", "lat": 38.72, "lng": -9.14}
    assert me["visibility"] == "followers"
    [updated] = await tap.wait_for("user.updated")
    assert updated["data"]["skills"] == ["data-science", "first-aid", "c++"]
    assert updated["data"]["location"] == "Lisbon"
    assert "display_name" in updated["data"]["changed"]
    assert updated["data"]["user_id"] == ann.user_id
    # The contact address travels for the notifier (never shown to others: see the views).
    assert updated["data"]["email"] == ann.body["user"]["email"]
    assert "email" not in updated["data"]["changed"]

    again = await client.get("/users/me", headers=ann.auth)
    assert (await again.json())["bio"] == "I plant trees."


async def test_a_patch_that_changes_nothing_publishes_nothing(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    ann = await login(client, sandbox, await sandbox.create_test_user("Ann"))
    await _patch(client, ann, {"bio": "same"})
    await tap.wait_for("user.updated")
    status, _ = await _patch(client, ann, {"bio": "same"})
    assert status == 200
    await _patch(client, ann, {"bio": "different"})
    await tap.wait_for("user.updated", 2)
    assert len(tap.of_type("user.updated")) == 2


async def test_protected_and_unknown_fields_are_422_and_change_nothing(
    client: Client, sandbox: SandboxControl
) -> None:
    ann = await login(client, sandbox, await sandbox.create_test_user("Ann"))
    before = await (await client.get("/users/me", headers=ann.auth)).json()
    for field in ("id", "facebook_id", "email", "roles", "created_at", "picture_url", "shoe"):
        status, problem = await _patch(client, ann, {"bio": "changed", field: "x"})
        assert status == 422, field
        assert [e["field"] for e in problem["errors"]] == [field]
    after = await (await client.get("/users/me", headers=ann.auth)).json()
    assert after == before


async def test_invalid_values_are_422_naming_the_field(
    client: Client, sandbox: SandboxControl
) -> None:
    ann = await login(client, sandbox, await sandbox.create_test_user("Ann"))
    cases: list[tuple[dict[str, Any], str]] = [
        ({"bio": "x" * 501}, "bio"),
        ({"skills": [f"s{i}" for i in range(31)]}, "skills"),
        ({"skills": ["ok", "!!"]}, "skills.1"),
        ({"display_name": None}, ""),
        ({"display_name": "a\x00b"}, "display_name"),
        ({"location": {"lat": 91, "lng": 0}}, "location.lat"),
        ({"location": {"lat": 1.0}}, "location"),
        ({"visibility": "everyone"}, "visibility"),
        ({"availability": {"hours_per_month": -1}}, "availability.hours_per_month"),
        ({"languages": ["english!"]}, "languages.0"),
        ({"findable": None}, ""),
        ({"findable": "maybe"}, "findable"),
        ({"radius_km": 0}, "radius_km"),
        ({"radius_km": 501}, "radius_km"),
        ({"radius_km": None}, ""),
    ]
    for body, field in cases:
        status, problem = await _patch(client, ann, body)
        assert status == 422, body
        fields = [e["field"] for e in problem["errors"]]
        assert any(f.startswith(field) for f in fields), (body, fields)


async def test_findable_and_radius_are_the_owners_settings(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    ann, bob = await _two(client, sandbox)
    me = await (await client.get("/users/me", headers=ann.auth)).json()
    assert (me["findable"], me["radius_km"]) == (False, 25)
    status, me = await _patch(client, ann, {"findable": True, "radius_km": 10})
    assert status == 200, me
    assert (me["findable"], me["radius_km"]) == (True, 10)
    [updated] = await tap.wait_for("user.updated")
    assert (updated["data"]["findable"], updated["data"]["radius_km"]) == (True, 10)
    seen = await (await client.get(f"/users/{ann.user_id}", headers=bob.auth)).json()
    assert "findable" not in seen  # settings of the owner's, not of a public profile
    assert "radius_km" not in seen


async def test_null_clears_optional_fields(client: Client, sandbox: SandboxControl) -> None:
    ann = await login(client, sandbox, await sandbox.create_test_user("Ann"))
    await _patch(client, ann, {"bio": "hi", "location": {"city": "Porto"}, "skills": ["x"]})
    status, me = await _patch(client, ann, {"bio": None, "location": None, "skills": None})
    assert status == 200, me
    assert me["bio"] is None
    assert me["location"] is None
    assert me["skills"] == []


async def test_public_view_follows_visibility(client: Client, sandbox: SandboxControl) -> None:
    ann, bob = await _two(client, sandbox)
    await _patch(client, ann, {"bio": "hello", "visibility": "followers"})

    stranger = await (await client.get(f"/users/{ann.user_id}", headers=bob.auth)).json()
    assert stranger["limited"] is True
    assert stranger["bio"] is None
    assert "email" not in stranger

    # Following a non-public profile is a request: it shows nothing until Ann approves it.
    asked = await (await client.put(f"/users/{ann.user_id}/follow", headers=bob.auth)).json()
    assert asked["requested"] is True
    assert asked["following"] is False
    requester = await (await client.get(f"/users/{ann.user_id}", headers=bob.auth)).json()
    assert requester["limited"] is True
    approve = f"/users/me/follow-requests/{bob.user_id}/approve"
    assert (await client.post(approve, headers=ann.auth)).status == 200
    follower = await (await client.get(f"/users/{ann.user_id}", headers=bob.auth)).json()
    assert follower["limited"] is False
    assert follower["bio"] == "hello"
    assert "email" not in follower

    anonymous = await (await client.get(f"/users/{ann.user_id}")).json()
    assert anonymous["limited"] is True
    await _patch(client, ann, {"visibility": "private"})
    private = await (await client.get(f"/users/{ann.user_id}", headers=bob.auth)).json()
    assert private["limited"] is True
    await _patch(client, ann, {"visibility": "public"})
    public = await (await client.get(f"/users/{ann.user_id}")).json()
    assert public["bio"] == "hello"


async def test_unknown_user_is_404(client: Client, sandbox: SandboxControl) -> None:
    ann = await login(client, sandbox, await sandbox.create_test_user("Ann"))
    for path in ("/users/" + "0" * 32, "/users/not-an-id"):
        response = await client.get(path, headers=ann.auth)
        assert response.status == 404, path
        assert response.content_type == "application/problem+json"


async def test_b_cannot_change_or_delete_a(client: Client, sandbox: SandboxControl) -> None:
    ann, bob = await _two(client, sandbox)
    # There is no route that names another user for writing: only /users/me, as the caller.
    for method in ("PATCH", "DELETE", "PUT", "POST"):
        response = await client.request(
            method, f"/users/{ann.user_id}", json={"bio": "pwned"}, headers=bob.auth
        )
        assert response.status == 405, method
    await _patch(client, bob, {"bio": "bob's"})
    await client.delete("/users/me", headers=bob.auth)
    me = await (await client.get("/users/me", headers=ann.auth)).json()
    assert me["bio"] is None
    assert (await client.get(f"/users/{ann.user_id}")).status == 200


async def test_a_new_facebook_picture_at_login_publishes_updated(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    fb_ann = await sandbox.create_test_user("Ann")
    first = await login(client, sandbox, fb_ann)
    # The sandbox builds picture URLs from its public URL: moving it changes Ann's picture.
    config = sandbox.state.config
    sandbox.state.config = config.model_copy(update={"public_url": "https://pictures.example"})
    second = await login(client, sandbox, fb_ann)

    assert second.body["user"]["picture_url"] != first.body["user"]["picture_url"]
    assert second.body["user"]["picture_url"].startswith("https://pictures.example/")
    [updated] = await tap.wait_for("user.updated")
    assert updated["data"]["changed"] == ["avatar_url"]
    assert updated["data"]["avatar_url"] == second.body["user"]["picture_url"]


async def test_concurrent_edits_of_one_profile_are_all_kept(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    ann = await login(client, sandbox, await sandbox.create_test_user("Ann"))
    edits: list[dict[str, Any]] = [
        {"bio": "b"}, {"skills": ["s"]}, {"interests": ["i"]}, {"languages": ["en"]},
        {"visibility": "followers"}, {"availability": {"hours_per_month": 4}},
    ]  # fmt: skip
    answers = await asyncio.gather(*(_patch(client, ann, edit) for edit in edits))
    assert [status for status, _ in answers] == [200] * len(edits)

    me = await (await client.get("/users/me", headers=ann.auth)).json()
    for edit in edits:
        for name, value in edit.items():
            assert me[name] == value or me[name] == {**me[name], **value}, name
    await tap.wait_for("user.updated", len(edits))


async def test_deletion_concurrent_with_edits_stays_deleted(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    ann = await login(client, sandbox, await sandbox.create_test_user("Ann"))
    edits = [_patch(client, ann, {"bio": f"v{i}"}) for i in range(4)]
    await asyncio.gather(*edits, client.delete("/users/me", headers=ann.auth))
    await tap.wait_for("user.deleted")
    assert (await client.get(f"/users/{ann.user_id}")).status == 404
    assert (await client.get("/users/me", headers=ann.auth)).status == 401
