"""What every use case of orgs is built from (``app.build_orgs`` makes one, tests make theirs
on the memory stores)."""

from __future__ import annotations

from dataclasses import dataclass

from jumo_orgs.access import Access
from jumo_orgs.people import People
from jumo_orgs.settings import OrgsSettings
from jumo_orgs.store import Stores


@dataclass(frozen=True)
class Deps:
    """The settings, the stores, the people projection and the access checks."""

    settings: OrgsSettings
    stores: Stores
    people: People
    access: Access


def deps_of(settings: OrgsSettings, stores: Stores) -> Deps:
    """The deps of one orgs instance over ``stores``."""
    # matching's index of findable people keeps in step with every change of a person
    people = People(stores.people, hooks=[stores.candidates.sync])
    return Deps(settings, stores, people, Access(stores, settings.moderator_role))
