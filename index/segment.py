"""Turn clean paragraphs into statements, each attributed to one speaker, and read the document's facts.

Three layouts, chosen per document: the Geneva Centre layout, whose section headings say who
speaks (`index/sections.py`); labelled statements, where a label names the speaker ("Brazil: …", a
name on its own line above the text; `index/labels.py`), compilations of verbatim statements and verbatim
records among them ("Statement by the Delegation of Portugal", "Mr. Otieno (Kenya): …"; `index/verbatim.py`);
and any other summary (UN Geneva, OHCHR, news), where each paragraph's opening reporting clause names its
speaker (`index/summary.py`); an official record
that numbers its paragraphs (UN summary records) is read like the latter, without the numbers. A document in
another language is not attributed; every document gets a confidence (the share of its text
attributed to a named speaker) and a plain warning when it is low. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import re

from assistant import gazetteer
from assistant.models import Document, DocumentInfo, Participation, Sentence, Statement
from assistant.text import sentence_spans
from index import docmeta
from index.labels import body_start, find_labels, is_labelled, labelled_runs, lead_length
from index.load import Paragraph
from index.sections import PERSON_LINE, OpenStatement, Speaker, structured_runs
from index.summary import UNKNOWN, Participants, summary_runs
from index.vocabulary import vocabulary

LOW_CONFIDENCE = 0.5  # below this share of attributed text a document is flagged (DocumentInfo.low_confidence)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(rf"\b(\d{{1,2}})\s+({_MONTHS})\s+(\d{{4}})\b")
_SESSION = re.compile(r"#?\b(HRC)\s?(\d{1,3})\b", re.I)


def document_id_for(text: str) -> str:
    """Stable id for the same content: a digest of the normalised text."""
    return "doc-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def segment(paras: list[Paragraph], source: str = "", page_count: int = 0) -> Document:
    """Split paragraphs into attributed statements and read the document's metadata."""
    paras = _split_datelines(paras)
    # Labelled statements ("Brazil: …", "### Brazil" above the text) are read before the paragraphs of a record
    # are renumbered: "3. Kenya, on behalf of the African Group" is a numbered label, not a record's paragraph.
    labels = find_labels(paras, None)
    labelled = is_labelled(labels, paras)
    if labelled:  # the bullet, heading marks or number before a label are nobody's words
        paras = [_without_prefix(p, lead_length(p.text)) if i in labels and lead_length(p.text) else p
                 for i, p in enumerate(paras)]
    paras, numbered = (paras, None) if labelled else _numbered_record(paras)
    text = "\n\n".join(p.text for p in paras)
    starts = []
    offset = 0
    for p in paras:
        starts.append(offset)
        offset += len(p.text) + 2

    language = docmeta.language_of(text)
    all_headings = {i: _section_kind(p.text) for i, p in enumerate(paras) if _is_heading(p.text) and not (labelled and i in labels)}
    headings = {i: kind for i, kind in all_headings.items() if kind}
    # The Geneva Centre layout: sections whose headings say who speaks in them.
    structured = (language == "en" and numbered is None
                  and any(kind in ("state", "ngo", "igo", "country_concerned") for kind in headings.values()))
    structured = structured and not labelled
    first_section = min(headings, default=0) if structured else _body_start(paras)
    if labelled:
        first_section = body_start(labels, first_section, paras)
    # The id hashes the body only, so a PDF and its text (title blocks laid out differently) agree.
    document_id = document_id_for("\n\n".join(p.text for p in paras[min(first_section, len(paras) - 1):]) if paras else "")
    warnings: list[str] = []
    title_block = [p.text for p in paras[:first_section]] if (headings or not structured) else [p.text for p in paras[:1]]
    facts_at = next((i for i, kind in sorted(headings.items()) if kind == "facts"), None) if structured else None
    facts = [p.text for p in paras[facts_at + 1:]] if facts_at is not None else _trailing_figures(paras)
    end = facts_at if facts_at is not None else len(paras) - len(facts)
    info_title, session, date_text, date_iso = _title_metadata(title_block)
    held_text, held_iso = docmeta.meeting_date_in("\n".join(title_block))
    if held_iso:  # a record's "Held at … on 19 June 2025", not the issue date printed before it
        date_text, date_iso = held_text, held_iso
    if not info_title and paras:  # no title block: the first sentence names the document
        info_title = paras[0].text[: next((e for _, e in sentence_spans(paras[0].text)), 120)][:120].strip()
    opening = " ".join(p.text for p in paras[first_section:first_section + 2])
    session = session or docmeta.session_in("\n".join(title_block) + "\n" + opening) or docmeta.session_in(text)
    if date_iso is None:
        date_text, date_iso = docmeta.date_in("\n".join(title_block) + "\n" + opening)
    mandate = docmeta.mandate_in(info_title) or docmeta.mandate_in(opening)
    participants = Participants()

    if language != "en":
        opened = [OpenStatement(Speaker(UNKNOWN, UNKNOWN), "", [i]) for i in range(first_section, end)]
        warnings.append(
            f"this document appears to be written in {vocabulary().language_names.get(language, language)}, not English: "
            "its speakers are not attributed, so answers cannot say who said what"
        )
    elif structured:
        opened = structured_runs(paras, headings, first_section, end, _country_concerned(info_title), participants)
        known = [o for o in opened if o.speaker.name != UNKNOWN]
        if len(known) < max(2, len(opened) // 3):
            warnings.append("no dialogue structure recognised: statements are marked with an unknown speaker")
            opened = [OpenStatement(Speaker(UNKNOWN, UNKNOWN), o.section, o.paragraphs) for o in opened]
    elif labelled:
        labels = find_labels(paras, _country_concerned(info_title))
        sections = {i: all_headings[i] for i in all_headings if first_section <= i < end}
        opened = labelled_runs(paras, labels, sections, first_section, end, participants)
        if len([o for o in opened if o.speaker.name != UNKNOWN]) < 2:
            warnings.append("no dialogue structure recognised: statements are marked with an unknown speaker")
            opened = [OpenStatement(Speaker(UNKNOWN, UNKNOWN), o.section, o.paragraphs) for o in opened]
    else:
        sections = {i: all_headings[i] for i in all_headings
                    if first_section <= i < end and not docmeta.is_header_line(paras[i].text)}
        runs, participants = summary_runs([p.text for p in paras], sections, first_section, end, numbered=numbered)
        opened = [
            OpenStatement(Speaker(r.name, r.kind, r.on_behalf_of, r.role), r.section, r.paragraphs, collective=r.collective)
            for r in runs
        ]
        named = [o for o in opened if o.speaker.name != UNKNOWN]
        # One named speaker is enough when it is a mandate holder introduced with a role ("Erik Hansen,
        # Chair of the Working Group, said"): press releases often report only the presentation.
        if len(named) < 2 and not any(o.speaker.kind == "panel" and o.speaker.role for o in named):
            warnings.append("no dialogue structure recognised: statements are marked with an unknown speaker")
            opened = [OpenStatement(Speaker(UNKNOWN, UNKNOWN), o.section, o.paragraphs) for o in opened]
    statements = tuple(
        _statement(o, n + 1, document_id, paras, starts, text) for n, o in enumerate([o for o in opened if o.paragraphs])
    )
    confidence = 0.0 if language != "en" else _confidence(opened, paras)
    if language == "en" and confidence < LOW_CONFIDENCE:
        warnings.append(
            f"speakers are not recognised in this document (only {confidence:.0%} of its text is attributed to a named "
            "speaker): answers about who said what in it are unreliable"
        )
    warnings.extend(_check_participation(_participation(facts), statements))
    spoke = {s.speaker for s in statements}
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
        mandate=mandate,
        language=language,
        confidence=round(confidence, 3),
        listed_speakers=tuple(dict.fromkeys(n for n, _ in participants.listed if n not in spoke)),
        absent_speakers=tuple(dict.fromkeys(n for n in participants.absent if n not in spoke)),
    )
    return Document(info=info, text=text, statements=statements)


