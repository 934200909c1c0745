"""Dead letters are operable (``python -m jumo_common.bus.deadletters``), on the real broker:
a poisoned handler dead-letters, ``list`` shows why without taking anything away, and after the
fix ``replay`` hands chosen ones back to the queue they died in — once each, to that queue's
handler only — while the others stay dead-lettered, in their order."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import aio_pika
import pytest

from jumo_common.bus import DEAD, on, queue_names
from jumo_common.bus.deadletters import REPLAYS_HEADER, list_dead, replay_dead
from jumo_common.events import Envelope, make_event
from jumo_common.events.identity import UserDeleted
from jumo_common.settings import ServiceSettings
from jumo_common.testing.wait import wait_until

from .conftest import SERVICE, Recorder, StartBus, Topology, drain, queue_depth

QUEUES = ["events", "other"]


def deleted(user_id: str) -> Envelope[UserDeleted]:
    return make_event(UserDeleted(user_id=user_id), producer="identity", trace_id=f"t-{user_id}")


async def cli(settings: ServiceSettings, *args: str) -> tuple[int, str, str]:
    """The command as an operator runs it, with the settings in its environment."""
    env = os.environ | {
        "AMQP_URL": settings.amqp_url,
        "EVENTS_EXCHANGE": settings.events_exchange,
        "QUEUE_PREFIX": settings.queue_prefix,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "jumo_common.bus.deadletters", *args,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    return int(process.returncode or 0), out.decode(), err.decode()


async def test_list_shows_the_reason_and_replay_applies_the_chosen_once(
    settings: ServiceSettings, start_bus: StartBus, topology: Topology
) -> None:
    broken = True
    poisoned = Recorder(lambda _e: broken, name="project")
    bystander = Recorder(name="other")  # the same events on a queue of its own: never fails
    topology.queues.add("other")
    bus = await start_bus(
        settings, on(UserDeleted, poisoned), on(UserDeleted, bystander, isolated=True)
    )
    events = [deleted(f"u{i}") for i in range(3)]
    for event in events:
        await bus.publisher.publish(event)
    for event in events:
        assert await bus.wait_handled(event.id, timeout=30) == DEAD
    assert poisoned.events == []
    assert {e.id for e in bystander.events} == {e.id for e in events}
    work_queue, dead_queue = queue_names(settings, SERVICE)

    # list: the reason, where and when, and every message stays (twice over, through the CLI)
    letters = await list_dead(settings, SERVICE, QUEUES)
    # in the order they died (handled concurrently: not necessarily the order published)
    order = [str(d.message_id) for d in letters]
    assert sorted(order) == sorted(str(e.id) for e in events)
    for position, letter in enumerate(letters, 1):
        assert letter.queue == work_queue
        assert letter.dead_queue == dead_queue
        assert letter.position == position
        assert letter.event_type == "user.deleted"
        assert letter.routing_key == "user.deleted.v1"
        assert "handler failed 3 times" in letter.reason
        assert "poisoned" in letter.reason
        assert letter.died_at is not None
        assert letter.count == 1
    rc, out, err = await cli(settings, "list", SERVICE, "--queue", "events", "--queue", "other",
                             "--json")  # fmt: skip
    assert rc == 0, err
    listed = [json.loads(line) for line in out.splitlines()]
    assert [d["message_id"] for d in listed] == order
    assert listed[0]["reason"] == letters[0].reason
    assert (await queue_depth(settings.amqp_url, dead_queue))[0] == 3

    # the fix, then replay the middle one: its handler applies it once, nothing else moves
    broken = False
    chosen = next(e for e in events if str(e.id) == order[1])
    rc, out, err = await cli(settings, "replay", SERVICE, str(chosen.id), "--queue", "events",
                             "--queue", "other")  # fmt: skip
    assert rc == 0, err
    assert f"replayed {chosen.id} (user.deleted) into {work_queue}" in out
    assert "replayed 1; 2 still dead-lettered" in err
    await wait_until(poisoned.reached(1), timeout=30, what="the replayed event handled")
    assert await bus.wait_handled(chosen.id, timeout=30)
    assert [e.id for e in poisoned.events] == [chosen.id]
    assert len(bystander.events) == 3  # the isolated queue did not see it again

    remaining = await list_dead(settings, SERVICE, QUEUES)
    assert [d.message_id for d in remaining] == [order[0], order[2]]
    assert [d.position for d in remaining] == [1, 2]

    # replaying it again finds nothing to replay; the rest, after the fix, go too
    again = await replay_dead(settings, SERVICE, [str(chosen.id)], QUEUES)
    assert again.replayed == []
    assert again.not_found == [str(chosen.id)]
    assert again.kept == 2
    rest = await replay_dead(settings, SERVICE, None, QUEUES)
    assert [d.message_id for d in rest.replayed] == [order[0], order[2]]
    await wait_until(poisoned.reached(3), timeout=30, what="every replayed event handled")
    assert sorted(str(e.id) for e in poisoned.events) == sorted(str(e.id) for e in events)
    assert len(bystander.events) == 3
    assert await list_dead(settings, SERVICE, QUEUES) == []


async def test_a_replayed_message_that_dies_again_is_counted_and_starts_its_attempts_afresh(
    settings: ServiceSettings, start_bus: StartBus
) -> None:
    always = Recorder(lambda _e: True, name="project")
    bus = await start_bus(settings, on(UserDeleted, always))
    event = deleted("u9")
    await bus.publisher.publish(event)
    assert await bus.wait_handled(event.id, timeout=30) == DEAD
    assert always.calls == 3
    result = await replay_dead(settings, SERVICE, [str(event.id)], ["events"])
    assert len(result.replayed) == 1

    async def dead_again() -> bool:
        return len(await list_dead(settings, SERVICE, ["events"])) == 1

    await wait_until(dead_again, timeout=30, what="the replayed event dead-lettered again")
    [letter] = await list_dead(settings, SERVICE, ["events"])
    assert letter.count == 2
    # three more attempts, not one: the copy did not carry the broker's delivery count along
    assert always.calls == 6
    _, dead_queue = queue_names(settings, SERVICE)
    [message] = await drain(settings.amqp_url, dead_queue)
    assert (message.headers or {})[REPLAYS_HEADER] == 1


async def test_an_unknown_service_or_a_queue_never_declared(settings: ServiceSettings) -> None:
    rc, _, err = await cli(settings, "list", "nosuchservice")
    assert rc == 2
    assert "--queue" in err
    assert await list_dead(settings, SERVICE, ["never"]) == []
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:  # the passive look at a missing queue created nothing
        channel = await connection.channel()
        try:
            await channel.declare_queue(settings.queue_name(f"{SERVICE}.never.dead"), passive=True)
        except aio_pika.exceptions.ChannelClosed:
            return
    raise AssertionError("a passive declare created a queue")


async def test_a_replay_that_fails_midway_loses_nothing_and_keeps_the_order(
    settings: ServiceSettings, start_bus: StartBus
) -> None:
    always = Recorder(lambda _e: True, name="project")
    bus = await start_bus(settings, on(UserDeleted, always))
    events = [deleted(f"w{i}") for i in range(3)]
    for event in events:
        await bus.publisher.publish(event)
    for event in events:
        assert await bus.wait_handled(event.id, timeout=30) == DEAD
    order = [d.message_id for d in await list_dead(settings, SERVICE, ["events"])]
    await bus.close()
    work_queue, dead_queue = queue_names(settings, SERVICE)
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:  # the queue they died in is gone: the copy comes back unrouted
        channel = await connection.channel()
        await channel.queue_delete(work_queue)
    with pytest.raises(aio_pika.exceptions.PublishError):
        await replay_dead(settings, SERVICE, None, ["events"])
    assert [d.message_id for d in await list_dead(settings, SERVICE, ["events"])] == order
    assert (await queue_depth(settings.amqp_url, dead_queue))[0] == 3
    rc, _, err = await cli(settings, "replay", SERVICE, "--all", "--queue", "events")
    assert rc == 3
    assert "still dead-lettered" in err
    assert (await queue_depth(settings.amqp_url, dead_queue))[0] == 3
