"""The whole platform under a realistic mix: reads and writes of many people through the
gateway, open loop, at 100, 300 and 1,000 requests per second (issue 12, item 5).

    uv run --frozen python bench/platform_mix.py                  # demo data: 3 x 1 min + warm-up
    uv run --frozen python bench/platform_mix.py --rates 100 --duration 5 --warmup 3
    uv run --frozen python bench/platform_mix.py --data own       # a small data set of its own

It drives the running stack (``make up``; GATEWAY_URL and the sandbox's FACEBOOK_* from
deploy/local/stack.env) and reads the pids of its processes from the stack's run folder
(deploy/local/run/stack.json).

**The people.** ``--data demo`` (the default) uses what ``make demo`` made: its volunteers and
organization admins log in through the gateway as a browser does (Facebook's Login dialog in
the sandbox), each from the loopback address the demo gave them, within the gateway's login
limit (``deploy/demo/demo_http.py``). ``--data own`` makes a small world through the API
first (a moderator, organizations verified by them with posts and opportunities, volunteers
who follow them): enough to try the driver without the demo. The organizations, opportunities
and search words are then read through the API, as a client sees them.

**The mix.** 50 reads per write. Reads: the home feed (``GET /feed``), an organization's page
(``GET /orgs/{id}``), search of organizations (``GET /orgs?q=`` a word of a name or mission, or
``cause=``) and of opportunities (``GET /opportunities?q=`` a word of a title or skill, or
``near=`` a city's point), the notifications (``GET /notifications``); each with the token of a
volunteer drawn at random. Writes: an organization's news (``POST /orgs/{id}/posts``, by one of
its admins), follows (``PUT /orgs/{id}/follow``, a volunteer and an organization they do not
follow yet as far as this run knows; a quarter of the draws that hit a follow unfollow it
instead, ``DELETE``) and applications (``POST /opportunities/{id}/applications``, a volunteer
who has not applied to it, answering its questions). Every person's writes stay far
under the gateway's per-token limit (5/s) because they are spread over many tokens; reads are
not limited by the gateway. ``READS`` and ``WRITES`` hold the weights.

**Open loop.** Each rate step is one schedule (request j due at start + j / rate) shared by
``--processes`` generator processes (this script with ``--generator``; phases k / n), each
sending its requests with bench/open_loop.py's ``send_on_schedule`` through one aiohttp
session of ``--connections`` keep-alive connections: a request is sent when it is due whatever
the answers before it, and its latency is measured from its due time, so waiting for a
connection, in nginx or in a service all count (no coordinated omission). What has not been
answered ``--grace`` seconds after the last send is cancelled and counted as unanswered (-1).

**Measured per step**: per endpoint p50, p99, max and errors by status (anything not 2xx; 0: the
connection failed; -1: unanswered); the generators' send lag (they kept up, or not) and CPU;
each process's CPU (user + system seconds from /proc/<pid>/stat, itself and its children, and
that over the step's wall time as cores) and memory (VmRSS of it and its children from
/proc/<pid>/status, sampled every second: the peak) — identity, orgs, feed, notifier, nginx,
FerretDB, PostgreSQL, RabbitMQ, Redis, the sandbox and Mailpit; the machine's busy cores and
load average. The goal: at 300/s every read endpoint's p99 <= 100 ms and no errors; the knee is
the first rate where a read endpoint's p99 passes 100 ms or any request fails.

Saves bench/platform_mix.json (``--out``) and prints the tables.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import aiohttp
from feed_read import children, cpu_seconds, machine_jiffies, pct
from open_loop import CONNECTION_ERROR, UNANSWERED, send_on_schedule, settle, warm
from open_loop import cpu_seconds as own_cpu_seconds

from jumo_devstack import scratch_dir

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STACK_ENV = ROOT / "deploy" / "local" / "stack.env"
STACK_JSON = ROOT / "deploy" / "local" / "run" / "stack.json"
DEMO = ROOT / "deploy" / "demo"
GRAPH = "v26.0"
GOAL_RATE = 300
GOAL_P99_MS = 100.0
# Reads: what people mostly do. Weights within the reads.
READS = {
    "GET /feed": 0.35,
    "GET /notifications": 0.20,
    "GET /orgs/{id}": 0.20,
    "GET /opportunities?q=": 0.15,
    "GET /orgs?q=": 0.10,
}
# Writes: one per 50 reads. Weights within the writes.
WRITES = {
    "PUT|DELETE /orgs/{id}/follow": 0.50,
    "POST /opportunities/{id}/applications": 0.35,
    "POST /orgs/{id}/posts": 0.15,
}
FOLLOW = "PUT|DELETE /orgs/{id}/follow"
READS_PER_WRITE = 50
ENDPOINTS = [*READS, *WRITES]
# The processes of the stack whose CPU and memory are measured (stack.json's names).
PROCESSES = ("identity", "orgs", "feed", "notifier", "gateway", "mongodb", "postgres",
             "rabbitmq", "redis", "facebook", "mailpit")  # fmt: skip
SHOWN_NAMES = {"gateway": "nginx", "mongodb": "FerretDB", "postgres": "PostgreSQL",
               "rabbitmq": "RabbitMQ", "redis": "Redis", "facebook": "FB sandbox",
               "mailpit": "Mailpit"}  # fmt: skip


def stack_env() -> dict[str, str]:
    """deploy/local/stack.env under the process environment (which wins)."""
    values: dict[str, str] = {}
    if STACK_ENV.exists():
        for line in STACK_ENV.read_text().splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                key, value = line.split("=", 1)
                values[key.strip()] = value.strip()
    return values | dict(os.environ)


# -- the people and what they see ------------------------------------------------------------


@dataclass
class Person:
    """Someone logged in: their Jumo id and access token."""

    user_id: str
    token: str
    refresh_token: str = ""


@dataclass
class Opening:
    """An open opportunity and what an application to it must carry."""

    id: str
    org_id: str
    slot_id: str | None
    questions: list[str]
    words: list[str]


@dataclass
class World:
    """What the mix draws from."""

    volunteers: list[Person]
    admins: dict[str, list[Person]]  # organization id -> people who may post its news
    orgs: list[dict[str, Any]]  # the organizations' search results (id, name, hq, causes)
    openings: list[Opening]
    applied: set[tuple[str, str]] = field(default_factory=set)  # (user id, opportunity id)
    follows: set[tuple[str, str]] = field(default_factory=set)  # (user id, org id)
    points: list[tuple[float, float]] = field(default_factory=list)  # opportunities' places
    source: str = ""

    def summary(self) -> dict[str, Any]:
        """The data set, in numbers."""
        return {
            "source": self.source, "volunteers logged in": len(self.volunteers),
            "organizations": len(self.orgs),
            "organizations with an admin logged in": len(self.admins),
            "open opportunities": len(self.openings),
            "applications known": len(self.applied), "follows known": len(self.follows),
        }  # fmt: skip


class Api:
    """Calls through the gateway and to the sandbox, retried after a 429 (logins are limited
    per address: the seeding waits the limit out, the load never retries)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.gateway = env.get("GATEWAY_URL", "http://127.0.0.1:8080")
        self.sandbox = env.get("FACEBOOK_GRAPH_URL", "http://127.0.0.1:8090")
        self.app_id = env["FACEBOOK_APP_ID"]
        self.app_secret = env["FACEBOOK_APP_SECRET"]
        self.timeout = aiohttp.ClientTimeout(total=120)
        self.session = aiohttp.ClientSession(timeout=self.timeout)

    async def close(self) -> None:
        await self.session.close()

    async def send(
        self, session: aiohttp.ClientSession, method: str, url: str, **kwargs: Any
    ) -> tuple[int, Any, str]:
        """(status, JSON body or None, Location), no redirect followed."""
        for attempt in range(10):
            async with session.request(method, url, allow_redirects=False, **kwargs) as answer:
                raw = await answer.read()
                if answer.status in (429, 502, 503) and attempt < 9:
                    await asyncio.sleep(float(answer.headers.get("Retry-After") or 1))
                    continue
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw[:200].decode(errors="replace")
                return answer.status, body, answer.headers.get("Location", "")
        raise AssertionError("unreachable")

    async def call(self, person: Person | None, method: str, path: str, body: Any = None) -> Any:
        """The JSON of a call that must succeed."""
        headers = {"Authorization": f"Bearer {person.token}"} if person else {}
        status, answer, _ = await self.send(
            self.session, method, f"{self.gateway}{path}", headers=headers, json=body
        )
        if status >= 300:
            raise RuntimeError(f"{method} {path}: {status} {answer}")
        return answer

    async def test_user(self, name: str) -> dict[str, Any]:
        """A Facebook test user (the sandbox's test-user API), not yet using Jumo."""
        form = {"installed": "false", "permissions": "email,user_friends", "name": name,
                "access_token": f"{self.app_id}|{self.app_secret}"}  # fmt: skip
        url = f"{self.sandbox}/{GRAPH}/{self.app_id}/accounts/test-users"
        status, body, _ = await self.send(self.session, "POST", url, data=form)
        if status != 200:
            raise RuntimeError(f"test user: {status} {body}")
        return dict(body)

    async def log_in(self, login_url: str) -> Person:
        """Facebook Login through the gateway, as tests/e2e/e2e_people.py's ``sign_up`` does
        with curl: the sandbox's login URL, Jumo's login, the consent, the callback."""
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar, timeout=self.timeout) as browser:
            status, _, _ = await self.send(browser, "GET", login_url)
            status, body, dialog = await self.send(
                browser, "GET", f"{self.gateway}/auth/facebook/login"
            )
            if status != 302:
                raise RuntimeError(f"login: {status} {body}")
            status, body, back = await self.send(browser, "GET", dialog)
            if status == 200:  # the consent page
                fields = [*parse_qsl(urlsplit(dialog).query), ("decision", "accept"),
                          ("grant", "email"), ("grant", "user_friends")]  # fmt: skip
                confirm = f"{dialog.split('?', 1)[0]}/confirm"
                status, body, back = await self.send(browser, "POST", confirm, data=fields)
            if status != 302:
                raise RuntimeError(f"the Login dialog: {status} {body}")
            status, body, _ = await self.send(browser, "GET", back)
            if status != 200:
                raise RuntimeError(f"the callback: {status} {body}")
        return Person(body["user"]["id"], body["access_token"], body["refresh_token"])

    async def refresh(self, person: Person) -> Person:
        """New tokens (carrying roles granted since)."""
        body = await self.call(None, "POST", "/auth/refresh",
                               {"refresh_token": person.refresh_token})  # fmt: skip
        return Person(body["user"]["id"] if "user" in body else person.user_id,
                      body["access_token"], body["refresh_token"])  # fmt: skip


