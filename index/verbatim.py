"""Verbatim statements: what a compilation's statement heading or a verbatim record's speaker label says.

Compilations of delivered statements set each statement under a heading ("Statement by the Delegation of
Portugal", "Joint statement on behalf of the Nordic-Baltic countries delivered by Finland"); verbatim records
label each speech ("Mr. Otieno (Kenya): …", "Ms. Larsen (Denmark) (spoke on behalf of the Nordic-Baltic
countries): …", "The President (spoke in French): …"). Both carry first-person text that opens with an address
to the room ("Mr. President,", "Thank you, Madam President."), which is never a speaker. The vocabulary is
data (`statement_headings`, `record_label_notes`, `salutations` in assistant/data/segmentation.json); the
speaker a form names is resolved by index/labels.py like any label. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import gazetteer
from index.clauses import reporting_clause
from index.vocabulary import vocabulary


@dataclass(frozen=True)
class VerbatimForm:
    """A heading or record label read: the speaker's words as a label, and what the form adds to them."""

    raw: str  # the speaker as a label names it ("Delegation of Portugal", "Ms. Larsen (Denmark)")
    behalf: str | None = None  # the group spoken for, as written
    concerned: bool = False  # "(spoke as the country concerned)", "Statement by X as the country concerned"
    heading: bool = False  # a compilation's heading ("Statement by …"), not a record's label
    presiding: bool = False  # the presiding officer ("The President"): procedure, nobody's statement


def verbatim_form(raw: str) -> VerbatimForm | None:
    """The form of a label that is a statement heading or a verbatim record's label, or None for any other."""
    vocab = vocabulary()
    behalf, concerned, noted = None, False, False
    for pattern in vocab.record_label_notes:  # "(spoke in French)", "(spoke on behalf of …)"
        found = pattern.search(raw)
        if found is None or found.start() == 0:
            continue
        noted = True
        groups = found.groupdict()
        behalf = behalf or groups.get("behalf")
        concerned = concerned or bool(groups.get("concerned"))
        raw = (raw[:found.start()] + raw[found.end():]).strip()
    if vocab.presiding_label.match(raw):
        return VerbatimForm(raw, presiding=True)
    for pattern in vocab.statement_headings:
        heading = pattern.match(raw)
        if heading is None:
            continue
        speaker = re.sub(r"^(?:the|The)\s+", "", heading.group("speaker").strip(" ,"))
        as_concerned = re.search(r",?\s+as\s+(?:the\s+|a\s+)?(?=\S+\s+\S+$)", speaker)
        if as_concerned and vocab.country_concerned.search(speaker[as_concerned.end():]):
            speaker, concerned = speaker[:as_concerned.start()], True
        return VerbatimForm(speaker, heading.group("behalf"), concerned, heading=True)
    if noted or _titled_with_affiliation(raw):
        return VerbatimForm(raw, behalf, concerned)
    return None


def _titled_with_affiliation(raw: str) -> bool:
    """"Mr. Otieno (Kenya)": a record names a person by title, then what the person speaks for."""
    return bool(vocabulary().person_title.match(raw)) and bool(re.search(r"\S\s*\([^()]{2,150}\)$", raw))


def is_salutation(text: str) -> bool:
    """"Mr. President", "Thank you, Madam President.", "Excellencies,": an address, never a speaker."""
    found = vocabulary().salutation.match(text)
    return found is not None and found.end() == len(text)


def salutation_length(text: str) -> int:
    """Characters of the address that opens a delivered statement ("Thank you, Mr. President. ")."""
    found = vocabulary().salutation.match(text)
    return found.end() if found else 0


def group_in_opening(text: str, name: str) -> str | None:
    """The group a statement's own opening says its speaker speaks for: "Mr. President, Argentina, speaking on
    behalf of a cross-regional group of 70 countries, calls …", "I have the honour to speak on behalf of the
    Nordic-Baltic countries.", "On behalf of the African Group, …" (a group or organisation of the gazetteer), or
    None; never the group of a statement it aligns itself with."""
    body = text[salutation_length(text):]
    clause = reporting_clause(body)
    if clause is not None and not clause.collective and clause.name == name and clause.on_behalf_of:
        return clause.on_behalf_of
    first = re.split(r"(?<=[.!?])\s", body, maxsplit=1)[0]
    behalf = re.search(r"\b[Oo]n behalf of\s+", first)
    vocab = vocabulary()
    if behalf is None or vocab.group_alignment.search(first) or (
            behalf.start() > 0 and not vocab.own_group_verb.search(first[:behalf.start()])):
        return None  # "Egypt aligns itself with the statement delivered on behalf of the Arab Group": not its own
    match = gazetteer.match_at_start(re.sub(r"^the\s+", "", first[behalf.end():]), ("group", "igo"))
    return match.canonical if match and match.form != "adjective" and match.canonical != name else None
