"""A service's dead-lettered messages: list them with their reasons, replay chosen ones.

::

    python -m jumo_common.bus.deadletters list orgs              # every dead-letter queue of orgs
    python -m jumo_common.bus.deadletters list notifier --queue email --json
    python -m jumo_common.bus.deadletters replay orgs <event id> [<event id> ...]
    python -m jumo_common.bus.deadletters replay orgs --all

``AMQP_URL``, ``EVENTS_EXCHANGE`` and ``QUEUE_PREFIX`` come from the environment, as every
service reads them. Where they come from: every work queue ``<service>.<queue>`` dead-letters into
``<service>.<queue>.dead`` (``topology``). The consumer dead-letters a message it can never handle
(bad JSON, unknown type, invalid data) or whose handler failed ``DELIVERY_LIMIT`` times itself,
with the reason in the header ``x-jumo-dead-reason`` and the time in ``x-jumo-dead-at``; the
broker dead-letters one whose handling killed the process past ``x-delivery-limit`` (reason
``delivery_limit`` in ``x-death``, with its time and count).

Which queues a service has is read from its own subscription map (``jumo_<service>.consumers
.handlers``), built with a stand-in for its service objects: only the queue names are used, and
nothing of the service runs. ``--queue`` names them instead.

**Reading keeps every message.** A queue is read with ``basic.get`` and manual acks, as many
messages as it held when the command started; none is acked by ``list``. When done the command
returns them (``nack`` with requeue, one by one in the order read), so they stay in the queue in
their order; if the command dies instead, closing its channel returns them all the same.

**Replaying** publishes a copy of each chosen message through the default exchange straight
into the work queue it died in — only the handler(s) of that queue see it again, not every
subscriber of its type — with ``mandatory`` and a publisher confirm, and only after the confirm
acks (removes) it from the dead-letter queue. The copy drops the death headers (``x-death``,
the reason, the broker's ``x-delivery-count``, so the consumer counts attempts afresh) and
carries ``x-jumo-replays`` (one more each time), so a message that dies again shows how often.
Messages not chosen are returned and stay in the DLQ in their order.

A kill between the confirm and the ack leaves the message in both places: the work queue's
consumer handles the copy, and the original stays dead-lettered (listed again, replayable again).
Handlers run at most once per event id (``run_once``'s claims), so replaying it again is a
no-op for every handler that already completed it — a duplicate is harmless; nothing is lost at
any point, since the original is removed only after its copy was confirmed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import aio_pika
import orjson
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage

from jumo_common.bus.consumer import (
    DEAD_AT_HEADER,
    DEAD_QUEUE_HEADER,
    DEAD_REASON_HEADER,
    DELIVERY_COUNT_HEADER,
)
from jumo_common.bus.publisher import Publisher
from jumo_common.bus.runtime import connect
from jumo_common.bus.topology import queue_names
from jumo_common.settings import ServiceSettings

REPLAYS_HEADER = "x-jumo-replays"
# Headers a replayed copy leaves behind: the record of its death(s), and the broker's count.
DEATH_HEADERS = frozenset(
    {
        "x-death",
        "x-first-death-exchange",
        "x-first-death-queue",
        "x-first-death-reason",
        "x-last-death-exchange",
        "x-last-death-queue",
        "x-last-death-reason",
        DELIVERY_COUNT_HEADER,
        DEAD_REASON_HEADER,
        DEAD_QUEUE_HEADER,
        DEAD_AT_HEADER,
    }
)


@dataclass(frozen=True)
class DeadLetter:
    """One dead-lettered message, as ``list`` shows it."""

    message_id: str | None  # the event id (what ``replay`` takes)
    event_type: str | None
    routing_key: str | None  # the key it was published with (``post.published.v1``)
    queue: str  # the work queue it died in (and goes back to on replay)
    dead_queue: str
    position: int  # 1 = the oldest in its dead-letter queue
    reason: str
    died_at: datetime | None
    count: int  # how many times it died (1 + replays that died again)

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        doc = asdict(self)
        doc["died_at"] = self.died_at.isoformat() if self.died_at else None
        return doc


@dataclass(frozen=True)
class Replayed:
    """What a replay did."""

    replayed: list[DeadLetter] = field(default_factory=list)
    kept: int = 0  # messages left in the dead-letter queues
    not_found: list[str] = field(default_factory=list)  # asked-for ids in no dead-letter queue


class _Stand:
    """Stands in for a service's objects when only its subscription map's queues are wanted:
    every attribute is another stand-in (named after it), every call returns one."""

    def __init__(self, name: str = "service") -> None:
        self.__name__ = name

    def __getattr__(self, name: str) -> _Stand:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Stand(name)

    def __call__(self, *_args: Any, **_kwargs: Any) -> _Stand:
        return _Stand(self.__name__)


def service_queues(service: str) -> list[str]:
    """The short names of ``service``'s work queues (``events``, ``erasure``, …), from
    ``jumo_<service>.consumers.handlers``."""
    try:
        consumers = importlib.import_module(f"jumo_{service}.consumers")
    except ModuleNotFoundError as exc:
        raise LookupError(
            f"no service {service!r} here (jumo_{service}.consumers is not installed): "
            f"name its queues with --queue"
        ) from exc
    subscriptions = consumers.handlers(_Stand(service))
    return sorted(subscriptions.by_queue())


def _header(headers: dict[str, Any], name: str) -> Any:
    value = headers.get(name)
    return value.decode() if isinstance(value, bytes) else value


def _deaths(headers: dict[str, Any], queue: str) -> list[dict[str, Any]]:
    deaths = headers.get("x-death")
    if not isinstance(deaths, list):
        return []
    return [d for d in deaths if isinstance(d, dict) and _header(d, "queue") == queue]


def _peek(body: bytes) -> tuple[str | None, str | None]:
    """The envelope's type and its routing key (``type.v<version>``), when it has them."""
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None, None
    if not isinstance(doc, dict) or not isinstance(doc.get("type"), str):
        return None, None
    version = doc.get("version")
    return doc["type"], f"{doc['type']}.v{version}" if isinstance(version, int) else None