def _split_datelines(paras: list[Paragraph]) -> list[Paragraph]:
    """A leading "GENEVA (3 April 2024) – " becomes its own (header) paragraph, out of any statement."""
    out: list[Paragraph] = []
    for p in paras:
        cut = docmeta.dateline_length(p.text)
        if 0 < cut < len(p.text):
            out.append(Paragraph(text=p.text[:cut].rstrip(" -–—"), cues=(), pages=((0, p.page_start),)))
            rest = p.text[cut:]
            out.append(Paragraph(
                text=rest,
                cues=tuple((s - cut, e - cut) for s, e in p.cues if s >= cut),
                pages=tuple((max(0, o - cut), n) for o, n in p.pages if o - cut < len(rest)) or ((0, p.page_start),),
            ))
        else:
            out.append(p)
    return out


_PARAGRAPH_NUMBER = re.compile(r"^(\d{1,3})\.\s+(?=\S)")


def _numbered_record(paras: list[Paragraph]) -> tuple[list[Paragraph], frozenset[int] | None]:
    """An official record numbers its paragraphs ("12. Mr. Haddad (Lebanon) said …"): the numbers are removed
    (they are nobody's words, nor part of a speaker's name) and the indexes of the numbered paragraphs returned;
    None for any other document.

    A record when at least five paragraphs are numbered, mostly in sequence, and they are at least half of the
    paragraphs of prose: a numbered list inside a statement leaves a summary as it is.
    """
    numbers = [(i, int(m.group(1)), m.end()) for i, p in enumerate(paras) if (m := _PARAGRAPH_NUMBER.match(p.text))]
    prose = sum(1 for p in paras if p.text.endswith((".", "!", "?", '"', "”")))
    in_sequence = sum(1 for (_, a, _), (_, b, _) in zip(numbers, numbers[1:]) if b == a + 1)
    if len(numbers) < 5 or in_sequence < 0.8 * (len(numbers) - 1) or len(numbers) < prose / 2:
        return paras, None
    out = list(paras)
    for i, _, cut in numbers:
        out[i] = _without_prefix(paras[i], cut)
    return out, frozenset(i for i, _, _ in numbers)