async def gathered(coros: Sequence[Any], limit: int) -> list[Any]:
    """Run coroutines, ``limit`` at a time; their results in order."""
    gate = asyncio.Semaphore(limit)

    async def one(coro: Any) -> Any:
        async with gate:
            return await coro

    return list(await asyncio.gather(*(one(c) for c in coros)))


async def sign_up_many(api: Api, names: Sequence[str]) -> list[Person]:
    """Test users who sign up through the gateway (4 at a time: logins are rate-limited)."""

    async def one(name: str) -> Person:
        return await api.log_in(str((await api.test_user(name))["login_url"]))

    return await gathered([one(n) for n in names], 4)


CITIES = [("Lyon", "FR", 45.76, 4.84), ("Nairobi", "KE", -1.29, 36.82),
          ("Lima", "PE", -12.05, -77.04), ("Manila", "PH", 14.60, 120.98),
          ("Toronto", "CA", 43.65, -79.38), ("Suva", "FJ", -18.14, 178.44)]  # fmt: skip
CAUSES = ["clean-water", "literacy", "tutoring", "food-security", "animal-welfare"]
WORDS = ["river", "school", "garden", "library", "shelter", "kitchen", "forest", "clinic"]


async def own_people(
    api: Api, orgs: int, volunteers: int
) -> tuple[list[Person], dict[str, list[Person]]]:
    """A small world of this run's own through the API: a moderator (the operator's command),
    organizations verified by them, each with news and open opportunities, and volunteers who
    follow some of them; (the volunteers, each organization's admin)."""
    rng = random.Random(11)
    run = uuid.uuid4().hex[:4]
    moderator, *admins = await sign_up_many(
        api, [f"Mod {run}", *(f"Admin {run} {i}" for i in range(orgs))]
    )
    env = dict(os.environ) | {"MONGO_URL": stack_env().get("MONGO_URL", "")}
    granted = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "jumo_identity", "roles", "grant", "moderator", moderator.user_id,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    said, _ = await granted.communicate()
    if granted.returncode != 0:
        raise RuntimeError(f"roles grant: {said.decode()}")
    moderator = await api.refresh(moderator)
    causes = {item["slug"] for item in (await api.call(None, "GET", "/causes"))["items"]}
    for child in (await api.call(None, "GET", "/causes"))["items"]:
        causes |= {c["slug"] for c in child.get("children", [])}
    usable = [c for c in CAUSES if c in causes] or sorted(causes)[:3]
    made: list[str] = []
    for i, admin in enumerate(admins):
        city, country, lat, lng = CITIES[i % len(CITIES)]
        word = WORDS[i % len(WORDS)]
        org = await api.call(admin, "POST", "/orgs", {
            "name": f"Bench {word.title()} Friends {run}{i}",
            "mission": f"A {word} for every neighbourhood of {city}.",
            "causes": [usable[i % len(usable)]],
            "hq": {"city": city, "country": country, "lat": lat, "lng": lng},
        })  # fmt: skip
        await api.call(admin, "POST", f"/orgs/{org['id']}/submit")
        await api.call(moderator, "POST", f"/orgs/{org['id']}/verify")
        made.append(org["id"])
        for n in range(3):
            await api.call(
                admin,
                "POST",
                f"/orgs/{org['id']}/posts",
                {"title": f"News {n} of the {word}", "body": "We met, we planned."},
            )
        for n in range(4):
            await api.call(admin, "POST", f"/orgs/{org['id']}/opportunities", {
                "title": f"Help at the {rng.choice(WORDS)} ({n})",
                "description": "Gloves and coffee provided.",
                "causes": [usable[i % len(usable)]], "skills_wanted": ["first aid"],
                "commitment": {"kind": "ongoing", "places": 5000}, "time_zone": "UTC",
                "place": {"address": "1 Main street", "city": city, "country": country,
                          "lat": lat, "lng": lng},
                "questions": [{"text": "Why do you want to help?"}], "publish": True,
            })  # fmt: skip
    people = await sign_up_many(api, [f"Volunteer {run} {i}" for i in range(volunteers)])
    for person in people:
        for org_id in rng.sample(made, min(len(made), 2)):
            await api.call(person, "PUT", f"/orgs/{org_id}/follow", {})
    return people, {org_id: [admin] for org_id, admin in zip(made, admins, strict=True)}


