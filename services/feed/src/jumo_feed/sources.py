"""A source's newest activities in Redis (``sa:<source>``), loaded from MongoDB when the cache
lost them: back-fill on follow, removal on unfollow and the read-time merge read them here."""

from __future__ import annotations

from jumo_common.mongo import Document
from jumo_feed.deps import Deps
from jumo_feed.model import member


def members_for(document: Document, source: str) -> tuple[int, int] | None:
    """(member, number) of a stored activity for ``source``'s followers (None: not theirs)."""
    for audience in document.get("audiences", []):
        if audience["source"] == source:
            number = int(document["number"])
            return member(number, int(audience["reason"])), number
    return None


async def source_members(deps: Deps, source: str) -> list[tuple[int, int]]:
    """(member, number) of ``source``'s newest activities, newest first."""
    found = await deps.timelines.source_members(source)
    if found is not None:
        return found
    await deps.timelines.open_source(source)  # first: an activity added meanwhile stays
    documents = await deps.store.newest_for([source], deps.settings.timeline_cap)
    pairs = [p for d in documents if (p := members_for(d, source)) is not None]
    await deps.timelines.add_to_source_list(source, dict(pairs))
    return pairs


async def add_to_source(deps: Deps, source: str, member_value: int, number: int) -> None:
    """Record a new activity of ``source`` (loading the list first when the cache lost it)."""
    if not await deps.timelines.add_to_source(source, member_value, number):
        await source_members(deps, source)  # loads from MongoDB, which has it already
