"""Logging: JSON off a terminal, context on every line, stdlib routed through, secrets masked."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from jumo_common.logging import (
    REDACTED,
    bind_log_context,
    configure_logging,
    current_trace_id,
    get_logger,
    redact_text,
)
from jumo_common.settings import ServiceSettings


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    root.handlers[:] = before
    root.setLevel(level)


def json_lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in buffer.getvalue().splitlines()]


def configured(log_json: bool | None = None, stream: io.StringIO | None = None) -> io.StringIO:
    buffer = stream if stream is not None else io.StringIO()
    configure_logging(ServiceSettings(log_json=log_json, log_level="INFO"), stream=buffer)
    return buffer


def test_json_lines_when_not_a_terminal() -> None:
    buffer = configured()
    get_logger("t").info("user registered", user_id="u1")
    [line] = json_lines(buffer)
    assert line["event"] == "user registered"
    assert line["user_id"] == "u1"
    assert line["level"] == "info"
    assert line["logger"] == "t"
    assert line["timestamp"].endswith("Z")


def test_readable_lines_on_a_terminal() -> None:
    buffer = configured(stream=Tty())
    get_logger("t").info("hello", n=1)
    text = buffer.getvalue()
    assert "hello" in text
    assert "n=1" in text
    assert not text.startswith("{")


def test_forced_json_on_a_terminal() -> None:
    buffer = configured(log_json=True, stream=Tty())
    get_logger("t").info("hello")
    assert json_lines(buffer)[0]["event"] == "hello"


def test_context_is_on_every_line_including_stdlib_ones() -> None:
    buffer = configured()
    with bind_log_context(request_id="r1", trace_id="t1", event_id="e1"):
        get_logger("ours").info("one")
        logging.getLogger("pymongo.somewhere").warning("two %s", "args")
        assert current_trace_id() == "t1"
    get_logger("ours").info("outside")
    first, second, outside = json_lines(buffer)
    for line in (first, second):
        assert (line["request_id"], line["trace_id"], line["event_id"]) == ("r1", "t1", "e1")
    assert second["event"] == "two args"
    assert second["logger"] == "pymongo.somewhere"
    assert "request_id" not in outside
    assert current_trace_id() is None


def test_level_filters_both_worlds() -> None:
    buffer = configured()
    get_logger("t").debug("hidden")
    logging.getLogger("lib").debug("hidden too")
    assert buffer.getvalue() == ""


def test_reconfiguring_keeps_one_handler() -> None:
    configured()
    buffer = configured()
    get_logger("t").info("once")
    assert len(json_lines(buffer)) == 1


SECRET = "s3cr3t-value"


@pytest.mark.parametrize(
    "key",
    [
        "access_token",
        "refresh_token",
        "code",
        "client_secret",
        "password",
        "authorization",
        "Authorization",
        "signed_request",
        "appsecret_proof",
    ],
)
def test_secret_keys_are_redacted(key: str) -> None:
    buffer = configured()
    get_logger("t").info("calling", **{key: SECRET}, nested={"headers": {key: SECRET}})
    [line] = json_lines(buffer)
    assert line[key] == REDACTED
    assert line["nested"]["headers"][key] == REDACTED
    assert SECRET not in buffer.getvalue()


def test_secrets_inside_text_and_exceptions_are_redacted() -> None:
    buffer = configured()
    url = f"https://graph.example/me?fields=id&access_token={SECRET}&appsecret_proof={SECRET}"
    log = get_logger("t")
    log.info("graph call", url=url, header=f"Bearer {SECRET}")
    try:
        raise RuntimeError(f"failed GET {url}")
    except RuntimeError:
        log.exception("graph failed")
        logging.getLogger("aiohttp.client").exception("stdlib too")
    text = buffer.getvalue()
    assert SECRET not in text
    first = json_lines(buffer)[0]
    assert first["url"] == (
        f"https://graph.example/me?fields=id&access_token={REDACTED}&appsecret_proof={REDACTED}"
    )
    assert first["header"] == f"Bearer {REDACTED}"
    assert "RuntimeError" in json_lines(buffer)[1]["exception"]


def test_redact_text_leaves_ordinary_text_alone() -> None:
    assert redact_text("status=200 path=/users/me") == "status=200 path=/users/me"
