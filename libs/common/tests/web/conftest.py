"""Fixtures for the web tests: a base app with a few demo routes, and captured JSON logs."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest

from jumo_common.logging import configure_logging
from jumo_common.settings import ServiceSettings

LogLines = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def log_lines() -> Iterator[LogLines]:
    """Logging configured as JSON into a buffer; call the fixture's value to read the lines."""
    buffer = io.StringIO()
    configure_logging(ServiceSettings(log_json=True, log_level="DEBUG"), stream=buffer)

    def lines() -> list[dict[str, Any]]:
        return [orjson.loads(line) for line in buffer.getvalue().splitlines() if line]

    yield lines
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_jumo_handler", False)]:
        root.removeHandler(handler)
