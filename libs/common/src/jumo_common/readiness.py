"""Readiness checks: what ``/readyz`` asks before it answers "ready".

A resource's cleanup context (MongoDB, the bus) registers a check when it starts and removes it
when it closes; ``jumo_common.web``'s ``/readyz`` runs every registered check. Kept apart from
``jumo_common.web`` so that ``mongo`` and ``bus`` need none of the HTTP plumbing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

ReadinessCheck = Callable[[], Awaitable[None]]
"""Returns when the dependency is usable, raises (anything) when it is not."""

READINESS_CHECKS: web.AppKey[dict[str, ReadinessCheck]] = web.AppKey("jumo_readiness_checks")


def add_readiness_check(app: web.Application, name: str, check: ReadinessCheck) -> None:
    """Make ``/readyz`` fail while ``check`` raises (a no-op on an app without ``/readyz``)."""
    if READINESS_CHECKS in app:
        app[READINESS_CHECKS][name] = check


def remove_readiness_check(app: web.Application, name: str) -> None:
    """Forget a check (its resource is being closed)."""
    if READINESS_CHECKS in app:
        app[READINESS_CHECKS].pop(name, None)
