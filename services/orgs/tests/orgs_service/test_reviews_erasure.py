"""A person who leaves Jumo leaves nothing in news and reviews: their reviews are deleted
(review.deleted each, their text gone from every document, pending events included), their
helpful votes removed, and the posts they wrote stay their organization's without them."""

from __future__ import annotations

import secrets
from typing import Any

from jumo_common.testing.bus import EventTap
from jumo_common.testing.tokens import TestKeys

from .community import answer_of, database, http_member, http_org
from .conftest import Client, delete, person


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (str(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [str(value)]


async def _where(client: Client, needle: str) -> list[str]:
    db = database(client)
    found = []
    for name in await db.list_collection_names():
        async for doc in db[name].find({}):
            if any(needle in s for s in _strings(doc)):
                found.append(f"{name}/{doc['_id']}")
    return found


async def test_a_departed_person_leaves_no_review_vote_or_byline(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    mark = secrets.token_hex(4)
    org, elsewhere = await http_org(client, "erased"), await http_org(client, "elsewhere")
    pat, bob = await person(client, keys, "Pat"), await person(client, keys, "Bob")
    await http_member(client, elsewhere, pat.user_id, "editor")
    text = f"Pat's own words {mark}"
    for target in (org, await http_org(client, "third")):
        body = {"stars": 2, "text": text}
        await answer_of(await client.post(f"/orgs/{target['_id']}/reviews", json=body,
                                          headers=pat.auth))  # fmt: skip
    bobs = await answer_of(await client.post(
        f"/orgs/{org['_id']}/reviews", json={"stars": 5, "text": "Bob's"}, headers=bob.auth
    ))  # fmt: skip
    await client.put(f"/reviews/{bobs['id']}/helpful", headers=pat.auth)
    await client.put(f"/reviews/{org['_id']}:{pat.user_id}/helpful", headers=bob.auth)
    post = await answer_of(await client.post(
        f"/orgs/{elsewhere['_id']}/posts", json={"title": "News", "body": "b"}, headers=pat.auth
    ), 201)  # fmt: skip
    assert await _where(client, mark)  # the scan sees what it looks for

    await delete(client, pat)
    deleted = await tap.wait_for("review.deleted", 2)
    assert {e["data"]["author_id"] for e in deleted} == {pat.user_id}
    assert await _where(client, mark) == []
    votes = database(client)["review_votes"]
    assert await votes.count_documents({}) == 0
    shown = await answer_of(await client.get(f"/posts/{post['id']}"))
    assert shown["author"] is None
    left = await answer_of(await client.get(f"/orgs/{org['_id']}/reviews"))
    assert [(r["id"], r["helpful"]) for r in left["items"]] == [(bobs["id"], 0)]
    summary = await answer_of(await client.get(f"/orgs/{org['_id']}/reviews/summary"))
    assert (summary["count"], summary["average"]) == (1, 5.0)
