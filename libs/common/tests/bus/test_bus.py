"""The bus against the real broker: round trip, routing keys, duplicates, dead letters, the
unrouted queue, the watchdog."""

from __future__ import annotations

import asyncio
import time
from typing import Any, cast

import aio_pika
import aiormq
import orjson
import pytest

from jumo_common.bus import (
    DEAD,
    DEAD_REASON_HEADER,
    HANDLED,
    TRACE_HEADER,
    BusNotReady,
    apply_if_newer,
    on,
    queue_names,
    unrouted_name,
)
from jumo_common.events import Envelope, make_event
from jumo_common.events.identity import UserDeleted, UserFollowed, UserUnfollowed
from jumo_common.settings import ServiceSettings
from jumo_common.testing.wait import wait_until

from .conftest import SERVICE, Recorder, StartBus, drain, queue_depth


def deleted(user_id: str = "u1") -> Envelope[UserDeleted]:
    return make_event(UserDeleted(user_id=user_id), producer="identity", trace_id="t-1")


async def test_publish_consume_round_trip(settings: ServiceSettings, start_bus: StartBus) -> None:
    recorder = Recorder()
    bus = await start_bus(settings, on(UserDeleted, recorder))
    event = deleted()
    await bus.publisher.publish(event)
    assert await bus.wait_handled(event.id, timeout=5) == HANDLED
    assert recorder.events == [event]
    assert isinstance(recorder.events[0].data, UserDeleted)
    await bus.check_ready()


async def test_message_properties_and_the_versioned_routing_key(
    settings: ServiceSettings, start_bus: StartBus
) -> None:
    bus = await start_bus(settings, on(UserDeleted, Recorder()))
    assert bus.consumer is not None
    await bus.consumer.stop()  # leave the message in the queue to look at it
    event = deleted()
    await bus.publisher.publish(event)
    queue, _ = queue_names(settings, SERVICE)
    [message] = await wait_until(lambda: drain(settings.amqp_url, queue), what="the message")
    assert message.message_id == str(event.id)
    assert message.content_type == "application/json"
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert message.routing_key == "user.deleted.v1"
    assert (message.headers or {})[TRACE_HEADER] == "t-1"
    assert orjson.loads(message.body) == event.to_dict()


async def test_an_event_nobody_takes_is_parked_not_refused(
    settings: ServiceSettings, start_bus: StartBus
) -> None:
    bus = await start_bus(settings)  # no consumer: nothing is bound
    await bus.publisher.publish(deleted())  # confirmed: the alternate exchange took it
    [message] = await drain(settings.amqp_url, unrouted_name(settings))
    assert message.routing_key == "user.deleted.v1"


async def test_publish_many_keeps_many_in_flight(
    settings: ServiceSettings, start_bus: StartBus
) -> None:
    recorder = Recorder()
    bus = await start_bus(settings, on(UserDeleted, recorder))
    events = [deleted(f"u{i}") for i in range(300)]
    assert await bus.publisher.publish_many(events) == [None] * 300
    await wait_until(recorder.reached(300), timeout=10, what="300 events")
    assert {e.id for e in recorder.events} == {e.id for e in events}


