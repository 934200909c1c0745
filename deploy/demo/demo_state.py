"""The demo's state file: demo keys → what the stack made for them (ids), and which steps are
done. It is written atomically after every phase and every few seconds within one, so an
interrupted run resumes where it stopped; every id in it is checked against the API before it
is trusted (a stack wiped since is seen, and its state started again).

Shape (JSON): ``{"app_id", "gateway", "people": {key: {fb_id, login_url, user_id, name}},
"orgs": {key: {id, slug}}, "opportunities": {key: {id, slots}}, "events": {key: id},
"posts": {key: id}, "applications": {key: {id, status}}, "done": {step: [keys]}}``.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class State:
    """What a previous run made; ``save`` writes it back."""

    path: Path
    data: dict[str, Any] = field(default_factory=dict)
    saved_at: float = 0.0

    @classmethod
    def load(cls, path: Path, app_id: str, gateway: str) -> State:
        """The state of this stack (same Facebook app and gateway), or an empty one."""
        data: dict[str, Any] = {}
        if path.exists():
            data = json.loads(path.read_text())
            if data.get("app_id") != app_id or data.get("gateway") != gateway:
                data = {}
        data.setdefault("app_id", app_id)
        data.setdefault("gateway", gateway)
        for section in ("people", "orgs", "opportunities", "events", "posts", "applications",
                        "done"):  # fmt: skip
            data.setdefault(section, {})
        return cls(path, data)

    @property
    def generation(self) -> int:
        """Which demo population this is: 1, then one more each time the sandbox forgot one."""
        return int(self.data.get("generation", 1))

    def start_over(self) -> State:
        """A new, empty population's state; this one is kept beside it, renamed."""
        generation = self.generation
        if self.path.exists():
            os.replace(self.path, self.path.with_name(f"{self.path.name}.generation-{generation}"))
        fresh = State.load(self.path, self.data["app_id"], self.data["gateway"])
        fresh.data["generation"] = generation + 1
        fresh.save()
        return fresh

    def section(self, name: str) -> dict[str, Any]:
        """One map of demo keys to records."""
        section: dict[str, Any] = self.data[name]
        return section

    def done(self, step: str) -> set[str]:
        """The keys for which ``step`` is complete (a set view; ``mark`` adds)."""
        return set(self.data["done"].get(step, []))

    def mark(self, step: str, key: str) -> None:
        """``step`` is complete for ``key``."""
        keys = self.data["done"].setdefault(step, [])
        if key not in keys:
            keys.append(key)
        self.save_soon()

    def forget(self, step: str, keys: set[str]) -> None:
        """``step`` must be done again for ``keys`` (what the API no longer shows)."""
        self.data["done"][step] = [k for k in self.data["done"].get(step, []) if k not in keys]

    def save_soon(self) -> None:
        """Save when the last save is more than 3 seconds old."""
        if time.monotonic() - self.saved_at > 3:
            self.save()

    def save(self) -> None:
        """Write atomically (a temporary file renamed over the old one)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1, sort_keys=True))
        os.replace(tmp, self.path)
        self.saved_at = time.monotonic()
