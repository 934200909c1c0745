"""Event contracts: envelope, registry, parsing errors, upcasting (no servers needed)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest

from jumo_common.events import (
    EventData,
    EventParseError,
    event_type,
    make_event,
    parse_event,
    register_upcaster,
    registered_types,
    type_of,
)
from jumo_common.events.identity import (
    UserDeleted,
    UserFollowed,
    UserFollowRequested,
    UserRegistered,
    UserUnfollowed,
    UserUpdated,
)


def followed(seq: int = 1) -> Any:
    return make_event(
        UserFollowed(follower_id="u1", followee_id="u2", seq=seq),
        producer="identity",
        actor_id="u1",
        subject_id="u2",
        trace_id="trace-1",
    )


def test_identity_contracts_are_registered() -> None:
    expected = {
        ("user.registered", 1): UserRegistered,
        ("user.updated", 1): UserUpdated,
        ("user.followed", 1): UserFollowed,
        ("user.follow_requested", 1): UserFollowRequested,
        ("user.unfollowed", 1): UserUnfollowed,
        ("user.deleted", 1): UserDeleted,
    }
    assert expected.items() <= registered_types().items()
    assert type_of(UserFollowed) == ("user.followed", 1)


def test_round_trip_through_json_gives_the_typed_model() -> None:
    event = followed(seq=7)
    parsed = parse_event(event.to_json())
    assert parsed == event
    assert isinstance(parsed.data, UserFollowed)
    assert parsed.data.seq == 7
    assert parsed.occurred_at.tzinfo is not None


def test_envelope_is_frozen_and_utc() -> None:
    event = make_event(
        UserDeleted(user_id="u1"),
        producer="identity",
        occurred_at=datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=2))),
    )
    assert event.occurred_at == datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert event.occurred_at.utcoffset() == timedelta(0)
    with pytest.raises(ValueError, match="frozen"):
        event.type = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "not JSON"),
        (b"[1, 2]", "not an object"),
        (b'{"type": "user.followed"}', "valid type/version"),
        (b'{"type": "nobody.knows", "version": 1}', "unknown event type nobody.knows v1"),
        (b'{"type": "user.followed", "version": 99}', "unknown event type user.followed v99"),
    ],
)
def test_bad_messages_raise_a_readable_reason(body: bytes, reason: str) -> None:
    with pytest.raises(EventParseError, match=reason):
        parse_event(body)


def test_missing_id_and_bad_data_name_the_field() -> None:
    doc = orjson.loads(followed().to_json())
    del doc["id"]
    with pytest.raises(EventParseError, match="id: Field required"):
        parse_event(orjson.dumps(doc))
    doc = orjson.loads(followed().to_json()) | {"data": {"follower_id": "u1"}}
    with pytest.raises(EventParseError, match=r"data\.followee_id: Field required"):
        parse_event(orjson.dumps(doc))


def test_unknown_data_fields_are_ignored_for_forward_compatibility() -> None:
    doc = orjson.loads(followed().to_json())
    doc["data"]["added_later"] = "x"
    assert parse_event(doc).data == UserFollowed(follower_id="u1", followee_id="u2", seq=1)


def _identity_v1(type_: str, data: dict[str, Any]) -> bytes:
    return orjson.dumps({
        "id": str(uuid.uuid4()), "type": type_, "version": 1,
        "occurred_at": "2026-01-01T00:00:00Z", "producer": "identity", "data": data,
    })  # fmt: skip


def test_identity_v1_events_without_the_notifier_fields_still_parse() -> None:
    """email and share_joins came later: an event published before them parses, with defaults."""
    registered = parse_event(
        _identity_v1("user.registered", {"user_id": "u1", "display_name": "A"})
    )
    assert isinstance(registered.data, UserRegistered)
    assert registered.data.email is None
    assert registered.data.share_joins is False
    updated = parse_event(_identity_v1("user.updated", {"user_id": "u1", "display_name": "A"}))
    assert isinstance(updated.data, UserUpdated)
    assert updated.data.email is None


def test_identity_notifier_fields_round_trip() -> None:
    data = UserRegistered(
        user_id="u1", display_name="Ann", email="ann@example.org", share_joins=True
    )
    parsed = parse_event(make_event(data, producer="identity").to_json())
    assert parsed.data == data
    assert orjson.loads(make_event(data, producer="identity").to_json())["data"]["share_joins"]
    updated = UserUpdated(user_id="u1", display_name="Ann", email="ann@example.org", version=3)
    assert parse_event(make_event(updated, producer="identity").to_json()).data == updated


def test_follow_requested_names_the_pair_and_its_seq() -> None:
    request = UserFollowRequested(follower_id="u1", followee_id="u2", seq=3)
    event = make_event(request, producer="identity", actor_id="u1", subject_id="u2")
    assert event.type == "user.follow_requested"
    assert event.version == 1
    parsed = parse_event(event.to_json())
    assert isinstance(parsed.data, UserFollowRequested)
    assert parsed.data == request
    bad = orjson.loads(event.to_json()) | {"data": {"follower_id": "u1", "followee_id": "u2"}}
    with pytest.raises(EventParseError, match=r"data\.seq: Field required"):
        parse_event(orjson.dumps(bad))


def test_make_event_refuses_an_unregistered_model() -> None:
    class Stray(EventData):
        x: int

    with pytest.raises(LookupError, match="Stray is not registered"):
        make_event(Stray(x=1), producer="p")


def test_upcaster_turns_v1_into_v2() -> None:
    name = f"test.renamed.{uuid.uuid4().hex[:6]}"

    @event_type(name, 2)
    class RenamedV2(EventData):
        display_name: str

    def upcast_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
        return {"display_name": data["name"]}

    register_upcaster(name, 1, upcast_v1_v2)
    v1 = {
        "id": str(uuid.uuid4()),
        "type": name,
        "version": 1,
        "occurred_at": "2026-01-01T00:00:00Z",
        "producer": "p",
        "data": {"name": "Ada"},
    }
    event = parse_event(orjson.dumps(v1))
    assert event.version == 2
    assert event.data == RenamedV2(display_name="Ada")


def test_registering_another_model_under_a_taken_type_fails() -> None:
    with pytest.raises(ValueError, match="already UserFollowed"):
        event_type("user.followed", 1)(UserUnfollowed)
