"""The authorization matrix of opportunities' routes (test_opportunities_authorization.py
tries it): (method, route) → the actors who may get a 2xx; everyone else is refused.

Actors: organization A's ``owner`` and ``editor``, organization B's owner (``other-owner``),
a ``volunteer``, ``another-volunteer``, a ``stranger`` and ``anonymous``. Routes about one
opportunity are tried on A's published one.
"""

from __future__ import annotations

ANON, STRANGER, VOLUNTEER, ANOTHER, OWNER, EDITOR, OTHER_OWNER = (
    "anonymous", "stranger", "volunteer", "another-volunteer", "owner", "editor", "other-owner",
)  # fmt: skip
SIGNED_IN = frozenset({STRANGER, VOLUNTEER, ANOTHER, OWNER, EDITOR, OTHER_OWNER})
EVERYONE = SIGNED_IN | {ANON}
WRITERS = frozenset({OWNER, EDITOR})  # editors and up of the opportunity's organization

MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/opportunities"): EVERYONE,
    ("POST", "/orgs/{id}/opportunities"): WRITERS,
    ("GET", "/orgs/{id}/opportunities"): EVERYONE,
    ("GET", "/opportunities/{id}"): EVERYONE,
    ("PATCH", "/opportunities/{id}"): WRITERS,
    ("POST", "/opportunities/{id}/publish"): WRITERS,
    ("POST", "/opportunities/{id}/pause"): WRITERS,
    ("POST", "/opportunities/{id}/resume"): WRITERS,
    ("POST", "/opportunities/{id}/close"): WRITERS,
}
# The routes that change the most go last, so each refusal meets the intact opportunity.
LAST = (("POST", "/opportunities/{id}/close"),)
