"""Every failure answers RFC 9457 problem+json, names invalid fields and leaks nothing."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from jumo_common.settings import ServiceSettings
from jumo_common.web import PROBLEM_CONTENT_TYPE, problem_type

from .conftest import LogLines
from .demo_app import create_demo_app

Client = TestClient[Any, Any]
GOOD = {"name": "Ada", "bio": "hi"}
JSON = {"Content-Type": "application/json"}


@pytest.fixture
async def client(aiohttp_client: Any) -> Client:
    settings = ServiceSettings(service_name="demo", max_body_bytes=2048)
    c: Client = await aiohttp_client(create_demo_app(settings))
    return c


async def problem(response: ClientResponse, status: int) -> dict[str, Any]:
    assert response.status == status, await response.text()
    assert response.content_type == PROBLEM_CONTENT_TYPE
    body: dict[str, Any] = await response.json(content_type=PROBLEM_CONTENT_TYPE)
    assert body["status"] == status
    assert body["request_id"] == response.headers["X-Request-Id"]
    return body


def fields(body: dict[str, Any]) -> dict[str, str]:
    return {e["field"]: e["type"] for e in body["errors"]}


async def test_valid_body_is_parsed(client: Client) -> None:
    response = await client.post("/profiles", json=GOOD)
    assert response.status == 201
    assert await response.json() == {"id": "p1", "name": "Ada", "bio": "hi"}


async def test_unknown_route_is_a_404_problem(client: Client) -> None:
    body = await problem(await client.get("/nowhere"), 404)
    assert body["type"] == problem_type("not-found")
    assert body["title"] == "Not Found"
    assert body["instance"] == "/nowhere"


async def test_domain_not_found_keeps_its_detail(client: Client) -> None:
    body = await problem(await client.get("/profiles/p2"), 404)
    assert body["detail"] == "No such profile."


async def test_a_domain_error_is_a_problem_with_its_status_and_slug(client: Client) -> None:
    body = await problem(await client.post("/profiles", json={"name": "forbidden"}), 422)
    assert body["type"] == "https://jumo.example/problems/name-refused"
    assert body["detail"] == "Nobody may be called that."


async def test_conflict_with_custom_type(client: Client) -> None:
    body = await problem(await client.post("/profiles", json={"name": "taken"}), 409)
    assert body["type"] == "https://jumo.example/problems/name-taken"


async def test_wrong_method_is_a_405_problem_with_allow(client: Client) -> None:
    response = await client.delete("/profiles")
    body = await problem(response, 405)
    assert body["type"] == problem_type("method-not-allowed")
    assert "POST" in response.headers["Allow"]


async def test_declared_oversized_body_is_a_413_problem(client: Client) -> None:
    body = await problem(await client.post("/profiles", json={"name": "x" * 5000}), 413)
    assert body["type"] == problem_type("content-too-large")


async def test_chunked_oversized_body_is_a_413_problem(client: Client) -> None:
    async def chunks() -> Any:
        for _ in range(10):
            yield b"x" * 1000

    headers = {"Content-Type": "application/json"}
    await problem(await client.post("/profiles", data=chunks(), headers=headers), 413)


async def test_non_json_body_is_a_415_problem(client: Client) -> None:
    response = await client.post("/profiles", data="name=Ada")
    body = await problem(response, 415)
    assert body["type"] == problem_type("unsupported-media-type")


async def test_merge_patch_json_is_json(client: Client) -> None:
    headers = {"Content-Type": "application/merge-patch+json"}
    response = await client.post("/profiles", data=b'{"name": "Ada"}', headers=headers)
    assert response.status == 201


@pytest.mark.parametrize("raw", [b"{", b"", b"[1,]", b'{"name": "\\ud800"}'])
async def test_malformed_json_is_a_400_problem(client: Client, raw: bytes) -> None:
    headers = {"Content-Type": "application/json"}
    body = await problem(await client.post("/profiles", data=raw, headers=headers), 400)
    assert body["type"] == problem_type("invalid-json")


async def test_invalid_fields_are_named(client: Client) -> None:
    bad = {"name": "", "bio": "x" * 21, "address": {"city": 3}, "tags": ["a", 2]}
    body = await problem(await client.post("/profiles", json=bad), 422)
    assert fields(body) == {
        "name": "string_too_short",
        "bio": "string_too_long",
        "address.city": "string_type",
        "tags.1": "string_type",
    }
    assert all(e["message"] for e in body["errors"])


async def test_unknown_fields_are_refused(client: Client) -> None:
    body = await problem(await client.post("/profiles", json={**GOOD, "admin": True}), 422)
    assert fields(body) == {"admin": "extra_forbidden"}


async def test_missing_fields_are_named(client: Client) -> None:
    body = await problem(await client.post("/profiles", json={}), 422)
    assert fields(body) == {"name": "missing"}


async def test_a_body_that_is_not_an_object(client: Client) -> None:
    body = await problem(await client.post("/profiles", json=[1]), 422)
    assert fields(body) == {"": "model_type"}


@pytest.mark.parametrize(
    ("patch", "field", "kind"),
    [
        ({"bio": "a\x00b"}, "bio", "nul_char"),
        ({"tags": ["ok", "\x00"]}, "tags.1", "nul_char"),
        ({"address": {"city": "x\x00"}}, "address.city", "nul_char"),
        ({"count": 2**63}, "count", "int_range"),  # 2**70 arrives as a float: int_parsing_size
        ({"extra": {"a.b": "x"}}, "extra.a.b", "invalid_key"),
        ({"extra": {"$where": "x"}}, "extra.$where", "invalid_key"),
        ({"extra": {"": "x"}}, "extra.", "invalid_key"),
    ],
)
async def test_values_mongodb_cannot_store_are_422(
    client: Client, patch: dict[str, Any], field: str, kind: str
) -> None:
    body = await problem(await client.post("/profiles", json={**GOOD, **patch}), 422)
    assert fields(body) == {field: kind}


@pytest.mark.parametrize("raw", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
async def test_non_finite_json_numbers_are_422(client: Client, raw: bytes) -> None:
    data = b'{"name": "Ada", "score": ' + raw + b"}"
    headers = {"Content-Type": "application/json"}
    body = await problem(await client.post("/profiles", data=data, headers=headers), 422)
    assert fields(body) == {"score": "finite_number"}


async def test_bodies_are_strict_as_the_schema_says(client: Client) -> None:
    bad = {**GOOD, "count": True, "score": "1.5", "tags": "a"}
    body = await problem(await client.post("/profiles", json=bad), 422)
    assert fields(body) == {"count": "int_type", "score": "float_type", "tags": "list_type"}


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity"])
async def test_non_finite_query_numbers_are_422(client: Client, value: str) -> None:
    body = await problem(await client.get("/search", params={"near": value}), 422)
    assert fields(body) == {"near": "finite_number"}


async def test_nul_in_query_is_422(client: Client) -> None:
    body = await problem(await client.get("/search?skills=a%00b"), 422)
    assert fields(body) == {"skills.0": "nul_char"}


@pytest.mark.parametrize("path", ["/profiles/p%00", "/users/%00", "/nowhere%00"])
async def test_nul_in_the_path_is_a_404_before_any_handler(client: Client, path: str) -> None:
    body = await problem(await client.get(path), 404)
    assert body["detail"] == "No resource has a NUL character in its path."


async def test_query_lists_and_bounds(client: Client) -> None:
    response = await client.get("/search?skills=a&skills=b&near=1.5&limit=5")
    assert response.status == 200
    assert (await response.json())["items"][0] == {"id": "p1", "name": "a,b", "bio": "1.5"}
    body = await problem(await client.get("/search?limit=1000&bogus=1"), 422)
    assert fields(body) == {"limit": "less_than_equal", "bogus": "extra_forbidden"}


async def test_a_500_leaks_nothing_and_is_logged_with_the_request_id(
    client: Client, log_lines: LogLines
) -> None:
    response = await client.get("/boom", headers={"X-Request-Id": "req-500"})
    body = await problem(response, 500)
    assert body == {
        "type": problem_type("internal-server-error"),
        "title": "Internal Server Error",
        "status": 500,
        "instance": "/boom",
        "request_id": "req-500",
    }
    [error] = [line for line in log_lines() if line["event"] == "unhandled error"]
    assert error["request_id"] == "req-500"
    assert error["level"] == "error"
    assert "RuntimeError" in error["exception"]
    assert "hunter2" not in error["exception"]


async def test_a_model_validator_s_error_after_an_integral_float_is_a_422(
    client: Client,
) -> None:
    # Strict validation stops at the integral float (3.0); the lax pass that accepts it then
    # runs the model validator, whose ValueError once escaped as a 500.
    raw = b'{"name": null, "hours": {"per_month": 3.0}}'
    response = await client.patch("/profiles/p1", data=raw, headers=JSON)
    body = await problem(response, 422)
    [error] = body["errors"]
    assert error["type"] == "value_error"
    assert "name cannot be null" in error["message"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"name": null}', {"": "value_error"}),  # the model validator alone
        (b'{"hours": {"per_month": 3.5}}', {"hours.per_month": "int_type"}),
        (b'{"hours": {"per_month": 745.0}}', {"hours.per_month": "less_than_equal"}),
        (b'{"name": 1, "hours": {"per_month": 3.0}}', {"name": "string_type"}),
    ],
)
async def test_every_validation_failure_is_a_422_naming_the_field(
    client: Client, raw: bytes, expected: dict[str, str]
) -> None:
    body = await problem(await client.patch("/profiles/p1", data=raw, headers=JSON), 422)
    assert fields(body) == expected


async def test_an_integral_float_with_a_valid_patch_passes(client: Client) -> None:
    raw = b'{"name": "Bea", "hours": {"per_month": 3.0}}'
    response = await client.patch("/profiles/p1", data=raw, headers=JSON)
    assert response.status == 200
    assert (await response.json())["name"] == "Bea"
