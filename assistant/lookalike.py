"""Look-alike characters: what a typed name looks like, not which code points it uses.

"Frаnce" with a Cyrillic а, "Ger\u00admany" with a soft hyphen, "Fra\u200dnce" with a zero-width joiner must all
be France. NFKC folds compatibility forms (full-width, mathematical letters, ligatures); invisible format
characters (Unicode category Cf: soft hyphen, ZWSP/ZWJ/ZWNJ, BOM, bidi marks) are dropped; and letters that
Unicode's confusables data (shipped by the confusable-homoglyphs package) lists as look-alikes of a Latin
letter or digit are replaced by it, inside words that are written mostly in Latin or only in look-alikes,
so real Cyrillic or Greek words are left alone.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from importlib import resources

_WORD = re.compile(r"\w+", re.UNICODE)
_QUOTES = str.maketrans({"’": "'", "‘": "'", "‛": "'", "`": "'", "´": "'", "“": '"', "”": '"', "„": '"'})


@cache
def _latin_lookalikes() -> dict[str, str]:
    """Non-ASCII character -> the ASCII letter or digit it is confusable with (Unicode confusables data)."""
    data = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text(encoding="utf-8"))
    mapping: dict[str, str] = {}
    for ascii_char in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789":
        for homoglyph in data.get(ascii_char, ()):
            char = homoglyph["c"]
            if len(char) == 1 and ord(char) > 127 and unicodedata.category(char).startswith("L"):
                mapping.setdefault(char, ascii_char)
    return mapping


def _fold_word(match: re.Match) -> str:
    word = match.group(0)
    if word.isascii():
        return word
    lookalikes = _latin_lookalikes()
    latin = sum(ch.isascii() for ch in word)
    confusable = sum(ch in lookalikes for ch in word)
    if latin and confusable or confusable == len(word):
        return "".join(lookalikes.get(ch, ch) for ch in word)
    return word


def clean(text: str) -> str:
    """NFKC, invisible characters dropped, Latin look-alikes folded to Latin, quotes straightened."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return _WORD.sub(_fold_word, text).translate(_QUOTES)


def fold(text: str) -> str:
    """`clean`, then lower case without accents, one character for one: the form in which names typed
    loosely are compared (positions in `fold(t)` are positions in `clean(t)`)."""
    return "".join(_fold_char(ch) for ch in clean(text))


@cache
def _fold_char(ch: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).lower()
    return bare if len(bare) == 1 else (ch.lower() if len(ch.lower()) == 1 else ch)


def edits(a: str, b: str, most: int) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count once) of two strings, or `most + 1`
    as soon as it must exceed `most`: "Zimbabwae" is one edit from "Zimbabwe", "Lichtenstein" one from
    "Liechtenstein"."""
    if abs(len(a) - len(b)) > most:
        return most + 1
    before: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if before is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > most:
            return most + 1
        before, previous = previous, current
    return previous[-1]
