"""What one answer of Facebook means for a post and for its Page (shared/FACEBOOK.md, "Errors").
Pure: no I/O. ``poster`` acts on the ``Verdict``.

- posted: the answer carried the post's id, or code 506 (Facebook already has that very post);
- unknown: code 1/2, a 500 or a timeout — the post may have been made: retry with backoff, and
  look for our marker among the Page's recent posts before posting again;
- throttled: 4/17/32/341/613 — not posted; the Page (code 4: the whole app) waits, and the
  post is tried again then, without counting as a failure;
- broken: 102/190 (the token is dead) and 10/200-299 (a permission is missing) — the link must
  be made again: posting to that Page stops and its organization's admins hear of it;
- blocked: 368 — Facebook blocked the Page for abuse: posting stops, an operator is alerted;
- failed: anything else (100, a bad parameter…): retrying cannot help.

Usage headers above ``SLOW_PERCENT`` slow the Page (or the app) down even on success: the
next call waits ``slow_down_s``, longer the closer usage is to 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from jumo_facebook import (
    FacebookBlockedError,
    FacebookDuplicatePostError,
    FacebookError,
    FacebookPermissionError,
    FacebookRateLimitedError,
    FacebookTokenError,
    FacebookTransientError,
    FacebookUnavailableError,
    Usage,
)

Outcome = Literal["posted", "unknown", "throttled", "broken", "blocked", "failed"]
# Which budget a pause is for: the Page's own, or the app's (every Page waits).
APP = "app"
SLOW_PERCENT = 75.0
# At SLOW_PERCENT the next call waits MIN_SLOW_S, at 100 % MAX_SLOW_S, geometrically between.
MIN_SLOW_S = 1.0
MAX_SLOW_S = 60.0
APP_RATE_LIMIT_CODE = 4


@dataclass(frozen=True)
class Verdict:
    """What an answer means: the post's ``outcome``, and whether (and how long) to pause."""

    outcome: Outcome
    why: str
    pause_s: float | None = None
    # Whose budget the pause is for: APP, or None for the Page's own.
    pause_scope: str | None = None


def slow_down_s(usage: Usage | None, page_id: str) -> tuple[float, str | None] | None:
    """How long the next call must wait given the usage headers, and for whom (None: the
    Page); None when usage is below ``SLOW_PERCENT``."""
    if usage is None:
        return None
    regain = usage.regain_access_s
    page = max((u.max_percent for u in usage.business.get(page_id, ())), default=0.0)
    app = usage.app.max_percent if usage.app else 0.0
    if regain is not None:
        return regain, None
    if max(page, app) < SLOW_PERCENT:
        return None
    scope = APP if app >= page else None
    return _pause_for(max(page, app)), scope


def _pause_for(percent: float) -> float:
    share = min(1.0, max(0.0, (percent - SLOW_PERCENT) / (100.0 - SLOW_PERCENT)))
    return float(MIN_SLOW_S * (MAX_SLOW_S / MIN_SLOW_S) ** share)


def judge(error: FacebookError, throttle_s: float) -> Verdict:
    """What an error answer means (``throttle_s``: the pause when Facebook said not how long)."""
    reason = f"code {error.code}" + (f"/{error.subcode}" if error.subcode else "")
    if isinstance(error, FacebookDuplicatePostError):
        return Verdict("posted", "Facebook already has this post (506)")
    if isinstance(error, FacebookTransientError | FacebookUnavailableError):
        return Verdict("unknown", f"Facebook failed ({reason}, HTTP {error.http_status})")
    if isinstance(error, FacebookRateLimitedError):
        scope = APP if error.code == APP_RATE_LIMIT_CODE else None
        return Verdict("throttled", f"rate limited ({reason})",
                       pause_s=error.retry_after or throttle_s, pause_scope=scope)  # fmt: skip
    if isinstance(error, FacebookTokenError):
        return Verdict("broken", f"the Page token no longer works ({error.problem}, {reason})")
    if isinstance(error, FacebookPermissionError):
        return Verdict("broken", f"a Page permission is missing ({reason})")
    if isinstance(error, FacebookBlockedError):
        return Verdict("blocked", f"Facebook blocked posting to this Page ({reason})")
    return Verdict("failed", f"Facebook refused the post ({reason})")


def retry_in_s(failures: int, base: float = 1.0, cap: float = 300.0) -> float:
    """The backoff before the next try after ``failures`` failed tries (1 s, 2 s, 4 s… 5 min)."""
    return float(min(cap, base * 2 ** max(0, failures - 1)))
