"""Fan-out of one activity to 1k / 10k / 100k followers — feed's real fan-out end to end, the
store's raw ceiling and the public peer, side by side in one run — then reading 100,000 follower
ids (Redis against FerretDB) and memory (Redis bytes per timeline entry, feed's idle RSS).

    uv run --frozen python bench/feed_fanout.py [--followers 1000,10000,100000] [--repeats 3]
    uv run --frozen python bench/feed_fanout.py --profile   # feed under cProfile: its CPU

Private servers: a Redis node of its own (``jumo_devstack.RedisNode`` on a free port, feed's
settings: listpacks up to 1,024 entries), so its memory figures are feed's alone. RabbitMQ and
MongoDB are the running stack's (``AMQP_URL``, ``MONGO_URL``: FerretDB on PostgreSQL with
``make up``) under names of its own (database ``bench_feed_<token>``, exchange
``bench.<token>.events``, queues ``bench.<token>.*``), removed at the end.

feed runs as it ships — ``python -m jumo_feed`` in a process of its own (so /proc gives its CPU
time and memory), ``fanout_batch`` 1000, ``timeline_cap`` 800, ``large_source_followers`` above
every size here — started through ``TRACER``, which only wraps the coroutine methods of its
steps to write when each call began and ended (a few microseconds a call, ~500 calls for a
100,000-follower fan-out). The followers are seeded straight into Redis — the follow graph
(each source's ``fw:`` sorted set, scored by follow order) and each follower's timeline (``tl:``:
the sentinel and 20 older entries, as someone who reads their feed has) — because that is what
fan-out reads and writes; publishing 100,000 follow events through FerretDB would take hours
and measure the projection, not the fan-out. One ``post.published`` per measurement goes to the
bench's exchange; the clock runs from the moment feed's consumer took the event off the queue
(the trace's first ``Consumer._handle``; "from the publish" adds the broker's hop) until every
batch is written: one follower per batch is polled with ZSCORE every 2 ms (a batch is one Lua
call, atomic, so one member shows the whole batch), then every follower is counted (untimed).
feed's CPU seconds are utime + stime of its process from the publish to the last delivery;
"queued after" is when the handler had stored the activity and queued the batches; every
step's calls, total time, first start and last end are in the JSON. Each size is fanned out
once untimed first (the source's newest-activities list loaded, the scripts cached).

Side by side, in the same run and on the same Redis and followers, interleaved per repeat:

- the store's raw ceiling: a bare pipelined loop from Python (ZADD + ZREMRANGEBYRANK, 1,000
  timelines per round trip, ids already in memory), one Lua call per 1,000 timelines (ZADD and
  trim inside Redis), and feed's own fan-out script called directly (followers read inside
  Redis), which is feed's path without the work queue and MongoDB;
- the peer: Stream-Framework's Manager fan-out (bench/peer_stream_framework.py, run by uv in an
  isolated environment, never in our lock), reading the same followers, on the same Redis.

Then: 100,000 follower ids read from Redis (ZRANGEBYSCORE by 1,000, and at once) and from
FerretDB (a find of 100,000 edge documents by source with a projection, in a database of its
own, dropped after); Redis bytes per timeline entry for 10,000 full timelines in feed's member
encoding — 800 entries as listpacks (feed's setting), 800 with Redis's default
zset-max-listpack-entries 128 (skiplists), 200 as listpacks — and the cost of writing one more
entry into each (the timelines are copied from 100 ZADD-built ones by DUMP/RESTORE: ZADD into an
800-entry listpack scans it per member, a minute for 10,000); feed's resident memory after start
and 30 s idle, and what its imports alone take. Saves everything to bench/feed_fanout.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aio_pika
import redis as sync_redis
from pymongo import AsyncMongoClient
from redis.asyncio import Redis

from jumo_common.bus import Bus, Publisher, queue_names, unrouted_name
from jumo_common.events import make_event
from jumo_common.events.orgs import OrgCard, PostPublished
from jumo_common.mongo import ensure_indexes
from jumo_common.settings import ServiceSettings
from jumo_devstack import RedisNode, free_port, scratch_dir, terminate_pid, wait_for
from jumo_feed.model import REASON_ORG, SENTINEL, activity_number, member, org_source
from jumo_feed.store import INDEXES, edge_id
from jumo_feed.timelines import Timelines

HERE = Path(__file__).resolve().parent
AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
MONGO_URL = os.environ.get("MONGO_URL", "mongodb://127.0.0.1:27017/")
PREFIX = "feed:"  # feed's default key prefix: the Redis node is the bench's alone
CAP, BATCH, PREFILL, TTL_S = 800, 1000, 20, 30 * 86_400
TEMPLATES, FULL_TIMELINES = 100, 10_000
IDLE_S = 30.0
PEER_BUDGET_S = 60.0  # the peer repeats only while under this (at least once): 18 s a 100k run
FEED_QUEUES = ("events", "activities", "fanout", "erasure")
PEER_COMMAND = ["run", "--no-project", "--isolated", "--with", "stream-framework-plus==1.4.0.3",
                "--with", "redis", "--with", "hiredis", "python",
                str(HERE / "peer_stream_framework.py")]  # fmt: skip

# The raw ceiling's script: ZADD and trim per timeline, the keys given (feed's trim: rank 0 is
# the sentinel, the newest CAP stay).
CEILING_LUA = """
local cap = tonumber(ARGV[3])
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, ARGV[1], ARGV[2])
  local extra = redis.call('ZCARD', key) - cap - 1
  if extra > 0 then redis.call('ZREMRANGEBYRANK', key, 1, extra) end
