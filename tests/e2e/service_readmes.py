"""The parts of each service's README that the code already knows: what it publishes, what it
consumes (queues, event types and versions, handlers, dead-letter queues) and every setting with
its default, generated from the code so that they cannot drift.

::

    uv run --frozen python tests/e2e/service_readmes.py          # rewrite the generated blocks
    uv run --frozen python tests/e2e/service_readmes.py --check  # exit 1 when one is stale

A generated block sits between ``<!-- generated: <name> -->`` and ``<!-- end: <name> -->`` in
``services/<service>/README.md``; ``test_service_readmes.py`` fails when one is not what this
module generates now (a setting added without its README, an event published or consumed that
the README does not list). Settings come from each service's pydantic-settings model (its own
fields first, then those every service shares), their meaning from the comments above each
field in the source; publishers and consumers from ``jumo_common.events.asyncapi``'s discovery
(the constructors of event models in each service's source, and its handler map).
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from pydantic_settings import BaseSettings

from jumo_common.bus.topology import SHARED_QUEUE
from jumo_common.events.asyncapi import consumers, publishers
from jumo_common.settings import ServiceSettings
from jumo_feed.settings import FeedSettings
from jumo_identity.settings import IdentitySettings
from jumo_notifier.settings import NotifierSettings
from jumo_orgs.settings import OrgsSettings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS: dict[str, type[ServiceSettings]] = {
    "identity": IdentitySettings,
    "orgs": OrgsSettings,
    "feed": FeedSettings,
    "notifier": NotifierSettings,
}
BLOCK = re.compile(r"(<!-- generated: ([a-z]+) -->\n)(.*?)(<!-- end: \2 -->)", re.DOTALL)


def readme(service: str) -> Path:
    """The service's README."""
    return ROOT / "services" / service / "README.md"


def _field_comments(model: type[BaseSettings]) -> dict[str, str]:
    """Field name → the comment lines above it (and after it) in the source, most derived first."""
    found: dict[str, str] = {}
    for cls in model.__mro__:
        if not (isinstance(cls, type) and issubclass(cls, BaseSettings)) or cls is BaseSettings:
            continue
        lines, _ = inspect.getsourcelines(cls)
        tree = ast.parse(textwrap.dedent("".join(lines)))
        body = tree.body[0]
        assert isinstance(body, ast.ClassDef)
        for node in body.body:
            if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
                continue
            name = node.target.id
            if name in found:
                continue
            at = node.lineno - 1  # index of the field's first line within ``lines``
            above: list[str] = []
            i = at - 1
            while i >= 0 and lines[i].strip().startswith("#"):
                above.insert(0, lines[i].strip().lstrip("#").strip())
                i -= 1
            end = (node.end_lineno or node.lineno) - 1
            inline = lines[end].split("  # ", 1)[1].strip() if "  # " in lines[end] else ""
            text = " ".join([*above, inline]).strip()
            if text:
                found[name] = text
    return found


def _default(field: Any) -> str:
    if field.is_required():
        return "**required**"
    value = field.get_default(call_default_factory=True)
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if value is None:
        return "none"
    if value == "":
        return "empty"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(f"`{v}`" for v in value) or "empty"
    return f"`{value}`"


def _rows(model: type[BaseSettings], prefix: str = "") -> Iterator[tuple[str, str, str]]:
    comments = _field_comments(model)
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseSettings):
            nested_prefix = str(annotation.model_config.get("env_prefix", "")).upper()
            yield from _rows(annotation, nested_prefix)
            continue
        meaning = comments.get(name, "").replace("|", "\\|")
        yield f"`{prefix}{name.upper()}`", _default(field), meaning


