"""Every in-app notification exactly once across a SIGKILL mid-batch: notifier runs as its own
process, an organization with 6,000 followers (``notify: all``) posts, the process is killed
with SIGKILL once some but not all of the notifications are stored, a second process is
started, and in the end every follower has the notification once — none lost, none twice.

The followers are seeded into notifier's projections through its store (6,000 follow events
would take minutes on FerretDB and are tested elsewhere). The kill lands while the handler
still writes, so the second process takes the event over once its claim's lease (30 s) has run
out, and writes only what is missing (a notification's ``_id`` is taken on a second insert).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from jumo_common.bus import connect
from jumo_common.bus.runtime import open_publisher
from jumo_common.events import make_event
from jumo_common.events.orgs import PostPublished
from jumo_common.mongo import create_mongo_client
from jumo_common.testing.wait import wait_until
from jumo_notifier.settings import NotifierSettings
from jumo_notifier.store import BULK

from .conftest import now, org_card
from .processes import NotifierProcess, delete_queues

FOLLOWERS = 6000


@pytest.fixture
def overrides() -> dict[str, Any]:
    """Nothing to email: the in-app channel alone is under test."""
    return {"smtp_port": 1}


@pytest.mark.slow
async def test_every_notification_once_across_a_sigkill_mid_batch(
    settings: NotifierSettings, tmp_path: Path
) -> None:
    client = create_mongo_client(settings)
    db = client[settings.mongo_database]
    org = org_card()
    followers = [uuid.uuid4().hex for _ in range(FOLLOWERS)]
    for start in range(0, FOLLOWERS, BULK):
        chunk = followers[start : start + BULK]
        await db["follows"].insert_many([
            {"_id": f"{org.org_id}|{user}", "org": org.org_id, "user": user, "active": True,
             "notify": "all", "digest": "never", "seq": 1} for user in chunk])  # fmt: skip
    post = make_event(PostPublished(post_id=uuid.uuid4().hex, org=org, author_id=uuid.uuid4().hex,
                                    title="Spring clean-up", excerpt="x", published_at=now(),
                                    version=1), producer="orgs")  # fmt: skip
    notifications = db["notifications"]
    first = NotifierProcess(settings, tmp_path / "notifier-1.log")
    second = NotifierProcess(settings, tmp_path / "notifier-2.log")
    connection = await connect(settings)
    try:
        await first.start()
        publisher = await open_publisher(connection, settings)
        await publisher.publish(post)

        async def partly() -> int:
            stored = await notifications.count_documents({"event_id": str(post.id)})
            return stored if 0 < stored < FOLLOWERS else 0

        at_kill = await wait_until(partly, timeout=60, interval=0.01,
                                   what=f"notifications under way:\n{first.tail()}")  # fmt: skip
        await first.kill()
        print(f"\nkilled with {at_kill} of {FOLLOWERS} notifications stored")
        await second.start()

        async def done() -> bool:
            stored = await notifications.count_documents({"event_id": str(post.id)})
            return stored >= FOLLOWERS

        await wait_until(done, timeout=120, interval=0.5,
                         what=f"every notification stored:\n{second.tail()}")  # fmt: skip
        await second.stop()
        recipients = [d["recipient"] async for d in notifications.find(
            {"event_id": str(post.id)}, {"recipient": 1})]  # fmt: skip
    finally:
        await first.kill()
        await second.kill()
        await connection.close()
        await delete_queues(settings)
        await client.close()
    assert at_kill < FOLLOWERS
    assert len(recipients) == len(set(recipients)) == FOLLOWERS  # none twice, none lost
    assert set(recipients) == set(followers)