def _as_utc(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return _as_utc(datetime.fromisoformat(value))
    return None


def describe(message: AbstractIncomingMessage, queue: str, position: int) -> DeadLetter:
    """What is known of one message of ``queue``'s dead-letter queue."""
    headers = dict(message.headers or {})
    event_type, key = _peek(message.body)
    deaths = _deaths(headers, queue)
    reason = _header(headers, DEAD_REASON_HEADER)
    if reason is None and deaths:
        broker = _header(deaths[0], "reason")
        reason = f"{broker} (dead-lettered by the broker)"
        if broker == "delivery_limit":
            reason = "delivery_limit (the broker: delivered past x-delivery-limit, never acked)"
    died_at = _as_utc(_header(headers, DEAD_AT_HEADER))
    if died_at is None and deaths:
        died_at = _as_utc(deaths[0].get("time"))
    replays = headers.get(REPLAYS_HEADER)
    broker_count = deaths[0].get("count") if deaths else None
    count = max(
        (replays if isinstance(replays, int) else 0) + 1,
        broker_count if isinstance(broker_count, int) else 0,
    )
    if key is None and deaths:
        keys = deaths[0].get("routing-keys")
        if isinstance(keys, list) and keys:
            key = _header({"k": keys[0]}, "k")
    return DeadLetter(
        message_id=message.message_id,
        event_type=event_type or message.type,
        routing_key=key,
        queue=queue,
        dead_queue=f"{queue}.dead",
        position=position,
        reason=str(reason or "unknown (no x-jumo-dead-reason nor x-death)"),
        died_at=died_at,
        count=count,
    )


async def _read(channel: AbstractChannel, dead_queue: str) -> list[AbstractIncomingMessage] | None:
    """Every message the queue holds now, unacked (None: the queue does not exist)."""
    try:
        queue = await channel.declare_queue(dead_queue, passive=True)
    except aio_pika.exceptions.ChannelClosed:
        return None
    held = int(queue.declaration_result.message_count or 0)
    messages: list[AbstractIncomingMessage] = []
    while len(messages) < held and (message := await queue.get(no_ack=False, fail=False)):
        messages.append(message)
    return messages


async def _give_back(messages: Iterable[AbstractIncomingMessage]) -> None:
    for message in messages:  # in the order read: they stay in the queue in their order
        await message.nack(requeue=True)


def _queues(settings: ServiceSettings, service: str, queues: Sequence[str] | None) -> list[str]:
    shorts = list(queues) if queues else service_queues(service)
    return [queue_names(settings, service, short)[0] for short in shorts]


async def list_dead(
    settings: ServiceSettings, service: str, queues: Sequence[str] | None = None
) -> list[DeadLetter]:
    """Every dead-lettered message of ``service`` (its queues, or the short names ``queues``),
    oldest first per queue; every one stays where it is."""
    found: list[DeadLetter] = []
    connection = await connect(settings)
    async with connection:
        for queue in _queues(settings, service, queues):
            channel = await connection.channel()
            messages = await _read(channel, f"{queue}.dead")
            if messages is None:
                continue  # never declared: the service has not run with this queue yet
            found.extend(describe(m, queue, i) for i, m in enumerate(messages, 1))
            await _give_back(messages)
            await channel.close()
    return found


async def replay_dead(
    settings: ServiceSettings,
    service: str,
    ids: Iterable[str] | None,
    queues: Sequence[str] | None = None,
) -> Replayed:
    """Replay the dead letters whose event id is in ``ids`` (None: all) into the queues they died
    in, each confirmed before it leaves the dead-letter queue; see the module doc."""
    wanted = None if ids is None else set(ids)
    replayed: list[DeadLetter] = []
    kept = 0
    connection = await connect(settings)
    async with connection:
        confirms = await connection.channel(publisher_confirms=True, on_return_raises=True)
        publisher = Publisher(confirms, confirms.default_exchange, settings.publish_timeout_s)
        for queue in _queues(settings, service, queues):
            channel = await connection.channel()
            messages = await _read(channel, f"{queue}.dead")
            if messages is None:
                continue
            rest: list[AbstractIncomingMessage] = []
            try:
                for position, message in enumerate(messages, 1):
                    if wanted is not None and message.message_id not in wanted:
                        rest.append(message)
                        continue
                    await publisher.publish_message(_copy(message), queue)  # confirmed
                    await message.ack()
                    replayed.append(describe(message, queue, position))
            finally:
                kept += len(rest)
                await _give_back(rest)  # the rest: returned in order (a failure: closing does)
                await channel.close()
    done = {r.message_id for r in replayed}
    missing = sorted(wanted - done) if wanted is not None else []
    return Replayed(replayed=replayed, kept=kept, not_found=missing)


def _copy(message: AbstractIncomingMessage) -> aio_pika.Message:
    """The message as first published, without its death headers, one replay more."""
    headers = {k: v for k, v in (message.headers or {}).items() if k not in DEATH_HEADERS}
    replays = headers.get(REPLAYS_HEADER)
    headers[REPLAYS_HEADER] = (replays if isinstance(replays, int) else 0) + 1
    return aio_pika.Message(
        message.body,
        headers=headers,
        content_type=message.content_type,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=message.message_id,
        type=message.type,
    )


def _table(letters: Sequence[DeadLetter]) -> str:
    rows = [("ID", "TYPE", "ROUTING KEY", "QUEUE", "#", "DIED AT", "COUNT", "REASON")]
    for d in letters:
        when = d.died_at.strftime("%Y-%m-%d %H:%M:%S") if d.died_at else "-"
        rows.append((d.message_id or "-", d.event_type or "-", d.routing_key or "-", d.queue,
                     str(d.position), when, str(d.count), d.reason))  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1]
        for r in rows
    )


