"""Reviews through the HTTP API on the real database and broker: one per person, who may
review, answer and vote, the summary exact under 100 concurrent reviewers, one vote per person
under concurrency, events once per change, hiding."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from jumo_common.testing.bus import EventTap
from jumo_common.testing.tokens import TestKeys
from jumo_common.web import ROUTES
from jumo_orgs.app import create_app
from jumo_orgs.settings import OrgsSettings

from .community import answer_of, bearer, database, http_block, http_member, http_org
from .conftest import Client, person, service


async def _review(client: Client, org_ref: str, auth: dict[str, str], stars: int = 4,
                  text: str = "Warm welcome, clear tasks.") -> Any:  # fmt: skip
    response = await client.post(
        f"/orgs/{org_ref}/reviews", json={"stars": stars, "text": text}, headers=auth
    )
    return await answer_of(response)


async def test_a_review_is_posted_then_edited_once_each(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    org = await http_org(client, "food-bank")
    ann = await person(client, keys, "Ann Reviewer")
    first = await _review(client, "food-bank", ann.auth, 3, "Good.")
    again = await _review(client, "food-bank", ann.auth, 3, "Good.")  # the same: no event
    edited = await _review(client, org["_id"], ann.auth, 5, "Very good, in fact.")
    assert first["id"] == edited["id"] == f"{org['_id']}:{ann.user_id}"
    assert (first["version"], again["version"], edited["version"]) == (1, 1, 2)
    assert edited["author"]["display_name"] == "Ann Reviewer"
    [updated] = await tap.wait_for("review.updated")
    [posted] = tap.of_type("review.posted")
    assert (posted["data"]["stars"], posted["data"]["excerpt"], posted["data"]["version"]) == (
        3, "Good.", 1,
    )  # fmt: skip
    assert (updated["data"]["stars"], updated["data"]["version"]) == (5, 2)
    assert updated["data"]["org"]["slug"] == "food-bank"
    shown = await answer_of(await client.get(f"/reviews/{first['id']}"))
    assert (shown["text"], shown["voted"]) == ("Very good, in fact.", None)


async def test_who_may_not_review(client: Client, keys: TestKeys) -> None:
    org = await http_org(client, "careful")
    pending = await http_org(client, "not-yet", status="pending")
    blocked, editor = await person(client, keys, "Bo"), await person(client, keys, "Ed")
    await http_block(client, org, blocked.user_id)
    await http_member(client, org, editor.user_id, "editor")
    body = {"stars": 1, "text": "Bad."}
    await answer_of(await client.post(f"/orgs/{org['_id']}/reviews", json=body), 401)
    for who, status, slug in ((blocked, 403, "blocked-by-org"), (editor, 403, "own-organization")):
        response = await client.post(f"/orgs/{org['_id']}/reviews", json=body, headers=who.auth)
        assert (await answer_of(response, status))["type"].endswith(slug)
    response = await client.post(f"/orgs/{pending['_id']}/reviews", json=body, headers=blocked.auth)
    assert (await answer_of(response, 409))["type"].endswith("org-not-verified")
    for bad in ({"stars": 6, "text": "x"}, {"stars": 3, "text": "y" * 2001},
                {"stars": 3, "text": "ok", "volunteered": True}):  # fmt: skip
        response = await client.post(f"/orgs/{org['_id']}/reviews", json=bad, headers=editor.auth)
        await answer_of(response, 422)
    summary = await answer_of(await client.get(f"/orgs/{org['_id']}/reviews/summary"))
    assert summary["count"] == 0


async def test_a_hundred_concurrent_reviewers_give_an_exact_summary(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    org = await http_org(client, "popular")
    stars = [1 + i % 5 for i in range(100)]  # 20 of each: average 3.0
    stars[:10] = [5] * 10  # ten more fives, ten fewer of the others: (300 + 34) / 100
    reviewers = [bearer(uuid.uuid4().hex, keys) for _ in stars]
    await asyncio.gather(
        *(_review(client, org["_id"], auth, s) for auth, s in zip(reviewers, stars, strict=True))
    )
    summary = await answer_of(await client.get(f"/orgs/{org['slug']}/reviews/summary"))
    expected = {str(s): stars.count(s) for s in range(1, 6)}
    assert (summary["count"], summary["histogram"]) == (100, expected)
    assert summary["average"] == round(sum(stars) / 100, 2)
    assert summary["volunteered"] == {"count": 0, "average": None,
                                      "histogram": dict.fromkeys(expected, 0)}  # fmt: skip
    await tap.wait_for("review.posted", 100)
    page = await answer_of(await client.get(f"/orgs/{org['_id']}/reviews?limit=100"))
    assert len(page["items"]) == 100


async def test_one_helpful_vote_per_person_under_concurrency(
    client: Client, keys: TestKeys
) -> None:
    org = await http_org(client, "votes")
    ann, bob = await person(client, keys, "Ann"), await person(client, keys, "Bob")
    review = await _review(client, org["_id"], ann.auth)
    path = f"/reviews/{review['id']}/helpful"
    same = await asyncio.gather(*(client.put(path, headers=bob.auth) for _ in range(20)))
    answers = [await answer_of(r) for r in same]
    assert [a["changed"] for a in answers].count(True) == 1
    others = [bearer(uuid.uuid4().hex, keys) for _ in range(30)]
    await asyncio.gather(*(client.put(path, headers=auth) for auth in others))
    shown = await answer_of(await client.get(f"/reviews/{review['id']}", headers=bob.auth))
    assert (shown["helpful"], shown["voted"]) == (31, True)
    await answer_of(await client.put(path, headers=ann.auth), 403)  # one's own review
    taken = await answer_of(await client.delete(path, headers=bob.auth))
    again = await answer_of(await client.delete(path, headers=bob.auth))
    assert (taken["changed"], again["changed"], again["helpful"]) == (True, False, 30)


async def test_sorting_by_helpful_and_volunteers_apart(client: Client, keys: TestKeys) -> None:
    org = await http_org(client, "sorted")
    authors = [await person(client, keys, f"Author {i}") for i in range(3)]
    ids = [(await _review(client, org["_id"], a.auth, 3 + i))["id"] for i, a in enumerate(authors)]
    for votes, review_id in zip((2, 0, 1), ids, strict=True):
        for _ in range(votes):
            await client.put(
                f"/reviews/{review_id}/helpful", headers=bearer(uuid.uuid4().hex, keys)
            )
    helpful = await answer_of(await client.get(f"/orgs/{org['_id']}/reviews?sort=helpful&limit=2"))
    rest = await answer_of(await client.get(
        f"/orgs/{org['_id']}/reviews?sort=helpful&limit=2&cursor={helpful['next_cursor']}"
    ))  # fmt: skip
    assert [r["id"] for r in helpful["items"] + rest["items"]] == [ids[0], ids[2], ids[1]]
    newest = await answer_of(await client.get(f"/orgs/{org['_id']}/reviews"))
    assert [r["id"] for r in newest["items"]] == ids[::-1]
    apart = await answer_of(await client.get(f"/orgs/{org['_id']}/reviews?volunteered=true"))
    assert apart["items"] == []  # nobody has volunteered before the volunteering record exists
    await answer_of(await client.get(f"/orgs/{org['_id']}/reviews?sort=best"), 422)


async def test_the_organization_answers_once(client: Client, keys: TestKeys) -> None:
    org, other = await http_org(client, "answers"), await http_org(client, "other")
    ann, admin, editor, outsider = [
        await person(client, keys, n) for n in ("Ann", "Ada Admin", "Ed", "Otto")
    ]
    await http_member(client, org, admin.user_id, "admin")
    await http_member(client, org, editor.user_id, "editor")
    await http_member(client, other, outsider.user_id, "owner")
    review = await _review(client, org["_id"], ann.auth, 2)
    path = f"/reviews/{review['id']}/answer"
    for who in (ann, editor, outsider):
        await answer_of(await client.post(path, json={"text": "Hi"}, headers=who.auth), 403)
    answered = await answer_of(await client.post(path, json={"text": "We hear you."},
                                                 headers=admin.auth))  # fmt: skip
    assert answered["answer"]["text"] == "We hear you."
    second = await client.post(path, json={"text": "Again"}, headers=admin.auth)
    assert (await answer_of(second, 409))["type"].endswith("already-answered")
    listed = await answer_of(await client.get(f"/orgs/{org['_id']}/reviews"))
    assert listed["items"][0]["answer"]["text"] == "We hear you."


async def test_only_the_author_deletes(client: Client, keys: TestKeys, tap: EventTap) -> None:
    org = await http_org(client, "deleting")
    ann, bob, owner = [await person(client, keys, n) for n in ("Ann", "Bob", "Olga")]
    await http_member(client, org, owner.user_id, "owner")
    review = await _review(client, org["_id"], ann.auth)
    path = f"/reviews/{review['id']}"
    await answer_of(await client.delete(path), 401)
    for who in (bob, owner):
        await answer_of(await client.delete(path, headers=who.auth), 403)
    await answer_of(await client.delete(path, headers=ann.auth), 204)
    await answer_of(await client.delete(path, headers=ann.auth), 404)
    await answer_of(await client.get(path), 404)
    [deleted] = await tap.wait_for("review.deleted")
    assert deleted["data"] == {"review_id": review["id"], "org_id": org["_id"],
                               "author_id": ann.user_id}  # fmt: skip
    assert (await answer_of(await client.get(f"/orgs/{org['_id']}/reviews/summary")))["count"] == 0


async def test_a_hidden_review_leaves_lists_and_the_summary(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    org = await http_org(client, "hiding")
    ann, bob = await person(client, keys, "Ann"), await person(client, keys, "Bob")
    hidden = await _review(client, org["_id"], ann.auth, 1)
    await _review(client, org["_id"], bob.auth, 5)
    assert await service(client).reviews.set_hidden(hidden["id"], True)
    summary = await answer_of(await client.get(f"/orgs/{org['_id']}/reviews/summary"))
    assert (summary["count"], summary["average"]) == (1, 5.0)
    for sort in ("newest", "helpful"):
        page = await answer_of(await client.get(f"/orgs/{org['_id']}/reviews?sort={sort}"))
        assert hidden["id"] not in [r["id"] for r in page["items"]]
    await answer_of(await client.get(f"/reviews/{hidden['id']}", headers=bob.auth), 404)
    await answer_of(await client.put(f"/reviews/{hidden['id']}/helpful", headers=bob.auth), 404)
    [event] = await tap.wait_for("review.hidden")
    assert event["data"] == {"review_id": hidden["id"], "org_id": org["_id"], "hidden": True}


async def test_one_person_posting_at_once_has_one_review(client: Client, keys: TestKeys) -> None:
    org = await http_org(client, "hasty")
    ann = bearer(uuid.uuid4().hex, keys)
    await asyncio.gather(*(_review(client, org["_id"], ann, 1 + i % 5) for i in range(10)))
    summary = await answer_of(await client.get(f"/orgs/{org['_id']}/reviews/summary"))
    assert summary["count"] == 1
    assert await database(client)["reviews"].count_documents({"org_id": org["_id"]}) == 1


async def test_the_routes_are_documented(settings: OrgsSettings) -> None:
    paths = create_app(settings)[ROUTES].document()["paths"]  # built without starting the app
    ours = {"/orgs/{id}/posts", "/posts/{id}", "/orgs/{id}/reviews", "/reviews/{id}",
            "/orgs/{id}/reviews/summary", "/reviews/{id}/answer",
            "/reviews/{id}/helpful"}  # fmt: skip
    assert ours <= set(paths)
