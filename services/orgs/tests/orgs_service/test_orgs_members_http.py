"""An organization's people through the HTTP API: invitations, roles and ranks, leaving, the last
owner, transferring ownership, and exact counts under concurrent invitations and accepts."""

from __future__ import annotations

import asyncio
from typing import Any

from jumo_common.testing.bus import EventTap
from jumo_common.testing.tokens import TestKeys

from .conftest import Client, Person, person
from .test_orgs_http import create, ok


async def invite(client: Client, org: Any, by: Person, who: Person, role: str) -> Any:
    body = {"user_id": who.user_id, "role": role}
    return await client.post(f"/orgs/{org['id']}/invitations", json=body, headers=by.auth)


async def join(client: Client, org: Any, by: Person, who: Person, role: str) -> None:
    await ok(await invite(client, org, by, who, role), 201)
    await ok(await client.post(f"/orgs/{org['id']}/invitations/accept", headers=who.auth))


async def roles(client: Client, org: Any, who: Person) -> dict[str, str]:
    page = await ok(await client.get(f"/orgs/{org['id']}/members?limit=100", headers=who.auth))
    return {m["display_name"]: m["role"] for m in page["items"]}


async def test_invitations_are_accepted_or_declined_by_the_invitee(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    ann, ada, eve = [await person(client, keys, n) for n in ("Ann", "Ada", "Eve")]
    org = await create(client, ann)
    invited = await ok(await invite(client, org, ann, ada, "admin"), 201)
    assert (invited["state"], invited["role"], invited["display_name"]) == ("invited", "admin",
                                                                            "Ada")  # fmt: skip
    mine = await ok(await client.get("/invitations", headers=ada.auth))
    assert [(i["org"]["slug"], i["role"], i["invited_by"]["display_name"])
            for i in mine["items"]] == [("water-for-all", "admin", "Ann")]  # fmt: skip
    pending = await ok(await client.get(f"/orgs/{org['id']}/members?state=invited",
                                        headers=ann.auth))  # fmt: skip
    assert [m["user_id"] for m in pending["items"]] == [ada.user_id]
    # Only the invitee answers; an invitation to someone else is not yours to accept.
    accept = f"/orgs/{org['id']}/invitations/accept"
    assert (await client.post(accept, headers=eve.auth)).status == 404
    joined = await ok(await client.post(accept, headers=ada.auth))
    assert (joined["state"], joined["role"]) == ("active", "admin")
    await ok(await client.post(accept, headers=ada.auth))  # again: no change
    [_, added] = await tap.wait_for("org.member_added", 2)
    assert (added["data"]["user_id"], added["data"]["role"], added["data"]["seq"]) == (
        ada.user_id, "admin", 2,
    )  # fmt: skip
    await ok(await invite(client, org, ada, eve, "editor"), 201)
    await ok(await client.post(f"/orgs/{org['id']}/invitations/decline", headers=eve.auth), 204)
    assert (await ok(await client.get("/invitations", headers=eve.auth)))["items"] == []
    assert await roles(client, org, ann) == {"Ann": "owner", "Ada": "admin"}
    assert len(tap.of_type("org.member_added")) == 2


async def test_who_may_invite_whom(client: Client, keys: TestKeys) -> None:
    ann, ada, ed, bob = [await person(client, keys, n) for n in ("Ann", "Ada", "Ed", "Bob")]
    org = await create(client, ann)
    await join(client, org, ann, ada, "admin")
    await join(client, org, ada, ed, "editor")
    assert (await invite(client, org, ed, bob, "editor")).status == 403  # editors do not invite
    assert (await invite(client, org, ada, bob, "owner")).status == 403  # only owners make owners
    assert (await invite(client, org, bob, bob, "admin")).status == 403  # strangers neither
    assert (await invite(client, org, ada, ed, "admin")).status == 409  # already a member
    ghost = Person("0" * 32, "Ghost", bob.token)
    unknown = await invite(client, org, ann, ghost, "editor")
    assert unknown.status == 404
    assert (await unknown.json())["type"].endswith("/person-not-found")
    await ok(await invite(client, org, ann, bob, "owner"), 201)


async def test_the_members_list_is_for_the_organizations_people(
    client: Client, keys: TestKeys
) -> None:
    ann, ed, bob = [await person(client, keys, n) for n in ("Ann", "Ed", "Bob")]
    mod = await person(client, keys, "Mod", roles=("moderator",))
    org = await create(client, ann)
    await join(client, org, ann, ed, "editor")
    assert (await client.get(f"/orgs/{org['id']}/members", headers=bob.auth)).status == 403
    assert (await client.get(f"/orgs/{org['id']}/members")).status == 401
    assert await roles(client, org, ed) == {"Ann": "owner", "Ed": "editor"}
    assert await roles(client, org, mod) == {"Ann": "owner", "Ed": "editor"}
    invited = f"/orgs/{org['id']}/members?state=invited"
    assert (await client.get(invited, headers=ed.auth)).status == 403


async def test_roles_change_within_ones_rank(client: Client, keys: TestKeys, tap: EventTap) -> None:
    ann, ada, ed = [await person(client, keys, n) for n in ("Ann", "Ada", "Ed")]
    org = await create(client, ann)
    await join(client, org, ann, ada, "admin")
    await join(client, org, ada, ed, "editor")

    def member(who: Person) -> str:
        return f"/orgs/{org['id']}/members/{who.user_id}"

    up = {"role": "admin"}
    assert (await client.patch(member(ed), json=up, headers=ed.auth)).status == 403
    assert (await client.patch(member(ann), json=up, headers=ada.auth)).status == 403
    owner = {"role": "owner"}
    assert (await client.patch(member(ed), json=owner, headers=ada.auth)).status == 403
    await ok(await client.patch(member(ed), json=up, headers=ada.auth))
    await ok(await client.patch(member(ed), json={"role": "editor"}, headers=ann.auth))
    assert (await client.delete(member(ann), headers=ada.auth)).status == 403
    await ok(await client.delete(member(ed), headers=ada.auth), 204)
    assert (await client.delete(member(ed), headers=ada.auth)).status == 404
    [removed] = await tap.wait_for("org.member_removed")
    # invited 1, joined 2, admin 3, editor 4, removed 5: the membership's version is the seq
    assert (removed["data"]["user_id"], removed["data"]["seq"]) == (ed.user_id, 5)
    ed_roles = [e["data"]["role"] for e in tap.of_type("org.member_added")
                if e["data"]["user_id"] == ed.user_id]  # fmt: skip
    assert ed_roles == ["editor", "admin", "editor"]
    await ok(await client.delete(member(ada), headers=ada.auth), 204)  # an admin leaves
    assert await roles(client, org, ann) == {"Ann": "owner"}


async def test_the_last_owner_cannot_leave_or_be_demoted_but_can_transfer(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    ann, bob = await person(client, keys, "Ann"), await person(client, keys, "Bob")
    org = await create(client, ann)
    me = f"/orgs/{org['id']}/members/{ann.user_id}"
    for answer in (await client.delete(me, headers=ann.auth),
                   await client.patch(me, json={"role": "admin"}, headers=ann.auth)):  # fmt: skip
        assert answer.status == 409
        assert (await answer.json())["type"].endswith("/last-owner")
    transfer = f"/orgs/{org['id']}/transfer"
    not_member = await client.post(transfer, json={"user_id": bob.user_id}, headers=ann.auth)
    assert not_member.status == 404
    await join(client, org, ann, bob, "editor")
    assert (await client.post(transfer, json={"user_id": ann.user_id},
                              headers=bob.auth)).status == 403  # fmt: skip
    new_owner = await ok(await client.post(transfer, json={"user_id": bob.user_id},
                                           headers=ann.auth))  # fmt: skip
    assert new_owner["role"] == "owner"
    assert await roles(client, org, ann) == {"Ann": "admin", "Bob": "owner"}
    await ok(await client.delete(me, headers=ann.auth), 204)
    added = await tap.wait_for("org.member_added", 4)
    assert [(e["data"]["user_id"] == ann.user_id, e["data"]["role"]) for e in added] == [
        (True, "owner"), (False, "editor"), (False, "owner"), (True, "admin"),
    ]  # fmt: skip


async def test_two_owners_leaving_at_once_leave_one_owner(client: Client, keys: TestKeys) -> None:
    ann, bob = await person(client, keys, "Ann"), await person(client, keys, "Bob")
    org = await create(client, ann)
    await join(client, org, ann, bob, "owner")

    async def leave(who: Person) -> int:
        answer = await client.delete(f"/orgs/{org['id']}/members/{who.user_id}", headers=who.auth)
        return answer.status

    assert sorted(await asyncio.gather(leave(ann), leave(bob))) == [204, 409]
    views = [await client.get(f"/orgs/{org['id']}", headers=who.auth) for who in (ann, bob)]
    # The one who left no longer sees the draft; the other is its owner still.
    assert sorted([v.status for v in views]) == [200, 404]
    [stayed] = [await v.json() for v in views if v.status == 200]
    assert stayed["your_role"] == "owner"


async def test_twenty_concurrent_invitations_accepted_make_twenty_members(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    ann = await person(client, keys, "Ann")
    org = await create(client, ann)
    people = [await person(client, keys, f"Volunteer {i}") for i in range(20)]
    invited = await asyncio.gather(*(invite(client, org, ann, p, "editor") for p in people))
    assert [r.status for r in invited] == [201] * 20
    accept = f"/orgs/{org['id']}/invitations/accept"
    accepted = await asyncio.gather(*(client.post(accept, headers=p.auth) for p in people))
    assert [r.status for r in accepted] == [200] * 20
    members = await roles(client, org, ann)
    assert len(members) == 21
    assert sorted(members.values()).count("editor") == 20
    await tap.wait_for("org.member_added", 21)
