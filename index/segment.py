"""Turn clean paragraphs into statements, each attributed to one speaker. Pure: no I/O.

The shape of a dialogue summary in this series: a title block, then sections whose
headings say who speaks in them ("Presentation of the report", "Views expressed by
State Delegations", …), one paragraph per speaker (experts may run over several), and
a facts-and-figures block. A paragraph opens a new statement only when its opening
clause names a speaker: a titled person ("Ms. Karinna MOSKALENKO, Chair …"), a state,
group or organisation from the gazetteer, or a marked-up or capitalised name followed
by a reporting verb. Anything else continues the statement before it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from assistant import gazetteer
from assistant.models import Document, DocumentInfo, Participation, Sentence, Statement
from assistant.text import STOPWORDS, sentence_spans
from index.load import Paragraph

UNKNOWN = "unknown"
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(rf"\b(\d{{1,2}})\s+({_MONTHS})\s+(\d{{4}})\b")
_SESSION = re.compile(r"#?\b(HRC)\s?(\d{1,3})\b", re.I)
_TITLES = r"(?:H\.\s?E\.|Ms\.?|Mr\.?|Mrs\.?|Dr\.?|Prof\.?|Professor|Judge|Justice|Ambassador|Sir|Dame|Madam|Mme\.?|M\.)"
_PERSON = re.compile(
    rf"^(?:{_TITLES}\s+)+(?P<name>[^\W\d_][\w'’.\-]*(?:\s+[^\W\d_][\w'’.\-]*){{0,5}}?)\s*(?:,\s*(?P<role>[^,.;]+)|$)"
)
_ON_BEHALF = re.compile(r"^(?:Speaking\s+)?[Oo]n behalf of\s+(?P<group>[^,]+),\s*(?P<rest>.*)$", re.S)
_MID_SENTENCE = re.compile(r"^(?:According to|In the view of|For|In the opinion of)\s+(?:the\s+)?")
_CONNECTORS = {"of", "for", "and", "the", "on", "in", "de", "des", "du", "la", "le", "et", "&", "-", "–", "against", "to"}
_REPORTING_VERB = re.compile(
    r"^(?:[a-z]+ly\s+)?(?:states?|says?|notes?|welcomes?|thanks?|acknowledges?|recalls?|takes?|concurs?|expresses|express"
    r"|calls?|urges?|reiterates?|remains?|is|are|highlights?|emphasi[sz]es?|commends?|condemns?|regrets?|stresses|stress"
    r"|underlines?|joins?|speaks?|believes?|aligns?|supports?|rejects?|reaffirms?|recogni[sz]es?|appreciates?|continues?"
    r"|shares?|voices?|deplores?|encourages?|requests?|asks?|points?|affirms?|considers?|opposes?|congratulates?|praises?"
    r"|echoes|echo|raises?|draws?|observes?|submits?|delivers?|presents?|wishes?|wants?|has|have|was|were|also|once|further"
    r"|would|will|firmly|strongly|deeply|fully|highly|categorically|again|however|too|reminds?|insists?|warns?|appeals?"
    r"|demands?|denounces?|salutes?|agrees?|argues?|explains?|replies|reply|responds?|answers?|emphasises)\b"
)


@dataclass(frozen=True)
class Speaker:
    name: str
    kind: str  # a speaker type
    on_behalf_of: str | None = None
    role: str | None = None


@dataclass
class _Open:
    speaker: Speaker
    section: str
    paragraphs: list[int] = field(default_factory=list)


def document_id_for(text: str) -> str:
    """Stable id for the same content: a digest of the normalised text."""
    return "doc-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def segment(paras: list[Paragraph], source: str = "", page_count: int = 0) -> Document:
    """Split paragraphs into attributed statements and read the document's metadata."""
    text = "\n\n".join(p.text for p in paras)
    starts = []
    offset = 0
    for p in paras:
        starts.append(offset)
        offset += len(p.text) + 2

    headings = {i: _section_kind(p.text) for i, p in enumerate(paras) if _is_heading(p.text)}
    headings = {i: kind for i, kind in headings.items() if kind}
    first_section = min(headings, default=0)
    # The id hashes the body only, so a PDF and its text (title blocks laid out differently) agree.
    document_id = document_id_for("\n\n".join(p.text for p in paras[min(first_section, len(paras) - 1):]) if paras else "")
    warnings: list[str] = []
    title_block = [p.text for p in paras[:first_section]] if headings else [p.text for p in paras[:1]]
    facts_at = next((i for i, kind in sorted(headings.items()) if kind == "facts"), None)
    facts = [p.text for p in paras[facts_at + 1:]] if facts_at is not None else _trailing_figures(paras)
    info_title, session, date_text, date_iso = _title_metadata(title_block)
    concerned = _country_concerned(info_title)

    opened: list[_Open] = []
    section_kind = None if headings else UNKNOWN
    section_name = ""
    end = facts_at if facts_at is not None else len(paras) - len(facts)
    for i in range(first_section, end):
        p = paras[i]
        if i in headings:
            section_kind, section_name = headings[i], p.text
            continue
        if section_kind in (None, "facts"):
            continue
        current = opened[-1] if opened and opened[-1].section == section_name else None
        speaker = _speaker_of(p, section_kind, current, concerned, opened)
        if speaker is None and current is not None:
            current.paragraphs.append(i)
            continue
        if speaker is None:
            speaker = Speaker(UNKNOWN, UNKNOWN if section_kind in (UNKNOWN, "panel") else section_kind)
        # A label line ("Ms. X, Chair of …" alone) names the speaker of the paragraphs after it.
        label_only = speaker.kind == "panel" and _PERSON.fullmatch(p.text.rstrip(".")) is not None
        opened.append(_Open(speaker=speaker, section=section_name, paragraphs=[] if label_only else [i]))
        if speaker.kind == "country_concerned" or (section_kind == "country_concerned" and concerned is None):
            concerned = speaker.name

    known = [o for o in opened if o.speaker.name != UNKNOWN]
    if not headings or len(known) < max(2, len(opened) // 3):
        warnings.append("no dialogue structure recognised: statements are marked with an unknown speaker")
        opened = [_Open(Speaker(UNKNOWN, UNKNOWN), "", [i]) for i in range(first_section, end)] if not headings else [
            _Open(Speaker(UNKNOWN, UNKNOWN), o.section, o.paragraphs) for o in opened
        ]
    statements = tuple(
        _statement(o, n + 1, document_id, paras, starts, text) for n, o in enumerate(opened) if o.paragraphs
    )
    warnings.extend(_check_participation(_participation(facts), statements))
    info = DocumentInfo(
        document_id=document_id,
        title=info_title,
        session=session,
        date=date_iso,
        date_text=date_text,
        participation=_participation(facts),
        source=source,
        pages=page_count or max((p.page_end for p in paras), default=0),
        statements=len(statements),
        warnings=tuple(warnings),
    )
    return Document(info=info, text=text, statements=statements)


# ---------------------------------------------------------------- sections and metadata


def _is_heading(text: str) -> bool:
    if len(text) > 100 or text.endswith((".", ",", ";")) or _PERSON.match(text):
        return False
    return text.isupper() or len(text.split()) <= 10


def _section_kind(heading: str) -> str | None:
    h = heading.lower()
    if "facts" in h or "figures" in h or "participation" in h:
        return "facts"
    if "country concerned" in h or "concerned country" in h or "concerned state" in h:
        return "country_concerned"
    if "non-governmental" in h or "non governmental" in h or re.search(r"\bngos?\b", h) or "civil society" in h or "national human rights institution" in h:
        return "ngo"
    if "intergovernmental" in h or "inter-governmental" in h or re.search(r"\bigos?\b", h) or "organizations" in h and "international" in h:
        return "igo"
    if re.search(r"\bstates?\b|delegations?|member states|observer states|countries", h):
        return "state"
    if re.search(r"presentation|opening|introduct|concluding|closing|remarks|report\b|statement by|statement of|update|response|repl", h):
        return "panel"
    return None


def _title_metadata(block: list[str]) -> tuple[str, str | None, str | None, str | None]:
    joined = "\n".join(block)
    title = next((line for line in block if re.match(r"(?i)(enhanced\s+)?interactive dialogue|panel discussion|general debate|annual", line)), None)
    if title is None:
        candidates = [line for line in block if not line.isupper() and not _SESSION.search(line)]
        title = max(candidates, key=len, default=block[0] if block else "")
    session_match = _SESSION.search(joined)
    session = f"HRC{session_match.group(2)}" if session_match else None
    date_match = _DATE.search(joined)
    date_text = date_iso = None
    if date_match:
        months = _MONTHS.split("|")
        date_text = date_match.group(0)
        date_iso = f"{date_match.group(3)}-{months.index(date_match.group(2)) + 1:02d}-{int(date_match.group(1)):02d}"
    return title.strip(), session, date_text, date_iso


def _country_concerned(title: str) -> str | None:
    """The country a dialogue is about: the last state named in its title ("… in Belarus")."""
    names = [m for m in gazetteer.find_names(title, ("state",)) if m.form == "name"]
    return names[-1].canonical if names else None


def _trailing_figures(paras: list[Paragraph]) -> list[str]:
    tail: list[str] = []
    for p in reversed(paras):
        if re.match(r"^[-•]?\s*(?:including\s+)?\d+\s+\D", p.text, re.I) and len(p.text) < 80:
            tail.insert(0, p.text)
        else:
            break
    return tail


def _participation(lines: list[str]) -> tuple[Participation, ...]:
    figures = []
    for line in lines:
        for part in line.split("\n"):
            match = re.match(r"^[-•*]?\s*(?:including\s+)?(\d+)\s+(.+?)\s*$", part.strip(), re.I)
            if match:
                figures.append(Participation(label=match.group(2), count=int(match.group(1)), text=part.strip(" -•*")))
    return tuple(figures)


def _check_participation(figures: tuple[Participation, ...], statements) -> list[str]:
    """Compare the document's own participation figures with the statements found."""
    expected = {"state": r"state deleg|states?\b|delegations", "igo": r"inter-?governmental", "ngo": r"non-governmental|ngo"}
    warnings = []
    for kind, pattern in expected.items():
        figure = next((p for p in figures if re.search(pattern, p.label, re.I) and not p.label.lower().startswith("including")), None)
        found = sum(1 for s in statements if s.speaker_type == kind)
        if figure is not None and figure.count != found:
            warnings.append(f"the document reports {figure.text} but {found} {kind} statements were found")
    return warnings


# ---------------------------------------------------------------- speakers


def _speaker_of(p: Paragraph, kind: str, current: _Open | None, concerned: str | None, opened: list[_Open]) -> Speaker | None:
    """The speaker a paragraph opens with, or None when it continues the current statement."""
    text = p.text
    person = _PERSON.match(text)
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
    person = _PERSON.match(body)
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
        if m.form == "name" and lead.endswith(",") and _REPORTING_VERB.match(first[m.end:].lstrip()) and len(lead) < 200:
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
    return bool(_REPORTING_VERB.match(after)) or bool(re.match(r"^[a-z]+s\b", after))


def _has_reporting_verb(sentence: str) -> bool:
    return any(_REPORTING_VERB.match(m.group(0)) for m in re.finditer(r"\b[a-z]+\b", sentence))


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


def _spoke_nationally(name: str, opened: list[_Open]) -> bool:
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


# ---------------------------------------------------------------- statements


def _statement(o: _Open, order: int, document_id: str, paras: list[Paragraph], starts: list[int], text: str) -> Statement:
    first, last = o.paragraphs[0], o.paragraphs[-1]
    # Statements are contiguous runs of paragraphs (continuations follow their opener).
    char_start = starts[first]
    char_end = starts[last] + len(paras[last].text)
    body_paras = [paras[i] for i in range(first, last + 1)]
    body = text[char_start:char_end]
    sentences = []
    para_offsets = []
    cursor = 0
    for bp in body_paras:
        para_offsets.append(cursor)
        cursor += len(bp.text) + 2
    for index, (s, e) in enumerate(_sentences_in(body, para_offsets)):
        k = max(j for j, off in enumerate(para_offsets) if off <= s)
        page = body_paras[k].page_at(s - para_offsets[k])
        sentences.append(Sentence(index=index, text=body[s:e], char_start=s, char_end=e, page=page))
    return Statement(
        statement_id=f"{document_id}:{order:03d}",
        document_id=document_id,
        order=order,
        speaker=o.speaker.name,
        speaker_type=o.speaker.kind if o.speaker.kind != "org" else UNKNOWN,
        on_behalf_of=o.speaker.on_behalf_of,
        role=o.speaker.role,
        section=o.section,
        page_start=body_paras[0].page_start,
        page_end=body_paras[-1].page_end,
        text=body,
        char_start=char_start,
        char_end=char_end,
        sentences=tuple(sentences),
    )


def _sentences_in(body: str, para_offsets: list[int]) -> list[tuple[int, int]]:
    spans = []
    bounds = para_offsets + [len(body) + 2]
    for a, b in zip(bounds, bounds[1:]):
        chunk = body[a:b - 2] if b - 2 <= len(body) else body[a:]
        spans.extend((a + s, a + e) for s, e in sentence_spans(chunk))
    return spans
