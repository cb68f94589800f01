"""The segmentation vocabulary (assistant/data/segmentation.json), compiled once on first use.

Knowledge about how summaries name speakers is data; this module only turns it into
patterns. Loaded lazily (no work at import time) and cached for the process.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent.parent / "assistant" / "data" / "segmentation.json"


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True)
class Vocabulary:
    verb: re.Pattern[str]  # a reporting verb or auxiliary, optionally after modifiers, at the start of a string
    reporting_verb: re.Pattern[str]  # a reporting verb proper (no auxiliaries)
    person_title: re.Pattern[str]  # honorifics at the start of a string
    name_particles: frozenset[str]  # "de", "van der": lower-case words inside a personal name
    panel_role: re.Pattern[str]  # a mandate-holder role anywhere in a string
    state_role: re.Pattern[str]
    mandate: re.Pattern[str]  # "Special Rapporteur on …" up to the end of the noun phrase
    collective_nouns: frozenset[str]
    continuation_subjects: tuple[str, ...]
    procedural_subjects: tuple[str, ...]
    meeting_words: re.Pattern[str]  # "dialogue", "debate": a paragraph naming the meeting itself
    organisation_words: frozenset[str]
    listed: tuple[re.Pattern[str], ...]
    listed_within: tuple[re.Pattern[str], ...]  # a participant without text named inside another sentence
    absent: tuple[re.Pattern[str], ...]
    country_concerned: re.Pattern[str]
    point_of_order: re.Pattern[str]
    headers: tuple[re.Pattern[str], ...]
    page_furniture: tuple[re.Pattern[str], ...]  # running heads and footers of official documents, dropped on reading
    title_prefix: re.Pattern[str]  # a time-of-day label glued before a headline
    dateline: re.Pattern[str]
    ordinals: dict
    language_markers: dict[str, frozenset[str]]
    language_names: dict[str, str]  # ISO 639-1 code -> English name, for warnings
    presiding_officer: re.Pattern[str]  # "The President said", "The Acting Chair invited": a record's presiding officer
    affiliation_prefix: re.Pattern[str]  # "Observer for " before the entity a record's speaker speaks for
    meeting_held: re.Pattern[str]  # "Held at …": the line that dates a record's meeting
    label_heading_words: frozenset[str]  # "Remarks", "Summary": a capitalised line with one is a heading, not a speaker's label
    statement_headings: tuple[re.Pattern[str], ...]  # "Statement by the Delegation of X": a compilation's heading
    record_label_notes: tuple[re.Pattern[str], ...]  # "(spoke in French)" after a verbatim record's speaker label
    salutation: re.Pattern[str]  # "Thank you, Mr. President.": the address that opens a delivered statement
    presiding_label: re.Pattern[str]  # "The President", "The Acting Chair": a verbatim record's presiding officer
    own_group_verb: re.Pattern[str]  # "speak", "deliver": the speaker's own words just before "on behalf of"
    group_alignment: re.Pattern[str]  # "aligns itself with the statement …": another delegation's group statement


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    modifiers = _alternation(data["verb_modifiers"]["words"])
    verbs = _alternation(data["reporting_verbs"]["words"] + data["auxiliary_verbs"]["words"])
    strict = _alternation(data["reporting_verbs"]["words"])
    mandate_heads = _alternation(data["mandate_phrases"]["words"])
    return Vocabulary(
        verb=re.compile(rf"^(?:(?:{modifiers}|[a-z]+ly)\s+){{0,2}}(?:{verbs})\b"),
        reporting_verb=re.compile(rf"^(?:(?:{modifiers}|[a-z]+ly)\s+){{0,2}}(?:{strict})\b"),
        person_title=re.compile(rf"^(?:(?:{_alternation([w.rstrip('.') for w in data['person_titles']['words']])})\.?\s+)+"),
        name_particles=frozenset(data["name_particles"]["words"]),
        panel_role=re.compile(rf"\b(?:{_alternation(data['panel_roles']['words'])})\b"),
        state_role=re.compile(rf"\b(?:{_alternation(data['state_roles']['words'])})\b"),
        mandate=re.compile(rf"\b(?:{mandate_heads})\s+(?:the\s+)?[^.;:()]{{3,160}}?(?=,|\.|;|\s+\(|\s+(?:who|which|and (?:its|his|her)|as well as|held|presented|said)\b|$)"),
        collective_nouns=frozenset(w.lower() for w in data["collective_nouns"]["words"]),
        continuation_subjects=tuple(sorted(data["continuation_subjects"]["words"], key=len, reverse=True)),
        procedural_subjects=tuple(sorted(data["procedural_subjects"]["words"], key=len, reverse=True)),
        meeting_words=re.compile(rf"\b(?:{_alternation(data['meeting_words']['words'])})s?\b", re.I),
        organisation_words=frozenset(data["organisation_words"]["words"]),
        listed=tuple(re.compile(p, re.S) for p in data["listed_openings"]["patterns"]),
        listed_within=tuple(re.compile(p) for p in data["listed_within"]["patterns"]),
        absent=tuple(re.compile(p) for p in data["absent_patterns"]["patterns"]),
        country_concerned=re.compile(rf"\b(?:{_alternation(data['country_concerned_phrases']['words'])})\b", re.I),
        point_of_order=re.compile(rf"\b(?:{_alternation(data['point_of_order_phrases']['words'])})\b", re.I),
        headers=tuple(re.compile(p) for p in data["header_patterns"]["patterns"]),
        page_furniture=tuple(re.compile(p) for p in data["page_furniture"]["patterns"]),
        title_prefix=re.compile(data["title_prefix"]["pattern"]),
        dateline=re.compile(data["dateline"]["pattern"]),
        ordinals=data["ordinals"],
        language_markers={k: frozenset(v) for k, v in data["language_markers"].items() if k not in ("why", "names")},
        language_names=dict(data["language_markers"]["names"]),
        # The title alone, then a verb in lower case: "The Chair of the Working Group said" is someone else.
        presiding_officer=re.compile(rf"^The\s+(?:{_alternation(data['presiding_officers']['words'])})\s+(?!of\b)[a-z]"),
        affiliation_prefix=re.compile(rf"^(?:{_alternation(data['affiliation_prefixes']['words'])})\s+"),
        meeting_held=re.compile(data["meeting_held"]["pattern"]),
        label_heading_words=frozenset(w.lower() for w in data["label_heading_words"]["words"]),
        statement_headings=tuple(re.compile(p) for p in data["statement_headings"]["patterns"]),
        record_label_notes=tuple(re.compile(p) for p in data["record_label_notes"]["patterns"]),
        salutation=_salutation(data["salutations"], data["presiding_officers"]["words"]),
        presiding_label=re.compile(rf"^The\s+(?:{_alternation(data['presiding_officers']['words'])})$"),
        own_group_verb=re.compile(rf"\b(?:{_alternation(data['own_group_opening']['verbs'])})\b", re.I),
        group_alignment=re.compile(rf"\b(?:{_alternation(data['own_group_opening']['alignment'])})\b", re.I),
    )


def _salutation(data: dict, offices: list[str]) -> re.Pattern[str]:
    """The addresses that open a delivered statement ("Mr. President, distinguished delegates,"), after an
    opener ("Thank you,"), with their punctuation; or an opener alone ("Thank you.")."""
    titles = _alternation([w.rstrip(".") for w in data["address_titles"]])
    address = rf"(?:(?:{titles})\.?\s+(?:{_alternation(offices)})|{_alternation(data['addresses'])})"
    opener = rf"(?:{_alternation(data['openers'])})"
    return re.compile(rf"^(?:(?:{opener}\s*[,.!]?\s+)?{address}(?:\s*,\s*(?:and\s+)?{address}|\s+and\s+{address})*"
                      rf"(?:\s*[,.!:;]\s*|\s*$)|{opener}\s*[.!]\s*|{opener}\s*$)", re.I)