end
return #KEYS
"""


# feed's process: ``python -c TRACER``, which runs ``python -m jumo_feed`` unchanged after
# wrapping the coroutine methods of its steps so that each call appends "<name> <start> <end>"
# (wall-clock seconds) to $BENCH_TRACE: the consumer taking a message, the idempotency claim,
# the store, the timelines, the fan-out, the publisher. Under $BENCH_PROFILE, cProfile too.
TRACER = """
import functools, inspect, os, runpy, time
import jumo_common.bus.consumer as consumer
from jumo_common.bus.publisher import Publisher
from jumo_feed.activities import Activities
from jumo_feed.fanout import Fanout
from jumo_feed.store import FeedStore
from jumo_feed.timelines import Timelines

out = open(os.environ["BENCH_TRACE"], "a", buffering=1)

def traced(label, fn):
    @functools.wraps(fn)
    async def run(*args, **kwargs):
        started = time.time()
        try:
            return await fn(*args, **kwargs)
        finally:
            out.write(f"{label} {started:.6f} {time.time():.6f}\\n")
    return run

for cls in (FeedStore, Timelines, Fanout, Publisher, Activities):
    for name, fn in list(vars(cls).items()):
        if inspect.iscoroutinefunction(fn) and not name.startswith("__"):
            setattr(cls, name, traced(f"{cls.__name__}.{name}", fn))
consumer.Consumer._handle = traced("Consumer._handle", consumer.Consumer._handle)
consumer.run_once = traced("run_once (the claim, then the handler)", consumer.run_once)
if os.environ.get("BENCH_PROFILE"):
    import cProfile
    profile = cProfile.Profile()
    profile.enable()
    try:
        runpy.run_module("jumo_feed", run_name="__main__", alter_sys=True)
    finally:
        profile.disable()
        profile.dump_stats(os.environ["BENCH_PROFILE"])
else:
    runpy.run_module("jumo_feed", run_name="__main__", alter_sys=True)
"""


def uid(i: int, kind: str = "") -> str:
    """A follower's id, as long as identity's (32 hex digits)."""
    return kind + f"{i:032x}"[len(kind) :]


def tl(user: str) -> str:
    """A follower's timeline key, as feed names it."""
    return f"{PREFIX}tl:{user}"


def fw(source: str) -> str:
    """A source's follower set, as feed names it."""
    return f"{PREFIX}fw:{source}"


def card(name: str) -> OrgCard:
    """An organization as orgs' events carry it."""
    org_id = uuid.uuid4().hex
    return OrgCard(org_id=org_id, slug=f"bench-{org_id[:8]}", name=name, initials="BE",
                   colour="#2266aa", verified=True)  # fmt: skip


def fresh(label: str) -> tuple[int, int]:
    """(number, member) of a new activity: newer than every entry already in a timeline."""
    number = activity_number(datetime.now(UTC), f"{label}:{uuid.uuid4().hex}")
    return number, member(number, REASON_ORG)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def status_mb(pid: int, name: str) -> float:
    """A memory line of /proc/<pid>/status (VmRSS, VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise LookupError(name)


def median(values: list[float], digits: int = 4) -> float:
    """The median, rounded for the report."""
    return round(statistics.median(values), digits)


# --- the servers -----------------------------------------------------------------------------


@dataclass
class Names:
    """Everything the bench names on the shared stack."""

    token: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    @property
    def settings(self) -> ServiceSettings:
        """The bench's own exchange and queue prefix (publishing as orgs would)."""
        return ServiceSettings(service_name="bench", amqp_url=AMQP_URL, mongo_url=MONGO_URL,
                               events_exchange=f"bench.{self.token}.events",
                               queue_prefix=f"bench.{self.token}.")  # fmt: skip

    @property
    def database(self) -> str:
        """feed's database."""
        return f"bench_feed_{self.token}"

    @property
    def edges_database(self) -> str:
        """The database of the follower-read measurement."""
        return f"bench_feed_edges_{self.token}"


def start_feed(base: Path, redis_url: str, names: Names, profile: bool) -> subprocess.Popen[bytes]:
    """``python -m jumo_feed`` (under cProfile with ``profile``), started and ready."""
    port, settings = free_port(), names.settings
    env = {**os.environ, "PORT": str(port), "REDIS_URL": redis_url, "REDIS_PREFIX": PREFIX,
           "MONGO_URL": MONGO_URL, "MONGO_DATABASE": names.database, "AMQP_URL": AMQP_URL,
           "EVENTS_EXCHANGE": settings.events_exchange, "QUEUE_PREFIX": settings.queue_prefix,
           "FANOUT_BATCH": str(BATCH), "TIMELINE_CAP": str(CAP),
           "LARGE_SOURCE_FOLLOWERS": "10000000", "LOG_JSON": "true", "LOG_LEVEL": "INFO",
           "BENCH_TRACE": str(base / "feed.trace")}  # fmt: skip
    if profile:
        env["BENCH_PROFILE"] = str(base / "feed.prof")
    command = [sys.executable, "-c", TRACER]
    with (base / "feed.log").open("ab") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True, cwd=HERE.parent)  # fmt: skip
    ready = f"http://127.0.0.1:{port}/readyz"
    if not wait_for(lambda: _answers(ready), 90):
        terminate_pid(process.pid, timeout=10)
        raise RuntimeError("feed not ready:\n" + (base / "feed.log").read_text()[-3000:])
    return process


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own URL)
            return int(response.status) == 200
    except OSError:
        return False


