"""The home feed in a browser with the full demo's data (issue 13, item 6: interactive within
1.5 s on this machine): how soon each of a few demo volunteers sees their feed, measured in
the page as tests/browser/test_feed_load.py does with the small demo (tests/browser/
feed_timing.py: navigation start to the first frame showing the feed's items).

    make up && make demo                                 # the full demo (about 20 minutes)
    uv run --frozen python bench/web_feed_load.py        # volunteer-0000 .. -0002
    uv run --frozen python bench/web_feed_load.py --people volunteer-0042 volunteer-1999

It drives the running stack (GATEWAY_URL, else http://127.0.0.1:8080) with Debian's chromium
($JUMO_CHROMIUM, else ``chromium``), headless, one fresh browser context per person: the
sandbox's login URL from the demo's state file (this browser is now that person on Facebook;
the demo's own login already said Continue on the consent page), the app, "Continue with
Facebook", the landing on / after the sign-in (the cold load), then a first reload, 7 more at a
desktop's size (1280 by 800) and 3 at a phone's (390 by 844). Each reload is a silent refresh
from the cookie, then GET /feed. Saves bench/web_feed_load.json; prints each person's figures
and the medians beside the goal. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "deploy" / "demo"))
# tests/browser and deploy/demo are folders, not packages: mypy, run on bench/ alone, does not
# see them.
from browser_support import DESKTOP, PHONE  # type: ignore[import-not-found]  # noqa: E402
from feed_timing import GOAL_MS, MARK_FEED_SHOWN, shown_ms, timed_loads  # type: ignore[import-not-found]  # noqa: E402
from jumo_demo import default_state_path  # type: ignore[import-not-found]  # noqa: E402

OUT = Path(__file__).with_suffix(".json")


def chromium() -> str:
    path = os.environ.get("JUMO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        sys.exit(f"no chromium at {path}: deploy/local/install.sh installs Debian's package")
    return path


def one_person(browser: Browser, gateway: str, key: str, record: dict[str, Any]) -> dict[str, Any]:
    """``key`` signs in and loads the feed again and again; their figures."""
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    context.set_default_timeout(60_000)
    try:
        page = context.new_page()
        page.add_init_script(MARK_FEED_SHOWN)

        def load_feed() -> None:
            with page.expect_response(lambda r: r.url.endswith("/auth/refresh")):
                page.goto(f"{gateway}/")

        page.goto(record["login_url"])
        load_feed()
        with page.expect_response(lambda r: "/feed?" in r.url or r.url.endswith("/feed")) as feed:
            page.get_by_role("link", name="Continue with Facebook").click()
            page.wait_for_url(f"{gateway}/", timeout=60_000)
        items = len(feed.value.json()["items"])
        # The landing's navigation began on Facebook's consent redirect: until the app's own
        # page answers, the time is identity's login callback, not the app or the feed.
        landing = page.evaluate(
            "(() => { const n = performance.getEntriesByType('navigation')[0];"
            " return {response: n.responseStart, redirects: n.redirectCount}; })()"
        )
        waterfall = landing_waterfall(page)
        figures = timed_loads(page, load_feed, PHONE)
        return {
            "person": key,
            "items_on_first_page": items,
            "landing_page_answered_ms": round(landing["response"]),
            **figures,
            "landing_requests": waterfall,
        }
    finally:
        context.close()


def landing_waterfall(page: Any) -> list[str]:
    """What the landing's document asked for until the feed showed: each request's path, when
    it started and when its answer ended (ms after the navigation's start), in start order."""
    shown = shown_ms(page)
    entries = page.evaluate(
        "performance.getEntriesByType('resource').map(e =>"
        " [e.name, Math.round(e.startTime), Math.round(e.responseEnd)])"
    )
    return [f"{start}-{end} {name.split('//', 1)[-1].split('/', 1)[-1][:60]}"
            for name, start, end in sorted(entries, key=lambda e: e[1])
            if start <= shown]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", nargs="+", default=[f"volunteer-{i:04d}" for i in range(3)])
    args = parser.parse_args(argv)
    gateway = os.environ.get("GATEWAY_URL", "http://127.0.0.1:8080").rstrip("/")
    state_path = default_state_path(os.environ)
    if not state_path.exists():
        sys.exit(f"no demo state at {state_path}: run make up && make demo first")
    state = json.loads(state_path.read_text())
    people = state["people"]
    signed_up = [key for key, rec in people.items() if rec.get("user_id")]
    volunteers = sum(1 for key in signed_up if key.startswith("volunteer-"))
    missing = [key for key in args.people if not people.get(key, {}).get("login_url")]
    if missing:
        sys.exit(f"not in the demo's state: {', '.join(missing)}")
    began = time.time()
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium(), headless=True)
        try:
            runs = [one_person(browser, gateway, key, people[key]) for key in args.people]
        finally:
            browser.close()
    summary = {
        "after_sign_in_median_ms": round(statistics.median(r["after_sign_in_ms"] for r in runs)),
        "landing_page_answered_median_ms": round(
            statistics.median(r["landing_page_answered_ms"] for r in runs)
        ),
        "first_reload_median_ms": round(statistics.median(r["first_reload_ms"] for r in runs)),
        "desktop_median_ms": round(
            statistics.median(x for r in runs for x in r["desktop_reloads_ms"])
        ),
        "phone_median_ms": round(statistics.median(x for r in runs for x in r["phone_reloads_ms"])),
        "goal_ms": GOAL_MS,
    }
    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(began)),
        "gateway": gateway,
        "demo": {"volunteers": volunteers, "organizations": len(state.get("orgs", {}))},
        "load_average": os.getloadavg(),
        "people": runs,
        "summary": summary,
    }
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    for run in runs:
        print(
            f"{run['person']}: {run['items_on_first_page']} items; after sign-in "
            f"{run['after_sign_in_ms']} ms (the app's page answered at "
            f"{run['landing_page_answered_ms']} ms), first reload {run['first_reload_ms']} ms, "
            f"desktop median {run['desktop_median_ms']} ms, "
            f"phone median {run['phone_median_ms']} ms"
        )
    print(f"medians (goal ≤ {GOAL_MS} ms): {json.dumps(summary)}; saved to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
