"""Participants named without a statement: "Speaking were A, B and C" lists and absences."""

from __future__ import annotations

import re

from assistant import gazetteer
from index.clauses import group_name
from index.vocabulary import vocabulary

_BEHALF = re.compile(r"\s+(?:speaking\s+)?on behalf of\s+.+$", re.I)


def absent_in(text: str) -> str | None:
    """The delegation a paragraph says was not present ("X was not present in the room"), or None."""
    if len(text) > 400:
        return None
    for pattern in vocabulary().absent:
        match = pattern.match(text)
        if match and _is_name(match.group("name")):
            return _resolve(match.group("name"))
    return None


def _is_name(raw: str) -> bool:
    """A proper name, not a clause: capitalised words (and connectors), at most ten."""
    words = re.sub(r"^the\s+", "", raw.strip(), flags=re.I).split()
    return 0 < len(words) <= 10 and words[0][0].isupper() and all(
        w[0].isupper() or w.lower() in ("of", "the", "and", "for", "de", "du", "des", "la", "le") for w in words)


def listed_in(text: str) -> tuple[tuple[str, str | None], ...] | None:
    """(name, on behalf of) for each participant of a "Speaking were …" list, or None."""
    for pattern in vocabulary().listed:
        match = pattern.match(text.strip())
        if match:
            names = _split(match.group("names"))
            # A name never holds a reporting verb: "Mr. Hazan spoke about the visit to Cyprus and Cyprus"
            # is a sentence about a speaker, not a list of participants.
            if any(vocabulary().reporting_verb.match(w) for n, _ in names for w in n.split() if w.islower()):
                return None
            return tuple(names) if names else None
    return None


def listed_within(text: str) -> list[tuple[str, str | None]]:
    """Known participants named inside a sentence without text of their own ("… and Cyprus spoke as a country concerned")."""
    found = []
    for pattern in vocabulary().listed_within:
        for match in pattern.finditer(text):
            known = gazetteer.canonical_name(re.sub(r"^the\s+", "", match.group("name").strip(), flags=re.I))
            if known:
                found.append((known[0], None))
    return found


def _split(raw: str) -> list[tuple[str, str | None]]:
    raw = raw.strip().rstrip(".")
    parts = [p.strip() for p in re.split(r",|;", raw) if p.strip()]
    if parts:
        # "… Portugal and Paraguay": the last item joins two names; an organisation named "A and B" stays whole
        # unless both halves are names the resolver knows.
        last = re.sub(r"^and\s+", "", parts.pop())
        halves = re.split(r"\s+and\s+", last)
        if len(halves) == 2 and all(gazetteer.canonical_name(_BEHALF.sub("", h)) for h in halves):
            parts.extend(halves)
        else:
            parts.append(last)
    out = []
    for part in parts:
        part = re.sub(r"^and\s+", "", part)
        part = re.sub(r"^(?:the\s+)?(?:delegations?|representatives?)\s+of\s+", "", part, flags=re.I)  # "the delegations of Tunisia"
        words = _BEHALF.sub("", part).split()
        if words and words[0].lower() in ("the", "a", "an") and sum(w.islower() for w in words) > len(words) / 2:
            continue  # an apposition describing the name before it: "X, the national human rights institution,"
        behalf = re.search(r"\s+(?:speaking\s+)?on behalf of\s+(?P<group>.+)$", part, re.I)
        name = _BEHALF.sub("", part).strip()
        if not name or len(name) > 120:
            continue
        out.append((_resolve(name), group_name(behalf.group("group")) if behalf else None))
    return out


def _resolve(raw: str) -> str:
    name = re.sub(r"^(?:the\s+)", "", raw.strip(" ,"), flags=re.I)
    name = re.sub(r",.*$", "", name)
    known = gazetteer.canonical_name(name)
    return known[0] if known else name.replace("’", "'")
