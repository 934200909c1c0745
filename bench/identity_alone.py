"""identity alone for a while: does its log stay quiet, and is every event kept?

    uv run python bench/identity_alone.py --minutes 10

Starts private servers of its own (RabbitMQ, FerretDB on PostgreSQL, the Facebook sandbox) and
identity as a process with no consumer anywhere — as `make up` ran it before orgs existed, and
as a deployment may run it before the other services. It signs people up, edits profiles and
follows (each causing events that no queue takes), then lets identity run. At the end it
reports identity's log lines by level and message, how often each warning repeated, the CPU
identity used while idle, and how many events wait in `jumo.unrouted` against how many were
caused. Saves the figures to bench/identity_alone.json. Stops everything it started, by pid.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import collections
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from jumo_common.bus.topology import unrouted_name
from jumo_common.settings import ServiceSettings
from jumo_devstack import FerretNode, RabbitNode, free_port, scratch_dir, terminate_pid, wait_for

HERE = Path(__file__).resolve().parent
APP_ID, APP_SECRET = "123456789012345", secrets.token_hex(16)


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, *args], env={**os.environ, **env}, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _sign_up(http: aiohttp.ClientSession, sandbox: str, identity: str) -> dict[str, Any]:
    """A new Facebook test user who already installed the app logs in: the callback's JSON."""
    token = f"{APP_ID}|{APP_SECRET}"
    made = await http.post(f"{sandbox}/v26.0/{APP_ID}/accounts/test-users",
                           data={"installed": "true", "access_token": token,
                                 "permissions": "email,user_friends"})  # fmt: skip
    user = await made.json()
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as browser:
        await (await browser.get(user["login_url"])).read()
        answer = await browser.get(f"{identity}/auth/facebook/login")
        login: dict[str, Any] = await answer.json()
    return login


async def _activity(sandbox: str, identity: str, people: int) -> int:
    """Sign-ups, edits and follows; the number of events they caused."""
    async with aiohttp.ClientSession() as http:
        logins = [await _sign_up(http, sandbox, identity) for _ in range(people)]
        for i, login in enumerate(logins):
            auth = {"Authorization": f"Bearer {login['access_token']}"}
            for n in range(3):
                await http.patch(f"{identity}/users/me", json={"bio": f"edit {n}"}, headers=auth)
            other = logins[(i + 1) % people]["user"]["id"]
            await http.put(f"{identity}/users/{other}/follow", headers=auth)
    return people * (1 + 3 + 1)  # registered, 3 x updated, followed


async def _parked(amqp_url: str, exchange: str) -> int:
    import aio_pika

    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        settings = ServiceSettings(events_exchange=exchange)
        queue = await channel.declare_queue(unrouted_name(settings), passive=True)
        return int(queue.declaration_result.message_count or 0)


def _log_summary(log: Path) -> dict[str, Any]:
    levels: collections.Counter[str] = collections.Counter()
    warnings: collections.Counter[str] = collections.Counter()
    for line in log.read_text(errors="replace").split("\n"):
        if not line.startswith("{"):
            continue
        record = json.loads(line)
        level = record.get("level", "?")
        levels[level] += 1
        if level in ("warning", "error", "critical"):
            warnings[record.get("event", "?")] += 1
    return {"lines_by_level": dict(levels), "warnings_by_message": dict(warnings)}


def main() -> None:
    """Run identity alone and report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--people", type=int, default=20)
    args = parser.parse_args()
    base = scratch_dir("jumo-identity-alone-")
    rabbit = RabbitNode(base / "rabbit", free_port())
    ferret = FerretNode(base / "ferret", free_port())
    processes: list[subprocess.Popen[bytes]] = []
    try:
        rabbit.start(timeout=120)
        ferret.start(timeout=120)
        figures = asyncio.run(_run(args, base, rabbit, ferret, processes))
    finally:
        for process in reversed(processes):
            terminate_pid(process.pid, timeout=15)
        ferret.stop()
        rabbit.stop()
        shutil.rmtree(base, ignore_errors=True)
    print(json.dumps(figures, indent=2))
    (HERE / "identity_alone.json").write_text(json.dumps(figures, indent=2) + "\n")


async def _run(
    args: argparse.Namespace, base: Path, rabbit: RabbitNode, ferret: FerretNode,
    processes: list[subprocess.Popen[bytes]],
) -> dict[str, Any]:  # fmt: skip
    sandbox_port, identity_port = free_port(), free_port()
    sandbox, identity = f"http://127.0.0.1:{sandbox_port}", f"http://127.0.0.1:{identity_port}"
    exchange = "alone.jumo.events"
    processes.append(_start(
        ["-m", "jumo_facebook.sandbox", "--port", str(sandbox_port), "--app-id", APP_ID,
         "--app-secret", APP_SECRET, "--redirect-uri", f"{identity}/auth/facebook/callback"],
        {}, base / "sandbox.log",
    ))  # fmt: skip
    log = base / "identity.log"
    processes.append(_start(["-m", "jumo_identity"], {
        "PORT": str(identity_port), "AMQP_URL": rabbit.url, "MONGO_URL": ferret.url,
        "EVENTS_EXCHANGE": exchange, "PUBLIC_BASE_URL": identity, "LOG_JSON": "true",
        "ENCRYPTION_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "FACEBOOK_APP_ID": APP_ID, "FACEBOOK_APP_SECRET": APP_SECRET,
        "FACEBOOK_GRAPH_URL": sandbox, "FACEBOOK_WWW_URL": sandbox,
    }, log))  # fmt: skip
    assert wait_for(lambda: _answers(f"{identity}/readyz"), 60), log.read_text()[-2000:]
    caused = await _activity(sandbox, identity, args.people)
    pid = processes[-1].pid
    started, cpu_before = time.monotonic(), _cpu_seconds(pid)
    await asyncio.sleep(args.minutes * 60)
    idle_cores = (_cpu_seconds(pid) - cpu_before) / (time.monotonic() - started)
    return {
        "minutes": args.minutes, "events_caused": caused,
        "events_parked_in_unrouted": await _parked(rabbit.url, exchange),
        "identity_idle_cores": round(idle_cores, 4), **_log_summary(log),
    }  # fmt: skip


def _answers(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own URL)
            return int(response.status) == 200
    except OSError:
        return False


if __name__ == "__main__":
    main()
