"""Issue 12, item 2: ``make demo`` at a small scale (3 organizations, 30 volunteers) against this
session's own system, twice. The second run adds nothing — neither on Facebook's side nor in
any count the API shows — and the logins the demo prints work."""

from __future__ import annotations

import json
import shlex
import shutil
import sys
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from e2e_demo import DEMO, demo_token, run_demo
from e2e_processes import SystemUnderTest

from jumo_common.testing.plugin import InfraUrls

STATES = {"pending", "accepted", "declined", "waitlisted", "withdrawn", "cancelled"}


def _get(url: str, token: str | None = None) -> Any:
    request = urllib.request.Request(url)  # noqa: S310 (http: our gateway and sandbox)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        return json.loads(answer.read())


def _printed_token(line: str, system: SystemUnderTest, infra: InfraUrls) -> str:
    """Run a ``token: …`` command the demo printed; the access token it prints."""
    words = shlex.split(line.split("token:", 1)[1])
    if shutil.which(words[0]) is None:  # no uv on PATH: the same program with this Python
        words = [sys.executable, *words[words.index("python") + 1 :]]
    return demo_token(words, system, infra)


def _what_the_api_shows(system: SystemUnderTest, state: dict[str, Any]) -> dict[str, Any]:
    """Counts a second run must leave as they are: Facebook's test users, each organization's
    followers, news, opportunities, events and reviews."""
    gw = system.gateway.url
    users = _get(
        f"{system.sandbox_url}/v26.0/{system.app_id}/accounts/test-users"
        f"?access_token={system.app_id}%7C{system.app_secret}"
    )
    shown: dict[str, Any] = {"test users": len(users["data"])}
    for key, org in sorted(state["orgs"].items()):
        page = _get(f"{gw}/orgs/{org['id']}")
        shown[key] = (
            page["followers"],
            len(_get(f"{gw}/orgs/{org['id']}/posts?limit=100")["items"]),
            len(_get(f"{gw}/orgs/{org['id']}/opportunities?limit=100")["items"]),
            len(_get(f"{gw}/orgs/{org['id']}/events?limit=100")["items"]),
            _get(f"{gw}/orgs/{org['id']}/reviews/summary")["count"],
            page["status"],
        )
    return shown


def test_the_demo_twice_adds_nothing_and_its_logins_work(
    system: SystemUnderTest, infra: InfraUrls, tmp_path: Path
) -> None:
    state_path = tmp_path / "demo-state.json"
    first = run_demo(system, infra, state_path)
    assert "created 0 things" not in first
    state = json.loads(state_path.read_text())
    assert len(state["orgs"]) == 3
    assert len([k for k in state["people"] if k.startswith("volunteer-")]) == 30
    before = _what_the_api_shows(system, state)
    assert {shown[-1] for key, shown in before.items() if key != "test users"} == {"verified"}
    assert sum(shown[2] for key, shown in before.items() if key != "test users") == 18

    second = run_demo(system, infra, state_path)
    assert "created 0 things" in second, second
    assert _what_the_api_shows(system, json.loads(state_path.read_text())) == before

    gw = system.gateway.url
    lines = [line for line in second.splitlines() if "token:" in line]
    assert len(lines) == 3  # a volunteer, an admin, the moderator
    volunteer, admin, moderator = (_printed_token(line, system, infra) for line in lines)
    me = _get(f"{gw}/users/me", volunteer)
    assert me["id"] == state["people"]["volunteer-0000"]["user_id"]
    assert me["skills"]
    assert me["location"]["city"]
    assert "moderator" in _get(f"{gw}/users/me", moderator)["roles"]
    org_id = state["orgs"]["org-00"]["id"]
    assert _get(f"{gw}/orgs/{org_id}/applications?limit=100", admin)["items"]

    statuses: Counter[str] = Counter()
    for key in state["orgs"]:
        words = [
            sys.executable,
            str(DEMO),
            "token",
            f"admin-{key[-2:]}",
            "--state",
            str(state_path),
        ]
        token = demo_token(words, system, infra)
        page = _get(f"{gw}/orgs/{state['orgs'][key]['id']}/applications?limit=100", token)
        statuses.update(item["status"] for item in page["items"])
    assert set(statuses) >= STATES, statuses