def main(argv: list[str] | None = None) -> int:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m jumo_common.bus.deadletters",
        description="List a service's dead-lettered messages, replay chosen ones.",
        epilog="AMQP_URL, EVENTS_EXCHANGE and QUEUE_PREFIX come from the environment.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="every dead letter of the service, with reasons")
    replay = commands.add_parser("replay", help="republish chosen dead letters to their queue")
    for sub in (listing, replay):
        sub.add_argument("service", help="identity, orgs, feed, notifier")
        sub.add_argument("--queue", action="append", metavar="SHORT",
                         help="only this queue (events, erasure, …); repeatable")  # fmt: skip
        sub.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    listing.set_defaults(ids=None, all=False)
    replay.add_argument("ids", nargs="*", metavar="ID", help="event ids to replay")
    replay.add_argument("--all", action="store_true", help="replay every dead letter")
    args = parser.parse_args(argv)
    settings = ServiceSettings()
    try:
        if args.command == "list":
            letters = asyncio.run(list_dead(settings, args.service, args.queue))
            if args.json:
                for d in letters:
                    print(json.dumps(d.as_json()))
            elif letters:
                print(_table(letters))
            else:
                print(f"{args.service}: no dead letters")
            return 0
        if bool(args.ids) == args.all:
            parser.error("replay takes event ids, or --all")
        result = asyncio.run(
            replay_dead(settings, args.service, None if args.all else args.ids, args.queue)
        )
    except LookupError as exc:
        print(exc, file=sys.stderr)
        return 2
    except (aio_pika.exceptions.PublishError, aio_pika.exceptions.DeliveryError,
            TimeoutError) as exc:  # fmt: skip
        # What was confirmed before is replayed; the message that failed and the rest are
        # still dead-lettered, in their order.
        print(f"replay stopped: the broker did not take a copy ({exc!r}); the message and "
              "the ones after it are still dead-lettered (is its queue there? start the "
              "service once, then replay again)", file=sys.stderr)  # fmt: skip
        return 3
    if args.json:
        for d in result.replayed:
            print(json.dumps(d.as_json()))
    for d in result.replayed if not args.json else []:
        print(f"replayed {d.message_id} ({d.event_type}) into {d.queue}")
    print(f"replayed {len(result.replayed)}; {result.kept} still dead-lettered", file=sys.stderr)
    for missing in result.not_found:
        print(f"not found in any dead-letter queue: {missing}", file=sys.stderr)
    return 1 if result.not_found else 0


if __name__ == "__main__":
    sys.exit(main())
