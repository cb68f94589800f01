"""The labelled-statements layout: the speaker is a label, not the subject of a reporting clause.

NGO reports, mission notes and Markdown exports write "Brazil: Brazil presented …", "**Kenya (on behalf of
the African Group)** – …", "• Fortify Rights: …", or set the label on a line of its own ("### Brazil",
"3. Kenya, on behalf of the African Group", "**European Union**") above the statement. A label counts only
when it resolves to a speaker through the same resolvers as reporting clauses (gazetteer, titled persons,
mandate-holder roles, capitalised organisation names); a sentence with a colon ("The Special Rapporteur
said: …", "Three points: …") is no label, since its words are not a name. The label stays in the statement
text when the statement follows it in the same paragraph (as in the other layouts); a label alone on its
line is nobody's words. Compilations of delivered statements ("Statement by the Delegation of Portugal" above
the text) and verbatim records ("Mr. Otieno (Kenya): …", "The President: …") are read here too, their headings and
labels through `index/verbatim.py`. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import gazetteer
from index import docmeta
from index.clauses import Clause, person_name, reporting_clause
from index.load import Paragraph
from index.sections import OpenStatement, Speaker
from index.summary import UNKNOWN, Participants, PersonRegister, record_participants, speaker_of_clause
from index.verbatim import VerbatimForm, group_in_opening, is_salutation, verbatim_form
from index.vocabulary import vocabulary

_LEAD = re.compile(r"^(?:[•·▪◦‣*-]\s+|#{1,6}\s+|\d{1,3}[.)]\s+)")
_SEPARATOR = re.compile(r"\s*(?::|\s[-–—]\s|[–—])\s*")
_QUALIFIED = (re.compile(r"^(?P<main>[^(),]+?)\s*\((?P<q>[^()]+)\)$"), re.compile(r"^(?P<main>[^(),]+?),\s*(?P<q>[^()]+)$"))
_NAME_WORD = re.compile(r"^(?:[A-Z0-9][\w'’.&-]*|[-–&])$")
_NGO_QUALIFIER = re.compile(r"^(?:NGO|non-governmental organi[sz]ation|civil society(?: organi[sz]ation)?)$", re.I)
_CONNECTORS = {"of", "for", "and", "the", "on", "in", "to", "de", "des", "du", "la", "le", "et", "y", "van", "von", "der", "da", "di"}
_MAX_LABEL = 150  # characters: a label is a name with its qualifier, never a sentence
_STRONG = ("state", "igo", "country_concerned", "panel")
_LABELLED_SHARE = 0.3  # least labels per paragraph of prose for a document of labelled statements
_VERBATIM_SHARE = 0.1  # the same when its labels are statement headings or a verbatim record's speakers


@dataclass(frozen=True)
class Label:
    """A paragraph's speaker label; alone: the label is the whole paragraph (the statement follows it)."""

    name: str
    kind: str  # a speaker type
    on_behalf_of: str | None = None
    role: str | None = None
    alone: bool = False
    marked: bool = True  # an explicit label form (separator, own line, new sentence); a bold subject is not one alone
    verbatim: bool = False  # a compilation's statement heading or a verbatim record's label: first-person text follows
    presiding: bool = False  # a verbatim record's presiding officer ("The President:"): procedure, nobody's statement


def find_labels(paras: list[Paragraph], concerned: str | None) -> dict[int, Label]:
    """The speaker label of each labelled paragraph, by index; `concerned`: the country of the title, if any."""
    people = PersonRegister()
    found: dict[int, Label] = {}
    for i, p in enumerate(paras):
        following = paras[i + 1].text if i + 1 < len(paras) else ""
        label = _label(p, people, concerned, following)
        if label is not None:
            found[i] = label
    if not is_verbatim(found):  # "The Chair: …" in another labelled summary may be a mandate holder: no label
        found = {i: label for i, label in found.items() if not label.presiding}
    return found


def is_verbatim(labels: dict[int, Label]) -> bool:
    """Are the labels those of verbatim statements (compilation headings, a verbatim record's speakers)? At least
    two, and most of the document's labels."""
    verbatim = [label for label in labels.values() if label.verbatim and not label.presiding]
    return len(verbatim) >= 2 and len(verbatim) >= 0.5 * len([label for label in labels.values() if not label.presiding])


