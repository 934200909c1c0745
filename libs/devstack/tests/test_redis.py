"""A private Redis (RedisNode): it starts on its own port with our settings, answers PING, keeps
nothing on disk (timelines are a cache), and stops by pid — with SIGKILL when SIGTERM is not
enough."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from jumo_devstack import (
    REDIS_SETTINGS,
    RedisError,
    RedisNode,
    free_port,
    pid_alive,
    pid_cmdline,
    port_answers,
    redis_answers,
    redis_command,
    redis_config,
    redis_ping,
    redis_server_binary,
)


@pytest.fixture
def node(tmp_path: Path) -> RedisNode:
    """A node of this test's own on a free port (not started)."""
    return RedisNode(tmp_path / "redis", free_port())


def test_a_node_starts_answers_ping_and_stops_by_pid(node: RedisNode) -> None:
    node.start()
    try:
        pid = node.pid
        assert pid_alive(pid)
        assert pid_cmdline(pid).startswith(str(node.binary))  # the server itself, no wrapper
        assert redis_ping(node.host, node.port)
        assert redis_command(node.host, node.port, "SET", "jumo:test", "1") == "OK"
        assert redis_command(node.host, node.port, "GET", "jumo:test") == b"1"
        assert node.url == f"redis://127.0.0.1:{node.port}/0"
    finally:
        node.stop()
    assert not pid_alive(pid)
    assert not port_answers("127.0.0.1", node.port)
    assert not node.pid_file.exists()
    assert not redis_ping(node.host, node.port)


def test_the_running_server_has_our_settings(node: RedisNode) -> None:
    with node:
        wanted = dict(REDIS_SETTINGS)
        assert redis_config(node.host, node.port, *wanted) == wanted
        where = redis_config(node.host, node.port, "bind", "port", "dir", "daemonize", "logfile")
    assert where == {
        "bind": "127.0.0.1",
        "port": str(node.port),
        "dir": str(node.data_dir),
        "daemonize": "no",
        "logfile": str(node.log_file),
    }
    assert node.log_file.parent == node.base_dir
    assert "Ready to accept connections" in node.log_file.read_text()


def test_a_timeline_of_800_entries_stays_a_listpack(node: RedisNode) -> None:
    # zset-max-listpack-entries 1024: a capped timeline keeps Redis's compact encoding.
    with node:
        members = [arg for n in range(800) for arg in (str(n), f"activity:{n:024d}")]
        assert redis_command(node.host, node.port, "ZADD", "tl:small", *members) == 800
        assert redis_command(node.host, node.port, "OBJECT", "ENCODING", "tl:small") == b"listpack"
        members = [arg for n in range(1025) for arg in (str(n), f"activity:{n:024d}")]
        redis_command(node.host, node.port, "ZADD", "tl:large", *members)
        assert redis_command(node.host, node.port, "OBJECT", "ENCODING", "tl:large") == b"skiplist"


def test_nothing_is_kept_across_a_stop_or_a_kill(node: RedisNode) -> None:
    # The timelines are a cache rebuilt from MongoDB: no snapshot, no append-only file.
    with node:
        redis_command(node.host, node.port, "SET", "jumo:test", "1")
        node.restart()  # SIGTERM: a server with save points would write dump.rdb now
        assert redis_command(node.host, node.port, "GET", "jumo:test") is None
        redis_command(node.host, node.port, "SET", "jumo:test", "1")
        pid = node.pid
        node.kill()
        assert not pid_alive(pid)
        node.restart()
        assert redis_command(node.host, node.port, "GET", "jumo:test") is None
    assert list(node.data_dir.iterdir()) == []


def test_a_server_that_ignores_sigterm_is_killed_after_the_timeout(node: RedisNode) -> None:
    node.start()
    pid = node.pid
    os.kill(pid, signal.SIGSTOP)  # a stopped process handles no SIGTERM; SIGKILL still works
    try:
        node.stop(timeout=1.0)
    finally:
        if pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
    assert not pid_alive(pid)
    assert not port_answers("127.0.0.1", node.port)


def test_a_taken_port_is_refused(node: RedisNode) -> None:
    with node:
        other = RedisNode(node.base_dir.parent / "other", node.port)
        with pytest.raises(RuntimeError, match=f"port {node.port} is taken"):
            other.start()
        assert redis_ping(node.host, node.port)  # the first one is untouched


def test_a_redis_with_a_password_answers_but_does_not_ping(node: RedisNode) -> None:
    # The stack adopts any Redis at its URL (with a password, its services authenticate).
    with node:
        redis_command(node.host, node.port, "CONFIG", "SET", "requirepass", "secret")
        with pytest.raises(RedisError, match="NOAUTH"):
            redis_command(node.host, node.port, "GET", "jumo:test")
        assert not redis_ping(node.host, node.port)
        assert redis_answers(node.host, node.port)
    assert not redis_answers(node.host, node.port)


def test_nothing_listening_is_no_redis() -> None:
    port = free_port()
    assert not redis_ping("127.0.0.1", port)
    assert not redis_answers("127.0.0.1", port)


def test_a_missing_redis_server_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUMO_REDIS_SERVER", "/nonexistent/redis-server")
    with pytest.raises(FileNotFoundError, match="redis-server package"):
        redis_server_binary()
