"""References to speakers that do not use the speaker's name as the document writes it.

A sentence may name a state by its name ("the Russian Federation", "Russia"), its capital
("Moscow said"), its demonym ("the Russian delegation"), or a head of state or government by
title ("the President of France", "the French President"); or it may name a person by title
("President Macron"), whose country no general data can tell. Names come from
country_converter (short and official names and its matching patterns); capitals, demonyms,
titles, and the verbs and nouns that present someone as speaking from `data/speaker_references.json`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

_DATA = Path(__file__).resolve().parent / "data" / "speaker_references.json"


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    kind: Literal["name", "capital", "demonym", "title"]
    countries: frozenset[str]  # ISO3 codes the mention may stand for; empty for a person named by title
    person: str = ""  # the personal name after a title: "Macron" in "President Macron"


@dataclass(frozen=True)
class References:
    forms: dict[str, tuple[str, frozenset[str]]]  # surface form -> (kind, ISO3 codes)
    pattern: re.Pattern[str]  # any surface form, or a title and what follows it
    country_patterns: tuple[tuple[re.Pattern[str], str], ...]  # country_converter's name patterns -> ISO3
    speaking_after: re.Pattern[str]  # what follows a speaker presented as speaking: "'s delegation (…) also said"
    role_after: re.Pattern[str]  # a role noun that makes a demonym a speaker: "(French) delegation"
    voice_after: re.Pattern[str]  # a possessive that gives someone's voice: "(France)'s words"
    speaking_before: re.Pattern[str]  # what precedes a speaker presented as speaking: "according to (the)"
    framing_words: frozenset[str]  # words that only frame who speaks ("said", "delegation"), as stems

    def mentions(self, text: str) -> list[Mention]:
        """Every reference to a state or a titled person in `text`, in order, without overlaps."""
        found = []
        for match in self.pattern.finditer(text):
            if match.group("title"):
                whose = match.group("of") or match.group("person")
                if match.group("of"):
                    kind, codes = self.forms[match.group("of")]
                    found.append(Mention(match.start(), match.end(), match.group(0), "title", codes))
                elif whose and whose not in self.forms:
                    found.append(Mention(match.start(), match.end(), match.group(0), "title", frozenset(), whose))
                continue
            form = match.group("form")
            kind, codes = self.forms[form]
            found.append(Mention(match.start(), match.end(), form, kind, codes))
        return found

    def countries(self, speaker: str | None) -> frozenset[str]:
        """ISO3 codes of a speaker's name ("France", "Iran (Islamic Republic of)"); empty for non-states."""
        if not speaker:
            return frozenset()
        known = self.forms.get(speaker)
        if known and known[0] == "name":
            return known[1]
        return frozenset(code for pattern, code in self.country_patterns if pattern.search(speaker))

    def is_named(self, person: str, text: str) -> bool:
        """Whether a titled person's name ("Macron", "Tsikhanouskaya") occurs in `text`."""
        return any(re.search(rf"\b{re.escape(part)}\b", text) for part in person.split() if len(part) > 2)


@lru_cache(maxsize=1)
def references() -> References:
    """Built on first use (country_converter loads its table once)."""
    import country_converter as coco

    data = json.loads(_DATA.read_text(encoding="utf-8"))
    forms: dict[str, tuple[str, set[str]]] = {}

    def add(form: str, kind: str, code: str) -> None:
        form = " ".join(form.split())
        if len(form) < 3 or not form[0].isupper():
            return
        previous = forms.get(form)
        if previous is None or (previous[0] != "name" and kind == "name"):
            forms[form] = (kind, {code})
        elif previous[0] == kind:
            previous[1].add(code)

    country_patterns = []
    for row in _country_table(coco):
        if row["obsolete"]:
            continue
        code = row["ISO3"]
        for name in (row["name_short"], row["name_official"]):
            add(name, "name", code)
        if row["regex"]:
            country_patterns.append((re.compile(row["regex"], re.I), code))
    for code, entry in data["states"].items():
        for capital in entry["capitals"]:
            add(capital, "capital", code)
        for demonym in entry["demonyms"]:
            add(demonym, "demonym", code)
    frozen = {form: (kind, frozenset(codes)) for form, (kind, codes) in forms.items()}
    alternatives = "|".join(re.escape(f) for f in sorted(frozen, key=len, reverse=True))
    titles = "|".join(re.escape(t) for t in sorted(data["titles"], key=len, reverse=True))
    person = r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2}"
    pattern = re.compile(
        rf"(?<![\w-])(?:(?P<title>{titles})(?:\s+of\s+(?:the\s+)?(?P<of>{alternatives})(?![\w-])|\s+(?P<person>{person}))"
        rf"|(?P<form>{alternatives})(?![\w-]))"
    )
    return References(frozen, pattern, tuple(country_patterns), *_speaking_cues(data))


def _words(entries: list[str]) -> str:
    """An alternation of phrases; a trailing * matches any ending ("condemn*")."""
    return "|".join(re.escape(e[:-1]) + r"\w*" if e.endswith("*") else re.escape(e) for e in sorted(entries, key=len, reverse=True))


def _speaking_cues(data: dict) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str], frozenset[str]]:
    from assistant.text import content_words

    role = rf"(?:{_words(data['role_nouns'])})"
    speaking_after = re.compile(
        rf"^[*_]*\s*(?:['’]s?\s*)?(?:{role}\s+)?(?:\([^)]{{0,80}}\)\s*)?"
        r"(?:,[^,.;:]{1,80},\s*)?"  # an aside: ", on behalf of the EU," / ", like China,"
        r"(?:(?:also|further|furthermore|strongly|firmly|then|again|clearly|explicitly|has|have|had|was|were|is|did|does|itself|"
        r"would|will|had also|has also|deeply|fully|repeatedly|specifically|notably|likewise|similarly|however|,)\s*){0,3}"
        rf"(?:{_words(data['reporting_verbs'])})\b", re.I)
    role_after = re.compile(rf"^[*_]*\s+{role}\b", re.I)
    voice_after = re.compile(rf"^[*_]*['’]s?\s+(?:own\s+)?(?:{_words(data['voice_nouns'])})\b", re.I)
    speaking_before = re.compile(rf"(?:{_words(data['speaking_before'])})\s+(?:the\s+)?[*_\"“]*$", re.I)
    framing_words = frozenset(content_words(" ".join(data["framing_words"])))
    return speaking_after, role_after, voice_after, speaking_before, framing_words


def _country_table(coco) -> list[dict[str, str]]:
    """country_converter's own table, read as plain text: its pandas loader is not needed for names and patterns
    (and fails under pandas 3, which reads Namibia's ISO2 code "NA" as missing)."""
    import csv

    path = Path(coco.__file__).resolve().parent / "country_data.tsv"
    with path.open(encoding="utf-8", newline="") as table:
        return list(csv.DictReader(table, delimiter="\t", quoting=csv.QUOTE_NONE))
