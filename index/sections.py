"""The Geneva Centre layout: sections whose headings say who speaks in them.

A title block, then sections ("Presentation of the report", "Views expressed by State
Delegations", …), one paragraph per speaker (experts may run over several), and a
facts-and-figures block. A paragraph opens a new statement only when its opening clause
names a speaker: a titled person ("Ms. Karinna MOSKALENKO, Chair …"), a state, group or
organisation from the gazetteer, or a marked-up or capitalised name followed by a
reporting verb. Anything else continues the statement before it. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant import gazetteer
from assistant.text import STOPWORDS, sentence_spans
from index.clauses import reporting_clause
from index.load import Paragraph
from index.summary import UNKNOWN, Participants, record_participants
from index.vocabulary import vocabulary

_TITLES = r"(?:H\.\s?E\.|Ms\.?|Mr\.?|Mrs\.?|Dr\.?|Prof\.?|Professor|Judge|Justice|Ambassador|Sir|Dame|Madam|Mme\.?|M\.)"
PERSON_LINE = re.compile(
    rf"^(?:{_TITLES}\s+)+(?P<name>[^\W\d_][\w'’.\-]*(?:\s+[^\W\d_][\w'’.\-]*){{0,5}}?)\s*(?:,\s*(?P<role>[^,.;]+)|$)"
)
_ON_BEHALF = re.compile(r"^(?:Speaking\s+)?[Oo]n behalf of\s+(?P<group>[^,]+),\s*(?P<rest>.*)$", re.S)
_MID_SENTENCE = re.compile(r"^(?:According to|In the view of|For|In the opinion of)\s+(?:the\s+)?")
_CONNECTORS = {"of", "for", "and", "the", "on", "in", "de", "des", "du", "la", "le", "et", "&", "-", "–", "against", "to"}


@dataclass(frozen=True)
class Speaker:
    name: str
    kind: str  # a speaker type
    on_behalf_of: str | None = None
    role: str | None = None


@dataclass
class OpenStatement:
    speaker: Speaker
    section: str
    paragraphs: list[int] = field(default_factory=list)
    collective: bool = False  # text of many unnamed speakers ("Speakers said …")


def structured_runs(paras: list[Paragraph], headings: dict[int, str], first_section: int, end: int,
                     concerned: str | None, participants: Participants) -> list[OpenStatement]:
    """Statements of the Geneva Centre layout: sections by heading, one paragraph per speaker."""
    opened: list[OpenStatement] = []
    section_kind = None if headings else UNKNOWN
    section_name = ""
    for i in range(first_section, end):
        p = paras[i]
        if i in headings:
            section_kind, section_name = headings[i], p.text
            continue
        if section_kind in (None, "facts"):
            continue
        if record_participants(p.text, participants):
            continue
        current = opened[-1] if opened and opened[-1].section == section_name else None
        clause = reporting_clause(p.text) if section_kind not in ("panel", "country_concerned") else None
        if clause is not None and clause.collective:
            opened.append(OpenStatement(Speaker(UNKNOWN, UNKNOWN), section_name, [i], collective=True))
            continue
        speaker = _speaker_of(p, section_kind, current, concerned, opened)
        if clause is not None and clause.kind in ("state", "igo", "group", "org") and (
            speaker is None or speaker.name in (UNKNOWN, current.speaker.name if current else None)
        ) and (current is None or clause.name != current.speaker.name):
            # A reporting clause naming another delegation opens its statement even where the
            # Geneva Centre cues ("X thanks …", bold names) are missing: "X's Permanent Representative said".
            kind = ("igo" if section_kind == "igo" else "ngo") if clause.kind == "org" else _type_for(clause.kind, section_kind)
            speaker = Speaker(clause.name, kind, on_behalf_of=clause.on_behalf_of)
        if speaker is None and current is not None:
            current.paragraphs.append(i)
            continue
        if speaker is None:
            speaker = Speaker(UNKNOWN, UNKNOWN if section_kind in (UNKNOWN, "panel") else section_kind)
        # A label line ("Ms. X, Chair of …" alone) names the speaker of the paragraphs after it.
        label_only = speaker.kind == "panel" and PERSON_LINE.fullmatch(p.text.rstrip(".")) is not None
        opened.append(OpenStatement(speaker=speaker, section=section_name, paragraphs=[] if label_only else [i]))
        if speaker.kind == "country_concerned" or (section_kind == "country_concerned" and concerned is None):
            concerned = speaker.name
    return opened


def _speaker_of(p: Paragraph, kind: str, current: OpenStatement | None, concerned: str | None, opened: list[OpenStatement]) -> Speaker | None:
    """The speaker a paragraph opens with, or None when it continues the current statement."""
    text = p.text
    person = PERSON_LINE.match(text)
    if kind in ("panel", UNKNOWN):
        if person and _looks_like_person(person.group("name")):
            return Speaker(_person_name(person.group("name")), "panel", role=_clean_role(person.group("role")))
        if current is None and kind == "panel":
            earlier = next((o.speaker for o in opened if o.speaker.kind == "panel"), None)
            return earlier or Speaker(_panel_label(text), "panel")
        if kind == UNKNOWN:
            found = _named_at_start(text, p)
            if found:
                return Speaker(found[0], _type_for(found[1], "state"))
        return None
    if kind == "country_concerned":
        if current is not None:
            return None
        first = _first_sentence(text)
        names = _names_in(first, p, ("state",))
        name = next((n for n in names if n.canonical == concerned), names[0] if names else None)
        return Speaker(name.canonical if name else (concerned or UNKNOWN), "country_concerned")

    behalf = _ON_BEHALF.match(text)
    if behalf:
        group = _group_name(behalf.group("group"))
        rest_start = behalf.start("rest")
        rest = _first_sentence(behalf.group("rest"))
        names = [n for n in gazetteer.find_names(rest, ("state", "igo")) if n.form != "adjective"]
        cue = _cue_at(p, rest_start, rest_start + len(rest))
        if names:
            return Speaker(names[0].canonical, _type_for(names[0].kind, kind), on_behalf_of=group)
        if cue:
            return Speaker(_org_name(cue), kind, on_behalf_of=group)
        return Speaker(UNKNOWN, kind, on_behalf_of=group)

    found = _named_at_start(text, p)
    if found:
        name, name_kind = found
        if current is not None and current.speaker.name == name and not current.speaker.on_behalf_of:
            return None
        if name == concerned and kind == "state" and not re.match(r"(?i)the delegation of", text):
            return None  # the country concerned spoke in its own section; here it is being talked about
        if kind != "ngo" and name_kind == "org" and current is not None and not p.cues:
            return None
        if _spoke_nationally(name, opened) and current is not None:
            return None
        return Speaker(name, _type_for(name_kind, kind), on_behalf_of=_behalf_in_opening(text))
    return None


def _named_at_start(text: str, p: Paragraph) -> tuple[str, str] | None:
    """(name, kind) of a speaker named in a paragraph's opening clause, if any."""
    body = re.sub(r"^(?:The\s+)?(?:delegation|representative|Government|Permanent Mission)\s+of\s+(?:the\s+)?", "", text)
    offset = len(text) - len(body)
    first = _first_sentence(body)
    person = PERSON_LINE.match(body)
    if person and person.group("role"):
        role_names = [n for n in gazetteer.find_names(person.group("role"), ("state", "igo")) if n.form == "name"]
        if role_names:
            return role_names[-1].canonical, role_names[-1].kind
    match = gazetteer.match_at_start(body, ("state", "igo", "group"))
    if match and match.form != "adjective" and _predicate_follows(body[match.end:]):
        return match.canonical, match.kind
    # A cue (bold or link) at the start, then a verb: an organisation or an unlisted state.
    cue = _cue_at(p, offset, offset + min(len(first), 12 + _first_cue_end(p, offset)))
    if cue is not None:
        cue_start, cue_end, cue_text = cue
        before = text[offset:cue_start].strip()
        after = text[cue_end:]
        joint = re.match(r"^\s*(?:\([^)]{1,40}\)\s*)?(?:,|jointly with|together with|along with|and\b|in cooperation with)", after)
        if before in ("", "The", "the") and (_predicate_follows(after) or (joint and _has_reporting_verb(first))):
            return _resolve_org(cue_text)
    # Mid-sentence: "According to X, …", "Welcoming the report, X notes …".
    opening = _MID_SENTENCE.match(body)
    if opening:
        match = gazetteer.match_at_start(body[opening.end():], ("state", "igo", "group"))
        if match:
            return match.canonical, match.kind
    for start, end in p.cues:
        if start < offset or start > offset + len(first):
            continue
        cue_text = p.text[start:end]
        lead = p.text[offset:start]
        if (lead.rstrip().endswith(",") or _MID_SENTENCE.match(lead)) and (_predicate_follows(p.text[end:]) or p.text[end:].lstrip().startswith(",")):
            return _resolve_org(cue_text)
    for m in gazetteer.find_names(first, ("state", "igo")):
        lead = first[: m.start].rstrip()
        if m.form == "name" and lead.endswith(",") and vocabulary().verb.match(first[m.end:].lstrip()) and len(lead) < 200:
            return m.canonical, m.kind
    # Unmarked organisation names: "Human Rights House Foundation states …", and after an
    # opening clause: "Referencing the report, Earthjustice recalls …".
    name = _capitalised_run(body, first)
    if name is None:
        clause = re.match(r"^[A-Z][^,]{0,150},\s+(?=[A-Z])", first)
        if clause and not _ON_BEHALF.match(first):
            name = _capitalised_run(first[clause.end():], first, joint=False)
    if name:
        return _resolve_org(name)
    return None


