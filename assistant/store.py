"""The index as seen by the answer engine: where it lives, its schema, and reading it.

Layout under `HRC_HOME/index/` (embedded mode):
    CURRENT            name of the generation in use, swapped atomically by the indexer
    gen-<id>/chroma/   one complete Chroma store per generation
    gen-<id>/COMPLETE  written last; a generation without it was interrupted
In server mode (`HRC_CHROMA_URL`) a generation is a set of collections named
`hrc_<gen>_<kind>` and the pointer is the metadata of the `hrc_current` collection.

Collections of a generation: documents, statements, sentences (one record each, with
embeddings), chunks (written through llama-index's ChromaVectorStore). Each records
the embedding model and schema version in its metadata.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
import tempfile
import threading
import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from assistant.embedding import MODEL_NAME
from assistant.errors import Unavailable, UserError
from assistant.models import DocumentInfo, Sentence, Statement
from assistant.settings import Settings
from assistant.stance import decode as decode_stances
from assistant.stance import encode as encode_stances

log = logging.getLogger("hrc_assistant.store")

SCHEMA_VERSION = 3  # 2: chunks carry their document_id; 3: statements carry stances, documents confidence
KINDS = ("documents", "statements", "sentences", "chunks")
POINTER_COLLECTION = "hrc_current"


class IndexProblem(UserError):
    """The index cannot be used; the message says how to fix it."""

    status = 503


class IndexMissing(IndexProblem):
    pass


class IndexMismatch(IndexProblem):
    pass


class StoreUnavailable(IndexProblem, Unavailable):
    """The Chroma server cannot be reached."""


class IndexDamaged(IndexProblem):
    """The files of the generation in use cannot be read (corrupt pages, missing segments)."""


class DiskFull(IndexProblem):
    """The disk under HRC_HOME has no space left."""


_DISK_FULL_TEXTS = ("database or disk is full", "no space left on device")


def is_disk_full(error: BaseException) -> bool:
    """ENOSPC, however the layer that met it reports it (OSError, sqlite3, Chroma's Rust core)."""
    while error is not None:
        if isinstance(error, OSError) and error.errno == errno.ENOSPC:
            return True
        if any(text in str(error).lower() for text in _DISK_FULL_TEXTS):
            return True
        error = error.__cause__ or error.__context__
    return False


def _store_errors() -> tuple[type[BaseException], ...]:
    """What Chroma and SQLite raise when the files under a generation are damaged or unwritable."""
    from chromadb.errors import ChromaError

    return (ChromaError, sqlite3.DatabaseError, OSError)


@contextmanager
def reading(settings: Settings, generation: str | None):
    """Turn a failure to read the store into one sentence naming the fix."""
    try:
        yield
    except UserError:
        raise
    except _store_errors() as error:
        raise store_failure(settings, generation, error) from None


def store_failure(settings: Settings, generation: str | None, error: BaseException) -> IndexProblem:
    where = settings.chroma_url or index_root(settings) / (generation or "")
    if is_disk_full(error):
        return DiskFull(
            f"The disk holding {Path(settings.home).expanduser()} is full, so the index cannot be opened; "
            "free some space (nothing needs rebuilding)."
        )
    return IndexDamaged(damaged_message(where, error))


def damaged_message(where, error: BaseException) -> str:
    """One line: where the damaged index is, the cause in brief, and the command that rebuilds it."""
    cause = " ".join(str(error).split())[:160] or type(error).__name__
    return f"The index in {where} is damaged ({cause}); run `hrc-assistant index --rebuild`."


def read_batches(collection, batch: int, **query):
    """The records of a `get`, `batch` at a time: one call for every record of a large index
    fails with "too many SQL variables" (SQLite allows 32766 per statement)."""
    offset = 0
    while True:
        got = collection.get(limit=batch, offset=offset, **query)
        if got["ids"]:
            yield got
        if len(got["ids"]) < batch:
            return
        offset += batch


def read_all(collection, batch: int, include: list[str], **query) -> dict:
    """One `get` result for every matching record, read in batches."""
    merged: dict[str, list] = {"ids": [], **{key: [] for key in include}}
    for got in read_batches(collection, batch, include=include, **query):
        for key in merged:
            merged[key].extend(got[key])
    return merged


def index_root(settings: Settings) -> Path:
    return Path(settings.home).expanduser() / "index"


def chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


# One HTTP client per server URL for the whole process: building one costs ~100 ms and
# `current_generation` runs on every index access (server mode).
_http_clients: dict[str, object] = {}
_http_lock = threading.Lock()


def open_client(settings: Settings, generation: str | None = None):
    """A Chroma client: HTTP when `chroma_url` is set, else the embedded store of a generation."""
    import chromadb

    if settings.chroma_url:
        with _http_lock:
            cached = _http_clients.get(settings.chroma_url)
        if cached is not None:
            return cached
        url = urlparse(settings.chroma_url)
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings(),
            )
            client.heartbeat()
        except Exception as exc:  # noqa: BLE001 - chromadb raises many connection error types
            raise StoreUnavailable(f"The Chroma server at {settings.chroma_url} cannot be reached ({type(exc).__name__}).") from None
        with _http_lock:
            return _http_clients.setdefault(settings.chroma_url, client)
    if generation is None:
        raise ValueError("an embedded client needs a generation")
    return chromadb.PersistentClient(path=str(index_root(settings) / generation / "chroma"), settings=chroma_settings())


