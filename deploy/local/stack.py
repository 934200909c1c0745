"""The local stack, no Docker: ``uv run python deploy/local/stack.py up|down|status|logs|clean``.

``up`` brings up every component in ``components()`` in order. For each one, when a server of
its kind already answers at its configured URL (``AMQP_URL``, ``POSTGRES_URL``, ``MONGO_URL``,
``REDIS_URL``, ...; a service only when its ``/healthz`` names it), that server is used and
recorded as "not ours"; when something else holds the port, ``up`` stops with "<name>: port <n>
is taken by something else"; otherwise the stack starts its own process and records its pid. It
then writes ``deploy/local/stack.env`` (``KEY=value`` lines: the URLs and whatever the components
add) for ``make test`` and the services to source. A second ``up`` changes nothing.

FerretDB runs on PostgreSQL (a cluster of our own, the ``postgres`` component) unless
``JUMO_FERRETDB_BACKEND=sqlite``, which leaves PostgreSQL out and keeps FerretDB's data in
SQLite files.

``down`` stops exactly the processes ``up`` started, newest first, by recorded pid (gracefully,
then SIGKILL after a timeout), and never touches a server it found running. ``clean`` runs
``down`` if needed, then deletes the run folder (data and logs).

epmd: every Erlang node on the machine registers with one epmd daemon on port 4369, which Erlang
starts implicitly and leaves behind. When ``up`` starts our RabbitMQ node and no epmd answers, the
node's helper (``RabbitNode``) starts one itself, in the foreground so its pid is known, and
records it. ``down`` stops that epmd by pid once our node is gone, but only if no other node is
still registered with it (a test's private node, say): killing it under a live node would break
that node's CLI access; its pid file stays, and every later ``down`` tries again. An epmd we
found running is never stopped.

Run folder: ``deploy/local/run/`` (``JUMO_RUN_DIR`` overrides it): ``stack.json`` (what we
started), one subfolder per server with its data, logs and pid files. The env file's path can be
moved with ``JUMO_STACK_ENV``.

Adding a component (the Facebook sandbox, a service, the gateway) is a few lines in
``components()``: a ``ProcessComponent`` (``components.py``) with its URL variable, default URL,
command, extra environment and the env lines it contributes; ``python_module()`` builds one for
a service of ours, ``python -m <module>``. A component of ours that runs with other settings
than ``up`` wants now is restarted: the Facebook sandbox keeps its test users and Pages in
memory, so after it restarts ``up`` makes Jumo's own Page again (``jumo_page``) and restarts
notifier with the new Page token.

Mailpit (``MAILPIT_URL``, default http://127.0.0.1:8025, its web inbox and API) takes mail over
SMTP at ``MAILPIT_SMTP_URL`` (default smtp://127.0.0.1:1025); stack.env also gets the
``SMTP_HOST`` and ``SMTP_PORT`` notifier reads.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import json
import os
import shlex
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from components import (
    Component,
    FerretComponent,
    MailpitComponent,
    PostgresComponent,
    ProcessComponent,
    PrometheusComponent,
    RabbitComponent,
    RedisComponent,
    State,
    python_module,
    run_dir,
    url_host,
    url_port,
)

from jumo_devstack import BACKEND_ENV, backend_setting, pid_alive, provision_page, terminate_pid
from jumo_facebook.sandbox.local import local_app

HERE = Path(__file__).resolve().parent
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
# Port 5433: Debian's own cluster "main", if ever started, takes 5432.
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5433/ferretdb"
DEFAULT_MONGO_URL = "mongodb://127.0.0.1:27017/"
# Port 6380: Debian's own redis-server service, if ever started, takes 6379.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6380/0"
DEFAULT_FACEBOOK_URL = "http://127.0.0.1:8090"
DEFAULT_IDENTITY_URL = "http://127.0.0.1:8001"
DEFAULT_ORGS_URL = "http://127.0.0.1:8002"
DEFAULT_FEED_URL = "http://127.0.0.1:8003"
DEFAULT_NOTIFIER_URL = "http://127.0.0.1:8004"
DEFAULT_MAILPIT_URL = "http://127.0.0.1:8025"
DEFAULT_MAILPIT_SMTP_URL = "smtp://127.0.0.1:1025"
DEFAULT_GATEWAY_URL = "http://127.0.0.1:8080"
DEFAULT_PROMETHEUS_URL = "http://127.0.0.1:9090"


def env_file() -> Path:
    """Where ``up`` writes the KEY=value lines for the tests and services."""
    return Path(os.environ.get("JUMO_STACK_ENV") or HERE / "stack.env").resolve()


def kept_secret(path: Path) -> str:
    """A random 32-byte key (base64), made once per run folder so restarts can read old data."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(base64.b64encode(os.urandom(32)).decode() + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def gateway_url() -> str:
    """Where clients reach the stack: Facebook's registered redirect URI depends on it."""
    return os.environ.get("GATEWAY_URL") or DEFAULT_GATEWAY_URL