def _first_cue_end(p: Paragraph, offset: int) -> int:
    for start, end in p.cues:
        if start >= offset:
            return end - offset
    return 0


def _predicate_follows(after: str) -> bool:
    after = re.sub(r"^\s*\([^)]{1,40}\)", "", after)  # "(UK)", "(DPRK)"
    after = after.lstrip(" ,")
    return bool(vocabulary().verb.match(after)) or bool(re.match(r"^[a-z]+s\b", after))


def _has_reporting_verb(sentence: str) -> bool:
    return any(vocabulary().verb.match(m.group(0)) for m in re.finditer(r"\b[a-z]+\b", sentence))


def _capitalised_run(text: str, sentence: str, joint: bool = True) -> str | None:
    """A run of capitalised words followed by a reporting verb (or, for joint statements, "jointly with")."""
    rest = re.sub(r"\s*\([^)]{1,40}\)", "", re.sub(r"^The\s+", "", text))[:200]  # drop "(ACRONYM)"
    tokens = list(re.finditer(r"[\w'’.&]+|[-–]", rest))
    name: list[str] = []
    for token in tokens:
        word = token.group(0)
        if word[0].isupper() or word[0].isdigit() or (word.lower() in _CONNECTORS and name):
            name.append(word)
            continue
        if not name or (len(name) == 1 and (len(name[0]) < 3 or name[0].lower() in STOPWORDS)):
            return None
        if name[-1].lower() in _CONNECTORS:
            return None
        after = rest[token.start():]
        if _predicate_follows(after) or (
            joint and re.match(r"(?:jointly|together|along) with\b", after) and _has_reporting_verb(sentence)
        ):
            return " ".join(name)
        return None
    return None


