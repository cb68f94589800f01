"""The chat UI (Gradio Blocks): streamed answers whose [n] markers open the cited statement.

The HTML comes from `ui/render.py`; the look and behaviour live in `ui/static/chat.css` and
`ui/static/chat.js`, handed to Gradio by `stylesheet()` and `script()`.

Asking is three steps, so the reader sees the question at once even when the engine is busy:
`pending` (no queue) shows the question bubble and a spinner and locks the box; `respond`
(queued, at most `api_concurrency` at once) streams the answer; `ready` unlocks the box.
"""

from __future__ import annotations

import logging
import re
import tempfile
from pathlib import Path

import gradio as gr

from assistant.errors import UserError
from assistant.models import SPEAKER_TYPE_LABELS, Answer, Statement
from assistant.settings import Settings
from ui import export
from ui.error_shape import log_unexpected
from ui.render import (
    THINKING,
    answer_html,
    citation_card,
    document_label,
    esc,
    header_html,
    highlight_words,
    panel,
    speaker_page,
    statement_card,
    text_html,
    turn_section,
    type_label,
)

log = logging.getLogger("hrc_assistant.ui")

STATIC = Path(__file__).resolve().parent / "static"
# Example chips: questions that make sense for any dialogue, so the UI holds no vocabulary of one document.
EXAMPLES = (
    "What did the country concerned say?",
    "Who backed the mandate?",
    "Name all the NGOs that took the floor",
    "How many state delegations took part?",
)
ALL_DOCUMENTS = "*all*"
TYPE_CHOICES = [(label[0].upper() + label[1:], key) for key, label in SPEAKER_TYPE_LABELS.items() if key != "unknown"]
EXPORT_FORMATS = [("Markdown", "markdown"), ("CSV", "csv"), ("JSON", "json")]
ASK_PLACEHOLDER = "Ask a question, e.g. Who backed the mandate?"
WAIT_PLACEHOLDER = "Waiting for the answer…"


def stylesheet() -> str:
    return (STATIC / "chat.css").read_text(encoding="utf-8")


def script() -> str:
    return (STATIC / "chat.js").read_text(encoding="utf-8")


def status_html(message: str = "") -> str:
    """The one-line status under the header (the page's script writes network failures into it too)."""
    line = f'<p class="hrc-status-line">{esc(message)}</p>' if message else ""
    return f'<div id="hrc-status" aria-live="polite">{line}</div>'


