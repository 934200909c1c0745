"""What each field of an opportunity accepts, as pydantic types, and how it is normalised. No I/O.

Skills are tags folded as search folds text (``text.fold``: case and accents), words joined
by ``-``: ``Premiers Secours`` → ``premiers-secours``, ``C++`` → ``c++``. ``skill_tag`` is the
one rule; matching folds a person's skills with it too, so ``Cuisine`` meets ``cuisine``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from functools import cache
from typing import Annotated
from zoneinfo import ZoneInfo, available_timezones

from pydantic import AfterValidator, AwareDatetime, Field

from jumo_orgs.org_fields import Causes, City, one_line, paragraphs
from jumo_orgs.registration import Country
from jumo_orgs.text import fold

MAX_TITLE = 150
MAX_DESCRIPTION = 5000
MAX_SKILLS = 20
MAX_SKILL_LENGTH = 40
MAX_QUESTIONS = 5
MAX_PREREQUISITES = 10
MAX_SLOTS = 20
MAX_PLACES = 10_000
_TAG_SEPARATORS = re.compile(r"[\s_/]+")
_TAG_ALLOWED = re.compile(r"^[a-z0-9+#.\-]+$")


def skill_tag(raw: str) -> str:
    """``"  Premiers  Secours"`` → ``"premiers-secours"``: folded, words joined by '-'."""
    folded = fold(unicodedata.normalize("NFKC", raw)).strip()
    tag = _TAG_SEPARATORS.sub("-", folded).strip("-")
    if not tag or len(tag) > MAX_SKILL_LENGTH:
        raise ValueError(f"a skill has 1 to {MAX_SKILL_LENGTH} characters")
    if not _TAG_ALLOWED.match(tag):
        raise ValueError("a skill holds letters, digits and + # . - only")
    return tag


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def time_zone(name: str) -> str:
    """An IANA time zone name (``Europe/Paris``); ``UTC`` too."""
    if name != "UTC" and name not in _zones():
        raise ValueError("must be an IANA time zone name such as 'Europe/Paris'")
    ZoneInfo(name)  # loads: a name listed but not installed fails here, not later
    return name


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def utc(value: datetime) -> datetime:
    """An aware datetime in UTC (what is stored)."""
    return value.astimezone(ZoneInfo("UTC"))


Title = Annotated[str, AfterValidator(one_line), Field(min_length=3, max_length=MAX_TITLE)]
Description = Annotated[
    str, AfterValidator(paragraphs), Field(min_length=10, max_length=MAX_DESCRIPTION)
]
Skill = Annotated[str, Field(max_length=100), AfterValidator(skill_tag)]
Skills = Annotated[list[Skill], Field(max_length=MAX_SKILLS), AfterValidator(_unique)]
TimeZone = Annotated[str, Field(max_length=64), AfterValidator(time_zone)]
Instant = Annotated[AwareDatetime, AfterValidator(utc)]
Places = Annotated[int, Field(ge=1, le=MAX_PLACES)]
Prerequisite = Annotated[str, AfterValidator(one_line), Field(min_length=1, max_length=200)]
Prerequisites = Annotated[list[Prerequisite], Field(max_length=MAX_PREREQUISITES)]
QuestionText = Annotated[str, AfterValidator(one_line), Field(min_length=3, max_length=300)]
Address = Annotated[str, AfterValidator(one_line), Field(min_length=1, max_length=200)]
MinimumAge = Annotated[int, Field(ge=0, le=99)]

__all__ = [
    "Address", "Causes", "City", "Country", "Description", "Instant", "MinimumAge", "Places",
    "Prerequisites", "QuestionText", "Skills", "TimeZone", "Title", "skill_tag", "time_zone",
]  # fmt: skip