def _resolve_org(raw: str) -> tuple[str, str]:
    cleaned = _org_name(raw)
    known = gazetteer.canonical_name(cleaned) or gazetteer.canonical_name(raw)
    if known:
        return known[0], known[1]
    return cleaned, "org"


def _org_name(raw: str) -> str:
    name = re.sub(r"\s*\([^)]*\)\s*$", "", raw.strip())  # a trailing "(IBAHRI)"
    name = re.sub(r"^the\s+", "", name, flags=re.I)
    name = name.replace("‘", "'").replace("’", "'")
    return name.strip(" ,")


def _group_name(raw: str) -> str:
    cleaned = re.sub(r"^(?:the|a|an)\s+", "", raw.strip(), flags=re.I)
    known = gazetteer.canonical_name(cleaned)
    if known:
        return known[0]
    # "cross-regional group of countries" → try without trailing qualifiers.
    shorter = re.sub(r"\s+of\s+(?:countries|states)$", "", cleaned, flags=re.I)
    known = gazetteer.canonical_name(shorter)
    return known[0] if known else cleaned[:1].upper() + cleaned[1:]


def _behalf_in_opening(text: str) -> str | None:
    match = re.search(r"\b(?:on behalf of|speaking for)\s+(?:the\s+)?([^,.;]+)", _first_sentence(text))
    return _group_name(match.group(1)) if match else None


def _type_for(name_kind: str, section_kind: str) -> str:
    if section_kind in ("ngo", "igo"):
        return "state" if name_kind == "state" and section_kind == "igo" else section_kind
    if name_kind == "igo":
        return "igo"
    return "state" if section_kind in ("state", UNKNOWN) else section_kind


def _spoke_nationally(name: str, opened: list[OpenStatement]) -> bool:
    return any(o.speaker.name == name and not o.speaker.on_behalf_of for o in opened)


def _names_in(text: str, p: Paragraph, kinds) -> list:
    return [n for n in gazetteer.find_names(text, kinds) if n.form == "name"]


def _cue_at(p: Paragraph, start: int, end: int) -> tuple[int, int, str] | None:
    for cue_start, cue_end in p.cues:
        if start <= cue_start < end:
            return cue_start, cue_end, p.text[cue_start:cue_end]
    return None


def _first_sentence(text: str) -> str:
    spans = sentence_spans(text[:600])
    return text[spans[0][0]:spans[0][1]] if spans else text


def _looks_like_person(name: str) -> bool:
    words = name.split()
    return 1 <= len(words) <= 6 and all(w[0].isupper() for w in words)


def _person_name(raw: str) -> str:
    return " ".join(w.title() if w.isupper() and len(w) > 1 else w for w in raw.split())


def _clean_role(role: str | None) -> str | None:
    return role.strip() if role else None


def _panel_label(text: str) -> str:
    match = re.match(r"^The\s+((?:Chair|Special Rapporteur|Independent Expert|High Commissioner|Group of Experts|Commission|Mission)[^,.]{0,60}?)\s+[a-z]", text)
    return match.group(1) if match else UNKNOWN
