"""The bus against the real broker: round trip, duplicates, dead letters, the watchdog."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

import aio_pika
import aiormq
import orjson
import pytest
from aio_pika.exceptions import PublishError
from aiohttp.test_utils import TestClient, TestServer

from jumo_common.bus import (
    BUS_KEY,
    DEAD_REASON_HEADER,
    TRACE_HEADER,
    Bus,
    BusNotReady,
    Handlers,
    apply_if_newer,
    bus_context,
    ensure_processed_index,
    idempotent,
    queue_names,
)
from jumo_common.events import Envelope, make_event
from jumo_common.events.identity import UserDeleted, UserFollowed, UserUnfollowed
from jumo_common.settings import ServiceSettings
from jumo_common.testing.wait import wait_until
from jumo_common.web import create_base_app

from .conftest import SERVICE, Recorder, drain, queue_depth

StartBus = Callable[..., Awaitable[Bus]]


def deleted(user_id: str = "u1") -> Envelope[UserDeleted]:
    return make_event(UserDeleted(user_id=user_id), producer="identity", trace_id="t-1")


async def test_publish_consume_round_trip(settings: ServiceSettings, start_bus: StartBus) -> None:
    recorder = Recorder()
    bus = await start_bus(settings, handlers={"user.deleted": recorder})
    event = deleted()
    await bus.publisher.publish(event)
    await wait_until(recorder.reached(), timeout=5, what="the event to be handled")
    assert recorder.events == [event]
    assert isinstance(recorder.events[0].data, UserDeleted)
    await bus.check_ready()


async def test_message_properties(settings: ServiceSettings, start_bus: StartBus) -> None:
    bus = await start_bus(settings, handlers={"user.deleted": Recorder()})
    assert bus.consumer is not None
    await bus.consumer.stop()  # leave the message in the queue to look at it
    event = deleted()
    await bus.publisher.publish(event)
    queue, _ = queue_names(settings, SERVICE)
    [message] = await wait_until(lambda: drain(settings.amqp_url, queue), what="the message")
    assert message.message_id == str(event.id)
    assert message.content_type == "application/json"
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert message.routing_key == "user.deleted"
    assert (message.headers or {})[TRACE_HEADER] == "t-1"
    assert orjson.loads(message.body) == event.to_dict()


async def test_unroutable_publish_raises(settings: ServiceSettings, start_bus: StartBus) -> None:
    bus = await start_bus(settings)  # no consumer: nothing is bound
    with pytest.raises(PublishError):
        await bus.publisher.publish(deleted())


async def test_publish_many_keeps_many_in_flight(
    settings: ServiceSettings, start_bus: StartBus
) -> None:
    recorder = Recorder()
    bus = await start_bus(settings, handlers={"user.deleted": recorder})
    events = [deleted(f"u{i}") for i in range(300)]
    assert await bus.publisher.publish_many(events) == [None] * 300
    await wait_until(recorder.reached(300), timeout=10, what="300 events")
    assert {e.id for e in recorder.events} == {e.id for e in events}


async def test_same_event_three_times_has_one_effect(
    settings: ServiceSettings, start_bus: StartBus, mongo_db: Any
) -> None:
    await ensure_processed_index(mongo_db.processed)
    deliveries = 0

    @idempotent(mongo_db.processed, "svc.counter")
    async def count_it(event: Envelope[Any]) -> None:
        # Deliberately not idempotent itself: only the claim stands between it and a double count.
        await mongo_db.effects.update_one({"_id": str(event.id)}, {"$inc": {"n": 1}}, upsert=True)

    async def handler(event: Envelope[Any]) -> None:
        nonlocal deliveries
        deliveries += 1
        await count_it(event)

    bus = await start_bus(settings, handlers={"user.deleted": handler})
    event = deleted()
    for _ in range(3):
        await bus.publisher.publish(event)

    async def all_delivered() -> bool:
        return bool(deliveries == 3)

    await wait_until(all_delivered, timeout=5, what="three deliveries")
    queue, _ = queue_names(settings, SERVICE)
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
    bus = await start_bus(settings, handlers={"user.deleted": recorder})
    exchange = bus.publisher.exchange
    bad_bodies = {
        b"{not json": "not JSON",
        b'{"type": "user.deleted", "version": 7}': "unknown event type user.deleted v7",
        orjson.dumps({k: v for k, v in deleted().to_dict().items() if k != "id"}): "id: Field",
    }
    started = time.monotonic()
    for body in bad_bodies:
        await exchange.publish(aio_pika.Message(body), "user.deleted", mandatory=True)
    await bus.publisher.publish(poison)
    good = [deleted(f"good{i}") for i in range(50)]
    await bus.publisher.publish_many(good)
    _, dead_queue = queue_names(settings, SERVICE)

    dead: list[aio_pika.abc.AbstractIncomingMessage] = []

    async def four_dead() -> bool:
        dead.extend(await drain(settings.amqp_url, dead_queue))
        return len(dead) == 4

    await wait_until(four_dead, timeout=1.0, interval=0.02, what="4 dead letters within 1 s")
    elapsed = time.monotonic() - started
    print(f"\npoison + 3 malformed dead-lettered {elapsed * 1000:.0f} ms after publishing")
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
    bus = await start_bus(settings, handlers={"user.deleted": recorder}, watchdog_interval=0.2)
    assert bus.consumer is not None
    assert bus.consumer.channel is not None
    # Cancel behind aio-pika's back: the client state says "consuming", nothing is.
    underlay = cast(aiormq.Channel, await bus.consumer.channel.get_underlay_channel())
    await underlay.basic_cancel(str(bus.consumer.consumer_tag))
    queue, _ = queue_names(settings, SERVICE)
    started = time.monotonic()

    async def consumer_back() -> bool:
        _, consumers = await queue_depth(settings.amqp_url, queue)
        return consumers == 1

    await wait_until(consumer_back, timeout=5, what="the watchdog to re-subscribe")
    print(f"\nwatchdog re-subscribed after {time.monotonic() - started:.2f} s")
    assert bus.watchdog is not None
    assert bus.watchdog.resubscriptions == 1
    await bus.publisher.publish(deleted())
    await wait_until(recorder.reached(), timeout=5, what="consumption after re-subscribing")


async def test_readiness_fails_when_the_consumer_is_gone(
    settings: ServiceSettings, start_bus: StartBus
) -> None:
    bus = await start_bus(settings, handlers={"user.deleted": Recorder()}, watchdog_interval=60)
    await bus.check_ready()
    assert bus.consumer is not None
    await bus.consumer.stop()
    with pytest.raises(BusNotReady, match="consumer"):
        await bus.check_ready()


async def test_handler_map_binds_exactly_its_types(
    settings: ServiceSettings, start_bus: StartBus
) -> None:
    recorder = Recorder()
    bus = await start_bus(settings, handlers={"user.deleted": recorder})
    with pytest.raises(PublishError):  # nobody bound user.followed
        await bus.publisher.publish(
            make_event(UserFollowed(follower_id="a", followee_id="b", seq=1), producer="identity")
        )
    await asyncio.gather(bus.publisher.publish(deleted()))
    await wait_until(recorder.reached(), what="the bound type")


async def test_bus_context_starts_registers_readiness_and_closes(settings: ServiceSettings) -> None:
    recorder = Recorder()
    app = create_base_app(settings)
    app.cleanup_ctx.append(
        bus_context(settings, service=SERVICE, handlers={"user.deleted": recorder})
    )
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        bus = app[BUS_KEY]
        await bus.publisher.publish(deleted())
        await wait_until(recorder.reached(), what="the event through the app's bus")
        ready = await client.get("/readyz")
        assert ready.status == 200
        assert (await ready.json())["checks"]["amqp"] == "ok"
    finally:
        await client.close()
    assert bus.connection.is_closed


async def test_watchdog_reopens_a_closed_consumer_channel(
    settings: ServiceSettings, start_bus: StartBus
) -> None:
    recorder = Recorder()
    bus = await start_bus(settings, handlers={"user.deleted": recorder}, watchdog_interval=0.2)
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

    handlers: Handlers = {"user.followed": on_followed}
    bus = await start_bus(settings, handlers=handlers)
    data = UserFollowed(follower_id="a", followee_id="b", seq=4)
    await bus.publisher.publish(make_event(data, producer="identity"))

    async def got_it() -> bool:
        return seen == [data]

    await wait_until(got_it, what="the typed event")