def later(moment: str | None) -> bool:
    """No time, or one more than an hour away (a slot that starts or a deadline that passes
    during the run would refuse applications)."""
    if moment is None:
        return True
    return datetime.fromisoformat(moment) > datetime.now(UTC) + timedelta(hours=1)


def after(cursor: str | None) -> str:
    """The query's cursor parameter (none for the first page)."""
    return f"&cursor={cursor}" if cursor else ""


async def read_world(
    api: Api, volunteers: list[Person], admins: dict[str, list[Person]], source: str
) -> World:
    """The organizations and open opportunities as a client finds them (search, then each
    opportunity's page for its slots and questions)."""
    someone = volunteers[0]
    orgs: list[dict[str, Any]] = []
    cursor: str | None = ""
    while cursor is not None and len(orgs) < 2000:
        page = await api.call(someone, "GET", f"/orgs?limit=100{after(cursor)}")
        orgs += page["items"]
        cursor = page["next_cursor"]
    hits: list[dict[str, Any]] = []
    cursor = ""
    while cursor is not None and len(hits) < 2000:
        page = await api.call(someone, "GET", f"/opportunities?limit=100{after(cursor)}")
        hits += page["items"]
        cursor = page["next_cursor"]
    pages = await gathered([api.call(someone, "GET", f"/opportunities/{h['id']}") for h in hits], 8)
    openings, points = [], []
    for opp in pages:
        place = opp.get("place") or {}
        if place.get("lat") is not None and place.get("lng") is not None:
            points.append((float(place["lat"]), float(place["lng"])))
        slots = [s for s in opp["slots"] if s["remaining"] > 0 and later(s.get("starts_at"))]
        if (opp["status"] != "open" or opp["remaining"] <= 0 or (opp["slots"] and not slots)
                or not later(opp.get("deadline"))):  # fmt: skip
            continue
        words = [w for w in opp["title"].split() if len(w) > 3 and w.isalpha()]
        openings.append(Opening(
            id=opp["id"], org_id=opp["org"]["org_id"], slot_id=slots[0]["id"] if slots else None,
            questions=[q["id"] for q in opp["questions"]], words=words + opp["skills_wanted"],
        ))  # fmt: skip
    visible = {org["id"] for org in orgs}
    admins = {org_id: people for org_id, people in admins.items() if org_id in visible}
    return World(volunteers, admins, orgs, openings, source=source, points=sorted(set(points)))