async def test_same_event_three_times_has_one_effect(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    async def count_it(event: Envelope[UserDeleted]) -> None:
        # Deliberately not idempotent itself: only the consumer's claim prevents a double count.
        await mongo_db.effects.update_one({"_id": str(event.id)}, {"$inc": {"n": 1}}, upsert=True)

    bus = await start_bus(settings, on(UserDeleted, count_it))
    event = deleted()
    for _ in range(3):
        await bus.publisher.publish(event)
    queue, _ = queue_names(settings, SERVICE)
    await bus.wait_handled(event.id)
    await wait_until(lambda: _settled(settings.amqp_url, queue), what="every delivery to be acked")
    assert await mongo_db.effects.find_one({"_id": str(event.id)}) == {"_id": str(event.id), "n": 1}


async def _settled(url: str, queue: str) -> bool:
    ready, _ = await queue_depth(url, queue)
    return ready == 0


async def test_poison_and_malformed_are_dead_lettered_at_once_while_good_ones_flow(
    settings: ServiceSettings, start_bus: StartBus
) -> None:
    poison = deleted("poison")
    recorder = Recorder(fail_when=lambda e: e.id == poison.id)
    bus = await start_bus(settings, on(UserDeleted, recorder))
    exchange = bus.publisher.exchange
    bad_bodies = {
        b"{not json": "not JSON",
        b'{"type": "user.deleted", "version": 7}': "user.deleted v7 is not user.deleted v1",
        orjson.dumps({k: v for k, v in deleted().to_dict().items() if k != "id"}): "id: Field",
    }
    started = time.monotonic()
    for body in bad_bodies:
        await exchange.publish(aio_pika.Message(body), "user.deleted.v1", mandatory=True)
    await bus.publisher.publish(poison)
    good = [deleted(f"good{i}") for i in range(50)]
    await bus.publisher.publish_many(good)
    _, dead_queue = queue_names(settings, SERVICE)

    dead: list[aio_pika.abc.AbstractIncomingMessage] = []

    async def four_dead() -> bool:
        dead.extend(await drain(settings.amqp_url, dead_queue))
        return len(dead) == 4

    await wait_until(four_dead, timeout=5.0, interval=0.02, what="4 dead letters")
    print(f"\npoison + 3 malformed dead-lettered {time.monotonic() - started:.2f} s after")
    assert await bus.wait_handled(poison.id) == DEAD
    await wait_until(recorder.reached(50), timeout=5, what="the 50 good events")
    reasons = {m.body: str((m.headers or {})[DEAD_REASON_HEADER]) for m in dead}
    for body, reason in bad_bodies.items():
        assert reason in reasons[body]
    assert "handler failed 3 times: RuntimeError" in reasons[poison.to_json()]
    assert {e.id for e in recorder.events} == {e.id for e in good}
    assert recorder.calls == 50 + settings.delivery_limit


async def test_apply_if_newer_keeps_the_latest_follow_state(mongo_db: Any) -> None:
    follows = mongo_db.follows
    key = {"_id": "u1:u2"}

    async def apply(event: UserFollowed | UserUnfollowed) -> bool:
        following = isinstance(event, UserFollowed)
        return await apply_if_newer(follows, key, event.seq, {"$set": {"following": following}})

    assert await apply(UserFollowed(follower_id="u1", followee_id="u2", seq=1))
    assert await apply(UserUnfollowed(follower_id="u1", followee_id="u2", seq=3))
    assert not await apply(UserFollowed(follower_id="u1", followee_id="u2", seq=2))  # late
    assert not await apply(UserUnfollowed(follower_id="u1", followee_id="u2", seq=3))  # dup
    assert await follows.find_one(key) == {"_id": "u1:u2", "following": False, "seq": 3}


async def test_watchdog_resubscribes_a_consumer_the_broker_dropped(
    settings: ServiceSettings, start_bus: StartBus
) -> None:
    recorder = Recorder()
    bus = await start_bus(settings, on(UserDeleted, recorder), watchdog_interval=0.2)
    consumer = bus.consumer
    assert consumer is not None
    assert consumer.channel is not None
    # Cancel behind aio-pika's back: the client state says "consuming", nothing is.
    underlay = cast(aiormq.Channel, await consumer.channel.get_underlay_channel())
    await underlay.basic_cancel(str(consumer.consumer_tag))
    queue, _ = queue_names(settings, SERVICE)
    started = time.monotonic()

    async def consumer_back() -> bool:
        _, consumers = await queue_depth(settings.amqp_url, queue)
        return consumers == 1

    await wait_until(consumer_back, timeout=5, what="the watchdog to re-subscribe")
    print(f"\nwatchdog re-subscribed after {time.monotonic() - started:.2f} s")
    assert bus.watchdogs[0].resubscriptions == 1
    await bus.publisher.publish(deleted())
    await wait_until(recorder.reached(), timeout=5, what="consumption after re-subscribing")


async def test_readiness_fails_when_a_consumer_is_gone(
    settings: ServiceSettings, start_bus: StartBus
) -> None:
    bus = await start_bus(
        settings,
        on(UserDeleted, Recorder()),
        on(UserFollowed, Recorder(name="other"), isolated=True),
        watchdog_interval=60,
    )
    await bus.check_ready()
    await bus.consumers[1].stop()
    with pytest.raises(BusNotReady, match=r"consumer of .*svc\.other stopped"):
        await bus.check_ready()


async def test_subscriptions_bind_exactly_their_types_and_versions(
    settings: ServiceSettings, start_bus: StartBus
) -> None:
    recorder = Recorder()
    bus = await start_bus(settings, on(UserDeleted, recorder))
    assert bus.consumer is not None
    assert bus.consumer.routing_keys() == ["user.deleted.v1"]
    followed = make_event(UserFollowed(follower_id="a", followee_id="b", seq=1), producer="x")
    await bus.publisher.publish(followed)  # nobody here takes it: parked as unrouted
    [parked] = await drain(settings.amqp_url, unrouted_name(settings))
    assert parked.message_id == str(followed.id)
    await asyncio.gather(bus.publisher.publish(deleted()))
    await wait_until(recorder.reached(), what="the bound type")


async def test_watchdog_reopens_a_closed_consumer_channel(
    settings: ServiceSettings, start_bus: StartBus
) -> None:
    recorder = Recorder()
    bus = await start_bus(settings, on(UserDeleted, recorder), watchdog_interval=0.2)
    assert bus.consumer is not None
    assert bus.consumer.channel is not None
    # Close the channel under the consumer, as a channel error from the broker would.
    underlay = cast(aiormq.Channel, await bus.consumer.channel.get_underlay_channel())
    await underlay.close()
    await bus.publisher.publish(deleted())
    await wait_until(recorder.reached(), timeout=5, what="consumption on a new channel")
    await bus.check_ready()


async def test_handlers_take_the_typed_event(
    settings: ServiceSettings, start_bus: StartBus
) -> None:
    seen: list[UserFollowed] = []

    async def on_followed(event: Envelope[UserFollowed]) -> None:
        seen.append(event.data)  # typed: event.data is a UserFollowed for mypy too

    bus = await start_bus(settings, on(UserFollowed, on_followed))
    data = UserFollowed(follower_id="a", followee_id="b", seq=4)
    event = make_event(data, producer="identity")
    await bus.publisher.publish(event)
    await bus.wait_handled(event.id)
    assert seen == [data]


def test_a_lambda_needs_a_name() -> None:
    with pytest.raises(ValueError, match="name the handler"):
        on(UserDeleted, lambda _e: asyncio.sleep(0))


async def test_a_tests_queues_are_deleted_after_it(
    settings: ServiceSettings, start_bus: StartBus, names: Any, infra: Any
) -> None:
    from jumo_common.testing.plugin import _delete_topology

    bus = await start_bus(
        settings, on(UserDeleted, Recorder()), on(UserFollowed, Recorder(name="x"), isolated=True)
    )
    queues = [c.queue_name for c in bus.consumers] + [unrouted_name(settings)]
    await bus.close()
    await _delete_topology(infra.amqp_url, names)
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        for name in queues:
            channel = await connection.channel()
            with pytest.raises(aiormq.exceptions.ChannelNotFoundEntity):
                await channel.declare_queue(name, passive=True)


async def test_an_unclaimed_handler_runs_on_every_delivery_and_leaves_no_claim(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    recorder = Recorder()
    bus = await start_bus(settings, on(UserDeleted, recorder, name="hot", claimed=False))
    event = deleted()
    for _ in range(3):
        await bus.publisher.publish(event)
    await wait_until(lambda: _as_many(recorder, 3), what="three runs")
    assert recorder.events == [event, event, event]  # its effect must be idempotent by nature
    assert await mongo_db.processed_events.count_documents({}) == 0


async def _as_many(recorder: Recorder, count: int) -> bool:
    return len(recorder.events) >= count
