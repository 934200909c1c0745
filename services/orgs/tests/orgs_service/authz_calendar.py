"""The authorization matrix of calendar events' routes (test_calendar_authorization.py tries
it): (method, route) → the actors who may get a 2xx; everyone else is refused.

Actors: organization A's ``owner`` and ``editor``, organization B's owner (``other-owner``),
the ``volunteer`` (going to A's calendar event, with a calendar feed), ``another-volunteer``,
a ``stranger`` and ``anonymous``. A feed's secret URL is its own credential: whoever holds it
reads it (calendar apps send no token).
"""

from __future__ import annotations

ANON, STRANGER, VOLUNTEER, ANOTHER, OWNER, EDITOR, OTHER_OWNER = (
    "anonymous", "stranger", "volunteer", "another-volunteer", "owner", "editor", "other-owner",
)  # fmt: skip
SIGNED_IN = frozenset({STRANGER, VOLUNTEER, ANOTHER, OWNER, EDITOR, OTHER_OWNER})
EVERYONE = SIGNED_IN | {ANON}
EDITORS = frozenset({OWNER, EDITOR})  # editors, admins and owners of the event's organization

MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/orgs/{id}/events"): EDITORS,
    ("GET", "/orgs/{id}/events"): EVERYONE,
    ("GET", "/events/{id}"): EVERYONE,
    ("GET", "/events/{id}.ics"): EVERYONE,
    ("PATCH", "/events/{id}"): EDITORS,
    ("POST", "/events/{id}/cancel"): EDITORS,
    ("PUT", "/events/{id}/rsvp"): SIGNED_IN,
    ("DELETE", "/events/{id}/rsvp"): SIGNED_IN,  # one's own answer
    ("POST", "/users/me/calendar"): SIGNED_IN,
    ("DELETE", "/users/me/calendar"): SIGNED_IN,
    ("GET", "/calendars/{secret}.ics"): EVERYONE,  # the volunteer's secret
}
# A new feed or a revocation ends the volunteer's secret, a cancellation closes answers: last.
LAST = (
    ("POST", "/users/me/calendar"),
    ("DELETE", "/users/me/calendar"),
    ("POST", "/events/{id}/cancel"),
)