async def known_edges(api: Api, world: World, people: Sequence[Person]) -> None:
    """What ``people`` already follow and applied to, so that the plan's follows and
    applications are new ones (a second application to the same opportunity is a 409)."""

    async def one(person: Person) -> None:
        apps = await api.call(person, "GET", "/applications?limit=100")
        world.applied |= {(person.user_id, a["opportunity_id"]) for a in apps["items"]
                          if "opportunity_id" in a}  # fmt: skip
        followed = await api.call(person, "GET", "/users/me/following/orgs?limit=100")
        world.follows |= {(person.user_id, f["org"]["org_id"]) for f in followed["items"]}

    await gathered([one(p) for p in people], 8)


# -- the plan -----------------------------------------------------------------------------------

Request = tuple[int, str, str, str, Any]  # endpoint index, method, path, token, body


def application(opening: Opening) -> dict[str, Any]:
    """An application's body: every question answered, the slot when there are slots."""
    body: dict[str, Any] = {
        "answers": [{"question_id": q, "text": "I live next door."} for q in opening.questions],
        "message": "Happy to help.", "meets_minimum_age": True,
    }  # fmt: skip
    if opening.slot_id:
        body["slot_id"] = opening.slot_id
    return body


class Mixer:
    """Draws requests: 50 reads per write, as READS and WRITES weigh them."""

    def __init__(self, world: World, seed: int) -> None:
        self.world = world
        self.rng = random.Random(seed)
        self.org_words = sorted({w.lower() for org in world.orgs
                                 for w in f"{org['name']} {org.get('mission') or ''}".split()
                                 if len(w) > 3 and w.isalpha()})  # fmt: skip
        self.opp_words = sorted({w.lower() for o in world.openings for w in o.words})
        self.causes = sorted({c for org in world.orgs for c in org["causes"]})
        self.cities = [(o["city"], o["country"]) for o in world.orgs if o.get("city")]
        self.points = world.points
        self.applications: list[tuple[Person, Opening]] = []
        self.follows: list[tuple[Person, str]] = []

    def writers(self, count: int) -> list[Person]:
        """The volunteers whose follows and applications the plan may use."""
        return self.rng.sample(self.world.volunteers, min(count, len(self.world.volunteers)))

    def read(self) -> Request:
        name = self.rng.choices(list(READS), weights=list(READS.values()))[0]
        person = self.rng.choice(self.world.volunteers)
        if name == "GET /feed":
            path = "/feed"
        elif name == "GET /notifications":
            path = "/notifications"
        elif name == "GET /orgs/{id}":
            path = f"/orgs/{self.rng.choice(self.world.orgs)['id']}"
        elif name == "GET /orgs?q=":
            if self.causes and self.rng.random() < 0.3:
                path = f"/orgs?cause={self.rng.choice(self.causes)}"
            else:
                path = f"/orgs?q={quote(self.rng.choice(self.org_words or ['a']))}"
        else:
            path = f"/opportunities?q={quote(self.rng.choice(self.opp_words or ['a']))}"
            if self.points and self.rng.random() < 0.3:
                lat, lng = self.rng.choice(self.points)
                path = f"/opportunities?near={lat},{lng}&radius_km=50"
        return ENDPOINTS.index(name), "GET", path, person.token, None

    def write(self, pool: Sequence[Person]) -> Request | None:
        name = self.rng.choices(list(WRITES), weights=list(WRITES.values()))[0]
        index = ENDPOINTS.index(name)
        world = self.world
        if name == "POST /orgs/{id}/posts" and world.admins:
            org_id = self.rng.choice(sorted(world.admins))
            admin = self.rng.choice(world.admins[org_id])
            title = f"{self.rng.choice(WORDS).title()} day: thank you all"
            body = {"title": title, "body": "Forty of you came; the next one is in May."}
            return index, "POST", f"/orgs/{org_id}/posts", admin.token, body
        for _ in range(50):  # an application this run has not sent and the person has not made
            person = self.rng.choice(pool)
            if name == FOLLOW:  # a follow, or an unfollow of what they follow (4 in 5 follow)
                org_id = self.rng.choice(world.orgs)["id"]
                pair = (person.user_id, org_id)
                if pair not in world.follows:
                    world.follows.add(pair)
                    return index, "PUT", f"/orgs/{org_id}/follow", person.token, {}
                if self.rng.random() < 0.25:
                    world.follows.discard(pair)
                    return index, "DELETE", f"/orgs/{org_id}/follow", person.token, None
            elif world.openings:
                opening = self.rng.choice(world.openings)
                if (person.user_id, opening.id) not in world.applied:
                    world.applied.add((person.user_id, opening.id))
                    path = f"/opportunities/{opening.id}/applications"
                    return index, "POST", path, person.token, application(opening)
        return None

    def plan(self, total: int, pool: Sequence[Person]) -> list[Request]:
        """``total`` requests in schedule order, every (READS_PER_WRITE + 1)-th a write on
        average (drawn, not fixed, so writes do not come in lockstep)."""
        requests: list[Request] = []
        for _ in range(total):
            write = self.rng.random() < 1 / (READS_PER_WRITE + 1)
            request = self.write(pool) if write else None
            requests.append(request or self.read())
        return requests


