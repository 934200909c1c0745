"""Plain text as people write it in posts, reviews and answers: checked, normalised, excerpted.

No HTML and no markup: what is stored is what was written (line breaks kept, ``\\r\\n`` made
``\\n``), and clients show it as text. Links stay text too: nothing here fetches or rewrites
them. Control characters (other than line breaks and tabs in a body) are refused, and so are
lone surrogates, which JSON can carry but no database can store. No I/O.
"""

from __future__ import annotations

import re
import unicodedata

EXCERPT_LENGTH = 280
# An excerpt cut further back than this share of its length cuts inside a word instead.
_WORD_CUT_SHARE = 0.6
_SPACES = re.compile(r"\s+")
_BODY_CONTROLS = frozenset("\n\t")


def _refused(char: str, allowed: frozenset[str]) -> bool:
    return char not in allowed and unicodedata.category(char) in ("Cc", "Cs")


def checked(text: str, *, multiline: bool) -> str:
    """``text`` stripped, with ``\\n`` line breaks; ValueError for control characters, for a
    line break in a one-line text, and for text that is only blanks."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    allowed = _BODY_CONTROLS if multiline else frozenset()
    if any(_refused(c, allowed) for c in normalised):
        what = (
            "control characters other than line breaks and tabs"
            if multiline
            else ("line breaks or control characters")
        )
        raise ValueError(f"must not contain {what}")
    if not normalised:
        raise ValueError("must not be blank")
    return normalised


def one_line(text: str) -> str:
    """A title: one line of text (pydantic validator)."""
    return checked(text, multiline=False)


def paragraphs(text: str) -> str:
    """A body: lines of text (pydantic validator)."""
    return checked(text, multiline=True)


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    """At most ``length`` characters of ``text`` on one line, cut between words, ending with an
    ellipsis when something was cut: what a feed shows before "read more"."""
    flat = _SPACES.sub(" ", text).strip()
    if len(flat) <= length:
        return flat
    cut = flat[: length - 1]  # room for the ellipsis
    space = cut.rfind(" ")
    if flat[length - 1] != " " and space >= length * _WORD_CUT_SHARE:  # a word was cut
        cut = cut[:space]
    return cut.rstrip(" .,;:-") + "…"
