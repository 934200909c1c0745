"""``make demo``'s program run against this session's own system: its environment, one run at
a chosen scale, and a demo person's access token (``jumo_demo.py token``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from e2e_processes import SystemUnderTest

from jumo_common.testing.plugin import InfraUrls

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "deploy" / "demo" / "jumo_demo.py"
DEMO_WITHIN_S = 240


def demo_env(system: SystemUnderTest, infra: InfraUrls) -> dict[str, str]:
    """The environment that points the demo at ``system`` (not at the dev stack)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    return env | {
        "GATEWAY_URL": system.gateway.url,
        "FACEBOOK_GRAPH_URL": system.sandbox_url,
        "FACEBOOK_APP_ID": system.app_id,
        "FACEBOOK_APP_SECRET": system.app_secret,
        "MONGO_URL": infra.mongo_url,
    }


def run_demo(system: SystemUnderTest, infra: InfraUrls, state: Path, scale: str = "small") -> str:
    """One run of the demo; its standard output (it fails the test with the demo's own words)."""
    command = [sys.executable, str(DEMO), "--scale", scale, "--state", str(state),
               "--identity-database", system.plan.mongo_database]  # fmt: skip
    try:
        done = subprocess.run(
            command, env=demo_env(system, infra), cwd=ROOT, capture_output=True, text=True,
            check=False, timeout=DEMO_WITHIN_S,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:  # say which phase it was in
        raise AssertionError(
            f"the demo ran over {DEMO_WITHIN_S} s: {str(exc.stderr)[-2000:]}"
        ) from exc
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    return done.stdout


def demo_token(words: list[str], system: SystemUnderTest, infra: InfraUrls) -> str:
    """Run a ``jumo_demo.py token …`` command; the access token it prints."""
    done = subprocess.run(
        words, env=demo_env(system, infra), cwd=ROOT, capture_output=True, text=True,
        check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip()