def collection_name(generation: str, kind: str, settings: Settings) -> str:
    return f"hrc_{generation}_{kind}" if settings.chroma_url else kind


def current_generation(settings: Settings) -> str | None:
    """The generation in use, or None when nothing has been indexed yet."""
    if settings.chroma_url:
        client = open_client(settings)
        try:
            return client.get_collection(POINTER_COLLECTION).metadata.get("generation") or None
        except Exception:  # noqa: BLE001 - missing collection, or the server went away
            try:
                client.heartbeat()
            except Exception:  # noqa: BLE001
                with _http_lock:
                    _http_clients.pop(settings.chroma_url, None)
                raise StoreUnavailable(f"The Chroma server at {settings.chroma_url} cannot be reached.") from None
            return None
    pointer = index_root(settings) / "CURRENT"
    if not pointer.exists():
        return None
    name = pointer.read_text(errors="replace").strip()
    if not name or not (index_root(settings) / name / "COMPLETE").exists():
        raise IndexMismatch(
            f"The index pointer in {pointer} names an incomplete generation; run `hrc-assistant index --rebuild`."
        )
    return name


def collection_metadata() -> dict:
    return {"embedding_model": MODEL_NAME, "schema_version": SCHEMA_VERSION, "hnsw:space": "cosine"}


def check_collection(collection) -> None:
    meta = collection.metadata or {}
    if meta.get("embedding_model") != MODEL_NAME or meta.get("schema_version") != SCHEMA_VERSION:
        raise IndexMismatch(
            f"The index was built with embedding model {meta.get('embedding_model')!r} and schema "
            f"{meta.get('schema_version')!r}, but this version uses {MODEL_NAME!r} and schema {SCHEMA_VERSION}; "
            "run `hrc-assistant index --rebuild`."
        )


# ---------------------------------------------------------------- metadata encoding
# Chroma metadata values are scalars; None becomes "" and tuples become JSON.


def statement_metadata(s: Statement) -> dict:
    return {
        "statement_id": s.statement_id,
        "document_id": s.document_id,
        "order": s.order,
        "speaker": s.speaker,
        "speaker_type": s.speaker_type,
        "on_behalf_of": s.on_behalf_of or "",
        "role": s.role or "",
        "section": s.section,
        "page_start": s.page_start,
        "page_end": s.page_end,
        "char_start": s.char_start,
        "char_end": s.char_end,
        "stances": encode_stances(s.stances),
    }


def sentence_metadata(s: Statement, sentence: Sentence) -> dict:
    return {
        "statement_id": s.statement_id,
        "document_id": s.document_id,
        "speaker": s.speaker,
        "speaker_type": s.speaker_type,
        "index": sentence.index,
        "char_start": sentence.char_start,
        "char_end": sentence.char_end,
        "page": sentence.page,
    }


def document_metadata(info: DocumentInfo, indexer: str = "") -> dict:
    """`indexer`: the fingerprint of what derived the document's records (`index/fingerprint.py`)."""
    return {"document_id": info.document_id, "info": info.model_dump_json(), "indexer": indexer}


def _statement_from(text: str, meta: dict, sentences: tuple[Sentence, ...]) -> Statement:
    return Statement(
        statement_id=meta["statement_id"],
        document_id=meta["document_id"],
        order=int(meta["order"]),
        speaker=meta["speaker"],
        speaker_type=meta["speaker_type"],
        on_behalf_of=meta.get("on_behalf_of") or None,
        role=meta.get("role") or None,
        section=meta.get("section", ""),
        page_start=int(meta["page_start"]),
        page_end=int(meta["page_end"]),
        text=text,
        char_start=int(meta["char_start"]),
        char_end=int(meta["char_end"]),
        sentences=sentences,
        stances=decode_stances(meta.get("stances")),
    )


# ---------------------------------------------------------------- reading


@dataclass(eq=False)  # compared and hashed by identity: per-document caches key on it (weakly)
class DocumentData:
    """One indexed document in memory: statements in order and its sentence embeddings.

    sentence_rows[i] = (statement position, sentence index) for row i of `vectors` (n × 384).
    """

    info: DocumentInfo
    statements: list[Statement]
    sentence_rows: list[tuple[int, int]]
    vectors: object  # numpy array, float32, L2-normalised
    by_id: dict[str, Statement] = field(default_factory=dict)


