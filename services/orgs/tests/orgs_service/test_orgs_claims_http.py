"""Claims of imported, unclaimed organizations end to end, and erasure of a person from
organizations (memberships, invitations, claims, what they created)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

from jumo_common.mongo import MONGO_DB, Database
from jumo_common.testing.bus import EventTap
from jumo_common.testing.tokens import TestKeys
from jumo_orgs.__main__ import run_import
from jumo_orgs.settings import OrgsSettings

from .conftest import Client, delete, person
from .test_orgs_http import create, ok
from .test_orgs_members_http import join

CSV = "external_id,name,causes,city,country\nx-1,Clean Rivers,clean-water,Lyon,FR\n"


async def test_a_claim_approved_makes_the_claimant_owner(
    client: Client, keys: TestKeys, settings: OrgsSettings, tap: EventTap
) -> None:
    await run_import(settings, CSV)
    ann, bob = await person(client, keys, "Ann"), await person(client, keys, "Bob")
    mod = await person(client, keys, "Mod", roles=("moderator",))
    org = await ok(await client.get("/orgs/clean-rivers"))
    assert (org["claimed"], org["verified"]) == (False, True)
    claim = f"/orgs/{org['id']}/claims"
    evidence = {"evidence": "I chair its board; write to ann@rivers.example."}
    mine = await ok(await client.post(claim, json=evidence, headers=ann.auth), 201)
    again = await client.post(claim, json=evidence, headers=ann.auth)
    assert (again.status, (await again.json())["type"].endswith("/claim-open")) == (409, True)
    theirs = await ok(await client.post(claim, json={"evidence": "Me!"}, headers=bob.auth), 201)
    too_long = await client.post(claim, json={"evidence": "x" * 2001}, headers=bob.auth)
    assert too_long.status == 422

    assert (await client.get("/moderation/claims", headers=ann.auth)).status == 403
    queue = await ok(await client.get("/moderation/claims", headers=mod.auth))
    assert [(c["id"], c["claimant"]["display_name"]) for c in queue["items"]] == [
        (mine["id"], "Ann"), (theirs["id"], "Bob"),
    ]  # fmt: skip
    decide = "/moderation/claims/{}/{}"
    assert (await client.post(decide.format(mine["id"], "approve"),
                              headers=ann.auth)).status == 403  # fmt: skip
    approved = await ok(await client.post(decide.format(mine["id"], "approve"), headers=mod.auth))
    assert approved["state"] == "approved"
    [added] = await tap.wait_for("org.member_added")
    assert (added["data"]["user_id"], added["data"]["role"]) == (ann.user_id, "owner")
    lost = await client.post(decide.format(theirs["id"], "approve"), headers=mod.auth)
    assert (lost.status, (await lost.json())["type"].endswith("/org-claimed")) == (409, True)
    reason = {"reason": "Another person showed it is theirs."}
    await ok(await client.post(decide.format(theirs["id"], "reject"), json=reason,
                               headers=mod.auth))  # fmt: skip
    outcome = await ok(await client.get("/claims/mine", headers=bob.auth))
    assert [(c["state"], c["reason"]) for c in outcome["items"]] == [("rejected", reason["reason"])]
    assert (await ok(await client.get("/claims/mine", headers=ann.auth)))["items"][0]["state"] == (
        "approved"
    )
    page = await ok(await client.get(f"/orgs/{org['id']}", headers=ann.auth))
    assert (page["claimed"], page["your_role"]) == (True, "owner")
    await ok(await client.patch(f"/orgs/{org['id']}", json={"mission": "Ours now"},
                                headers=ann.auth))  # fmt: skip
    closed = await client.post(claim, json={"evidence": "Mine after all."}, headers=bob.auth)
    assert closed.status == 409
    assert (await client.get("/moderation/claims", headers=mod.auth)).status == 200
    assert len(tap.of_type("org.member_added")) == 1


async def test_a_claim_of_an_organization_with_an_owner_is_refused(
    client: Client, keys: TestKeys
) -> None:
    ann, bob = await person(client, keys, "Ann"), await person(client, keys, "Bob")
    org = await create(client, ann)
    hidden = await client.post(f"/orgs/{org['id']}/claims", json={"evidence": "e"},
                               headers=bob.auth)  # fmt: skip
    assert hidden.status == 404  # a draft: Bob cannot know it exists
    answer = await client.post(f"/orgs/{org['id']}/claims", json={"evidence": "e"},
                               headers=ann.auth)  # fmt: skip
    assert answer.status == 409


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield str(key)
            yield from _leaves(inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _leaves(inner)
    else:
        yield str(value)


async def _found(db: Database, marks: list[str]) -> list[str]:
    found = []
    for name in await db.list_collection_names():
        async for doc in db[name].find({}):
            found += [f"{name}/{doc['_id']}: {m}" for m in marks
                      for leaf in _leaves(doc) if m.lower() in leaf.lower()]  # fmt: skip
    return found


async def test_an_erased_person_leaves_every_organization(
    client: Client, keys: TestKeys, settings: OrgsSettings, tap: EventTap
) -> None:
    mark = secrets.token_hex(4)
    ann = await person(client, keys, f"Ann Erased{mark}")
    bob = await person(client, keys, "Bob")
    await run_import(settings, CSV)
    own = await create(client, ann)  # Ann's only-owner organization
    await join(client, own, ann, bob, "admin")
    bobs = await create(client, bob, name="Food Bank", causes=["food-banks"])
    await join(client, bobs, bob, ann, "editor")
    third = await create(client, bob, name="Third Place", causes=["community"])
    await ok(await client.post(f"/orgs/{third['id']}/invitations", headers=bob.auth,
                               json={"user_id": ann.user_id, "role": "admin"}), 201)  # fmt: skip
    rivers = await ok(await client.get("/orgs/clean-rivers"))
    evidence = f"Evidence {mark}: I run it."
    await ok(await client.post(f"/orgs/{rivers['id']}/claims", json={"evidence": evidence},
                               headers=ann.auth), 201)  # fmt: skip
    db = client.app[MONGO_DB]
    assert await _found(db, [mark])  # the scan sees what it looks for

    await delete(client, ann)
    removed = await tap.wait_for("org.member_removed", 2)
    assert {(e["data"]["org_id"], e["data"]["user_id"]) for e in removed} == {
        (own["id"], ann.user_id), (bobs["id"], ann.user_id),
    }  # fmt: skip
    assert await _found(db, [mark]) == []
    for doc in await db["org_members"].find({"user_id": ann.user_id}).to_list():
        assert (doc["state"], "role" in doc) == ("none", False)
    assert await db["org_claims"].count_documents({}) == 0
    assert await db["orgs"].count_documents({"created_by": ann.user_id}) == 0
    kept = await ok(await client.get(f"/orgs/{own['id']}", headers=bob.auth))
    assert (kept["claimed"], kept["your_role"]) == (False, "admin")  # unclaimed, still Bob's
    assert (await ok(await client.get("/invitations", headers=ann.auth)))["items"] == []
