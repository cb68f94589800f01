"""LLM answers as retrieval-augmented generation, checked before anyone sees them.

Retrieval hands over passages (statements and the sentences that bear on the question), whatever
the offline composer decided; `answer_with_llm` numbers them as sources (`assistant/prompt.py`),
asks a backend (`assistant/backends`) to answer the standalone form of the question (follow-ups
condensed with the history, as llama-index's condense-question chat engines do), and streams back
only the sentences that pass every check of `assistant/verify.py`.

When too little survives, or the backend is missing, down, slow or talks nonsense, the verified
offline draft is returned with a notice that says why. Nothing here raises. Kept sentences stream
as soon as they pass; should the answer as a whole then fall back, the final `Answer` (the
draft) replaces them, so clients render the final Answer. The whole call is bounded by
`settings.llm_timeout`, in-process models included.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator

from assistant.backends import COMMON_ERRORS, Backend, BackendMisconfigured, BackendMissing, ErrorTypes
from assistant.models import Answer
from assistant.prompt import Passage, build_prompt, build_sources, chat_messages
from assistant.verify import Verifier

_TAIL = "showing the offline answer."


def answer_with_llm(query, draft: Answer, passages: list[Passage], corpora, settings, backend_cls: type[Backend]) -> Iterator[str | Answer]:
    """Yield verified text deltas sentence by sentence, then the final Answer (never raises)."""
    from assistant.answer import verify_citations

    name = backend_cls.name
    verifier: Verifier | None = None

    def fallback(problem: str) -> Iterator[str | Answer]:
        if verifier is None or not verifier.pieces:  # streamed nothing yet: stream the draft
            yield draft.answer
        yield draft.model_copy(update={"backend": "offline", "notices": (*draft.notices, problem)})

    try:
        backend = backend_cls(settings.backend_options(name, backend_cls.Options), settings)
    except Exception as error:  # noqa: BLE001 - bad options become a notice
        yield from fallback(f"The {name} backend is not configured: {' '.join(str(error).split())[:160]}; {_TAIL}")
        return
    sources = build_sources(passages, max_chars=backend.prompt_budget())
    if not sources:
        yield from fallback(f"The {name} backend was given no sources; {_TAIL}")
        return
    verifier = Verifier(sources, corpora, draft.citations, settings.support_threshold)
    prompt = build_prompt(query.standalone or query.question, sources)
    stream = _deadline_stream(backend, chat_messages(prompt), settings.llm_timeout)
    problem = None
    try:
        for delta in stream:
            yield from verifier.feed(delta)
            if verifier.looping:
                break
        yield from verifier.finish()
    except Exception as error:  # noqa: BLE001 - every failure becomes a notice
        problem = describe_problem(backend, settings, error, partial=bool(verifier.received))
    finally:
        stream.close()  # tells the worker to stop generating
    if problem:
        yield from fallback(problem)
        return
    if not verifier.received.strip():
        yield from fallback(f"{_where(backend)} returned an empty answer; {_TAIL}")
        return
    dropped = verifier.counted - verifier.kept
    if not verifier.kept or verifier.kept < settings.min_supported_ratio * verifier.counted:
        yield from fallback(f"The {name} answer could not be verified against the sources; showing the verified offline answer instead.")
        return
    citations = tuple(verifier.citations)
    try:
        verify_citations(citations, corpora)
    except AssertionError as error:
        yield from fallback(f"The {name} answer failed the final citation check ({error}); showing the verified offline answer instead.")
        return
    notices = list(draft.notices)
    if dropped:
        notices.append(f"{dropped} unsupported sentence(s) removed by the citation check.")
    yield draft.model_copy(update={"answer": verifier.text, "citations": citations, "abstained": False, "backend": name,
                                   "notices": tuple(notices)})


_DONE = object()


def _deadline_stream(backend: Backend, messages: list[tuple[str, str]], timeout: float) -> Iterator[str]:
    """The backend's deltas, abandoned once `timeout` seconds have passed in all.

    The backend runs in a worker thread so a stalled server or a slow in-process model cannot
    hold the caller past the deadline; the worker stops at its next token when told to.
    """
    from assistant.backends import BackendTimeout

    deadline = time.monotonic() + timeout
    events: queue.Queue = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        try:
            stream = backend.stream(messages)
            try:
                for delta in stream:
                    if stop.is_set():
                        break
                    events.put(delta)
            finally:
                close = getattr(stream, "close", None)
                if close is not None:
                    close()
            events.put(_DONE)
        except BaseException as error:  # noqa: BLE001 - handed to the caller
            events.put(error)

    threading.Thread(target=work, name=f"hrc-llm-{backend.name}", daemon=True).start()
    try:
        while True:
            remaining = deadline - time.monotonic()
            try:
                event = events.get(timeout=max(remaining, 0.0)) if remaining > 0 else events.get_nowait()
            except queue.Empty:
                raise BackendTimeout(f"no answer within {timeout:g} s") from None
            if event is _DONE:
                return
            if isinstance(event, BaseException):
                raise event
            if not isinstance(event, str):
                raise TypeError(f"backend yielded {type(event).__name__}, not text")
            yield event
    finally:
        stop.set()


def _where(backend: Backend) -> str:
    where = backend.where()
    return f"The {backend.name} backend {where}" if where else f"The {backend.name} backend"


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    while error is not None and error not in seen:
        seen.append(error)
        error = error.__cause__ or error.__context__
    return seen


def _first(chain: list[BaseException], types: tuple[type[BaseException], ...]) -> BaseException | None:
    """The error of `chain` that is an instance of the earliest-listed type (types go most specific first)."""
    for kind in types:
        for error in chain:
            if isinstance(error, kind):
                return error
    return None


def describe_problem(backend: Backend, settings, error: BaseException, partial: bool = False) -> str:
    """One sentence for the user: which backend, what went wrong (told apart by exception type), what they see instead."""
    where = _where(backend)
    own = backend.error_types()
    kinds = ErrorTypes(**{field: getattr(COMMON_ERRORS, field) + getattr(own, field) for field in ErrorTypes.model_fields})
    chain = _chain(error)
    if isinstance(error, BackendMissing):
        return f"The {backend.name} backend is not installed ({error}); {_TAIL}"
    if isinstance(error, BackendMisconfigured):
        return f"The {backend.name} backend is not configured: {error}; {_TAIL}"
    if _first(chain, kinds.timeout):
        return f"{where} did not answer within {settings.llm_timeout:g} s (timeout); {_TAIL}"
    if isinstance(error, ImportError):
        return f"The {backend.name} backend is not installed ({backend.missing(error)}); {_TAIL}"
    unreachable = _first(chain, kinds.unreachable)
    invalid = _first(chain, kinds.invalid)
    if invalid is not None and not (unreachable is not None and not partial):
        return f"{where} returned an invalid response ({type(invalid).__name__}); {_TAIL}"
    if unreachable is not None:
        refused = any(isinstance(e, ConnectionRefusedError) for e in chain) and not isinstance(unreachable, ConnectionRefusedError)
        return f"{where} is unreachable ({type(unreachable).__name__}{': connection refused' if refused else ''}); {_TAIL}"
    status = _first(chain, kinds.http_status)
    if status is not None:
        code = getattr(status, "status_code", None) or getattr(getattr(status, "response", None), "status_code", "?")
        return f"{where} answered with an HTTP {code} error ({type(status).__name__}); {_TAIL}"
    message = " ".join(str(error).split())[:160]
    return f"{where} failed ({type(error).__name__}{': ' + message if message else ''}); {_TAIL}"