async def remove_broker_names(settings: ServiceSettings) -> None:
    """Delete feed's queues and the bench's exchanges."""
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        for queue in FEED_QUEUES:
            for name in queue_names(settings, "feed", queue):
                await channel.queue_delete(name)
        for name in (settings.events_exchange, f"{settings.events_exchange}.dead",
                     unrouted_name(settings)):  # fmt: skip
            await channel.exchange_delete(name)
        await channel.queue_delete(unrouted_name(settings))


# --- seeding ---------------------------------------------------------------------------------


async def seed_timelines(redis: Redis, users: list[str], prefill: int) -> None:
    """Each user's timeline exists, holding the sentinel and ``prefill`` older entries."""
    oldest = activity_number(datetime.now(UTC) - timedelta(days=2), "seed")
    older = {str(member(oldest + k * 61_440_000, REASON_ORG)): oldest + k * 61_440_000
             for k in range(prefill)}  # fmt: skip
    entries = {SENTINEL: 0, **dict(reversed(list(older.items())))}
    for start in range(0, len(users), 1000):
        async with redis.pipeline(transaction=False) as pipe:
            for user in users[start : start + 1000]:
                pipe.zadd(tl(user), entries)
                pipe.expire(tl(user), TTL_S)
            await pipe.execute()


async def seed_followers(redis: Redis, source: str, users: list[str]) -> None:
    """``users`` follow ``source``, in this order (scores: follow times in microseconds)."""
    first = float(int((time.time() - 86_400) * 1_000_000))
    for start in range(0, len(users), 10_000):
        chunk = {u: first + start + i for i, u in enumerate(users[start : start + 10_000])}
        await redis.zadd(fw(source), chunk)


async def holding(redis: Redis, users: list[str], value: int) -> int:
    """How many of ``users``' timelines hold ``value``."""
    found = 0
    for start in range(0, len(users), 10_000):
        async with redis.pipeline(transaction=False) as pipe:
            for user in users[start : start + 10_000]:
                pipe.zscore(tl(user), str(value))
            found += sum(score is not None for score in await pipe.execute())
    return found


# --- one fan-out each way --------------------------------------------------------------------


@dataclass
class Bench:
    """What every measurement uses."""

    redis: Redis
    publisher: Publisher
    feed: subprocess.Popen[bytes]
    ceiling: Any  # the registered CEILING_LUA
    timelines: Timelines
    redis_url: str
    blocking: sync_redis.Redis  # the bare loop's client: redis-py's plain one (with hiredis)
    trace: Path  # feed's step trace (TRACER)

    async def feed_once(self, org: OrgCard, users: list[str]) -> dict[str, Any]:
        """One post.published through feed, until every follower's timeline holds it."""
        post_id = uuid.uuid4().hex
        at = datetime.now(UTC)
        data = PostPublished(post_id=post_id, org=org, author_id=uuid.uuid4().hex,
                             title="Wells dug in May", excerpt="Twelve villages have water.",
                             published_at=at, version=1)  # fmt: skip
        value = member(activity_number(at, f"post:{post_id}"), REASON_ORG)
        polled = [users[min(k + BATCH - 1, len(users) - 1)] for k in range(0, len(users), BATCH)]
        offset = self.trace.stat().st_size if self.trace.exists() else 0
        cpu, started = cpu_seconds(self.feed.pid), time.perf_counter()
        await self.publisher.publish(make_event(data, producer="orgs"))
        await self._until_written(polled, value)
        done, from_publish = time.time(), time.perf_counter() - started
        cpu = cpu_seconds(self.feed.pid) - cpu
        delivered = await holding(self.redis, users, value)
        steps = read_steps(self.trace, offset)
        off_queue = steps.get("Consumer._handle", {}).get("first start", 0.0)
        return {"seconds": round(done - off_queue, 4) if off_queue else round(from_publish, 4),
                "seconds from the publish": round(from_publish, 4), "cpu_s": round(cpu, 3),
                "delivered": delivered,
                "steps (ms from off the queue)": relative(steps, off_queue)}  # fmt: skip

    async def _until_written(self, users: list[str], value: int, timeout: float = 180.0) -> None:
        waiting = list(users)
        async with asyncio.timeout(timeout):
            while waiting:
                async with self.redis.pipeline(transaction=False) as pipe:
                    for user in waiting:
                        pipe.zscore(tl(user), str(value))
                    scores = await pipe.execute()
                waiting = [u for u, s in zip(waiting, scores, strict=True) if s is None]
                if waiting:
                    await asyncio.sleep(0.002)

    def pipeline_once(self, users: list[str], cap: int = CAP) -> dict[str, float]:
        """The bare pipelined loop: ZADD + trim, 1,000 timelines per round trip, with redis-py's
        blocking client (faster than its asyncio one from one process: the ceiling)."""
        number, value = fresh("pipeline")
        cpu, started = time.process_time(), time.perf_counter()
        for start in range(0, len(users), BATCH):
            pipe = self.blocking.pipeline(transaction=False)
            for user in users[start : start + BATCH]:
                pipe.zadd(tl(user), {str(value): number})
                pipe.zremrangebyrank(tl(user), 1, -(cap + 1))
            pipe.execute()
        return _timed(started, cpu)

    async def lua_once(self, users: list[str], cap: int = CAP) -> dict[str, float]:
        """One Lua call per 1,000 timelines (keys given), ZADD and trim inside Redis."""
        number, value = fresh("lua")
        cpu, started = time.process_time(), time.perf_counter()
        for start in range(0, len(users), BATCH):
            keys = [tl(u) for u in users[start : start + BATCH]]
            await self.ceiling(keys=keys, args=[number, value, cap])
        return _timed(started, cpu)

    async def script_once(self, source: str) -> dict[str, float]:
        """feed's own fan-out script called directly, batch after batch (its bounds read
        first, as feed does): feed's path without the work queue and MongoDB."""
        number, value = fresh("script")
        cpu, started = time.process_time(), time.perf_counter()
        bounds = await self.timelines.batch_bounds(source, BATCH)
        edges = [-1.0, *bounds]
        for i, after in enumerate(edges):
            upto = edges[i + 1] if i + 1 < len(edges) else None
            await self.timelines.fan_out(source, after, upto, number, value)
        return _timed(started, cpu)

    def peer(self, source: str, repeats: int) -> dict[str, Any]:
        """Stream-Framework's fan-out to ``source``'s followers, in its own environment."""
        uv = os.environ.get("UV") or shutil.which("uv") or "uv"
        command = [uv, *PEER_COMMAND, "--redis-url", self.redis_url, "--followers-key",
                   fw(source), "--repeats", str(repeats), "--cap", str(CAP), "--cleanup",
                   "--budget-s", str(PEER_BUDGET_S)]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=1200,
                              cwd=HERE.parent, check=False)  # fmt: skip
        if done.returncode != 0:
            return {"error": done.stderr[-3000:]}
        figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return figures


