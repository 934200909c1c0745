"""Every Facebook post exactly once across a SIGKILL mid-post: notifier runs as its own process
(``python -m jumo_notifier``, this test's database, exchange and queues, Jumo's Page on this
test's sandbox), twelve people who opted in sign up, and the process is killed with SIGKILL
while Facebook has made a post but not yet answered it — the worst moment: the post is on the
Page and notifier's record still says "pending", its attempt claimed and never ended.

The sandbox here answers each post late (a middleware of this test: the post is made, then the
answer waits ``SLOW_ANSWER_S``), which is how a slow Facebook behaves and what gives the kill
its window. A second process takes the killed attempt over once its lease has run out, reads
the Page, finds the post by its marker and records it instead of posting again; it makes the
remaining posts. In the end each person's join is on the Page exactly once.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from aiohttp.typedefs import Handler

from jumo_common.bus import connect
from jumo_common.bus.runtime import open_publisher
from jumo_common.events import make_event
from jumo_common.events.identity import UserRegistered
from jumo_common.mongo import create_mongo_client
from jumo_common.testing.wait import wait_until
from jumo_facebook.sandbox import STATE_KEY, create_sandbox_app
from jumo_facebook.sandbox.testing import PageInfo, SandboxControl, test_config
from jumo_notifier.settings import NotifierSettings

from .facebook_support import (
    CALLBACK,
    PUBLIC,
    facebook_settings_fixture,  # noqa: F401  (fixtures)
    jumo_page_fixture,  # noqa: F401
    overrides_fixture,  # noqa: F401
)
from .processes import NotifierProcess, delete_queues

PEOPLE = 12
SLOW_ANSWER_S = 2.0
CHILD_TIMEOUT_S = 4.0
CHILD_LEASE_S = 6.0


class SlowAnswers:
    """Makes each Page post, then holds its answer back while ``slow`` (a test middleware)."""

    def __init__(self) -> None:
        self.slow = True
        self.unanswered = 0  # posts made whose answer has not been sent

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Hold back the answer of a post that was made."""
        response = await handler(request)
        posting = request.method == "POST" and request.path.endswith("/feed")
        if posting and self.slow and response.status == 200:
            self.unanswered += 1
            try:
                await asyncio.sleep(SLOW_ANSWER_S)
            finally:
                self.unanswered -= 1
        return response


@pytest.fixture
def slow() -> SlowAnswers:
    """This test's late answers."""
    return SlowAnswers()


@pytest.fixture(name="sandbox")
async def slow_sandbox(slow: SlowAnswers) -> AsyncIterator[SandboxControl]:
    """A sandbox of this test's own whose post answers come late."""
    app = create_sandbox_app(test_config(redirect_uris=[CALLBACK]))
    app.middlewares.append(slow.middleware)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("")).rstrip("/")
    state = app[STATE_KEY]
    state.config = state.config.model_copy(update={"public_url": url, "port": server.port})
    try:
        async with aiohttp.ClientSession() as http:
            yield SandboxControl(url, state, http)
    finally:
        await server.close()


def child(settings: NotifierSettings, sandbox: SandboxControl, page: PageInfo,
          log: Path) -> NotifierProcess:  # fmt: skip
    """notifier as a child process, posting to Jumo's Page on this test's sandbox."""
    process = NotifierProcess(settings, log)
    process.env |= {
        "FACEBOOK_APP_ID": sandbox.config.app_id, "FACEBOOK_APP_SECRET": sandbox.config.app_secret,
        "FACEBOOK_GRAPH_URL": sandbox.url, "FACEBOOK_WWW_URL": sandbox.url,
        "FACEBOOK_TIMEOUT_S": str(CHILD_TIMEOUT_S), "JUMO_PAGE_ID": page.id,
        "JUMO_PAGE_TOKEN": page.access_token, "PUBLIC_BASE_URL": PUBLIC,
        "POSTING_LEASE_S": str(CHILD_LEASE_S), "POSTING_POLL_S": "0.2",
        "POSTING_PAGE_CONCURRENCY": "1", "SMTP_PORT": "1",
    }  # fmt: skip
    return process


@pytest.mark.slow
async def test_every_post_exactly_once_across_a_sigkill_mid_post(
    settings: NotifierSettings, sandbox: SandboxControl, jumo_page: PageInfo,
    slow: SlowAnswers, tmp_path: Path,
) -> None:  # fmt: skip
    people = {uuid.uuid4().hex: f"Person {n:02d}" for n in range(PEOPLE)}
    first = child(settings, sandbox, jumo_page, tmp_path / "notifier-1.log")
    second = child(settings, sandbox, jumo_page, tmp_path / "notifier-2.log")
    mongo = create_mongo_client(settings)
    records = mongo[settings.mongo_database]["facebook_posts"]
    connection = await connect(settings)
    try:
        await first.start()
        publisher = await open_publisher(connection, settings)
        for user_id, name in people.items():
            data = UserRegistered(user_id=user_id, display_name=name, share_joins=True)
            await publisher.publish(make_event(data, producer="identity"))

        async def mid_post() -> bool:
            return len(sandbox.state.posts) >= 3 and slow.unanswered > 0

        await wait_until(mid_post, timeout=60, interval=0.005,
                         what=f"a post made and not answered:\n{first.tail()}")  # fmt: skip
        await first.kill()
        made_at_kill = len(sandbox.state.posts)
        pending = await records.count_documents({"state": "pending"})
        print(f"\nkilled with {made_at_kill} posts made, {pending} records pending")
        assert made_at_kill < PEOPLE
        slow.slow = False
        await second.start()

        async def all_posted() -> bool:
            return await records.count_documents({"state": "posted"}) == PEOPLE

        await wait_until(all_posted, timeout=90, interval=0.2,
                         what=f"every post recorded:\n{second.tail()}")  # fmt: skip
        await second.stop()
    finally:
        await first.kill()
        await second.kill()
        await connection.close()
        await delete_queues(settings)

    shown = await sandbox.posts(jumo_page.id)
    names = sorted(post["message"].split(" joined Jumo")[0] for post in shown)
    assert names == sorted(people.values())  # each once
    found: list[dict[str, Any]] = [doc async for doc in records.find({})]
    assert {doc["post_id"] for doc in found} == {post["id"] for post in shown}
    # The post made when the first process died was found on the Page, not made again.
    assert any(doc["why"] == "found on the Page after an unsure try" for doc in found)
    await mongo.close()
