"""Typed keys for what ``create_base_app`` stores on the application and on each request."""

from __future__ import annotations

from aiohttp import web

from jumo_common.settings import ServiceSettings
from jumo_common.web.metrics import HttpMetrics
from jumo_common.web.openapi import RouteRegistry

SETTINGS: web.AppKey[ServiceSettings] = web.AppKey("jumo_settings", ServiceSettings)
METRICS: web.AppKey[HttpMetrics] = web.AppKey("jumo_metrics", HttpMetrics)
ROUTES: web.AppKey[RouteRegistry] = web.AppKey("jumo_routes", RouteRegistry)

REQUEST_ID: web.RequestKey[str] = web.RequestKey("jumo_request_id", str)
