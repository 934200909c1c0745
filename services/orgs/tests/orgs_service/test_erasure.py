"""Deleting a person erases them from orgs: after user.deleted, a scan of every collection of
orgs' database finds none of their values, and orgs says so to the other services.

The person has done everything orgs keeps: a profile (from identity's events), a role in an
organization, news they wrote, a follow with settings, causes, a review and a helpful vote on
another organization, a report, a claim of an unclaimed organization, an invitation, and a block
by a third organization. What may stay, because it says nothing of who they were: their opaque
user id inside ids and tombstones (as identity keeps it), event ids, timestamps, counters —
and the news they wrote, which is the organization's (its byline goes).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from jumo_common.events.identity import Place, UserUpdated
from jumo_common.mongo import MONGO_DB
from jumo_common.testing.bus import EventTap
from jumo_common.testing.tokens import TestKeys
from jumo_common.testing.wait import wait_until
from jumo_orgs.app import housekeep
from jumo_orgs.imports import import_csv
from jumo_orgs.typedefs import ORGS

from .conftest import Client, Person, delete, person, publish

SECRETS = {
    "name": "Ann Quinlivan-Oyelaran",
    "skill": "sign-language",
    "interest": "wetland-birds",
    "language": "yo",
    "city": "Tarbes",
    "review": "A kind and careful team, says Ann.",
    "report": "Ann thinks this post is a copy.",
    "evidence": "Ann founded it in 2009.",
}


def values(doc: Any) -> Iterator[str]:
    """Every key and scalar in a document, as text."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield str(key)
            yield from values(value)
    elif isinstance(doc, list | tuple):
        for item in doc:
            yield from values(item)
    else:
        yield str(doc)


async def scan(client: Client) -> dict[str, list[str]]:
    """Where each secret appears: collection → the secrets found in it."""
    db = client.app[MONGO_DB]
    found: dict[str, list[str]] = {}
    for name in await db.list_collection_names():
        text = " ".join(v for doc in await db[name].find({}).to_list() for v in values(doc))
        hits = [label for label, secret in SECRETS.items() if secret.lower() in text.lower()]
        if hits:
            found[name] = hits
    return found


async def _ok(client: Client, method: str, path: str, who: Person, body: Any = None) -> Any:
    answer = await client.request(method, path, json=body, headers=who.auth)
    assert answer.status < 300, (method, path, answer.status, await answer.text())
    return None if answer.status == 204 else await answer.json()


async def _verified_org(client: Client, owner: Person, moderator: Person, name: str) -> str:
    org = await _ok(client, "POST", "/orgs", owner, {"name": name, "causes": ["clean-water"]})
    await _ok(client, "POST", f"/orgs/{org['id']}/submit", owner)
    await _ok(client, "POST", f"/orgs/{org['id']}/verify", moderator)
    org_id: str = org["id"]
    return org_id


async def _ann_everywhere(client: Client, keys: TestKeys) -> tuple[Person, str]:
    ann = await person(client, keys, SECRETS["name"])
    profile = UserUpdated(
        user_id=ann.user_id, display_name=SECRETS["name"], skills=(SECRETS["skill"],),
        interests=(SECRETS["interest"],), languages=(SECRETS["language"],),
        place=Place(city=SECRETS["city"], lat=43.23, lng=0.08), version=3,
    )  # fmt: skip
    await publish(client, profile)
    owner = await person(client, keys, "Olivia")
    moderator = await person(client, keys, "Mo", roles=("moderator",))
    home = await _verified_org(client, owner, moderator, "River Keepers")
    other = await _verified_org(client, owner, moderator, "Bird Watch")
    strict = await _verified_org(client, owner, moderator, "Strict Ones")
    await _ok(client, "POST", f"/orgs/{home}/invitations", owner,
              {"user_id": ann.user_id, "role": "editor"})  # fmt: skip
    await _ok(client, "POST", f"/orgs/{home}/invitations/accept", ann)
    await _ok(
        client,
        "POST",
        f"/orgs/{other}/invitations",
        owner,
        {"user_id": ann.user_id, "role": "admin"},
    )  # fmt: skip (pending: never accepted)
    post = await _ok(client, "POST", f"/orgs/{home}/posts", ann,
                     {"title": "Clean-up on Saturday", "body": "Bring gloves."})  # fmt: skip
    await _ok(client, "PUT", f"/orgs/{other}/follow", ann, {"notify": "all"})
    await _ok(client, "PUT", "/causes/clean-water/membership", ann)
    await _ok(client, "PUT", "/causes/wildlife/membership", ann)
    review = await _ok(client, "POST", f"/orgs/{other}/reviews", ann,
                       {"stars": 5, "text": SECRETS["review"]})  # fmt: skip
    reviewer = await person(client, keys, "Rita")
    rita_review = await _ok(client, "POST", f"/orgs/{other}/reviews", reviewer,
                            {"stars": 3, "text": "Fine."})  # fmt: skip
    await _ok(client, "PUT", f"/reviews/{rita_review['id']}/helpful", ann)
    report = {"target_kind": "post", "target_id": post["id"], "reason": "other",
              "text": SECRETS["report"]}  # fmt: skip
    await _ok(client, "POST", "/reports", ann, report)
    await _ok(client, "PUT", f"/orgs/{strict}/blocks/{ann.user_id}", owner)
    unclaimed = await _unclaimed_org(client)
    await _ok(client, "POST", f"/orgs/{unclaimed}/claims", ann, {"evidence": SECRETS["evidence"]})
    assert review["id"]
    return ann, home


async def _unclaimed_org(client: Client) -> str:
    csv = "name,slug,mission,city,country,causes\n"
    csv += "Old Mill Trust,old-mill-trust,Mills,Albi,FR,heritage\n"
    orgs = client.app[ORGS]
    with open("/dev/null", "w") as quiet:  # noqa: ASYNC230 (a progress bar nobody reads)
        await import_csv(orgs.stores.orgs, csv, _now(), quiet)
    doc = await orgs.stores.orgs.org_by_slug("old-mill-trust")
    assert doc is not None
    org_id: str = doc["_id"]
    return org_id


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


async def test_a_deleted_person_leaves_nothing_of_themselves(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    ann, home = await _ann_everywhere(client, keys)
    before = await scan(client)  # the scan sees them while they are here
    seen = {label for labels in before.values() for label in labels}
    print("\nbefore deletion:", before)
    assert seen == set(SECRETS), f"set-up missed {set(SECRETS) - seen}"

    await delete(client, ann)
    orgs = client.app[ORGS]

    async def swept() -> bool:
        await housekeep(orgs, client.app[MONGO_DB])
        return await scan(client) == {}

    await wait_until(swept, timeout=20, what="nothing of the person left in orgs' database")
    for event_type in ("org.member_removed", "org.unfollowed", "cause.left", "review.deleted"):
        about_ann = [e for e in tap.of_type(event_type) if ann.user_id in json.dumps(e["data"])]
        assert about_ann, f"orgs told nobody: no {event_type} about the deleted person"
    page = await client.get(f"/orgs/{home}/posts")
    posts = (await page.json())["items"]
    assert posts
    assert all(p.get("author") is None for p in posts)  # the news stays, without its byline