class IndexReader:
    """Read access to one generation of the index."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.generation = current_generation(settings)
        if self.generation is None:
            raise IndexMissing(
                f"No index in {index_root(settings) if not settings.chroma_url else settings.chroma_url}; "
                "run `hrc-assistant index` first."
            )
        with reading(settings, self.generation):
            self.client = self._open_client()
            try:
                self.collections = {
                    kind: self.client.get_collection(collection_name(self.generation, kind, settings)) for kind in KINDS
                }
            except Exception as exc:  # noqa: BLE001 - chromadb raises NotFoundError, ValueError or InternalError by version
                if is_disk_full(exc):
                    raise
                raise IndexMismatch(damaged_message(settings.chroma_url or index_root(settings) / self.generation, exc)) from None
        for collection in self.collections.values():
            check_collection(collection)
        self._documents: dict[str, DocumentInfo] | None = None
        self._indexers: dict[str, str] = {}

    def _open_client(self):
        """The generation's client. Chroma writes when it opens a store, so on a full disk an intact
        generation is read from a copy in shared memory instead, removed with this reader."""
        try:
            return open_client(self.settings, self.generation)
        except _store_errors() as error:
            if self.settings.chroma_url or not is_disk_full(error):
                raise
        import chromadb

        source = index_root(self.settings) / self.generation / "chroma"
        size = sum(f.stat().st_size for f in source.rglob("*") if f.is_file())
        memory = Path("/dev/shm")
        if not (memory.is_dir() and os.access(memory, os.W_OK) and shutil.disk_usage(memory).free > 2 * size):
            raise DiskFull(
                f"The disk holding {Path(self.settings.home).expanduser()} is full and the index cannot be opened "
                "from memory either; free some space (nothing needs rebuilding)."
            )
        copy = Path(tempfile.mkdtemp(prefix=f"hrc-{self.generation}-", dir=memory))
        weakref.finalize(self, shutil.rmtree, copy, True)
        shutil.copytree(source, copy / "chroma")
        log.warning("disk full under %s: reading index generation %s from a copy in %s", self.settings.home, self.generation, memory)
        return chromadb.PersistentClient(path=str(copy / "chroma"), settings=chroma_settings())

    def is_current(self) -> bool:
        try:
            return current_generation(self.settings) == self.generation
        except IndexProblem:
            return True

    def documents(self) -> dict[str, DocumentInfo]:
        if self._documents is None:
            with reading(self.settings, self.generation):
                got = read_all(self.collections["documents"], self.settings.store_batch_size, include=["metadatas"])
            infos = [DocumentInfo.model_validate_json(m["info"]) for m in got["metadatas"]]
            self._documents = {i.document_id: i for i in sorted(infos, key=lambda i: (i.session or "", i.date or "", i.title))}
            self._indexers = {m["document_id"]: m.get("indexer", "") for m in got["metadatas"]}
        return self._documents

    def indexers(self) -> dict[str, str]:
        """Document id -> the fingerprint of the indexer that wrote it ("" before fingerprints were stored)."""
        self.documents()  # one read of the documents' metadata gives both
        return self._indexers

    def load_document(self, document_id: str) -> DocumentData:
        import numpy as np

        info = self.documents()[document_id]
        where = {"document_id": document_id}
        batch = self.settings.store_batch_size
        with reading(self.settings, self.generation):
            st = read_all(self.collections["statements"], batch, where=where, include=["documents", "metadatas"])
            se = read_all(self.collections["sentences"], batch, where=where, include=["documents", "metadatas", "embeddings"])
        per_statement: dict[str, list[tuple[Sentence, list[float]]]] = {}
        for text, meta, vector in zip(se["documents"], se["metadatas"], se["embeddings"]):
            sentence = Sentence(
                index=int(meta["index"]), text=text, char_start=int(meta["char_start"]),
                char_end=int(meta["char_end"]), page=int(meta["page"]),
            )
            per_statement.setdefault(meta["statement_id"], []).append((sentence, vector))
        rows = sorted(zip(st["documents"], st["metadatas"]), key=lambda r: int(r[1]["order"]))
        statements: list[Statement] = []
        sentence_rows: list[tuple[int, int]] = []
        vectors: list = []
        for position, (text, meta) in enumerate(rows):
            pairs = sorted(per_statement.get(meta["statement_id"], []), key=lambda p: p[0].index)
            statements.append(_statement_from(text, meta, tuple(p[0] for p in pairs)))
            for sentence, vector in pairs:
                sentence_rows.append((position, sentence.index))
                vectors.append(vector)
        matrix = np.asarray(vectors, dtype=np.float32).reshape(-1, 384)
        return DocumentData(
            info=info, statements=statements, sentence_rows=sentence_rows, vectors=matrix,
            by_id={s.statement_id: s for s in statements},
        )

    def chunk_store(self) -> ChunkStore:
        """llama-index's view of the chunks collection, for dense retrieval."""
        from llama_index.vector_stores.chroma import ChromaVectorStore

        return ChunkStore(ChromaVectorStore(chroma_collection=self.collections["chunks"]), self.settings, self.generation)


class ChunkStore:
    """A llama-index vector store whose queries fail with one sentence naming the fix when the store is damaged."""

    def __init__(self, store, settings: Settings, generation: str | None):
        self.store = store
        self.settings = settings
        self.generation = generation

    def query(self, query, **kwargs):
        with reading(self.settings, self.generation):
            return self.store.query(query, **kwargs)