def read_steps(trace: Path, offset: int) -> dict[str, dict[str, float]]:
    """feed's calls traced since ``offset``: per step, its calls, their total time, the first
    start and the last end (wall-clock seconds)."""
    steps: dict[str, dict[str, float]] = {}
    with trace.open("rb") as lines:
        lines.seek(offset)
        for line in lines.read().decode().splitlines():
            label, start, end = line.rsplit(" ", 2)
            begun, ended = float(start), float(end)
            step = steps.setdefault(label, {"calls": 0, "total": 0.0, "first start": begun,
                                            "last end": ended})  # fmt: skip
            step["calls"] += 1
            step["total"] += ended - begun
            step["first start"] = min(step["first start"], begun)
            step["last end"] = max(step["last end"], ended)
    return steps


def relative(steps: dict[str, dict[str, float]], zero: float) -> dict[str, dict[str, float]]:
    """The steps in milliseconds, their starts and ends from ``zero``, in the order they began."""
    ordered = sorted(steps.items(), key=lambda item: item[1]["first start"])
    return {label: {"calls": int(step["calls"]), "total ms": round(step["total"] * 1000, 2),
                    "first start ms": round((step["first start"] - zero) * 1000, 2),
                    "last end ms": round((step["last end"] - zero) * 1000, 2)}
            for label, step in ordered}  # fmt: skip


def _timed(started: float, cpu: float) -> dict[str, float]:
    return {"seconds": round(time.perf_counter() - started, 4),
            "client_cpu_s": round(time.process_time() - cpu, 4)}  # fmt: skip


def summary(runs: list[dict[str, Any]], deliveries: int, cpu_key: str) -> dict[str, Any]:
    """A method's runs: the median seconds and deliveries per second; CPU seconds per 10k
    deliveries over all runs together (/proc counts in 10 ms ticks: a 1,000-follower run alone
    is below one tick)."""
    seconds = median([r["seconds"] for r in runs])
    cpu = sum(r[cpu_key] for r in runs) / (deliveries * len(runs)) * 10_000
    return {"runs": runs, "median seconds": seconds,
            "deliveries per s": round(deliveries / seconds),
            f"{cpu_key} per 10k": round(cpu, 4)}  # fmt: skip


async def fan_out_sizes(
    bench: Bench, sizes: list[int], repeats: int, users: list[str]
) -> dict[str, Any]:
    """Every size: feed, the ceilings and the peer, interleaved per repeat."""
    found: dict[str, Any] = {}
    for n in sizes:
        org, followers = card(f"Bench {n}"), users[:n]
        source = org_source(org.org_id)
        await seed_followers(bench.redis, source, followers)
        await bench.feed_once(org, followers)  # warm: the source's list loaded, scripts cached
        runs: dict[str, list[dict[str, Any]]] = {"feed": [], "pipe": [], "lua": [], "script": []}
        for _ in range(repeats):
            runs["feed"].append(await bench.feed_once(org, followers))
            runs["pipe"].append(bench.pipeline_once(followers))
            runs["lua"].append(await bench.lua_once(followers))
            runs["script"].append(await bench.script_once(source))
            await asyncio.sleep(0.3)
        peer = bench.peer(source, repeats)
        found[str(n)] = _size_figures(n, runs, peer)
        print(f"  {n:>7,} followers: feed {found[str(n)]['feed']['median seconds']} s", flush=True)
    return found


def queued_after(run: dict[str, Any]) -> float:
    """When the handler had stored the activity and queued the batches (or written the only
    one), in seconds from the event taken off the queue."""
    step = run["steps (ms from off the queue)"].get("Fanout._to_followers", {})
    return round(float(step.get("last end ms", 0.0)) / 1000, 4)


