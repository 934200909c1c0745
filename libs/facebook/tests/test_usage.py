"""The usage headers, parsed from Facebook's examples and from garbage."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from jumo_facebook.usage import (
    parse_app_usage,
    parse_business_usage,
    parse_usage,
)

# Transcribed from shared/FACEBOOK.md ("Usage headers").
APP_USAGE_EXAMPLE = '{"call_count": 28, "total_cputime": 25, "total_time": 25}'
BUSINESS_EXAMPLE = json.dumps(
    {
        "112233": [
            {
                "type": "pages",
                "call_count": 96,
                "total_cputime": 20,
                "total_time": 30,
                "estimated_time_to_regain_access": 0,
            }
        ]
    }
)


def test_app_usage_example() -> None:
    usage = parse_app_usage(APP_USAGE_EXAMPLE)
    assert usage is not None
    assert (usage.call_count, usage.total_cputime, usage.total_time) == (28, 25, 25)
    assert usage.max_percent == 28


def test_business_usage_example() -> None:
    usage = parse_business_usage(BUSINESS_EXAMPLE)
    assert list(usage) == ["112233"]
    assert usage["112233"][0].type == "pages"
    assert usage["112233"][0].max_percent == 96


def test_both_headers_together() -> None:
    usage = parse_usage(
        {"x-app-usage": APP_USAGE_EXAMPLE, "x-business-use-case-usage": BUSINESS_EXAMPLE}
    )
    assert usage is not None
    assert usage.max_percent == 96  # slow down: the Page budget is nearly spent
    assert usage.regain_access_s is None


def test_regain_access_in_seconds() -> None:
    raw = json.dumps(
        {
            "1": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 3}],
            "2": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 12}],
        }
    )
    usage = parse_usage({"x-business-use-case-usage": raw})
    assert usage is not None
    assert usage.regain_access_s == 12 * 60


def test_absent_headers() -> None:
    assert parse_usage({}) is None
    assert parse_app_usage(None) is None
    assert parse_business_usage(None) == {}


def test_malformed_headers_are_ignored() -> None:
    assert parse_app_usage("{not json") is None
    assert parse_app_usage("[1, 2]") is None
    assert parse_app_usage('{"call_count": "lots"}') is None
    assert parse_business_usage('{"1": "x", "2": [{"call_count": "many"}]}') == {}
    usage = parse_usage({"x-app-usage": "garbage"})
    assert usage is not None
    assert usage.app is None
    assert usage.max_percent == 0


@given(st.text(max_size=200), st.text(max_size=200))
def test_any_header_text_never_raises(app: str, business: str) -> None:
    parse_usage({"x-app-usage": app, "x-business-use-case-usage": business})
