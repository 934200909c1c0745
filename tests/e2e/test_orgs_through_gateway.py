"""Issue 8's "done when", with curl through the gateway only: a person creates an organization,
a moderator (made one by the operator's command) verifies it, it posts news; another person
finds it by text, by cause and by distance, follows it with settings of their own, joins its
cause and reviews it."""

from __future__ import annotations

import json

from e2e_curl import Curl
from e2e_orgs import make_moderator, newcomer, ok
from e2e_people import refresh
from e2e_processes import SystemUnderTest

from jumo_common.testing.plugin import InfraUrls


def test_an_organization_from_creation_to_its_first_review(
    system: SystemUnderTest, infra: InfraUrls, curl: Curl, other_curl: Curl
) -> None:
    gw = system.gateway.url
    ann = newcomer(curl, system)  # will run the organization
    mo = newcomer(other_curl, system)  # will moderate
    make_moderator(system, infra, mo["user"]["id"])
    mo = refresh(other_curl, system, mo["refresh_token"]).json()  # now with the role

    hq = {"city": "Lyon", "country": "FR", "lat": 45.764, "lng": 4.8357}
    org = ok(curl, "POST", f"{gw}/orgs", ann, {
        "name": "Eaux Vives Médecins", "mission": "Clean water for every school in the Rhône.",
        "causes": ["clean-water"], "hq": hq,
    })  # fmt: skip
    assert (org["status"], org["hq"]["lat"]) == ("draft", 45.76)
    ok(curl, "POST", f"{gw}/orgs/{org['id']}/submit", ann)
    queue = ok(other_curl, "GET", f"{gw}/moderation/orgs", mo)
    assert org["id"] in [item["id"] for item in queue["items"]]
    assert ok(other_curl, "POST", f"{gw}/orgs/{org['id']}/verify", mo)["status"] == "verified"
    news = {"title": "Ten new fountains", "body": "Installed this week: see https://example.org."}
    post = ok(curl, "POST", f"{gw}/orgs/{org['id']}/posts", ann, news)

    ben = newcomer(curl, system)  # a volunteer looking for it
    for query, why in (("q=medecins%20eaux", "words"), ("q=vive", "words"),
                       ("cause=environment", "causes"),
                       ("near=45.75,4.85&radius_km=10", "distance_km")):  # fmt: skip
        found = ok(curl, "GET", f"{gw}/orgs?{query}", ben)
        hits = [h for h in found["items"] if h["id"] == org["id"]]
        assert hits, f"not found by {query}"
        assert hits[0]["why"][why], (query, hits[0]["why"])

    follow = ok(curl, "PUT", f"{gw}/orgs/{org['id']}/follow", ben,
                 {"notify": "all", "digest": "never"})  # fmt: skip
    assert (follow["settings"]["notify"], follow["settings"]["in_feed"]) == ("all", True)
    mine = ok(curl, "GET", f"{gw}/users/me/following/orgs", ben)  # routed to orgs
    assert [item["org"]["org_id"] for item in mine["items"]] == [org["id"]]
    assert ok(curl, "PUT", f"{gw}/causes/clean-water/membership", ben)["member"] is True
    causes = ok(curl, "GET", f"{gw}/users/{ben['user']['id']}/causes", ben)
    assert "clean-water" in json.dumps(causes)
    review = ok(curl, "POST", f"{gw}/orgs/{org['id']}/reviews", ben,
                 {"stars": 5, "text": "They answered within a day."})  # fmt: skip
    summary = ok(curl, "GET", f"{gw}/orgs/{org['id']}/reviews/summary", ben)
    assert (summary["count"], summary["average"]) == (1, 5.0)
    posts = ok(curl, "GET", f"{gw}/orgs/{org['id']}/posts", ben)
    assert [p["id"] for p in posts["items"]] == [post["id"]]
    assert review["id"]
