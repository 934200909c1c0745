"""From an event to its post on a Facebook Page: ``user.registered`` of members who opted in
(to Jumo's own Page) and ``post.published`` of an organization that linked its Page and turned
news posting on (to its Page) — the time from publishing the event to the post being visible in
the sandbox's ``/__sandbox/posts``. The issue's goal: p99 ≤ 2 s.

    make up
    uv run --frozen python bench/notifier_facebook.py [--events 200] [--rate 2]

notifier runs as it ships: ``python -m jumo_notifier`` in a process of its own, on the running
stack's RabbitMQ and FerretDB (``stack.env``) under names of its own (database
``bench_notifier_fb_<token>``, exchange and queues ``bench.<token>.*``, removed at the end), and
on a Facebook sandbox of its own (``python -m jumo_facebook.sandbox`` on a free port, an app of
its own, stopped by pid at the end): the stack's sandbox is shared, and its app's hourly call
budget with it — a bench run is ~1,000 Graph calls, and notifier slows everyone's posts down
past 75 % of it. The bench serves the JWKS notifier trusts (``TestKeys``) and links the
organization's Page the way a browser does (``POST /facebook-pages/{org}/login``, the sandbox's
login with the Page permissions, Facebook's redirect to ``/facebook-pages/callback``), then
turns ``post_news`` on.

Two runs, each of ``--events`` registrations and as many news posts:

- paced: the events published open loop at ``--rate`` per second of each kind, interleaved
  (what a steady sign-up flow looks like);
- burst: every event published at once (what a spike looks like: the posts queue per Page).

Each event's message is unique; the bench polls both Pages' posts every 10 ms and takes the
first poll that shows it; notifier's own records split each delay into publish → intended (the
event handled on ``notifier.facebook``) and intended → posted (the poster). notifier's CPU time
(utime + stime, /proc) per run says whether it computes or waits.

Then the poster alone: notifier in this process (``create_app``, its bus idle) on a sandbox of
its own (``running_sandbox``), ``--events`` posts to one Page recorded as intended straight into
its store, and the time from waking the poster until every one is posted — the Facebook path
without the events' handling by every other queue of the process.

Prints p50/p90/p99/max per kind and run; saves bench/notifier_facebook.json.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aio_pika
import aiohttp
from pydantic import SecretStr
from pymongo import AsyncMongoClient

from jumo_common.bus import connect, dead_exchange_name, queue_names, unrouted_name
from jumo_common.bus.publisher import Publisher
from jumo_common.bus.runtime import open_publisher
from jumo_common.events import EventData, make_event
from jumo_common.events.identity import UserRegistered
from jumo_common.events.orgs import OrgCard, OrgCreated, OrgMemberAdded, PostPublished
from jumo_common.settings import ServiceSettings
from jumo_common.testing.tokens import TestKeys
from jumo_devstack import free_port

HERE = Path(__file__).resolve().parent
AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
MONGO_URL = os.environ.get("MONGO_URL", "mongodb://127.0.0.1:27017/")
GATEWAY = os.environ.get("GATEWAY_URL", "http://127.0.0.1:8080").rstrip("/")
PAGE_SCOPES = ["pages_show_list", "pages_manage_posts", "pages_read_engagement"]
POLL_S = 0.01
NOTIFIER_QUEUES = ("events", "people", "orgs", "notices", "erasure", "email", "facebook")


@dataclass
class Names:
    """Everything the bench names on the shared stack."""

    token: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    @property
    def settings(self) -> ServiceSettings:
        """The bench's exchange and queue prefix (publishing as identity and orgs would)."""
        return ServiceSettings(service_name="bench", amqp_url=AMQP_URL, mongo_url=MONGO_URL,
                               events_exchange=f"bench.{self.token}.events",
                               queue_prefix=f"bench.{self.token}.")  # fmt: skip

    @property
    def alone(self) -> ServiceSettings:
        """The names of the notifier that measures its poster alone."""
        return ServiceSettings(service_name="bench", amqp_url=AMQP_URL, mongo_url=MONGO_URL,
                               events_exchange=f"bench.{self.token}.alone.events",
                               queue_prefix=f"bench.{self.token}.alone.")  # fmt: skip

    @property
    def database(self) -> str:
        """notifier's database."""
        return f"bench_notifier_fb_{self.token}"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def summary(delays: list[float]) -> dict[str, float]:
    """p50/p90/p99/max in seconds."""
    return {"n": len(delays), "p50_s": round(statistics.median(delays), 3),
            "p90_s": round(percentile(delays, 90), 3), "p99_s": round(percentile(delays, 99), 3),
            "max_s": round(max(delays), 3)}  # fmt: skip