def _size_figures(n: int, runs: dict[str, list[dict[str, Any]]], peer: dict[str, Any]) -> Any:
    figures = {
        "feed": summary(runs["feed"], n, "cpu_s"),
        "ceiling: pipeline ZADD + trim": summary(runs["pipe"], n, "client_cpu_s"),
        "ceiling: Lua per 1,000": summary(runs["lua"], n, "client_cpu_s"),
        "feed's script alone": summary(runs["script"], n, "client_cpu_s"),
        "peer: Stream-Framework": peer,
    }
    figures["feed"]["median seconds from the publish"] = median(
        [r["seconds from the publish"] for r in runs["feed"]]
    )
    figures["feed"]["median batches queued after s"] = median(
        [queued_after(r) for r in runs["feed"]]
    )
    rate = figures["feed"]["deliveries per s"]
    figures["ratios"] = {
        "feed / ceiling (pipeline)": round(rate / figures["ceiling: pipeline ZADD + trim"]
                                           ["deliveries per s"], 2),
        "feed / ceiling (Lua)": round(rate / figures["ceiling: Lua per 1,000"]
                                      ["deliveries per s"], 2),
        "feed / its script alone": round(rate / figures["feed's script alone"]
                                         ["deliveries per s"], 2),
        "feed / peer": round(rate / peer["deliveries_per_s"], 1) if "deliveries_per_s" in peer
        else None,
    }  # fmt: skip
    return figures


# --- reading 100,000 follower ids ------------------------------------------------------------


async def read_follower_ids(
    bench: Bench, db: Any, source: str, count: int, repeats: int
) -> dict[str, Any]:
    """``count`` ids from Redis (by 1,000 and at once) and from FerretDB (one find)."""
    key = fw(source)
    batched, whole, ferret = [], [], []
    for _ in range(repeats):
        batched.append(await _timed_count(lambda: _redis_batched(bench.redis, key)))
        whole.append(await _timed_count(lambda: _redis_whole(bench.redis, key)))
        ferret.append(await _timed_count(lambda: _ferret_find(db, source)))
    return {"ids": count, "Redis ZRANGEBYSCORE by 1,000": _read_summary(batched),
            "Redis ZRANGE, all at once": _read_summary(whole),
            "FerretDB find by source, projection {user}": _read_summary(ferret)}  # fmt: skip


async def seed_edges(db: Any, source: str, users: list[str]) -> float:
    """feed's edge documents of ``users`` following ``source`` (insert_many by 500); seconds."""
    await ensure_indexes(db, INDEXES)
    started = time.perf_counter()
    order = float(int((time.time() - 86_400) * 1_000_000))
    for start in range(0, len(users), 500):
        docs = [{"_id": edge_id(source, u), "source": source, "user": u, "following": True,
                 "in_feed": True, "order": order + start + i, "seq": 1}
                for i, u in enumerate(users[start : start + 500])]  # fmt: skip
        await db["edges"].insert_many(docs, ordered=False)
    return round(time.perf_counter() - started, 1)


async def _redis_batched(redis: Redis, key: str) -> int:
    count, low = 0, "-inf"
    while True:
        found = await redis.zrangebyscore(key, low, "+inf", start=0, num=BATCH, withscores=True)
        count += len(found)
        if len(found) < BATCH:
            return count
        low = f"({found[-1][1]!r}"


async def _redis_whole(redis: Redis, key: str) -> int:
    return len(await redis.zrange(key, 0, -1))


async def _ferret_find(db: Any, source: str) -> int:
    cursor = db["edges"].find({"source": source}, {"user": 1, "_id": 0})
    return len([d["user"] async for d in cursor])


async def _timed_count(read: Callable[[], Awaitable[int]]) -> dict[str, float]:
    started = time.perf_counter()
    count = await read()
    return {"seconds": round(time.perf_counter() - started, 4), "ids": count}


def _read_summary(runs: list[dict[str, float]]) -> dict[str, Any]:
    seconds = median([r["seconds"] for r in runs])
    return {"runs": runs, "median seconds": seconds,
            "ids per s": round(runs[0]["ids"] / seconds)}  # fmt: skip


# --- memory, and writing into full timelines ------------------------------------------------


async def templates(redis: Redis, count: int, size: int) -> list[bytes]:
    """``count`` timelines of ``size`` entries built with ZADD as feed's rebuild writes them
    (the sentinel, then newest to oldest; members number*8+reason scored by number, activities
    of the last 60 days), as DUMP payloads (the ZADD-built keys stay until deleted)."""
    rng, now, payloads = random.Random(size), datetime.now(UTC), []
    for k in range(count):
        ages = [timedelta(seconds=rng.uniform(0, 60 * 86_400)) for _ in range(size)]
        numbers = sorted((activity_number(now - age, f"t{k}:{i}") for i, age in enumerate(ages)),
                         reverse=True)  # fmt: skip
        entries = {SENTINEL: 0, **{str(member(n, rng.randint(1, 4))): n for n in numbers}}
        await redis.zadd(f"template:{k}", entries)
        payload = await redis.dump(f"template:{k}")
        assert isinstance(payload, bytes)
        payloads.append(payload)
    return payloads


async def used_memory(redis: Redis) -> dict[str, int]:
    """INFO memory's used_memory and used_memory_dataset, once client buffers settled."""
    await asyncio.sleep(1.0)  # query buffers of the last pipelines are freed by Redis's cron
    info = await redis.info("memory")
    return {"used_memory": int(info["used_memory"]),
            "used_memory_dataset": int(info["used_memory_dataset"])}  # fmt: skip


async def fill(redis: Redis, payloads: list[bytes], users: list[str]) -> None:
    """Each user's timeline restored from a template (see the module doc)."""
    for start in range(0, len(users), 100):
        async with redis.pipeline(transaction=False) as pipe:
            for i, user in enumerate(users[start : start + 100], start):
                pipe.restore(tl(user), 0, payloads[i % len(payloads)])
            await pipe.execute()


async def delete(redis: Redis, keys: list[str]) -> None:
    """Delete keys in chunks, at once (UNLINK would free them later, in the next variant's
    memory figures)."""
    for start in range(0, len(keys), 1000):
        await redis.delete(*keys[start : start + 1000])


