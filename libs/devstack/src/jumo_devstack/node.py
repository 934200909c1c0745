"""What every private server shares: a base folder, a port, a pid file, start/stop/kill/restart."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path
from types import TracebackType
from typing import Self

from jumo_devstack.processes import pid_alive, reap, wait_for


class Node:
    """A server of our own on ``port`` with its files under ``base_dir``.

    The API is synchronous: async tests call it through ``asyncio.to_thread``. ``stop()`` works
    from a fresh object built with the same arguments, because everything it needs is in
    ``base_dir``.
    """

    host = "127.0.0.1"

    def __init__(self, base_dir: Path, port: int) -> None:
        self.base_dir = Path(base_dir).resolve()
        self.port = port
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """The OS pid of the server process."""
        raise NotImplementedError

    @property
    def url(self) -> str:
        """The URL clients connect to."""
        raise NotImplementedError

    def start(self, timeout: float = 60.0) -> None:
        """Start the server and return once it answers."""
        raise NotImplementedError

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server gracefully (SIGKILL after ``timeout``)."""
        raise NotImplementedError

    def running(self) -> bool:
        """Whether our server process is alive."""
        try:
            return pid_alive(self.pid)
        except RuntimeError:
            return False

    def kill(self) -> None:
        """SIGKILL the server process, like a crash; data on disk stays for ``restart()``."""
        pid = self.pid
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not pid_alive(pid), 10.0)
        reap(self._proc)
        self._proc = None

    def restart(self, timeout: float = 60.0) -> None:
        """Start again on the same port with the same data (stopping first if still running)."""
        if self.running():
            self.stop()
        self.start(timeout)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
