"""What the browser tests share besides fixtures: sizes, paths, the repository's root."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, ViewportSize

ROOT = Path(__file__).resolve().parents[2]
# web/dist, or $JUMO_WEB_DIST: the same folder the system's gateway serves (e2e_processes.py).
WEB_DIST = Path(os.environ.get("JUMO_WEB_DIST") or ROOT / "web" / "dist")
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is (the context must
    bypass the CSP: the app's own policy allows no injected script)."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def main_fits(page: Page) -> bool:
    """Whether the page's main content fits the window's width (nothing to scroll sideways)."""
    return bool(page.evaluate("document.getElementById('main').scrollWidth <= window.innerWidth"))