@dataclass(frozen=True)
class Variant:
    """Full timelines of one size in one encoding."""

    label: str
    kind: str  # the first character of its users' ids
    size: int  # entries per timeline
    listpack_entries: int  # zset-max-listpack-entries while it is measured


VARIANTS = (
    Variant("800 entries, listpack (zset-max-listpack-entries 1024: feed's)", "l", CAP, 1024),
    Variant("800 entries, skiplist (zset-max-listpack-entries 128: Redis's default)", "s", CAP,
            128),
    Variant("200 entries, listpack (what a cap of 200 would keep)", "m", 200, 1024),
)  # fmt: skip


async def full_timelines(bench: Bench, variant: Variant, repeats: int) -> dict[str, Any]:
    """10,000 timelines of ``variant.size`` entries: their memory, and writing one more entry
    into each, by feed and by the ceilings."""
    users = [uid(i, kind=variant.kind) for i in range(FULL_TIMELINES)]
    payloads = await templates(bench.redis, TEMPLATES, variant.size)
    before = await used_memory(bench.redis)
    started = time.perf_counter()
    await fill(bench.redis, payloads, users)
    filled_s = round(time.perf_counter() - started, 2)
    after = await used_memory(bench.redis)
    entries = FULL_TIMELINES * variant.size
    figures: dict[str, Any] = {
        "timelines": FULL_TIMELINES, "entries each": variant.size, "restore s": filled_s,
        "encoding": (await bench.redis.object("encoding", tl(users[0]))).decode(),
        "bytes per entry (used_memory)": round((after["used_memory"] - before["used_memory"])
                                               / entries, 1),
        "bytes per entry (used_memory_dataset)": round(
            (after["used_memory_dataset"] - before["used_memory_dataset"]) / entries, 1),
        "MEMORY USAGE of one timeline": await bench.redis.memory_usage(tl(users[0]), samples=0),
        "MEMORY USAGE of its ZADD-built template": await bench.redis.memory_usage(
            "template:0", samples=0),
    }  # fmt: skip
    figures["writing one entry into each"] = await _write_full(bench, variant, users, repeats)
    await delete(bench.redis, [tl(u) for u in users] + [f"template:{k}" for k in range(TEMPLATES)])
    return figures


async def _write_full(
    bench: Bench, variant: Variant, users: list[str], repeats: int
) -> dict[str, Any]:
    org = card(f"Full {variant.kind}")
    source = org_source(org.org_id)
    await seed_followers(bench.redis, source, users)
    await bench.feed_once(org, users)  # warm, as for the sizes: the source's list loaded
    runs: dict[str, list[dict[str, Any]]] = {"feed": [], "pipe": [], "lua": [], "script": []}
    for _ in range(repeats):
        runs["feed"].append(await bench.feed_once(org, users))
        runs["pipe"].append(bench.pipeline_once(users, cap=variant.size))
        runs["lua"].append(await bench.lua_once(users, cap=variant.size))
        runs["script"].append(await bench.script_once(source))
    found = {
        "feed": summary(runs["feed"], FULL_TIMELINES, "cpu_s"),
        "ceiling: pipeline ZADD + trim": summary(runs["pipe"], FULL_TIMELINES, "client_cpu_s"),
        "ceiling: Lua per 1,000": summary(runs["lua"], FULL_TIMELINES, "client_cpu_s"),
        "feed's script alone": summary(runs["script"], FULL_TIMELINES, "client_cpu_s"),
        "entries after": await bench.redis.zcard(tl(users[-1])),
    }
    if variant.size < CAP:
        found["note"] = (f"feed's cap is {CAP}: feed and its script add without trimming here, "
                         f"the ceilings trim to {variant.size}")  # fmt: skip
    await bench.redis.delete(fw(source))
    return found


async def memory_figures(bench: Bench, repeats: int) -> dict[str, Any]:
    """Every variant of full timelines, one after the other (each deleted after)."""
    found: dict[str, Any] = {}
    try:
        for variant in VARIANTS:
            await bench.redis.config_set("zset-max-listpack-entries", variant.listpack_entries)
            found[variant.label] = await full_timelines(bench, variant, repeats)
    finally:
        await bench.redis.config_set("zset-max-listpack-entries", 1024)
    return found


# --- the run ---------------------------------------------------------------------------------

bench_names = Names()


