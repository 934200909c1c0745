"""The base app: ops endpoints, request ids, metrics, access log and the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from openapi_spec_validator import validate as validate_spec

from jumo_common.settings import ServiceSettings
from jumo_common.web import PROBLEM_CONTENT_TYPE, add_readiness_check, add_route, create_base_app

from .conftest import LogLines
from .demo_app import create_demo_app

Client = TestClient[Any, Any]


@pytest.fixture
def app() -> web.Application:
    app: web.Application = create_demo_app(ServiceSettings(service_name="demo"))
    return app


@pytest.fixture
async def client(aiohttp_client: Any, app: web.Application) -> Client:
    c: Client = await aiohttp_client(app)
    return c


async def test_healthz(client: Client) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok", "service": "demo"}


async def test_readyz_passes_when_every_check_passes(
    aiohttp_client: Any, app: web.Application
) -> None:
    async def fine() -> None:
        return None

    add_readiness_check(app, "mongodb", fine)
    client: Client = await aiohttp_client(app)
    response = await client.get("/readyz")
    assert response.status == 200
    assert await response.json() == {"status": "ready", "checks": {"mongodb": "ok"}}


async def test_readyz_fails_while_a_check_fails(aiohttp_client: Any, app: web.Application) -> None:
    broken = True

    async def flaky() -> None:
        if broken:
            raise ConnectionError("amqp down")

    add_readiness_check(app, "amqp", flaky)
    client: Client = await aiohttp_client(app)
    response = await client.get("/readyz")
    assert response.status == 503
    body = await response.json(content_type=PROBLEM_CONTENT_TYPE)
    assert body["checks"] == {"amqp": "failed: ConnectionError"}
    broken = False
    assert (await client.get("/readyz")).status == 200


async def test_a_sane_request_id_is_kept_and_logged(client: Client, log_lines: LogLines) -> None:
    response = await client.get("/profiles/p1", headers={"X-Request-Id": "gw-abc.123"})
    assert response.headers["X-Request-Id"] == "gw-abc.123"
    [access] = [line for line in log_lines() if line["event"] == "request"]
    assert access["request_id"] == "gw-abc.123"
    assert access["trace_id"] == "gw-abc.123"
    assert access["route"] == "/profiles/{id}"
    assert access["status"] == 200
    assert access["duration_ms"] >= 0


@pytest.mark.parametrize("bad", ["", "x" * 200, "a b", "<script>", "é"])
async def test_an_insane_request_id_is_replaced(client: Client, bad: str) -> None:
    response = await client.get("/healthz", headers={"X-Request-Id": bad})
    rid = response.headers["X-Request-Id"]
    assert rid != bad
    assert len(rid) == 32


async def test_error_responses_carry_the_request_id(client: Client) -> None:
    response = await client.get("/nowhere", headers={"X-Request-Id": "r1"})
    assert response.headers["X-Request-Id"] == "r1"


async def test_metrics_count_requests_by_route_template(client: Client) -> None:
    await client.get("/profiles/p1")
    await client.get("/profiles/p2")
    await client.get("/no/such/path")
    await client.get("/boom")
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.content_type == "text/plain"
    text = await response.text()
    route = 'method="GET",route="/profiles/{id}"'
    ok = f'jumo_http_requests_total{{{route},status="200",status_class="2xx"}} 1.0'
    missing = f'jumo_http_requests_total{{{route},status="404",status_class="4xx"}} 1.0'
    assert ok in text
    assert missing in text
    assert 'route="<unmatched>",status="404",status_class="4xx"' in text
    timed = f'jumo_http_request_duration_seconds_count{{{route},status_class="2xx"}} 1.0'
    assert timed in text
    assert "jumo_http_request_duration_seconds_bucket{" in text
    assert 'route="/boom",status="500",status_class="5xx"} 1.0' in text  # errors by class
    assert "/no/such/path" not in text


async def test_openapi_document_is_valid_openapi_3_1(client: Client) -> None:
    response = await client.get("/openapi.json")
    assert response.status == 200
    doc = await response.json()
    validate_spec(doc)
    assert doc["openapi"] == "3.1.0"
    assert doc["info"] == {"title": "demo", "version": "1.2.3"}
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


async def test_openapi_describes_bodies_queries_and_problems(client: Client) -> None:
    doc = await (await client.get("/openapi.json")).json()
    create = doc["paths"]["/profiles"]["post"]
    body_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body_ref.startswith("#/components/schemas/ProfileIn")
    assert set(create["responses"]) >= {"201", "400", "409", "413", "415", "422", "default"}
    problem = create["responses"]["409"]["content"][PROBLEM_CONTENT_TYPE]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}
    one = doc["paths"]["/profiles/{id}"]["get"]
    assert one["parameters"][0] == {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": "^[^{}/]+$"},
    }
    search = doc["paths"]["/search"]["get"]
    names = {p["name"] for p in search["parameters"]}
    assert names == {"limit", "cursor", "skills", "near"}
    schemas = doc["components"]["schemas"]
    assert "Address" in schemas  # nested $defs are merged into components
    assert "/metrics" not in doc["paths"]


async def test_openapi_input_schemas_state_what_mongodb_cannot_store(client: Client) -> None:
    doc = await (await client.get("/openapi.json")).json()
    schemas = doc["components"]["schemas"]
    profile = schemas["ProfileIn"]["properties"]
    assert profile["bio"]["pattern"] == "^[^\\u0000]*$"
    assert profile["count"]["maximum"] == 2**63 - 1
    assert profile["extra"]["propertyNames"] == {"pattern": "^[^.$\\u0000][^.\\u0000]*$"}
    output = schemas["ProfileOut"]["properties"]
    assert "pattern" not in output["bio"]  # answers may quote refused input


async def test_integral_floats_are_integers_as_in_json_schema(client: Client) -> None:
    response = await client.post("/profiles", data=b'{"name": "A", "count": 3.0}')
    assert response.status == 415  # no content type: not JSON
    headers = {"Content-Type": "application/json"}
    response = await client.post("/profiles", data=b'{"name": "A", "count": 3.0}', headers=headers)
    assert response.status == 201
    response = await client.post("/profiles", data=b'{"name": "A", "count": 3.5}', headers=headers)
    assert response.status == 422


async def test_raised_redirects_pass_through_with_the_request_id(aiohttp_client: Any) -> None:
    async def login(_request: web.Request) -> web.Response:
        raise web.HTTPFound("https://facebook.example/dialog")

    app = create_base_app(ServiceSettings(service_name="demo"))
    add_route(app, "GET", "/login", login, status=302)
    client: Client = await aiohttp_client(app)
    response = await client.get("/login", allow_redirects=False, headers={"X-Request-Id": "r9"})
    assert response.status == 302
    assert response.headers["Location"] == "https://facebook.example/dialog"
    assert response.headers["X-Request-Id"] == "r9"
