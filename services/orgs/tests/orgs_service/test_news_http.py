"""News through the HTTP API on the real database and broker: the lifecycle with its events
(each once), who may write, what a body may not hold, hiding, a departed author."""

from __future__ import annotations

from typing import Any

from jumo_common.outbox import OUTBOX_FIELDS
from jumo_common.testing.bus import EventTap
from jumo_common.testing.tokens import TestKeys
from jumo_orgs.cards import card

from .community import answer_of, database, http_member, http_org
from .conftest import Client, delete, person, service

DRAFT = {"title": "Saturday clean-up", "body": "Bring gloves.\nhttps://example.org/map"}


async def _post(client: Client, org_ref: str, auth: dict[str, str], **fields: Any) -> Any:
    response = await client.post(f"/orgs/{org_ref}/posts", json=DRAFT | fields, headers=auth)
    return await answer_of(response, 201)


async def test_the_lifecycle_of_a_post_and_its_events(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    org = await http_org(client, "river-friends")
    ann = await person(client, keys, "Ann Editor")
    await http_member(client, org, ann.user_id, "editor")
    post = await _post(client, "river-friends", ann.auth, important=True,
                       link={"kind": "opportunity", "id": "opp1"})  # fmt: skip
    assert (post["author"]["display_name"], post["important"], post["version"]) == (
        "Ann Editor", True, 1,
    )  # fmt: skip
    listed = await answer_of(await client.get(f"/orgs/{org['_id']}/posts"))
    assert [p["id"] for p in listed["items"]] == [post["id"]]
    assert (await answer_of(await client.get(f"/posts/{post['id']}")))["body"] == DRAFT["body"]

    # Each step waits for its event: a deletion drops the post's unsent events (by design), so
    # under load a quick delete would leave post.updated unpublished, not wrong.
    await tap.wait_for("post.published")
    edit = {"title": "Sunday clean-up", "link": None}
    edited = await answer_of(
        await client.patch(f"/posts/{post['id']}", json=edit, headers=ann.auth)
    )
    assert (edited["title"], edited["link"], edited["version"]) == ("Sunday clean-up", None, 2)
    await tap.wait_for("post.updated")
    await answer_of(await client.delete(f"/posts/{post['id']}", headers=ann.auth), 204)
    await answer_of(await client.get(f"/posts/{post['id']}"), 404)

    [deleted] = await tap.wait_for("post.deleted")
    assert deleted["data"] == {"post_id": post["id"], "org_id": org["_id"]}
    [published] = tap.of_type("post.published")  # exactly once each, in order
    [updated] = tap.of_type("post.updated")
    assert published["data"]["org"] == card(org).model_dump(mode="json")
    assert (published["data"]["excerpt"], published["data"]["link"]) == (
        "Bring gloves. https://example.org/map", {"kind": "opportunity", "id": "opp1"},
    )  # fmt: skip
    assert (updated["data"]["title"], updated["data"]["version"]) == ("Sunday clean-up", 2)
    stored = await database(client)["posts"].find_one({"_id": post["id"]})
    assert stored is not None
    assert set(stored) <= {"_id", "org_id", "state", "version", *OUTBOX_FIELDS}


async def test_who_may_write_news(client: Client, keys: TestKeys) -> None:
    org, other = await http_org(client, "ours"), await http_org(client, "theirs")
    editor, stranger, outsider = [await person(client, keys, n) for n in ("Ed", "Stan", "Otto")]
    await http_member(client, org, editor.user_id, "editor")
    await http_member(client, other, outsider.user_id, "owner")
    post = await _post(client, org["_id"], editor.auth)
    path = f"/posts/{post['id']}"
    await answer_of(await client.post(f"/orgs/{org['_id']}/posts", json=DRAFT), 401)
    await answer_of(await client.patch(path, json={"title": "x"}), 401)
    await answer_of(await client.delete(path), 401)
    for who in (stranger, outsider):
        response = await client.post(f"/orgs/{org['_id']}/posts", json=DRAFT, headers=who.auth)
        assert (await answer_of(response, 403))["type"].endswith("not-allowed")
        await answer_of(await client.patch(path, json={"title": "x"}, headers=who.auth), 403)
        await answer_of(await client.delete(path, headers=who.auth), 403)
    assert (await answer_of(await client.get(path)))["title"] == DRAFT["title"]


async def test_a_pending_organization_does_not_publish(client: Client, keys: TestKeys) -> None:
    org = await http_org(client, "not-yet", status="pending")
    owner = await person(client, keys, "Olga")
    await http_member(client, org, owner.user_id, "owner")
    response = await client.post(f"/orgs/{org['_id']}/posts", json=DRAFT, headers=owner.auth)
    assert (await answer_of(response, 409))["type"].endswith("org-not-verified")


async def test_what_the_api_refuses_changes_nothing(client: Client, keys: TestKeys) -> None:
    org = await http_org(client, "strict")
    ed = await person(client, keys, "Ed")
    await http_member(client, org, ed.user_id, "admin")
    post = await _post(client, org["_id"], ed.auth)
    bad_bodies: list[dict[str, Any]] = [
        {"title": "x" * 201}, {"body": "b" * 5001}, {"body": "bell\u0007"}, {"title": "two\nlines"},
        {"hidden": True}, {"author_id": ed.user_id}, {"version": 9},
        {"org_id": "elsewhere"}, {"link": {"kind": "url", "id": "x"}},
    ]  # fmt: skip
    for bad in bad_bodies:
        for method, path in (
            ("POST", f"/orgs/{org['_id']}/posts"),
            ("PATCH", f"/posts/{post['id']}"),
        ):
            body = DRAFT | bad if method == "POST" else bad
            response = await client.request(method, path, json=body, headers=ed.auth)
            await answer_of(response, 422)
    await answer_of(await client.patch(f"/posts/{post['id']}", json={}, headers=ed.auth), 422)
    lone_surrogate = b'{"title": "t", "body": "\\ud800"}'  # no store can hold it: not JSON here
    json_headers = ed.auth | {"Content-Type": "application/json"}
    response = await client.post(
        f"/orgs/{org['_id']}/posts", data=lone_surrogate, headers=json_headers
    )
    await answer_of(response, 400)
    listed = await answer_of(await client.get(f"/orgs/{org['_id']}/posts"))
    assert [(p["version"], p["hidden"]) for p in listed["items"]] == [(1, False)]


async def test_a_hidden_post_leaves_the_list(client: Client, keys: TestKeys, tap: EventTap) -> None:
    org = await http_org(client, "moderated")
    ed = await person(client, keys, "Ed")
    await http_member(client, org, ed.user_id, "editor")
    first, second = (
        await _post(client, org["_id"], ed.auth),
        await _post(client, org["_id"], ed.auth),
    )
    assert await service(client).news.set_hidden(first["id"], True)
    listed = await answer_of(await client.get(f"/orgs/{org['slug']}/posts"))
    assert [p["id"] for p in listed["items"]] == [second["id"]]
    await answer_of(await client.get(f"/posts/{first['id']}"), 404)
    assert (await answer_of(await client.get(f"/posts/{first['id']}", headers=ed.auth)))["hidden"]
    [hidden] = await tap.wait_for("post.hidden")
    assert hidden["data"] == {"post_id": first["id"], "org_id": org["_id"], "hidden": True}


async def test_the_list_pages_with_a_cursor(client: Client, keys: TestKeys) -> None:
    org = await http_org(client, "paging")
    ed = await person(client, keys, "Ed")
    await http_member(client, org, ed.user_id, "editor")
    ids = [(await _post(client, org["_id"], ed.auth, title=f"n{i}"))["id"] for i in range(3)]
    first = await answer_of(await client.get(f"/orgs/{org['_id']}/posts?limit=2"))
    rest = await answer_of(
        await client.get(f"/orgs/{org['_id']}/posts?limit=2&cursor={first['next_cursor']}")
    )
    assert [p["id"] for p in first["items"] + rest["items"]] == ids[::-1]
    await answer_of(await client.get(f"/orgs/{org['_id']}/posts?cursor=bogus"), 400)
    await answer_of(await client.get("/orgs/no-such-org/posts"), 404)


async def test_a_departed_author_is_dropped_and_the_post_stays(
    client: Client, keys: TestKeys
) -> None:
    org = await http_org(client, "erasing")
    ann = await person(client, keys, "Ann Departing")
    await http_member(client, org, ann.user_id, "editor")
    post = await _post(client, org["_id"], ann.auth)
    await delete(client, ann)
    shown = await answer_of(await client.get(f"/posts/{post['id']}"))
    assert (shown["author"], shown["title"]) == (None, DRAFT["title"])
    stored = await database(client)["posts"].find_one({"_id": post["id"]})
    assert stored is not None
    assert "author_id" not in stored
