"""The registry ``/metrics`` exposes, reachable without the HTTP plumbing.

``jumo_common.web.create_base_app`` puts its Prometheus registry under ``METRICS_REGISTRY``;
resources started in cleanup contexts (the bus) add their gauges to it with ``add_gauge``. On
an app without ``/metrics`` that is a no-op, as readiness checks are.
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web
from prometheus_client import CollectorRegistry, Gauge

METRICS_REGISTRY: web.AppKey[CollectorRegistry] = web.AppKey(
    "jumo_metrics_registry", CollectorRegistry
)


def add_gauge(
    app: web.Application, name: str, documentation: str, read: Callable[[], float]
) -> None:
    """Expose ``read()`` as the gauge ``name`` in the app's ``/metrics`` (read when scraped)."""
    if METRICS_REGISTRY not in app:
        return
    gauge = Gauge(name, documentation, registry=app[METRICS_REGISTRY])
    gauge.set_function(read)