def _without_prefix(p: Paragraph, cut: int) -> Paragraph:
    """The paragraph without its first `cut` characters, cues and page offsets moved with the text."""
    rest = p.text[cut:]
    return Paragraph(
        text=rest,
        cues=tuple((max(0, s - cut), e - cut) for s, e in p.cues if e > cut),
        pages=tuple((max(0, o - cut), n) for o, n in p.pages if o - cut < len(rest)) or ((0, p.page_start),),
    )


def _body_start(paras: list[Paragraph]) -> int:
    """First paragraph of running text: title, header and date lines come before it."""
    for i, p in enumerate(paras):
        if docmeta.is_header_line(p.text) or _is_heading(p.text) or p.text.isupper() or _is_title_case_line(p.text):
            continue
        if p.text.endswith((".", "!", "?", ":", '"', "”")) or len(p.text) > 200:
            return i
    return 0


def _is_title_case_line(text: str) -> bool:
    """A headline or subtitle in Title Case with no sentence end ("Council Hears Presentation of Reports …")."""
    if text.endswith((".", "!", "?", ":", '"', "”")):
        return False
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", text) if len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def _confidence(opened: list[OpenStatement], paras: list[Paragraph]) -> float:
    """Share of the body text attributed to a named speaker; collective text ("speakers said") is understood, not counted."""
    named = unknown = 0
    for o in opened:
        size = sum(len(paras[i].text) for i in o.paragraphs)
        if o.collective:
            continue
        if o.speaker.name == UNKNOWN:
            unknown += size
        else:
            named += size
    return named / (named + unknown) if named + unknown else 0.0


# ---------------------------------------------------------------- sections and metadata


def _is_heading(text: str) -> bool:
    if len(text) > 100 or text.endswith((".", ",", ";")) or PERSON_LINE.match(text):
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
    block = [re.sub(r"^#{1,6}\s+", "", line) for line in block]  # a Markdown export's title heading
    block = [line for line in block if not docmeta.is_header_line(line)] or block
    title = next((line for line in block if re.match(r"(?i)(enhanced\s+)?interactive dialogue|panel discussion|general debate|annual", line)), None)
    headline = vocabulary().title_prefix.sub("", block[0]) if block else ""
    if title is None and headline.isupper() and len(headline.split()) >= 4 and not _SESSION.search(headline):
        title = headline  # a UN Geneva headline in capitals, before its subtitle
    if title is None:
        candidates = [vocabulary().title_prefix.sub("", line) for line in block if not line.isupper() and not _SESSION.search(line)]
        # The headline comes first; a longer subtitle may follow it ("Council Hears Presentation of …").
        title = next((c for c in candidates if len(c) >= 40), None) or max(candidates, key=len, default=block[0] if block else "")
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
    """The country a dialogue is about: the last state named in its title ("… in Myanmar")."""
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


# ---------------------------------------------------------------- statements


def _statement(o: OpenStatement, order: int, document_id: str, paras: list[Paragraph], starts: list[int], text: str) -> Statement:
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
