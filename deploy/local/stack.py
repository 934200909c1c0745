"""The local stack, no Docker: ``uv run python deploy/local/stack.py up|down|status|clean``.

``up`` brings up every component in ``components()`` in order. For each one, when something
already answers at its configured URL (``AMQP_URL``, ``MONGO_URL``, ...), that server is used and
recorded as "not ours"; otherwise the stack starts its own process and records its pid. It then
writes ``deploy/local/stack.env`` (``KEY=value`` lines: the URLs and whatever the components add)
for ``make test`` and the services to source. A second ``up`` changes nothing.

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
``components()``: a ``ProcessComponent`` with its URL variable, default URL, command, extra
environment and the env lines it contributes; ``python_module()`` builds one for
``python -m <module>``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import hashlib
import json
import os
import shlex
import shutil
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jumo_devstack import (
    RABBIT_HOME,
    FerretNode,
    RabbitNode,
    ferretdb_binary,
    mongo_ping,
    pid_alive,
    pid_cmdline,
    rabbit_blocker,
    read_pid,
    spawn_logged,
    terminate_pid,
    wait_for,
)
from jumo_facebook.sandbox.local import local_app

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_MONGO_URL = "mongodb://127.0.0.1:27017/"
DEFAULT_FACEBOOK_URL = "http://127.0.0.1:8090"
DEFAULT_IDENTITY_URL = "http://127.0.0.1:8001"
DEFAULT_GATEWAY_URL = "http://127.0.0.1:8080"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}

State = dict[str, Any]


def run_dir() -> Path:
    """The run folder: data, logs, pid files and the record of what we started."""
    return Path(os.environ.get("JUMO_RUN_DIR") or HERE / "run").resolve()


def env_file() -> Path:
    """Where ``up`` writes the KEY=value lines for the tests and services."""
    return Path(os.environ.get("JUMO_STACK_ENV") or HERE / "stack.env").resolve()


def url_port(url: str, default: int) -> int:
    """The port of a URL, or ``default`` when it names none."""
    return urlsplit(url).port or default


def url_host(url: str) -> str:
    """The host of a URL (127.0.0.1 when it names none)."""
    return urlsplit(url).hostname or "127.0.0.1"


def amqp_answers(url: str) -> bool:
    """Whether an AMQP 0-9-1 broker answers at url (it replies to the protocol header)."""
    try:
        with socket.create_connection((url_host(url), url_port(url, 5672)), timeout=2) as sock:
            sock.settimeout(3)
            sock.sendall(b"AMQP\x00\x00\x09\x01")
            # A broker answers with a method frame (type 1) carrying connection.start.
            return sock.recv(1) == b"\x01"
    except OSError:
        return False


def http_answers(url: str) -> bool:
    """Whether an HTTP server answers at url with any status below 500."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own URL)
            return int(response.status) < 500
    except urllib.error.HTTPError as error:
        return error.code < 500
    except (OSError, ValueError):
        return False


@dataclass
class Component:
    """One piece of the stack: where it should answer, how to start and stop our own copy."""

    name: str
    url_var: str
    default_url: str

    @property
    def url(self) -> str:
        """The configured URL: the environment's, else the default."""
        return os.environ.get(self.url_var) or self.default_url

    def folder(self) -> Path:
        """This component's own folder in the run folder."""
        return run_dir() / self.name

    def answers(self) -> bool:
        """Whether something serves at the configured URL."""
        raise NotImplementedError

    def start(self, env: Mapping[str, str]) -> State:
        """Start our own copy; return what ``stop`` needs (pids...)."""
        raise NotImplementedError

    def stop(self, state: State) -> None:
        """Stop the copy ``start`` started."""
        raise NotImplementedError

    def tidy(self) -> None:
        """After ``down``: stop helpers a previous ``down`` had to leave running."""

    def alive(self, state: State) -> bool:
        """Whether the copy we started still runs."""
        pid = state.get("pid")
        return isinstance(pid, int) and pid_alive(pid)

    def env_lines(self) -> dict[str, str]:
        """The KEY=value lines this component adds to stack.env."""
        return {self.url_var: self.url}

    def check_local(self) -> None:
        """Refuse to start a server for an address that is not on this machine."""
        if url_host(self.url) not in LOCAL_HOSTS:
            raise SystemExit(
                f"{self.name}: nothing answers at {self.url} and it is not a local address, "
                "so the stack cannot start it there"
            )


