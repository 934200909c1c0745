"""The authorization matrix of applications' routes (test_applications_authorization.py tries
it): (method, route) → the actors who may get a 2xx; everyone else is refused.

Actors: organization A's ``owner`` and ``editor``, organization B's owner (``other-owner``),
the ``volunteer`` whose applications (to A's opportunity) the routes are tried on,
``another-volunteer``, a ``stranger`` and ``anonymous``. Editors neither read nor answer
applications (volunteers' personal answers are for those who decide: admins and owners).
"""

from __future__ import annotations

ANON, STRANGER, VOLUNTEER, ANOTHER, OWNER, EDITOR, OTHER_OWNER = (
    "anonymous", "stranger", "volunteer", "another-volunteer", "owner", "editor", "other-owner",
)  # fmt: skip
SIGNED_IN = frozenset({STRANGER, VOLUNTEER, ANOTHER, OWNER, EDITOR, OTHER_OWNER})
EVERYONE = SIGNED_IN | {ANON}
ADMINS = frozenset({OWNER})  # admins and owners of the application's organization

MATRIX: dict[tuple[str, str], frozenset[str]] = {
    # Anyone signed in but its own people; the volunteer applied to that slot already (409).
    ("POST", "/opportunities/{id}/applications"): frozenset({STRANGER, ANOTHER, OTHER_OWNER}),
    ("GET", "/applications"): SIGNED_IN,  # one's own
    ("GET", "/orgs/{id}/applications"): ADMINS,
    ("GET", "/applications/{id}"): ADMINS | {VOLUNTEER},
    ("POST", "/applications/{id}/accept"): ADMINS,
    ("POST", "/applications/{id}/decline"): ADMINS,
    ("POST", "/applications/{id}/waitlist"): ADMINS,
    ("POST", "/applications/{id}/cancel"): ADMINS,
    ("POST", "/applications/{id}/withdraw"): frozenset({VOLUNTEER}),
}
# Cancelling frees the waitlisting route's place: it goes after it.
LAST = (("POST", "/applications/{id}/cancel"),)