# --- the sandbox and notifier ----------------------------------------------------------------


@dataclass
class Sandbox:
    """The bench's own Facebook sandbox: its process, its app, its control API."""

    http: aiohttp.ClientSession
    url: str
    app_id: str
    app_secret: str
    process: subprocess.Popen[bytes]

    async def control(self, method: str, path: str, body: Any = None) -> Any:
        """One control call (asserts it worked)."""
        async with self.http.request(method, f"{self.url}/__sandbox/{path}", json=body) as answer:
            if answer.status >= 400:
                raise RuntimeError(f"sandbox {path}: {answer.status} {await answer.text()}")
            return await answer.json()

    async def page(self, owner_name: str, page_name: str) -> tuple[str, dict[str, Any]]:
        """A test user and a Page they manage: (their id, the Page with its token)."""
        user = await self.control("POST", "test-users", {"name": owner_name})
        made = await self.control("POST", "pages", {"owner_id": user["id"], "name": page_name})
        return str(user["id"]), made

    async def messages(self, page_id: str) -> list[str]:
        """The messages on a Page."""
        found = await self.control("GET", f"posts?page_id={page_id}")
        return [str(p["message"]) for p in found["posts"]]


def spawn_sandbox(base: Path) -> tuple[str, str, str, subprocess.Popen[bytes]]:
    """``python -m jumo_facebook.sandbox`` on a free port for an app of the bench's own: its
    URL, app id and secret, and the process."""
    port, secret = free_port(), uuid.uuid4().hex
    app_id, url = str(10**14 + uuid.uuid4().int % 10**14), f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "jumo_facebook.sandbox", "--port", str(port),
               "--app-id", app_id, "--app-secret", secret, "--require-proof",
               "--redirect-uri", f"{GATEWAY}/facebook-pages/callback",
               "--public-url", url]  # fmt: skip
    with (base / "sandbox.log").open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # fmt: skip
    return url, app_id, secret, process


async def start_sandbox(base: Path, http: aiohttp.ClientSession) -> Sandbox:
    """The bench's own sandbox, answering."""
    sandbox = Sandbox(http, *spawn_sandbox(base))
    for _ in range(300):
        try:
            await sandbox.control("GET", "app")
            return sandbox
        except (aiohttp.ClientError, RuntimeError):
            await asyncio.sleep(0.1)
    raise RuntimeError("the sandbox did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM by pid (SIGKILL after 20 s)."""
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)


def start_notifier(base: Path, names: Names, jwks: str, sandbox: Sandbox,
                   jumo_page: dict[str, Any], port: int) -> subprocess.Popen[bytes]:  # fmt: skip
    """``python -m jumo_notifier``, ready."""
    settings = names.settings
    key = base64.b64encode(os.urandom(32)).decode()
    env = {**os.environ, "PORT": str(port), "MONGO_URL": MONGO_URL,
           "MONGO_DATABASE": names.database, "AMQP_URL": AMQP_URL,
           "EVENTS_EXCHANGE": settings.events_exchange, "QUEUE_PREFIX": settings.queue_prefix,
           "JWKS_URL": jwks, "UNSUBSCRIBE_KEY": key, "PAGE_TOKEN_KEY": key,
           "JUMO_PAGE_ID": jumo_page["id"], "JUMO_PAGE_TOKEN": jumo_page["access_token"],
           "PUBLIC_BASE_URL": GATEWAY, "FACEBOOK_GRAPH_URL": sandbox.url,
           "FACEBOOK_WWW_URL": sandbox.url, "FACEBOOK_APP_ID": sandbox.app_id,
           "FACEBOOK_APP_SECRET": sandbox.app_secret,
           "SMTP_PORT": "1", "MAIL_RELEASE_INTERVAL_S": "0", "DIGEST_INTERVAL_S": "0",
           "LOG_JSON": "true",
           "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING")}  # fmt: skip
    with (base / "notifier.log").open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "jumo_notifier"], env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip


