"""What each field of an organization's page accepts, as pydantic types, and how it is normalised.
No I/O. The request models (``schemas.orgs``) and the CSV import (``imports``) are built of these,
so an imported organization obeys the same rules as one created through the API.

Links are stored, never fetched: orgs makes no request to a URL it is given.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from jumo_orgs import catalogue, geo
from jumo_orgs.countries import country_code
from jumo_orgs.registration import Country

MAX_CAUSES = 5
MAX_LINKS = 10
MAX_AREAS = 50
Size = Literal["1-10", "11-50", "51-200", "201-1000", "1000+"]
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


def _controls(text: str, allowed: str) -> str:
    if any(unicodedata.category(c) == "Cc" and c not in allowed for c in text):
        raise ValueError("must not contain control characters" if allowed else "must be one line")
    return text


def one_line(raw: str) -> str:
    """Trimmed, no control characters or line breaks."""
    return _controls(raw.strip(), "")


def paragraphs(raw: str) -> str:
    """Trimmed; line breaks and tabs allowed, no other control characters."""
    return _controls(raw.strip(), "\n\t")


def web_url(raw: str) -> str:
    """An absolute http(s) URL with a host; nothing else (no ``javascript:``, no ``file:``)."""
    url = raw.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL")
    if any(c.isspace() or unicodedata.category(c) == "Cc" for c in url):
        raise ValueError("must not contain spaces or control characters")
    return url


def known_cause(slug: str) -> str:
    """A slug of the cause catalogue."""
    if catalogue.cause(slug) is None:
        raise ValueError(f"unknown cause '{slug}'")
    return slug


def email(raw: str) -> str:
    """A plausible address, its domain in lower case (it is never written to from here)."""
    address = raw.strip()
    if not _EMAIL.match(address) or any(unicodedata.category(c) == "Cc" for c in address):
        raise ValueError("must be an email address")
    local, domain = address.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def language(raw: str) -> str:
    """A BCP 47 language tag in lower case (``pt-BR`` → ``pt-br``)."""
    tag = raw.strip().lower().replace("_", "-")
    if not _LANGUAGE.match(tag):
        raise ValueError("must be a language tag such as 'en' or 'pt-br'")
    return tag


def area(raw: str) -> str:
    """An area served: a two-letter country code (``fr`` → ``FR``) or a city name."""
    text = one_line(raw)
    if len(text) == 2:
        return country_code(text)
    if not 2 <= len(text) <= 100:
        raise ValueError("an area is a country code or a city name of up to 100 characters")
    return text


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


Name = Annotated[str, AfterValidator(one_line), Field(min_length=2, max_length=120)]
Slug = Annotated[str, Field(min_length=2, max_length=60, pattern=SLUG_PATTERN)]
Mission = Annotated[str, AfterValidator(one_line), Field(max_length=200)]
Description = Annotated[str, AfterValidator(paragraphs), Field(max_length=5000)]
Url = Annotated[str, Field(max_length=500), AfterValidator(web_url)]
Links = Annotated[list[Url], Field(max_length=MAX_LINKS), AfterValidator(_unique)]
CauseSlug = Annotated[str, Field(max_length=60), AfterValidator(known_cause)]
Causes = Annotated[
    list[CauseSlug], Field(min_length=1, max_length=MAX_CAUSES), AfterValidator(_unique)
]
Area = Annotated[str, Field(max_length=100), AfterValidator(area)]
Areas = Annotated[list[Area], Field(max_length=MAX_AREAS), AfterValidator(_unique)]
Email = Annotated[str, Field(max_length=254), AfterValidator(email)]
Language = Annotated[str, Field(max_length=35), AfterValidator(language)]
Languages = Annotated[list[Language], Field(max_length=20), AfterValidator(_unique)]
City = Annotated[str, AfterValidator(one_line), Field(min_length=1, max_length=100)]


class Headquarters(BaseModel):
    """Where the organization is based: a city, its country, and a point kept at 2 decimals."""

    model_config = ConfigDict(extra="forbid")

    city: City
    country: Country
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _coarse_point(self) -> Headquarters:
        if (self.lat is None) != (self.lng is None):
            raise ValueError("lat and lng go together")
        if self.lat is not None and self.lng is not None:
            object.__setattr__(self, "lat", geo.rounded(self.lat))  # about a kilometre
            object.__setattr__(self, "lng", geo.rounded(self.lng))
        return self
