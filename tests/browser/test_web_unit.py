"""The web client's own unit tests (Vitest, web/src/*.test.ts) and its type check, run from
pytest so that `make test` runs them; `npm test` in web/ runs the same tests alone."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from browser_support import ROOT

WEB = ROOT / "web"


def _npx() -> str:
    npx = shutil.which("npx")
    if npx is None or not (WEB / "node_modules" / "vitest").is_dir():
        pytest.fail(
            "the web client's npm packages are not installed: `make up` installs them "
            "(or `npm --prefix web ci --ignore-scripts`)",
            pytrace=False,
        )
    return npx


def test_vitest_runs_the_web_client_s_unit_tests() -> None:
    answer = subprocess.run(
        [_npx(), "--no-install", "vitest", "run", "--reporter=dot"],
        cwd=WEB, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert " passed" in answer.stdout


def test_the_web_client_type_checks() -> None:
    answer = subprocess.run(
        [_npx(), "--no-install", "tsc", "--noEmit"],
        cwd=WEB, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert answer.returncode == 0, answer.stdout + answer.stderr
