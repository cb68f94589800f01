"""Speaker runs of a meeting summary with no section structure (UN Geneva / OHCHR style).

Each paragraph that opens with a reporting clause naming a speaker starts a statement; a
paragraph whose subject is collective ("Speakers said") is text of no one speaker; any other
paragraph continues the statement before it. The opening summary paragraph belongs to the
mandate holder. Lists of participants and absences are recorded, not made into statements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from assistant import gazetteer
from assistant.text import sentence_spans
from index import docmeta
from index.clauses import Clause, person_name, reporting_clause
from index.participants import absent_in, listed_in, listed_within
from index.vocabulary import vocabulary

UNKNOWN = "unknown"
@lru_cache(maxsize=1)
def _introduced() -> re.Pattern[str]:
    """ "… held an interactive dialogue with Erik de Hansen, the Independent Expert on …": who the opening is about."""
    particles = "|".join(sorted(vocabulary().name_particles, key=len, reverse=True))
    return re.compile(
        rf"\b(?:with|by)\s+(?P<name>(?:[A-Z][\w'’.-]+\s+(?:(?:{particles})\s+)*){{1,4}}[A-Z][\w'’.-]+),\s+"
        r"(?:the\s+)?(?P<role>[^,.;]{5,200})"
    )
_DOCKET_NOTE = 150  # a procedural paragraph shorter than this (characters) is a docket note, not the opening summary
MANDATE_HOLDER = "\x00mandate-holder"  # placeholder speaker of the opening paragraph, resolved at the end
_SENTENCE_END = (".", "!", "?", '"', "”")


@dataclass
class Run:
    """A contiguous run of paragraphs by one speaker (or by many, when collective)."""

    name: str
    kind: str  # a speaker type
    paragraphs: list[int]
    on_behalf_of: str | None = None
    role: str | None = None
    section: str = ""
    collective: bool = False


@dataclass
class Participants:
    listed: list[tuple[str, str | None]] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)


def record_participants(text: str, participants: Participants) -> bool:
    """Record a list or absence paragraph; True when `text` is one (so it is no statement).

    A paragraph of several such sentences ("Spain spoke as a concerned country. The national
    institution also spoke.") is one too, when every sentence is a list or an absence.
    """
    found = _participant_sentence(text)
    if found is None:
        sentences = [text[a:b].strip() for a, b in sentence_spans(text)]
        each = [_participant_sentence(x) for x in sentences] if len(sentences) > 1 else [None]
        if any(x is None for x in each):
            return False
        for absent, listed in each:
            participants.absent.extend(absent)
            participants.listed.extend(listed)
        return True
    absent, listed = found
    participants.absent.extend(absent)
    participants.listed.extend(listed)
    return True


def _participant_sentence(text: str) -> tuple[list[str], list[tuple[str, str | None]]] | None:
    """(absent, listed) named by a list or absence sentence, or None when it is neither."""
    absent = absent_in(text)
    if absent:
        return [absent], []
    listed = listed_in(text)
    return ([], list(listed)) if listed else None


class PersonRegister:
    """Persons met so far, so "Ms. Hansen said" and "The Special Rapporteur said" find the full name."""

    def __init__(self) -> None:
        self.people: list[tuple[str, str | None]] = []  # (full name, role)
        self.delegates: dict[str, str] = {}  # surname -> the State a person introduced with a State role speaks for

    def add(self, name: str, role: str | None) -> None:
        if all(name != n for n, _ in self.people):
            self.people.append((name, role))

    def by_surname(self, reference: str) -> tuple[str, str | None] | None:
        wanted = reference.split()[-1].lower()
        return next(((n, r) for n, r in self.people if n.split()[-1].lower() == wanted or n.lower() == reference.lower()), None)

    def by_role(self, role: str) -> tuple[str, str | None] | None:
        head = role.split(" on ")[0].split(" of ")[0].lower()
        found = next(((n, r) for n, r in self.people if r and head in r.lower()), None)
        return found or (self.people[0] if self.people else None)


def speaker_of_clause(clause: Clause, people: PersonRegister, section_kind: str | None) -> tuple[str, str, str | None]:
    """(name, speaker type, role) for a clause naming one speaker."""
    if clause.kind == "person":
        known = people.by_surname(clause.name) if len(clause.name.split()) == 1 else None
        if known:  # "Ms. Hansen, the Special Rapporteur, said" after "Erik Hansen" was introduced
            return known[0], "panel", known[1] or clause.role
        people.add(clause.name, clause.role)
        return clause.name, "panel", clause.role
    if clause.kind == "person_ref":
        state = people.delegates.get(clause.name.split()[-1].lower())
        if state:  # "Mr. Edmond said" after "an address by Jean Edmond, Minister for Foreign Affairs of Haiti"
            return state, "state", None
        known = people.by_surname(clause.name)
        if known:
            return known[0], "panel", known[1]
        people.add(clause.name, None)
        return clause.name, "panel", None
    if clause.kind == "panel_ref":
        known = people.by_role(clause.role or clause.name)
        return (known[0], "panel", known[1]) if known else (clause.role or clause.name, "panel", clause.role)
    if clause.concerned or section_kind == "country_concerned":
        return clause.name, "country_concerned", None
    if clause.kind == "igo":
        return clause.name, "igo", None
    if clause.kind == "org":
        return clause.name, "ngo", None
    if section_kind in ("ngo", "igo") and clause.kind != "state":
        return clause.name, section_kind, None
    return clause.name, "state", None


def summary_runs(texts: list[str], headings: dict[int, str | None], start: int, end: int,
                 numbered: frozenset[int] | None = None) -> tuple[list[Run], Participants]:
    """Runs of paragraphs texts[start:end]; `headings` maps heading paragraphs to their section kind.

    numbered: in an official record with numbered paragraphs (UN summary records), the indexes of those
    paragraphs; such a record has no opening summary and its presiding officer's words are procedure.
    """
    runs: list[Run] = []
    participants = Participants()
    people = PersonRegister()
    for introduced in _introduced().finditer(texts[start] if start < end else ""):
        role = introduced.group("role")
        if vocabulary().panel_role.search(role):
            people.add(person_name(introduced.group("name")), role.strip())
        elif vocabulary().state_role.search(role):
            states = gazetteer.find_names(role, ("state",))
            if states:
                people.delegates[person_name(introduced.group("name")).split()[-1].lower()] = states[-1].canonical
    section_kind: str | None = None
    section_name = ""
    for i in range(start, end):
        text = texts[i]
        if i in headings:
            section_kind, section_name = headings[i], text
            continue
        if record_participants(text, participants):
            continue
        participants.listed.extend(listed_within(text))
        clause = reporting_clause(text)
        current = runs[-1] if runs else None
        if numbered is not None and _record_procedure(text, clause, i in numbered, current):
            runs.append(Run(UNKNOWN, UNKNOWN, [i], section=section_name, collective=True))
            continue
        before_opening = all(r.collective for r in runs)
        if clause is not None and clause.procedural and before_opening:
            # "The Council has before it the report (A/HRC/43/65).": no one's words; a short opening that names
            # the meeting ("… held an interactive dialogue with …") is still the opening summary.
            if len(text) < _DOCKET_NOTE and not vocabulary().meeting_words.search(text):
                runs.append(Run(UNKNOWN, UNKNOWN, [i], section=section_name, collective=True))
                continue
            clause = None  # the opening summary ("The Human Rights Council this morning held …")
        if clause is not None and clause.collective:
            runs.append(Run(UNKNOWN, UNKNOWN, [i], section=section_name, collective=True))
            continue
        if clause is None:
            if current is None or (before_opening and _opens_summary(text)):
                runs.append(Run(MANDATE_HOLDER, "panel", [i], section=section_name))
            else:
                current.paragraphs.append(i)
            continue
        name, kind, role = speaker_of_clause(clause, people, section_kind)
        section = "point of order" if clause.point_of_order else section_name
        if current is not None and current.name == name and current.on_behalf_of == clause.on_behalf_of and current.section == section:
            current.paragraphs.append(i)
            continue
        if current is not None and current.name == MANDATE_HOLDER and kind == "panel":
            # The opening summary and the presentation that follows it are the mandate holder's.
            current.name, current.role = name, role
            current.paragraphs.append(i)
            continue
        runs.append(Run(name, kind, [i], on_behalf_of=clause.on_behalf_of, role=role, section=section))
    opening = next((texts[r.paragraphs[0]] for r in runs if r.name == MANDATE_HOLDER), "")
    # A general debate has no mandate holder: its opening is given to one only when it names a mandate.
    _resolve_mandate_holder(runs, people, bool(vocabulary().mandate.search(opening)))
    return runs, participants


def _record_procedure(text: str, clause: Clause | None, numbered: bool, current: Run | None) -> bool:
    """In a record with numbered paragraphs, is this paragraph procedure, no one's statement?

    The presiding officer ("The President said …") and the Council ("The Council had before it …") speak for the
    meeting; only numbered paragraphs are statements, so an unnumbered line between them is an agenda heading or
    a procedural note ("The meeting was suspended …", "Mr. X (Country), Vice-President, took the Chair."), unless
    it is plain prose that a page break cut from the paragraph before it. A paragraph naming no speaker before
    anyone spoke belongs to no one: a record has no opening summary.
    """
    if vocabulary().presiding_officer.match(text) or (clause is not None and clause.procedural):
        return True
    if not numbered and (clause is not None or docmeta.is_header_line(text) or not text.endswith(_SENTENCE_END)):
        return True
    return clause is None and current is None


def _resolve_mandate_holder(runs: list[Run], people: PersonRegister, names_a_mandate: bool) -> None:
    for run in runs:
        if run.name != MANDATE_HOLDER:
            continue
        if people.people and names_a_mandate:
            run.name, run.role = people.people[0]
        else:
            run.name, run.kind = UNKNOWN, UNKNOWN


def _opens_summary(text: str) -> bool:
    """The opening summary ("The Human Rights Council this morning held …") after docket notes."""
    lowered = text.lower()
    return any(lowered.startswith(w + " ") for w in vocabulary().procedural_subjects)