def is_labelled(labels: dict[int, Label], paras: list[Paragraph]) -> bool:
    """Is the document written in labelled statements? Enough explicit labels, most naming a known speaker
    (a State, organisation of States or mandate holder), for the paragraphs between them."""
    marked = [label for label in labels.values() if label.marked and not label.presiding]
    strong = [label for label in marked if label.kind in _STRONG]
    prose = sum(1 for p in paras if len(p.text) > 100)
    # A verbatim statement runs over many paragraphs under its one heading: fewer labels for the prose suffice, when
    # they name at least three speakers (a press release's "Statement by the Special Rapporteur" and "Concluding
    # remarks by the Special Rapporteur" name one).
    if is_verbatim(labels):
        return (len(marked) >= 3 and len(strong) >= 2 and len({label.name for label in marked}) >= 3
                and len(labels) >= _VERBATIM_SHARE * prose)
    return len(marked) >= 3 and len(strong) >= 2 and len(marked) >= _LABELLED_SHARE * prose


def body_start(labels: dict[int, Label], start: int, paras: list[Paragraph]) -> int:
    """The body opens at the label set on its own line above the first paragraph of prose (and above the
    salutation that opens it: "Mr. President" on a line of its own)."""
    label_at = start - 1
    while label_at > 0 and label_at not in labels and is_salutation(paras[label_at].text):
        label_at -= 1
    return label_at if label_at >= 0 and (label := labels.get(label_at)) is not None and label.alone else start


def labelled_runs(paras: list[Paragraph], labels: dict[int, Label], headings: dict[int, str | None], start: int,
                  end: int, participants: Participants) -> list[OpenStatement]:
    """Statements: each label opens one; unlabelled paragraphs continue it, unless a reporting clause in them
    names another known speaker ("The Special Rapporteur said …" after the last NGO) or many speakers. Verbatim
    statements are first person, so a clause in them quotes someone else: every paragraph continues the statement
    above it, and the presiding officer's paragraphs belong to no one (as in summary records)."""
    opened: list[OpenStatement] = []
    verbatim = is_verbatim(labels)
    people = PersonRegister()
    section, section_kind = "", None
    for i in range(start, end):
        text = paras[i].text
        label = labels.get(i)
        if label is not None and label.presiding:
            opened.append(OpenStatement(Speaker(UNKNOWN, UNKNOWN), section, [i], collective=True))
            continue
        if label is not None:
            if label.kind == "panel" and label.role:
                people.add(label.name, label.role)
            speaker = Speaker(label.name, _in_section(label.kind, section_kind), label.on_behalf_of, label.role)
            opened.append(OpenStatement(speaker, section, [] if label.alone else [i]))
            if verbatim and not label.alone:
                opened[-1].speaker = _with_group(speaker, text)
            continue
        if verbatim and opened and is_salutation(text):  # "Mr. President," on a line of its own
            opened[-1].paragraphs.append(i)
            continue
        if i in headings or docmeta.is_header_line(text):
            section, section_kind = _LEAD.sub("", text), headings.get(i)
            continue
        if record_participants(text, participants):
            continue
        current = opened[-1] if opened else None
        if current is not None and not current.paragraphs and not current.collective:
            current.paragraphs.append(i)  # the statement under a label on its own line
            if verbatim:
                current.speaker = _with_group(current.speaker, text)
            continue
        if verbatim:  # first-person text: it continues the statement above; before the first label, nobody's
            if current is None:
                opened.append(OpenStatement(Speaker(UNKNOWN, UNKNOWN), section, [i], collective=True))
            else:
                current.paragraphs.append(i)
            continue
        clause = reporting_clause(text)
        if clause is not None and (clause.collective or clause.procedural):
            opened.append(OpenStatement(Speaker(UNKNOWN, UNKNOWN), section, [i], collective=True))
            continue
        if clause is not None and clause.kind != "org":
            name, kind, role = speaker_of_clause(clause, people, None)
            if current is None or name != current.speaker.name:
                opened.append(OpenStatement(Speaker(name, kind, clause.on_behalf_of, role), section, [i]))
                continue
        if current is None:  # an introduction before the first label: nobody's statement
            opened.append(OpenStatement(Speaker(UNKNOWN, UNKNOWN), section, [i], collective=True))
        else:
            current.paragraphs.append(i)
    return opened


def _with_group(speaker: Speaker, opening: str) -> Speaker:
    """A State or organisation whose heading names no known group ("on behalf of a group of countries") speaks for
    the one its statement's opening names ("Argentina, speaking on behalf of a cross-regional group, …")."""
    if speaker.kind not in ("state", "igo", "country_concerned") or (
            speaker.on_behalf_of and gazetteer.canonical_name(speaker.on_behalf_of)):
        return speaker
    group = group_in_opening(opening, speaker.name)
    return Speaker(speaker.name, speaker.kind, group, speaker.role) if group else speaker