async def wait_ready(http: aiohttp.ClientSession, port: int, log: Path) -> None:
    """Until notifier's /readyz answers 200 (its consumers are up)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            async with http.get(f"http://127.0.0.1:{port}/readyz") as answer:
                if answer.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2)
    tail = await asyncio.to_thread(log.read_text)
    raise RuntimeError("notifier not ready:\n" + tail[-3000:])


async def publish(publisher: Publisher, data: EventData, producer: str) -> None:
    """One event to the bench's exchange, confirmed."""
    await publisher.publish(make_event(data, producer=producer))


async def linked_org(http: aiohttp.ClientSession, sandbox: Sandbox, publisher: Publisher,
                     keys: TestKeys, port: int) -> tuple[OrgCard, str]:  # fmt: skip
    """An organization whose owner linked its Page and turned news posting on."""
    base = f"http://127.0.0.1:{port}"
    owner = uuid.uuid4().hex
    auth = {"Authorization": f"Bearer {keys.mint(owner)}"}
    org_id = uuid.uuid4().hex
    org = OrgCard(org_id=org_id, slug=f"bench-{org_id[:8]}", name="Water for All",
                  initials="WA", colour="#2266aa", verified=True)  # fmt: skip
    await publish(publisher, UserRegistered(user_id=owner, display_name="Ada"), "identity")
    await publish(publisher, OrgCreated(org=org, status="verified", created_by=owner, version=1),
                  "orgs")  # fmt: skip
    await publish(publisher, OrgMemberAdded(org_id=org_id, user_id=owner, role="owner", seq=1),
                  "orgs")  # fmt: skip
    for _ in range(300):  # until notifier's projection knows the owner
        async with http.get(f"{base}/facebook-pages/{org_id}", headers=auth) as answer:
            if answer.status == 200:
                break
        await asyncio.sleep(0.1)
    fb_owner, page = await sandbox.page("Ada Bench", "Water for All (bench)")
    async with http.post(f"{base}/facebook-pages/{org_id}/login", headers=auth) as answer:
        url = (await answer.json())["url"]
    dialog = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    login = await sandbox.control("POST", "login", {
        "user_id": fb_owner, "redirect_uri": dialog["redirect_uri"], "scope": PAGE_SCOPES,
        "code_challenge": dialog["code_challenge"]})  # fmt: skip
    query = {"code": login["code"], "state": dialog["state"]}
    async with http.get(f"{base}/facebook-pages/callback", params=query) as answer:
        linked = await answer.json()
        if not linked.get("linked"):
            raise RuntimeError(f"the Page did not link: {linked}")
    async with http.patch(f"{base}/facebook-pages/{org_id}", json={"post_news": True},
                          headers=auth) as answer:  # fmt: skip
        answer.raise_for_status()
    return org, str(page["id"])


# --- one run ---------------------------------------------------------------------------------


async def one_run(label: str, events: int, rate: float | None, publisher: Publisher,
                  sandbox: Sandbox, org: OrgCard, pages: dict[str, str], records: Any,
                  pid: int) -> dict[str, Any]:  # fmt: skip
    """Publish ``events`` of each kind (paced at ``rate`` per second, or at once) and time each
    until its post shows on its Page."""
    token = uuid.uuid4().hex[:6]
    sent: dict[tuple[str, str], float] = {}
    sent_wall: dict[str, float] = {}
    seen: dict[tuple[str, str], float] = {}

    def event(kind: str, n: int) -> tuple[str, EventData, str]:
        if kind == "user.registered":
            name = f"{label}-{token}-{n:04d}"
            joined = UserRegistered(user_id=uuid.uuid4().hex, display_name=name, share_joins=True)
            return f"{name} joined Jumo", joined, "identity"
        title = f"News {label}-{token}-{n:04d}"
        news = PostPublished(post_id=uuid.uuid4().hex, org=org, author_id=uuid.uuid4().hex,
                             title=title, excerpt="A bench post.",
                             published_at=datetime.now(UTC), version=1)  # fmt: skip
        return title, news, "orgs"

    async def send_all() -> None:
        started = time.monotonic()
        for n in range(events):
            for kind in ("user.registered", "post.published"):
                text, data, producer = event(kind, n)
                if rate:
                    due = started + n / rate
                    await asyncio.sleep(max(0.0, due - time.monotonic()))
                sent[(kind, text)] = time.monotonic()
                sent_wall[text] = time.time()
                await publish(publisher, data, producer)

    async def watch() -> None:
        deadline = time.monotonic() + 120 + (events / rate if rate else 0)
        while len(seen) < 2 * events and time.monotonic() < deadline:
            now = time.monotonic()
            for kind, page_id in pages.items():
                for message in await sandbox.messages(page_id):
                    first = message.split("\n")[0]
                    if (kind, first) not in seen and (kind, first) in sent:
                        seen[(kind, first)] = now
            await asyncio.sleep(POLL_S)

    cpu_before, started = cpu_seconds(pid), time.monotonic()
    await asyncio.gather(send_all(), watch())
    wall = time.monotonic() - started
    cpu = cpu_seconds(pid) - cpu_before
    result: dict[str, Any] = {"label": label, "events_per_kind": events, "rate_per_s": rate,
                              "wall_s": round(wall, 2), "notifier_cpu_s": round(cpu, 2),
                              "notifier_cpu_share": round(cpu / wall, 2)}  # fmt: skip
    for kind in pages:
        delays = [seen[key] - at for key, at in sent.items() if key[0] == kind and key in seen]
        missing = sum(1 for key in sent if key[0] == kind and key not in seen)
        result[kind] = summary(delays) | {"missing": missing}
    result["steps"] = await steps(records, sent_wall)
    return result