@dataclass
class RabbitComponent(Component):
    """RabbitMQ: a node of our own (RabbitNode) on the configured port."""

    def folder(self) -> Path:
        """The node's folder: in the run folder when the rabbitmq user can reach it.

        Debian's broker runs as the rabbitmq user. When the checkout sits below a folder that
        user may not enter (a clone under /root, say), the node's files go to a folder of
        /var/lib/rabbitmq named after the run folder, linked from the run folder.
        """
        wanted = super().folder()
        if wanted.is_symlink() or rabbit_blocker(wanted.parent) is None:
            return wanted
        digest = hashlib.sha256(str(wanted).encode()).hexdigest()[:12]
        elsewhere = RABBIT_HOME / "jumo-stacks" / digest
        elsewhere.mkdir(parents=True, exist_ok=True)
        wanted.parent.mkdir(parents=True, exist_ok=True)
        wanted.symlink_to(elsewhere, target_is_directory=True)
        return wanted

    def node(self) -> RabbitNode:
        """The node object for our copy (its state lives in the run folder)."""
        return RabbitNode(self.folder(), url_port(self.url, 5672))

    def answers(self) -> bool:
        """Whether an AMQP broker answers at the configured URL."""
        return amqp_answers(self.url)

    def start(self, env: Mapping[str, str]) -> State:
        """Start our node and wait for ``await_startup``."""
        node = self.node()
        node.start(timeout=120)
        return {
            "pid": node.pid,
            "node": node.node_name,
            "port": node.port,
            "wrapper_pid": node.launcher_pid,
            "epmd_pid": read_pid(node.epmd_pid_file),
        }

    def stop(self, state: State) -> None:
        """``rabbitmqctl stop`` (then signals), then our epmd if nobody else uses it."""
        node = RabbitNode(self.folder(), int(state["port"]), state["node"])  # same folder
        node.stop(timeout=60)
        wrapper = state.get("wrapper_pid")
        if isinstance(wrapper, int) and "rabbitmq-server" in pid_cmdline(wrapper):
            terminate_pid(wrapper, timeout=10)
        if node.epmd_pid_file.exists():
            print(f"  {self.name}: left our epmd running, other Erlang nodes still use it")

    def tidy(self) -> None:
        """Stop the epmd we started once no Erlang node uses it any more."""
        folder = super().folder()
        if (folder / "epmd.pid").exists():
            RabbitNode(folder, url_port(self.url, 5672)).stop_own_epmd()


@dataclass
class FerretComponent(Component):
    """MongoDB's wire protocol: FerretDB of our own on its SQLite backend."""

    def answers(self) -> bool:
        """Whether a MongoDB server answers ``ping`` at the configured URL."""
        return mongo_ping(self.url, timeout=2)

    def start(self, env: Mapping[str, str]) -> State:
        """Start FerretDB and wait for a ping."""
        node = FerretNode(self.folder(), url_port(self.url, 27017), ferretdb_binary())
        node.start()
        return {"pid": node.pid, "port": node.port, "binary": str(node.binary)}

    def stop(self, state: State) -> None:
        """SIGTERM, SIGKILL after a timeout."""
        FerretNode(self.folder(), int(state["port"]), Path(state["binary"])).stop()

    def env_lines(self) -> dict[str, str]:
        """MONGO_URL, and where the FerretDB program is (tests start private copies of it)."""
        lines = super().env_lines()
        with contextlib.suppress(FileNotFoundError):
            lines["JUMO_FERRETDB_BIN"] = str(ferretdb_binary())
        return lines


@dataclass
class ProcessComponent(Component):
    """Any long-running program: started in its own session, logged, tracked by a pid file.

    ``command`` and ``extra_env`` may use ``{port}`` and ``{run}`` (its folder); the child gets
    the environment plus every env line of the components before it. It counts as ready once
    ``ready_url`` (default: its URL) answers HTTP, or when ``ready_url`` is "" once the port
    accepts TCP connections.
    """

    command: list[str] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)
    contributes: dict[str, str] = field(default_factory=dict)
    ready_url: str | None = None
    start_timeout: float = 60.0

    @property
    def port(self) -> int:
        """The port of the configured URL."""
        return url_port(self.url, 80)

    def _fill(self, text: str) -> str:
        return text.format(
            port=self.port, url=self.url, run=self.folder(), repo=REPO, python=sys.executable
        )

    def answers(self) -> bool:
        """Whether it answers HTTP (or TCP) at its ready URL."""
        ready = self.url if self.ready_url is None else self.ready_url
        if ready == "":
            with (
                contextlib.suppress(OSError),
                socket.create_connection((url_host(self.url), self.port), timeout=1),
            ):
                return True
            return False
        return http_answers(self._fill(ready))

    def start(self, env: Mapping[str, str]) -> State:
        """Start the program, write its pid file, wait until it answers."""
        folder = self.folder()
        folder.mkdir(parents=True, exist_ok=True)
        child_env = {**os.environ, **env}
        child_env.update({key: self._fill(value) for key, value in self.extra_env.items()})
        log = folder / f"{self.name}.log"
        proc = spawn_logged([self._fill(arg) for arg in self.command], log, child_env, cwd=REPO)
        (folder / f"{self.name}.pid").write_text(f"{proc.pid}\n")
        if not wait_for(lambda: proc.poll() is not None or self.answers(), self.start_timeout):
            terminate_pid(proc.pid, timeout=10)
            raise SystemExit(f"{self.name} did not answer within {self.start_timeout}s; see {log}")
        if proc.poll() is not None:
            raise SystemExit(f"{self.name} exited with {proc.returncode}; see {log}")
        return {"pid": proc.pid, "cmdline": pid_cmdline(proc.pid)}

    def alive(self, state: State) -> bool:
        """Whether our pid still runs our command (a pid can be reused after a reboot)."""
        return super().alive(state) and pid_cmdline(int(state["pid"])) == state.get("cmdline")

    def stop(self, state: State) -> None:
        """SIGTERM by pid (only if the pid still runs our command), SIGKILL after a timeout."""
        pid = int(state["pid"])
        if pid_alive(pid) and pid_cmdline(pid) == state.get("cmdline"):
            terminate_pid(pid, timeout=20)
        (self.folder() / f"{self.name}.pid").unlink(missing_ok=True)

    def env_lines(self) -> dict[str, str]:
        """Its URL plus whatever it contributes."""
        lines = super().env_lines()
        lines.update({key: self._fill(value) for key, value in self.contributes.items()})
        return lines


