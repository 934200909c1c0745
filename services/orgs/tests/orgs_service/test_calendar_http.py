"""Calendar events through HTTP: scheduling, reading, changing and cancelling with their
events, iCalendar, the personal feed at a secret URL (never logged), 30 concurrent answers for
10 places, and bodies that try to set what a caller may not."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from jumo_common.testing.bus import EventTap
from jumo_common.testing.plugin import LogLines
from jumo_common.testing.tokens import TestKeys

from .calendar_world import event_body
from .community import answer_of, bearer, http_member, http_org
from .conftest import Client


async def _org_with_editor(client: Client, keys: TestKeys) -> tuple[str, dict[str, str]]:
    org = await http_org(client, f"sea-{uuid.uuid4().hex[:6]}")
    editor = uuid.uuid4().hex
    await http_member(client, org, editor, "editor")
    return org["_id"], bearer(editor, keys)


async def _event(client: Client, keys: TestKeys, **fields: Any) -> tuple[str, dict[str, str]]:
    org_id, editor = await _org_with_editor(client, keys)
    made = await answer_of(
        await client.post(f"/orgs/{org_id}/events", json=event_body(**fields), headers=editor),
        201,
    )
    return made["id"], editor


async def test_an_event_is_scheduled_read_changed_and_cancelled(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    event_id, editor = await _event(client, keys)
    (scheduled,) = await tap.wait_for("event.scheduled")
    assert scheduled["data"]["event"]["starts_at"].startswith("2030-05-08T08:00:00")
    seen = await answer_of(await client.get(f"/events/{event_id}"))
    assert (seen["going"], seen["capacity"], seen["place"]["lat"]) == (0, 10, 43.3)
    changed = await client.patch(f"/events/{event_id}", json={"title": "Dune clean-up"},
                                 headers=editor)  # fmt: skip
    assert (await answer_of(changed))["title"] == "Dune clean-up"
    (updated,) = await tap.wait_for("event.updated")
    assert updated["data"]["changed"] == ["title"]
    cancelled = await answer_of(await client.post(f"/events/{event_id}/cancel", headers=editor))
    assert cancelled["status"] == "cancelled"
    await tap.wait_for("event.cancelled")
    late = await client.put(f"/events/{event_id}/rsvp", json={"answer": "going"},
                            headers=bearer(uuid.uuid4().hex, keys))  # fmt: skip
    assert (await answer_of(late, 409))["type"].endswith("event-closed")


async def test_the_ics_is_rfc_5545(client: Client, keys: TestKeys) -> None:
    title = "Nettoyage, plage; « Prado » " + "é" * 40
    event_id, _ = await _event(client, keys, title=title)
    answer = await client.get(f"/events/{event_id}.ics")
    assert answer.status == 200
    assert answer.content_type == "text/calendar"
    raw = await answer.read()
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    text = raw.decode().replace("\r\n ", "")  # unfolded
    assert "BEGIN:VCALENDAR" in text
    assert "BEGIN:VEVENT" in text
    assert f"UID:{event_id}@jumo-orgs" in text
    assert "DTSTART:20300508T080000Z" in text
    assert "DTEND:20300508T100000Z" in text
    assert "SUMMARY:Nettoyage\\, plage\\; « Prado » " in text
    assert "LOCATION:1 quai des Sables\\, Marseille" in text


async def test_a_personal_feed_at_a_secret_url(
    client: Client, keys: TestKeys, log_lines: LogLines
) -> None:
    event_id, _ = await _event(client, keys)
    ann = bearer(uuid.uuid4().hex, keys)
    await answer_of(await client.put(f"/events/{event_id}/rsvp", json={"answer": "going"},
                                     headers=ann))  # fmt: skip
    feed = await answer_of(await client.post("/users/me/calendar", headers=ann), 201)
    secret = feed["url"].rsplit("/", 1)[-1].removesuffix(".ics")
    answer = await client.get(f"/calendars/{secret}.ics")
    assert answer.status == 200
    assert f"UID:{event_id}@jumo-orgs" in await answer.text()
    [access] = [line for line in log_lines() if line.get("route") == "/calendars/{secret}.ics"]
    assert access["path"] == "/calendars/{secret}.ics"
    assert secret not in str(log_lines())
    again = await answer_of(await client.post("/users/me/calendar", headers=ann), 201)
    assert (await client.get(f"/calendars/{secret}.ics")).status == 404  # replaced
    assert (await client.delete("/users/me/calendar", headers=ann)).status == 204
    newer = again["url"].rsplit("/", 1)[-1]
    assert (await client.get(f"/calendars/{newer}")).status == 404  # revoked


async def test_30_concurrent_answers_for_10_places(client: Client, keys: TestKeys) -> None:
    event_id, _ = await _event(client, keys, capacity=10)
    people = [bearer(uuid.uuid4().hex, keys) for _ in range(30)]

    async def going(who: dict[str, str]) -> Any:
        answer = await client.put(f"/events/{event_id}/rsvp", json={"answer": "going"},
                                  headers=who)  # fmt: skip
        return await answer_of(answer)

    answers = await asyncio.gather(*(going(who) for who in people))
    statuses = [a["status"] for a in answers]
    assert statuses.count("going") == 10
    assert statuses.count("waiting") == 20
    seen = await answer_of(await client.get(f"/events/{event_id}"))
    assert (seen["going"], seen["waiting"]) == (10, 20)
    leaving = [who for who, a in zip(people, answers, strict=True) if a["status"] == "going"][:3]
    await asyncio.gather(*(client.delete(f"/events/{event_id}/rsvp", headers=w) for w in leaving))
    seen = await answer_of(await client.get(f"/events/{event_id}"))
    assert (seen["going"], seen["waiting"]) == (10, 17)


async def test_30_concurrent_answers_with_guests_never_overfill(
    client: Client, keys: TestKeys
) -> None:
    event_id, _ = await _event(client, keys, capacity=10)
    people = [(bearer(uuid.uuid4().hex, keys), i % 3) for i in range(30)]

    async def going(who: dict[str, str], guests: int) -> Any:
        body = {"answer": "going", "guests": guests}
        answer = await client.put(f"/events/{event_id}/rsvp", json=body, headers=who)
        return await answer_of(answer)

    await asyncio.gather(*(going(who, guests) for who, guests in people))
    # an answer that waited may have been promoted since: read each as it stands now
    mine = [(await answer_of(await client.get(f"/events/{event_id}", headers=who)))["my_rsvp"]
            for who, _ in people]  # fmt: skip
    taken = sum(1 + m["guests"] for m in mine if m["status"] == "going")
    seen = await answer_of(await client.get(f"/events/{event_id}"))
    assert seen["going"] == taken
    assert seen["waiting"] == sum(1 for m in mine if m["status"] == "waiting")
    assert 8 <= taken <= 10  # people of 1 to 3 places each: at most 2 can stay free


@pytest.mark.parametrize(
    "fields",
    [{"status": "cancelled"}, {"org_id": "another"}, {"going": 3}, {"created_by": "me"},
     {"online_url": "http://insecure.example.org"}, {"time_zone": "Mars/Olympus"},
     {"capacity": 0}, {"place": None, "online_url": None}],
)  # fmt: skip
async def test_a_body_may_not_set_what_it_may_not(
    client: Client, keys: TestKeys, fields: dict[str, Any]
) -> None:
    org_id, editor = await _org_with_editor(client, keys)
    refused = await client.post(f"/orgs/{org_id}/events", json=event_body(**fields),
                                headers=editor)  # fmt: skip
    assert refused.status == 422


async def test_changes_and_answers_refuse_extra_fields(client: Client, keys: TestKeys) -> None:
    event_id, editor = await _event(client, keys)
    bodies: list[dict[str, Any]] = [{"status": "cancelled"}, {"version": 9}, {"title": None}]
    for body in bodies:
        assert (await client.patch(f"/events/{event_id}", json=body, headers=editor)).status == 422
    ann = bearer(uuid.uuid4().hex, keys)
    answers: list[dict[str, Any]] = [
        {"answer": "going", "status": "going"}, {"answer": "going", "guests": 6},
        {"answer": "going", "seats": [1]}, {"answer": "waiting"},
    ]  # fmt: skip
    for answer in answers:
        refused = await client.put(f"/events/{event_id}/rsvp", json=answer, headers=ann)
        assert refused.status == 422


async def test_a_pending_organization_schedules_nothing(client: Client, keys: TestKeys) -> None:
    org = await http_org(client, "not-yet", status="pending")
    owner = uuid.uuid4().hex
    await http_member(client, org, owner, "owner")
    refused = await client.post(f"/orgs/{org['_id']}/events", json=event_body(),
                                headers=bearer(owner, keys))  # fmt: skip
    assert (await answer_of(refused, 409))["type"].endswith("org-not-verified")