# -- the generators -----------------------------------------------------------------------------


async def handshake() -> float:
    """Tell the parent this generator is ready; the start time it answers (epoch seconds)."""
    print("ready", flush=True)
    return float(await asyncio.to_thread(sys.stdin.readline))


async def generate(
    plan: dict[str, Any], start: Callable[[], Awaitable[float]] = handshake
) -> dict[str, Any]:
    """Send this generator's share of a step's schedule once its connections are open and
    ``start`` has said when; each request's figures."""
    requests: list[Request] = [(r[0], r[1], r[2], r[3], r[4]) for r in plan["requests"]]
    total = len(requests)
    base = plan["gateway"]
    latency = [float("inf")] * total
    lag = [0.0] * total
    status = [UNANSWERED] * total
    connector = aiohttp.TCPConnector(limit=plan["connections"], keepalive_timeout=120)
    timeout = aiohttp.ClientTimeout(total=plan["grace"] + 60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await warm(session, f"{base}/gateway/healthz", {}, plan["connections"])
        start_at = await start()
        loop = asyncio.get_running_loop()
        t0 = loop.time() + (start_at - time.time())
        cpu_before = own_cpu_seconds()

        async def one(i: int, due: float) -> None:
            lag[i] = loop.time() - due
            _, method, path, token, body = requests[i]
            headers = {"Authorization": f"Bearer {token}"}
            try:
                async with session.request(method, base + path, headers=headers,
                                           json=body) as answer:  # fmt: skip
                    await answer.read()
                    status[i] = answer.status
            except (TimeoutError, aiohttp.ClientError, OSError):
                status[i] = CONNECTION_ERROR
            latency[i] = loop.time() - due

        rate = plan["rate"] / plan["processes"]
        phase = plan["index"] / plan["processes"]
        tasks = await send_on_schedule(total, rate, phase, t0, one)
        sent_until = loop.time() - t0
        await settle(tasks, plan["grace"])
        cpu = own_cpu_seconds() - cpu_before
    return {
        "sent until s": round(sent_until, 3), "cpu seconds": round(cpu, 3),
        "endpoint": [r[0] for r in requests], "status": status,
        "latency ms": [round(x * 1000, 2) if x != float("inf") else None for x in latency],
        "send lag ms": [round(x * 1000, 2) for x in lag],
    }  # fmt: skip


# -- the processes ------------------------------------------------------------------------------


def stack_pids() -> dict[str, int]:
    """The stack's processes by name (deploy/local/run/stack.json), those alive."""
    record = json.loads(STACK_JSON.read_text())
    pids = {}
    for name in PROCESSES:
        pid = record.get(name, {}).get("pid")
        if pid and Path(f"/proc/{pid}").exists():
            pids[name] = int(pid)
    return pids


def memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) bytes of a process and its children (nginx's workers, PostgreSQL's
    backends, …). RSS counts each shared page in every process that maps it (PostgreSQL's
    shared buffers once per backend); PSS splits it among them, so PSS sums."""
    rss = pss = 0
    for one in [pid, *children(pid)]:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1]) * 1024
            for line in Path(f"/proc/{one}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
    return rss, pss


class Watch:
    """CPU over a step, memory sampled every second (the peak)."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.peak = dict.fromkeys(pids, (0, 0))
        self.stop = asyncio.Event()

    async def __aenter__(self) -> Watch:
        self.cpu = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self.machine = machine_jiffies()
        self.wall = time.perf_counter()
        self.load = os.getloadavg()
        self.task = asyncio.create_task(self._sample())
        return self

    async def _sample(self) -> None:
        while not self.stop.is_set():
            for name, pid in self.pids.items():
                rss, pss = memory(pid)
                peak = self.peak[name]
                self.peak[name] = (max(peak[0], rss), max(peak[1], pss))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), 1.0)

    async def __aexit__(self, *_: object) -> None:
        self.stop.set()
        await self.task
        wall = time.perf_counter() - self.wall
        busy, total = (b - a for a, b in zip(self.machine, machine_jiffies(), strict=True))
        self.figures: dict[str, Any] = {
            "wall s": round(wall, 2),
            "load average before": [round(x, 2) for x in self.load],
            "load average after": [round(x, 2) for x in os.getloadavg()],
            "machine busy cores": round(busy / max(1, total) * (os.cpu_count() or 1), 2),
            "processes": {
                name: {"cpu s": round(cpu_seconds(pid) - self.cpu[name], 2),
                       "cores": round((cpu_seconds(pid) - self.cpu[name]) / wall, 3),
                       "peak rss MB": round(self.peak[name][0] / 2**20, 1),
                       "peak pss MB": round(self.peak[name][1] / 2**20, 1)}
                for name, pid in self.pids.items()
            },
        }  # fmt: skip


