"""Prometheus metrics of the HTTP server, one registry per application."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

# Seconds; API answers should sit in the low buckets, a dead database shows up near 2-5 s.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Route label of requests that matched no route, so scanners cannot explode the label set.
UNMATCHED_ROUTE = "<unmatched>"


@dataclass(frozen=True)
class HttpMetrics:
    """The registry ``/metrics`` exposes; services may register their own metrics on it.

    ``route`` is the matched route's template (``/users/{id}``), never the raw path, so no id
    reaches a label; ``status_class`` (``2xx`` … ``5xx``) makes errors countable with one
    matcher, ``status`` keeps the exact code.
    """

    registry: CollectorRegistry
    requests: Counter
    latency: Histogram

    @classmethod
    def create(cls) -> HttpMetrics:
        """A fresh registry (one per app, so tests can build many apps in one process)."""
        registry = CollectorRegistry()
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        requests = Counter(
            "jumo_http_requests",
            "HTTP requests answered, by method, route template and status",
            ("method", "route", "status", "status_class"),
            registry=registry,
        )
        latency = Histogram(
            "jumo_http_request_duration_seconds",
            "Time to answer an HTTP request, by method, route template and status class",
            ("method", "route", "status_class"),
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        return cls(registry=registry, requests=requests, latency=latency)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request."""
        status_class = status_class_of(status)
        self.requests.labels(method, route, str(status), status_class).inc()
        self.latency.labels(method, route, status_class).observe(seconds)


def status_class_of(status: int) -> str:
    """``2xx`` for 204, ``4xx`` for 499 (a client that went away), …"""
    return f"{status // 100}xx" if 100 <= status <= 599 else "other"


def route_template(request: web.Request) -> str:
    """The matched route's template (``/users/{id}``), never the concrete path."""
    resource = request.match_info.route.resource
    if resource is None or request.match_info.http_exception is not None:
        return UNMATCHED_ROUTE
    return resource.canonical


def render_metrics(metrics: HttpMetrics) -> web.Response:
    """The Prometheus text exposition of ``metrics.registry``."""
    response = web.Response(body=generate_latest(metrics.registry))
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    return response
