"""The JSON API under `/api`: ask (whole or streamed), health, documents, speakers, statements.

The engine is synchronous and CPU-bound: every call runs in the thread pool, at most
`settings.api_concurrency` at once (an asyncio semaphore; the rest wait in line).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import NotFound, UserError
from assistant.models import Answer, DocumentInfo, SpeakerType, Statement
from ui.error_shape import log_unexpected

log = logging.getLogger("hrc_assistant.ui")

router = APIRouter()

# Statement ids are f"{document_id}:{order:03d}"; anything else is unknown before it reaches the engine.
STATEMENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}:\d{1,6}$")
_END = object()


# ---------------------------------------------------------------- request and response bodies


class HistoryMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant", "system"]
    content: str = Field(max_length=100_000)


class AskRequest(BaseModel):
    """One turn of a conversation; earlier turns go in `history`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"question": "What did France say about political prisoners?"},
                {
                    "question": "And China?",
                    "history": [
                        {"role": "user", "content": "What did France say about political prisoners?"},
                        {"role": "assistant", "content": "France said … [1]"},
                    ],
                },
            ]
        },
    )

    question: str = Field(max_length=100_000, description="The question (the engine accepts up to `max_question_chars`).")
    history: list[HistoryMessage] = Field(default_factory=list, max_length=1000, description="Earlier turns, oldest first.")
    document_id: str | None = Field(None, max_length=200, description="Document to ask about; default: the bundled one.")
    backend: str | None = Field(None, max_length=40, description="offline, openai, ollama or llamacpp; default: the server's.")
    all_documents: bool = Field(False, description="Ask across every indexed document.")
    speaker_types: list[SpeakerType] | None = Field(None, max_length=10, description="Only statements by these kinds of speaker.")
    speakers: list[str] | None = Field(None, max_length=500, description="Only statements by these speakers (canonical names).")


class StatementSummary(BaseModel):
    statement_id: str
    order: int
    speaker: str
    speaker_type: SpeakerType
    on_behalf_of: str | None = None
    page: int


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    documents: list[DocumentInfo] = []
    backend: str
    generation: str | None = None
    reason: str | None = None


class ErrorBody(BaseModel):
    error: str


ERRORS = {
    400: {"model": ErrorBody, "description": "The question or its history cannot be accepted."},
    404: {"model": ErrorBody, "description": "Unknown document or statement."},
    422: {"model": ErrorBody, "description": "The request body does not match the schema."},
    429: {"model": ErrorBody, "description": "Rate limit exceeded."},
    503: {"model": ErrorBody, "description": "The index or the answer backend is unavailable."},
}


# ---------------------------------------------------------------- helpers


def _assistant(request: Request):
    return request.app.state.assistant


def _gate(request: Request):
    return request.app.state.gate


async def _call(request: Request, fn, *args, **kwargs):
    """Run an engine call in the thread pool, within the concurrency limit."""
    async with _gate(request):
        return await run_in_threadpool(fn, *args, **kwargs)


def _log_question(request: Request, body: AskRequest, route: str) -> None:
    if request.app.state.settings.log_questions:
        log.info("%s question: %r (history %d)", route, body.question, len(body.history))
    else:
        log.info("%s question of %d characters (history %d)", route, len(body.question), len(body.history))


def _ask_arguments(body: AskRequest) -> dict:
    return dict(
        question=body.question,
        history=[m.model_dump() for m in body.history],
        document_id=body.document_id,
        backend=body.backend,
        all_documents=body.all_documents,
        speaker_types=list(body.speaker_types) if body.speaker_types else None,
        speakers=list(body.speakers) if body.speakers else None,
    )


def summary(statement: Statement) -> dict:
    return StatementSummary(
        statement_id=statement.statement_id,
        order=statement.order,
        speaker=statement.speaker,
        speaker_type=statement.speaker_type,
        on_behalf_of=statement.on_behalf_of,
        page=statement.page_start,
    ).model_dump(mode="json")


def _sse(event: str, data: dict) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode("utf-8")


# ---------------------------------------------------------------- routes


