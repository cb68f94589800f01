"""The chat UI (Gradio Blocks): streamed answers whose [n] markers open the cited statement.

Everything that comes from users, documents or the engine is escaped here (`html.escape`)
before it reaches the browser. Chat messages are sent as one line of HTML, which the chat's
Markdown renderer passes through untouched; the only markup in the page is the markup this
module writes itself (<strong>, lists, <a class="cite">, <mark>, source cards).
"""

from __future__ import annotations

import html
import logging
import re
from urllib.parse import quote

import gradio as gr

from assistant.errors import UserError
from assistant.models import Answer, Citation, Statement
from assistant.settings import Settings

log = logging.getLogger("hrc_assistant.ui")

EXAMPLES = (
    "What did France say about political prisoners?",
    "Which countries called for the return of Ukrainian children?",
    "Which NGOs mentioned Viasna?",
    "How many state delegations took part?",
)
FOLLOW_UP = "And China?"
ALL_DOCUMENTS = "*all*"
TYPE_LABELS = {
    "panel": "expert panel",
    "country_concerned": "country concerned",
    "state": "state",
    "igo": "intergovernmental organisation",
    "ngo": "NGO",
    "unknown": "unknown",
}
TYPE_CHOICES = [
    ("Experts (panel)", "panel"),
    ("Country concerned", "country_concerned"),
    ("States", "state"),
    ("Intergovernmental organisations", "igo"),
    ("NGOs", "ngo"),
]
MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
THINKING = '<div class="msg thinking"><p><em>Reading the statements…</em></p></div>'
MAX_TURNS_IN_PANEL = 12
CONTEXT_CHARS = 240


# ---------------------------------------------------------------- escaping and rendering (pure functions)


def esc(text: str) -> str:
    """Text for an HTML context."""
    return html.escape(str(text), quote=True)


def _markers(text: str, known: set[int], turn: int) -> str:
    """Escaped text whose [n] markers (for known n) are links to the source cards."""
    out: list[str] = []
    position = 0
    for match in MARKER.finditer(text):
        numbers = [int(x) for x in re.split(r"\s*[,;]\s*", match.group(1))]
        if not all(n in known for n in numbers):
            continue
        out.append(esc(text[position:match.start()]))
        out.append("".join(
            f'<a href="#{anchor(turn, n)}" class="cite" data-cite="{anchor(turn, n)}" title="Show source {n}">[{n}]</a>'
            for n in numbers
        ))
        position = match.end()
    out.append(esc(text[position:]))
    return "".join(out)


def inline_html(text: str, known: set[int] = frozenset(), turn: int = 0) -> str:
    """One line of engine text as HTML: everything escaped; **bold** and [n] markers become markup."""
    out: list[str] = []
    position = 0
    for match in _BOLD.finditer(text):
        out.append(_markers(text[position:match.start()], known, turn))
        out.append(f"<strong>{_markers(match.group(1), known, turn)}</strong>")
        position = match.end()
    out.append(_markers(text[position:], known, turn))
    return "".join(out)


def text_html(text: str, known: set[int] = frozenset(), turn: int = 0, css_class: str = "msg") -> str:
    """Engine or user text as one line of HTML (so the chat's Markdown renderer leaves it alone).

    Paragraphs on blank lines, `- ` lines as a list, other line breaks as <br>.
    """
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", str(text).strip()):
        lines = [line.rstrip() for line in paragraph.split("\n")]
        items: list[str] = []
        plain: list[str] = []

        def flush_plain():
            if plain:
                blocks.append("<p>" + "<br>".join(inline_html(x, known, turn) for x in plain) + "</p>")
                plain.clear()

        def flush_items():
            if items:
                blocks.append("<ul>" + "".join(f"<li>{x}</li>" for x in items) + "</ul>")
                items.clear()

        for line in lines:
            bullet = re.match(r"^\s*[-*•]\s+(.*)$", line)
            if bullet:
                flush_plain()
                items.append(inline_html(bullet.group(1), known, turn))
            else:
                flush_items()
                plain.append(line)
        flush_plain()
        flush_items()
    return f'<div class="{css_class}">' + "".join(blocks) + "</div>"


def type_label(speaker_type: str) -> str:
    return TYPE_LABELS.get(speaker_type, speaker_type)


