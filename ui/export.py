"""Exports for journalists: a conversation, or the statements of a speaker or a filter, as Markdown, CSV or JSON.

Every exported quote carries its speaker, type, page and an absolute permalink. The same
functions serve the UI (a download) and the API (`POST /api/export`, `GET /api/export/statements`).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import NotFound
from assistant.models import Answer, SpeakerType, Statement
from ui.render import permalink, type_label

Format = Literal["markdown", "csv", "json"]
MEDIA_TYPES = {"markdown": "text/markdown; charset=utf-8", "csv": "text/csv; charset=utf-8", "json": "application/json"}
EXTENSIONS = {"markdown": "md", "csv": "csv", "json": "json"}
COLUMNS = ("question", "n", "speaker", "speaker_type", "on_behalf_of", "page", "quote", "statement_id", "document_id", "permalink")

router = APIRouter()


class ExportRow(BaseModel):
    """One exported quote."""

    model_config = ConfigDict(frozen=True)

    question: str = ""
    n: int | None = None
    speaker: str
    speaker_type: str
    on_behalf_of: str | None = None
    page: int
    quote: str
    statement_id: str
    document_id: str
    permalink: str


class ConversationExport(BaseModel):
    """The answers of a conversation, as `POST /api/ask` returned them."""

    model_config = ConfigDict(extra="forbid")

    answers: list[Answer] = Field(max_length=1000)
    format: Format = "markdown"


def rows_from_answers(answers: list[Answer], base: str) -> list[ExportRow]:
    return [
        ExportRow(
            question=answer.question, n=c.n, speaker=c.speaker, speaker_type=c.speaker_type, on_behalf_of=c.on_behalf_of,
            page=c.page, quote=c.quote, statement_id=c.statement_id, document_id=c.document_id,
            permalink=base + permalink(c.statement_id, c.char_start, c.char_end),
        )
        for answer in answers
        for c in answer.citations
    ]


def rows_from_statements(statements: list[Statement], base: str) -> list[ExportRow]:
    return [
        ExportRow(
            speaker=s.speaker, speaker_type=s.speaker_type, on_behalf_of=s.on_behalf_of, page=s.page_start,
            quote=s.text, statement_id=s.statement_id, document_id=s.document_id, permalink=base + permalink(s.statement_id),
        )
        for s in statements
    ]


def markdown(title: str, rows: list[ExportRow], answers: list[Answer] | None = None) -> str:
    lines = [f"# {title}", ""]
    if answers:
        by_question: dict[str, list[ExportRow]] = {}
        for row in rows:
            by_question.setdefault(row.question, []).append(row)
        for answer in answers:
            lines += [f"## {answer.question}", "", answer.answer.strip(), ""]
            for row in by_question.get(answer.question, []):
                lines.append(_markdown_item(row))
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"
    return "\n".join(lines + [_markdown_item(row) for row in rows]).rstrip() + "\n"


def _markdown_item(row: ExportRow) -> str:
    number = f"[{row.n}] " if row.n is not None else "- "
    behalf = f", on behalf of {row.on_behalf_of}" if row.on_behalf_of else ""
    return f"{number}**{row.speaker}** ({type_label(row.speaker_type)}{behalf}), p. {row.page}: “{row.quote}” <{row.permalink}>"


def render(title: str, rows: list[ExportRow], fmt: Format, answers: list[Answer] | None = None) -> str:
    """The export file's text in `fmt`."""
    if fmt == "json":
        body = {"title": title, "quotes": [row.model_dump(mode="json") for row in rows]}
        if answers:
            body["answers"] = [{"question": a.question, "answer": a.answer, "notices": list(a.notices)} for a in answers]
        return json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row.model_dump(mode="json"), "speaker_type": type_label(row.speaker_type)})
        return out.getvalue()
    return markdown(title, rows, answers)


def filtered_statements(
    assistant, speaker: str | None, document_id: str | None, speaker_types: list[str] | None, search: str | None
) -> list[Statement]:
    """Statements of every indexed document (or one), narrowed by speaker, type and words."""
    documents = [document_id] if document_id else list(assistant.documents())
    needle = (search or "").strip().casefold()
    wanted = (speaker or "").strip().casefold()
    found = []
    for doc in documents:
        for s in assistant.statements(doc):
            if wanted and wanted not in (s.speaker.casefold(), (s.on_behalf_of or "").casefold()):
                continue
            if speaker_types and s.speaker_type not in speaker_types:
                continue
            if needle and needle not in f"{s.speaker} {s.on_behalf_of or ''} {s.text}".casefold():
                continue
            found.append(s)
    return found


def statements_title(speaker: str | None, speaker_types: list[str] | None, search: str | None) -> str:
    bits = [speaker or "All speakers"]
    if speaker_types:
        bits.append("types: " + ", ".join(type_label(t) for t in speaker_types))
    if search:
        bits.append(f"matching “{search}”")
    return "Statements — " + "; ".join(bits)


def app_base(request: Request) -> str:
    """The app's public address (with the proxy's sub-path), to which `?statement=` permalinks are relative."""
    return str(request.base_url).rstrip("/") + "/"


def download(text: str, fmt: Format, stem: str) -> Response:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in stem)[:60].strip("-") or "export"
    return Response(
        text, media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{safe}.{EXTENSIONS[fmt]}"'},
    )


@router.post("/export", summary="Export a conversation's answers and quotes")
async def export_conversation(body: ConversationExport, request: Request):
    """Markdown, CSV or JSON of the given answers: each quote with speaker, page and permalink."""
    rows = rows_from_answers(body.answers, app_base(request))
    return download(render("Conversation", rows, body.format, body.answers), body.format, "conversation")


@router.get("/export/statements", summary="Export the statements of a speaker or a filter")
async def export_statements(
    request: Request,
    speaker: str | None = Query(None, max_length=200, description="Canonical speaker name (or the group it spoke for)."),
    document_id: str | None = Query(None, max_length=200, description="One document; default: every indexed document."),
    speaker_types: list[SpeakerType] | None = Query(None, description="Only these kinds of speaker."),
    search: str | None = Query(None, max_length=200, description="Only statements containing these words."),
    format: Format = Query("markdown"),
):
    assistant = request.app.state.assistant
    async with request.app.state.gate:
        statements = await run_in_threadpool(filtered_statements, assistant, speaker, document_id, speaker_types, search)
    if speaker and not statements:
        raise NotFound(f"No statements by {speaker[:200]!r} match.")
    rows = rows_from_statements(statements, app_base(request))
    title = statements_title(speaker, speaker_types, search)
    return download(render(title, rows, format), format, speaker or "statements")