def python_module(
    name: str,
    module: str,
    url_var: str,
    default_url: str,
    extra_env: dict[str, str] | None = None,
    contributes: dict[str, str] | None = None,
    ready_url: str | None = None,
) -> ProcessComponent:
    """A component that runs ``python -m <module>`` from the workspace's environment."""
    return ProcessComponent(
        name=name,
        url_var=url_var,
        default_url=default_url,
        command=["{python}", "-m", module],
        extra_env=extra_env or {},
        contributes=contributes or {},
        ready_url=ready_url,
    )


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
    return python_module(
        "facebook",
        "jumo_facebook.sandbox",
        "FACEBOOK_GRAPH_URL",
        DEFAULT_FACEBOOK_URL,
        extra_env={
            "FACEBOOK_SANDBOX_PORT": "{port}",
            "FACEBOOK_SANDBOX_PUBLIC_URL": "{url}",
            # As a real app should be set: a server call without appsecret_proof fails here first.
            "FACEBOOK_SANDBOX_REQUIRE_PROOF": "true",
            "FACEBOOK_SANDBOX_REDIRECT_URIS": f"{gateway_url()}/auth/facebook/callback",
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
        ready_url="{url}/healthz",
    )


def gateway() -> ProcessComponent:
    """nginx in front of the services, run in the foreground so its pid is the master's."""
    return ProcessComponent(
        name="gateway",
        url_var="GATEWAY_URL",
        default_url=DEFAULT_GATEWAY_URL,
        command=["{python}", "{repo}/deploy/gateway/jumo_gateway.py", "run", "--run-dir", "{run}"],
    )


def components() -> list[Component]:
    """Everything the stack runs, in start order (``down`` stops them in reverse)."""
    return [
        RabbitComponent("rabbitmq", "AMQP_URL", DEFAULT_AMQP_URL),
        FerretComponent("mongodb", "MONGO_URL", DEFAULT_MONGO_URL),
        facebook_sandbox(),
        identity_service(),
        gateway(),
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


def up() -> int:
    """Start what is missing, reuse what answers, write stack.env."""
    with locked():
        state = load_state()
        env: dict[str, str] = {"JUMO_RUN_DIR": str(run_dir())}
        for comp in components():
            env.update(bring_up(comp, state))
            save_state(state)
        write_env(env)
    print(f"stack up; environment in {env_file()}")
    return 0


def bring_up(comp: Component, state: dict[str, State]) -> dict[str, str]:
    """Bring up one component, updating ``state``; return its env lines."""
    entry = state.get(comp.name)
    if entry and entry.get("started") and comp.alive(entry):
        print(f"{comp.name}: ours, already running (pid {entry['pid']}) at {comp.url}")
    elif comp.answers():
        print(f"{comp.name}: using the server already at {comp.url} (not started by us)")
        state[comp.name] = {"started": False, "url": comp.url}
    else:
        comp.check_local()
        print(f"{comp.name}: starting at {comp.url} ...", flush=True)
        began = time.monotonic()
        record = comp.start({**os.environ, **comp_env_so_far(state)})
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


def down() -> int:
    """Stop what we started, newest first; forget what we merely used."""
    with locked():
        state = load_state()
        for comp in reversed(components()):
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
        for comp in components():
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
    """Print each component, who started it, and whether it answers; 1 when one does not."""
    state = load_state()
    ok = True
    for comp in components():
        entry = state.get(comp.name, {})
        answers = comp.answers()
        ok = ok and answers
        owner = "ours" if entry.get("started") else ("external" if entry else "not managed")
        pid = f" pid {entry['pid']}" if entry.get("started") else ""
        alive = "" if not entry.get("started") else (" alive" if comp.alive(entry) else " DEAD")
        print(f"{comp.name:10} {comp.url:40} {'up' if answers else 'DOWN':5} {owner}{pid}{alive}")
    return 0 if ok else 1


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


COMMANDS: dict[str, Callable[[], int]] = {"up": up, "down": down, "status": status, "clean": clean}


def main() -> int:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("command", choices=sorted(COMMANDS))
    return COMMANDS[parser.parse_args().command]()


if __name__ == "__main__":
    sys.exit(main())