def speaker_line(speaker: str, speaker_type: str, on_behalf_of: str | None) -> str:
    """'France (state)' or 'Poland (state, on behalf of the Nordic-Baltic group)', plain text."""
    behalf = f", on behalf of {on_behalf_of}" if on_behalf_of else ""
    return f"{speaker} ({type_label(speaker_type)}{behalf})"


def anchor(turn: int, n: int) -> str:
    return f"src-{turn}-{n}"


def answer_html(answer: Answer, turn: int) -> str:
    """The answer for the chat: escaped, with each [n] marker a link to its source card."""
    body = text_html(answer.answer, {c.n for c in answer.citations}, turn, "msg answer")
    notices = "".join(f'<p class="notice">{esc(n)}</p>' for n in answer.notices)
    return body[: -len("</div>")] + notices + "</div>" if notices else body


def sources_html(answer: Answer, turn: int) -> str:
    """The 'Sources' message of the chat: one line per citation, each linking to its card."""
    items = []
    for c in answer.citations:
        behalf = f", on behalf of {esc(c.on_behalf_of)}" if c.on_behalf_of else ""
        items.append(
            f'<li><a href="#{anchor(turn, c.n)}" class="cite" data-cite="{anchor(turn, c.n)}">[{c.n}]</a> '
            f"<strong>{esc(c.speaker)}</strong> ({esc(type_label(c.speaker_type))}{behalf}), p. {c.page}: "
            f"“{esc(c.quote)}”</li>"
        )
    return '<div class="msg sources"><ul class="source-list">' + "".join(items) + "</ul></div>"


def attributed_text(answer: Answer, document_label: str | None = None) -> str:
    """Plain text for pasting into an article: the answer, then the numbered sources."""
    lines = [_BOLD.sub(r"\1", answer.answer.strip())]
    if answer.citations:
        lines += ["", "Sources:"]
        for c in answer.citations:
            lines.append(f"[{c.n}] {speaker_line(c.speaker, c.speaker_type, c.on_behalf_of)}, p. {c.page}: “{c.quote}”")
    if document_label:
        lines += ["", f"Source document: {document_label}"]
    return "\n".join(lines)


def highlighted(text: str, start: int | None, end: int | None) -> str:
    """The escaped text with text[start:end] inside <mark>."""
    if start is None or end is None or not (0 <= start < end <= len(text)):
        return esc(text)
    return f"{esc(text[:start])}<mark>{esc(text[start:end])}</mark>{esc(text[end:])}"


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


def permalink(statement_id: str, start: int | None = None, end: int | None = None) -> str:
    link = f"?statement={quote(statement_id, safe=':')}"
    if start is not None and end is not None:
        link += f"&mark={start}-{end}"
    return link


def _card_head(n: int | None, speaker: str, speaker_type: str, on_behalf_of: str | None, page: str, role: str | None = None) -> str:
    number = f'<span class="src-n">{n}</span>' if n is not None else ""
    behalf = f'<span class="src-behalf">on behalf of {esc(on_behalf_of)}</span>' if on_behalf_of else ""
    role_html = f'<span class="src-role">{esc(role)}</span>' if role else ""
    return (
        f'<div class="src-head">{number}<span class="src-speaker">{esc(speaker)}</span>'
        f'<span class="src-type src-type-{esc(speaker_type)}">{esc(type_label(speaker_type))}</span>'
        f'{behalf}{role_html}<span class="src-page">{esc(page)}</span></div>'
    )


def citation_card(c: Citation, statement: Statement | None, turn: int, document_label: str | None = None) -> str:
    page = f"p. {c.page}"
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
        f'<article class="src-card" id="{anchor(turn, c.n)}" data-statement="{esc(c.statement_id)}">'
        f"{_card_head(c.n, c.speaker, c.speaker_type, c.on_behalf_of, page, statement.role if statement else None)}"
        f"{doc}{body}{full}"
        f'<a class="src-link" href="{esc(permalink(c.statement_id, c.char_start, c.char_end))}" target="_blank" '
        f'rel="noopener">Permalink to this statement</a>'
        f'<a class="src-back" href="#chat">↑ Back to the conversation</a></article>'
    )