async def run(args: argparse.Namespace, base: Path, node: RedisNode) -> dict[str, Any]:
    """Everything, in order; the figures."""
    sizes = sorted(int(n) for n in args.followers.split(","))
    users = [uid(i) for i in range(max(sizes))]
    redis, blocking = Redis.from_url(node.url), sync_redis.Redis.from_url(node.url)
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO_URL)
    bus = await Bus.start(bench_names.settings)
    figures: dict[str, Any] = {"feed's imports": imports_rss()}
    feed = start_feed(base, node.url, bench_names, args.profile)
    ready_at = time.monotonic()
    try:
        print(f"feed pid {feed.pid} ready; seeding {len(users):,} timelines", flush=True)
        started = time.perf_counter()
        await seed_timelines(redis, users, PREFILL)
        figures["seeding timelines s"] = round(time.perf_counter() - started, 2)
        read_source, edges_db = f"o:{uuid.uuid4().hex}", mongo[bench_names.edges_database]
        seeding = asyncio.create_task(seed_edges(edges_db, read_source, users[:100_000]))
        await asyncio.sleep(max(0.0, IDLE_S - (time.monotonic() - ready_at)))
        figures["feed idle"] = {"VmRSS MB after start + 30 s idle": status_mb(feed.pid, "VmRSS"),
                                "of which RssAnon MB (its own)": status_mb(feed.pid, "RssAnon"),
                                "of which RssFile MB (mapped files: libraries, the interpreter)":
                                status_mb(feed.pid, "RssFile"),
                                "CPU s since start": round(cpu_seconds(feed.pid), 2)}  # fmt: skip
        print("seeding FerretDB's edges for the follower read (insert_many by 500)", flush=True)
        figures["seeding FerretDB edges s"] = await seeding
        timelines = Timelines(redis, PREFIX, CAP, TTL_S)
        bench = Bench(redis, bus.publisher, feed,
                      redis.register_script(CEILING_LUA), timelines, node.url, blocking,
                      base / "feed.trace")  # fmt: skip
        print("fan-out, side by side:", flush=True)
        figures["fan-out"] = await fan_out_sizes(bench, sizes, args.repeats, users)
        print("reading 100,000 follower ids; memory", flush=True)
        await seed_followers(redis, read_source, users[:100_000])
        figures["reading follower ids"] = await read_follower_ids(
            bench, edges_db, read_source, len(users[:100_000]), args.repeats
        )
        figures["full timelines"] = await memory_figures(bench, args.repeats)
        figures["feed after"] = {"VmHWM MB (peak resident)": status_mb(feed.pid, "VmHWM"),
                                 "VmRSS MB": status_mb(feed.pid, "VmRSS")}  # fmt: skip
        figures["feed log"] = _log_levels(base / "feed.log")
    finally:
        terminate_pid(feed.pid, timeout=20)
        await bus.close()
        await redis.aclose()
        blocking.close()
        for name in (bench_names.database, bench_names.edges_database):
            await mongo.drop_database(name)
        await mongo.close()
        await remove_broker_names(bench_names.settings)
    return figures


# What feed's process imports, in an order where each line adds its own share (a module's own
# dependencies come with the first line that needs them).
IMPORTS = ("orjson", "pydantic", "structlog", "redis.asyncio", "pymongo", "aio_pika",
           "aiohttp.web", "jwt", "cryptography.hazmat.primitives.asymmetric.ed25519",
           "prometheus_client", "jumo_common.events", "jumo_common.bus", "jumo_common.web",
           "jumo_common.jwt", "jumo_common.mongo", "jumo_feed.app")  # fmt: skip
RSS_CODE = """
import importlib, pathlib, sys
def rss():
    status = pathlib.Path('/proc/self/status').read_text().splitlines()
    return int(next(line.split()[1] for line in status if line.startswith('VmRSS:')))
print('python', rss())
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except ImportError:
        continue
    print(name, rss())
"""


def imports_rss() -> dict[str, float]:
    """VmRSS of a bare Python, then what each of feed's imports adds (MB), nothing started."""
    done = subprocess.run([sys.executable, "-c", RSS_CODE, *IMPORTS], capture_output=True,
                          text=True, check=True, cwd=HERE.parent)  # fmt: skip
    found: dict[str, float] = {}
    previous = 0
    for line in done.stdout.split("\n"):
        if line:
            name, kb = line.rsplit(" ", 1)
            found[f"+ {name}" if previous else name] = round((int(kb) - previous) / 1024, 1)
            previous = int(kb)
    found["total MB"] = round(previous / 1024, 1)
    return found


def _log_levels(log: Path) -> dict[str, int]:
    levels: dict[str, int] = {}
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            level = str(json.loads(line).get("level", "?"))
            levels[level] = levels.get(level, 0) + 1
    return levels


def profile_top(path: Path, count: int = 25) -> list[str]:
    """The functions feed spent the most time in (cumulative), from cProfile's file."""
    import io
    import pstats

    out = io.StringIO()
    pstats.Stats(str(path), stream=out).sort_stats("tottime").print_stats(count)
    return out.getvalue().splitlines()


# --- the report ------------------------------------------------------------------------------


ROWS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("feed: to the last delivery, s", ("feed", "median seconds"), "10k ≤ 0.1, 100k ≤ 0.7"),
    ("feed: batches queued after, s", ("feed", "median batches queued after s"), ""),
    ("feed: from the publish, s", ("feed", "median seconds from the publish"), ""),
    ("feed: deliveries per s", ("feed", "deliveries per s"), "≥ 150,000"),
    ("feed: CPU s per 10k deliveries", ("feed", "cpu_s per 10k"), ""),
    ("ceiling, pipeline ZADD + trim: per s",
     ("ceiling: pipeline ZADD + trim", "deliveries per s"), ""),
    ("ceiling, Lua per 1,000: per s", ("ceiling: Lua per 1,000", "deliveries per s"), ""),
    ("feed's script alone: per s", ("feed's script alone", "deliveries per s"), ""),
    ("peer Stream-Framework: per s", ("peer: Stream-Framework", "deliveries_per_s"), ""),
    ("peer: s", ("peer: Stream-Framework", "median_seconds"), ""),
    ("feed / ceiling (pipeline)", ("ratios", "feed / ceiling (pipeline)"), "≥ 0.5"),
    ("feed / ceiling (Lua)", ("ratios", "feed / ceiling (Lua)"), ""),
    ("feed / its script alone", ("ratios", "feed / its script alone"), ""),
    ("feed / peer", ("ratios", "feed / peer"), "≥ 25"),
)  # fmt: skip


def dig(found: Any, path: tuple[str, ...]) -> Any:
    """``found[path[0]][path[1]]…``, or "—" where it is missing (the peer failed)."""
    for key in path:
        if not isinstance(found, dict) or key not in found:
            return "—"
        found = found[key]
    return found


