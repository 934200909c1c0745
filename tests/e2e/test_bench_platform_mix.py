"""bench/platform_mix.py's generator works: 2 s of its open-loop schedule at 20 requests/s
through the session's gateway, with a newcomer's token, every request answered and counted by
endpoint and status. (The figures are the benchmark's business, not this test's: nothing here
asserts a time.)"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from e2e_curl import Curl
from e2e_orgs import newcomer
from e2e_processes import SystemUnderTest

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import platform_mix  # type: ignore[import-not-found]  # noqa: E402 (bench/ is no package)


async def _soon() -> float:
    return time.time() + 0.3


async def test_the_generator_sends_its_schedule_and_counts_each_answer(
    system: SystemUnderTest, curl: Curl
) -> None:
    token = newcomer(curl, system)["access_token"]
    shapes = [("GET /feed", "/feed"), ("GET /notifications", "/notifications"),
              ("GET /orgs?q=", "/orgs?q=water"), ("GET /opportunities?q=", "/opportunities?q=help"),
              ("GET /orgs/{id}", "/orgs/no-such-organization")]  # fmt: skip
    requests = [(platform_mix.ENDPOINTS.index(name), "GET", path, token, None)
                for _ in range(8) for name, path in shapes]  # fmt: skip
    plan = {"gateway": system.gateway.url, "rate": 20, "processes": 1, "index": 0, "grace": 20,
            "connections": 4, "requests": requests}  # fmt: skip

    result = await platform_mix.generate(plan, start=_soon)

    assert len(result["status"]) == 40
    expected = [404 if path.startswith("/orgs/no-") else 200 for _, _, path, _, _ in requests]
    assert result["status"] == expected
    assert all(latency is not None and latency > 0 for latency in result["latency ms"])
    summary = platform_mix.summarize(20, 2, [result], {})
    assert {name: figs["requests"] for name, figs in summary["endpoints"].items()} == {
        name: 8 for name, _ in shapes
    }
    assert summary["endpoints"]["GET /orgs/{id}"]["errors by status"] == {"404": 8}
    assert summary["reads"]["errors"] == 8
    assert summary["writes"]["requests"] == 0
