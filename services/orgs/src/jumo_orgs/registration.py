"""An organization's registration: country, kind and number, validated per known kind. No I/O.

Known kinds and what their numbers look like (stored normalised: spaces dropped, upper case)::

    us-ein       US   Employer Identification Number, NN-NNNNNNN (nine digits accepted too)
    fr-rna       FR   Répertoire national des associations, W and 9 digits
    fr-siren     FR   SIREN, 9 digits with a Luhn check digit
    fr-siret     FR   SIRET (SIREN + establishment), 14 digits with a Luhn check digit
    uk-charity   GB   Charity Commission register number, 6 to 8 digits

Any other kind (``de-vr``, ``other``…) is free-form but bounded: 1 to 40 letters, digits,
spaces, ``-``, ``.`` and ``/``. Numbers are never looked up anywhere: a moderator does that.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from jumo_orgs.countries import country_code

# La Poste's establishments share one SIREN whose SIRETs follow their own rule (see below),
# except its head office's, which passes Luhn like any other.
LA_POSTE_SIREN = "356000000"
LA_POSTE_HEAD_OFFICE = "35600000000048"
_FREE_FORM = re.compile(r"^[A-Z0-9][A-Z0-9 ./-]{0,39}$")
_SEPARATORS = re.compile(r"[\s.]+")


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check (SIREN, SIRET, card numbers)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _digits(number: str, length: int, what: str) -> str:
    compact = _SEPARATORS.sub("", number)
    if not (compact.isascii() and compact.isdigit() and len(compact) == length):
        raise ValueError(f"a {what} is {length} digits")
    return compact


def us_ein(number: str) -> str:
    """``12-3456789`` (or ``123456789``) → ``12-3456789``."""
    compact = number.strip().replace(" ", "")
    if re.fullmatch(r"\d{2}-?\d{7}", compact, flags=re.ASCII) is None:
        raise ValueError("a US EIN is NN-NNNNNNN (nine digits)")
    digits = compact.replace("-", "")
    return f"{digits[:2]}-{digits[2:]}"


def fr_rna(number: str) -> str:
    """``w751234567`` → ``W751234567``."""
    compact = _SEPARATORS.sub("", number).upper()
    if re.fullmatch(r"W\d{9}", compact, flags=re.ASCII) is None:
        raise ValueError("a French RNA number is W followed by 9 digits")
    return compact


def fr_siren(number: str) -> str:
    """A SIREN: 9 digits whose last is a Luhn check digit."""
    digits = _digits(number, 9, "SIREN")
    if not luhn_valid(digits):
        raise ValueError("this SIREN's check digit is wrong")
    return digits


def fr_siret(number: str) -> str:
    """A SIRET: 14 digits with a Luhn check digit; La Poste's establishments' (SIREN 356000000,
    head office aside) instead have a digit sum that is a multiple of 5."""
    digits = _digits(number, 14, "SIRET")
    la_poste = digits.startswith(LA_POSTE_SIREN) and digits != LA_POSTE_HEAD_OFFICE
    valid = sum(map(int, digits)) % 5 == 0 if la_poste else luhn_valid(digits)
    if not valid:
        raise ValueError("this SIRET's check digit is wrong")
    return digits


def uk_charity(number: str) -> str:
    """A charity register number in England and Wales: 6 to 8 digits."""
    compact = _SEPARATORS.sub("", number)
    if re.fullmatch(r"\d{6,8}", compact, flags=re.ASCII) is None:
        raise ValueError("a UK charity number is 6 to 8 digits")
    return compact


def free_form(number: str) -> str:
    """Any other kind's number, bounded: 1 to 40 of letters, digits, space, ``-``, ``.``, ``/``."""
    compact = " ".join(number.split()).upper()
    if _FREE_FORM.match(compact) is None:
        raise ValueError("a registration number is 1 to 40 letters, digits, spaces, '-', '.', '/'")
    return compact


# kind -> (the country it belongs to, its number's normaliser)
KNOWN_KINDS: dict[str, tuple[str, Callable[[str], str]]] = {
    "us-ein": ("US", us_ein),
    "fr-rna": ("FR", fr_rna),
    "fr-siren": ("FR", fr_siren),
    "fr-siret": ("FR", fr_siret),
    "uk-charity": ("GB", uk_charity),
}

Country = Annotated[str, AfterValidator(country_code)]
Kind = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,29}$")]


class Registration(BaseModel):
    """Where and how an organization is registered; the number is normalised for its kind."""

    model_config = ConfigDict(extra="forbid")

    country: Country
    kind: Kind
    number: Annotated[str, Field(min_length=1, max_length=60)]

    @model_validator(mode="after")
    def _valid_for_its_kind(self) -> Registration:
        country, normalise = KNOWN_KINDS.get(self.kind, (self.country, free_form))
        if country != self.country:
            raise ValueError(f"a {self.kind} registration is in country {country}")
        object.__setattr__(self, "number", normalise(self.number))
        return self
