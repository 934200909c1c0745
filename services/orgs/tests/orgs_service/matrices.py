"""The routes whose authorization matrix lives in their area's own test module.

The volunteering areas (opportunities, applications, calendar events, the record) need worlds
of their own (an opportunity with slots, an application, an RSVP), so each keeps its matrix in
``authz_<area>.py`` beside this file — a ``MATRIX`` dict like test_authorization's — and tests
it there. test_authorization.py checks that every route is named by its matrix or by one of
these, so no route ships unconsidered.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path


def elsewhere() -> set[tuple[str, str]]:
    """Every (method, route) an ``authz_<area>`` module's ``MATRIX`` names."""
    named: set[tuple[str, str]] = set()
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.startswith("authz_"):
            module = importlib.import_module(f"{__package__}.{info.name}")
            named |= set(module.MATRIX)
    return named
