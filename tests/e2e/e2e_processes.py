"""The whole system as processes of the test's own: the Facebook sandbox, identity, orgs, feed
(with a Redis of its own), notifier (with a Mailpit of its own and Jumo's Page in the sandbox)
and the gateway in front."""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from e2e_support import free_port
from jumo_gateway import DEFAULT_WEB_ROOT, Gateway, GatewayConfig

from jumo_common.testing.plugin import InfraUrls
from jumo_devstack import MailpitNode, RedisNode, SandboxPage, provision_page

# Only these pass from the test's environment to the processes: `make test` exports the local
# stack's settings (FACEBOOK_*, PUBLIC_BASE_URL, …), which must not leak into ours.
_INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "SSL_CERT_FILE")


def _inherited_env() -> dict[str, str]:
    return {key: os.environ[key] for key in _INHERITED if key in os.environ}


def _status(url: str) -> int | None:
    """The HTTP status at ``url``, None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own URL)
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


class ServiceProcess:
    """One program of ours (``python -m …``) on a port, logging to a file, stopped by pid."""

    def __init__(
        self, name: str, args: list[str], env: Mapping[str, str], log: Path, ready_url: str
    ) -> None:
        self.name, self.args, self.env, self.log, self.ready_url = name, args, env, log, ready_url
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> None:
        """Start it and return once ``ready_url`` answers 200; fail with its log otherwise."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, *self.args],
                env={**_inherited_env(), **self.env},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while _status(self.ready_url) != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"{self.name} did not come up:\n{self.tail()}")
            time.sleep(0.05)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, then SIGKILL after ``timeout``; waits until it is gone."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)

    def tail(self, lines: int = 40) -> str:
        """The end of its log, for failure messages."""
        text = self.log.read_text(errors="replace") if self.log.exists() else "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def log_records(self) -> list[dict[str, Any]]:
        """Its JSON log lines, parsed (other lines skipped)."""
        records = []
        # split on "\n" only: splitlines() would also cut at U+2028 and friends, which JSON
        # leaves unescaped inside strings (schemathesis puts them in paths).
        for line in self.log.read_text(errors="replace").split("\n"):
            if line.startswith("{"):
                records.append(json.loads(line))
        return records


def new_encryption_key() -> str:
    """A fresh AES-256 key, base64, as identity's ENCRYPTION_KEY wants it."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass(frozen=True)
class Plan:
    """Ports, names and secrets of one system under test, chosen before anything starts."""

    token: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    app_id: str = field(default_factory=lambda: str(10**14 + secrets.randbelow(9 * 10**14)))
    app_secret: str = field(default_factory=lambda: secrets.token_hex(16))
    gateway_port: int = field(default_factory=free_port)
    sandbox_port: int = field(default_factory=free_port)
    identity_port: int = field(default_factory=free_port)
    orgs_port: int = field(default_factory=free_port)
    feed_port: int = field(default_factory=free_port)
    redis_port: int = field(default_factory=free_port)
    notifier_port: int = field(default_factory=free_port)
    mailpit_port: int = field(default_factory=free_port)
    smtp_port: int = field(default_factory=free_port)

    @property
    def mongo_database(self) -> str:
        """identity's database for this run."""
        return f"e2e_{self.token}"

    @property
    def orgs_database(self) -> str:
        """orgs' database for this run."""
        return f"e2e_{self.token}_orgs"

    @property
    def feed_database(self) -> str:
        """feed's database for this run."""
        return f"e2e_{self.token}_feed"

    @property
    def notifier_database(self) -> str:
        """notifier's database for this run."""
        return f"e2e_{self.token}_notifier"

    @property
    def events_exchange(self) -> str:
        """identity's events exchange for this run."""
        return f"test.{self.token}.jumo.events"

    def url(self, port: int) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{port}"