def _in_section(kind: str, section_kind: str | None) -> str:
    """A section heading types its labels as in the Geneva Centre layout: an organisation under
    "Intergovernmental organisations" is one, a State under "Country concerned" is that country."""
    if section_kind == "igo" and kind == "ngo":
        return "igo"
    if section_kind == "country_concerned" and kind == "state":
        return "country_concerned"
    return kind


def _label(p: Paragraph, people: PersonRegister, concerned: str | None, following: str) -> Label | None:
    text = p.text
    if docmeta.is_header_line(text):
        return None
    lead = _LEAD.match(text)
    offset = lead.end() if lead else 0
    cue = next(((s, e) for s, e in p.cues if s == offset), None)
    if cue is not None:  # "**Kenya (on behalf of the African Group)**: …", "**Indonesia** Indonesia reported …"
        raw, after = text[cue[0]:cue[1]], text[cue[1]:]
        qualifier = re.match(r"^\s*\([^()]{1,120}\)", after)
        if qualifier:
            raw, after = raw + qualifier.group(0), after[qualifier.end():]
        separator = _SEPARATOR.match(after)
        rest = after[separator.end():] if separator else after
        # Marked when a separator or a new sentence follows ("**Indonesia** Indonesia reported"), not a verb
        # ("**Estonia** thanks …", the Geneva Centre's bold subject).
        marked = bool(separator) or not rest.strip() or rest.lstrip()[:1].isupper()
        return _resolved(raw.rstrip(" :"), people, concerned, alone=not rest.strip(), marked=marked, following=following)
    body = text[offset:]
    for separator in _SEPARATOR.finditer(body[:_MAX_LABEL]):
        if separator.start() == 0:
            continue
        raw = body[:separator.start()]
        if "(" in raw and ")" not in raw:
            continue  # the separator is inside the qualifier
        rest = body[separator.end():]
        if not rest.strip():
            break  # "Brazil:" alone on its line
        if rest[:1].islower() and ":" not in separator.group(0):
            # "Chile – on behalf of a group of countries": the dash opens the label's qualifier.
            more = next((m for m in _SEPARATOR.finditer(rest[:_MAX_LABEL]) if m.start() > 0), None)
            if more is not None:
                return _resolved(f"{raw}, {rest[:more.start()]}", people, concerned, alone=not rest[more.end():].strip(),
                                 marked=True, following=following)
            if len(body) <= _MAX_LABEL and not body.rstrip().endswith((".", "!", "?", ";", ",")):
                return _resolved(f"{raw}, {rest.rstrip(' :')}", people, concerned, alone=True, marked=True,
                                 following=following)
            return None
        return _resolved(raw, people, concerned, alone=False, marked=True, following=following)
    if len(body) <= _MAX_LABEL and not body.rstrip().endswith((".", "!", "?", ";", ",")):
        return _resolved(body.rstrip(" :"), people, concerned, alone=True, marked=True, following=following)
    return None


def _resolved(raw: str, people: PersonRegister, concerned: str | None, *, alone: bool, marked: bool,
              following: str) -> Label | None:
    """The speaker a label names, or None when it names none (a heading, a sentence)."""
    raw = " ".join(raw.split()).strip(" *")
    if is_salutation(raw):  # "Mr. President", "Thank you, Madam President": an address, not a speaker
        return None
    form = verbatim_form(raw)
    if form is not None and form.presiding:
        return Label(UNKNOWN, UNKNOWN, alone=alone, marked=marked, verbatim=True, presiding=True)
    if form is not None:
        if form.heading:
            label = _resolved_label(_qualified(form), people, concerned, alone=alone, marked=marked, following=following)
        else:
            notes = ", speaking as the country concerned," if form.concerned else ""
            notes += f", speaking on behalf of {form.behalf}," if form.behalf else ""
            label = _resolved_label(form.raw, people, concerned, alone=alone, marked=marked, following=following,
                                    record=True, notes=notes)
        return Label(label.name, label.kind, label.on_behalf_of, label.role, alone, marked, verbatim=True) if label else None
    return _resolved_label(raw, people, concerned, alone=alone, marked=marked, following=following)


def _qualified(form: VerbatimForm) -> str:
    """The label a heading or record label stands for, its group and capacity as a label's qualifier."""
    if form.concerned:
        return f"{form.raw} (country concerned)" if "(" not in form.raw else f"{form.raw}, as the country concerned"
    return f"{form.raw}, on behalf of {form.behalf}" if form.behalf else form.raw


