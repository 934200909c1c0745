"""Issue 8's "done when", with curl through the gateway only: a person creates an organization,
a moderator (made one by the operator's command) verifies it, it posts news; another person
finds it by text, by cause and by distance, follows it with settings of their own, joins its
cause and reviews it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from e2e_curl import Answer, Curl
from e2e_people import assert_login, bearer, create_test_user, refresh, sign_up
from e2e_processes import SystemUnderTest

from jumo_common.testing.plugin import InfraUrls


def _call(curl: Curl, method: str, url: str, login: dict[str, Any], body: Any = None) -> Answer:
    args = ["-X", method, *bearer(login)]
    if body is not None:
        args += ["-H", "Content-Type: application/json", "--data", json.dumps(body)]
    return curl(*args, url)


def _ok(curl: Curl, method: str, url: str, login: dict[str, Any], body: Any = None) -> Any:
    answer = _call(curl, method, url, login, body)
    assert answer.status < 300, (method, url, answer.status, answer.body[:500])
    return answer.json() if answer.body else None


def _newcomer(curl: Curl, system: SystemUnderTest) -> dict[str, Any]:
    user = create_test_user(curl, system, installed=False)
    return assert_login(sign_up(curl, system, user), user, created=True)


def _make_moderator(system: SystemUnderTest, infra: InfraUrls, user_id: str) -> None:
    """The operator's command, against this run's identity database."""
    env = {**os.environ, "MONGO_URL": infra.mongo_url, "MONGO_DATABASE": system.plan.mongo_database}
    done = subprocess.run(
        [sys.executable, "-m", "jumo_identity", "roles", "grant", "moderator", user_id],
        env=env, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_organization_from_creation_to_its_first_review(
    system: SystemUnderTest, infra: InfraUrls, curl: Curl, other_curl: Curl
) -> None:
    gw = system.gateway.url
    ann = _newcomer(curl, system)  # will run the organization
    mo = _newcomer(other_curl, system)  # will moderate
    _make_moderator(system, infra, mo["user"]["id"])
    mo = refresh(other_curl, system, mo["refresh_token"]).json()  # now with the role

    hq = {"city": "Lyon", "country": "FR", "lat": 45.764, "lng": 4.8357}
    org = _ok(curl, "POST", f"{gw}/orgs", ann, {
        "name": "Eaux Vives Médecins", "mission": "Clean water for every school in the Rhône.",
        "causes": ["clean-water"], "hq": hq,
    })  # fmt: skip
    assert (org["status"], org["hq"]["lat"]) == ("draft", 45.76)
    _ok(curl, "POST", f"{gw}/orgs/{org['id']}/submit", ann)
    queue = _ok(other_curl, "GET", f"{gw}/moderation/orgs", mo)
    assert org["id"] in [item["id"] for item in queue["items"]]
    assert _ok(other_curl, "POST", f"{gw}/orgs/{org['id']}/verify", mo)["status"] == "verified"
    news = {"title": "Ten new fountains", "body": "Installed this week: see https://example.org."}
    post = _ok(curl, "POST", f"{gw}/orgs/{org['id']}/posts", ann, news)

    ben = _newcomer(curl, system)  # a volunteer looking for it
    for query, why in (("q=medecins%20eaux", "words"), ("q=vive", "words"),
                       ("cause=environment", "causes"),
                       ("near=45.75,4.85&radius_km=10", "distance_km")):  # fmt: skip
        found = _ok(curl, "GET", f"{gw}/orgs?{query}", ben)
        hits = [h for h in found["items"] if h["id"] == org["id"]]
        assert hits, f"not found by {query}"
        assert hits[0]["why"][why], (query, hits[0]["why"])

    follow = _ok(curl, "PUT", f"{gw}/orgs/{org['id']}/follow", ben,
                 {"notify": "all", "digest": "never"})  # fmt: skip
    assert (follow["settings"]["notify"], follow["settings"]["in_feed"]) == ("all", True)
    mine = _ok(curl, "GET", f"{gw}/users/me/following/orgs", ben)  # routed to orgs
    assert [item["org"]["org_id"] for item in mine["items"]] == [org["id"]]
    assert _ok(curl, "PUT", f"{gw}/causes/clean-water/membership", ben)["member"] is True
    causes = _ok(curl, "GET", f"{gw}/users/{ben['user']['id']}/causes", ben)
    assert "clean-water" in json.dumps(causes)
    review = _ok(curl, "POST", f"{gw}/orgs/{org['id']}/reviews", ben,
                 {"stars": 5, "text": "They answered within a day."})  # fmt: skip
    summary = _ok(curl, "GET", f"{gw}/orgs/{org['id']}/reviews/summary", ben)
    assert (summary["count"], summary["average"]) == (1, 5.0)
    posts = _ok(curl, "GET", f"{gw}/orgs/{org['id']}/posts", ben)
    assert [p["id"] for p in posts["items"]] == [post["id"]]
    assert review["id"]
