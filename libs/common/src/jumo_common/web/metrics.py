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
    """The registry ``/metrics`` exposes; services may register their own metrics on it."""

    registry: CollectorRegistry
    requests: Counter
    latency: Histogram

    @classmethod
    def create(cls) -> HttpMetrics:
        """A fresh registry (one per app, so tests can build many apps in one process)."""
        registry = CollectorRegistry()
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        labels = ("method", "route", "status")
        requests = Counter("http_requests", "HTTP requests handled", labels, registry=registry)
        latency = Histogram(
            "http_request_duration_seconds",
            "Time to answer an HTTP request",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        return cls(registry=registry, requests=requests, latency=latency)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request."""
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route, str(status)).observe(seconds)


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
