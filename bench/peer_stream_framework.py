"""The public peer: Stream-Framework's fan-out (``stream-framework-plus`` 1.4.0.3), in-process,
on a given Redis; prints its figures as one JSON object. bench/feed_fanout.py runs it in an
environment of its own, so the peer never enters our workspace lock::

    uv run --no-project --isolated --with stream-framework-plus==1.4.0.3 --with redis \\
        --with hiredis python bench/peer_stream_framework.py --redis-url redis://127.0.0.1:6390/0 \\
        --followers-key bench:fw:o:10000 [--repeats 3] [--cap 800]

The peer is used as its documentation shows: a ``Manager`` whose ``feed_classes`` is one
``RedisFeed`` (``max_length`` = our cap), a ``RedisFeed`` as the author's own feed,
``get_user_follower_ids`` reading the followers from Redis (the sorted set feed keeps, so
reading the followers is timed, as it is for feed), and ``add_user_activity`` for each new
activity, with the Manager's own chunking (``fanout_chunk_size`` 100). Its fan-out tasks are
Celery ``shared_task``s dispatched with ``.delay()``; with no broker and no worker, the Manager's
``get_fanout_task`` is overridden to hand back the same task wrapped so that ``.delay(...)``
calls its function (``task.run``) at once, in this process. (Celery's ``task_always_eager``
would do the same but, in Celery 5.7, first serialises the arguments as JSON, and the Manager is
one of them.) So the fan-out is the peer's own code, synchronous, chunk after chunk, with no
Celery transport in the time: the peer's best case.

Before the timed fan-outs each follower's peer timeline is created with one entry (untimed), as
feed writes only timelines that exist. Keys it writes: ``<peer-prefix>*`` and the peer's
``activity:cache:global*`` hash; ``--cleanup`` deletes them afterwards.
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import time
from typing import Any, ClassVar
from urllib.parse import urlsplit

import redis
from stream_framework import settings as sf_settings  # type: ignore[import-not-found]
from stream_framework.activity import Activity  # type: ignore[import-not-found]
from stream_framework.feed_managers.base import FanoutPriority, Manager  # type: ignore[import-not-found]
from stream_framework.feeds.redis import RedisFeed  # type: ignore[import-not-found]
from stream_framework.verbs.base import Add  # type: ignore[import-not-found]


def configure(url: str) -> redis.Redis:
    """Point the peer at our Redis; a client for what the script reads itself."""
    parts = urlsplit(url)
    db = int((parts.path or "/0").lstrip("/") or 0)
    sf_settings.STREAM_REDIS_CONFIG["default"] = {
        "host": parts.hostname or "127.0.0.1", "port": parts.port or 6379, "db": db,
        "password": None,
    }  # fmt: skip
    return redis.Redis(host=parts.hostname or "127.0.0.1", port=parts.port or 6379, db=db,
                       decode_responses=True)  # fmt: skip


def follower_ids(client: redis.Redis, key: str) -> list[str]:
    """Every follower in the sorted set feed keeps (what the peer's Manager asks for)."""
    return [str(value) for value in client.zrange(key, 0, -1)]


class RunNow:
    """A Celery task whose ``.delay()`` runs it here and now."""

    def __init__(self, task: Any) -> None:
        self.task = task

    def delay(self, *args: Any, **kwargs: Any) -> Any:
        return self.task.run(*args, **kwargs)


def manager_for(client: redis.Redis, followers_key: str, prefix: str, cap: int) -> Manager:
    """A Manager as Stream-Framework's documentation writes one."""

    class PeerFeed(RedisFeed):  # type: ignore[misc]
        key_format = prefix + "normal:%(user_id)s"
        max_length = cap

    class PeerUserFeed(PeerFeed):
        key_format = prefix + "user:%(user_id)s"

    class PeerManager(Manager):  # type: ignore[misc]
        feed_classes: ClassVar[dict[str, Any]] = {"normal": PeerFeed}
        user_feed_class = PeerUserFeed

        def get_user_follower_ids(self, user_id: Any) -> dict[str, list[str]]:
            return {FanoutPriority.HIGH: follower_ids(client, followers_key)}

        def get_fanout_task(self, priority: Any = None, feed_class: Any = None) -> RunNow:
            return RunNow(super().get_fanout_task(priority, feed_class))

    return PeerManager()


def seed(client: redis.Redis, followers_key: str, prefix: str) -> int:
    """Each follower's peer timeline exists with one entry (untimed)."""
    ids = follower_ids(client, followers_key)
    for start in range(0, len(ids), 1000):
        pipe = client.pipeline(transaction=False)
        for uid in ids[start : start + 1000]:
            pipe.zadd(f"{prefix}normal:{uid}", {"1": 1})
        pipe.execute()
    return len(ids)


def cleanup(client: redis.Redis, prefix: str) -> None:
    """Delete every key the peer wrote."""
    for pattern in (f"{prefix}*", "activity:cache:global*"):
        batch: list[str] = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.delete(*batch)
                batch = []
        if batch:
            client.delete(*batch)


def fan_out_once(manager: Manager, number: int) -> tuple[float, float]:
    """One activity through the Manager's fan-out: (seconds, CPU seconds of this process)."""
    when = datetime.datetime(2026, 1, 1) + datetime.timedelta(seconds=number)
    activity = Activity(actor=1, verb=Add, object=number, time=when)
    started, cpu = time.perf_counter(), time.process_time()
    manager.add_user_activity(1, activity)
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    """Run the peer's fan-out ``--repeats`` times and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--followers-key", required=True)
    parser.add_argument("--prefix", default="peer:")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cap", type=int, default=800)
    parser.add_argument("--cleanup", action="store_true")
    parser.add_argument(
        "--budget-s",
        type=float,
        default=None,
        help="no further repeat once the runs took this long (at least one)",
    )
    args = parser.parse_args()
    client = configure(args.redis_url)
    followers = seed(client, args.followers_key, args.prefix)
    manager = manager_for(client, args.followers_key, args.prefix, args.cap)
    runs: list[tuple[float, float]] = []
    for number in range(2, 2 + args.repeats):
        runs.append(fan_out_once(manager, number))
        if args.budget_s is not None and sum(s for s, _ in runs) > args.budget_s:
            break
    last = f"{args.prefix}normal:{follower_ids(client, args.followers_key)[-1]}"
    seconds = statistics.median(s for s, _ in runs)
    cpu = statistics.median(c for _, c in runs)
    figures = {
        "followers": followers, "repeats": len(runs), "seconds": [round(s, 4) for s, _ in runs],
        "median_seconds": round(seconds, 4), "deliveries_per_s": round(followers / seconds),
        "cpu_s_per_10k": round(cpu / followers * 10_000, 4),
        "last_follower_entries": client.zcard(last),
        "fanout_chunk_size": Manager.fanout_chunk_size,
    }  # fmt: skip
    if args.cleanup:
        cleanup(client, args.prefix)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
