"""Every problem ``type`` the platform can answer with is listed in docs/api/guide.md, once.

The code is read, not run: each service's and library's source (``ast``) and the gateway's
config template. A problem's slug comes from one of these, and nothing else:

- ``slug = "…"`` on a domain error (a subclass of ``DomainError`` or ``ProblemError``);
- ``type_suffix="…"`` where a problem is raised, or ``problem_type("…")``;
- a literal ``https://jumo.example/problems/…`` (the gateway's own answers);
- a status without a slug of its own: ``status_slug`` of any status ``jumo_common.web.problems``
  titles (the error middleware turns any HTTP error into one of those).

A slug made at run time (an f-string, a variable other than the pass-throughs below) fails the
test too: it could be anything, so the docs could not list it.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from pathlib import Path

from jumo_common.web.problems import _TITLES, PROBLEM_TYPE_BASE, status_slug

ROOT = Path(__file__).resolve().parents[3]
GUIDE = ROOT / "docs" / "api" / "guide.md"
GATEWAY_TEMPLATE = ROOT / "deploy" / "gateway" / "templates" / "gateway.conf.template"
ERROR_BASES = {"DomainError", "ProblemError"}
# ``type_suffix=`` values that only pass a slug on: the problem classes' own parameter, and the
# middleware answering a DomainError with its ``slug`` (collected from the class itself), and
# ProblemError making its ``type`` of either (the status slugs are collected below).
PASS_THROUGHS = {"type_suffix", "exc.slug", "type_suffix or status_slug(self.status_code)"}
_ROW = re.compile(r"^\| `([a-z0-9-]+)` \|")
_LITERAL = re.compile(re.escape(PROBLEM_TYPE_BASE) + r"([a-z0-9-]+)")


def _sources() -> Iterator[Path]:
    for group in ("libs", "services"):
        yield from sorted((ROOT / group).glob("*/src/**/*.py"))


def _trees() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(), str(path))) for path in _sources()]


def _error_classes(trees: list[tuple[Path, ast.Module]]) -> set[str]:
    bases: dict[str, set[str]] = {}
    for _, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                names = {ast.unparse(b).split(".")[-1] for b in node.bases}
                bases.setdefault(node.name, set()).update(names)
    errors = set(ERROR_BASES)
    grew = True
    while grew:
        grew = False
        for name, parents in bases.items():
            if name not in errors and parents & errors:
                errors.add(name)
                grew = True
    return errors


@functools.cache
def code_slugs() -> tuple[dict[str, str], list[str]]:
    """Slug → where it is used first; and the places whose slug is not a literal."""
    trees = _trees()
    errors = _error_classes(trees)
    found: dict[str, str] = {}
    unknown: list[str] = []

    def add(slug: object, where: str) -> None:
        if isinstance(slug, str):
            found.setdefault(slug, where)
        else:
            unknown.append(where)

    for path, tree in trees:
        rel = path.relative_to(ROOT)
        for node in ast.walk(tree):
            where = f"{rel}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.ClassDef) and node.name in errors:
                for statement in node.body:
                    if isinstance(statement, ast.Assign):
                        targets, value = statement.targets, statement.value
                    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                        targets, value = [statement.target], statement.value
                    else:
                        continue
                    if any(isinstance(t, ast.Name) and t.id == "slug" for t in targets):
                        add(value.value if isinstance(value, ast.Constant) else None, where)
            elif isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg != "type_suffix":
                        continue
                    if isinstance(keyword.value, ast.Constant):
                        add(keyword.value.value, where)
                    elif ast.unparse(keyword.value) not in PASS_THROUGHS:
                        unknown.append(where)
                if ast.unparse(node.func).split(".")[-1] == "problem_type" and node.args:
                    arg = node.args[0]
                    if isinstance(arg, ast.Constant):
                        add(arg.value, where)
                    elif ast.unparse(arg) not in PASS_THROUGHS:
                        unknown.append(where)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                for slug in _LITERAL.findall(node.value):
                    add(slug, where)
    for slug in _LITERAL.findall(GATEWAY_TEMPLATE.read_text()):
        add(slug, str(GATEWAY_TEMPLATE.relative_to(ROOT)))
    for status in _TITLES:
        add(status_slug(status), f"jumo_common.web.problems: status {status}")
    return found, unknown


def documented() -> list[str]:
    """The slugs the guide's error tables list, in order (repeats included)."""
    text = GUIDE.read_text()
    errors = text[text.index("\n## Errors") :]
    errors = errors[: errors.find("\n## ", 1)]
    return [m.group(1) for line in errors.splitlines() if (m := _ROW.match(line))]


def test_every_problem_type_in_the_code_is_documented() -> None:
    found, _ = code_slugs()
    missing = {slug: where for slug, where in found.items() if slug not in set(documented())}
    assert not missing, f"problem types missing from docs/api/guide.md's Errors: {missing}"


def test_every_problem_slug_in_the_code_is_a_literal() -> None:
    _, unknown = code_slugs()
    assert not unknown, f"problem slugs made at run time (the docs cannot list them): {unknown}"


def test_the_guide_lists_each_type_once_and_only_real_ones() -> None:
    listed = documented()
    assert len(listed) > 50, "the guide's problem tables were not found"
    twice = sorted({slug for slug in listed if listed.count(slug) > 1})
    assert not twice, f"listed twice: {twice}"
    found, _ = code_slugs()
    stale = sorted(set(listed) - set(found))
    assert not stale, f"documented problem types no code answers with: {stale}"


def test_the_scan_sees_each_kind_of_source() -> None:
    # One of each, so that a scan that silently stopped seeing a kind fails here.
    found, _ = code_slugs()
    assert "user-not-found" in found  # identity's DomainError subclass
    assert "invalid-cursor" in found  # type_suffix= in jumo_common's middleware
    assert "http-version-not-supported" in found  # the gateway's literal (status 505)
    assert "unauthorized" in found  # a status without a slug of its own