def statement_card(statement: Statement, mark: tuple[int, int] | None = None, document_label: str | None = None) -> str:
    pages = f"p. {statement.page_start}" if statement.page_start == statement.page_end else f"pp. {statement.page_start}–{statement.page_end}"
    start, end = mark if mark else (None, None)
    doc = f'<div class="src-doc">{esc(document_label)}</div>' if document_label else ""
    link = permalink(statement.statement_id, start, end) if mark else permalink(statement.statement_id)
    return (
        f'<article class="src-card src-linked" id="statement-{esc(statement.statement_id)}" data-statement="{esc(statement.statement_id)}">'
        f"{_card_head(None, statement.speaker, statement.speaker_type, statement.on_behalf_of, pages, statement.role)}"
        f'{doc}<div class="src-order">Statement {statement.order} in the dialogue</div>'
        f'<p class="src-text">{highlighted(statement.text, start, end)}</p>'
        f'<a class="src-link" href="{esc(link)}" target="_blank" rel="noopener">Permalink to this statement</a></article>'
    )


def turn_section(turn: int, question: str, cards: list[str], notice: str | None = None) -> str:
    body = "".join(cards) if cards else f'<p class="src-empty">{esc(notice or "No statement was cited for this answer.")}</p>'
    return (
        f'<section class="src-turn" data-turn="{turn}"><h4 class="src-question">'
        f'<span class="src-q">Q{turn}</span> {esc(question)}</h4>{body}</section>'
    )


def panel(sections: list[str], linked: str | None = None) -> str:
    """The sources panel: a linked statement (if any), then each turn's sources, newest first."""
    parts = []
    if linked:
        parts.append(f'<section class="src-turn src-linked-turn"><h4 class="src-question">Linked statement</h4>{linked}</section>')
    parts.extend(reversed(sections[-MAX_TURNS_IN_PANEL:]))
    if not parts:
        return (
            '<div class="src-placeholder"><p><strong>Sources appear here.</strong></p>'
            "<p>Every answer cites who said it: click a marker such as <span class=\"cite\">[1]</span> "
            "to see the statement, the page and the quote highlighted in its context.</p></div>"
        )
    return '<div class="src-panel">' + "".join(parts) + "</div>"


def document_label(info) -> str:
    bits = [info.title]
    when = info.date_text or info.date
    if info.session and info.session not in info.title:
        bits.insert(0, f"#{info.session}")
    if when:
        bits.append(when)
    return " · ".join(bits)


def header_html(info=None) -> str:
    sub = ""
    if info is not None:
        participation = ", ".join(p.text for p in info.participation)
        sub = (
            f'<p class="hrc-doc">{esc(document_label(info))}'
            + (f' <span class="hrc-part">{esc(participation)}</span>' if participation else "")
            + "</p>"
        )
    return (
        '<header class="hrc-header"><h1>Who said what at the Human Rights Council</h1>'
        '<p class="hrc-tag">Ask about an interactive dialogue. Every answer names the delegation, expert or NGO '
        "and quotes their statement, with the page.</p>"
        f"{sub}</header>"
    )


# ---------------------------------------------------------------- look and feel

