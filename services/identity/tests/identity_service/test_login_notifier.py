"""What a login tells the notifier: the contact email (user.registered, user.updated) and the
sign-up's opt-in to show joining on Facebook (``GET /auth/facebook/login?share_joins=true``,
carried by the one-time login state into user.registered, and nowhere else).

"Publishes nothing" is checked with a later event of the same user document (an edit): the
outbox sends one document's events in the order they were written.
"""

from __future__ import annotations

from hashlib import sha256
from typing import Any

import pytest

from jumo_common.mongo import MONGO_DB
from jumo_common.testing.bus import EventTap
from jumo_facebook.sandbox.testing import SandboxControl

from .conftest import Client, LoggedIn, befriend, login, start_login

SHARE = {"share_joins": "true"}


async def _later_event(client: Client, tap: EventTap, who: LoggedIn, count: int) -> None:
    """An edit of the person's document, waited for: what came before it has arrived."""
    response = await client.patch("/users/me", json={"bio": f"edit {count}"}, headers=who.auth)
    assert response.status == 200, await response.text()
    await tap.wait_for("user.updated", count)


async def test_signing_up_with_share_joins_says_so_in_registered_once(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    fb_ann = await sandbox.create_test_user("Ann Share")
    first = await login(client, sandbox, fb_ann, SHARE)
    assert first.created is True
    [registered] = await tap.wait_for("user.registered")
    assert registered["data"]["user_id"] == first.user_id
    assert registered["data"]["share_joins"] is True
    assert registered["data"]["email"] == fb_ann.email

    # Identity does not keep the choice: it was the sign-up's, handed to the notifier.
    stored = await client.app[MONGO_DB]["users"].find_one({"_id": first.user_id})
    assert stored is not None
    assert "share_joins" not in stored
    me = await (await client.get("/users/me", headers=first.auth)).json()
    assert "share_joins" not in me

    # A returning person's login, even asking to share, publishes no user.registered.
    second = await login(client, sandbox, fb_ann, SHARE)
    assert (second.created, second.user_id) == (False, first.user_id)
    await _later_event(client, tap, second, 1)
    assert tap.of_type("user.registered") == [registered]
    [updated] = tap.of_type("user.updated")
    assert "share_joins" not in updated["data"]  # only user.registered carries it


@pytest.mark.parametrize("query", [None, {"share_joins": "false"}])
async def test_share_joins_is_off_unless_asked(
    client: Client, sandbox: SandboxControl, tap: EventTap, query: dict[str, str] | None
) -> None:
    fb_bob = await sandbox.create_test_user("Bob Quiet")
    bob = await login(client, sandbox, fb_bob, query)
    [registered] = await tap.wait_for("user.registered")
    assert registered["data"]["user_id"] == bob.user_id
    assert registered["data"]["share_joins"] is False
    assert registered["data"]["email"] == fb_bob.email


async def test_the_choice_travels_in_the_one_time_login_state(client: Client) -> None:
    """Server-side, in the state record: nothing in the dialog URL carries it to Facebook."""
    db = client.app[MONGO_DB]
    for query, kept in ((SHARE, True), ({"share_joins": "false"}, False), (None, False)):
        dialog = await start_login(client, query)
        record = await db["login_states"].find_one(
            {"_id": sha256(dialog["state"].encode()).hexdigest()}
        )
        assert record is not None
        assert record["share_joins"] is kept, query
        assert "share_joins" not in dialog


@pytest.mark.parametrize("value", ["maybe", "", "2", "true,false"])
async def test_a_bad_share_joins_is_a_problem_naming_it_and_starts_nothing(
    client: Client, value: str
) -> None:
    db = client.app[MONGO_DB]
    before = await db["login_states"].count_documents({})
    response = await client.get(
        "/auth/facebook/login", params={"share_joins": value}, allow_redirects=False
    )
    problem: dict[str, Any] = await response.json()
    assert response.status == 422, problem
    assert response.content_type == "application/problem+json"
    assert [e["field"] for e in problem["errors"]] == ["share_joins"]
    assert "Location" not in response.headers
    assert "jumo_login" not in response.cookies
    assert await db["login_states"].count_documents({}) == before


async def test_repeated_share_joins_is_refused(client: Client) -> None:
    response = await client.get(
        "/auth/facebook/login?share_joins=true&share_joins=true", allow_redirects=False
    )
    assert response.status == 422
    assert (await response.json())["errors"][0]["field"] == "share_joins"


async def test_a_new_email_from_facebook_is_published_at_the_next_login(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    fb_cy = await sandbox.create_test_user("Cy Moves")
    cy = await login(client, sandbox, fb_cy)
    [registered] = await tap.wait_for("user.registered")
    assert registered["data"]["email"] == fb_cy.email

    await login(client, sandbox, fb_cy)  # the same email: nothing to say
    await _later_event(client, tap, cy, 1)
    sandbox.state.users[fb_cy.id].email = "cy.new@example.org"
    again = await login(client, sandbox, fb_cy)

    first_edit, moved = await tap.wait_for("user.updated", 2)
    assert first_edit["data"]["email"] == fb_cy.email
    assert moved["data"]["changed"] == ["email"]
    assert moved["data"]["email"] == "cy.new@example.org"
    assert moved["data"]["version"] > first_edit["data"]["version"]
    assert again.body["user"]["email"] == "cy.new@example.org"
    await _later_event(client, tap, again, 3)
    assert tap.of_type("user.updated")[2]["data"]["email"] == "cy.new@example.org"


async def test_the_openapi_document_describes_share_joins(client: Client) -> None:
    paths = (await (await client.get("/openapi.json")).json())["paths"]
    operation = paths["/auth/facebook/login"]["get"]
    [parameter] = [p for p in operation["parameters"] if p["name"] == "share_joins"]
    assert parameter["in"] == "query"
    assert parameter["required"] is False
    assert parameter["schema"]["type"] == "boolean"
    assert parameter["schema"]["default"] is False
    assert "Facebook" in parameter["schema"]["description"]
    assert "422" in operation["responses"]


async def test_registered_names_the_facebook_friends_already_on_jumo(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    fb_early, fb_new, fb_stranger = [await sandbox.create_test_user(n)
                                     for n in ("Early Bird", "New Comer", "Stranger")]  # fmt: skip
    early = await login(client, sandbox, fb_early)
    await login(client, sandbox, fb_stranger)
    await befriend(sandbox, fb_early, fb_new)
    newcomer = await login(client, sandbox, fb_new)
    registered = await tap.wait_for("user.registered", 3)
    mine = next(e for e in registered if e["data"]["user_id"] == newcomer.user_id)
    assert mine["data"]["friend_ids"] == [early.user_id]
    first = next(e for e in registered if e["data"]["user_id"] == early.user_id)
    assert first["data"]["friend_ids"] == []  # nobody was there yet
