"""Which parts of the week an opportunity takes, in the words of people's availability
(identity's profile: ``weekday_mornings`` … ``weekend_evenings``). No I/O.

A part is a kind of day (``weekday`` Monday to Friday, ``weekend`` Saturday and Sunday) and a
window of it in the opportunity's own time zone: mornings 06:00-12:00, afternoons
12:00-18:00, evenings 18:00-23:00. A one-off slot takes every part it overlaps on the days it
spans (in its time zone); a recurring pattern every part its session times overlap on its
days; an ongoing opportunity fits anyone (None). A person fits when one of their parts is one
the opportunity takes; a person who stated no availability puts no limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

WINDOWS = (("mornings", time(6), time(12)), ("afternoons", time(12), time(18)),
           ("evenings", time(18), time(23)))  # fmt: skip
WEEKEND_DAYS = frozenset({"sat", "sun"})
MAX_DAYS = 14  # a longer slot takes every part there is anyway
EVERY_PART = frozenset(
    f"{kind}_{name}" for kind in ("weekday", "weekend") for name, _, _ in WINDOWS
)


def _kind(weekday: int | str) -> str:
    weekend = weekday in WEEKEND_DAYS if isinstance(weekday, str) else weekday >= 5
    return "weekend" if weekend else "weekday"


def _overlapping(start: time, end: time) -> list[str]:
    """The windows a time range of one day overlaps (``end`` 00:00 means midnight)."""
    stop = end if end != time(0) else time(23, 59, 59)
    return [name for name, low, high in WINDOWS if start < high and stop > low]


def slot_parts(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> set[str]:
    """The parts a dated slot takes, day by day in its time zone."""
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    if end - start >= timedelta(days=MAX_DAYS):
        return set(EVERY_PART)
    parts: set[str] = set()
    day = start
    while day < end:
        midnight = datetime.combine(day.date() + timedelta(days=1), time(0), zone)
        upto = min(end, midnight)
        stop = upto.time() if upto != midnight else time(0)
        parts |= {f"{_kind(day.weekday())}_{w}" for w in _overlapping(day.time(), stop)}
        day = midnight
    return parts


def pattern_parts(days: Iterable[str], start: str, end: str) -> set[str]:
    """The parts a weekly pattern's sessions take (times ``HH:MM``)."""
    windows = _overlapping(time.fromisoformat(start), time.fromisoformat(end))
    return {f"{_kind(day)}_{w}" for day in days for w in windows}


def parts_of(found: dict[str, Any]) -> frozenset[str] | None:
    """The parts a search payload's opportunity takes (None: ongoing, fits anyone)."""
    if found["commitment"] == "ongoing":
        return None
    if found["commitment"] == "recurring" and found.get("pattern"):
        p = found["pattern"]
        return frozenset(pattern_parts(p["days"], p["start_time"], p["end_time"]))
    zone, parts = ZoneInfo(found["time_zone"]), set[str]()
    for starts, ends in found["slots"]:
        parts |= slot_parts(datetime.fromisoformat(starts), datetime.fromisoformat(ends), zone)
    return frozenset(parts)


def fits(taken: frozenset[str] | None, person: Sequence[str]) -> list[str]:
    """The person's parts the opportunity takes ([] when none; every one asked when either
    side puts no limit)."""
    if not person:
        return []
    if taken is None:
        return list(person)
    return [part for part in person if part in taken]