def facebook_sandbox() -> ProcessComponent:
    """Facebook, offline, for one generated app whose redirect URI is the gateway's callback."""
    app = local_app(run_dir() / "facebook")
    return ProcessComponent(
        name="facebook",
        url_var="FACEBOOK_GRAPH_URL",
        default_url=DEFAULT_FACEBOOK_URL,
        ready_url="{url}/__sandbox/app",
        expect={"app_id": "*"},
        command=["{python}", "-m", "jumo_facebook.sandbox"],
        extra_env={
            "FACEBOOK_SANDBOX_PORT": "{port}",
            "FACEBOOK_SANDBOX_PUBLIC_URL": "{url}",
            # As a real app should be set: a server call without appsecret_proof fails here first.
            "FACEBOOK_SANDBOX_REQUIRE_PROOF": "true",
            # Facebook's app budget: 200 calls an hour per user of the app (at least 5,000), so
            # that `make demo`'s 2,000 people can sign up as they could on Facebook.
            "FACEBOOK_SANDBOX_APP_CALLS_PER_USER": "200",
            # identity's login, and notifier's login that links an organization's Page.
            "FACEBOOK_SANDBOX_REDIRECT_URIS": ",".join(
                f"{gateway_url()}{path}"
                for path in ("/auth/facebook/callback", "/facebook-pages/callback")
            ),
            **app,
        },
        contributes={"FACEBOOK_WWW_URL": "{url}", **app},
    )


def identity_service() -> ProcessComponent:
    """The identity service; the Facebook settings reach it from the sandbox's env lines."""
    return python_module(
        "identity",
        "jumo_identity",
        "IDENTITY_URL",
        DEFAULT_IDENTITY_URL,
        extra_env={
            "PORT": "{port}",
            "PUBLIC_BASE_URL": gateway_url(),
            "ENCRYPTION_KEY": kept_secret(run_dir() / "identity" / "encryption.key"),
        },
    )


def identity_url() -> str:
    """Where the other services reach identity (its JWKS verifies their callers' tokens)."""
    return (os.environ.get("IDENTITY_URL") or DEFAULT_IDENTITY_URL).rstrip("/")


def orgs_service() -> ProcessComponent:
    """The orgs service: it verifies tokens with identity's JWKS, and hears user.* events."""
    return python_module(
        "orgs",
        "jumo_orgs",
        "ORGS_URL",
        DEFAULT_ORGS_URL,
        extra_env={
            "PORT": "{port}",
            "PUBLIC_BASE_URL": gateway_url(),
            "JWKS_URL": f"{identity_url()}/.well-known/jwks.json",
            "RECORD_KEY_SECRET": kept_secret(run_dir() / "orgs" / "record.key"),
        },
    )


def redis_url() -> str:
    """Where feed keeps its home timelines."""
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


def feed_service() -> ProcessComponent:
    """The feed service: home timelines in Redis; tokens verified with identity's JWKS."""
    return python_module(
        "feed",
        "jumo_feed",
        "FEED_URL",
        DEFAULT_FEED_URL,
        extra_env={
            "PORT": "{port}",
            "PUBLIC_BASE_URL": gateway_url(),
            "JWKS_URL": f"{identity_url()}/.well-known/jwks.json",
            "REDIS_URL": redis_url(),
        },
    )


