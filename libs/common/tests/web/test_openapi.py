"""Route templates as OpenAPI paths and parameters."""

from __future__ import annotations

import pytest

from jumo_common.web.openapi import openapi_path, path_parameters


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
