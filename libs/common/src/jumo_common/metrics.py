"""The registry ``/metrics`` exposes, reachable without the HTTP plumbing.

``jumo_common.web.create_base_app`` puts its Prometheus registry under ``METRICS_REGISTRY``;
resources started in cleanup contexts (the bus) add their gauges to it with ``add_gauge``, and
what must be read asynchronously before a scrape (the broker's queue counts) registers a
``add_scrape_hook``. On an app without ``/metrics`` these are no-ops, as readiness checks are.
Every metric's name, labels and meaning: ``deploy/prometheus/README.md``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CollectorRegistry, Gauge

METRICS_REGISTRY: web.AppKey[CollectorRegistry] = web.AppKey(
    "jumo_metrics_registry", CollectorRegistry
)
ScrapeHook = Callable[[], Awaitable[None]]
SCRAPE_HOOKS: web.AppKey[list[ScrapeHook]] = web.AppKey("jumo_metrics_scrape_hooks", list)
# A hook is expected to bound itself; this is the backstop so a scrape never hangs.
SCRAPE_HOOK_TIMEOUT_S = 2.0


def add_gauge(
    app: web.Application, name: str, documentation: str, read: Callable[[], float]
) -> None:
    """Expose ``read()`` as the gauge ``name`` in the app's ``/metrics`` (read when scraped)."""
    if METRICS_REGISTRY not in app:
        return
    gauge = Gauge(name, documentation, registry=app[METRICS_REGISTRY])
    gauge.set_function(read)


def add_scrape_hook(app: web.Application, hook: ScrapeHook) -> None:
    """Await ``hook()`` before each scrape of ``/metrics`` (to refresh a cached reading)."""
    if SCRAPE_HOOKS in app:
        app[SCRAPE_HOOKS].append(hook)


def remove_scrape_hook(app: web.Application, hook: ScrapeHook) -> None:
    """Stop awaiting ``hook`` (its resource is closing)."""
    if SCRAPE_HOOKS in app and hook in app[SCRAPE_HOOKS]:
        app[SCRAPE_HOOKS].remove(hook)


async def run_scrape_hooks(app: web.Application) -> None:
    """Run every scrape hook concurrently, for at most ``SCRAPE_HOOK_TIMEOUT_S``."""
    hooks = list(app.get(SCRAPE_HOOKS, ()))
    if not hooks:
        return
    tasks = [asyncio.ensure_future(hook()) for hook in hooks]
    done, late = await asyncio.wait(tasks, timeout=SCRAPE_HOOK_TIMEOUT_S)
    for task in late:
        task.cancel()
    for task in done:
        task.exception()  # retrieved: a failed refresh only leaves its reading out