async def steps(records: Any, sent_wall: dict[str, float]) -> dict[str, Any]:
    """Where the time went, from notifier's own records: publish → intended (the event handled
    on notifier.facebook), intended → posted (the poster)."""
    intended, posted = [], []
    async for doc in records.find({}, {"message": 1, "created_at": 1, "done_at": 1}):
        at = sent_wall.get(str(doc["message"]).split("\n")[0])
        if at is None or "done_at" not in doc:
            continue
        made = doc["created_at"].replace(tzinfo=UTC).timestamp()
        intended.append(made - at)
        posted.append(doc["done_at"].replace(tzinfo=UTC).timestamp() - made)
    if not intended:
        return {}
    return {"publish_to_intended": summary(intended), "intended_to_posted": summary(posted)}


async def cleanup(names: Names) -> None:
    """Drop the bench's databases, delete its queues and exchanges (both notifiers')."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL)
    for database in (names.database, f"{names.database}_alone"):
        await client.drop_database(database)
    await client.close()
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        for settings in (names.settings, names.alone):
            queues = [n for q in NOTIFIER_QUEUES for n in queue_names(settings, "notifier", q)]
            for queue in [*queues, unrouted_name(settings)]:
                try:
                    await channel.queue_delete(queue)
                except Exception:  # a queue this version did not declare
                    channel = await connection.channel()
            exchanges = (settings.events_exchange, dead_exchange_name(settings),
                         unrouted_name(settings))  # fmt: skip
            for exchange in exchanges:
                try:
                    await channel.exchange_delete(exchange)
                except Exception:  # already gone
                    channel = await connection.channel()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Set up, run paced then burst, tear down."""
    names, keys, port = Names(), TestKeys(), free_port()
    base = Path(tempfile.mkdtemp(prefix="bench-notifier-fb-"))
    connection = await connect(names.settings)
    process: subprocess.Popen[bytes] | None = None
    sandbox: Sandbox | None = None
    try:
        # unsafe: the login cookie comes from 127.0.0.1, an IP address
        jar = aiohttp.CookieJar(unsafe=True)
        async with keys.serve() as jwks, aiohttp.ClientSession(cookie_jar=jar) as http:
            sandbox = await start_sandbox(base, http)
            _, jumo_page = await sandbox.page("Jumo Staff (bench)", f"Jumo (bench {names.token})")
            publisher = await open_publisher(connection, names.settings)
            process = start_notifier(base, names, jwks, sandbox, jumo_page, port)
            await wait_ready(http, port, base / "notifier.log")
            org, org_page = await linked_org(http, sandbox, publisher, keys, port)
            pages = {"user.registered": str(jumo_page["id"]), "post.published": org_page}
            mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL)
            records = mongo[names.database]["facebook_posts"]
            paced = await one_run("paced", args.events, args.rate, publisher, sandbox, org, pages,
                                  records, process.pid)  # fmt: skip
            burst = await one_run("burst", args.events, None, publisher, sandbox, org, pages,
                                  records, process.pid)  # fmt: skip
            await mongo.close()
            runs = [paced, burst]
            alone = await poster_alone(names, jwks, args.events)
    finally:
        for started in (process, sandbox.process if sandbox else None):
            if started is not None:
                stop(started)
        await connection.close()
        await cleanup(names)
    return {"runs": runs, "poster_alone": alone, "notifier_log": str(base / "notifier.log")}


