"""Which handler reacts to which event: a service's one visible subscription map.

A service's ``consumers.py`` builds it from its service objects, once they exist::

    def handlers(orgs: Orgs) -> Subscriptions:
        return Subscriptions(
            on(UserUpdated, orgs.people.project),
            on(UserDeleted, orgs.forget_person),
            on(OpportunityPublished, orgs.matching.index, isolated=True),  # a queue of its own
        )

``on(Model, handler)`` pairs rather than a dict literal: mypy checks each pair, so a handler that
takes ``Envelope[UserFollowed]`` cannot be subscribed to ``UserDeleted`` (a ``{Model: handler}``
dict would give every value one union type and check nothing). The map is still keyed by the
event model, which names the type AND the version; the consumer binds that version and every
older one an upcaster turns into it.

Handlers are plain domain code: the consumer runs each at most once per event id (its claim,
``<service>.<name>:<event id>``, lives in the service's ``processed_events`` collection), retries
it with backoff when it raises, and dead-letters what can never succeed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from jumo_common.bus.topology import SHARED_QUEUE
from jumo_common.events import Envelope, EventData, accepted_versions, routing_key, type_of

E = TypeVar("E", bound=EventData)
EventHandler = Callable[[Envelope[E]], Awaitable[None]]


@dataclass(frozen=True)
class Subscription(Generic[E]):
    """One handler of one event model, on the shared queue or on a queue of its own."""

    model: type[E]
    handler: EventHandler[E]
    name: str
    isolated: bool = False
    # False: the consumer keeps no claim for it (the handler is idempotent by nature, e.g. a
    # sorted-set write of the same member, and too hot for a database write per message).
    claimed: bool = True

    @property
    def event_type(self) -> str:
        """The event type it handles (``user.followed``)."""
        return type_of(self.model)[0]

    @property
    def queue(self) -> str:
        """Its queue's short name: ``events`` (shared) or its own name (isolated)."""
        return self.name if self.isolated else SHARED_QUEUE

    def routing_keys(self) -> list[str]:
        """The bindings it needs: its model's version and each older one that upcasts to it."""
        return [routing_key(self.event_type, v) for v in accepted_versions(self.model)]


def on(
    model: type[E],
    handler: EventHandler[E],
    *,
    name: str | None = None,
    isolated: bool = False,
    claimed: bool = True,
) -> Subscription[E]:
    """Subscribe ``handler`` to ``model``'s events.

    ``name`` (default: the handler's ``__name__``) identifies it in claims, logs and, when
    ``isolated``, in its queue's name ``<service>.<name>``: isolate a handler whose failures or
    load must not hold up the others. ``claimed=False`` runs it without the at-most-once claim:
    only for a handler whose effect is the same however often it runs.
    """
    label = name or getattr(handler, "__name__", "")
    if not label or label == "<lambda>":
        raise ValueError(f"name the handler of {model.__name__}: on(..., name='...')")
    return Subscription(
        model=model, handler=handler, name=label, isolated=isolated, claimed=claimed
    )


class Subscriptions:
    """A service's subscriptions, grouped by the queue they consume from."""

    def __init__(self, *subscriptions: Subscription[Any]) -> None:
        # A name is the handler's claim key (``<service>.<name>:<event id>``): one handler may
        # take several event types under one name, but two handlers of one type may not share it.
        keys = [(s.event_type, s.name) for s in subscriptions]
        twice = sorted({f"{t}: {n}" for t, n in keys if keys.count((t, n)) > 1})
        if twice:
            raise ValueError(f"two handlers of one event type share a name: {twice}")
        if SHARED_QUEUE in {s.name for s in subscriptions if s.isolated}:
            raise ValueError(f"an isolated handler cannot be named {SHARED_QUEUE!r}")
        self._all = tuple(subscriptions)

    def __iter__(self) -> Iterator[Subscription[Any]]:
        return iter(self._all)

    def __len__(self) -> int:
        return len(self._all)

    def by_queue(self) -> dict[str, list[Subscription[Any]]]:
        """Queue short name → its subscriptions, in declaration order."""
        queues: dict[str, list[Subscription[Any]]] = {}
        for subscription in self._all:
            queues.setdefault(subscription.queue, []).append(subscription)
        return queues
