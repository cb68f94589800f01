"""Regions, HRC negotiating groups and blocs: which speakers a question's scope allows.

"Which Asian states…", "any EU members among them?", "from Latin America": a bloc named as a scope.
Membership comes from country_converter (continents, UN M49 regions, EU, G7, G20, OECD, CIS) or from
`data/hrc_groups.json` (the UN regional groups, OIC, Arab Group, Nordic-Baltic…, listed by ISO3 where
stable and public). Informal blocs have no member list: they scope statements made on their behalf.
Speakers are mapped to ISO3 with country_converter, states only (an NGO named after a country is not it).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

GROUPS_FILE = Path(__file__).resolve().parent / "data" / "hrc_groups.json"
STATE_TYPES = frozenset({"state", "country_concerned"})


@dataclass(frozen=True)
class Bloc:
    key: str
    label: str  # for display: "Asian states", "EU members"
    kind: str  # "group" (negotiating group or bloc) or "region" (geography)
    names: tuple[str, ...]  # noun forms: "Latin America", "EU", "OIC"
    adjectives: tuple[str, ...]  # "Latin American", "Asian"
    members: frozenset[str] | None  # ISO3 codes; None = membership not stable or not public


@dataclass(frozen=True)
class BlocMention:
    start: int
    end: int
    bloc: Bloc
    as_scope: bool  # "EU members", "from Asia", "Asian": a scope; "the EU" alone: a speaker or a topic


@cache
def _converter():
    import country_converter as coco
    import pandas as pd
    from country_converter.country_converter import COUNTRY_DATA_FILE

    logging.getLogger("country_converter").setLevel(logging.ERROR)  # "X not found in regex" for every non-state
    # Read the table ourselves, all text: with pandas 3, coco's own reader turns Namibia's ISO2 "NA" into a missing value.
    table = pd.read_csv(COUNTRY_DATA_FILE, sep="\t", encoding="utf-8", dtype=str, keep_default_na=False, na_values=[""])
    return coco.CountryConverter(country_data=table)


@cache
def iso3(name: str) -> str | None:
    """ISO3 code of a state named the way speakers are ("Russian Federation", "Türkiye", "Lao People's…")."""
    code = _converter().convert(name, to="ISO3", not_found=None)
    return code if isinstance(code, str) and re.fullmatch(r"[A-Z]{3}", code) else None


@cache
def _document() -> dict:
    return json.loads(GROUPS_FILE.read_text(encoding="utf-8"))


@cache
def blocs() -> tuple[Bloc, ...]:
    result = []
    for entry in _document()["groups"]:
        members = entry.get("members")
        if "coco" in entry:
            rule = entry["coco"]
            table = _converter().data
            members = table[table[rule["class"]].isin(rule["values"])]["ISO3"].tolist()
        result.append(Bloc(entry["key"], entry["label"], entry["kind"], tuple(entry["names"]), tuple(entry["adjectives"]),
                           frozenset(members) if members is not None else None))
    return tuple(result)


def _alternation(forms: Iterable[str]) -> str:
    return "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in sorted(set(forms), key=len, reverse=True))


@cache
def _patterns() -> tuple[re.Pattern, re.Pattern, dict[str, Bloc]]:
    """(name pattern, adjective pattern, lower-cased form -> bloc); acronyms match case-sensitively."""
    by_form: dict[str, Bloc] = {}
    names, adjectives = [], []
    for bloc in blocs():
        for form in bloc.names:
            by_form.setdefault(form.lower(), bloc)
            names.append(form)
        for form in bloc.adjectives:
            by_form.setdefault(form.lower(), bloc)
            adjectives.append(form)
    name_pattern = re.compile(rf"(?<![\w-])(?:{_alternation(names)})(?![\w-])", re.I)
    adjective_pattern = re.compile(rf"(?<![\w-])(?:{_alternation(adjectives)})(?![\w-])", re.I)
    return name_pattern, adjective_pattern, by_form


@cache
def _scope_context() -> tuple[re.Pattern, re.Pattern]:
    document = _document()
    nouns = _alternation(document["scope_nouns"]["words"] + ["ones", "speakers", "participants", "delegates"])
    before = _alternation(document["scope_prepositions"]["words"])
    return re.compile(rf"^(?:'s)?\s+(?:{nouns})\b", re.I), re.compile(rf"\b(?:{before})\s+(?:the\s+)?$", re.I)


def find_blocs(text: str, taken: Iterable[tuple[int, int]] = ()) -> list[BlocMention]:
    """Blocs named in `text`, longest first, outside the spans already `taken` (speaker names)."""
    name_pattern, adjective_pattern, by_form = _patterns()
    after_noun, before_word = _scope_context()
    spans = list(taken)
    found: list[BlocMention] = []
    for pattern, is_adjective in ((name_pattern, False), (adjective_pattern, True)):
        for match in pattern.finditer(text):
            form = match.group(0)
            bloc = by_form.get(" ".join(form.lower().split()))
            if bloc is None or (_acronym_case_differs(form, bloc) and not after_noun.match(text[match.end():])):
                continue  # "eu" in lower case is the EU only as a scope typed in haste: "eu members", "eu countries"
            if any(s < match.end() and match.start() < e for s, e in spans):
                continue
            scoped = is_adjective or bool(after_noun.match(" " + form.split()[-1]) or after_noun.match(text[match.end():])
                                          or before_word.search(text[:match.start()]))
            found.append(BlocMention(match.start(), match.end(), bloc, scoped))
            spans.append((match.start(), match.end()))
    return sorted(found, key=lambda m: m.start)


def _acronym_case_differs(form: str, bloc: Bloc) -> bool:
    """"EU", "OIC": acronyms count in capitals ("eu" or "cis" in lower case is not them, unless a scope noun follows)."""
    written = next((n for n in bloc.names + bloc.adjectives if n.lower() == " ".join(form.lower().split())), form)
    return written.isupper() and len(written) <= 6 and form != written


def members_among(bloc: Bloc, speakers: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """The speakers (name, speaker_type) that are states in `bloc`, in the order given."""
    if bloc.members is None:
        return ()
    return tuple(dict.fromkeys(name for name, kind in speakers if kind in STATE_TYPES and iso3(name) in bloc.members))