def mailpit() -> MailpitComponent:
    """Mailpit: the mail catcher notifier sends to; its web inbox at MAILPIT_URL."""
    return MailpitComponent(
        "mailpit",
        "MAILPIT_URL",
        DEFAULT_MAILPIT_URL,
        smtp_url_var="MAILPIT_SMTP_URL",
        default_smtp_url=DEFAULT_MAILPIT_SMTP_URL,
    )


def jumo_page(env: Mapping[str, str]) -> dict[str, str]:
    """JUMO_PAGE_ID and JUMO_PAGE_TOKEN: Jumo's own Page in the sandbox, made again when the
    sandbox forgot it (it keeps nothing across a restart; notifier is then restarted too)."""
    page = provision_page(
        env["FACEBOOK_GRAPH_URL"],
        env["FACEBOOK_APP_SECRET"],
        record=run_dir() / "notifier" / "jumo-page.json",
        version=env.get("FACEBOOK_GRAPH_VERSION") or "v26.0",
    )
    return page.env()


def notifier_service() -> ProcessComponent:
    """The notifier service: email through Mailpit, Jumo's own Page in the sandbox."""
    smtp = mailpit().smtp_url
    folder = run_dir() / "notifier"
    return python_module(
        "notifier",
        "jumo_notifier",
        "NOTIFIER_URL",
        DEFAULT_NOTIFIER_URL,
        extra_env={
            "PORT": "{port}",
            "PUBLIC_BASE_URL": gateway_url(),
            "JWKS_URL": f"{identity_url()}/.well-known/jwks.json",
            "SMTP_HOST": url_host(smtp),
            "SMTP_PORT": str(url_port(smtp, 1025)),
            "UNSUBSCRIBE_KEY": kept_secret(folder / "unsubscribe.key"),
            "PAGE_TOKEN_KEY": kept_secret(folder / "page-token.key"),
        },
        provision=jumo_page,
    )


def gateway() -> ProcessComponent:
    """nginx in front of the services, run in the foreground so its pid is the master's."""
    return ProcessComponent(
        name="gateway",
        url_var="GATEWAY_URL",
        default_url=DEFAULT_GATEWAY_URL,
        ready_url="{url}/gateway/healthz",
        expect={"status": "ok"},
        command=["{python}", "{repo}/deploy/gateway/jumo_gateway.py", "run", "--run-dir", "{run}"],
    )


SERVICE_URLS = {
    "identity": ("IDENTITY_URL", DEFAULT_IDENTITY_URL),
    "orgs": ("ORGS_URL", DEFAULT_ORGS_URL),
    "feed": ("FEED_URL", DEFAULT_FEED_URL),
    "notifier": ("NOTIFIER_URL", DEFAULT_NOTIFIER_URL),
}


def prometheus() -> PrometheusComponent:
    """Prometheus (``make observe``): each service's /metrics at the stack's own address."""
    targets = {}
    for job, (var, default) in SERVICE_URLS.items():
        url = os.environ.get(var) or default
        targets[job] = f"{url_host(url)}:{url_port(url, 80)}"
    return PrometheusComponent("prometheus", "PROMETHEUS_URL", DEFAULT_PROMETHEUS_URL, targets)


def components(every: bool = False) -> list[Component]:
    """What the stack runs, in start order (``down`` stops them in reverse).

    PostgreSQL only runs for FerretDB's postgresql backend; ``every`` lists it anyway, so that
    ``down`` stops a cluster that an ``up`` with the other setting started. Prometheus runs
    only after ``observe``; ``every`` lists it last, so that ``down`` stops it first.
    """
    postgres = PostgresComponent("postgres", "POSTGRES_URL", DEFAULT_POSTGRES_URL)
    wanted = every or backend_setting() == "postgresql"
    return [
        RabbitComponent("rabbitmq", "AMQP_URL", DEFAULT_AMQP_URL),
        *([postgres] if wanted else []),
        FerretComponent("mongodb", "MONGO_URL", DEFAULT_MONGO_URL),
        RedisComponent("redis", "REDIS_URL", DEFAULT_REDIS_URL),
        mailpit(),
        facebook_sandbox(),
        identity_service(),
        orgs_service(),
        feed_service(),
        notifier_service(),
        gateway(),
        *([prometheus()] if every else []),
    ]


