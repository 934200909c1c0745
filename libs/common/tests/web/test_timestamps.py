"""One timestamp format in every answer: UTC, exactly milliseconds, ``Z``."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from jumo_common.settings import ServiceSettings
from jumo_common.web import ProblemError
from jumo_common.web.encoding import TIMESTAMP_PATTERN, dumps, format_timestamp
from jumo_common.web.problems import problem_response

from .demo_app import create_demo_app

Client = TestClient[Any, Any]
WRITTEN = "2026-12-01T13:46:19.610Z"  # demo_app.INSTANT, in every form it takes
PLUS_ONE = dt.timezone(dt.timedelta(hours=1))


@pytest.fixture
async def client(aiohttp_client: Any) -> Client:
    c: Client = await aiohttp_client(create_demo_app(ServiceSettings(service_name="demo")))
    return c


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (dt.datetime(2026, 12, 1, 13, 46, 19, 610655, tzinfo=dt.UTC), WRITTEN),
        (dt.datetime(2026, 12, 1, 13, 46, 19, 610999), WRITTEN),  # naive: UTC, truncated
        (dt.datetime(2026, 12, 1, 14, 46, 19, 610000, tzinfo=PLUS_ONE), WRITTEN),
        (dt.datetime(2026, 12, 1, 13, 46, 19, tzinfo=dt.UTC), "2026-12-01T13:46:19.000Z"),
        (dt.datetime(1, 1, 1, tzinfo=dt.UTC), "0001-01-01T00:00:00.000Z"),
    ],
)  # fmt: skip
def test_format_timestamp(value: dt.datetime, written: str) -> None:
    assert format_timestamp(value) == written
    assert re.fullmatch(TIMESTAMP_PATTERN, written)


async def test_a_model_s_datetimes_are_written_alike(client: Client) -> None:
    response = await client.get("/stamps")
    assert response.status == 200
    body = await response.json()
    assert body == {
        "fresh": WRITTEN,
        "stored": WRITTEN,
        "naive": WRITTEN,
        "offset": WRITTEN,
        "day": "2026-12-01",  # a date stays a date
    }


async def test_raw_dicts_and_nested_models_too(client: Client) -> None:
    body = await (await client.get("/stamps/raw")).json()
    [item] = body["items"]
    assert {item[k] for k in ("fresh", "stored", "naive", "offset")} == {WRITTEN}
    assert body["at"] == WRITTEN
    assert body["model"]["naive"] == WRITTEN


def test_problem_extensions_too() -> None:
    at = dt.datetime(2026, 12, 1, 13, 46, 19, 610655, tzinfo=dt.UTC)
    response = problem_response(ProblemError(409, extensions={"since": at, "odd": object()}))
    assert isinstance(response.body, bytes)
    assert b'"since":"2026-12-01T13:46:19.610Z"' in response.body
    assert b'"odd":"<object object' in response.body  # an error answer never fails to encode


def test_other_types_are_written_as_pydantic_writes_them() -> None:
    assert dumps({"ids": {1}, "n": None, "b": b"x", "d": dt.timedelta(seconds=90)}) == (
        b'{"ids":[1],"n":null,"b":"x","d":"PT1M30S"}'
    )
    with pytest.raises(TypeError):
        dumps({"x": object()})


async def test_the_openapi_document_states_the_format_of_answers(client: Client) -> None:
    doc = await (await client.get("/openapi.json")).json()
    stamps = doc["components"]["schemas"]["Stamps"]["properties"]
    assert stamps["fresh"] == {
        "format": "date-time",
        "pattern": TIMESTAMP_PATTERN,
        "title": "Fresh",
        "type": "string",
    }
    assert "pattern" not in stamps["day"]
