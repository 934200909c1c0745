"""A deleted volunteer leaves nothing in attendance: their codes and code uses go, their
check-ins become anonymous tombstones (no volunteer, nobody's ids, no dispute reason, no
pending event), their record is empty — and the organization's figures still count the
sessions and the attested hours, anonymously."""

from __future__ import annotations

import json

from jumo_common.testing.bus import EventTap
from jumo_common.testing.tokens import TestKeys

from .community import database
from .conftest import Client, delete
from .test_record_http import attest, call, checked_in, http_world

REASON = "Ann stayed until the van left at nine."


async def test_a_deleted_volunteers_attendance_is_anonymous(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    world = await http_world(client, keys)
    ann = world.volunteer
    check_in_id = await checked_in(client, world, ann)
    await attest(client, world, check_in_id, 3)
    await call(client, "POST", f"/users/me/volunteering/{check_in_id}/dispute", ann,
               {"reason": REASON})  # fmt: skip
    await attest(client, world, check_in_id, 5)  # corrected: attested again
    second = await world.application(client, ann, slot=1)
    await call(client, "POST", f"/applications/{second}/check-in-code", ann, {}, 201)
    db = database(client)

    async def personal() -> list[str]:
        found = []
        for name in ("check_ins", "check_in_codes", "check_in_code_uses"):
            text = json.dumps(await db[name].find({}).to_list(), default=str)
            found += [f"{name}:{v}" for v in (ann.user_id, REASON, world.editor.user_id)
                      if v in text]  # fmt: skip
        return found

    assert await personal()  # the scan sees what it looks for
    await delete(client, ann)
    assert await db["check_in_codes"].count_documents({}) == 0
    assert await personal() == []
    [tombstone] = await db["check_ins"].find({}).to_list()
    assert (tombstone["erased"], tombstone["hours"]) == (True, 5)
    assert "_outbox" not in tombstone or tombstone["_outbox"] == []
    stats = await call(client, "GET", f"/orgs/{world.org_id}/stats", world.owner)
    assert stats["hours_attested"] == 5
    record = await call(client, "GET", "/users/me/volunteering", ann)
    assert record["engagements"] == []