async def poster_alone(names: Names, jwks: str, events: int) -> dict[str, Any]:
    """``events`` posts queued at once to one Page, made by one process's poster."""
    from aiohttp.test_utils import TestServer

    from jumo_facebook.sandbox.testing import running_sandbox, test_config
    from jumo_notifier.app import create_app
    from jumo_notifier.settings import NotifierSettings
    from jumo_notifier.typedefs import NOTIFIER

    key = base64.b64encode(os.urandom(32)).decode()
    database = f"{names.database}_alone"
    async with running_sandbox(test_config()) as sandbox:
        staff = await sandbox.create_test_user("Jumo Staff")
        page = await sandbox.create_page(staff.id, "Jumo")
        settings = NotifierSettings(
            mongo_url=MONGO_URL, amqp_url=AMQP_URL, mongo_database=database,
            events_exchange=names.alone.events_exchange,
            queue_prefix=names.alone.queue_prefix, jwks_url=jwks,
            unsubscribe_key=SecretStr(key), page_token_key=SecretStr(key),
            facebook=sandbox.client_settings(), jumo_page_id=page.id,
            jumo_page_token=SecretStr(page.access_token), smtp_port=1,
            mail_release_interval_s=0, digest_interval_s=0, posting_poll_s=3600,
        )  # fmt: skip
        server = TestServer(create_app(settings))
        await server.start_server()
        try:
            facebook = server.app[NOTIFIER].facebook
            now = datetime.now(UTC)
            for n in range(events):
                await facebook.posts.intend({
                    "_id": f"bench:{n}", "ref": f"b{n:05d}", "kind": "welcome",
                    "event_id": str(uuid.uuid4()), "target": "jumo", "org_id": None,
                    "page_id": page.id, "user_id": None, "message": f"Bench {n} ref=b{n:05d}",
                    "link": None, "state": "pending", "created_at": now}, now)  # fmt: skip
            started = time.monotonic()
            facebook.poster.wake()
            posted = 0
            while posted < events:
                await asyncio.sleep(0.02)
                posted = await facebook.posts.posts.count_documents({"state": "posted"})
            took = time.monotonic() - started
            shown = len(await sandbox.posts(page.id))
        finally:
            await server.close()
            client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL)
            await client.drop_database(database)
            await client.close()
    return {"posts": events, "shown": shown, "seconds": round(took, 2),
            "posts_per_s": round(events / took, 1)}  # fmt: skip


def report(result: dict[str, Any]) -> str:
    """The figures as a table."""
    lines = ["run     kind             n    p50 s  p90 s  p99 s  max s  missing"]
    for one in result["runs"]:
        for kind in ("user.registered", "post.published"):
            f = one[kind]
            lines.append(f"{one['label']:<7} {kind:<16} {f['n']:<4} {f['p50_s']:>6} "
                         f"{f['p90_s']:>6} {f['p99_s']:>6} {f['max_s']:>6}  "
                         f"{f['missing']}")  # fmt: skip
        lines.append(
            f"{one['label']:<7} wall {one['wall_s']} s, notifier's CPU "
            f"{one['notifier_cpu_s']} s ({one['notifier_cpu_share']} of a core)"
        )
        for step, f in one["steps"].items():
            lines.append(f"{one['label']:<7} {step:<22} p50 {f['p50_s']} p99 {f['p99_s']}")
    alone = result["poster_alone"]
    lines.append(f"poster alone: {alone['posts']} queued posts to one Page in {alone['seconds']} s "
                 f"({alone['posts_per_s']}/s), {alone['shown']} shown")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    """Run the bench; print the table; save the JSON."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--events", type=int, default=200, help="events of each kind per run")
    parser.add_argument("--rate", type=float, default=2.0, help="paced run: events/s per kind")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    result |= {"at": datetime.now(UTC).isoformat(timespec="seconds"),
               "load_average": os.getloadavg(), "cpus": os.cpu_count(),
               "python": platform.python_version(), "events": args.events,
               "rate_per_s": args.rate}  # fmt: skip
    print(report(result))
    (HERE / "notifier_facebook.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