CSS = """
.gradio-container { max-width: 1280px !important; margin: 0 auto; }
.hrc-header { padding: 4px 2px 2px; }
.hrc-header h1 { font-size: 1.55rem; margin: 0 0 4px; color: var(--hrc-ink); letter-spacing: -0.01em; }
.hrc-header .hrc-tag { margin: 0; color: var(--body-text-color-subdued); }
.hrc-header .hrc-doc { margin: 6px 0 0; font-weight: 600; }
.hrc-header .hrc-part { font-weight: 400; color: var(--body-text-color-subdued); }
:root { --hrc-ink: #0b3d63; --hrc-mark: #ffe58a; }
.dark { --hrc-ink: #9ed3f5; --hrc-mark: #8a6d00; }
a.cite, span.cite { font-weight: 700; text-decoration: none; color: var(--color-accent); padding: 0 1px; border-radius: 3px; white-space: nowrap; cursor: pointer; }
a.cite:hover { background: var(--color-accent-soft); }
#sources-panel { max-height: 78vh; overflow-y: auto; }
.src-placeholder { color: var(--body-text-color-subdued); padding: 8px 4px; }
.src-turn { margin-bottom: 14px; }
.src-question { margin: 4px 0 8px; font-size: 0.95rem; color: var(--hrc-ink); }
.src-q { display: inline-block; font-size: 0.75rem; background: var(--hrc-ink); color: white; border-radius: 4px; padding: 0 5px; margin-right: 4px; }
.src-card { border: 1px solid var(--border-color-primary); border-left: 4px solid var(--color-accent); border-radius: 8px; padding: 10px 12px; margin: 0 0 10px; background: var(--block-background-fill); scroll-margin-top: 12px; transition: box-shadow .3s, background .3s; }
.src-card.src-flash { box-shadow: 0 0 0 3px var(--color-accent-soft); background: var(--color-accent-soft); }
.src-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px; margin-bottom: 6px; }
.src-n { font-weight: 700; color: var(--color-accent); }
.src-n::before { content: "["; } .src-n::after { content: "]"; }
.src-speaker { font-weight: 700; font-size: 1.02rem; }
.src-type { font-size: 0.72rem; text-transform: uppercase; letter-spacing: .04em; border-radius: 999px; padding: 1px 8px; background: var(--neutral-100); color: var(--neutral-700); }
.dark .src-type { background: var(--neutral-700); color: var(--neutral-100); }
.src-type-state { background: #e0efff; color: #0b4f8a; } .src-type-ngo { background: #e6f6ea; color: #1d6b35; }
.src-type-panel { background: #f3e8ff; color: #5b2a86; } .src-type-country_concerned { background: #fff0e0; color: #8a4b00; }
.src-type-igo { background: #e8f4f4; color: #165f5f; }
.src-behalf, .src-role, .src-doc, .src-order { font-size: 0.85rem; color: var(--body-text-color-subdued); }
.src-page { margin-left: auto; font-size: 0.85rem; font-variant-numeric: tabular-nums; color: var(--body-text-color-subdued); }
.src-quote { margin: 4px 0 6px; padding: 2px 0 2px 10px; border-left: 3px solid var(--border-color-primary); line-height: 1.5; }
.src-card mark { background: var(--hrc-mark); color: inherit; padding: 0 2px; border-radius: 2px; }
.src-full summary { cursor: pointer; font-size: 0.85rem; color: var(--color-accent); }
.src-full p, .src-text { line-height: 1.55; white-space: pre-wrap; }
.src-link, .src-back { font-size: 0.8rem; }
.src-back { display: none; margin-left: 12px; }
.src-empty { color: var(--body-text-color-subdued); font-style: italic; }
#examples, #follow-ups { flex-wrap: wrap; gap: 6px; }
#examples button, #follow-ups button { flex: 0 1 auto !important; min-width: 0 !important; width: auto; white-space: normal; text-align: left; border-radius: 999px; padding: 4px 12px; }
#follow-ups button { border: 1px dashed var(--color-accent); }
.chat-empty { text-align: center; padding: 12px; color: var(--body-text-color-subdued); max-width: 34em; margin: auto; }
.chat-empty-lead { font-size: 1.15rem; font-weight: 600; color: var(--hrc-ink); }
.msg p { margin: 0 0 6px; } .msg p:last-child { margin-bottom: 0; } .msg ul { margin: 4px 0 0 1.1em; padding: 0; }
.msg strong { font-size: inherit; } .msg .notice { font-style: italic; color: var(--body-text-color-subdued); }
.source-list { list-style: none; margin: 0 !important; padding: 0 !important; font-size: 0.9rem; }
.source-list li { margin: 0 0 6px; }
#copy-box textarea, #speaker-table, #speaker-table * { font-family: var(--font) !important; }
@media (max-width: 640px) {
  .hrc-header h1 { font-size: 1.2rem; }
  .hrc-header .hrc-tag, .hrc-header .hrc-part { display: none; }
  .hrc-header .hrc-doc { font-size: 0.85rem; font-weight: 400; }
  #sources-panel { max-height: none; }
  #chat { height: 58vh !important; }
  .src-card { padding: 8px 10px; }
  .src-back { display: inline; }
}
"""

