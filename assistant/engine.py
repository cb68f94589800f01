"""`Assistant`: the stateless question-answering engine behind the CLI, the API and the UI."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from assistant.errors import NotFound, QuestionError
from assistant.models import Answer, DocumentInfo, Statement
from assistant.settings import Settings
from assistant.validate import validate_history, validate_question


class Assistant:
    """Answers questions over the index named by `settings`; conversation history is passed in."""

    def __init__(self, settings: Settings, embedder=None):
        self.settings = settings
        self._embedder = embedder
        self._reader = None
        self._corpora: dict[str, object] = {}
        self._lock = threading.RLock()
        self._router = None
        self._fixed_vectors: dict[tuple[str, ...], object] = {}
        # The query vectors of the ask this thread is answering (see `embed_queries`).
        self._ask = threading.local()

    # ------------------------------------------------------------ index access

    @property
    def reader(self):
        from assistant.store import IndexReader

        with self._lock:
            if self._reader is None or not self._reader.is_current():
                self._reader = IndexReader(self.settings)
                self._corpora = {}
            return self._reader

    @property
    def embedder(self):
        with self._lock:
            if self._embedder is None:
                from assistant.embedding import load_embedder

                self._embedder = load_embedder()
            return self._embedder

    def documents(self) -> dict[str, DocumentInfo]:
        return self.reader.documents()

    def default_document(self) -> str:
        documents = self.documents()
        if not documents:
            raise NotFound("The index holds no documents; run `hrc-assistant index`.")
        bundled = self.settings.bundled_document.name
        for info in documents.values():
            if info.source == bundled:
                return info.document_id
        return next(iter(documents))

    def corpus(self, document_id: str):
        """The in-memory search structures of one document (built once per index generation)."""
        from assistant.retrieve import Corpus

        reader = self.reader
        with self._lock:
            if document_id not in self._corpora:
                if document_id not in reader.documents():
                    raise NotFound(f"Unknown document id {document_id!r}; see `hrc-assistant documents`.")
                self._corpora[document_id] = Corpus(reader.load_document(document_id), self)
            return self._corpora[document_id]

    def statements(self, document_id: str | None = None) -> list[Statement]:
        return list(self.corpus(document_id or self.default_document()).data.statements)

    def statement(self, statement_id: str) -> Statement:
        document_id = statement_id.split(":", 1)[0]
        if document_id not in self.documents():
            raise NotFound(f"No statement {statement_id!r}.")
        found = self.corpus(document_id).data.by_id.get(statement_id)
        if found is None:
            raise NotFound(f"No statement {statement_id!r}.")
        return found

    def embed_query(self, text: str):
        """The L2-normalised vector of one text (see `embed_queries`)."""
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: list[str]):
        """L2-normalised vectors of `texts`, one row each; those not embedded yet go to the model in one call.

        While an ask is answered, its vectors are kept until it ends: the router, and the relevance
        step of every speaker and document in scope, share them. Never across asks: a repeated
        question costs what a new one does.
        """
        import numpy as np

        from assistant.embedding import DIMENSIONS, encode

        known = getattr(self._ask, "vectors", None)
        if known is None:
            known = {}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            known.update(zip(missing, encode(self.embedder, missing)))
        return np.stack([known[t] for t in texts]) if texts else np.zeros((0, DIMENSIONS), dtype=np.float32)

    def fixed_vectors(self, texts: tuple[str, ...]):
        """Vectors of fixed texts (prototype sentences of a data file), embedded once per engine, not per document."""
        with self._lock:
            if texts not in self._fixed_vectors:
                from assistant.embedding import encode

                self._fixed_vectors[texts] = encode(self.embedder, list(texts))
            return self._fixed_vectors[texts]

    def router(self):
        """The intent router of question understanding, built on first use (it embeds its labelled examples)."""
        with self._lock:
            if self._router is None:
                from assistant.intents import Router

                embedder = self.embedder
                self._router = Router(self.embed_query, embedder.get_text_embedding_batch, self.settings.home / "cache")
            return self._router

    def warm_up(self) -> None:
        """Load the model, the intent router and the default document so the first question is fast."""
        self.embed_query("warm up")  # the model first: it is needed even while the index is unavailable
        self.router()
        self.corpus(self.default_document())

    # ------------------------------------------------------------ answering

    @contextmanager
    def _answering(self):
        """The scope of one ask on this thread: query vectors computed in it are reused until it ends."""
        outer = getattr(self._ask, "vectors", None)
        self._ask.vectors = {} if outer is None else outer
        try:
            yield
        finally:
            self._ask.vectors = outer

    def ask(
        self,
        question: str,
        history: list | None = None,
        document_id: str | None = None,
        backend: str | None = None,
        all_documents: bool = False,
        speaker_types: list[str] | None = None,
        speakers: list[str] | None = None,
    ) -> Answer:
        """Answer one turn; `history` is a list of {role, content} messages of earlier turns."""
        answer = None
        for event in self.stream(question, history, document_id, backend, all_documents, speaker_types, speakers):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None
        return answer

    def llm_passages(self, query, draft: Answer, corpora) -> list:
        """Retrieval-augmented generation: the draft's quotes and the top statements in scope, whatever the draft decided."""
        from assistant.answer import evidence
        from assistant.prompt import passages

        return passages(draft, evidence(query, corpora, self.settings.top_k), corpora)

    def stream(
        self,
        question: str,
        history: list | None = None,
        document_id: str | None = None,
        backend: str | None = None,
        all_documents: bool = False,
        speaker_types: list[str] | None = None,
        speakers: list[str] | None = None,
    ) -> Iterator[str | Answer]:
        """Yield text deltas as they are verified, then the final Answer."""
        from assistant.answer import answer_offline
        from assistant.backends import names as backend_names
        from assistant.filters import canonical_speakers, excluded_by_filters
        from assistant.understand import understand

        started = time.perf_counter()
        question = validate_question(question, self.settings)
        messages = validate_history(history or [], self.settings)
        backend = backend or self.settings.backend
        if backend not in backend_names():
            raise QuestionError(f"Unknown backend {backend!r}; choose one of {', '.join(backend_names())}.")
        if document_id is not None and document_id not in self.documents():
            raise NotFound(f"Unknown document id {document_id!r}; see `hrc-assistant documents`.")
        ids = list(self.documents()) if all_documents else [document_id or self.default_document()]
        corpora = [self.corpus(i) for i in ids]
        speakers = canonical_speakers(speakers, corpora)  # an unknown name is an error, never "everyone"
        with self._answering():  # no yield inside: the ask's vectors belong to this thread until it ends
            t0 = time.perf_counter()
            query = understand(question, messages, corpora, speaker_types=speaker_types, speakers=speakers)
            timings = {"understanding": (time.perf_counter() - t0) * 1000}
            excluded = excluded_by_filters(question, query.speakers, corpora, speaker_types, speakers)
            draft = excluded or answer_offline(query, corpora, self, timings)
            # A speaker who did not speak, or a filter that excludes the one asked about, is answered offline only:
            # an LLM given other statements could only put words in their mouth.
            grounded = excluded is None and not query.missing_speakers and not query.listed_speakers
            passages = self.llm_passages(query, draft, corpora) if backend != "offline" and grounded else []
        if passages:
            from assistant.backends import load
            from assistant.llm import answer_with_llm

            final = None
            for event in answer_with_llm(query, draft, passages, corpora, self.settings, load(backend)):
                if isinstance(event, Answer):
                    final = event
                else:
                    yield event
            draft = final or draft
        else:
            yield draft.answer
        timings["total"] = (time.perf_counter() - started) * 1000
        yield draft.model_copy(update={"question": question, "timings_ms": timings, "document_id": ids[0] if len(ids) == 1 else None})
