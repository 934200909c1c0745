"""Reading what notifier emailed, through Mailpit's API (the stack's, ``MAILPIT_URL``; or a
Mailpit of a test's own), and the email area's test helpers.

Other tests share the stack's Mailpit: a test finds its messages by a To address of its own
(``address()``) and never deletes messages it did not send.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from jumo_devstack import MailpitNode, free_ports, mailpit_answers
from jumo_notifier.mailing import Mailing
from jumo_notifier.typedefs import NOTIFIER

from .conftest import Client

MAILPIT_URL_ENV = "MAILPIT_URL"


def address(name: str = "someone") -> str:
    """A To address no other test uses."""
    return f"{name.lower()}.{uuid.uuid4().hex[:12]}@mail.test"


class Mailbox:
    """Mailpit's API at ``url``."""

    def __init__(self, url: str, session: aiohttp.ClientSession) -> None:
        self.url = url.rstrip("/")
        self.session = session

    async def _get(self, path: str, **params: str) -> Any:
        async with self.session.get(f"{self.url}{path}", params=params) as answer:
            assert answer.status == 200, await answer.text()
            return await answer.json()

    async def to(self, recipient: str) -> list[dict[str, Any]]:
        """The summaries of the messages sent to ``recipient``, newest first."""
        found = await self._get("/api/v1/search", query=f"to:{recipient}", limit="500")
        return [m for m in found["messages"]
                if any(t["Address"] == recipient for t in m["To"])]  # fmt: skip

    async def wait_for(self, recipient: str, count: int = 1,
                       timeout: float = 15.0) -> list[dict[str, Any]]:  # fmt: skip
        """Wait until ``recipient`` has ``count`` messages (fails if more arrive)."""
        async with asyncio.timeout(timeout):
            while True:
                found = await self.to(recipient)
                assert len(found) <= count, f"{len(found)} messages to {recipient}, not {count}"
                if len(found) == count:
                    return found
                await asyncio.sleep(0.05)

    async def message(self, message_id: str) -> dict[str, Any]:
        """One message: ``Text``, ``HTML``, ``From``, ``To``, ``Subject``…"""
        found: dict[str, Any] = await self._get(f"/api/v1/message/{message_id}")
        return found

    async def headers(self, message_id: str) -> dict[str, list[str]]:
        """One message's headers (each a list of values)."""
        found: dict[str, list[str]] = await self._get(f"/api/v1/message/{message_id}/headers")
        return found

    async def chaos(self, **triggers: dict[str, int]) -> None:
        """Set the Chaos triggers of a Mailpit started with ``chaos=True``."""
        async with self.session.put(f"{self.url}/api/v1/chaos", json=triggers) as answer:
            assert answer.status == 200, await answer.text()


def stack_mailpit() -> tuple[str, str, int]:
    """The stack's Mailpit: its API, SMTP host and port (stack.env); fails saying how to start
    it when it does not answer."""
    url = os.environ.get(MAILPIT_URL_ENV, "http://127.0.0.1:8025")
    if not mailpit_answers(url):
        pytest.fail(f"no Mailpit answers at {url}: start the stack with `make up` and source "
                    "deploy/local/stack.env (MAILPIT_URL, SMTP_HOST, SMTP_PORT)")  # fmt: skip
    return url, os.environ.get("SMTP_HOST", "127.0.0.1"), int(os.environ.get("SMTP_PORT", "1025"))


@pytest.fixture
async def mailbox() -> AsyncIterator[Mailbox]:
    """The stack's Mailpit."""
    url, _, _ = stack_mailpit()
    async with aiohttp.ClientSession() as session:
        yield Mailbox(url, session)


@pytest.fixture
def smtp_overrides() -> dict[str, Any]:
    """Settings that point notifier at the stack's Mailpit, with its loops off (tests run the
    passes themselves, with the clock they want)."""
    _, host, port = stack_mailpit()
    return {"smtp_host": host, "smtp_port": port, "mail_release_interval_s": 0,
            "digest_interval_s": 0}  # fmt: skip


@pytest.fixture
async def private_mailpit(tmp_path: Path) -> AsyncIterator[tuple[MailpitNode, Mailbox]]:
    """A Mailpit of this test's own, with Chaos on (it can refuse recipients)."""
    http_port, smtp_port = free_ports(2)
    node = MailpitNode(tmp_path / "mailpit", http_port, smtp_port, chaos=True)
    await asyncio.to_thread(node.start)
    try:
        async with aiohttp.ClientSession() as session:
            yield node, Mailbox(node.url, session)
    finally:
        await asyncio.to_thread(node.stop)


def mailing(client: Client) -> Mailing:
    """The email area of the app under test."""
    found: Mailing = client.app[NOTIFIER].mailing
    return found
