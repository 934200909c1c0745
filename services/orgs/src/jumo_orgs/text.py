"""Text as search sees it: accent- and case-folded words, their typing prefixes, slugs. No I/O.

FerretDB has no ``$text`` index, so search matches normalised keyword arrays stored with each
document: ``terms`` (every folded word) and ``prefixes`` (every word's prefixes from
``MIN_PREFIX`` letters on), both indexed. ``Médecins`` and ``medecins`` fold alike, and
``educ`` finds ``education``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MIN_PREFIX = 3
MAX_PREFIX = 12  # longer words are found by their first 12 letters, then by the whole word
_WORD = re.compile(r"[a-z0-9]+")
# Words too common to tell documents apart; a query made only of them matches nothing by text.
STOP_WORDS = frozenset(
    {"a", "an", "and", "de", "des", "du", "et", "for", "in", "la", "le", "les", "of", "on",
     "or", "the", "to", "un", "une", "with"}
)  # fmt: skip


def fold(text: str) -> str:
    """Lower case without accents: ``Médecins Sans Frontières`` → ``medecins sans frontieres``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of ``text`` that search keeps (stop words dropped), in order, once."""
    found = (w for w in _WORD.findall(fold(text)) if w not in STOP_WORDS)
    return list(dict.fromkeys(found))


def prefixes(terms: Iterable[str]) -> list[str]:
    """Every prefix of every term from ``MIN_PREFIX`` to ``MAX_PREFIX`` letters, once."""
    out: dict[str, None] = {}
    for term in terms:
        for end in range(MIN_PREFIX, min(len(term), MAX_PREFIX) + 1):
            out[term[:end]] = None
    return list(out)


def slugify(text: str, max_length: int = 60) -> str:
    """``Water for All — Lyon`` → ``water-for-all-lyon``."""
    return "-".join(_WORD.findall(fold(text)))[:max_length].strip("-")


def initials(name: str) -> str:
    """Up to two letters that stand for a name in a logo-less card: ``Water for All`` → ``WA``."""
    significant = [w for w in re.findall(r"\w+", name) if w.casefold() not in STOP_WORDS]
    letters = "".join(w[0] for w in (significant or [name])[:2])
    return letters.upper() or "?"
