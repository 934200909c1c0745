"""What the browser tests share besides fixtures: sizes, paths, the repository's root."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import ViewportSize

ROOT = Path(__file__).resolve().parents[2]
# web/dist, or $JUMO_WEB_DIST: the same folder the system's gateway serves (e2e_processes.py).
WEB_DIST = Path(os.environ.get("JUMO_WEB_DIST") or ROOT / "web" / "dist")
ARTIFACTS = ROOT / "test-artifacts" / "browser"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
