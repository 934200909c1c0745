"""The AsyncAPI document of the events: current with the code, and shaped as AsyncAPI 3.

When the first test fails, a contract, a handler map or a publisher changed: regenerate with
``uv run --frozen python -m jumo_common.events.asyncapi > docs/events/asyncapi.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # schemathesis brings it; no stubs
import pytest

from jumo_common.events import make_event, routing_key
from jumo_common.events.asyncapi import SERVICES, dumps, flow_table, generate, registered_types
from jumo_common.events.identity import UserRegistered

ROOT = Path(__file__).resolve().parents[3]
COMMITTED = ROOT / "docs" / "events" / "asyncapi.json"


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    return generate()


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        assert part in node, f"{ref} does not resolve (no {part!r})"
        node = node[part]
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def test_the_committed_document_is_what_the_code_generates(generated: dict[str, Any]) -> None:
    committed = COMMITTED.read_text()
    assert committed == dumps(generated), (
        "docs/events/asyncapi.json is stale: run "
        "`uv run --frozen python -m jumo_common.events.asyncapi > docs/events/asyncapi.json`"
    )


def test_the_document_is_asyncapi_3_with_a_channel_per_registered_event(
    generated: dict[str, Any],
) -> None:
    assert generated["asyncapi"] == "3.0.0"
    assert {"channels", "operations", "components", "info"} <= generated.keys()
    keys = {routing_key(name, version) for name, version in registered_types()}
    assert set(generated["channels"]) == keys
    for key, channel in generated["channels"].items():
        assert channel["address"] == key
        assert channel["bindings"]["amqp"]["exchange"]["name"] == "jumo.events"
    assert generated["components"]["schemas"], "no payload schemas"
    for ref in _refs(generated):
        _resolve(generated, ref)


def test_every_event_has_its_publisher_and_operations_name_real_services(
    generated: dict[str, Any],
) -> None:
    sent = {
        op["channel"]["$ref"].rsplit("/", 1)[-1]
        for op in generated["operations"].values()
        if op["action"] == "send"
    }
    assert sent == set(generated["channels"]), "events nobody publishes"
    for op in generated["operations"].values():
        assert op["action"] in ("send", "receive")
        assert op["x-service"] in SERVICES
        if op["action"] == "receive":
            assert op["x-queue"].startswith(op["x-service"] + ".")
    # What the architecture says, read back from the code: identity publishes user.*, orgs and
    # feed and notifier consume user.registered, and notifier consumes it on its own queues.
    registered = [
        op
        for op in generated["operations"].values()
        if op["channel"]["$ref"].endswith("/user.registered.v1")
    ]
    assert {op["x-service"] for op in registered if op["action"] == "send"} == {"identity"}
    receivers = {op["x-queue"] for op in registered if op["action"] == "receive"}
    assert {"orgs.events", "feed.events", "notifier.people"} <= receivers
    assert all(s in {q.split(".")[0] for q in receivers} for s in ("orgs", "feed", "notifier"))


def test_a_real_event_validates_against_its_channel_payload(generated: dict[str, Any]) -> None:
    event = make_event(
        UserRegistered(user_id="u1", display_name="Ada", email="ada@example.org"),
        producer="identity",
        subject_id="u1",
    )
    message = _resolve(generated, "#/components/messages/user.registered.v1")
    payload = _resolve(generated, message["payload"]["$ref"])
    # The payload's refs (#/components/schemas/...) resolve against the root it is put in.
    validator = jsonschema.Draft202012Validator({**payload, "components": generated["components"]})
    validator.validate(event.to_dict())
    wrong = {**event.to_dict(), "type": "user.updated"}
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(wrong)
    broken = {**event.to_dict(), "data": {"display_name": "no id"}}
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)


def test_the_architecture_page_holds_every_event_flow(generated: dict[str, Any]) -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    held = page.split("<!-- flows:begin -->\n", 1)[1].split("<!-- flows:end -->", 1)[0]
    assert held == flow_table(generated), (
        "docs/architecture.md's event flows are stale: paste "
        "`uv run --frozen python -m jumo_common.events.asyncapi --flows` between its markers"
    )
