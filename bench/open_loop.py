"""An open-loop load generator: GET requests at a fixed arrival rate, each request's latency
measured from its **intended** send time, so time spent queueing (in this process, waiting for
a connection, or in the server) counts.

    python bench/open_loop.py --url http://127.0.0.1:8003/feed --tokens tokens.json \
        --rate 500 --seconds 10 --start-at <epoch s> --out result.json

Request i is due at ``start_at + (i + phase) / rate``: a process never waits for an answer
before sending the next one (two processes at half the rate each, phases 0 and 0.5, make one
schedule). Requests go through one aiohttp session whose pool keeps ``--connections``
keep-alive connections, opened before the start; a request that finds every connection busy
waits for one, and that wait is in its latency. Each request carries the bearer token of a
random reader (``--tokens``: a JSON list). What was not answered ``--grace`` seconds after
the last send is cancelled and counted as unanswered. The result file holds, per request, its
intended time (seconds after ``start_at``), latency and send lag (ms) and status (0: a
connection error, -1: unanswered), and the process's CPU seconds, so the caller can tell
whether the generator kept up.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import aiohttp

UNANSWERED = -1
CONNECTION_ERROR = 0


def cpu_seconds() -> float:
    """This process's user + system CPU time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def warm(session: aiohttp.ClientSession, url: str, headers: dict[str, str], n: int) -> None:
    """Open ``n`` connections (n requests at once, answers discarded)."""

    async def one() -> None:
        async with session.get(url, headers=headers) as answer:
            await answer.read()

    await asyncio.gather(*(one() for _ in range(n)), return_exceptions=True)


Send = Callable[[int, float], Coroutine[Any, Any, None]]


async def send_on_schedule(
    total: int, rate: float, phase: float, t0: float, send: Send
) -> list[asyncio.Task[None]]:
    """Start ``send(i, due)`` for request i at its due time ``t0 + (i + phase) / rate`` (the
    running loop's clock), never waiting for an answer; the tasks, once all are started."""
    loop = asyncio.get_running_loop()
    interval = 1.0 / rate
    tasks: list[asyncio.Task[None]] = []
    i = 0
    while i < total:
        now = loop.time()
        while i < total and t0 + (i + phase) * interval <= now:
            tasks.append(asyncio.create_task(send(i, t0 + (i + phase) * interval)))
            i += 1
        if i < total:
            await asyncio.sleep(max(0.0, t0 + (i + phase) * interval - loop.time()))
    return tasks


async def settle(tasks: list[asyncio.Task[None]], grace: float) -> None:
    """Wait up to ``grace`` seconds for the requests still running; cancel the rest (their
    status stays UNANSWERED)."""
    _, late = await asyncio.wait(tasks, timeout=grace) if tasks else (set(), set())
    for task in late:
        task.cancel()
    await asyncio.gather(*late, return_exceptions=True)


async def run(args: argparse.Namespace, tokens: list[str]) -> dict[str, Any]:
    """Send the schedule; every request's figures."""
    headers = [{"Authorization": f"Bearer {t}"} for t in tokens]
    rng = random.Random(args.seed)
    total = int(args.rate * args.seconds)
    intended = [0.0] * total
    latency = [0.0] * total
    lag = [0.0] * total
    status = [UNANSWERED] * total
    connector = aiohttp.TCPConnector(limit=args.connections, keepalive_timeout=120)
    async with aiohttp.ClientSession(connector=connector) as session:
        await warm(session, args.url, headers[0], args.connections)
        loop = asyncio.get_running_loop()
        t0 = loop.time() + (args.start_at - time.time())
        cpu_before = cpu_seconds()

        async def one(i: int, due: float) -> None:
            intended[i] = due - t0
            lag[i] = loop.time() - due
            try:
                async with session.get(args.url, headers=rng.choice(headers)) as answer:
                    await answer.read()
                    status[i] = answer.status
            except (aiohttp.ClientError, OSError):
                status[i] = CONNECTION_ERROR
            latency[i] = loop.time() - due

        tasks = await send_on_schedule(total, args.rate, args.phase, t0, one)
        sent_until = loop.time() - t0
        await settle(tasks, args.grace)
        cpu = cpu_seconds() - cpu_before
    return {
        "rate": args.rate, "seconds": args.seconds, "phase": args.phase,
        "connections": args.connections, "sent until s": round(sent_until, 3),
        "cpu seconds": round(cpu, 3),
        "intended s": [round(x, 5) for x in intended],
        "latency ms": [round(x * 1000, 3) for x in latency],
        "send lag ms": [round(x * 1000, 3) for x in lag],
        "status": status,
    }  # fmt: skip


def main() -> None:
    """Parse the arguments, run, write the result file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--tokens", required=True, help="a JSON list of bearer tokens")
    parser.add_argument("--rate", type=float, required=True, help="requests per second")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--start-at", type=float, required=True, help="epoch seconds")
    parser.add_argument("--phase", type=float, default=0.0, help="0..1 of an interval")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--grace", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    result = asyncio.run(run(args, json.loads(Path(args.tokens).read_text())))
    Path(args.out).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
