"""Erasure in applications: after user.deleted, a scan of applications, their claims and seats
finds none of the volunteer's values (their id, answers, message); their place goes to the
first waiting; the organization's figures stay, anonymous (a tombstone: status and times).
The unsent events of the application (which name it) are dropped with it."""

from __future__ import annotations

from typing import Any

from jumo_common.mongo import MONGO_DB
from jumo_common.testing.bus import EventTap
from jumo_common.testing.tokens import TestKeys
from jumo_common.testing.wait import wait_until

from .community import answer_of, http_member, http_org
from .conftest import Client, delete, person
from .test_applications_http import apply, opportunity
from .test_erasure import values

COLLECTIONS = ("applications", "application_claims", "seats")
MESSAGE = "Call Ann Quinlivan on 555-0199."


async def test_a_deleted_volunteer_leaves_only_anonymous_figures(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    org = await http_org(client, "keepers")
    olga, ann, bo = [await person(client, keys, n) for n in ("Olga", "Ann Quinlivan", "Bo")]
    await http_member(client, org, olga.user_id, "owner")
    opp = await opportunity(client, org["_id"], olga.auth, places=1)
    mine = await apply(client, opp["id"], ann.auth, message=MESSAGE)
    waiting = await apply(client, opp["id"], bo.auth)
    for app_id, action in ((mine["id"], "accept"), (waiting["id"], "waitlist")):
        response = await client.post(f"/applications/{app_id}/{action}", headers=olga.auth)
        await answer_of(response)
    db = client.app[MONGO_DB]
    secrets = (ann.user_id, MESSAGE)

    async def mentions() -> dict[str, list[str]]:
        """Where the secrets are; an event on its way out (``_outbox``) may name the opaque
        user id (application.withdrawn of the erasure does), as tombstones elsewhere do."""
        found: dict[str, list[str]] = {}
        for name in COLLECTIONS:
            docs = await db[name].find({}, {"_outbox": 0}).to_list()
            text = " ".join(v for doc in docs for v in values(doc))
            if hits := [s for s in secrets if s in text]:
                found[name] = hits
        return found

    assert set(await mentions()) == set(COLLECTIONS)  # the scan sees them while they are here
    await delete(client, ann)

    async def forgotten() -> bool:
        return await mentions() == {}

    await wait_until(forgotten, timeout=20, what="the volunteer gone from applications")
    tombstone: Any = await db["applications"].find_one({"_id": mine["id"]})
    assert tombstone is not None
    assert (tombstone["erased"], tombstone["status"]) == (True, "withdrawn")
    assert tombstone["answered_at"] is not None  # the organization answered: its figures keep it
    promoted = await answer_of(await client.get(f"/applications/{waiting['id']}", headers=bo.auth))
    assert promoted["status"] == "accepted"
    [gone] = await tap.wait_for("application.withdrawn")
    assert gone["data"]["erased"] is True
    listed = await answer_of(await client.get(f"/orgs/{org['_id']}/applications",
                                              headers=olga.auth))  # fmt: skip
    assert [a["id"] for a in listed["items"]] == [waiting["id"]]
