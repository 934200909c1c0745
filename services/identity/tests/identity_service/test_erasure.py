"""Erasure: after a person deletes their account, nothing of them is left in identity's database.

A person with everything a profile can hold — Facebook friends who use Jumo, followers and
people they follow, a pending follow request each way, two logins and a refreshed token,
several profile edits whose events went out and one whose event may still be pending — leaves,
by ``DELETE /users/me`` or by Facebook's data-deletion callback. Then every document of every
collection of identity's database (``list_collection_names``), every key and nested value,
stringified, is searched for the person's values.

What counts as the person's (searched for, case-insensitively, as substrings):
- the app-scoped Facebook id, the email Facebook gave, every display name they had (Facebook's
  and their edits), every bio, city, skill, interest and language they set, and the point of
  their location (as numbers);
- their credentials in every stored form: each refresh token and its SHA-256 hash (the form
  identity stores and marks used), each login's token-family id, the Facebook access tokens
  the sandbox issued to them and the sealed copy identity kept.

What does not count, and may stay:
- the opaque user id (the tombstone's ``_id`` and ``deleted:<id>``, the ``user.deleted`` event
  that carries it, write-claim keys ``users:<id>:<version>``): a random id that names nobody
  once the profile is gone, and the key other services' ``user.deleted`` handlers need;
- event ids and trace ids (``outbox_sent`` markers), timestamps, version counters;
- the data-deletion record (confirmation code, status, dates, and a keyed pseudonym of the
  Facebook id — never the id): Facebook's status page and a replay need it, and without
  identity's key the pseudonym identifies nobody.
- Events the relay already published are out of scope: other services consume user.deleted.

Before deleting, the same scan is run once and must find the profile values: the search can
see what it is looking for.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from jumo_common.mongo import MONGO_DB, Database
from jumo_common.testing.bus import EventTap
from jumo_facebook.sandbox.testing import SandboxControl, TestUserInfo

from .conftest import Client, LoggedIn, befriend, login

LAT, LNG = 12.34, -56.78


@dataclass
class Traces:
    """What the person left behind: values to find, by what they are."""

    fb: TestUserInfo
    me: LoggedIn
    strings: dict[str, str] = field(default_factory=dict)
    numbers: dict[str, float] = field(default_factory=dict)

    def add(self, what: str, value: str) -> None:
        """Remember one value of the person's under a readable name."""
        self.strings[f"{what} {value!r}"] = value


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every key and every scalar inside a document, with where it is."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield f"{path}.{key} (key)", key
            yield from _leaves(inner, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, inner in enumerate(value):
            yield from _leaves(inner, f"{path}[{index}]")
    else:
        yield path, value


async def _scan(db: Database, traces: Traces) -> dict[str, list[str]]:
    """Where each of the person's values occurs: {value's name: [collection/_id.path, ...]}."""
    found: dict[str, list[str]] = {}
    for collection in sorted(await db.list_collection_names()):
        async for doc in db[collection].find({}):
            for where, leaf in _leaves(doc, f"{collection}/{doc.get('_id')!r}"):
                for what in _matches(leaf, traces):
                    found.setdefault(what, []).append(where)
    return found


def _matches(leaf: Any, traces: Traces) -> Iterator[str]:
    if isinstance(leaf, float) and not isinstance(leaf, bool):
        yield from (what for what, number in traces.numbers.items() if leaf == number)
    text = str(leaf).lower()
    yield from (what for what, value in traces.strings.items() if value.lower() in text)


async def _ok(response: Any) -> Any:
    body = await response.json()
    assert response.status == 200, body
    return body


async def _follow(client: Client, who: LoggedIn, target: str) -> Any:
    return await _ok(await client.put(f"/users/{target}/follow", headers=who.auth))


async def _patch(client: Client, who: LoggedIn, **fields: Any) -> Any:
    return await _ok(await client.patch("/users/me", json=fields, headers=who.auth))


async def _rich_person(client: Client, sandbox: SandboxControl, tap: EventTap) -> Traces:
    """Pat, with everything a person can leave in identity (see the module doc)."""
    mark = secrets.token_hex(4)
    facebook_name = f"Pat Erasure{mark}"
    fb_pat = await sandbox.create_test_user(facebook_name)
    fb_early = await sandbox.create_test_user("Early Friend")
    fb_late = await sandbox.create_test_user("Late Friend")
    await befriend(sandbox, fb_pat, fb_early)
    await befriend(sandbox, fb_pat, fb_late)
    early = await login(client, sandbox, fb_early)  # joins before Pat: in Pat's friend list
    first = await login(client, sandbox, fb_pat)
    late = await login(client, sandbox, fb_late)  # joins after: Pat is in their friend list
    await login(client, sandbox, fb_early)  # logs in again: now Pat is in their list too
    rotated = await _ok(
        await client.post("/auth/refresh", json={"refresh_token": first.refresh_token})
    )
    pat = await login(client, sandbox, fb_pat)  # a second login (token family)
    traces = Traces(fb=fb_pat, me=pat)
    for what, value in (("facebook id", fb_pat.id), ("email", fb_pat.email),
                        ("name", facebook_name)):  # fmt: skip
        traces.add(what, value)
    for token in (first.refresh_token, rotated["refresh_token"], pat.refresh_token):
        traces.add("refresh token", token)
        traces.add("refresh token hash", hashlib.sha256(token.encode()).hexdigest())

    # Followers and followees, while Pat's profile is public.
    await _follow(client, early, pat.user_id)
    await _follow(client, pat, late.user_id)

    # Several edits; each publishes user.updated.
    edits: list[dict[str, Any]] = [
        {"display_name": f"Patricia Erasure{mark}", "bio": f"First bio {mark}"},
        {
            "location": {"city": f"Erasureville{mark}", "lat": LAT, "lng": LNG},
            "skills": [f"skill-a{mark}", f"skill-b{mark}"],
        },
        {
            "interests": [f"interest-a{mark}", f"interest-b{mark}"],
            "languages": ["en", f"qaa-{mark}"],
            "availability": {"parts": ["weekend_mornings"], "hours_per_month": 7},
        },
        {"bio": f"Second bio {mark}", "display_name": f"Pat E. {mark}"},
    ]
    for edit in edits:
        await _patch(client, pat, **edit)
    await tap.wait_for("user.updated", len(edits))  # these went out; the next may be pending
    await _patch(client, pat, visibility="followers", skills=[f"skill-c{mark}"])
    for what, value in (("name", f"Patricia Erasure{mark}"), ("name", f"Pat E. {mark}"),
                        ("bio", f"First bio {mark}"), ("bio", f"Second bio {mark}"),
                        ("city", f"Erasureville{mark}"), ("language", f"qaa-{mark}")):  # fmt: skip
        traces.add(what, value)
    for tag in ("skill-a", "skill-b", "skill-c", "interest-a", "interest-b"):
        traces.add(tag.split("-")[0], f"{tag}{mark}")
    traces.numbers |= {"latitude": LAT, "longitude": LNG}

    # A pending follow request each way.
    asker = await login(client, sandbox, await sandbox.create_test_user("Asker"))
    assert (await _follow(client, asker, pat.user_id))["requested"] is True
    shy = await login(client, sandbox, await sandbox.create_test_user("Shy"))
    await _patch(client, shy, visibility="private")
    assert (await _follow(client, pat, shy.user_id))["requested"] is True

    # Pat's Facebook tokens: those the sandbox issued and the sealed copy identity keeps.
    for token in sandbox.state.tokens.values():
        if token.user_id == fb_pat.id:
            traces.add("facebook access token", token.value)
    stored = await client.app[MONGO_DB]["users"].find_one({"_id": pat.user_id})
    assert stored is not None
    traces.add("sealed facebook token", stored["facebook"]["token"])
    export = await _ok(await client.get("/users/me/export", headers=pat.auth))
    assert len(export["logins"]) == 2
    for family in export["logins"]:
        traces.add("token family", family["id"])
    assert set(export["facebook"]["friend_ids_using_jumo"]) == {fb_early.id, fb_late.id}
    return traces


PROFILE_VALUES = ("facebook id", "email", "name", "bio", "city", "skill", "interest", "language")


async def _delete(client: Client, sandbox: SandboxControl, how: str, traces: Traces) -> None:
    if how == "DELETE /users/me":
        response = await client.delete("/users/me", headers=traces.me.auth)
        assert response.status == 204, await response.text()
        return
    url = str(client.make_url("/facebook/data-deletion"))
    sent = await sandbox.send_callback("data_deletion", traces.fb.id, url)
    assert sent["status"] == 200, sent


@pytest.mark.parametrize("how", ["DELETE /users/me", "data-deletion callback"])
async def test_nothing_of_a_deleted_person_remains_in_any_collection(
    client: Client, sandbox: SandboxControl, tap: EventTap, how: str
) -> None:
    traces = await _rich_person(client, sandbox, tap)
    db = client.app[MONGO_DB]
    before = await _scan(db, traces)
    for kind in PROFILE_VALUES:
        assert any(what.startswith(kind) for what in before), f"the scan cannot see the {kind}"
    # ...also where others' documents and pending events carry the person's values.
    places = {where for wheres in before.values() for where in wheres}
    assert any(".facebook_friend_ids[" in w and traces.me.user_id not in w for w in places)
    assert any("._outbox[" in where for where in places)

    await _delete(client, sandbox, how, traces)
    [deleted] = await tap.wait_for("user.deleted")
    assert deleted["data"] == {"user_id": traces.me.user_id}

    left = await _scan(db, traces)
    assert left == {}, "\n".join(f"{what}: {', '.join(where)}" for what, where in left.items())
    assert (await client.get("/users/me", headers=traces.me.auth)).status == 401
