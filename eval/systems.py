"""The systems under test: ours (local, per backend, or remote over REST) and three baselines.

Every system answers a question given the conversation so far and returns an `Answer`
(the same model the engine returns), so all of them are scored by the same code.
`ranking(question)` gives the system's ranked statement ids for retrieval metrics
(None when the system cannot say, e.g. a remote server).

Baselines (retrieval only, no generation, never abstain, no conversation memory: they
see the last question only):
* naive: the whole document text cut into fixed 512-token chunks with llama-index's
  SentenceSplitter (speakers ignored), an in-memory VectorStoreIndex with our embedder,
  dense top-5. Cited speakers are those whose statements overlap the retrieved chunks;
  each citation's quote is the whole chunk.
* bm25 / dense: the top-5 statements from `Corpus.rank_statements(mode=...)`, each cited
  with its best sentence as the quote.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import UserError
from assistant.models import Answer, Citation, Statement

SYSTEM_NAMES: tuple[str, ...] = ("ours", "naive", "bm25", "dense")
BASELINE_TOP_K = 5


class EvalInputError(UserError):
    """Bad input to the evaluation (exit code 2)."""


class SystemUnavailable(UserError):
    """A requested system cannot run here (its backend is down or not configured)."""

    status = 503


@dataclass
class Response:
    answer: Answer
    ranking: list[str] | None = None  # statement ids, best first


class System:
    """One system under test."""

    name: str = "system"
    kind: str = "baseline"  # "ours" or "baseline"
    description: str = ""

    def prepare(self) -> None:
        """Load models and indexes so that timed calls measure answering only."""

    def ask(self, question: str, history: list[dict]) -> Answer:
        raise NotImplementedError

    def ranking(self, question: str) -> list[str] | None:
        return None

    def close(self) -> None:
        pass


# ---------------------------------------------------------------- ours


class OursLocal(System):
    kind = "ours"

    def __init__(self, assistant, backend: str, document_id: str):
        self.assistant = assistant
        self.backend = backend
        self.document_id = document_id
        self.name = f"ours:{backend}"
        self.description = f"hrc-assistant in process, backend {backend}"

    def prepare(self) -> None:
        self.assistant.warm_up()
        if self.backend != "offline":
            # One real question: an unreachable or unconfigured backend fails here, not 134 times.
            try:
                answer = self.assistant.ask("What did the country concerned say?", document_id=self.document_id, backend=self.backend)
            except UserError as error:
                raise SystemUnavailable(f"backend {self.backend}: {error}") from None
            if answer.citations and answer.backend != self.backend:
                why = "; ".join(answer.notices) or f"the answer came from {answer.backend}"
                raise SystemUnavailable(f"backend {self.backend} is not answering ({why}).")

    def ask(self, question: str, history: list[dict]) -> Answer:
        return self.assistant.ask(question, history=history, document_id=self.document_id, backend=self.backend)

    def ranking(self, question: str) -> list[str] | None:
        corpus = self.assistant.corpus(self.document_id)
        return [s.statement_id for s, _ in corpus.rank_statements(question)]


class OursRemote(System):
    """A running server: POST {url}/api/ask with {question, history, document_id, backend}."""

    kind = "ours"

    def __init__(self, url: str, backend: str | None, document_id: str | None, settings, known_documents: set[str]):
        import httpx

        self.url = url.rstrip("/")
        self.backend = backend
        self.document_id = document_id
        self.known_documents = known_documents
        self.name = f"ours:{backend or 'server-default'}@remote"
        self.description = f"hrc-assistant server at {self.url}, backend {backend or 'server default'}"
        headers = {"Accept": "application/json"}
        auth = None
        if settings.auth_token:
            headers["Authorization"] = f"Bearer {settings.auth_token}"
        elif settings.auth_user and settings.auth_password:
            auth = (settings.auth_user, settings.auth_password)
        self.client = httpx.Client(headers=headers, auth=auth, timeout=max(60.0, settings.llm_timeout * 3), trust_env=False)

    def prepare(self) -> None:
        self.ask("What did the country concerned say?", [])

    def ask(self, question: str, history: list[dict]) -> Answer:
        import httpx

        body = {"question": question, "history": history}
        if self.document_id:
            body["document_id"] = self.document_id
        if self.backend:
            body["backend"] = self.backend
        try:
            reply = self.client.post(f"{self.url}/api/ask", json=body)
        except httpx.HTTPError as exc:
            raise SystemUnavailable(f"the server at {self.url} cannot be reached ({type(exc).__name__}).") from None
        if reply.status_code >= 400:
            try:
                detail = reply.json().get("detail") or reply.json().get("error") or reply.text
            except ValueError:
                detail = reply.text
            detail = str(detail)[:300]
            if reply.status_code in (401, 403):
                raise EvalInputError(f"the server at {self.url} refused the request ({reply.status_code}): set HRC_AUTH_TOKEN or HRC_AUTH_USER/HRC_AUTH_PASSWORD.")
            if reply.status_code >= 500:
                raise SystemUnavailable(f"the server at {self.url} answered {reply.status_code}: {detail}")
            if reply.status_code == 404 and not detail.strip():
                raise EvalInputError(f"the server at {self.url} has no POST /api/ask (404); is it an hrc-assistant server?")
            raise EvalInputError(f"the server at {self.url} answered {reply.status_code}: {detail}")
        try:
            payload = reply.json()
        except ValueError:
            raise EvalInputError(f"the server at {self.url} did not answer JSON; is it an hrc-assistant server?") from None
        if isinstance(payload, dict) and isinstance(payload.get("answer"), dict):
            payload = payload["answer"]
        try:
            answer = Answer.model_validate(payload)
        except Exception:  # noqa: BLE001 - pydantic's ValidationError and type errors alike
            raise EvalInputError(f"the server at {self.url} did not answer with an Answer object.") from None
        foreign = {c.document_id for c in answer.citations} - self.known_documents
        if foreign:
            raise EvalInputError(
                f"the server cites document(s) {', '.join(sorted(foreign))} that the local index does not hold; "
                "index the same documents locally (HRC_HOME) so its citations can be checked."
            )
        return answer

    def close(self) -> None:
        self.client.close()


# ---------------------------------------------------------------- baselines


def _citation(n: int, statement: Statement, quote: str, start: int, end: int) -> Citation:
    return Citation(
        n=n,
        statement_id=statement.statement_id,
        document_id=statement.document_id,
        speaker=statement.speaker,
        speaker_type=statement.speaker_type,
        on_behalf_of=statement.on_behalf_of,
        quote=quote,
        page=statement.page_at(start),
        char_start=start,
        char_end=end,
    )


class StatementBaseline(System):
    """Top-5 statements of one retrieval mode, each quoted by its best sentence."""

    def __init__(self, assistant, document_id: str, mode: str):
        self.assistant = assistant
        self.document_id = document_id
        self.mode = mode
        self.name = mode
        self.description = f"top-{BASELINE_TOP_K} statements by {mode} retrieval, best sentence quoted"
        self._last: tuple[str, list[str]] | None = None

    def prepare(self) -> None:
        self.assistant.warm_up()
        self.assistant.corpus(self.document_id)

    def ask(self, question: str, history: list[dict]) -> Answer:
        corpus = self.assistant.corpus(self.document_id)
        ranked = corpus.rank_statements(question, mode=self.mode)
        self._last = (question, [s.statement_id for s, _ in ranked])
        top = [statement for statement, _ in ranked[:BASELINE_TOP_K]]
        best = _best_sentences(corpus, top, question)
        citations = []
        lines = []
        for n, statement in enumerate(top, start=1):
            sentence = best[statement.statement_id]
            citations.append(_citation(n, statement, sentence.text, sentence.char_start, sentence.char_end))
            lines.append(f"{statement.speaker}: “{sentence.text}” [{n}]")
        return Answer(question=question, answer="\n".join(lines), citations=tuple(citations), backend=self.mode, document_id=self.document_id)

    def ranking(self, question: str) -> list[str] | None:
        if self._last and self._last[0] == question:
            return self._last[1]
        corpus = self.assistant.corpus(self.document_id)
        return [s.statement_id for s, _ in corpus.rank_statements(question, mode=self.mode)]


def _best_sentences(corpus, statements: list[Statement], question: str) -> dict:
    """statement id -> its best sentence for `question`, as `corpus.best_sentence` picks it.

    Scored in one `sentence_hits` call (one query embedding instead of one per statement)
    when the corpus offers it, so the baselines' latency is not inflated by repeated embedding.
    """
    if not statements:
        return {}
    try:
        hits = corpus.sentence_hits(question, [corpus.position(s) for s in statements])
        best: dict[str, tuple[float, object]] = {}
        for hit in hits:
            sid = hit.statement.statement_id
            if sid not in best or hit.score > best[sid][0]:
                best[sid] = (hit.score, hit.sentence)
        if all(s.statement_id in best for s in statements):
            return {sid: sentence for sid, (_, sentence) in best.items()}
    except (AttributeError, TypeError):
        pass
    return {s.statement_id: corpus.best_sentence(s, question) for s in statements}


def document_text(data, settings) -> tuple[str, str | None]:
    """The whole normalised text of an indexed document, rebuilt from its source file.

    Returns (text, warning). The source is looked for beside the bundled document; when it
    cannot be found or no longer matches the index, the text is rebuilt from the statements
    at their offsets (headings and the title block are then blank) and a warning says so.
    """
    from index.load import DocumentError, paragraphs, read_pages
    from index.segment import document_id_for

    info = data.info
    candidates = []
    if info.source:
        bundled = Path(settings.bundled_document)
        candidates = [bundled] if bundled.name == info.source else []
        candidates += [bundled.parent / info.source, Path(info.source)]
    for path in candidates:
        if not path.is_file():
            continue
        try:
            text = "\n\n".join(p.text for p in paragraphs(read_pages(path)))
        except DocumentError:
            continue
        if document_id_for(text) == info.document_id:
            return text, None
    end = max((s.char_end for s in data.statements), default=0)
    chars = [" "] * end
    for statement in data.statements:
        chars[statement.char_start:statement.char_end] = statement.text
    warning = f"naive baseline: source file {info.source or '?'} not found or changed; chunked the statements' text instead"
    return "".join(chars), warning


class NaiveBaseline(System):
    """What a developer builds first with llama-index: fixed chunks of the whole text, dense top-5."""

    CHUNK_TOKENS = 512

    def __init__(self, assistant, document_id: str):
        self.assistant = assistant
        self.document_id = document_id
        self.name = "naive"
        self.description = (
            f"llama-index SentenceSplitter({self.CHUNK_TOKENS} tokens, no overlap) over the whole document, "
            f"VectorStoreIndex, dense top-{BASELINE_TOP_K}; the chunk is the quote"
        )
        self.warning: str | None = None
        self._retriever = None
        self._spans: dict[str, tuple[int, int]] = {}
        self._statements: list[Statement] = []
        self._last: tuple[str, list[str]] | None = None

    def prepare(self) -> None:
        from llama_index.core import Document, VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter

        data = self.assistant.corpus(self.document_id).data
        self._statements = list(data.statements)
        text, self.warning = document_text(data, self.assistant.settings)
        nodes = SentenceSplitter(chunk_size=self.CHUNK_TOKENS, chunk_overlap=0).get_nodes_from_documents([Document(text=text)])
        cursor = 0
        for node in nodes:
            content = node.get_content()
            start = node.start_char_idx
            if start is None or text[start:start + len(content)] != content:
                found = text.find(content, cursor)
                start = found if found >= 0 else _fuzzy_find(text, content, cursor)
            end = start + len(content) if start is not None and start >= 0 else None
            if end is not None:
                self._spans[node.node_id] = (start, end)
                cursor = end
        index = VectorStoreIndex(nodes, embed_model=self.assistant.embedder, show_progress=False)
        self._retriever = index.as_retriever(similarity_top_k=len(nodes))

    def _overlapping(self, start: int, end: int) -> list[Statement]:
        return [s for s in self._statements if s.char_start < end and s.char_end > start]

    def ask(self, question: str, history: list[dict]) -> Answer:
        results = self._retriever.retrieve(question)
        ranking: list[str] = []
        for hit in results:
            span = self._spans.get(hit.node.node_id)
            if span:
                ranking += [s.statement_id for s in self._overlapping(*span) if s.statement_id not in ranking]
        self._last = (question, ranking)
        citations: list[Citation] = []
        parts: list[str] = []
        for hit in results[:BASELINE_TOP_K]:
            chunk = hit.node.get_content()
            span = self._spans.get(hit.node.node_id)
            numbers = []
            for statement in self._overlapping(*span) if span else []:
                start = max(0, span[0] - statement.char_start)
                end = min(len(statement.text), span[1] - statement.char_start)
                citations.append(_citation(len(citations) + 1, statement, chunk, start, end))
                numbers.append(len(citations))
            marker = "".join(f"[{n}]" for n in numbers)
            parts.append(f"{chunk} {marker}".rstrip())
        return Answer(question=question, answer="\n\n".join(parts), citations=tuple(citations), backend="naive", document_id=self.document_id)

    def ranking(self, question: str) -> list[str] | None:
        if not (self._last and self._last[0] == question):
            self.ask(question, [])
        return self._last[1]


def _fuzzy_find(text: str, content: str, cursor: int) -> int | None:
    """Where `content` starts in `text`, ignoring differences in whitespace."""
    import re

    pattern = r"\s+".join(re.escape(w) for w in content.split())
    match = re.compile(pattern).search(text, cursor) or re.compile(pattern).search(text)
    return match.start() if match else None


# ---------------------------------------------------------------- selection


def parse_systems(value: str | None) -> list[str]:
    """"ours,naive" -> ["ours", "naive"]; EvalInputError for unknown names."""
    names = [n.strip().lower() for n in (value or ",".join(SYSTEM_NAMES)).split(",") if n.strip()]
    unknown = [n for n in names if n not in SYSTEM_NAMES]
    if unknown or not names:
        raise EvalInputError(f"unknown system(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(SYSTEM_NAMES)}.")
    return list(dict.fromkeys(names))


def build_systems(
    assistant,
    document_id: str,
    names: list[str],
    backends: list[str],
    url: str | None = None,
    known_documents: set[str] | None = None,
) -> list[System]:
    """The systems to run, in report order: ours first (one per backend), then the baselines."""
    systems: list[System] = []
    if "ours" in names:
        if url:
            for backend in backends or [None]:
                systems.append(OursRemote(url, backend, document_id, assistant.settings, known_documents or set()))
        else:
            for backend in dict.fromkeys(["offline", *backends]):
                systems.append(OursLocal(assistant, backend, document_id))
    if "naive" in names:
        systems.append(NaiveBaseline(assistant, document_id))
    for mode in ("bm25", "dense"):
        if mode in names:
            systems.append(StatementBaseline(assistant, document_id, mode))
    return systems


def timed(call, *args):
    """(result, milliseconds) of one call."""
    started = time.perf_counter()
    result = call(*args)
    return result, (time.perf_counter() - started) * 1000
