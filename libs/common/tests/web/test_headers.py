"""Headers on every answer of a service, reached directly (no gateway in front)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from jumo_common.settings import ServiceSettings

from .demo_app import create_demo_app

Client = TestClient[Any, Any]


@pytest.fixture
async def client(aiohttp_client: Any) -> Client:
    c: Client = await aiohttp_client(create_demo_app(ServiceSettings(service_name="demo")))
    return c


ANSWERS = [
    ("GET", "/profiles/p1", 200),
    ("GET", "/profiles/p2", 404),  # a domain problem
    ("GET", "/nowhere", 404),  # no route
    ("PUT", "/profiles/p1", 405),
    ("GET", "/boom", 500),
    ("DELETE", "/profiles/p1", 204),
    ("GET", "/moved", 302),
    ("GET", "/healthz", 200),
    ("GET", "/openapi.json", 200),
    ("GET", "/metrics", 200),
]


@pytest.mark.parametrize(("method", "path", "status"), ANSWERS)
async def test_every_answer_is_nosniff_no_store_and_versionless(
    client: Client, method: str, path: str, status: int
) -> None:
    response = await client.request(method, path, allow_redirects=False)
    assert response.status == status
    assert response.headers.getall("X-Content-Type-Options") == ["nosniff"]
    assert response.headers.getall("Cache-Control") == ["no-store"]
    assert response.headers.getall("Server") == ["jumo"]


async def test_a_handler_s_own_cache_control_is_kept(client: Client) -> None:
    response = await client.get("/public")
    assert response.headers.getall("Cache-Control") == ["public, max-age=60"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
