"""The card of an organization that other services render: name, slug, initials, a colour."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from jumo_common.events.orgs import OrgCard
from jumo_orgs.text import initials

# Colours a logo-less card picks from, by the organization's id: stable, and readable with
# white initials (contrast of at least 4.5:1 against #ffffff).
PALETTE = ("#1f6f8b", "#2e7d32", "#6a1b9a", "#ad1457", "#c62828", "#4e342e", "#283593", "#00695c")


def colour_of(org_id: str) -> str:
    """The card colour of an organization (the same everywhere, forever)."""
    digest = hashlib.sha256(org_id.encode()).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def card(org: Mapping[str, Any]) -> OrgCard:
    """The card of a stored organization document."""
    return OrgCard(
        org_id=org["_id"],
        slug=org["slug"],
        name=org["name"],
        initials=initials(org["name"]),
        colour=colour_of(org["_id"]),
        verified=org.get("status") == "verified",
    )
