"""curl with a cookie jar: the end-to-end tests drive Jumo exactly as docs/walkthrough.md does."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CURL_HINT = "curl is needed for the end-to-end tests: apt-get install curl"


@dataclass(frozen=True)
class Answer:
    """One HTTP answer as curl saw it (the last one, when redirects were followed)."""

    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)

    @property
    def location(self) -> str:
        """Where a redirect points."""
        return self.headers["location"]


def _last_headers(dump: str) -> dict[str, str]:
    """Headers of the last response in curl's -D dump (one block per redirect hop)."""
    blocks = [b for b in dump.replace("\r\n", "\n").split("\n\n") if b.strip()]
    headers: dict[str, str] = {}
    for line in blocks[-1].splitlines()[1:] if blocks else []:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return headers


class Curl:
    """A person's terminal: every call is one curl command sharing one cookie jar.

    Each command runs in ``folder`` (cookie jar, headers, body), never in the clone.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.jar = folder / "cookies.txt"
        self.executable = shutil.which("curl")
        if self.executable is None:
            raise AssertionError(CURL_HINT)
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, *args: str) -> Answer:
        """``curl -sS -b jar -c jar <args>``; the status, headers and body of the answer."""
        head, body = self.folder / "headers.txt", self.folder / "body.bin"
        command = [str(self.executable), "-sS", "-b", str(self.jar), "-c", str(self.jar)]
        command += ["-D", str(head), "-o", str(body), "-w", "%{http_code}", *args]
        # From its own folder, as docs/walkthrough.md works in a folder of its own.
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=self.folder)
        if done.returncode != 0:
            raise AssertionError(f"curl {' '.join(args)} failed: {done.stderr.strip()}")
        return Answer(int(done.stdout), _last_headers(head.read_text()), body.read_bytes())
