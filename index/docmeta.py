"""Facts a document states about itself, in any layout: language, session, date, mandate, header lines."""

from __future__ import annotations

import re
from collections import Counter

from index.vocabulary import vocabulary

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_MONTH = "|".join(_MONTHS)
_DATE = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH})\s+(\d{{4}})\b|\b({_MONTH})\s+(\d{{1,2}}),\s+(\d{{4}})\b")
_HRC_SESSION = re.compile(r"#?\bHRC\s?(\d{1,3})\b", re.I)
_WORDS = re.compile(r"[^\W\d_]+")
# "Human Rights Council, 62nd session": the Council's session in figures (never "the 12th session of the Forum").
_NUMERIC_SESSION = re.compile(r"\bHuman Rights Council,?\s+(\d{1,3})(?:st|nd|rd|th)\s+(?:regular\s+)?session\b(?!\s+of\b)")
# Scripts other than Latin: a summary written in them is not English whatever its words.
_SCRIPTS = (("ru", "\u0400", "\u04ff"), ("ar", "\u0600", "\u06ff"), ("zh", "\u4e00", "\u9fff"))


def language_of(text: str) -> str:
    """ISO 639-1 guess from function words (and script); "en" unless another language clearly dominates."""
    sample = text[:20000]
    letters = [c for c in sample if c.isalpha()]
    for code, low, high in _SCRIPTS:
        if letters and sum(low <= c <= high for c in letters) > 0.3 * len(letters):
            return code
    words = Counter(w.lower() for w in _WORDS.findall(sample))
    scores = {lang: sum(words[w] for w in markers) for lang, markers in vocabulary().language_markers.items()}
    best = max(scores, key=scores.get, default="en")
    if best != "en" and scores[best] > 1.5 * scores.get("en", 0) and scores[best] >= 5:
        return best
    return "en"


def session_in(text: str) -> str | None:
    """"HRC57" from "#HRC57", "HRC 57" or "fifty-seventh (regular) session"."""
    match = _HRC_SESSION.search(text)
    if match:
        return f"HRC{int(match.group(1))}"
    number = _ordinal_session(text)
    if number is None:  # "Human Rights Council, 62nd session"
        numeric = _NUMERIC_SESSION.search(text)
        number = int(numeric.group(1)) if numeric else None
    return f"HRC{number}" if number else None


def _ordinal_session(text: str) -> int | None:
    ordinals = vocabulary().ordinals
    simple = {**ordinals["units"], **ordinals["teens"], **ordinals["tens_ordinal"]}
    tens = "|".join(ordinals["tens"])
    units = "|".join(ordinals["units"])
    pattern = rf"\b(?:(?P<tens>{tens})[- ](?P<unit>{units})|(?P<simple>{'|'.join(simple)}))\s+(?:regular\s+)?session\b"
    for match in re.finditer(pattern, text, re.I):
        if re.search(r"special\s*$", text[max(0, match.start() - 12):match.start()], re.I):
            continue
        # "the twelfth session of the Forum on Minority Issues" is another body's session, not the Council's.
        if re.match(r"\s+of\s+(?:the\s+)?(?!(?:Human Rights\s+)?Council\b)[A-Z]", text[match.end():match.end() + 80]):
            continue
        if match.group("simple"):
            return simple[match.group("simple").lower()]
        return ordinals["tens"][match.group("tens").lower()] + ordinals["units"][match.group("unit").lower()]
    return None


def date_in(text: str) -> tuple[str | None, str | None]:
    """(as written, ISO) of the first full date in the text."""
    match = _DATE.search(text)
    if not match:
        return None, None
    if match.group(1):
        day, month, year = match.group(1), match.group(2), match.group(3)
    else:
        month, day, year = match.group(4), match.group(5), match.group(6)
    return match.group(0), f"{year}-{_MONTHS.index(month) + 1:02d}-{int(day):02d}"


def mandate_in(text: str) -> str | None:
    """The mandate as the document states it: "Special Rapporteur on the right to food"."""
    match = vocabulary().mandate.search(text)
    return " ".join(match.group(0).split()).rstrip(" ,") if match else None


def is_header_line(text: str) -> bool:
    """Page furniture of news and summary pages: source, date, agency lines."""
    if len(text) >= 120:
        return False
    return any(p.search(text) for p in vocabulary().headers) or dateline_length(text + " – ") == len(text) + 3


def is_page_furniture(text: str) -> bool:
    """A running head or footer of an official document (symbol, job number, correction notice): no text at all."""
    return any(p.search(text) for p in vocabulary().page_furniture)


def meeting_date_in(text: str) -> tuple[str | None, str | None]:
    """(as written, ISO) of the date an official record says its meeting was held on, or (None, None)."""
    held = vocabulary().meeting_held.search(text)
    return date_in(text[held.end():held.end() + 200]) if held else (None, None)


def dateline_length(text: str) -> int:
    """Length of a leading "GENEVA (3 April 2024) – " dateline, 0 when there is none."""
    match = vocabulary().dateline.match(text)
    return match.end() if match else 0
