"""deploy/prometheus: the alert rules and both scrape configurations pass promtool, the rules'
unit tests pass, and a Prometheus of our own
(Debian's, as ``make observe`` starts it) really scrapes the services and sees jumo_ metrics.

promtool and prometheus come with Debian's prometheus package (``make install`` installs it):
without them these tests fail and say so."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from e2e_processes import SystemUnderTest

from jumo_devstack import (
    PrometheusNode,
    free_port,
    prometheus_binary,
    prometheus_query,
    promtool,
    rules_file,
    scrape_config,
    wait_for,
)

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "deploy/prometheus"
SERVICES = ("identity", "orgs", "feed", "notifier")


def run_promtool(*arguments: str) -> str:
    try:
        result = promtool(*arguments)
    except FileNotFoundError as exc:
        pytest.fail(str(exc), pytrace=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_alert_rules_load() -> None:
    out = run_promtool("check", "rules", str(rules_file()))
    assert "SUCCESS" in out
    names = {rule["alert"] for g in yaml.safe_load(rules_file().read_text())["groups"]
             for rule in g["rules"]}  # fmt: skip
    wanted = {"JumoDeadLetterQueueGrowing", "JumoOutboxLagging", "JumoQueueWithoutConsumer",
              "JumoHttp5xxRate", "JumoServiceDown"}  # fmt: skip
    assert wanted <= names


def test_the_alert_rules_fire_when_they_should_and_only_then() -> None:
    # promtool reads rules.test.yml's rule_files relative to it: run it from its folder.
    out = run_promtool("test", "rules", str(FOLDER / "rules.test.yml"))
    assert "SUCCESS" in out


def test_compose_s_scrape_config_is_valid() -> None:
    # Its jobs and targets against compose's services: test_compose.py.
    run_promtool("check", "config", str(FOLDER / "prometheus.yml"))


def test_the_local_config_is_valid_with_the_same_jobs_and_rules(tmp_path: Path) -> None:
    targets = {job: f"127.0.0.1:{8001 + i}" for i, job in enumerate(SERVICES)}
    text = scrape_config(targets, [rules_file()])
    local = tmp_path / "prometheus.yml"
    local.write_text(text)
    run_promtool("check", "config", str(local))
    compose = yaml.safe_load((FOLDER / "prometheus.yml").read_text())
    rendered = json.loads(text.split("\n", 1)[1])
    assert [j["job_name"] for j in rendered["scrape_configs"]] == [
        j["job_name"] for j in compose["scrape_configs"]
    ]
    assert rendered["global"] == compose["global"]


@pytest.mark.timeout(600)
async def test_a_prometheus_of_our_own_scrapes_the_services(
    system: SystemUnderTest, tmp_path: Path
) -> None:
    try:
        prometheus_binary()
    except FileNotFoundError as exc:
        pytest.fail(str(exc), pytrace=False)
    plan = system.plan
    ports = {"identity": plan.identity_port, "orgs": plan.orgs_port,
             "feed": plan.feed_port, "notifier": plan.notifier_port}  # fmt: skip
    targets = {job: f"127.0.0.1:{port}" for job, port in ports.items()}
    node = PrometheusNode(tmp_path / "prometheus", free_port(), targets, interval_s=1)
    await asyncio.to_thread(node.start)
    try:
        await asyncio.to_thread(_wait_scraped, node)
    finally:
        await asyncio.to_thread(node.stop)


def _wait_scraped(node: PrometheusNode) -> None:
    def up() -> list[dict[str, Any]] | None:
        found = node.query("up == 1")
        return found if len(found) == len(SERVICES) else None

    assert wait_for(lambda: up() is not None, 120, interval=0.5), (
        node.query("up"),
        node.log_file.read_text()[-2000:],
    )
    assert {r["metric"]["job"] for r in node.query("up == 1")} == set(SERVICES)
    # The HTTP metrics of each (the scrapes themselves are requests), and the broker's count of
    # orgs' consumers, read by orgs at scrape time.
    assert wait_for(lambda: len(node.query("jumo_http_requests_total")) > 0, 60, interval=0.5)
    served = {r["metric"]["job"] for r in node.query("jumo_http_requests_total")}
    assert served == set(SERVICES)
    consumers = 'jumo_queue_consumers{job="orgs",kind="work"}'
    assert wait_for(lambda: len(prometheus_query(node.url, consumers)) > 0, 60, interval=0.5)
    assert all(float(r["value"][1]) >= 1 for r in node.query(consumers))