# Runs once when the app loads (also inside a <gradio-app> web component): a click on a
# citation marker scrolls to its source card, opens it and flashes it; no navigation.
JS = r"""
() => {
  if (window.__hrcCiteHandler) return;
  window.__hrcCiteHandler = true;
  const roots = () => {
    const found = [document];
    document.querySelectorAll('gradio-app').forEach((app) => { if (app.shadowRoot) found.push(app.shadowRoot); });
    return found;
  };
  const locate = (id) => {
    for (const root of roots()) {
      const el = root.getElementById ? root.getElementById(id) : root.querySelector('#' + CSS.escape(id));
      if (el) return el;
    }
    return null;
  };
  document.addEventListener('click', (event) => {
    const link = event.composedPath().find((el) => el instanceof Element && el.matches && el.matches('a.cite, a[href^="#src-"], a.src-back'));
    if (!link) return;
    const id = (link.getAttribute('data-cite') || link.getAttribute('href') || '').replace(/^#/, '');
    if (!id) return;
    event.preventDefault();
    event.stopPropagation();
    if (link.classList.contains('src-back')) {
      const chat = locate(id);
      if (chat) chat.scrollIntoView({behavior: 'smooth', block: 'start'});
      return;
    }
    const card = locate(id);
    if (!card) return;
    for (let p = card.parentElement; p; p = p.parentElement) { if (p.tagName === 'DETAILS') p.open = true; }
    const full = card.querySelector('details.src-full');
    if (full) full.open = true;
    card.scrollIntoView({behavior: 'smooth', block: 'start'});
    card.classList.add('src-flash');
    setTimeout(() => card.classList.remove('src-flash'), 1600);
  }, true);
}
"""


def theme():
    return gr.themes.Default(
        # System fonts only: nothing to download, and they read well on every platform.
        font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Noto Sans", "Liberation Sans", "Arial", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono", "monospace"],
        primary_hue=gr.themes.colors.sky,
        secondary_hue=gr.themes.colors.blue,
        neutral_hue=gr.themes.colors.slate,
        radius_size=gr.themes.sizes.radius_md,
    ).set(
        color_accent="#0077b6",
        color_accent_soft="#dbeefb",
        button_primary_background_fill="#0b5c96",
        button_primary_background_fill_hover="#0a4f82",
        button_primary_text_color="white",
    )


# ---------------------------------------------------------------- the app


