"""HTML for the chat UI: answers, markers, source cards, speaker pages, the header (pure functions).

Everything that comes from users, documents or the engine is escaped here (`html.escape`)
before it reaches the browser. Chat messages are sent as one line of HTML, which the chat's
Markdown renderer passes through untouched; the only markup in the page is the markup this
module writes itself.

Permalinks are relative (`?statement=…`). Text meant to leave the page (copy buttons) writes
them as `{BASE}?statement=…`; the page's script replaces `{BASE}` with the app's own address,
which only the browser knows for sure (proxies, sub-paths, iframes, web components).
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from assistant.models import SPEAKER_TYPE_LABELS, Answer, Citation, DocumentInfo, Statement

MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]")
BOLD = re.compile(r"\*\*(.+?)\*\*")
BASE = "{BASE}"
CONTEXT_CHARS = 240
THINKING = (
    '<div class="msg thinking" role="status"><span class="spinner" aria-hidden="true"></span>'
    "<em>Reading the statements…</em></div>"
)
POSITION_LABELS = {"supportive": "supportive", "critical": "critical", "neutral": "neutral"}
STANCE_OBJECTS = {"mandate": "the mandate and its report", "country": "the country concerned"}


def esc(text: str) -> str:
    """Text for an HTML context."""
    return html.escape(str(text), quote=True)


def attr(text: str) -> str:
    """Text for an attribute value of a one-line message (a raw line break would end the chat's HTML block)."""
    return esc(text).replace("\r", "&#13;").replace("\n", "&#10;")


def type_label(speaker_type: str) -> str:
    return SPEAKER_TYPE_LABELS.get(speaker_type, speaker_type)


def speaker_line(speaker: str, speaker_type: str, on_behalf_of: str | None) -> str:
    """'France (state)' or 'Poland (state, on behalf of the Nordic-Baltic group)', plain text."""
    behalf = f", on behalf of {on_behalf_of}" if on_behalf_of else ""
    return f"{speaker} ({type_label(speaker_type)}{behalf})"


def anchor(turn: int, n: int) -> str:
    return f"src-{turn}-{n}"


def permalink(statement_id: str, start: int | None = None, end: int | None = None) -> str:
    link = f"?statement={quote(statement_id, safe=':')}"
    if start is not None and end is not None:
        link += f"&mark={start}-{end}"
    return link


def speaker_link(speaker: str) -> str:
    return f"?speaker={quote(speaker, safe='')}"


# ---------------------------------------------------------------- chat text


def marker_html(c: Citation, turn: int) -> str:
    """A [n] marker: a link to its source card, named for screen readers by who said it and where.

    The chat's sanitizer drops data- and aria- attributes, so the hover preview reads the card itself.
    """
    return (
        f'<a href="#{anchor(turn, c.n)}" class="cite" title="Show source {c.n}">[{c.n}]'
        f'<span class="sr-only"> {esc(c.speaker)}, {esc(type_label(c.speaker_type))}, page {c.page}</span></a>'
    )


def _markers(text: str, citations: dict[int, Citation], turn: int) -> str:
    """Escaped text whose [n] markers (for cited n) are links to the source cards."""
    out: list[str] = []
    position = 0
    for match in MARKER.finditer(text):
        numbers = [int(x) for x in re.split(r"\s*[,;]\s*", match.group(1))]
        if not all(n in citations for n in numbers):
            continue
        out.append(esc(text[position:match.start()]))
        out.append("".join(marker_html(citations[n], turn) for n in numbers))
        position = match.end()
    out.append(esc(text[position:]))
    return "".join(out)


def inline_html(text: str, citations: dict[int, Citation] | None = None, turn: int = 0) -> str:
    """One line of engine text as HTML: everything escaped; **bold** and [n] markers become markup."""
    citations = citations or {}
    out: list[str] = []
    position = 0
    for match in BOLD.finditer(text):
        out.append(_markers(text[position:match.start()], citations, turn))
        out.append(f"<strong>{_markers(match.group(1), citations, turn)}</strong>")
        position = match.end()
    out.append(_markers(text[position:], citations, turn))
    return "".join(out)


def text_blocks(text: str, citations: dict[int, Citation] | None = None, turn: int = 0) -> str:
    """Engine or user text as HTML blocks: paragraphs on blank lines, `- ` lines as a list, other breaks as <br>."""
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", str(text).strip()):
        items: list[str] = []
        plain: list[str] = []
        for line in (line.rstrip() for line in paragraph.split("\n")):
            bullet = re.match(r"^\s*[-*•]\s+(.*)$", line)
            if bullet:
                if plain:
                    blocks.append("<p>" + "<br>".join(inline_html(x, citations, turn) for x in plain) + "</p>")
                    plain = []
                items.append(inline_html(bullet.group(1), citations, turn))
            else:
                if items:
                    blocks.append("<ul>" + "".join(f"<li>{x}</li>" for x in items) + "</ul>")
                    items = []
                plain.append(line)
        if plain:
            blocks.append("<p>" + "<br>".join(inline_html(x, citations, turn) for x in plain) + "</p>")
        if items:
            blocks.append("<ul>" + "".join(f"<li>{x}</li>" for x in items) + "</ul>")
    return "".join(blocks)


def text_html(text: str, css_class: str = "msg") -> str:
    """User or streamed text as one line of HTML (so the chat's Markdown renderer leaves it alone)."""
    return f'<div class="{css_class}">' + text_blocks(text) + "</div>"


def copy_text(answer: Answer, markdown: bool, document: str | None = None) -> str:
    """The answer with its numbered sources and permalinks, for pasting into an article."""
    body = answer.answer.strip() if markdown else BOLD.sub(r"\1", answer.answer.strip())
    lines = [body]
    if answer.citations:
        lines += ["", "Sources:"]
        for c in answer.citations:
            who = speaker_line(c.speaker, c.speaker_type, c.on_behalf_of)
            if markdown:
                who = f"**{c.speaker}**" + who[len(c.speaker):]
            link = BASE + permalink(c.statement_id, c.char_start, c.char_end)
            lines.append(f"[{c.n}] {who}, p. {c.page}: “{c.quote}” {f'<{link}>' if markdown else link}")
    if document:
        lines += ["", f"Source document: {document}"]
    return "\n".join(lines)


def answer_html(answer: Answer, turn: int) -> str:
    """The answer for the chat: markers linked to their cards, notices, a sources list, copy buttons.

    What the copy buttons copy sits on the turn's section of the sources panel (`turn_section`).
    """
    citations = {c.n: c for c in answer.citations}
    parts = [text_blocks(answer.answer, citations, turn)]
    parts += [f'<p class="notice">{esc(n)}</p>' for n in answer.notices]
    if answer.citations:
        items = "".join(
            f"<li>{marker_html(c, turn)} <strong>{esc(c.speaker)}</strong> "
            f"({esc(type_label(c.speaker_type))}{', on behalf of ' + esc(c.on_behalf_of) if c.on_behalf_of else ''}), "
            f"p. {c.page}</li>"
            for c in answer.citations
        )
        parts.append(
            f'<details class="chat-sources"><summary>Sources ({len(answer.citations)})</summary>'
            f'<ul class="source-list">{items}</ul></details>'
        )
    parts.append(
        f'<p class="answer-tools"><a href="#copy-{turn}-markdown" role="button" class="copy-answer">Copy as Markdown</a>'
        f'<a href="#copy-{turn}-text" role="button" class="copy-answer">Copy as plain text</a></p>'
    )
    return '<div class="msg answer">' + "".join(parts) + "</div>"


# ---------------------------------------------------------------- source cards


def highlighted(text: str, start: int | None, end: int | None) -> str:
    """The escaped text with text[start:end] inside <mark>."""
    if start is None or end is None or not (0 <= start < end <= len(text)):
        return esc(text)
    return f"{esc(text[:start])}<mark>{esc(text[start:end])}</mark>{esc(text[end:])}"


def highlight_words(text: str, needle: str) -> str:
    """The escaped text with every case-insensitive occurrence of `needle` inside <mark>."""
    needle = needle.strip()
    if not needle:
        return esc(text)
    out, position = [], 0
    for match in re.finditer(re.escape(needle), text, re.IGNORECASE):
        out.append(esc(text[position:match.start()]) + f"<mark>{esc(match.group(0))}</mark>")
        position = match.end()
    return "".join(out) + esc(text[position:])


def excerpt(text: str, start: int, end: int, context: int = CONTEXT_CHARS) -> str:
    """The quote marked, with some context on both sides cut at word boundaries."""
    left = max(0, start - context)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    right = min(len(text), end + context)
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    return (
        ("… " if left > 0 else "")
        + esc(text[left:start]) + "<mark>" + esc(text[start:end]) + "</mark>" + esc(text[end:right])
        + (" …" if right < len(text) else "")
    )


def stance_html(statement: Statement | None) -> str:
    """The statement's positions, each with its verified quote; says so plainly when none was computed."""
    if statement is None:
        return ""
    if not statement.stances:
        return '<div class="src-stance src-stance-none">Stance: no stance computed for this statement.</div>'
    rows = []
    for stance in statement.stances:
        quote_html = ""
        if stance.sentence is not None and 0 <= stance.sentence < len(statement.sentences):
            sentence = statement.sentences[stance.sentence]
            # Only a quote that is verbatim in the statement is shown.
            if statement.text[sentence.char_start:sentence.char_end] == sentence.text:
                quote_html = (
                    f' <a class="src-stance-quote" href="{esc(permalink(statement.statement_id, sentence.char_start, sentence.char_end))}" '
                    f'target="_blank" rel="noopener">“{esc(sentence.text)}”</a>'
                )
        position = POSITION_LABELS.get(stance.position, stance.position)
        rows.append(
            f'<li><span class="stance stance-{esc(stance.position)}">{esc(position)}</span> '
            f"towards {esc(STANCE_OBJECTS.get(stance.object, stance.object))}{quote_html}</li>"
        )
    return f'<div class="src-stance"><span class="src-stance-title">Stance</span><ul>{"".join(rows)}</ul></div>'


def _card_head(n: int | None, speaker: str, speaker_type: str, on_behalf_of: str | None, page: str, role: str | None = None) -> str:
    number = f'<span class="src-n">{n}</span>' if n is not None else ""
    behalf = f'<span class="src-behalf">on behalf of {esc(on_behalf_of)}</span>' if on_behalf_of else ""
    role_html = f'<span class="src-role">{esc(role)}</span>' if role else ""
    name = (
        f'<a class="src-speaker" href="{esc(speaker_link(speaker))}" target="_blank" rel="noopener" title="Every statement of {esc(speaker)}">{esc(speaker)}</a>'
        if speaker and speaker != "unknown" else f'<span class="src-speaker">{esc(speaker)}</span>'
    )
    return (
        f'<div class="src-head">{number}{name}'
        f'<span class="src-type src-type-{esc(speaker_type)}">{esc(type_label(speaker_type))}</span>'
        f'{behalf}{role_html}<span class="src-page">{esc(page)}</span></div>'
    )


def citation_card(c: Citation, statement: Statement | None, turn: int, document_label: str | None = None) -> str:
    doc = f'<div class="src-doc">{esc(document_label)}</div>' if document_label else ""
    if statement is not None and statement.text[c.char_start:c.char_end] == c.quote:
        body = f'<blockquote class="src-quote">{excerpt(statement.text, c.char_start, c.char_end)}</blockquote>'
        full = (
            f'<details class="src-full"><summary>Full statement</summary>'
            f'<p>{highlighted(statement.text, c.char_start, c.char_end)}</p></details>'
        )
    else:
        body = f'<blockquote class="src-quote"><mark>{esc(c.quote)}</mark></blockquote>'
        full = ""
    return (
        f'<article class="src-card" id="{anchor(turn, c.n)}" tabindex="-1" data-statement="{esc(c.statement_id)}" '
        f'aria-label="Source {c.n}: {esc(c.speaker)}, page {c.page}" data-quote="{attr(c.quote)}">'
        f"{_card_head(c.n, c.speaker, c.speaker_type, c.on_behalf_of, f'p. {c.page}', statement.role if statement else None)}"
        f"{doc}{body}{full}{stance_html(statement)}"
        f'<a class="src-link" href="{esc(permalink(c.statement_id, c.char_start, c.char_end))}" target="_blank" '
        f'rel="noopener">Permalink to this statement</a>'
        f'<a class="src-back" href="#chat">↑ Back to the conversation</a></article>'
    )


def pages_text(statement: Statement) -> str:
    if statement.page_start == statement.page_end:
        return f"p. {statement.page_start}"
    return f"pp. {statement.page_start}–{statement.page_end}"


def statement_card(statement: Statement, mark: tuple[int, int] | None = None, document_label: str | None = None) -> str:
    start, end = mark if mark else (None, None)
    doc = f'<div class="src-doc">{esc(document_label)}</div>' if document_label else ""
    link = permalink(statement.statement_id, start, end) if mark else permalink(statement.statement_id)
    return (
        f'<article class="src-card src-linked" id="statement-{esc(statement.statement_id)}" tabindex="-1" '
        f'data-statement="{esc(statement.statement_id)}">'
        f"{_card_head(None, statement.speaker, statement.speaker_type, statement.on_behalf_of, pages_text(statement), statement.role)}"
        f'{doc}<div class="src-order">Statement {statement.order} in the dialogue</div>'
        f'<p class="src-text">{highlighted(statement.text, start, end)}</p>'
        f"{stance_html(statement)}"
        f'<a class="src-link" href="{esc(link)}" target="_blank" rel="noopener">Permalink to this statement</a></article>'
    )


def speaker_page(speaker: str, statements: list[Statement], labels: dict[str, str]) -> str:
    """One speaker's statements in every indexed document, each with its permalink and stance."""
    documents = {s.document_id for s in statements}
    count = f"{len(statements)} statement{'s' if len(statements) != 1 else ''} in {len(documents)} document{'s' if len(documents) != 1 else ''}"
    exports = "".join(
        f'<a class="export-link" href="api/export/statements?speaker={quote(speaker, safe="")}&amp;format={fmt}" '
        f'download>{label}</a>'
        for fmt, label in (("markdown", "Markdown"), ("csv", "CSV"), ("json", "JSON"))
    )
    cards = "".join(statement_card(s, None, labels.get(s.document_id)) for s in statements)
    return (
        f'<section class="speaker-page" aria-label="Statements of {esc(speaker)}">'
        f'<h3 class="speaker-name">{esc(speaker)}</h3><p class="speaker-count">{esc(count)}</p>'
        f'<p class="speaker-export">Export: {exports}</p>{cards}</section>'
    )


def turn_section(turn: int, question: str, cards: list[str], notice: str | None = None, answer: Answer | None = None, document: str | None = None) -> str:
    """One turn's sources; it also holds what the copy buttons of that answer copy (Markdown and plain text)."""
    body = "".join(cards) if cards else f'<p class="src-empty">{esc(notice or "No statement was cited for this answer.")}</p>'
    copies = (
        f' data-copy-markdown="{attr(copy_text(answer, True, document))}" data-copy-text="{attr(copy_text(answer, False, document))}"'
        if answer is not None else ""
    )
    return (
        f'<section class="src-turn" data-turn="{turn}"{copies}><h4 class="src-question">'
        f'<span class="src-q">Q{turn}</span> {esc(question)}</h4>{body}</section>'
    )


def panel(sections: list[str], linked: str | None = None) -> str:
    """The sources panel: a linked statement or speaker page (if any), then every turn's sources, newest first."""
    parts = []
    if linked:
        parts.append(f'<section class="src-turn src-linked-turn"><h4 class="src-question">Linked</h4>{linked}</section>')
    parts.extend(reversed(sections))
    if not parts:
        return (
            '<div class="src-placeholder"><p><strong>Sources appear here.</strong></p>'
            "<p>Every answer cites who said it: click a marker such as <span class=\"cite\">[1]</span> "
            "to see the statement, the page and the quote highlighted in its context.</p></div>"
        )
    return '<div class="src-panel" role="region" aria-label="Sources">' + "".join(parts) + "</div>"


def document_label(info: DocumentInfo) -> str:
    bits = [info.title]
    when = info.date_text or info.date
    if info.session and info.session not in info.title:
        bits.insert(0, f"#{info.session}")
    if when:
        bits.append(when)
    return " · ".join(bits)


def document_banner(info: DocumentInfo) -> str:
    """A plain warning when the speakers of a document are not reliably recognised."""
    if not (info.low_confidence or info.warnings):
        return ""
    lines = []
    if info.low_confidence:
        reason = (
            f"it seems not to be in English ({info.language})" if info.language != "en"
            else f"only {info.confidence:.0%} of its text could be attributed to a named speaker"
        )
        lines.append(f"Speakers may not be recognised in this document: {reason}. Check every attribution against the text.")
    lines += [f"Note: {w}." if not w.endswith(".") else f"Note: {w}" for w in info.warnings]
    return '<div class="hrc-warning" role="alert">' + "".join(f"<p>{esc(x)}</p>" for x in lines) + "</div>"


def header_html(info: DocumentInfo | None = None) -> str:
    sub = ""
    if info is not None:
        participation = ", ".join(p.text for p in info.participation)
        sub = (
            f'<p class="hrc-doc">{esc(document_label(info))}'
            + (f' <span class="hrc-part">{esc(participation)}</span>' if participation else "")
            + "</p>" + document_banner(info)
        )
    return (
        '<header class="hrc-header"><h1>Who said what at the Human Rights Council</h1>'
        '<p class="hrc-tag">Ask about an interactive dialogue. Every answer names the delegation, expert or NGO '
        "and quotes their statement, with the page.</p>"
        f"{sub}</header>"
    )
