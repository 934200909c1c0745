"""Erasure in opportunities: an opportunity holds no personal value but who created it; after
user.deleted that is gone, and the opportunity stays its organization's, unchanged otherwise."""

from __future__ import annotations

from datetime import UTC, datetime

from jumo_common.mongo import MONGO_DB
from jumo_common.testing.tokens import TestKeys
from jumo_common.testing.wait import wait_until

from .community import answer_of, http_member, http_org
from .conftest import Client, delete, person
from .opportunities_samples import one_off_body
from .test_erasure import values


async def test_a_deleted_creator_leaves_no_trace_in_opportunities(
    client: Client, keys: TestKeys
) -> None:
    org = await http_org(client, "keepers")
    ann = await person(client, keys, "Ann Quinlivan")
    await http_member(client, org, ann.user_id, "editor")
    body = one_off_body(datetime.now(UTC), publish=True)
    response = await client.post(f"/orgs/{org['_id']}/opportunities", json=body, headers=ann.auth)
    made = await answer_of(response, 201)
    db = client.app[MONGO_DB]

    async def mentions() -> list[str]:
        names = [n for n in await db.list_collection_names() if n.startswith("opportunit")]
        return [n for n in names for doc in await db[n].find({}).to_list()
                if ann.user_id in " ".join(values(doc))]  # fmt: skip

    assert await mentions() == ["opportunities"]  # the scan sees them while they are here
    await delete(client, ann)

    async def forgotten() -> bool:
        return await mentions() == []

    await wait_until(forgotten, timeout=20, what="the creator gone from opportunities")
    kept = await answer_of(await client.get(f"/opportunities/{made['id']}"))
    assert (kept["title"], kept["status"]) == (made["title"], "open")