class ChatUI:
    """The callbacks of the Blocks, bound to one `Assistant`."""

    def __init__(self, settings: Settings, assistant):
        self.settings = settings
        self.assistant = assistant

    # ---- data

    def _documents(self) -> dict:
        return self.assistant.documents()

    def _label_of(self, document_id: str | None) -> str | None:
        if not document_id:
            return None
        info = self._documents().get(document_id)
        return document_label(info) if info else None

    def document_choices(self) -> tuple[list[tuple[str, str]], str | None]:
        documents = self._documents()
        choices = [(document_label(info), doc_id) for doc_id, info in documents.items()]
        if len(choices) > 1:
            choices.append(("All documents", ALL_DOCUMENTS))
        default = self.assistant.default_document() if documents else None
        return choices, default

    def speaker_names(self, document_id: str | None) -> list[str]:
        if not document_id or document_id == ALL_DOCUMENTS:
            names: list[str] = []
            for doc_id in self._documents():
                names += [s.speaker for s in self.assistant.statements(doc_id)]
        else:
            names = [s.speaker for s in self.assistant.statements(document_id)]
        seen: dict[str, None] = {}
        for name in names:
            if name and name != "unknown":
                seen.setdefault(name, None)
        return list(seen)

    def table_rows(self, document_id: str | None, search: str = "") -> list[list]:
        if not document_id or document_id == ALL_DOCUMENTS:
            document_id = self.assistant.default_document()
        needle = (search or "").strip().casefold()
        rows = []
        for s in self.assistant.statements(document_id):
            haystack = f"{s.speaker} {s.on_behalf_of or ''} {type_label(s.speaker_type)} {s.text}".casefold()
            if needle and needle not in haystack:
                continue
            rows.append([s.order, s.speaker, type_label(s.speaker_type), s.on_behalf_of or "", s.page_start])
        return rows

    def linked_statement(self, statement_id: str, mark: str | None) -> str:
        statement = self.assistant.statement(statement_id)
        span = None
        if mark and re.fullmatch(r"\d{1,7}-\d{1,7}", mark):
            start, end = (int(x) for x in mark.split("-"))
            if 0 <= start < end <= len(statement.text):
                span = (start, end)
        return statement_card(statement, span, self._label_of(statement.document_id))

    # ---- callbacks

    def on_load(self, request=None):
        """Page load: documents, speakers, the header, and the statement of a `?statement=` permalink."""
        params = dict(request.query_params) if request is not None else {}
        try:
            choices, default = self.document_choices()
            info = self._documents().get(default) if default else None
            names = self.speaker_names(default) if default else []
            rows = self.table_rows(default) if default else []
        except UserError as error:
            gr.Warning(str(error))
            return gr.update(choices=[], value=None), gr.update(choices=[]), header_html(), panel([]), None, [], []
        except Exception:  # noqa: BLE001
            log.exception("loading the page data failed")
            gr.Warning("The assistant is not available right now; try again in a minute.")
            return gr.update(choices=[], value=None), gr.update(choices=[]), header_html(), panel([]), None, [], []
        linked = None
        statement_id = (params.get("statement") or "").strip()
        if statement_id:
            try:
                linked = self.linked_statement(statement_id[:200], params.get("mark"))
            except UserError as error:
                gr.Warning(str(error))
        return (
            gr.update(choices=choices, value=default),
            gr.update(choices=names, value=[]),
            header_html(info),
            panel([], linked),
            linked,
            rows,
            [],
        )

    def on_document(self, document_id, search):
        try:
            info = self._documents().get(document_id)
            return (
                gr.update(choices=self.speaker_names(document_id), value=[]),
                self.table_rows(document_id, search),
                header_html(info) if info else gr.skip(),
            )
        except UserError as error:
            gr.Warning(str(error))
            return gr.skip(), gr.skip(), gr.skip()

    def on_search(self, document_id, search):
        try:
            return self.table_rows(document_id, search)
        except UserError as error:
            gr.Warning(str(error))
            return gr.skip()

    def on_select_row(self, document_id, sections, event):
        """A click in the speakers table opens that statement (here and in the sources panel)."""
        try:
            row = getattr(event, "row_value", None)
            order = int(row[0]) if row else None
            if order is None:
                return gr.skip(), gr.skip(), gr.skip()
            doc = document_id if document_id and document_id != ALL_DOCUMENTS else self.assistant.default_document()
            statement = next((s for s in self.assistant.statements(doc) if s.order == order), None)
            if statement is None:
                return gr.skip(), gr.skip(), gr.skip()
            card = statement_card(statement, None, self._label_of(statement.document_id))
            return card, panel(list(sections or []), card), card
        except (UserError, ValueError, TypeError) as error:
            gr.Warning(str(error) if isinstance(error, UserError) else "That row cannot be opened.")
            return gr.skip(), gr.skip(), gr.skip()

    def respond(self, question, chat, turns, sections, linked, document_id, speaker_types, speakers, request=None):
        """Stream one answer into the chat and its sources into the panel.

        Outputs: chat, question box, turns, sections, sources panel, last answer, follow-ups row.
        """
        chat = list(chat or [])
        turns = list(turns or [])
        sections = list(sections or [])
        question = question if isinstance(question, str) else ""
        if not question.strip():
            gr.Warning("Type a question first, for example: What did France say about political prisoners?")
            yield chat, gr.skip(), turns, sections, gr.skip(), gr.skip(), gr.skip()
            return
        if self.settings.log_questions:
            log.info("ui question: %r (history %d)", question, len(turns))
        else:
            log.info("ui question of %d characters (history %d)", len(question), len(turns))
        turn = len(turns) // 2 + 1
        before = list(chat)
        chat.append({"role": "user", "content": text_html(question.strip(), css_class="msg question")})
        chat.append({"role": "assistant", "content": THINKING})
        yield chat, "", turns, sections, gr.skip(), gr.skip(), gr.skip()

        documents = document_id if document_id and document_id != ALL_DOCUMENTS else None
        text = ""
        answer = None
        try:
            for event in self.assistant.stream(
                question,
                history=turns,
                document_id=documents,
                all_documents=document_id == ALL_DOCUMENTS,
                speaker_types=list(speaker_types) if speaker_types else None,
                speakers=list(speakers) if speakers else None,
            ):
                if isinstance(event, Answer):
                    answer = event
                else:
                    text += str(event)
                    chat[-1] = {"role": "assistant", "content": text_html(text, css_class="msg answer")}
                    yield chat, gr.skip(), turns, sections, gr.skip(), gr.skip(), gr.skip()
        except UserError as error:
            gr.Warning(str(error))
            yield before, question, turns, sections, gr.skip(), gr.skip(), gr.skip()
            return
        except Exception:  # noqa: BLE001 - the user sees one sentence, the log has the traceback
            log.exception("answering in the UI failed")
            gr.Warning("Something went wrong while answering; please try again.")
            yield before, question, turns, sections, gr.skip(), gr.skip(), gr.skip()
            return
        if answer is None:
            gr.Warning("No answer came back; please try again.")
            yield before, question, turns, sections, gr.skip(), gr.skip(), gr.skip()
            return

        chat[-1] = {"role": "assistant", "content": answer_html(answer, turn)}
        if answer.citations:
            chat.append({"role": "assistant", "content": sources_html(answer, turn), "metadata": {"title": "Sources", "status": "done"}})
        cards = []
        multi = len({c.document_id for c in answer.citations}) > 1
        for c in answer.citations:
            try:
                statement = self.assistant.statement(c.statement_id)
            except UserError:
                statement = None
            cards.append(citation_card(c, statement, turn, self._label_of(c.document_id) if multi else None))
        sections.append(turn_section(turn, answer.question or question, cards, "; ".join(answer.notices) or None))
        turns += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.answer}]
        last = {
            "answer": answer.model_dump(mode="json"),
            "document": self._label_of(answer.document_id or (answer.citations[0].document_id if answer.citations else None)),
        }
        yield chat, gr.skip(), turns, sections, panel(sections, linked), last, gr.update(visible=True)

    def copy_with_attribution(self, last):
        if not last:
            gr.Warning("Ask a question first; then copy the answer with its sources.")
            return gr.update(visible=False)
        answer = Answer.model_validate(last["answer"])
        return gr.update(value=attributed_text(answer, last.get("document")), visible=True)

    def ask_api(
        self,
        question: str,
        history: list[dict] | None = None,
        document_id: str | None = None,
        speaker_types: list[str] | None = None,
        speakers: list[str] | None = None,
    ) -> dict:
        """Answer one question; returns the Answer JSON (the same as POST /api/ask)."""
        if self.settings.log_questions:
            log.info("gradio api question: %r", question)
        try:
            answer = self.assistant.ask(
                question,
                history=history or [],
                document_id=document_id or None,
                speaker_types=speaker_types or None,
                speakers=speakers or None,
            )
        except UserError as error:
            raise gr.Error(str(error), print_exception=False) from None
        except Exception:  # noqa: BLE001
            log.exception("the gradio api call failed")
            raise gr.Error("Something went wrong while answering.", print_exception=False) from None
        return answer.model_dump(mode="json")