# -- a step -------------------------------------------------------------------------------------


async def drain(gateway: str, person: Person, limit: float) -> float:
    """Wait until the stack has worked off what an earlier step left it (services go on with
    requests whose client gave up): three GET /feed in a row answered within 300 ms, or
    ``limit`` seconds; the seconds waited."""
    started = time.perf_counter()
    headers = {"Authorization": f"Bearer {person.token}"}
    fast = 0
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        while fast < 3 and time.perf_counter() - started < limit:
            sent = time.perf_counter()
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with session.get(f"{gateway}/feed", headers=headers) as answer:
                    await answer.read()
            fast = fast + 1 if time.perf_counter() - sent < 0.3 else 0
            await asyncio.sleep(0.5)
    return round(time.perf_counter() - started, 1)


async def step(
    args: argparse.Namespace, mixer: Mixer, pool: Sequence[Person], rate: float, seconds: float,
    folder: Path, pids: dict[str, int], gateway: str,
) -> dict[str, Any]:  # fmt: skip
    """One rate for ``seconds``: plan, generators, watch; its figures."""
    total = int(rate * seconds)
    requests = mixer.plan(total, pool)
    n = args.processes
    outs, generators = [], []
    for k in range(n):
        plan = {"gateway": gateway, "rate": rate, "processes": n, "index": k,
                "grace": args.grace, "connections": args.connections,
                "requests": requests[k::n]}  # fmt: skip
        plan_file, out = folder / f"plan-{k}.json", folder / f"out-{k}.json"
        plan_file.write_text(json.dumps(plan))
        outs.append(out)
        command = [sys.executable, str(Path(__file__)), "--generator", str(plan_file), str(out)]
        generators.append(
            await asyncio.create_subprocess_exec(
                *command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
            )
        )
    # Every generator has started, read its plan and opened its connections: one start time.
    for process in generators:
        assert process.stdout is not None
        said = await asyncio.wait_for(process.stdout.readline(), 120)
        if said != b"ready\n":
            raise RuntimeError(f"a generator failed to start: {said!r}")
    start_at = time.time() + 1.0
    for process in generators:
        assert process.stdin is not None
        process.stdin.write(f"{start_at}\n".encode())
        await process.stdin.drain()
    await asyncio.sleep(max(0.0, start_at - time.time()))
    async with Watch(pids) as watch:
        for process in generators:
            await process.wait()
    results = [read_and_remove(out) for out in outs]
    for k in range(n):
        (folder / f"plan-{k}.json").unlink()
    summary = summarize(rate, seconds, results, watch.figures)
    answered = sum(1 for r in results for status in r["status"] if status > 0)
    stack_cpu = sum(figs["cpu s"] for figs in watch.figures["processes"].values())
    summary["answered"] = answered
    summary["stack cpu s"] = round(stack_cpu, 2)
    summary["stack cpu ms per answered request"] = round(stack_cpu * 1000 / max(1, answered), 2)
    return summary


def read_and_remove(path: Path) -> Any:
    """A generator's result file, removed once read."""
    result = json.loads(path.read_text())
    path.unlink()
    return result