def settings_block(service: str) -> str:
    """Every setting of the service: its own (and its Facebook ones), then the shared ones."""
    model = SETTINGS[service]
    shared = set(ServiceSettings.model_fields)
    own_names = {n for n in model.model_fields if n not in shared or n in vars(model).get(
        "__annotations__", {})}  # fmt: skip
    rows = list(_rows(model))
    own = [r for r, n in zip(rows, _flat_names(model), strict=True) if n in own_names]
    rest = [r for r, n in zip(rows, _flat_names(model), strict=True) if n not in own_names]
    out = [f"Generated from `{model.__module__}.{model.__name__}`: each is an environment "
           "variable (case-insensitive); the meaning is the comment above the field.", "",
           "| variable | default | meaning |", "|---|---|---|"]  # fmt: skip
    out += [f"| {v} | {d} | {m} |" for v, d, m in own]
    out += ["", "Shared by every service (`jumo_common.settings.ServiceSettings`):", "",
            "| variable | default | meaning |", "|---|---|---|"]  # fmt: skip
    out += [f"| {v} | {d} | {m} |" for v, d, m in rest]
    return "\n".join(out) + "\n"


def _flat_names(model: type[BaseSettings]) -> list[str]:
    """The top-level field each row of ``_rows`` comes from."""
    names = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseSettings):
            names += [name] * len(annotation.model_fields)
        else:
            names.append(name)
    return names


def publishes_block(service: str, published: dict[str, list[str]]) -> str:
    """The routing keys the service's source makes events of."""
    keys = [key for key, services in published.items() if service in services]
    if not keys:
        return "Nothing: this service publishes no event.\n"
    listed = ", ".join(f"`{key}`" for key in keys)
    return f"To the topic exchange `jumo.events`, routing key `<type>.v<version>`: {listed}.\n"


def consumes_block(service: str, consumed: dict[str, list[Any]]) -> str:
    """The service's queues: what each binds, which handler takes it, its dead-letter queue."""
    queues: dict[str, list[tuple[str, str]]] = {}
    for key, consumptions in consumed.items():
        for c in consumptions:
            if c.service == service:
                queues.setdefault(c.queue, []).append((key, c.handler))
    if not queues:
        return "Nothing: this service has no queue (no dead letters either).\n"
    out = ["| queue (dead letters in `<queue>.dead`) | binds (handler) |", "|---|---|"]
    shared = f"{service}.{SHARED_QUEUE}"
    for queue in sorted(queues, key=lambda q: (q != shared, q)):
        short = queue.split(".", 1)[1]
        cells = ", ".join(
            f"`{key}`" + ("" if handler == short else f" ({handler})")
            for key, handler in sorted(queues[queue])
        )
        out.append(f"| `{queue}` | {cells} |")
    out += ["", f"Dead letters, with their reasons: `uv run --frozen python -m "
            f"jumo_common.bus.deadletters list {service}`; after a fix, `... replay {service} "
            "<event id> ...` or `--all` (`docs/operations.md`).", ""]  # fmt: skip
    return "\n".join(out)


def blocks(service: str) -> dict[str, str]:
    """Every generated block of one README, by name."""
    return {
        "publishes": publishes_block(service, publishers()),
        "consumes": consumes_block(service, consumers()),
        "settings": settings_block(service),
    }


def render(text: str, generated: dict[str, str]) -> str:
    """``text`` with each generated block replaced by its current content."""
    return BLOCK.sub(lambda m: f"{m[1]}{generated.get(m[2], m[3])}{m[4]}", text)


def present(text: str) -> set[str]:
    """The names of the generated blocks a README has."""
    return {m[2] for m in BLOCK.finditer(text)}


def main(argv: list[str]) -> int:
    """Rewrite (or with ``--check``, compare) every service README's generated blocks."""
    stale = []
    for service in SETTINGS:
        path = readme(service)
        text = path.read_text()
        new = render(text, blocks(service))
        if new != text:
            stale.append(str(path.relative_to(ROOT)))
            if "--check" not in argv:
                path.write_text(new)
    if stale:
        print(("stale: " if "--check" in argv else "rewrote: ") + ", ".join(stale))
    return 1 if stale and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
