"""The authorization matrix of matching's routes (test_matching_authorization.py tries it):
(method, route) → the actors who may get a 2xx; everyone else is refused.

Actors: organization A's ``owner`` and ``editor``, organization B's owner (``other-owner``),
the findable ``volunteer`` (invited to two of A's opportunities: the invitations the accept and
decline routes are tried on), the findable ``another-volunteer`` (whom the invite route
invites), a ``stranger`` (not findable) and ``anonymous``. Only A's admins and owners list
candidates and invite (editors do not: whom to ask is a decision, like answering applications).
"""

from __future__ import annotations

ANON, STRANGER, VOLUNTEER, ANOTHER, OWNER, EDITOR, OTHER_OWNER = (
    "anonymous", "stranger", "volunteer", "another-volunteer", "owner", "editor", "other-owner",
)  # fmt: skip
SIGNED_IN = frozenset({STRANGER, VOLUNTEER, ANOTHER, OWNER, EDITOR, OTHER_OWNER})
EVERYONE = SIGNED_IN | {ANON}
ADMINS = frozenset({OWNER})  # admins and owners of the opportunity's organization

MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/opportunities/recommended"): SIGNED_IN,  # one's own
    ("GET", "/opportunities/invitations"): SIGNED_IN,  # one's own
    ("POST", "/opportunities/invitations/{id}/accept"): frozenset({VOLUNTEER}),
    ("POST", "/opportunities/invitations/{id}/decline"): frozenset({VOLUNTEER}),
    ("GET", "/opportunities/{id}/candidates"): ADMINS,
    ("POST", "/opportunities/{id}/invitations"): ADMINS,
}
