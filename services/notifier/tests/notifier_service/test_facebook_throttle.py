"""page_throttle, alone: what each Facebook answer means for a post and its Page."""

from __future__ import annotations

import pytest

from jumo_facebook.errors import FacebookError, error_from_body
from jumo_facebook.usage import Usage, parse_usage
from jumo_notifier.page_throttle import APP, judge, retry_in_s, slow_down_s


def usage(app: int = 0, page: int = 0, regain: int = 0, page_id: str = "42") -> Usage | None:
    """The usage headers of one answer."""
    business = (f'{{"{page_id}": [{{"type": "pages", "call_count": {page}, "total_cputime": 0, '
                f'"total_time": 0, "estimated_time_to_regain_access": {regain}}}]}}')  # fmt: skip
    return parse_usage({"x-app-usage": f'{{"call_count": {app}}}',
                        "x-business-use-case-usage": business})  # fmt: skip


def error(code: int, status: int = 400, subcode: int | None = None,
          **extra: object) -> FacebookError:  # fmt: skip
    """The typed error of a Graph error body."""
    body: dict[str, object] = {"message": "m", "type": "OAuthException", "code": code, **extra}
    if subcode:
        body["error_subcode"] = subcode
    return error_from_body({"error": body}, status, None)


def test_usage_slows_the_page_down_from_75_percent() -> None:
    assert slow_down_s(usage(page=74), "42") is None
    assert slow_down_s(usage(page=75), "42") == (1.0, None)
    assert slow_down_s(usage(page=100), "42") == (60.0, None)
    seconds, scope = slow_down_s(usage(page=88), "42") or (0, "")
    assert 8 < seconds < 9
    assert scope is None
    seconds, scope = slow_down_s(usage(app=90, page=10), "42") or (0, "")
    assert seconds == pytest.approx(60**0.6)
    assert scope == APP
    assert slow_down_s(usage(page=90), "another page") is None  # another Page's budget
    assert slow_down_s(usage(page=100, regain=3), "42") == (180.0, None)
    assert slow_down_s(None, "42") is None


@pytest.mark.parametrize(
    ("code", "status", "outcome"),
    [(1, 500, "unknown"), (2, 500, "unknown"), (506, 400, "posted"), (4, 400, "throttled"),
     (17, 400, "throttled"), (32, 400, "throttled"), (341, 400, "throttled"),
     (613, 400, "throttled"), (190, 400, "broken"), (102, 400, "broken"), (10, 403, "broken"),
     (200, 403, "broken"), (368, 400, "blocked"), (100, 400, "failed"), (12, 400, "failed")],
)  # fmt: skip
def test_each_code_has_its_verdict(code: int, status: int, outcome: str) -> None:
    extra = {"is_transient": True} if code in (1, 2) else {}
    verdict = judge(error(code, status, **extra), throttle_s=60.0)
    assert verdict.outcome == outcome
    if outcome == "throttled":
        assert verdict.pause_s == 60.0
        assert verdict.pause_scope == (APP if code == 4 else None)
    else:
        assert verdict.pause_s is None


def test_a_dead_token_says_why_and_retries_back_off() -> None:
    verdict = judge(error(190, subcode=463), throttle_s=1.0)
    assert verdict.why == "the Page token no longer works (expired, code 190/463)"
    assert [retry_in_s(n) for n in (1, 2, 3, 10, 20)] == [1.0, 2.0, 4.0, 300.0, 300.0]