def _resolved_label(raw: str, people: PersonRegister, concerned: str | None, *, alone: bool, marked: bool,
                    following: str, record: bool = False, notes: str = "") -> Label | None:
    """record: a verbatim record's label ("Mr. Otieno (Kenya)"), read as a summary record reads "Mr. Otieno (Kenya)
    said", with the clauses its notes add (", speaking on behalf of …,")."""
    main, qualifier = raw, None
    for pattern in _QUALIFIED:
        match = pattern.match(raw)
        if match and len(match.group("q")) <= 100:
            main, qualifier = match.group("main").strip(), match.group("q").strip()
            break
    vocab = vocabulary()
    bare = re.sub(r"^The\s+", "", main)
    role_only = vocab.panel_role.match(bare)
    if role_only and re.match(r"^(?:$|\s+(?:on|of|for)\s)", bare[role_only.end():]) and not vocab.state_role.search(main) \
            and not any(vocab.reporting_verb.match(main[w.start():]) for w in re.finditer(r"\b[a-z]+", main)):
        person = qualifier if qualifier and _person_like(qualifier) and not vocab.panel_role.search(qualifier) else None
        if person:  # "Special Rapporteur (Ilse Marrow-Tandy)", "Independent Expert, Ms. Ana Ruiz Belmonte"
            person = person_name(vocab.person_title.sub("", person))
            people.add(person, main)
            return Label(person, "panel", role=main, alone=alone, marked=marked)
        name, kind, role = speaker_of_clause(Clause(name=main, kind="panel_ref", role=main), people, None)
        return Label(name, kind, role=role, alone=alone, marked=marked)
    if not _name_like(main):
        return None
    title = vocab.person_title.match(main)
    if qualifier and vocab.panel_role.search(qualifier) and not vocab.state_role.search(qualifier) and (
            title or _person_like(main)):
        person = person_name(main[title.end():] if title else main)  # "Amara Oyelaran-Kett (Special Rapporteur on …)"
        people.add(person, qualifier)
        return Label(person, "panel", role=qualifier, alone=alone, marked=marked)
    if record and qualifier:
        clause = reporting_clause(f"{main} ({qualifier}){notes} said")
    else:
        clause = reporting_clause(f"{main}, {qualifier}, said" if qualifier else f"{main} said")
    if clause is None or clause.collective or clause.procedural:
        if not qualifier or not main[:1].isupper():
            return None
        # An unlisted name its qualifier types: "Zarovia (country concerned)", "Fortify Voices (NGO)".
        if vocab.country_concerned.search(qualifier):
            return Label(main, "country_concerned", alone=alone, marked=marked)
        if _NGO_QUALIFIER.match(qualifier):
            return Label(main, "ngo", alone=alone, marked=marked)
        return None
    name, kind, role = speaker_of_clause(clause, people, None)
    if kind == "state" and name == concerned and not clause.on_behalf_of:
        kind = "country_concerned"
    if clause.kind == "org" and (alone and not _organisation_line(main, following) or main.isupper() and " " in main):
        return None  # a heading in capitals ("GENEVA CENTRE FOR …") is no organisation's label
    return Label(name, kind, clause.on_behalf_of, role, alone=alone, marked=marked)


def _name_like(text: str) -> bool:
    """A name, not a sentence: capitalised words and connectors only ("Article 19", "Reporters Without Borders"),
    none of them a heading word ("Concluding Remarks", "Summary")."""
    words = text.replace("’", "'").split()
    if not words or len(words) > 10 or not words[0][:1].isupper():
        return False
    if any(w.strip(".,:'").lower() in vocabulary().label_heading_words for w in words):
        return False
    particles = vocabulary().name_particles
    return all(_NAME_WORD.match(w) or w in _CONNECTORS or w in particles for w in words)


def _person_like(text: str) -> bool:
    """A personal name: two to five capitalised words, none an organisation word, not all in capitals."""
    words = text.split()
    return (2 <= len(words) <= 5 and not text.isupper() and _name_like(text)
            and not any(w in vocabulary().organisation_words for w in words))


def lead_length(text: str) -> int:
    """Characters of the bullet, Markdown heading marks or number before a label ("- ", "### ", "3. ")."""
    lead = _LEAD.match(text)
    return lead.end() if lead else 0


def _organisation_line(name: str, following: str) -> bool:
    """A capitalised line above a paragraph is an organisation's label when it reads as one: an organisation word
    ("Network", "International"), an acronym, or a word of it opening the statement under it ("FIAN called …")."""
    words = name.split()
    if any(w in vocabulary().organisation_words for w in words) or any(sum(c.isupper() for c in w) >= 2 for w in words):
        return True
    opening = set(following.split()[:3])
    return any(w in opening for w in words if len(w) > 3)