# -- the record of what we started ---------------------------------------------------------------


def load_state() -> dict[str, State]:
    """What ``up`` recorded: per component, whether we started it and its pids."""
    path = run_dir() / "stack.json"
    if not path.exists():
        return {}
    data: dict[str, State] = json.loads(path.read_text())
    return data


def save_state(state: dict[str, State]) -> None:
    """Write the record atomically, so a crash never leaves half a file."""
    path = run_dir() / "stack.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")
    tmp.replace(path)


@contextlib.contextmanager
def locked() -> Iterator[None]:
    """One ``up``/``down`` at a time (two concurrent ``make test`` would race otherwise)."""
    folder = run_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "stack.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def write_env(lines: Mapping[str, str]) -> None:
    """stack.env: shell-sourceable KEY=value lines."""
    text = "# written by deploy/local/stack.py up; sourced by make test\n"
    text += "".join(f"{key}={shlex.quote(value)}\n" for key, value in lines.items())
    env_file().write_text(text)


# -- commands ------------------------------------------------------------------------------------


def settle_backend(state: dict[str, State]) -> None:
    """Fix FerretDB's backend for this command: the setting, else the running stack's, else
    PostgreSQL; every later ``backend_setting()`` reads it back from the environment."""
    backend = os.environ.get(BACKEND_ENV)
    ours = state.get("mongodb", {})
    if not backend and ours.get("started"):
        backend = str(ours.get("backend", "sqlite"))  # recorded before the setting existed
    os.environ[BACKEND_ENV] = backend or "postgresql"
    backend_setting()  # refuses a value that names no backend


def up() -> int:
    """Start what is missing, reuse what answers, write stack.env."""
    with locked():
        state = load_state()
        settle_backend(state)
        env: dict[str, str] = {"JUMO_RUN_DIR": str(run_dir())}
        for comp in components():
            env.update(bring_up(comp, state))
            save_state(state)
        write_env(env)
    print(f"stack up; environment in {env_file()}")
    return 0


def bring_up(comp: Component, state: dict[str, State]) -> dict[str, str]:
    """Bring up one component, updating ``state``; return its env lines.

    Ours and running with the settings wanted now: left alone; with other settings (notifier
    after the sandbox forgot Jumo's Page, a changed redirect URI…): restarted. Only a copy of
    ours is prepared (a server we merely use has settings of its own).
    """
    entry = state.get(comp.name)
    ours = bool(entry and entry.get("started") and comp.alive(entry))
    if entry and ours:
        comp.prepare({**os.environ, **comp_env_so_far(state)})
        if comp.stale(entry):
            print(f"{comp.name}: restarting pid {entry['pid']}: its settings changed", flush=True)
            comp.stop(entry)
            ours = False
    if entry and ours:
        print(f"{comp.name}: ours, already running (pid {entry['pid']}) at {comp.url}")
    elif comp.answers():
        print(f"{comp.name}: using the server already at {comp.url} (not started by us)")
        state[comp.name] = {"started": False, "url": comp.url}
    elif (taken := comp.taken_port()) is not None:
        raise SystemExit(f"{comp.name}: port {taken} is taken by something else")
    else:
        comp.check_local()
        env = {**os.environ, **comp_env_so_far(state)}
        comp.prepare(env)
        print(f"{comp.name}: starting at {comp.url} ...", flush=True)
        began = time.monotonic()
        record = comp.start(env)
        state[comp.name] = {"started": True, "url": comp.url, **record}
        print(f"{comp.name}: up in {time.monotonic() - began:.1f}s (pid {record['pid']})")
    return comp.env_lines()


