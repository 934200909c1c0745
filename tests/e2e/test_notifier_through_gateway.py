"""Issue 11's "done when", through the gateway only: a person who opted in to share their joins
signs up, and Jumo's Page on the sandbox shows that they joined, while their welcome
notification carries a share link; an organization accepts their application, and they see it
in GET /notifications, live on the stream (Server-Sent Events through the gateway), and in
Mailpit's inbox."""

from __future__ import annotations

import http.client
import json
import queue
import threading
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from typing import Any

from e2e_curl import Curl
from e2e_orgs import eventually, make_moderator, newcomer, ok
from e2e_people import assert_login, consent, create_test_user, refresh
from e2e_processes import SystemUnderTest

from jumo_common.testing.plugin import InfraUrls

LYON = {"address": "20 quai Claude Bernard", "city": "Lyon", "lat": 45.75, "lng": 4.85}


def sign_up_sharing(curl: Curl, system: SystemUnderTest) -> tuple[dict[str, Any], float]:
    """A Facebook test user signs up with ``share_joins=true``; the login and when it ended."""
    user = create_test_user(curl, system, installed=False)
    assert curl(user["login_url"]).status == 200
    start = curl(f"{system.gateway.url}/auth/facebook/login?share_joins=true")
    assert start.status == 302, start.body
    callback = consent(curl, system, start.location, "accept")
    answer = curl(callback)
    return assert_login(answer, user, created=True), time.monotonic()


def jumo_page_posts(curl: Curl, system: SystemUnderTest) -> list[dict[str, Any]]:
    """What the sandbox shows on Jumo's Page."""
    page_id = system.jumo_page.page_id
    answer = curl(f"{system.sandbox_url}/__sandbox/posts?page_id={page_id}")
    assert answer.status == 200, answer.body
    posts: list[dict[str, Any]] = answer.json()["posts"]
    return posts


class Stream:
    """``GET /notifications/stream`` through the gateway, read line by line in a thread."""

    def __init__(self, gateway_url: str, token: str) -> None:
        url = urllib.parse.urlsplit(gateway_url)
        self.connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port,
                                                     timeout=60)  # fmt: skip
        self.connection.request("GET", "/notifications/stream",
                                headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type", "").startswith("text/event-stream")
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if line.startswith("data: "):
                    self.events.put(json.loads(line[6:]))
        except (OSError, ValueError, AttributeError):
            return  # hung up (http.client drops its file while the thread still reads)

    def next_of_kind(self, kind: str, timeout: float = 20.0) -> dict[str, Any]:
        """The next notification of ``kind`` on the stream."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            if found["kind"] == kind:
                return found

    def close(self) -> None:
        """Hang up."""
        self.connection.close()


def mailpit_message(curl: Curl, system: SystemUnderTest, to: str, words: str) -> dict[str, Any]:
    """The message to ``to`` whose subject has ``words``, with its headers and parts."""
    query = urllib.parse.quote(f"to:{to}")

    def found() -> dict[str, Any] | None:
        answer = curl(f"{system.mailpit_url}/api/v1/search?query={query}")
        assert answer.status == 200, answer.body
        hits = [m for m in answer.json()["messages"] if words in m["Subject"]]
        return hits[0] if hits else None

    summary = eventually(found, f"an email to {to} about {words!r}")
    message: dict[str, Any] = curl(f"{system.mailpit_url}/api/v1/message/{summary['ID']}").json()
    return message


def test_a_member_who_opted_in_shows_on_facebook_and_hears_of_their_acceptance(
    system: SystemUnderTest, infra: InfraUrls, curl: Curl, other_curl: Curl
) -> None:
    gw = system.gateway.url
    ann, signed_up = sign_up_sharing(curl, system)
    name = ann["user"]["display_name"]

    def joined_post() -> dict[str, Any] | None:
        posts = [
            p
            for p in jumo_page_posts(curl, system)
            if p["message"].startswith(f"{name} joined Jumo")
        ]
        return posts[0] if posts else None

    post = eventually(joined_post, "the join on Jumo's Page")
    print(f"\n'{name} joined Jumo' on Jumo's Page {time.monotonic() - signed_up:.2f} s after "
          "the sign-up")  # fmt: skip
    assert post["link"].startswith(gw)

    def welcome() -> dict[str, Any] | None:
        items = ok(curl, "GET", f"{gw}/notifications", ann)["items"]
        return next((i for i in items if i["kind"] == "welcome"), None)

    share = eventually(welcome, "the welcome notification")["data"]["share_url"]
    assert share.startswith(f"{system.sandbox_url}/dialog/share?")
    assert f"app_id={system.app_id}" in share

    olga, mo = newcomer(other_curl, system), newcomer(other_curl, system)
    make_moderator(system, infra, mo["user"]["id"])
    mo = refresh(other_curl, system, mo["refresh_token"]).json()
    org = ok(other_curl, "POST", f"{gw}/orgs", olga, {
        "name": "Water for All", "mission": "Clean water for every school.",
        "causes": ["clean-water"], "hq": {"city": "Lyon", "country": "FR", "lat": 45.76,
                                          "lng": 4.84},
    })  # fmt: skip
    ok(other_curl, "POST", f"{gw}/orgs/{org['id']}/submit", olga)
    ok(other_curl, "POST", f"{gw}/orgs/{org['id']}/verify", mo)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    opp = ok(other_curl, "POST", f"{gw}/orgs/{org['id']}/opportunities", olga, {
        "title": "Fountain repair day", "description": "Tools provided.",
        "causes": ["clean-water"], "skills_wanted": [], "skills_required": [],
        "commitment": {"kind": "one_off", "slots": [{
            "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat(),
            "places": 5}]},
        "time_zone": "Europe/Paris", "place": {**LYON, "country": "FR"}, "publish": True,
    })  # fmt: skip
    application = ok(curl, "POST", f"{gw}/opportunities/{opp['id']}/applications", ann,
                     {"slot_id": opp["slots"][0]["id"]})  # fmt: skip

    stream = Stream(gw, ann["access_token"])
    try:
        ok(other_curl, "POST", f"{gw}/applications/{application['id']}/accept", olga)
        accepted = time.monotonic()
        live = stream.next_of_kind("application_accepted")
        print(f"live on the stream {time.monotonic() - accepted:.2f} s after the acceptance")
    finally:
        stream.close()
    assert live["text"] == "Water for All accepted you for Fountain repair day"
    assert "/dialog/share?" in live["data"]["share_url"]

    listed = ok(curl, "GET", f"{gw}/notifications", ann)["items"]
    assert listed[0]["kind"] == "application_accepted"
    assert listed[0]["text"] == live["text"]
    assert listed[0]["read"] is False

    email = mailpit_message(curl, system, ann["user"]["email"], "Fountain repair day")
    assert email["To"][0]["Address"] == ann["user"]["email"]
    assert "Water for All accepted you for Fountain repair day" in email["Text"]
    assert email["HTML"]
    headers = curl(f"{system.mailpit_url}/api/v1/message/{email['ID']}/headers").json()
    assert headers["List-Unsubscribe-Post"] == ["List-Unsubscribe=One-Click"]
    assert "/notifications/unsubscribe?token=" in headers["List-Unsubscribe"][0]
