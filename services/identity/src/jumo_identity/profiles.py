"""Profiles: what a profile holds, how edits are normalised, and who sees what. No I/O.

The request and response shapes built from these types (``ProfilePatch``, ``PublicProfile``,
``PrivateProfile``) live in ``schemas``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

Visibility = Literal["public", "followers", "private"]
AvailabilityPart = Literal[
    "weekday_mornings",
    "weekday_afternoons",
    "weekday_evenings",
    "weekend_mornings",
    "weekend_afternoons",
    "weekend_evenings",
]
MAX_TAGS = 30
# How far a person would go to volunteer, unless they say (PATCH /users/me radius_km).
DEFAULT_RADIUS_KM = 25
MAX_RADIUS_KM = 500
MAX_TAG_LENGTH = 40
# Fields a person can never set through the API; naming one is a 422, not a silent no-op.
PROTECTED_FIELDS = frozenset(
    {"id", "_id", "facebook_id", "email", "roles", "created_at", "updated_at",
     "last_login_at", "picture_url", "picture", "deleted"}
)  # fmt: skip

LIST_FIELDS = frozenset({"skills", "interests", "languages"})
_TAG_SEPARATORS = re.compile(r"[\s_/]+")
_TAG_ALLOWED = re.compile(r"^[\w+#.\-]+$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


def normalise_tag(raw: str) -> str:
    """``"  Data  Science"`` → ``"data-science"``: lower case, NFKC, words joined by '-'."""
    tag = _TAG_SEPARATORS.sub("-", unicodedata.normalize("NFKC", raw).strip().lower()).strip("-")
    if not tag or len(tag) > MAX_TAG_LENGTH:
        raise ValueError(f"a tag has 1 to {MAX_TAG_LENGTH} characters")
    if not _TAG_ALLOWED.match(tag):
        raise ValueError("a tag holds letters, digits and + # . - only")
    return tag


def normalise_language(raw: str) -> str:
    """A BCP 47 language tag in lower case (``pt-BR`` → ``pt-br``)."""
    tag = raw.strip().lower().replace("_", "-")
    if not _LANGUAGE.match(tag):
        raise ValueError("must be a language tag such as 'en' or 'pt-br'")
    return tag


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _no_controls(text: str) -> str:
    cleaned = text.strip()
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in cleaned):
        raise ValueError("must not contain control characters")
    return cleaned


Tag = Annotated[str, AfterValidator(normalise_tag)]
Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS), AfterValidator(_unique)]
Language = Annotated[str, AfterValidator(normalise_language)]
Languages = Annotated[list[Language], Field(max_length=20), AfterValidator(_unique)]
DisplayName = Annotated[str, AfterValidator(_no_controls), Field(min_length=1, max_length=100)]
Bio = Annotated[str, AfterValidator(_no_controls), Field(max_length=500)]
RadiusKm = Annotated[int, Field(ge=1, le=MAX_RADIUS_KM)]


# Parts of a request body: unknown fields are refused (as jumo_common.web.ApiModel does).
STRICT = ConfigDict(extra="forbid")


class Location(BaseModel):
    """Coarse location: a city and/or a point rounded to 2 decimals (about a kilometre)."""

    model_config = STRICT

    city: Annotated[str, AfterValidator(_no_controls), Field(max_length=100)] | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _coarse(self) -> Location:
        if (self.lat is None) != (self.lng is None):
            raise ValueError("lat and lng go together")
        if self.lat is not None and self.lng is not None:
            # Never keep more precision than a person's neighbourhood.
            object.__setattr__(self, "lat", round(self.lat, 2))
            object.__setattr__(self, "lng", round(self.lng, 2))
        return self


class Availability(BaseModel):
    """Which parts of the week, and how many hours a month, a person can give."""

    model_config = STRICT

    parts: Annotated[list[AvailabilityPart], AfterValidator(_unique)] = Field(
        default_factory=list, max_length=6
    )
    hours_per_month: int | None = Field(default=None, ge=0, le=744)


class User(BaseModel):
    """A user document as identity stores it (secrets are read separately)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    id: str = Field(alias="_id")
    facebook_id: str
    email: str | None = None
    display_name: str
    picture_url: str | None = None
    bio: str | None = None
    skills: list[str] = Field(default_factory=list)
    interests: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    location: Location | None = None
    availability: Availability | None = None
    visibility: Visibility = "public"
    # Matching: whether organizations may find me as a candidate (never unless I say so), and
    # how far I would go.
    findable: bool = False
    radius_km: int = DEFAULT_RADIUS_KM
    roles: list[str] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    last_login_at: datetime | None = None
    facebook_friend_ids: list[str] = Field(default_factory=list)


def may_see_full(user: User, *, viewer_id: str | None, viewer_follows: bool) -> bool:
    """The visibility rule: public to all, followers to followers, private to oneself."""
    if viewer_id == user.id or user.visibility == "public":
        return True
    return user.visibility == "followers" and viewer_follows


def changes(user: User, wanted: Mapping[str, Any]) -> dict[str, Any]:
    """The stored fields ``wanted`` really changes (empty: nothing to write or publish)."""
    current = user.model_dump(mode="python")
    return {name: value for name, value in wanted.items() if current.get(name) != value}
