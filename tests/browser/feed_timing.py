"""How soon the home feed is on screen, measured in the page itself (issue 13, item 6): from
the navigation's start to the first frame after the feed's items are in the document (the app
renders them once GET /feed answers; their buttons and links work from that frame on), so the
driver's own polling adds nothing. Shared by tests/browser/test_feed_load.py (the small demo,
in ``make test``) and bench/web_feed_load.py (a running stack with ``make demo``'s data).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, ViewportSize

GOAL_MS = 1500

# Added to every document of the page (add_init_script): records the first frame after the
# feed shows items (or says it is empty).
MARK_FEED_SHOWN = """
(() => {
  const shown = () => document.querySelector(".feed-list .feed-item, .feed-list .card, .empty");
  const observer = new MutationObserver(() => {
    if (window.__feedShownMs !== undefined || !shown()) return;
    window.__feedShownMs = null;
    observer.disconnect();
    requestAnimationFrame(() => { window.__feedShownMs = performance.now(); });
  });
  observer.observe(document, { childList: true, subtree: true });
})();
"""


def shown_ms(page: Page, timeout_s: float = 60) -> float:
    """When the current document showed the feed, after its navigation's start. (Read by
    polling: the app's CSP forbids wait_for_function's eval.)"""
    deadline = time.monotonic() + timeout_s
    while (shown := page.evaluate("window.__feedShownMs")) is None:
        assert time.monotonic() < deadline, f"the feed was not shown within {timeout_s:.0f} s"
        time.sleep(0.05)
    return float(shown)


def timed_loads(
    page: Page, reload: Callable[[], None], phone: ViewportSize, reloads: int = 7
) -> dict[str, Any]:
    """The page has just landed on the feed after signing in: that load, then a first
    reload, ``reloads`` more at the page's size and 3 at ``phone``'s (each ``reload()``
    loads / again), in milliseconds."""
    signed_in = shown_ms(page)

    def again() -> float:
        reload()
        return shown_ms(page)

    first = again()
    desktop = [again() for _ in range(reloads)]
    page.set_viewport_size(phone)
    on_phone = [again() for _ in range(3)]
    return {
        "what": "navigation start to the first frame showing the home feed's items",
        "after_sign_in_ms": round(signed_in),
        "first_reload_ms": round(first),
        "desktop_reloads_ms": [round(x) for x in desktop],
        "desktop_median_ms": round(statistics.median(desktop)),
        "phone_reloads_ms": [round(x) for x in on_phone],
        "phone_median_ms": round(statistics.median(on_phone)),
        "goal_ms": GOAL_MS,
    }
