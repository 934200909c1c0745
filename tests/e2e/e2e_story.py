"""The story of issue 12 in steps, so that ``test_story.py`` reads like the story itself.

Everything a person does goes through the gateway, with curl (each person a terminal of their
own: ``Person``); what Facebook shows is read from the sandbox's Graph API (a Page's feed with
its Page token and ``appsecret_proof``), email from Mailpit's API. Only the erasure scan at the
end looks behind the gateway: every service's MongoDB database and feed's Redis, for the
volunteer's values (``Traces``), allowing only the leftovers ``ALLOWED`` names and justifies.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import redis
from e2e_curl import Answer, Curl
from e2e_orgs import eventually, make_moderator, ok
from e2e_people import appsecret_proof, assert_login, bearer, consent, facebook_token, refresh
from e2e_processes import SystemUnderTest
from pymongo import MongoClient
from test_notifier_through_gateway import Stream, mailpit_message

from jumo_common.testing.plugin import InfraUrls

GRAPH = "v26.0"
PAGE_GRANTS = ("pages_show_list", "pages_manage_posts", "pages_read_engagement")
LYON_POINT = {"lat": 45.7485, "lng": 4.8365}
LYON = {"address": "20 quai Claude Bernard", "city": "Lyon", **LYON_POINT}
EVERY_PART_OF_THE_WEEK = [f"{days}_{part}" for days in ("weekday", "weekend")
                          for part in ("mornings", "afternoons", "evenings")]  # fmt: skip
# Events travel through the bus on a busy shared machine: generous, and only ever the limit.
SLOW = 45.0


def _in(delta: timedelta) -> str:
    """A time that far from now, as a JSON body carries it."""
    return (datetime.now(UTC).replace(microsecond=0) + delta).isoformat()


def unusual(word: str) -> str:
    """``word`` with a random tail: a value no other test, and no chance, writes."""
    return f"{word}{secrets.token_hex(4)}"


@dataclass
class Person:
    """Someone with a Facebook test user, a terminal of their own and (once signed up) a login
    to Jumo; every call goes through the gateway."""

    system: SystemUnderTest
    curl: Curl
    facebook: dict[str, Any]  # the sandbox's test user: id, login_url, email, …
    login: dict[str, Any] = field(default_factory=dict)

    @property
    def gw(self) -> str:
        return self.system.gateway.url

    @property
    def id(self) -> str:
        return str(self.login["user"]["id"])

    @property
    def name(self) -> str:
        return str(self.login["user"]["display_name"])

    @property
    def email(self) -> str:
        return str(self.facebook["email"])

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """The JSON of a call through the gateway that must succeed."""
        return ok(self.curl, method, f"{self.gw}{path}", self.login, body)

    def get(self, path: str) -> Any:
        return self.call("GET", path)

    def peek(self, path: str) -> Any:
        """GET for a probe that waits on an effect: a 503 (a store busy on this shared machine,
        "try again") is "not yet", anything else but success fails at once."""
        answer = ok_or_busy(self.curl, f"{self.gw}{path}", self.login)
        return None if answer is None else answer.json()

    def sign_up(self, *, share_joins: bool = False) -> Person:
        """Facebook Login through the gateway (opting in to show joins on Facebook or not)."""
        assert self.curl(self.facebook["login_url"]).status == 200
        query = "?share_joins=true" if share_joins else ""
        start = self.curl(f"{self.gw}/auth/facebook/login{query}")
        assert start.status == 302, start.body
        answer = self.curl(consent(self.curl, self.system, start.location, "accept"))
        self.login = assert_login(answer, self.facebook, created=True)
        return self

    def log_in_again(self) -> None:
        """A later login: Facebook remembers the consent and sends the browser straight back
        (identity reads the person's Facebook friends at every login)."""
        answer = self.curl("-L", f"{self.gw}/auth/facebook/login")
        self.login = assert_login(answer, self.facebook, created=False)

    def refresh(self) -> None:
        """A new access token (say, carrying a role granted since)."""
        renewed = refresh(self.curl, self.system, self.login["refresh_token"])
        assert renewed.status == 200, renewed.body
        self.login = renewed.json()

    def facebook_token(self) -> str:
        return facebook_token(self.curl, self.system, self.facebook["id"])


@dataclass
class Platform:
    """Jumo as the world outside sees it: the gateway, Facebook's sandbox, Mailpit."""

    system: SystemUnderTest
    infra: InfraUrls
    folder: Path

    def person(self, name: str) -> Person:
        """A Facebook test user of this name, with a terminal of their own."""
        curl = Curl(self.folder / f"curl-{name.split()[0].lower()}")
        app = self.system.app_id
        answer = curl(
            "-X", "POST", f"{self.system.sandbox_url}/{GRAPH}/{app}/accounts/test-users",
            "-d", "installed=false", "-d", "permissions=email,user_friends", "-d", f"name={name}",
            "-d", f"access_token={app}|{self.system.app_secret}",
        )  # fmt: skip
        assert answer.status == 200, answer.body
        return Person(self.system, curl, answer.json())

    def moderator(self) -> Person:
        """Someone the operator made a moderator (``python -m jumo_identity roles grant``)."""
        mo = self.person("Mo Derator").sign_up()
        make_moderator(self.system, self.infra, mo.id)
        mo.refresh()
        return mo

    def page_feed(self, page_id: str, page_token: str) -> list[str]:
        """The messages a Facebook Page shows (Graph API ``GET /{page}/feed``), newest first."""
        query = urllib.parse.urlencode({
            "access_token": page_token, "limit": "100",
            "appsecret_proof": appsecret_proof(self.system, page_token),
        })  # fmt: skip
        curl = Curl(self.folder / "curl-facebook")
        answer = curl(f"{self.system.sandbox_url}/{GRAPH}/{page_id}/feed?{query}")
        assert answer.status == 200, answer.body
        return [str(post.get("message", "")) for post in answer.json()["data"]]

    def page_shows(self, page_id: str, page_token: str, message: str) -> str:
        """Wait until the Page shows a post starting with ``message``; that post."""

        def shown() -> str | None:
            return next((m for m in self.page_feed(page_id, page_token)
                         if m.startswith(message)), None)  # fmt: skip

        return eventually(shown, f"{message!r} on Facebook Page {page_id}", SLOW)

    def jumo_page_shows(self, message: str) -> str:
        """Wait until Jumo's own Page shows ``message``."""
        page = self.system.jumo_page
        return self.page_shows(page.page_id, page.page_token, message)

    def email_to(self, person: Person, words: str) -> dict[str, Any]:
        """The email to ``person`` whose subject has ``words`` (Mailpit's API)."""
        return mailpit_message(person.curl, self.system, person.email, words)


# ---- the organization's side ----------------------------------------------------------------


def create_organization(admin: Person, name: str) -> dict[str, Any]:
    """A draft organization in Lyon, submitted for verification."""
    org: dict[str, Any] = admin.call("POST", "/orgs", {
        "name": name, "mission": "Clean water for every school of the Rhône.",
        "causes": ["clean-water"], "hq": {"city": "Lyon", "country": "FR", **LYON_POINT},
    })  # fmt: skip
    admin.call("POST", f"/orgs/{org['id']}/submit")
    return org


def verify(moderator: Person, org: dict[str, Any]) -> str:
    """The moderator verifies the organization; its status."""
    return str(moderator.call("POST", f"/orgs/{org['id']}/verify")["status"])


@dataclass(frozen=True)
class FacebookPage:
    """A Facebook Page (the sandbox's) and a Page token of it, to read what it shows."""

    id: str
    token: str


def link_facebook_page(platform: Platform, admin: Person, org: dict[str, Any]) -> FacebookPage:
    """The admin's Facebook account manages a Page of the organization's name; they link it
    through the gateway as a browser does: notifier's Login dialog (Page permissions), consent,
    Facebook's redirect back to ``/facebook-pages/callback`` in the same browser."""
    made = admin.curl("-X", "POST", "-H", "Content-Type: application/json", "--data",
                      json.dumps({"owner_id": admin.facebook["id"], "name": org["name"]}),
                      f"{platform.system.sandbox_url}/__sandbox/pages")  # fmt: skip
    assert made.status == 200, made.body
    page = FacebookPage(str(made.json()["id"]), str(made.json()["access_token"]))

    def dialog() -> str | None:  # once notifier has heard who runs the organization
        answer = _call(admin, "POST", f"/facebook-pages/{org['id']}/login", {})
        return str(answer.json()["url"]) if answer.status == 200 else None

    url = eventually(dialog, "notifier knowing the organization's admin", SLOW)
    assert admin.curl(url).status == 200  # the consent page (auth_type=rerequest)
    grants = "&".join(f"grant={scope}" for scope in PAGE_GRANTS)
    confirm = f"{platform.system.sandbox_url}/{GRAPH}/dialog/oauth/confirm"
    back = admin.curl("--data", f"{url.split('?', 1)[1]}&decision=accept&{grants}", confirm)
    assert back.status == 302, back.body
    assert back.location.startswith(f"{admin.gw}/facebook-pages/callback?"), back.location
    linked = admin.curl(back.location)
    assert linked.status == 200, linked.body
    assert (linked.json()["linked"], linked.json()["page_id"]) == (True, page.id), linked.body
    return page


def ok_or_busy(curl: Curl, url: str, login: dict[str, Any]) -> Answer | None:
    """A GET that succeeds, or None when the service answered 503 (it says: try again)."""
    answer = curl(*bearer(login), url)
    if answer.status == 503:
        return None
    assert answer.status < 300, ("GET", url, answer.status, answer.body[:500])
    return answer


def _call(person: Person, method: str, path: str, body: Any = None) -> Answer:
    args = ["-X", method, *bearer(person.login)]
    if body is not None:
        args += ["-H", "Content-Type: application/json", "--data", json.dumps(body)]
    return person.curl(*args, f"{person.gw}{path}")


def post_news(admin: Person, org: dict[str, Any], title: str) -> dict[str, Any]:
    post: dict[str, Any] = admin.call("POST", f"/orgs/{org['id']}/posts",
                                      {"title": title, "body": "Installed this week."})  # fmt: skip
    return post


def publish_opportunity(admin: Person, org: dict[str, Any], title: str) -> dict[str, Any]:
    """A one-off shift starting in 30 minutes (check-in opens an hour before a shift), asking
    for first aid, with one question to applicants."""
    start = timedelta(minutes=30)
    opp: dict[str, Any] = admin.call("POST", f"/orgs/{org['id']}/opportunities", {
        "title": title, "description": "Gloves, bags and coffee provided.",
        "causes": ["clean-water"], "skills_wanted": ["First Aid"], "skills_required": [],
        "commitment": {"kind": "one_off", "slots": [{
            "starts_at": _in(start), "ends_at": _in(start + timedelta(hours=3)), "places": 3}]},
        "time_zone": "Europe/Paris", "place": {**LYON, "country": "FR"},
        "questions": [{"text": "Why do you want to help?"}], "publish": True,
    })  # fmt: skip
    assert opp["status"] == "open", opp
    return opp


def schedule_event(admin: Person, org: dict[str, Any], opp: dict[str, Any],
                   title: str) -> dict[str, Any]:  # fmt: skip
    """A briefing in three days (its reminder, due a day before, not yet due)."""
    event: dict[str, Any] = admin.call("POST", f"/orgs/{org['id']}/events", {
        "title": title, "starts_at": _in(timedelta(days=3)),
        "ends_at": _in(timedelta(days=3, hours=1)), "time_zone": "Europe/Paris",
        "place": LYON, "capacity": 30, "opportunity_id": opp["id"],
    })  # fmt: skip
    return event


def move_event_to_tomorrow(admin: Person, event: dict[str, Any]) -> None:
    """The briefing moves to tomorrow: less than a day away, its reminder falls due (orgs'
    calendar scheduler sends it at its next round)."""
    admin.call("PATCH", f"/events/{event['id']}", {
        "starts_at": _in(timedelta(hours=20)), "ends_at": _in(timedelta(hours=21)),
    })  # fmt: skip


def accept(admin: Person, application: dict[str, Any]) -> str:
    return str(admin.call("POST", f"/applications/{application['id']}/accept")["status"])


def check_in_and_attest(admin: Person, opp: dict[str, Any], application: dict[str, Any],
                        hours: float) -> dict[str, Any]:  # fmt: skip
    """The admin checks the volunteer in and attests their hours; the attested check-in."""
    check_ins = f"/opportunities/{opp['id']}/check-ins"
    check_in = admin.call("POST", check_ins, {"application_id": application["id"]})
    attested: dict[str, Any] = admin.call("PUT", f"{check_ins}/{check_in['id']}/hours",
                                          {"hours": hours})  # fmt: skip
    return attested


# ---- the volunteer's side -------------------------------------------------------------------


def befriend_on_facebook(one: Person, other: Person) -> None:
    """``one`` asks, ``other`` confirms: Facebook friends (each with their own token)."""
    sandbox = one.system.sandbox_url
    for asker, asked in ((one, other), (other, one)):
        token = asker.facebook.get("access_token") or asker.facebook_token()
        friends = f"{sandbox}/{GRAPH}/{asker.facebook['id']}/friends"
        answer = asker.curl(
            "-X", "POST", f"{friends}/{asked.facebook['id']}",
            "-d", f"access_token={token}",
            "-d", f"appsecret_proof={appsecret_proof(one.system, token)}",
        )  # fmt: skip
        assert answer.status == 200, answer.body


def describe_myself(volunteer: Person, bio: str) -> None:
    """Skills, where they live, when they are free, a bio, and findable by organizations."""
    volunteer.call("PATCH", "/users/me", {
        "bio": bio, "skills": ["first aid"], "findable": True, "radius_km": 20,
        "location": {"city": "Lyon", "lat": 45.75, "lng": 4.85},
        "availability": {"parts": EVERY_PART_OF_THE_WEEK},
    })  # fmt: skip


def join_cause(volunteer: Person, slug: str) -> bool:
    return bool(volunteer.call("PUT", f"/causes/{slug}/membership")["member"])


def follow_org(volunteer: Person, org: dict[str, Any]) -> None:
    volunteer.call("PUT", f"/orgs/{org['id']}/follow", {"notify": "all", "digest": "never"})


def suggestions(person: Person) -> list[str]:
    """The ids Jumo suggests following (Facebook friends on Jumo)."""
    return [item["id"] for item in person.get("/users/me/suggestions")["items"]]


def follow_person(volunteer: Person, other: Person) -> None:
    volunteer.call("PUT", f"/users/{other.id}/follow")


def feed_reasons(volunteer: Person, titles: set[str]) -> dict[str, list[str]]:
    """Wait until the volunteer's feed shows every one of ``titles``; each one's reasons."""

    def complete() -> dict[str, list[str]] | None:
        if (feed := volunteer.peek("/feed")) is None:
            return None
        reasons = {item["snapshot"].get("title"): [r["text"] for r in item["reasons"]]
                   for item in feed["items"]}  # fmt: skip
        return reasons if titles <= reasons.keys() else None

    return eventually(complete, f"{titles} in the feed", SLOW)


def recommendation(volunteer: Person, opp: dict[str, Any]) -> dict[str, Any]:
    """Wait until ``opp`` is recommended to the volunteer for their skills, causes and
    distance (orgs hears of their profile through the bus); the recommendation."""

    def found() -> dict[str, Any] | None:
        if (page := volunteer.peek("/opportunities/recommended")) is None:
            return None
        hit = next((item for item in page["items"] if item["id"] == opp["id"]), None)
        terms = {t["name"] for t in hit["terms"] if t["points"] > 0} if hit else set()
        return hit if {"skills", "causes", "distance"} <= terms else None

    return eventually(found, "the recommendation with the volunteer's profile", SLOW)


def apply(volunteer: Person, opp: dict[str, Any], answer: str, message: str) -> dict[str, Any]:
    path = f"/opportunities/{opp['id']}/applications"
    application: dict[str, Any] = volunteer.call("POST", path, {
        "slot_id": opp["slots"][0]["id"], "message": message,
        "answers": [{"question_id": opp["questions"][0]["id"], "text": answer}],
    })  # fmt: skip
    return application


@dataclass
class Live:
    """The volunteer's notification stream, open through the gateway (Server-Sent Events)."""

    stream: Stream

    def next(self, kind: str) -> dict[str, Any]:
        return self.stream.next_of_kind(kind, timeout=SLOW)


class listening:  # lower case: it reads as a context, ``with listening(ann) as live``
    """Open the volunteer's stream for the block; hung up after it."""

    def __init__(self, person: Person) -> None:
        self.person = person

    def __enter__(self) -> Live:
        self.stream = Stream(self.person.gw, self.person.login["access_token"])
        return Live(self.stream)

    def __exit__(self, *_: object) -> None:
        self.stream.close()


def notification(person: Person, kind: str) -> dict[str, Any]:
    """Wait until ``GET /notifications`` lists one of ``kind``; it."""

    def found() -> dict[str, Any] | None:
        if (page := person.peek("/notifications")) is None:
            return None
        return next((item for item in page["items"] if item["kind"] == kind), None)

    return eventually(found, f"a {kind} notification", SLOW)


def rsvp(volunteer: Person, event: dict[str, Any]) -> str:
    return str(volunteer.call("PUT", f"/events/{event['id']}/rsvp", {"answer": "going"})["status"])


def verified_record(platform: Platform, volunteer: Person) -> dict[str, Any]:
    """The volunteer's signed export, verified with PyJWT against orgs' JWKS (public)."""
    answer = volunteer.curl(*bearer(volunteer.login),
                            f"{volunteer.gw}/users/me/volunteering/export.jws")  # fmt: skip
    assert answer.status == 200, answer.body[:300]
    token = answer.body.decode()
    jwks = Curl(platform.folder / "curl-anyone")(f"{volunteer.gw}/.well-known/orgs-jwks.json")
    assert jwks.status == 200, jwks.body[:300]
    key = jwt.PyJWKSet.from_dict(jwks.json())[jwt.get_unverified_header(token)["kid"]]
    claims: dict[str, Any] = jwt.decode(token, key, algorithms=["EdDSA"])
    assert claims["sub"] == volunteer.id
    return claims


def review(volunteer: Person, org: dict[str, Any], text: str) -> dict[str, Any]:
    written: dict[str, Any] = volunteer.call("POST", f"/orgs/{org['id']}/reviews",
                                             {"stars": 5, "text": text})  # fmt: skip
    return written


def delete_account(person: Person) -> None:
    answer = _call(person, "DELETE", "/users/me")
    assert answer.status in (200, 204), answer.body
    assert _call(person, "GET", "/users/me").status == 401


# ---- the erasure scan -----------------------------------------------------------------------


@dataclass(frozen=True)
class Trace:
    """One of the volunteer's values found somewhere it should not be."""

    where: str  # "<service>.<collection>", or "redis"
    record: str  # the document's _id, or the Redis key
    path: str  # where in it
    value: str  # what was found (shortened)
    needle: str  # which of the volunteer's values


@dataclass(frozen=True)
class Allowed:
    """A leftover the erasure keeps on purpose, and why: the volunteer's opaque user id (never
    their name, email, Facebook id or words) at these paths of these collections."""

    where: tuple[str, ...]  # "<service>.<collection>"
    paths: tuple[str, ...]  # path prefixes inside the document
    why: str

    def fits(self, trace: Trace) -> bool:
        """Whether ``trace`` is this leftover."""
        return (trace.needle == "user_id" and trace.where in self.where
                and trace.path.startswith(self.paths))  # fmt: skip


@dataclass
class Traces:
    """The volunteer's values (gathered while they used Jumo, all unusual strings), and the
    scan of every service's database for them."""

    system: SystemUnderTest
    infra: InfraUrls
    values: dict[str, str] = field(default_factory=dict)  # what → the value

    def of(self, person: Person, **words: str) -> Traces:
        """Look for ``person``'s ids, name (and each word of it), email and ``words``."""
        first, last = person.name.split()
        self.values.update(user_id=person.id, facebook_id=str(person.facebook["id"]),
                           name=person.name, first_name=first, last_name=last,
                           email=person.email, **words)  # fmt: skip
        return self

    @property
    def databases(self) -> dict[str, str]:
        plan = self.system.plan
        return {"identity": plan.mongo_database, "orgs": plan.orgs_database,
                "feed": plan.feed_database, "notifier": plan.notifier_database}  # fmt: skip

    def scan(self) -> list[Trace]:
        """Every value of every document of every collection of the four databases, and every
        key and value under feed's Redis prefix, matched against the volunteer's values."""
        needles = {what: value.lower() for what, value in self.values.items()}
        found: list[Trace] = []
        client: MongoClient[dict[str, Any]] = MongoClient(self.infra.mongo_url)
        with client:
            for service, name in self.databases.items():
                database = client[name]
                for collection in database.list_collection_names():
                    where = f"{service}.{collection}"
                    for doc in database[collection].find({}):
                        record = str(doc.get("_id"))
                        for path, value in _leaves(doc, ""):
                            found += _matches(needles, where, record, path, value)
        found += self._scan_redis(needles)
        return found

    def _scan_redis(self, needles: dict[str, str]) -> list[Trace]:
        found: list[Trace] = []
        client = redis.Redis.from_url(self.system.redis.url, decode_responses=True)
        with client:
            for key in client.scan_iter(match="feed:*", count=500):
                found += _matches(needles, "redis", key, "(key)", key)
                for index, value in enumerate(_redis_values(client, key)):
                    found += _matches(needles, "redis", key, f"[{index}]", value)
        return found

    def left_after_erasure(
        self, allowed: tuple[Allowed, ...], timeout: float = 60.0
    ) -> list[Trace]:
        """Scan until nothing but ``allowed`` is left, or ``timeout`` passed; what is left."""
        deadline = time.monotonic() + timeout
        while True:
            left = [trace for trace in self.scan() if not _allowed(trace, allowed)]
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(1.0)


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every key and every scalar inside a document, with its path."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield f"{path}.{key}(key)", key
            yield from _leaves(inner, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, inner in enumerate(value):
            yield from _leaves(inner, f"{path}[{index}]")
    else:
        yield path or "(value)", value


def described(traces: list[Trace]) -> str:
    """One line per trace, grouped by where it is: the failure message of the scan."""
    lines = [f"{t.where} {t.record} {t.path} holds {t.needle}: {t.value!r}" for t in traces]
    return f"{len(traces)} values of the deleted volunteer left:\n" + "\n".join(sorted(lines))


def _allowed(trace: Trace, allowed: tuple[Allowed, ...]) -> bool:
    return any(a.fits(trace) for a in allowed)


def _matches(
    needles: dict[str, str], where: str, record: str, path: str, value: Any
) -> list[Trace]:
    if isinstance(value, bool) or not isinstance(value, str | int | float | bytes):
        return []
    text = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
    text = text.lower()
    return [Trace(where, record, path, text[:120], what)
            for what, needle in needles.items() if needle in text]  # fmt: skip


def _redis_values(client: redis.Redis, key: str) -> list[Any]:
    kind = client.type(key)
    if kind == "string":
        return [client.get(key)]
    if kind == "list":
        return list(client.lrange(key, 0, -1))
    if kind == "set":
        return list(client.smembers(key))
    if kind == "zset":
        return list(client.zrange(key, 0, -1))
    if kind == "hash":
        return [part for pair in client.hgetall(key).items() for part in pair]
    if kind == "stream":
        entries: Any = client.xrange(key)
        return [json.dumps(entry) for entry in entries]
    return []