def summarize(
    rate: float, seconds: float, results: list[dict[str, Any]], watched: dict[str, Any]
) -> dict[str, Any]:
    """Per endpoint: count, p50, p99, max, errors by status; reads and writes together."""
    rows: dict[str, list[tuple[int, float]]] = {name: [] for name in ENDPOINTS}
    lags: list[float] = []
    for result in results:
        for e, s, ms_ in zip(result["endpoint"], result["status"], result["latency ms"],
                             strict=True):  # fmt: skip
            rows[ENDPOINTS[e]].append((s, float("inf") if ms_ is None else ms_))
        lags += result["send lag ms"]

    def figures(pairs: list[tuple[int, float]]) -> dict[str, Any]:
        latencies = [ms_ for _, ms_ in pairs]
        errors = Counter(str(s) for s, _ in pairs if not 200 <= s < 300)
        return {"requests": len(pairs), "p50 ms": finite(pct(latencies, 0.5)),
                "p99 ms": finite(pct(latencies, 0.99)),
                "max ms": finite(max(latencies, default=0)), "errors": sum(errors.values()),
                "errors by status": dict(sorted(errors.items()))}  # fmt: skip

    endpoints = {name: figures(pairs) for name, pairs in rows.items() if pairs}
    reads = [p for name in READS for p in rows[name]]
    writes = [p for name in WRITES for p in rows[name]]
    return {
        "rate": rate, "seconds": seconds,
        "endpoints": endpoints, "reads": figures(reads), "writes": figures(writes),
        "generators": {"processes": len(results),
                       "send lag p99 ms": finite(pct(lags, 0.99)),
                       "sent until s": max(r["sent until s"] for r in results),
                       "cpu s": round(sum(r["cpu seconds"] for r in results), 2)},
        **watched,
    }  # fmt: skip


def finite(value: float) -> float | None:
    """A figure for the JSON (None: some request was never answered)."""
    return None if value != value or value == float("inf") else round(value, 1)


def verdict(steps: list[dict[str, Any]]) -> dict[str, Any]:
    """The goal at 300/s and the knee: the first rate whose reads miss 100 ms at p99 or where
    any request failed."""

    def broken(one: dict[str, Any]) -> list[str]:
        why = []
        for name in READS:
            p99 = one["endpoints"].get(name, {}).get("p99 ms", 0)
            if p99 is None or p99 > GOAL_P99_MS:
                why.append(f"{name} p99 {p99} ms")
        for name, figs in one["endpoints"].items():
            if figs["errors"]:
                why.append(f"{name} {figs['errors by status']}")
        return why

    goal = next((s for s in steps if s["rate"] == GOAL_RATE), None)
    knee = next((s for s in steps if broken(s)), None)
    below = [s["rate"] for s in steps if knee is None or s["rate"] < knee["rate"]]
    return {
        f"goal at {GOAL_RATE}/s (reads p99 <= {GOAL_P99_MS:.0f} ms, no errors)":
            None if goal is None else "; ".join(broken(goal)) or "met",
        "knee": None if knee is None else {"rate": knee["rate"], "why": broken(knee),
                                           "last rate that held": max(below, default=None)},
    }  # fmt: skip


# -- the tables ---------------------------------------------------------------------------------


def shown(value: float | None) -> str:
    return "unanswered" if value is None else (f"{value:,.1f}" if value < 100 else f"{value:,.0f}")


def print_tables(report: dict[str, Any]) -> None:
    for one in report["steps"]:
        print(f"\n## {one['rate']:g} requests/s for {one['seconds']:g} s"
              f"{' (warm-up)' if one.get('warm-up') else ''}: load average "
              f"{one['load average before'][0]} -> {one['load average after'][0]}, machine "
              f"{one['machine busy cores']} cores busy, generators' send lag p99 "
              f"{shown(one['generators']['send lag p99 ms'])} ms")  # fmt: skip
        print(
            f"{'endpoint':40} {'requests':>8} {'p50 ms':>9} {'p99 ms':>10} {'max ms':>10}  errors"
        )
        for name, figs in [*one["endpoints"].items(), ("all reads", one["reads"]),
                           ("all writes", one["writes"])]:  # fmt: skip
            if not figs["requests"]:
                continue
            errors = ", ".join(f"{k}: {v}" for k, v in figs["errors by status"].items()) or "0"
            print(
                f"{name:40} {figs['requests']:>8} {shown(figs['p50 ms']):>9} "
                f"{shown(figs['p99 ms']):>10} {shown(figs['max ms']):>10}  {errors}"
            )
        print(f"{'process':12} {'cpu s':>8} {'cores':>6} {'peak RSS MB':>12} {'PSS MB':>8}")
        for name, figs in one["processes"].items():
            print(
                f"{SHOWN_NAMES.get(name, name):12} {figs['cpu s']:>8} {figs['cores']:>6} "
                f"{figs['peak rss MB']:>12} {figs['peak pss MB']:>8}"
            )
        print(f"{'stack':12} {one['stack cpu s']:>8} {one['stack cpu s'] / one['wall s']:>6.3f}"
              f"  ({one['stack cpu ms per answered request']} ms of CPU per answered request,"
              f" {one['answered']} answered)")  # fmt: skip
        print(
            f"{'generators':12} {one['generators']['cpu s']:>8} "
            f"{one['generators']['cpu s'] / one['wall s']:>6.3f}"
        )
    print()
    for key, value in report["verdict"].items():
        print(f"{key}: {value}")