def follow_up_question(answer: Answer, statements: list[Statement]) -> str | None:
    """'And <speaker>?' for a speaker of the document who was not in this answer, of the kind first cited.

    The candidate is the next such speaker after the first cited one, in the order of the dialogue.
    """
    if not answer.citations:
        return None
    first = answer.citations[0]
    cited = {c.speaker for c in answer.citations}
    asked = answer.question.casefold()
    names: list[str] = []
    for s in statements:
        if s.speaker_type == first.speaker_type and s.speaker not in cited and s.speaker != "unknown" and s.speaker not in names:
            if s.speaker.casefold() not in asked:
                names.append(s.speaker)
    if not names:
        return None
    after = next((s.order for s in statements if s.statement_id == first.statement_id), 0)
    later = [s.speaker for s in statements if s.order > after and s.speaker in names]
    return f"And {(later or names)[0]}?"


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
        """The speakers browser: one row per statement; matched words highlighted, with a snippet of the text."""
        if not document_id or document_id == ALL_DOCUMENTS:
            document_id = self.assistant.default_document()
        needle = (search or "").strip()
        folded = needle.casefold()
        rows = []
        for s in self.assistant.statements(document_id):
            label = type_label(s.speaker_type)
            if folded and folded not in f"{s.speaker} {s.on_behalf_of or ''} {label} {s.text}".casefold():
                continue
            match = ""
            at = s.text.casefold().find(folded) if folded else -1
            if at >= 0:
                left, right = max(0, at - 40), min(len(s.text), at + len(needle) + 40)
                match = ("…" if left else "") + highlight_words(s.text[left:right], needle) + ("…" if right < len(s.text) else "")
            rows.append([
                s.order, highlight_words(s.speaker, needle), highlight_words(label, needle),
                highlight_words(s.on_behalf_of or "", needle), s.page_start, match,
            ])
        return rows

    def export_links(self, document_id: str | None, search: str = "") -> str:
        """Links exporting what the speakers browser shows (the document, narrowed by the search)."""
        from urllib.parse import urlencode

        params = {}
        if document_id and document_id != ALL_DOCUMENTS:
            params["document_id"] = document_id
        if (search or "").strip():
            params["search"] = search.strip()
        links = " ".join(
            f'<a class="export-link" href="api/export/statements?{esc(urlencode({**params, "format": fmt}))}" download>{label}</a>'
            for label, fmt in EXPORT_FORMATS
        )
        return f'<p class="speaker-export">Export these statements: {links}</p>'

    def linked_statement(self, statement_id: str, mark: str | None) -> str:
        statement = self.assistant.statement(statement_id)
        span = None
        if mark and re.fullmatch(r"\d{1,7}-\d{1,7}", mark):
            start, end = (int(x) for x in mark.split("-"))
            if 0 <= start < end <= len(statement.text):
                span = (start, end)
        return statement_card(statement, span, self._label_of(statement.document_id))

    def linked_speaker(self, name: str) -> str:
        statements = export.filtered_statements(self.assistant, name, None, None, None)
        if not statements:
            raise UserError(f"No statements by {name!r} in the indexed documents.")
        labels = {doc_id: document_label(info) for doc_id, info in self._documents().items()}
        return speaker_page(statements[0].speaker if all(s.speaker == statements[0].speaker for s in statements) else name, statements, labels)

    # ---- callbacks

    def on_load(self, request=None):
        """Page load: documents, speakers, the header, and a `?statement=` or `?speaker=` link."""
        params = dict(request.query_params) if request is not None else {}
        failed = (gr.update(choices=[], value=None), gr.update(choices=[]), header_html(), panel([]), None, [], [], "")
        try:
            choices, default = self.document_choices()
            info = self._documents().get(default) if default else None
            names = self.speaker_names(default) if default else []
            rows = self.table_rows(default) if default else []
        except UserError as error:
            gr.Warning(str(error))
            return failed
        except Exception:  # noqa: BLE001
            log.exception("loading the page data failed")
            gr.Warning("The assistant is not available right now; try again in a minute.")
            return failed
        linked = None
        statement_id = (params.get("statement") or "").strip()
        speaker = (params.get("speaker") or "").strip()
        try:
            if statement_id:
                linked = self.linked_statement(statement_id[:200], params.get("mark"))
            elif speaker:
                linked = self.linked_speaker(speaker[:200])
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
            self.export_links(default),
        )

    def on_document(self, document_id, search):
        try:
            info = self._documents().get(document_id)
            return (
                gr.update(choices=self.speaker_names(document_id), value=[]),
                self.table_rows(document_id, search),
                header_html(info) if info else gr.skip(),
                self.export_links(document_id, search),
            )
        except UserError as error:
            gr.Warning(str(error))
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()

    def on_search(self, document_id, search):
        try:
            return self.table_rows(document_id, search), self.export_links(document_id, search)
        except UserError as error:
            gr.Warning(str(error))
            return gr.skip(), gr.skip()

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

    def pending(self, question, chat):
        """At once, before any queue: the question bubble, a spinner, and the box locked until the answer.

        Outputs: chat, question box, asked, status line (this step runs outside the queue, where toasts do not reach).
        """
        chat = list(chat or [])
        question = question if isinstance(question, str) else ""
        if not question.strip():
            return gr.skip(), gr.skip(), "", status_html("Type a question first, for example: Who backed the mandate?")
        if len(chat) >= 2 and 'class="msg thinking"' in str(chat[-1]):
            chat = chat[:-2]  # a question whose answer request never reached the server
        chat.append({"role": "user", "content": text_html(question.strip(), css_class="msg question")})
        chat.append({"role": "assistant", "content": THINKING})
        return chat, gr.update(value="", interactive=False, placeholder=WAIT_PLACEHOLDER), question, status_html()

    def respond(self, question, chat, turns, sections, linked, answers, document_id, speaker_types, speakers, request=None):
        """Stream one answer into the chat (whose last message is the spinner) and its sources into the panel.

        Outputs: chat, question box, turns, sections, sources panel, answers, follow-ups row, follow-up button.
        """
        skip = (gr.skip(),) * 8
        question = question if isinstance(question, str) else ""
        if not question.strip():
            yield skip
            return
        chat = list(chat or [])
        turns = list(turns or [])
        sections = list(sections or [])
        answers = list(answers or [])
        if self.settings.log_questions:
            log.info("ui question: %r (history %d)", question, len(turns))
        else:
            log.info("ui question of %d characters (history %d)", len(question), len(turns))
        turn = len(sections) + 1
        before = chat[:-2] if len(chat) >= 2 else chat
        documents = document_id if document_id and document_id != ALL_DOCUMENTS else None
        text = ""
        answer = None
        failure = None
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
                    yield (chat, *skip[1:])
        except UserError as error:
            failure = str(error)
        except Exception as error:  # noqa: BLE001 - the user sees one sentence, the log type and place
            log_unexpected(error, "answering in the UI", self.settings.log_questions)
            failure = "Something went wrong while answering; please try again."
        if answer is None:
            # The conversation stays as it was and the question goes back into the box.
            gr.Warning(failure or "No answer came back; please try again.")
            yield before, gr.update(value=question), *skip[2:]
            return

        doc = answer.document_id or (answer.citations[0].document_id if answer.citations else None)
        label = self._label_of(doc)
        chat[-1] = {"role": "assistant", "content": answer_html(answer, turn)}
        multi = len({c.document_id for c in answer.citations}) > 1
        cards = []
        for c in answer.citations:
            try:
                statement = self.assistant.statement(c.statement_id)
            except UserError:
                statement = None
            cards.append(citation_card(c, statement, turn, self._label_of(c.document_id) if multi else None))
        sections.append(turn_section(turn, answer.question or question, cards, "; ".join(answer.notices) or None, answer, label))
        turns += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.answer}]
        answers.append(answer.model_dump(mode="json"))
        try:
            suggestion = follow_up_question(answer, self.assistant.statements(doc)) if doc else None
        except UserError:
            suggestion = None
        chips = (gr.update(visible=True), gr.update(value=suggestion)) if suggestion else (gr.update(visible=False), gr.skip())
        yield chat, gr.skip(), turns, sections, panel(sections, linked), answers, *chips

    def export_conversation(self, answers, fmt, request=None):
        """The conversation as a file to download (Markdown, CSV or JSON)."""
        if not answers:
            gr.Warning("Ask a question first; then export the conversation.")
            return gr.update(value=None, visible=False)
        fmt = fmt if fmt in export.EXTENSIONS else "markdown"
        parsed = [Answer.model_validate(a) for a in answers]
        base = self._app_base(request)
        text = export.render("Conversation", export.rows_from_answers(parsed, base), fmt, parsed)
        folder = Path(tempfile.mkdtemp(prefix="hrc-export-"))
        path = folder / f"conversation.{export.EXTENSIONS[fmt]}"
        path.write_text(text, encoding="utf-8")
        return gr.update(value=str(path), visible=True)

    def _app_base(self, request) -> str:
        """The address the reader uses, for absolute permalinks in exports."""
        headers = getattr(request, "headers", None) or {}
        host = headers.get("x-forwarded-host") or headers.get("host") or f"{self.settings.host}:{self.settings.port}"
        scheme = headers.get("x-forwarded-proto") or "http"
        return f"{scheme}://{host}{(self.settings.root_path or '').rstrip('/')}/"

    def ask_api(
        self,
        question: str,
        history: list[dict] | None = None,
        document_id: str | None = None,
        speaker_types: list[str] | None = None,
        speakers: list[str] | None = None,
        backend: str | None = None,
        all_documents: bool = False,
    ) -> dict:
        """Answer one question; returns the Answer JSON (the same arguments and result as POST /api/ask)."""
        if self.settings.log_questions:
            log.info("gradio api question: %r", question)
        try:
            answer = self.assistant.ask(
                question,
                history=history or [],
                document_id=document_id or None,
                backend=backend or None,
                all_documents=bool(all_documents),
                speaker_types=speaker_types or None,
                speakers=speakers or None,
            )
        except UserError as error:
            raise gr.Error(str(error), print_exception=False) from None
        except Exception as error:  # noqa: BLE001
            log_unexpected(error, "the gradio api call", self.settings.log_questions)
            raise gr.Error("Something went wrong while answering.", print_exception=False) from None
        return answer.model_dump(mode="json")


