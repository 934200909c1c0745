"""Route templates as OpenAPI paths and parameters, anchored as aiohttp matches them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from jumo_common.settings import ServiceSettings
from jumo_common.web.openapi import openapi_path, path_parameters, segment_pattern

from .demo_app import create_demo_app


@pytest.mark.parametrize(
    ("route", "path", "params"),
    [
        ("/plain", "/plain", []),
        ("/users/{id}", "/users/{id}", [("id", None)]),
        ("/users/{id:[0-9a-f]{32}}/follow", "/users/{id}/follow", [("id", "[0-9a-f]{32}")]),
        ("/a/{x:\\d+}/b/{y}", "/a/{x}/b/{y}", [("x", "\\d+"), ("y", None)]),
    ],
)
def test_route_templates(route: str, path: str, params: list[tuple[str, str | None]]) -> None:
    assert openapi_path(route) == path
    assert path_parameters(route) == params


def test_unbalanced_braces_are_refused() -> None:
    with pytest.raises(ValueError, match="unbalanced"):
        path_parameters("/users/{id:[0-9]{2}")


@pytest.mark.parametrize(
    ("regex", "pattern"),
    [
        (None, "^[^{}/]+$"),
        ("[0-9a-f]{32}", "^[0-9a-f]{32}$"),
        ("me|[0-9a-f]{32}", "^(?:me|[0-9a-f]{32})$"),
        ("(a|b)c", "^(a|b)c$"),  # the alternation is inside a group already
        ("[|x]+", "^[|x]+$"),  # a | in a character class is no alternation
        ("a\\|b", "^a\\|b$"),  # nor an escaped one
    ],
)
def test_segment_patterns_are_anchored_as_a_whole(regex: str | None, pattern: str) -> None:
    assert segment_pattern(regex) == pattern


async def test_an_alternation_in_a_route_accepts_only_what_the_route_accepts(
    aiohttp_client: Any,
) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(create_demo_app(ServiceSettings()))
    doc = await (await client.get("/openapi.json")).json()
    [param] = doc["paths"]["/users/{id}"]["get"]["parameters"]
    pattern = param["schema"]["pattern"]
    assert pattern == "^(?:me|[0-9a-f]{32})$"
    for value in ("me", "0" * 32):
        assert re.search(pattern, value)
        assert (await client.get(f"/users/{value}")).status == 200
    for value in ("mexyz", "xme", "0" * 32 + "x"):
        assert not re.search(pattern, value)  # ECMA and Python agree on these
        assert (await client.get(f"/users/{value}")).status == 404
