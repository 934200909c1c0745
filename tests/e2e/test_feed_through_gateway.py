"""Issue 10's "done when", with curl through the gateway only: a person who follows an
organization and two friends sees, in GET /feed, the organization's new post and opportunity
and the friends' joins, each with its reason, newest first."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from e2e_curl import Curl
from e2e_orgs import eventually, make_moderator, newcomer, ok
from e2e_people import refresh
from e2e_processes import SystemUnderTest

from jumo_common.testing.plugin import InfraUrls

LYON = {"address": "20 quai Claude Bernard", "city": "Lyon", "lat": 45.75, "lng": 4.85}


def _slot(days: int) -> dict[str, Any]:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat(),
            "places": 5}  # fmt: skip


def _shown(feed: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    """(kind, title or cause, reasons) of each item."""
    return [(item["kind"], item["snapshot"].get("title") or item["snapshot"].get("cause", ""),
             [r["text"] for r in item["reasons"]]) for item in feed["items"]]  # fmt: skip


def test_a_follower_sees_posts_opportunities_and_friends_joins_with_reasons(
    system: SystemUnderTest, infra: InfraUrls, curl: Curl, other_curl: Curl
) -> None:
    gw = system.gateway.url
    ann = newcomer(curl, system)  # reads the feed
    ok(curl, "GET", f"{gw}/feed", ann)  # she has a feed from now on: fan-out reaches it
    olga = newcomer(other_curl, system)  # runs the organization
    mo = newcomer(other_curl, system)
    make_moderator(system, infra, mo["user"]["id"])
    mo = refresh(other_curl, system, mo["refresh_token"]).json()
    org = ok(other_curl, "POST", f"{gw}/orgs", olga, {
        "name": "Water for All", "mission": "Clean water for every school.",
        "causes": ["clean-water"], "hq": {"city": "Lyon", "country": "FR", "lat": 45.76,
                                          "lng": 4.84},
    })  # fmt: skip
    ok(other_curl, "POST", f"{gw}/orgs/{org['id']}/submit", olga)
    ok(other_curl, "POST", f"{gw}/orgs/{org['id']}/verify", mo)
    bo, cy = newcomer(other_curl, system), newcomer(other_curl, system)  # Ann's friends

    ok(curl, "PUT", f"{gw}/orgs/{org['id']}/follow", ann)
    for friend in (bo, cy):
        ok(curl, "PUT", f"{gw}/users/{friend['user']['id']}/follow", ann)
    ok(other_curl, "POST", f"{gw}/orgs/{org['id']}/posts", olga,
       {"title": "Ten new fountains", "body": "Installed this week."})  # fmt: skip
    ok(other_curl, "POST", f"{gw}/orgs/{org['id']}/opportunities", olga, {
        "title": "Fountain repair day", "description": "Tools provided.",
        "causes": ["clean-water"], "skills_wanted": [], "skills_required": [],
        "commitment": {"kind": "one_off", "slots": [_slot(10)]}, "time_zone": "Europe/Paris",
        "place": {**LYON, "country": "FR"}, "publish": True,
    })  # fmt: skip
    ok(other_curl, "PUT", f"{gw}/causes/clean-water/membership", bo)
    ok(other_curl, "PUT", f"{gw}/causes/education/membership", cy)
    done = time.monotonic()

    def complete() -> dict[str, Any] | None:
        feed = ok(curl, "GET", f"{gw}/feed", ann)
        return feed if len(feed["items"]) >= 4 else None

    feed = eventually(complete, "the four activities in Ann's feed")
    print(f"visible {time.monotonic() - done:.2f} s after the last write")
    bo_name, cy_name = bo["user"]["display_name"], cy["user"]["display_name"]
    assert _shown(feed) == [
        ("cause_joined", "education", [f"{cy_name}, whom you follow, joined the cause Education"]),
        ("cause_joined", "clean-water",
         [f"{bo_name}, whom you follow, joined the cause Clean Water"]),
        ("opportunity", "Fountain repair day", ["You follow Water for All"]),
        ("post", "Ten new fountains", ["You follow Water for All"]),
    ]  # fmt: skip
    assert all(item["cursor"] for item in feed["items"])