# -- main ---------------------------------------------------------------------------------------


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    env = stack_env()
    api = Api(env)
    try:
        started = time.perf_counter()
        if args.data == "own":
            volunteers, admins = await own_people(api, args.own_orgs, args.own_volunteers)
        else:
            volunteers, admins = await demo_people(env, args.people)
        world = await read_world(api, volunteers, admins, args.data)
        mixer = Mixer(world, seed=5)
        pool = mixer.writers(args.writers)
        await known_edges(api, world, pool)
        seeded = time.perf_counter() - started
    finally:
        await api.close()
    print(f"data set ready in {seeded:.0f} s: {world.summary()}", flush=True)
    pids = stack_pids()
    gateway = env.get("GATEWAY_URL", "http://127.0.0.1:8080")
    folder = scratch_dir("platform-mix-")
    steps = []
    try:
        if args.warmup > 0:
            warm_up = await step(args, mixer, pool, min(args.rates), args.warmup, folder, pids,
                                 gateway)  # fmt: skip
            warm_up["warm-up"] = True
            steps.append(warm_up)
        for rate in args.rates:
            await asyncio.sleep(args.pause)
            drained = await drain(gateway, world.volunteers[0], args.drain)
            steps.append(await step(args, mixer, pool, rate, args.duration, folder, pids,
                                    gateway))  # fmt: skip
            steps[-1]["seconds waited for the stack to drain before"] = drained
            print(f"{rate:g}/s done: reads p99 {shown(steps[-1]['reads']['p99 ms'])} ms, "
                  f"{steps[-1]['reads']['errors'] + steps[-1]['writes']['errors']} errors",
                  flush=True)  # fmt: skip
    finally:
        folder.rmdir()
    measured = [s for s in steps if not s.get("warm-up")]
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["bench/platform_mix.py", *sys.argv[1:]]),
        "machine": {"cores": os.cpu_count(), "load average at the end": os.getloadavg()},
        "data set": world.summary() | {"seconds to log in and read it": round(seeded, 1)},
        "mix": {"reads per write": READS_PER_WRITE, "reads": READS, "writes": WRITES},
        "steps": steps, "verdict": verdict(measured),
    }  # fmt: skip


async def demo_people(
    env: dict[str, str], people: int
) -> tuple[list[Person], dict[str, list[Person]]]:
    """``make demo``'s first ``people`` volunteers who have signed up and every
    organization's owner (the demo's ``org-NN`` is owned by ``admin-NN``), each logged in
    through Facebook from their own loopback address within the gateway's login limit, as
    the demo's ``demo_tokens`` does; a login that fails (identity answering 504 under load)
    is tried again from the start twice, then that person is left out."""
    if str(DEMO) not in sys.path:
        sys.path.insert(0, str(DEMO))
    # deploy/demo is not a package: mypy, run on bench/ alone, does not see it.
    from demo_http import ADDRESSES, Limits, Net  # type: ignore[import-not-found]
    from demo_state import State  # type: ignore[import-not-found]
    from jumo_demo import default_state_path, endpoints  # type: ignore[import-not-found]

    where = endpoints(env)
    state = State.load(default_state_path(env), where.app_id, where.gateway)
    records = state.section("people")
    keys = sorted(k for k, r in records.items() if k.startswith("volunteer-") and r.get("user_id"))
    owners = {org["id"]: f"admin-{key.removeprefix('org-')}"
              for key, org in state.section("orgs").items()}  # fmt: skip
    owners = {org_id: key for org_id, key in owners.items() if records.get(key, {}).get("user_id")}
    net = Net(where, Limits.from_env(env))

    async def one(i: int, key: str) -> Person | None:
        record = records[key]
        for _ in range(3):
            try:
                login = await net.facebook_login(record["login_url"], ADDRESSES[i % len(ADDRESSES)])
            except Exception as error:  # any failure: log in again
                print(f"login of {key} failed, again: {error}", flush=True)
                continue
            return Person(record["user_id"], login.access_token, login.refresh_token)
        return None

    try:
        found = await asyncio.gather(*(one(i, k) for i, k in enumerate(keys[:people])))
        owned = await asyncio.gather(*(one(i, key) for i, key in enumerate(owners.values())))
    finally:
        await net.close()
    volunteers = [person for person in found if person is not None]
    admins = {org_id: [person] for org_id, person in zip(owners, owned, strict=True) if person}
    return volunteers, admins


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--generator":
        plan = json.loads(Path(sys.argv[2]).read_text())
        Path(sys.argv[3]).write_text(json.dumps(asyncio.run(generate(plan))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", type=float, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per rate")
    parser.add_argument("--warmup", type=float, default=20.0, help="seconds at the lowest rate")
    parser.add_argument("--pause", type=float, default=10.0, help="seconds between steps")
    parser.add_argument(
        "--drain",
        type=float,
        default=120.0,
        help="at most this many seconds more, until GET /feed is fast again",
    )
    parser.add_argument("--data", choices=["demo", "own"], default="demo")
    parser.add_argument("--people", type=int, default=400, help="demo volunteers to log in")
    parser.add_argument("--own-orgs", type=int, default=4)
    parser.add_argument("--own-volunteers", type=int, default=40)
    parser.add_argument(
        "--writers",
        type=int,
        default=300,
        help="volunteers whose follows and applications the writes use",
    )
    parser.add_argument("--processes", type=int, default=2, help="generator processes")
    parser.add_argument("--connections", type=int, default=64, help="per generator")
    parser.add_argument("--grace", type=float, default=15.0)
    parser.add_argument("--out", default=str(HERE / "platform_mix.json"))
    args = parser.parse_args()
    report = asyncio.run(bench(args))
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    print_tables(report)
    print(f"\nsaved to {args.out}")


if __name__ == "__main__":
    main()
