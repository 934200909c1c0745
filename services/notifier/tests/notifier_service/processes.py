"""notifier as a process of the test's own (``python -m jumo_notifier`` with the test's
database, exchange and queues), for the tests that SIGKILL it mid-work."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

import aio_pika
import aiohttp

from jumo_common.bus import SHARED_QUEUE, queue_names
from jumo_common.testing.wait import wait_until
from jumo_devstack import free_port
from jumo_notifier.settings import NotifierSettings

from .conftest import KEY

INHERITED = ("PATH", "HOME", "LANG", "TZ", "PYTHONPATH")
QUEUES = (SHARED_QUEUE, "people", "orgs", "notices", "email", "facebook", "erasure")


class NotifierProcess:
    """notifier as a child process of this test, logging to a file."""

    def __init__(self, settings: NotifierSettings, log: Path) -> None:
        self.port = free_port()
        self.log = log
        facebook = {k: v for k, v in os.environ.items() if k.startswith("FACEBOOK_")}
        self.env = {
            **{k: os.environ[k] for k in INHERITED if k in os.environ}, **facebook,
            "PORT": str(self.port), "MONGO_URL": settings.mongo_url,
            "MONGO_DATABASE": settings.mongo_database, "AMQP_URL": settings.amqp_url,
            "EVENTS_EXCHANGE": settings.events_exchange, "QUEUE_PREFIX": settings.queue_prefix,
            "JWKS_URL": settings.jwks_url, "SMTP_HOST": settings.smtp_host,
            "SMTP_PORT": str(settings.smtp_port), "UNSUBSCRIBE_KEY": KEY, "PAGE_TOKEN_KEY": KEY,
            "MAIL_RELEASE_INTERVAL_S": "0", "DIGEST_INTERVAL_S": "0", "LOG_JSON": "true",
            "PYTHONUNBUFFERED": "1",  # its log survives the SIGKILL
        }  # fmt: skip
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start it and wait until /readyz answers 200 (its consumers are up)."""
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "jumo_notifier", env=self.env,
                stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        await wait_until(self._ready, timeout=60, what=f"notifier ready:\n{self.tail()}")

    async def _ready(self) -> bool:
        assert self.process is not None
        assert self.process.returncode is None, self.tail()
        try:
            async with aiohttp.ClientSession() as session:
                url = f"http://127.0.0.1:{self.port}/readyz"
                async with session.get(url) as answer:
                    return answer.status == 200
        except aiohttp.ClientError:
            return False

    async def kill(self) -> None:
        """SIGKILL by pid, and wait until it is gone."""
        if self.process is not None and self.process.returncode is None:
            os.kill(self.process.pid, signal.SIGKILL)
            await self.process.wait()

    async def stop(self) -> None:
        """SIGTERM (SIGKILL after 15 s)."""
        if self.process is None or self.process.returncode is not None:
            return
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            await self.kill()

    def tail(self) -> str:
        """The end of its log."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-30:])


async def delete_queues(settings: NotifierSettings) -> None:
    """The child's queues (the test plugin deletes only those this process declared)."""
    with contextlib.suppress(Exception):
        connection = await aio_pika.connect(settings.amqp_url, timeout=5)
        async with connection:
            for queue in QUEUES:
                for name in queue_names(settings, "notifier", queue):
                    with contextlib.suppress(Exception):
                        channel = await connection.channel()
                        await channel.queue_delete(name)
                        await channel.close()
