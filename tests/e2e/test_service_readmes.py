"""Each service's README has the same operations sections — what it owns, publishes and
consumes, its settings and its metrics — and the parts the code knows are what the code says:
a setting, an event published or a queue's binding added without its README fails here
(``uv run --frozen python tests/e2e/service_readmes.py`` rewrites them)."""

from __future__ import annotations

import re
import urllib.request

import pytest
from e2e_processes import SystemUnderTest
from service_readmes import ROOT, SETTINGS, blocks, present, readme, render

SECTIONS = ["Owns", "Publishes", "Consumes", "Settings", "Metrics"]
# Where a service's source names a MongoDB collection.
COLLECTION_NAMES = re.compile(
    r"""db\["([a-z_]+)"\]|IndexSpec\(\s*"([a-z_]+)"|^(?:ROWS|COLLECTION)\s*=\s*"([a-z_]+)\"""",
    re.MULTILINE,
)


def section(text: str, title: str) -> str:
    """The text of one ``## title`` section."""
    match = re.search(rf"^## {title}\n(.*?)(?=^## |\Z)", text, flags=re.MULTILINE | re.DOTALL)
    assert match, f"no section {title!r}"
    return match.group(1)


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_the_generated_parts_are_what_the_code_says(service: str) -> None:
    text = readme(service).read_text()
    generated = blocks(service)
    assert present(text) == set(generated)
    assert render(text, generated) == text, (
        f"services/{service}/README.md is stale: run uv run --frozen python "
        "tests/e2e/service_readmes.py"
    )


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_every_setting_is_in_the_readme_with_its_default(service: str) -> None:
    settings = section(readme(service).read_text(), "Settings")
    model = SETTINGS[service]
    for name, field in model.model_fields.items():
        if name == "facebook":
            continue  # its FACEBOOK_* fields are rows of their own
        [row] = [line for line in settings.splitlines() if line.startswith(f"| `{name.upper()}` |")]
        if field.is_required():
            assert "**required**" in row


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_every_readme_has_the_same_sections_in_the_same_order(service: str) -> None:
    titles = re.findall(r"^## (.+)$", readme(service).read_text(), flags=re.MULTILINE)
    assert [t for t in titles if t in SECTIONS] == SECTIONS


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_every_collection_the_service_names_is_in_what_it_owns(service: str) -> None:
    owns = section(readme(service).read_text(), "Owns")
    named = set()
    for path in (ROOT / "services" / service / "src").rglob("*.py"):
        for match in COLLECTION_NAMES.finditer(path.read_text()):
            named.add(next(group for group in match.groups() if group))
    assert named, "the pattern found no collection: it is out of date"
    assert {name for name in named if f"`{name}`" not in owns} == set()


def exposed_metrics(url: str) -> set[str]:
    """The ``jumo_*`` metric families a running service's ``/metrics`` has."""
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (our own URL)
        text = response.read().decode()
    names = set(re.findall(r"^# TYPE (jumo_[a-z0-9_]+) ", text, flags=re.MULTILINE))
    return {name for name in names if not name.endswith("_created")}


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_every_metric_a_running_service_exposes_is_documented(
    service: str, system: SystemUnderTest
) -> None:
    kit = (ROOT / "deploy" / "prometheus" / "README.md").read_text()
    metrics = section(readme(service).read_text(), "Metrics")
    process = getattr(system, service)
    exposed = exposed_metrics(process.ready_url.replace("/readyz", "/metrics"))
    assert exposed, "no jumo_* metric at all"
    undocumented = {
        name
        for name in exposed
        if f"`{name}`" not in metrics and f"`{name.removesuffix('_total')}" not in kit
    }
    assert undocumented == set(), "list them in the service's README (## Metrics)"
    # and what the README names as its own is really there
    own = set(re.findall(r"^\| `(jumo_[a-z0-9_]+)` \|", metrics, flags=re.MULTILINE))
    assert own - exposed == set()
