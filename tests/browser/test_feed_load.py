"""Issue 13, item 6: how soon the home feed is on screen and usable, with the demo's data —
measured in the browser and reported (printed, and saved to
test-artifacts/browser/feed-load.json), never asserted: a timing assertion on two shared cores
would only be flaky.

The demo (``make demo``'s program, at its small scale: 3 organizations, 30 volunteers) fills
this session's system; its first volunteer signs in as a person does. Each load is measured in
the page itself: from the navigation's start to the first frame after the feed's items are in
the document (the app renders them once GET /feed answers; their buttons and links work from
that frame on), so Playwright's own polling adds nothing: the landing after sign-in (the
navigation from Facebook's redirect: the cold one, when feed builds the person's timeline),
then reloads (a silent refresh, then GET /feed), at a desktop's and a phone's size.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

import pytest
from browser_support import ARTIFACTS, DESKTOP, PHONE
from community_support import SIGNED_OUT_REFRESH, expect

# tests/e2e's helpers (on the path: conftest.py loads tests/e2e's conftest).
from e2e_demo import run_demo  # type: ignore[import-not-found]

RELOADS = 7
GOAL_MS = 1500
# Records the first frame after the feed shows items (or says it is empty) in this document.
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


def shown_ms(opened: Any, load: bool = True) -> float:
    """Load the feed once (``load``: else the page already loading); when its items were on
    screen, after the navigation's start. (The mark is read by polling: the app's CSP, kept
    here, forbids wait_for_function's eval.)"""
    if load:
        opened.open("/")
    deadline = time.monotonic() + 60
    while (shown := opened.page.evaluate("window.__feedShownMs")) is None:
        assert time.monotonic() < deadline, "the feed was not shown within 60 s"
        time.sleep(0.05)
    return float(shown)


@pytest.mark.demo_data
def test_the_home_feed_with_the_demo_data_loads_and_its_time_is_reported(
    open_page: Any, system: Any, infra: Any, tmp_path: Path
) -> None:
    state_path = tmp_path / "demo-state.json"
    run_demo(system, infra, state_path)
    person = json.loads(state_path.read_text())["people"]["volunteer-0000"]
    opened = open_page(viewport=DESKTOP)
    page = opened.page
    page.add_init_script(MARK_FEED_SHOWN)
    # Signed in as a person does; the demo's login already said Continue on Facebook's consent.
    page.goto(person["login_url"])
    opened.open("/")
    with page.expect_response(lambda r: "/feed?" in r.url or r.url.endswith("/feed")) as feed:
        page.get_by_role("link", name="Continue with Facebook").click()
        page.wait_for_url(opened.url("/"), timeout=60_000)
    answered = len(feed.value.json()["items"])
    items = page.locator(".feed-list .feed-item")
    expect(items.first).to_be_visible()
    # What is measured is the person's feed: every item of GET /feed's first page shown.
    expect(items).to_have_count(answered)

    signed_in = shown_ms(opened, load=False)
    cold = shown_ms(opened)
    warm = [shown_ms(opened) for _ in range(RELOADS)]
    page.set_viewport_size(PHONE)
    phone = [shown_ms(opened) for _ in range(3)]
    shown = items.count()
    assert shown == answered
    figures = {
        "what": "navigation start to the first frame showing the home feed's items",
        "demo": "small (3 organizations, 30 volunteers); volunteer-0000",
        "items_shown": shown,
        "after_sign_in_ms": round(signed_in),
        "first_reload_ms": round(cold),
        "desktop_reloads_ms": [round(x) for x in warm],
        "desktop_median_ms": round(statistics.median(warm)),
        "phone_reloads_ms": [round(x) for x in phone],
        "phone_median_ms": round(statistics.median(phone)),
        "goal_ms": GOAL_MS,
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "feed-load.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"home feed load (reported, not asserted): {json.dumps(figures)}")
    opened.screenshot("feed-demo-phone")
    # A reload cancels what the page had in flight (the unread count): aborted, not failed.
    problems = opened.watched.problems(SIGNED_OUT_REFRESH)
    assert [p for p in problems if not p.endswith("net::ERR_ABORTED")] == []
