"""The sandbox application: routes of both hosts, Graph error rendering, faults, usage headers."""

from __future__ import annotations

import asyncio
import json
import math
import re

from aiohttp import web
from aiohttp.typedefs import Handler

from jumo_facebook.sandbox import control, feed, oauth, people, testusers, www
from jumo_facebook.sandbox.auth import BUSINESS_KEY, STATE_KEY
from jumo_facebook.sandbox.config import SandboxConfig
from jumo_facebook.sandbox.errors import GraphError, transient, unknown_path, unsupported
from jumo_facebook.sandbox.state import Failure, SandboxState

_GRAPH_PATH = re.compile(r"^/v\d+\.\d+/(?!dialog/)")
V = r"{version:v\d+\.\d+}"


def _injected(failure: Failure) -> GraphError:
    status = failure.status or (500 if failure.code in (1, 2) else 400)
    return GraphError(
        status,
        failure.code or 2,
        failure.message or f"(#{failure.code}) Injected by the sandbox",
        error_type=failure.error_type or "OAuthException",
        subcode=failure.subcode,
        is_transient=failure.is_transient,
    )


def _percent(calls: int, limit: int) -> int:
    return min(100, math.ceil(calls * 100 / limit))


def _usage_headers(
    request: web.Request, response: web.StreamResponse, state: SandboxState, fault: Failure | None
) -> None:
    app = _percent(len(state.app_calls), state.app_call_budget())
    usage = {"call_count": app, "total_cputime": max(app - 1, 0), "total_time": max(app - 1, 0)}
    response.headers["x-app-usage"] = json.dumps(usage)
    business_id = request.get(BUSINESS_KEY)
    regain = fault.regain_minutes if fault else None
    if regain is not None and business_id is None:
        business_id = request.match_info.get("node")
    if business_id is None:
        return
    calls = len(state.page_window(business_id))
    pct = 100 if regain else _percent(calls, state.config.page_call_limit)
    entry = {"type": "pages", "call_count": pct, "total_cputime": pct, "total_time": pct}
    entry["estimated_time_to_regain_access"] = math.ceil(regain or 0)
    response.headers["x-business-use-case-usage"] = json.dumps({business_id: [entry]})


async def _graph_call(
    request: web.Request, handler: Handler, fault: Failure | None
) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    if len(state.app_calls) >= state.app_call_budget():
        raise GraphError(400, 4, "(#4) Application request limit reached", is_transient=True)
    if fault and fault.latency_s:
        await asyncio.sleep(fault.latency_s)
    if fault and fault.code is not None and not fault.succeed_then_500:
        raise _injected(fault)
    try:
        response = await handler(request)
    except web.HTTPNotFound as exc:
        raise unknown_path(request.path) from exc
    except web.HTTPMethodNotAllowed as exc:
        raise unsupported(request.method, request.path.rsplit("/", 1)[-1]) from exc
    if fault and fault.succeed_then_500:
        raise _injected(fault) if fault.code is not None else transient()
    return response


@web.middleware
async def graph_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Graph calls: injected faults, Facebook's error JSON, and the usage headers."""
    if not _GRAPH_PATH.match(request.path):
        return await handler(request)
    state = request.app[STATE_KEY]
    fault = state.take_failure(request.method, request.path)
    try:
        response = await _graph_call(request, handler, fault)
    except GraphError as error:
        response = error.response()
    state.count_call(state.app_calls, 3600)
    _usage_headers(request, response, state, fault)
    return response


def _graph_routes(app: web.Application) -> None:
    app.router.add_get(f"/{V}/oauth/access_token", oauth.access_token)
    app.router.add_get(f"/{V}/debug_token", oauth.debug_token)
    app.router.add_post(f"/{V}/{{app_id}}/accounts/test-users", testusers.create)
    app.router.add_get(f"/{V}/{{app_id}}/accounts/test-users", testusers.listing)
    app.router.add_post(f"/{V}/{{node}}/friends/{{other}}", testusers.befriend)
    app.router.add_get(f"/{V}/{{node}}/friends", people.friends)
    app.router.add_get(f"/{V}/{{node}}/permissions", people.permissions)
    app.router.add_delete(f"/{V}/{{node}}/permissions", people.revoke)
    app.router.add_delete(f"/{V}/{{node}}/permissions/{{permission}}", people.revoke)
    app.router.add_get(f"/{V}/{{node}}/accounts", people.accounts)
    app.router.add_get(f"/{V}/{{node}}/feed", feed.read)
    app.router.add_post(f"/{V}/{{node}}/feed", feed.publish)
    app.router.add_get(f"/{V}/{{node}}", people.node)
    app.router.add_delete(f"/{V}/{{node}}", testusers.delete_node)


def _www_routes(app: web.Application) -> None:
    app.router.add_get(f"/{V}/dialog/oauth", www.dialog)
    app.router.add_post(f"/{V}/dialog/oauth/confirm", www.confirm)
    app.router.add_get("/dialog/share", www.share)
    app.router.add_get(f"/{V}/dialog/share", www.share)
    app.router.add_post("/dialog/share/submit", www.share_submit)
    app.router.add_post("/login.php", www.login)
    app.router.add_get("/logout.php", www.logout)
    app.router.add_get("/checkpoint/test-user-login/{user_id}/", www.test_user_login)
    app.router.add_get("/platform/profilepic/", www.picture)


def _control_routes(app: web.Application) -> None:
    app.router.add_post("/__sandbox/reset", control.reset)
    app.router.add_get("/__sandbox/app", control.app_info)
    app.router.add_post("/__sandbox/test-users", control.new_test_user)
    app.router.add_post("/__sandbox/login", control.login)
    app.router.add_post("/__sandbox/pages", control.new_page)
    app.router.add_get("/__sandbox/posts", control.posts)
    app.router.add_post("/__sandbox/failures", control.add_failure)
    app.router.add_delete("/__sandbox/failures", control.clear_failures)
    app.router.add_post("/__sandbox/callbacks", control.callback)
    app.router.add_post("/__sandbox/clock", control.advance_clock)
    app.router.add_post("/__sandbox/tokens", control.mint_token)
    app.router.add_post("/__sandbox/users/{user_id}/invalidate", control.invalidate)


def create_sandbox_app(config: SandboxConfig | None = None) -> web.Application:
    """The sandbox as an aiohttp application (run it, or serve it from a test)."""
    app = web.Application(middlewares=[graph_middleware])
    app[STATE_KEY] = SandboxState(config or SandboxConfig())
    _www_routes(app)
    _graph_routes(app)
    _control_routes(app)
    return app