def build_blocks(settings: Settings, assistant):
    """The Gradio Blocks of the chat UI."""
    ui = ChatUI(settings, assistant)
    limit = settings.api_concurrency

    with gr.Blocks(title="HRC dialogue assistant — who said what", analytics_enabled=False) as demo:
        turns = gr.State([])  # the conversation as the engine sees it: raw {role, content}
        sections = gr.State([])  # rendered sources of each turn
        linked = gr.State(None)  # the statement of a ?statement= permalink
        last = gr.State(None)  # the last Answer, for "Copy with attribution"

        header = gr.HTML(header_html(), elem_id="hrc-header")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=300):
                        chatbot = gr.Chatbot(
                            label="Conversation",
                            elem_id="chat",
                            height=540,
                            placeholder=(
                                '<div class="chat-empty"><p class="chat-empty-lead">Ask who said what in the dialogue.</p>'
                                "<p>Answers quote the statements and name the speaker and page. "
                                "Click a marker like [1] to read the source.</p></div>"
                            ),
                            sanitize_html=True,
                            render_markdown=True,
                            latex_delimiters=[],
                            buttons=[],
                            feedback_options=None,
                            group_consecutive_messages=False,
                            layout="bubble",
                        )
                        question = gr.Textbox(
                            placeholder="Ask a question, e.g. Which NGOs mentioned Viasna?",
                            show_label=False,
                            elem_id="question",
                            lines=1,
                            max_lines=6,
                            max_length=settings.max_question_chars,
                            submit_btn="Ask",
                            autofocus=True,
                        )
                        with gr.Row(elem_id="follow-ups", visible=False) as follow_ups:
                            follow_up = gr.Button(FOLLOW_UP, size="sm", variant="secondary", elem_id="follow-up")
                        with gr.Row(elem_id="examples"):
                            example_buttons = [
                                gr.Button(text, size="sm", variant="secondary", elem_classes=["example"]) for text in EXAMPLES
                            ]
                        with gr.Row():
                            copy_button = gr.Button("Copy with attribution", size="sm", elem_id="copy-attribution")
                            new_chat = gr.Button("New conversation", size="sm", elem_id="new-chat")
                        copy_box = gr.Textbox(
                            label="Answer with attribution (plain text)",
                            elem_id="copy-box",
                            lines=8,
                            max_lines=20,
                            buttons=["copy"],
                            interactive=False,
                            visible=False,
                        )
                        with gr.Accordion("Filters", open=False, elem_id="filters"):
                            document = gr.Dropdown(label="Document", choices=[], elem_id="document", interactive=True)
                            speaker_types = gr.CheckboxGroup(
                                TYPE_CHOICES, label="Speaker types", info="None ticked: everyone.", elem_id="speaker-types"
                            )
                            speakers = gr.Dropdown(
                                label="Delegations and speakers",
                                info="Only these speakers (empty: everyone).",
                                choices=[],
                                multiselect=True,
                                elem_id="speakers",
                            )
                    with gr.Column(scale=2, min_width=300):
                        sources = gr.HTML(panel([]), label="Sources", elem_id="sources-panel", padding=False)
            with gr.Tab("Speakers", id="speakers"):
                gr.Markdown("Every statement of the dialogue, in order. Search names, groups or words; click a row to read it.")
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=300):
                        search = gr.Textbox(placeholder="Search speakers or what they said…", show_label=False, elem_id="speaker-search")
                        table = gr.Dataframe(
                            headers=["#", "Speaker", "Type", "On behalf of", "Page"],
                            datatype=["number", "str", "str", "str", "number"],
                            interactive=False,
                            wrap=True,
                            max_height=620,
                            column_widths=["8%", "34%", "20%", "28%", "10%"],
                            elem_id="speaker-table",
                        )
                    with gr.Column(scale=2, min_width=300):
                        statement_view = gr.HTML(
                            '<p class="src-placeholder">Click a statement to read it here.</p>', elem_id="statement-view"
                        )

        chat_inputs = [question, chatbot, turns, sections, linked, document, speaker_types, speakers]
        chat_outputs = [chatbot, question, turns, sections, sources, last, follow_ups]
        common = dict(concurrency_limit=limit, concurrency_id="engine", show_progress="hidden")

        def respond(question, chat, turns, sections, linked, document, types, names, request: gr.Request):
            yield from ui.respond(question, chat, turns, sections, linked, document, types, names, request)

        question.submit(respond, chat_inputs, chat_outputs, api_name="chat", api_visibility="undocumented", **common)
        for button in [*example_buttons, follow_up]:
            button.click(
                lambda text=button.value: text, None, question, queue=False, api_visibility="private"
            ).then(respond, chat_inputs, chat_outputs, api_visibility="private", **common)

        def start_over(linked):
            return [], [], [], panel([], linked), None, gr.update(visible=False), gr.update(value="", visible=False)

        new_chat.click(
            start_over, linked, [chatbot, turns, sections, sources, last, follow_ups, copy_box],
            queue=False, api_visibility="private",
        )
        chatbot.clear(
            start_over, linked, [chatbot, turns, sections, sources, last, follow_ups, copy_box],
            queue=False, api_visibility="private",
        )
        copy_button.click(ui.copy_with_attribution, last, copy_box, queue=False, api_visibility="private")

        def on_load(request: gr.Request):
            return ui.on_load(request)

        demo.load(
            on_load, None, [document, speakers, header, sources, linked, table, sections],
            api_visibility="private", show_progress="hidden",
        )
        document.change(ui.on_document, [document, search], [speakers, table, header], api_visibility="private", show_progress="hidden")
        search.input(ui.on_search, [document, search], table, api_visibility="private", show_progress="hidden", trigger_mode="always_last")

        def on_select(document, sections, event: gr.SelectData):
            return ui.on_select_row(document, sections, event)

        table.select(on_select, [document, sections], [statement_view, sources, linked], api_visibility="private", show_progress="hidden")

        gr.api(ui.ask_api, api_name="ask", concurrency_limit=limit, concurrency_id="engine")
    demo.queue(default_concurrency_limit=limit)
    return demo
