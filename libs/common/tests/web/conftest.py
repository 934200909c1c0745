"""Fixtures for the web tests (captured JSON logs: the plugin's ``log_lines``)."""

from __future__ import annotations

from jumo_common.testing.plugin import LogLines

__all__ = ["LogLines"]  # the log_lines fixture itself is the test plugin's