def comp_env_so_far(state: dict[str, State]) -> dict[str, str]:
    """The env lines of the components already up (a service needs AMQP_URL, MONGO_URL...)."""
    lines: dict[str, str] = {}
    for comp in components():
        if comp.name in state:
            lines.update(comp.env_lines())
    return lines


def observe() -> int:
    """Start Prometheus against the running stack (``make observe``; ``down`` stops it)."""
    with locked():
        state = load_state()
        settle_backend(state)
        comp = prometheus()
        bring_up(comp, state)
        save_state(state)
    print(f"prometheus: {comp.url} (targets: {comp.url}/targets, alerts: {comp.url}/alerts)")
    return 0


def down() -> int:
    """Stop what we started, newest first; forget what we merely used."""
    with locked():
        state = load_state()
        for comp in reversed(components(every=True)):
            entry = state.pop(comp.name, None)
            if entry is None:
                continue
            if entry.get("started"):
                print(f"{comp.name}: stopping pid {entry['pid']} ...", flush=True)
                comp.stop(entry)
            else:
                print(f"{comp.name}: not ours, left running at {entry.get('url')}")
            save_state(state)
        leftovers = sorted(state)  # components removed from the list since `up`
        for name in leftovers:
            stop_unknown(name, state.pop(name))
        for comp in components(every=True):
            comp.tidy()
        (run_dir() / "stack.json").unlink(missing_ok=True)
        env_file().unlink(missing_ok=True)
    print("stack down")
    return 0


def stop_unknown(name: str, entry: State) -> None:
    """A component recorded by ``up`` but no longer in the list: stop its pid if it is ours."""
    pid = entry.get("pid")
    if entry.get("started") and isinstance(pid, int) and pid_alive(pid):
        print(f"{name}: stopping pid {pid} (no longer in the component list)")
        terminate_pid(pid, timeout=20)


def status() -> int:
    """Print each component, who started it, and whether it answers, then one summary line.

    It exits 0 whatever the state (it is a report, not a check: a stack that is down is a state,
    not an error); the last line says what to do.
    """
    state = load_state()
    settle_backend(state)
    down_names = []
    observed = [prometheus()] if "prometheus" in state else []
    for comp in [*components(), *observed]:
        entry = state.get(comp.name, {})
        answers = comp.answers()
        if not answers:
            down_names.append(comp.name)
        owner = "ours" if entry.get("started") else ("external" if entry else "not managed")
        pid = f" pid {entry['pid']}" if entry.get("started") else ""
        alive = "" if not entry.get("started") else (" alive" if comp.alive(entry) else " DEAD")
        print(f"{comp.name:10} {comp.url:46} {'up' if answers else 'DOWN':5} {owner}{pid}{alive}")
    if not down_names:
        print("stack: up")
    elif len(down_names) == len(components()):
        print("stack: down (`make up` starts it)")
    else:
        print(f"stack: partly up; not answering: {', '.join(down_names)} (`make up` starts them)")
    return 0


def logs() -> int:
    """The stack's log files, one a line (``make logs`` tails them)."""
    files = [path for comp in components(every=True) for path in comp.logs()]
    for path in files:
        print(path)
    return 0


def clean() -> int:
    """After ``down``: delete the run folder, and data folders it links to elsewhere."""
    folder = run_dir()
    if (folder / "stack.json").exists():
        down()
    if folder.is_dir():
        for entry in folder.iterdir():
            if entry.is_symlink() and entry.resolve().is_dir():
                shutil.rmtree(entry.resolve())
        shutil.rmtree(folder)
    print(f"removed {folder}")
    return 0


COMMANDS: dict[str, Callable[[], int]] = {
    "up": up,
    "down": down,
    "status": status,
    "logs": logs,
    "observe": observe,
    "clean": clean,
}


def main() -> int:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("command", choices=sorted(COMMANDS))
    return COMMANDS[parser.parse_args().command]()


if __name__ == "__main__":
    sys.exit(main())