def build_blocks(settings: Settings, assistant):
    """The Gradio Blocks of the chat UI."""
    ui = ChatUI(settings, assistant)
    limit = settings.api_concurrency

    with gr.Blocks(title="HRC dialogue assistant — who said what", analytics_enabled=False) as demo:
        turns = gr.State([])  # the conversation as the engine sees it: raw {role, content}
        sections = gr.State([])  # rendered sources of each turn
        linked = gr.State(None)  # the statement or speaker page of a ?statement= / ?speaker= link
        answers = gr.State([])  # every Answer of the conversation, for export
        asked = gr.State("")  # the question being answered

        header = gr.HTML(header_html(), elem_id="hrc-header")
        status = gr.HTML(status_html(), elem_id="hrc-status-box", padding=False)
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=300):
                        chatbot = gr.Chatbot(
                            label="Conversation",
                            show_label=False,
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
                            placeholder=ASK_PLACEHOLDER,
                            show_label=False,
                            elem_id="question",
                            lines=1,
                            max_lines=6,
                            max_length=settings.max_question_chars,
                            submit_btn="Ask",
                            autofocus=True,
                        )
                        with gr.Row(elem_id="follow-ups", visible=False) as follow_ups:
                            follow_up = gr.Button("", size="sm", variant="secondary", elem_id="follow-up")
                        with gr.Row(elem_id="examples"):
                            example_buttons = [
                                gr.Button(text, size="sm", variant="secondary", elem_classes=["example"]) for text in EXAMPLES
                            ]
                        with gr.Row(elem_id="export-row"):
                            new_chat = gr.Button("New conversation", size="sm", elem_id="new-chat")
                            export_format = gr.Radio(
                                EXPORT_FORMATS, value="markdown", show_label=False, elem_id="export-format", container=False
                            )
                            export_button = gr.Button("Export conversation", size="sm", elem_id="export-conversation")
                        export_file = gr.File(label="Conversation export", elem_id="export-file", visible=False, interactive=False)
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
                        speaker_export = gr.HTML("", elem_id="speaker-export", padding=False)
                        table = gr.Dataframe(
                            headers=["#", "Speaker", "Type", "On behalf of", "Page", "Match"],
                            datatype=["number", "html", "html", "html", "number", "html"],
                            interactive=False,
                            wrap=True,
                            max_height=620,
                            column_widths=["7%", "24%", "15%", "20%", "8%", "26%"],
                            elem_id="speaker-table",
                        )
                    with gr.Column(scale=2, min_width=300):
                        statement_view = gr.HTML(
                            '<p class="src-placeholder">Click a statement to read it here.</p>', elem_id="statement-view"
                        )

        locked = [*example_buttons, follow_up]
        common = dict(concurrency_limit=limit, concurrency_id="engine", show_progress="hidden")
        respond_inputs = [asked, chatbot, turns, sections, linked, answers, document, speaker_types, speakers]
        respond_outputs = [chatbot, question, turns, sections, sources, answers, follow_ups, follow_up]

        def lock(question, chat):
            return (*ui.pending(question, chat), *[gr.update(interactive=False)] * len(locked))

        def unlock():
            return gr.update(interactive=True, placeholder=ASK_PLACEHOLDER), *[gr.update(interactive=True)] * len(locked)

        def respond(asked, chat, turns, sections, linked, answers, document, types, names, request: gr.Request):
            yield from ui.respond(asked, chat, turns, sections, linked, answers, document, types, names, request)

        def ask_chain(event):
            (
                event.then(lock, [question, chatbot], [chatbot, question, asked, status, *locked], queue=False, api_visibility="private")
                .then(respond, respond_inputs, respond_outputs, api_visibility="private", **common)
                .then(unlock, None, [question, *locked], queue=False, api_visibility="private")
            )

        (
            question.submit(lock, [question, chatbot], [chatbot, question, asked, status, *locked], queue=False, api_visibility="private")
            .then(respond, respond_inputs, respond_outputs, api_name="chat", api_visibility="undocumented", **common)
            .then(unlock, None, [question, *locked], queue=False, api_visibility="private")
        )
        for button in locked:
            ask_chain(button.click(lambda text: text, button, question, queue=False, api_visibility="private"))

        def start_over(linked):
            return [], [], [], panel([], linked), [], gr.update(visible=False), gr.update(value=None, visible=False)

        for clearing in (new_chat.click, chatbot.clear):
            clearing(
                start_over, linked, [chatbot, turns, sections, sources, answers, follow_ups, export_file],
                queue=False, api_visibility="private",
            )

        def export_conversation(answers, fmt, request: gr.Request):
            return ui.export_conversation(answers, fmt, request)

        export_button.click(export_conversation, [answers, export_format], export_file, queue=False, api_visibility="private")

        def on_load(request: gr.Request):
            return ui.on_load(request)

        demo.load(
            on_load, None, [document, speakers, header, sources, linked, table, sections, speaker_export],
            api_visibility="private", show_progress="hidden",
        )
        document.change(
            ui.on_document, [document, search], [speakers, table, header, speaker_export],
            api_visibility="private", show_progress="hidden",
        )
        search.input(
            ui.on_search, [document, search], [table, speaker_export],
            api_visibility="private", show_progress="hidden", trigger_mode="always_last",
        )

        def on_select(document, sections, event: gr.SelectData):
            return ui.on_select_row(document, sections, event)

        table.select(on_select, [document, sections], [statement_view, sources, linked], api_visibility="private", show_progress="hidden")

        gr.api(ui.ask_api, api_name="ask", concurrency_limit=limit, concurrency_id="engine")
    demo.queue(default_concurrency_limit=limit)
    return demo