@dataclass
class SystemUnderTest:
    """The sandbox, identity, orgs, feed and its Redis, notifier and its Mailpit, and the
    gateway in front: processes of this test session. ``jumo_page`` is Jumo's own Page in the
    sandbox (made once the sandbox is up), the one notifier posts to."""

    plan: Plan
    gateway: Gateway
    sandbox: ServiceProcess
    identity: ServiceProcess
    orgs: ServiceProcess
    redis: RedisNode
    feed: ServiceProcess
    mailpit: MailpitNode
    notifier: ServiceProcess
    page: SandboxPage | None = None

    @property
    def jumo_page(self) -> SandboxPage:
        """Jumo's own Page in the sandbox, with its token (made when the sandbox started)."""
        if self.page is None:
            raise RuntimeError("the system is not started: no Page of Jumo's yet")
        return self.page

    @property
    def sandbox_url(self) -> str:
        """The sandbox's base URL (both Facebook hosts)."""
        return self.plan.url(self.plan.sandbox_port)

    @property
    def app_id(self) -> str:
        """The Facebook app's id (the sandbox's only app)."""
        return self.plan.app_id

    @property
    def app_secret(self) -> str:
        """The Facebook app's secret."""
        return self.plan.app_secret

    @property
    def mailpit_url(self) -> str:
        """Mailpit's web inbox and API: what notifier sent arrives there."""
        return self.mailpit.url

    def start(self) -> None:
        """Start Redis, Mailpit, the sandbox, Jumo's Page in it (as the local stack makes it),
        identity, orgs, feed, notifier with that Page, then the gateway; on failure stop what
        started."""
        try:
            self.redis.start()
            self.mailpit.start()
            self.sandbox.start()
            self.page = provision_page(self.sandbox_url, self.app_secret)
            self.identity.start()
            self.orgs.start()
            self.feed.start()
            self.notifier.env = {**self.notifier.env, **self.page.env()}
            self.notifier.start()
            self.gateway.start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop everything that was started, gateway first, Redis and Mailpit last (by pid)."""
        self.gateway.stop()
        for process in (self.notifier, self.feed, self.orgs, self.identity, self.sandbox):
            process.stop()
        self.mailpit.stop()
        self.redis.stop()


def _sandbox(plan: Plan, folder: Path) -> ServiceProcess:
    gateway = plan.url(plan.gateway_port)
    args = ["-m", "jumo_facebook.sandbox", "--port", str(plan.sandbox_port)]
    args += ["--app-id", plan.app_id, "--app-secret", plan.app_secret]
    # identity's login, and notifier's login that links an organization's Page.
    for path in ("/auth/facebook/callback", "/facebook-pages/callback"):
        args += ["--redirect-uri", f"{gateway}{path}"]
    args += ["--require-proof"]  # as the local stack's sandbox, and as a real app should be set
    ready = f"{plan.url(plan.sandbox_port)}/__sandbox/app"
    return ServiceProcess("sandbox", args, {}, folder / "sandbox.log", ready)


def _identity(plan: Plan, infra: InfraUrls, folder: Path) -> ServiceProcess:
    sandbox = plan.url(plan.sandbox_port)
    env = {
        "PORT": str(plan.identity_port),
        "AMQP_URL": infra.amqp_url,
        "MONGO_URL": infra.mongo_url,
        "MONGO_DATABASE": plan.mongo_database,
        "EVENTS_EXCHANGE": plan.events_exchange,
        "QUEUE_PREFIX": f"test.{plan.token}.",
        "PUBLIC_BASE_URL": plan.url(plan.gateway_port),
        "ENCRYPTION_KEY": new_encryption_key(),
        "FACEBOOK_APP_ID": plan.app_id,
        "FACEBOOK_APP_SECRET": plan.app_secret,
        "FACEBOOK_GRAPH_URL": sandbox,
        "FACEBOOK_WWW_URL": sandbox,
        "LOG_JSON": "true",
    }
    ready = f"{plan.url(plan.identity_port)}/readyz"
    return ServiceProcess("identity", ["-m", "jumo_identity"], env, folder / "identity.log", ready)


def _orgs(plan: Plan, infra: InfraUrls, folder: Path) -> ServiceProcess:
    env = {
        "PORT": str(plan.orgs_port),
        "AMQP_URL": infra.amqp_url,
        "MONGO_URL": infra.mongo_url,
        "MONGO_DATABASE": plan.orgs_database,
        "EVENTS_EXCHANGE": plan.events_exchange,
        "QUEUE_PREFIX": f"test.{plan.token}.",
        "PUBLIC_BASE_URL": plan.url(plan.gateway_port),
        "JWKS_URL": f"{plan.url(plan.identity_port)}/.well-known/jwks.json",
        "RECORD_KEY_SECRET": new_encryption_key(),
        # The time-based steps (reminders due, deadlines) every second, not every 30: a test
        # sees a reminder fall due without waiting half a minute (test_story.py).
        "TIMERS_INTERVAL_S": "1",
        "LOG_JSON": "true",
    }
    ready = f"{plan.url(plan.orgs_port)}/readyz"
    return ServiceProcess("orgs", ["-m", "jumo_orgs"], env, folder / "orgs.log", ready)


def _feed(plan: Plan, infra: InfraUrls, redis: RedisNode, folder: Path) -> ServiceProcess:
    env = {
        "PORT": str(plan.feed_port),
        "AMQP_URL": infra.amqp_url,
        "MONGO_URL": infra.mongo_url,
        "MONGO_DATABASE": plan.feed_database,
        "EVENTS_EXCHANGE": plan.events_exchange,
        "QUEUE_PREFIX": f"test.{plan.token}.",
        "PUBLIC_BASE_URL": plan.url(plan.gateway_port),
        "JWKS_URL": f"{plan.url(plan.identity_port)}/.well-known/jwks.json",
        "REDIS_URL": redis.url,
        "LOG_JSON": "true",
    }
    ready = f"{plan.url(plan.feed_port)}/readyz"
    return ServiceProcess("feed", ["-m", "jumo_feed"], env, folder / "feed.log", ready)


def _notifier(plan: Plan, infra: InfraUrls, mailpit: MailpitNode, folder: Path) -> ServiceProcess:
    """notifier; JUMO_PAGE_ID and JUMO_PAGE_TOKEN join its environment once the sandbox has the
    Page (SystemUnderTest.start)."""
    sandbox = plan.url(plan.sandbox_port)
    env = {
        "PORT": str(plan.notifier_port),
        "AMQP_URL": infra.amqp_url,
        "MONGO_URL": infra.mongo_url,
        "MONGO_DATABASE": plan.notifier_database,
        "EVENTS_EXCHANGE": plan.events_exchange,
        "QUEUE_PREFIX": f"test.{plan.token}.",
        "PUBLIC_BASE_URL": plan.url(plan.gateway_port),
        "JWKS_URL": f"{plan.url(plan.identity_port)}/.well-known/jwks.json",
        "SMTP_HOST": mailpit.host,
        "SMTP_PORT": str(mailpit.smtp_port),
        "UNSUBSCRIBE_KEY": new_encryption_key(),
        "PAGE_TOKEN_KEY": new_encryption_key(),
        "FACEBOOK_APP_ID": plan.app_id,
        "FACEBOOK_APP_SECRET": plan.app_secret,
        "FACEBOOK_GRAPH_URL": sandbox,
        "FACEBOOK_WWW_URL": sandbox,
        "LOG_JSON": "true",
    }
    ready = f"{plan.url(plan.notifier_port)}/readyz"
    return ServiceProcess("notifier", ["-m", "jumo_notifier"], env, folder / "notifier.log", ready)


def web_dist() -> Path:
    """The built web client the system's gateway serves: web/dist, or $JUMO_WEB_DIST (a build
    of one's own elsewhere, so that a rebuild of web/dist cannot pull files from under a
    running browser test)."""
    return Path(os.environ.get("JUMO_WEB_DIST") or DEFAULT_WEB_ROOT)


def start_system(folder: Path, infra: InfraUrls, nginx: str) -> SystemUnderTest:
    """Start Redis, Mailpit, the sandbox (with Jumo's Page), identity, orgs, feed, notifier and
    a gateway on free ports, with names of their own."""
    plan = Plan()
    config = GatewayConfig(
        listen=f"127.0.0.1:{plan.gateway_port}",
        upstreams={
            "identity": f"127.0.0.1:{plan.identity_port}",
            "orgs": f"127.0.0.1:{plan.orgs_port}",
            "feed": f"127.0.0.1:{plan.feed_port}",
            "notifier": f"127.0.0.1:{plan.notifier_port}",
        },
        web_root=web_dist(),
    )
    gateway = Gateway(folder / "gateway", config, nginx)
    redis = RedisNode(folder / "redis", plan.redis_port)
    # Its Chaos API on: a test can make the relay refuse mail (a bounce) for this system only.
    mailpit = MailpitNode(folder / "mailpit", plan.mailpit_port, plan.smtp_port, chaos=True)
    system = SystemUnderTest(
        plan,
        gateway,
        sandbox=_sandbox(plan, folder),
        identity=_identity(plan, infra, folder),
        orgs=_orgs(plan, infra, folder),
        redis=redis,
        feed=_feed(plan, infra, redis, folder),
        mailpit=mailpit,
        notifier=_notifier(plan, infra, mailpit, folder),
    )
    system.start()
    return system