def cell(value: Any) -> str:
    """A figure as the tables print it."""
    return f"{value:,}" if isinstance(value, int | float) else str(value)


def report(figures: dict[str, Any]) -> str:
    """The tables, with the goals beside the figures."""
    sizes = list(figures["fan-out"])
    lines = ["| per fan-out of one activity | " + " | ".join(f"{int(n):,}" for n in sizes)
             + " | goal |", "|---" * (len(sizes) + 2) + "|"]  # fmt: skip
    for label, path, goal in ROWS:
        values = [cell(dig(figures["fan-out"][n], path)) for n in sizes]
        lines.append(f"| {label} | " + " | ".join(values) + f" | {goal} |")
    return "\n".join(lines) + "\n\n" + _other_tables(figures)


def _other_tables(figures: dict[str, Any]) -> str:
    read = figures["reading follower ids"]
    lines = ["| reading 100,000 follower ids | median s | ids per s |", "|---|---|---|"]
    for name, found in read.items():
        if isinstance(found, dict):
            lines.append(f"| {name} | {found['median seconds']} | {found['ids per s']:,} |")
    lines += ["", "| 10,000 full timelines | bytes per entry | feed → each, s | feed per s | "
              "feed's script alone per s | Lua ceiling per s | pipeline ceiling per s |",
              "|---|---|---|---|---|---|---|"]  # fmt: skip
    for name, found in figures["full timelines"].items():
        writing = found["writing one entry into each"]
        rates = [writing[k]["deliveries per s"] for k in ("feed", "feed's script alone",
                 "ceiling: Lua per 1,000", "ceiling: pipeline ZADD + trim")]  # fmt: skip
        lines.append(f"| {name} | {found['bytes per entry (used_memory)']} | "
                     f"{writing['feed']['median seconds']} | "
                     + " | ".join(f"{r:,}" for r in rates) + " |")  # fmt: skip
    lines += ["", "| goal | measured | met |", "|---|---|---|"]
    for goal, (value, met) in goals_measured(figures).items():
        lines.append(f"| {goal} | {value} | {'yes' if met else 'no'} |")
    return "\n".join(lines)


def goals_measured(figures: dict[str, Any]) -> dict[str, tuple[Any, bool]]:
    """Each goal of the issue: what was measured, and whether it was reached."""
    sizes = figures["fan-out"]
    rates = {n: f["feed"]["deliveries per s"] for n, f in sizes.items()}
    ceiling = {n: f["ratios"]["feed / ceiling (pipeline)"] for n, f in sizes.items()}
    peer = {n: f["ratios"]["feed / peer"] for n, f in sizes.items()}
    listpack = figures["full timelines"][VARIANTS[0].label]["bytes per entry (used_memory)"]
    idle = figures["feed idle"]["VmRSS MB after start + 30 s idle"]
    found: dict[str, tuple[Any, bool]] = {
        "≥ 150,000 deliveries per s": (rates, all(r >= 150_000 for r in rates.values())),
        "≥ 0.5 of the raw ceiling (pipeline)": (ceiling, all(r >= 0.5 for r in ceiling.values())),
        "≥ 25 times the peer": (peer, all(r is not None and r >= 25 for r in peer.values())),
        "idle memory ≤ 80 MB (VmRSS)": (idle, idle <= 80),
        "≤ 40 bytes of Redis per timeline entry (feed's listpack)": (listpack, listpack <= 40),
    }
    for n, limit in (("10000", 0.1), ("100000", 0.7)):
        if n in sizes:
            seconds = sizes[n]["feed"]["median seconds"]
            found[f"{int(n):,} followers in ≤ {limit} s"] = (seconds, seconds <= limit)
    return found


def main() -> None:
    """Run the benchmark, print the tables, save the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--followers", default="1000,10000,100000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="run feed under cProfile")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the finally blocks still run
    base = scratch_dir("jumo-feed-fanout-")
    node = RedisNode(base / "redis", free_port())
    started, load = time.perf_counter(), os.getloadavg()
    try:
        node.start()
        figures = asyncio.run(run(args, base, node))
        figures = {"when": datetime.now(UTC).isoformat(timespec="seconds"),
                   "python": platform.python_version(), "redis": _redis_version(node),
                   "load average at start": [round(x, 2) for x in load],
                   "load average at end": [round(x, 2) for x in os.getloadavg()],
                   "seconds": round(time.perf_counter() - started), "repeats": args.repeats,
                   **figures}  # fmt: skip
        figures["goals, measured"] = {
            goal: {"measured": value, "met": met}
            for goal, (value, met) in goals_measured(figures).items()
        }
        if args.profile:
            figures["feed profile (tottime)"] = profile_top(base / "feed.prof")
    finally:
        node.stop()
        shutil.rmtree(base, ignore_errors=True)
    print(report(figures))
    if args.profile:
        print("\n".join(figures["feed profile (tottime)"]))
    # A profiled feed is slower: its figures are not the benchmark's, and stay out of bench/.
    scratch = Path(tempfile.gettempdir()) / "feed_fanout_profile.json"
    path = scratch if args.profile else HERE / "feed_fanout.json"
    path.write_text(json.dumps(figures, indent=2) + "\n")
    print("saved", path)


def _redis_version(node: RedisNode) -> str:
    from jumo_devstack import redis_command

    info = redis_command(node.host, node.port, "INFO", "server")
    text = info.decode() if isinstance(info, bytes) else str(info)
    return next((line.split(":", 1)[1] for line in text.splitlines()
                 if line.startswith("redis_version:")), "?")  # fmt: skip


if __name__ == "__main__":
    main()