@router.post("/ask", response_model=Answer, responses=ERRORS, summary="Answer one question, with citations")
async def ask(body: AskRequest, request: Request):
    """The same Answer objects as `hrc-assistant ask --json` prints."""
    _log_question(request, body, "api/ask")
    answer = await _call(request, _assistant(request).ask, **_ask_arguments(body))
    return JSONResponse(answer.model_dump(mode="json"))


@router.post(
    "/ask/stream",
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}}, "description": "Server-sent events."}},
    summary="Answer one question as server-sent events",
)
async def ask_stream(body: AskRequest, request: Request):
    """`event: delta` with `{"text": …}` for each piece of text, then `event: answer` with the Answer JSON.

    A failure after the stream started arrives as `event: error` with `{"error": …}`.
    """
    _log_question(request, body, "api/ask/stream")
    events = _assistant(request).stream(**_ask_arguments(body))
    # The first step validates the input and does most of the work: errors become 4xx/503 here.
    first = await _call(request, next, events, _END)

    async def body_iterator():
        event = first
        try:
            while event is not _END:
                if isinstance(event, Answer):
                    yield _sse("answer", event.model_dump(mode="json"))
                else:
                    yield _sse("delta", {"text": str(event)})
                event = await _call(request, next, events, _END)
        except UserError as error:
            yield _sse("error", {"error": str(error)})
        except Exception as error:  # noqa: BLE001 - the client gets one sentence, the log type and place
            log_unexpected(error, "streaming an answer", request.app.state.settings.log_questions)
            yield _sse("error", {"error": "The answer could not be completed; see the server log."})
        finally:
            events.close()

    return StreamingResponse(
        body_iterator(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/health", response_model=Health, responses={503: {"model": Health}}, summary="Is the index usable?")
async def health(request: Request):
    """No authentication. 503 with a reason when the index or the Chroma server cannot be opened."""
    assistant = _assistant(request)
    backend = request.app.state.settings.backend

    def probe():
        documents = assistant.documents()
        return documents, getattr(assistant.reader, "generation", None)

    try:
        documents, generation = await run_in_threadpool(probe)
    except UserError as error:
        return JSONResponse(
            Health(status="unavailable", backend=backend, reason=str(error)).model_dump(mode="json"), status_code=503
        )
    except Exception as error:  # noqa: BLE001
        log.warning("health check: the index cannot be opened (%s)", type(error).__name__)
        reason = f"The index cannot be opened ({type(error).__name__})."
        return JSONResponse(
            Health(status="unavailable", backend=backend, reason=reason).model_dump(mode="json"), status_code=503
        )
    if not documents:
        return JSONResponse(
            Health(status="unavailable", backend=backend, generation=generation,
                   reason="The index holds no documents; run `hrc-assistant index`.").model_dump(mode="json"),
            status_code=503,
        )
    return Health(status="ok", documents=list(documents.values()), backend=backend, generation=generation).model_dump(mode="json")


@router.get("/documents", response_model=list[DocumentInfo], responses=ERRORS, summary="Indexed documents")
async def documents(request: Request):
    found = await _call(request, _assistant(request).documents)
    return [info.model_dump(mode="json") for info in found.values()]


@router.get("/speakers", response_model=list[StatementSummary], responses=ERRORS, summary="Statements in order, without text")
async def speakers(request: Request, document_id: str | None = Query(None, max_length=200)):
    statements = await _call(request, _assistant(request).statements, document_id or None)
    return [summary(s) for s in statements]


@router.get("/statements/{statement_id}", response_model=Statement, responses=ERRORS, summary="One statement in full")
async def statement(statement_id: str, request: Request):
    if not STATEMENT_ID.match(statement_id):
        raise NotFound(f"No statement {statement_id[:200]!r}.")
    found = await _call(request, _assistant(request).statement, statement_id)
    return JSONResponse(found.model_dump(mode="json"))


@router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
async def unknown_route(rest: str):
    """Anything else under /api is a JSON 404 (not the UI's HTML)."""
    raise NotFound("No such API route; see /api/docs.")
