"""The authorization matrix of the record's routes (test_record_authorization.py tries it):
(method, route) → the actors who may get a 2xx; everyone else is refused.

Actors: organization A's ``owner`` and ``editor``, organization B's owner (``other-owner``),
the ``volunteer`` (accepted at A's opportunity, checked in, hours recorded),
``another-volunteer`` (likewise, with a record of their own), a ``stranger`` and
``anonymous``. A volunteer cannot check themself in nor attest their own hours; an editor of
B cannot check in at A's opportunity; nobody reads another's record.
"""

from __future__ import annotations

ANON, STRANGER, VOLUNTEER, ANOTHER, OWNER, EDITOR, OTHER_OWNER = (
    "anonymous", "stranger", "volunteer", "another-volunteer", "owner", "editor", "other-owner",
)  # fmt: skip
SIGNED_IN = frozenset({STRANGER, VOLUNTEER, ANOTHER, OWNER, EDITOR, OTHER_OWNER})
EVERYONE = SIGNED_IN | {ANON}
CHECKERS = frozenset({OWNER, EDITOR})  # editors and up of the opportunity's organization

MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/.well-known/orgs-jwks.json"): EVERYONE,
    ("POST", "/applications/{id}/check-in-code"): frozenset({VOLUNTEER}),
    ("POST", "/opportunities/{id}/check-ins"): CHECKERS,
    ("GET", "/opportunities/{id}/check-ins"): CHECKERS,
    ("PUT", "/opportunities/{id}/check-ins/{check_in_id}/hours"): CHECKERS,
    ("GET", "/users/me/volunteering"): SIGNED_IN,  # one's own
    ("GET", "/users/me/volunteering/export"): SIGNED_IN,
    ("GET", "/users/me/volunteering/export.jws"): SIGNED_IN,
    ("POST", "/users/me/volunteering/{id}/dispute"): frozenset({VOLUNTEER}),
    ("POST", "/users/me/volunteering/{id}/confirm"): frozenset({VOLUNTEER}),
    ("GET", "/orgs/{id}/stats"): frozenset({OWNER}),  # admins and owners
}
# The volunteer's answers go last: once confirmed, hours no longer change.
LAST = (("POST", "/users/me/volunteering/{id}/dispute"),
        ("POST", "/users/me/volunteering/{id}/confirm"))  # fmt: skip
