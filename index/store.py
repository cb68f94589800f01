"""Write the index: documents → statements, sentences and chunks with embeddings, atomically.

Each run that changes something builds a new generation (copying the records of the
documents it keeps, embedding only new text) and swaps the pointer when complete, so
a crash or a kill mid-way leaves the previous generation in use. The model reads each
sentence once; a chunk's vector is pooled from its sentences' token vectors. Embeddings are
cached by content hash in `HRC_HOME/cache/embeddings.sqlite`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from assistant import store as schema
from assistant.embedding import MODEL_NAME
from assistant.errors import UserError
from assistant.models import Document
from assistant.settings import Settings
from index import guard
from index.chunk import chunk_statement, token_counter
from index.fingerprint import indexer_fingerprint
from index.load import ReadLimits, paragraphs, read_pages
from index.segment import segment

Progress = Callable[[str], None]


@dataclass
class IndexSummary:
    documents: int = 0  # documents in the index after the run
    added: list[str] = field(default_factory=list)  # document ids added by this run
    skipped: list[str] = field(default_factory=list)  # already indexed, unchanged
    statements: int = 0
    chunks: int = 0
    embedded: int = 0  # sentence texts the model embedded in this run (chunk vectors are pooled from their sentences)
    cached: int = 0  # sentence texts whose embedding came from the cache
    seconds: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    generation: str | None = None
    warnings: list[str] = field(default_factory=list)
    low_confidence: list[str] = field(default_factory=list)  # "path: why" for documents whose speakers are not recognised


def load_document(path: Path, settings: Settings, force: bool = False) -> Document:
    """Read and segment one file (raises index.load.DocumentError on bad input).

    Unless `force`, a symbolic link out of its directory and text that is not prose are refused.
    """
    path = Path(path)
    if not force:
        guard.check_location(path)
    pages = read_pages(path, limits=ReadLimits.of(settings))
    if not force:
        guard.check_prose(path, pages)
    return segment(paragraphs(pages), source=path.name, page_count=len(pages))


class EmbeddingCache:
    """Vectors by sha256(model + text), so re-indexing re-embeds only new text.

    A chunk's vector pooled from its sentences' tokens has a key of its own (`pooled_key`, over the
    sentences it joins): it is not the model's embedding of the chunk's text, and is never read as one.
    """

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path))
        self.db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()

    @staticmethod
    def pooled_key(sentences: list[str]) -> str:
        return hashlib.sha256(f"{MODEL_NAME}\npooled\n{chr(31).join(sentences)}".encode()).hexdigest()

    def lookup(self, keys: Iterable[str]) -> dict[str, list[float]]:
        import numpy as np

        keys = list(dict.fromkeys(keys))
        found: dict[str, list[float]] = {}
        for start in range(0, len(keys), 500):
            batch = keys[start:start + 500]
            rows = self.db.execute(
                f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(batch))})", batch
            ).fetchall()
            found.update({k: np.frombuffer(v, dtype=np.float32).tolist() for k, v in rows})
        return found

    def store(self, vectors: dict[str, list[float]]) -> dict[str, list[float]]:
        """Write `vectors`; returns them as stored (float32), so a run and a re-run read the same values."""
        import numpy as np

        rows = {k: np.asarray(v, dtype=np.float32) for k, v in vectors.items()}
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", [(k, v.tobytes()) for k, v in rows.items()])
        return {k: v.tolist() for k, v in rows.items()}

    def embed(self, texts: list[str], embedder_factory: Callable, summary: IndexSummary) -> list[list[float]]:
        keys = [self.key(t) for t in texts]
        found = self.lookup(keys)
        # Sorted by length so each batch pads to similar lengths (a third fewer tokens through the model).
        missing = sorted({k: t for k, t in zip(keys, texts) if k not in found}.items(), key=lambda kv: len(kv[1]))
        if missing:
            vectors = embedder_factory().get_text_embedding_batch([t for _, t in missing])
            found.update(self.store({k: v for (k, _), v in zip(missing, vectors)}))
        summary.embedded += len(missing)
        summary.cached += len(texts) - len(missing)
        return [found[k] for k in keys]

    def embed_pooled(self, sentences: list[str], chunks: list[list[str]], encoder: Callable, summary: IndexSummary) -> tuple | None:
        """Vectors of `sentences`, and of each chunk (its consecutive sentences' texts) pooled over all its tokens.

        The model reads each sentence once; a chunk's vector is the normalised mean of its
        sentences' token vectors, each token seen in its own sentence. `encoder()` gives the
        `TokenEncoder`, loaded only when something is not in the cache; None when the embedder in
        use cannot give token vectors (then this returns None and stores nothing).
        """
        from assistant.embedding import normalised

        keys = {t: self.key(t) for t in sentences}
        chunk_keys = [self.pooled_key(c) for c in chunks]
        found = self.lookup([*keys.values(), *chunk_keys])
        # A chunk not in the cache needs the token sums of all its sentences, cached or not.
        to_read = [t for t in keys if keys[t] not in found] + [t for c, k in zip(chunks, chunk_keys) if k not in found for t in c]
        to_read = sorted(dict.fromkeys(to_read), key=len)
        sums = {}
        if to_read:
            if (token_encoder := encoder()) is None:
                return None
            sums = dict(zip(to_read, token_encoder.token_sums(to_read)))
        new_sentences = {keys[t]: normalised(sums[t]) for t in to_read if keys[t] not in found}
        new_chunks = {k: normalised(sum(sums[t] for t in c)) for c, k in zip(chunks, chunk_keys) if k not in found}
        if new_sentences or new_chunks:
            found.update(self.store({**new_sentences, **new_chunks}))
        summary.embedded += len(new_sentences)
        summary.cached += len(sentences) - len(new_sentences)
        return [found[keys[t]] for t in sentences], [found[k] for k in chunk_keys]


def index_paths(
    settings: Settings,
    paths: Iterable[Path],
    rebuild: bool = False,
    progress: Progress = lambda _: None,
    embedder_factory: Callable | None = None,
    force: bool = False,
) -> IndexSummary:
    """Index documents. Unchanged documents are skipped; a new generation is swapped in at the end.

    `force` indexes files the guard would refuse (symbolic links out of their directory, non-prose text).
    """
    summary = IndexSummary()
    started = time.perf_counter()
    documents: list[Document] = []
    for path in paths:
        t0 = time.perf_counter()
        document = load_document(Path(path), settings, force=force)
        summary.seconds["segmentation"] = summary.seconds.get("segmentation", 0) + time.perf_counter() - t0
        summary.warnings.extend(f"{path}: {w}" for w in document.info.warnings)
        if document.info.low_confidence:
            summary.low_confidence.append(f"{path}: {document.info.warnings[-1] if document.info.warnings else 'speakers not recognised'}")
        progress(f"read {Path(path).name}: {document.info.statements} statements ({document.info.document_id})"
                 + (f", speakers recognised in {document.info.confidence:.0%} of the text" if document.info.low_confidence else ""))
        documents.append(document)

    with indexing_lock(settings, progress):
        return _index_documents(settings, documents, rebuild, progress, embedder_factory, summary, started)


def _index_documents(settings, documents, rebuild, progress, embedder_factory, summary, started) -> IndexSummary:
    """The part that reads and writes the index: run under the indexing lock."""
    previous = None if rebuild else _current_or_none(settings)
    existing = previous.documents() if previous else {}
    # A document indexed by another version of the indexer (other segmentation rules, another stance fit) is
    # derived again: its stored statements and stances may be stale. Its text is unchanged, so the cache serves it.
    indexer = indexer_fingerprint()
    indexed_with = previous.indexers() if previous else {}
    stale = {d.info.document_id for d in documents if d.info.document_id in existing and indexed_with.get(d.info.document_id) != indexer}
    for document_id in sorted(stale):
        progress(f"indexing again: {document_id} was indexed by another version of the indexer")
    new_documents = [d for d in documents if d.info.document_id not in existing or d.info.document_id in stale]
    summary.skipped = [d.info.document_id for d in documents if d.info.document_id in existing and d.info.document_id not in stale]
    for skipped in summary.skipped:
        progress(f"already indexed, unchanged: {skipped}")
    new_documents = list({d.info.document_id: d for d in new_documents}.values())
    if not new_documents and previous is not None:
        summary.documents = len(existing)
        summary.generation = previous.generation
        summary.statements, summary.chunks = _counts(previous)
        summary.seconds["total"] = time.perf_counter() - started
        return summary

    generation = f"g{time.strftime('%Y%m%d%H%M%S')}{uuid.uuid4().hex[:6]}"
    _clean_interrupted(settings)
    try:
        client = _new_generation(settings, generation)
        collections = {
            kind: client.create_collection(schema.collection_name(generation, kind, settings), metadata=schema.collection_metadata())
            for kind in schema.KINDS
        }
        if previous is not None:
            t0 = time.perf_counter()
            _copy_records(previous, collections, settings.store_batch_size, leave_out=stale)
            summary.seconds["copy"] = time.perf_counter() - t0

        cache = EmbeddingCache(Path(settings.home).expanduser() / "cache" / "embeddings.sqlite")
        factory = embedder_factory or _lazy_embedder(summary, settings.model_threads)
        pooling = _lazy_token_encoder(factory, summary)
        count = token_counter(settings.tokenizer)
        for document in new_documents:
            _write_document(document, collections, cache, (factory, pooling), count, settings, summary, progress)
            summary.added.append(document.info.document_id)

        _publish(settings, generation, client)
    except BaseException as error:
        # Nothing of a failed run stays behind: the generation in use is untouched.
        _discard(settings, generation)
        if schema.is_disk_full(error):
            raise schema.DiskFull(
                f"disk full: indexing stopped and left the index as it was; free space under "
                f"{Path(settings.home).expanduser()} and run `hrc-assistant index` again."
            ) from None
        raise
    summary.generation = generation
    summary.documents = len(set(existing) | {d.info.document_id for d in new_documents})
    summary.statements = collections["statements"].count()
    summary.chunks = collections["chunks"].count()
    summary.seconds["total"] = time.perf_counter() - started
    _prune(settings, generation)
    return summary


@contextmanager
def indexing_lock(settings: Settings, progress: Progress = lambda _: None):
    """One indexing run at a time per data directory: a second one waits, then gives up with one line.

    Two runs at once would each build a generation from the same previous one, and the
    later swap would silently drop what the earlier run added.
    """
    from filelock import FileLock, Timeout

    home = Path(settings.home).expanduser()
    try:
        home.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(home / "index.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            progress(f"another indexing run is in progress; waiting up to {settings.index_lock_wait_seconds:g} s for it")
            lock.acquire(timeout=settings.index_lock_wait_seconds)
    except Timeout:
        raise IndexBusy(
            f"another indexing run is in progress on {home} (waited {settings.index_lock_wait_seconds:g} s, "
            "HRC_INDEX_LOCK_WAIT_SECONDS); run again when it has finished."
        ) from None
    except OSError as error:
        if schema.is_disk_full(error):
            raise schema.DiskFull(f"disk full: cannot create the index lock under {home}; free space and run again.") from None
        raise
    try:
        yield
    finally:
        lock.release()


class IndexBusy(UserError):
    """Another indexing run holds the lock (exit 2)."""

    status = 409


def _lazy_embedder(summary: IndexSummary, threads: int = 0) -> Callable:
    """The indexer's own model, loaded on first use: a TokenEncoder (it also embeds whole texts)."""
    model = None

    def factory():
        nonlocal model
        if model is None:
            from assistant.embedding import limit_threads, load_token_encoder

            limit_threads(threads)
            t0 = time.perf_counter()
            model = load_token_encoder()
            summary.seconds["model_load"] = summary.seconds.get("model_load", 0.0) + time.perf_counter() - t0
        return model

    return factory


def _lazy_token_encoder(factory: Callable, summary: IndexSummary) -> Callable:
    """The TokenEncoder of the embedder `factory` gives (None when it runs another model), on first use."""
    found: list = []

    def encoder():
        if not found:
            from assistant.embedding import token_encoder_for

            embedder = factory()
            t0 = time.perf_counter()
            found.append(token_encoder_for(embedder))
            summary.seconds["model_load"] = summary.seconds.get("model_load", 0.0) + time.perf_counter() - t0
        return found[0]

    return encoder


def _write_document(document, collections, cache, encoders, count, settings, summary, progress) -> None:
    import numpy as np
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode
    from llama_index.vector_stores.chroma import ChromaVectorStore

    factory, pooling = encoders
    info = document.info
    sentences = [(s, sentence) for s in document.statements for sentence in s.sentences]
    chunks = [(s, c) for s in document.statements for c in chunk_statement(s, settings.chunk_tokens, count)]
    progress(f"embedding {len(sentences)} sentences of {info.document_id}, pooled into {len(chunks)} chunks")
    load_before = summary.seconds.get("model_load", 0.0)
    t0 = time.perf_counter()
    sentence_vectors, chunk_vectors = _vectors(cache, [x.text for _, x in sentences], [_chunk_sentences(s, c) for s, c in chunks],
                                               factory, pooling, summary)
    loading = summary.seconds.get("model_load", 0.0) - load_before
    summary.seconds["embedding"] = summary.seconds.get("embedding", 0.0) + time.perf_counter() - t0 - loading

    t0 = time.perf_counter()
    by_statement: dict[str, list] = {}
    for (s, _), vector in zip(sentences, sentence_vectors):
        by_statement.setdefault(s.statement_id, []).append(vector)
    document = _with_stances(document, by_statement, cache, factory)
    statement_vectors = []
    for s in document.statements:
        mean = np.mean(by_statement.get(s.statement_id) or [np.zeros(384)], axis=0)
        statement_vectors.append((mean / (np.linalg.norm(mean) or 1.0)).tolist())
    _add(collections["statements"], [s.statement_id for s in document.statements], statement_vectors,
         [s.text for s in document.statements], [schema.statement_metadata(s) for s in document.statements])
    _add(collections["sentences"], [f"{s.statement_id}:s{x.index}" for s, x in sentences], sentence_vectors,
         [x.text for _, x in sentences], [schema.sentence_metadata(s, x) for s, x in sentences])
    doc_vector = np.mean(statement_vectors or [np.zeros(384)], axis=0)
    _add(collections["documents"], [info.document_id], [(doc_vector / (np.linalg.norm(doc_vector) or 1.0)).tolist()],
         [info.title], [schema.document_metadata(info, indexer_fingerprint())])
    nodes = [
        TextNode(
            id_=c.chunk_id,
            text=c.text,
            embedding=vector,
            metadata={**schema.statement_metadata(s), "chunk_id": c.chunk_id, "chunk_start": c.char_start,
                      "chunk_end": c.char_end, "tokens": c.tokens},
            excluded_embed_metadata_keys=list(schema.statement_metadata(s)),
            # ChromaVectorStore writes the source node id into `document_id`; without this it writes "None".
            relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=info.document_id)},
        )
        for (s, c), vector in zip(chunks, chunk_vectors)
    ]
    vector_store = ChromaVectorStore(chroma_collection=collections["chunks"])
    for start in range(0, len(nodes), 500):
        vector_store.add(nodes[start:start + 500])
    summary.seconds["storage"] = summary.seconds.get("storage", 0) + time.perf_counter() - t0


def _chunk_sentences(statement, chunk) -> list[str]:
    """The texts of the sentences a chunk joins."""
    return [x.text for x in statement.sentences if chunk.char_start <= x.char_start and x.char_end <= chunk.char_end]


def _vectors(cache: EmbeddingCache, sentences: list[str], chunks: list[list[str]], factory: Callable, pooling: Callable,
             summary: IndexSummary) -> tuple[list, list]:
    """Sentence vectors, and each chunk's vector: pooled over its sentences' tokens when the model shows them.

    An embedder that gives whole-text vectors only (another model) embeds the sentences, and a
    chunk gets the normalised mean of its sentences' vectors.
    """
    import numpy as np

    from assistant.embedding import normalised

    pooled = cache.embed_pooled(sentences, chunks, pooling, summary)
    if pooled is not None:
        return pooled
    sentence_vectors = cache.embed(sentences, factory, summary)
    by_text = dict(zip(sentences, sentence_vectors))
    return sentence_vectors, [normalised(np.mean([by_text[t] for t in c], axis=0)).tolist() for c in chunks]


def _with_stances(document: Document, by_statement: dict[str, list], cache: EmbeddingCache, factory: Callable) -> Document:
    """Each statement's stance towards the mandate and the country concerned, from its sentence vectors."""
    from assistant.stance import StanceClassifier, document_stances

    # Prototype vectors go through the cache with a summary of their own: they are not the document's texts.
    classifier = StanceClassifier(lambda texts: cache.embed(texts, factory, IndexSummary()))
    statements = document_stances(classifier, document.statements, by_statement, document.info.title, document.info.mandate)
    return document.model_copy(update={"statements": statements})


def _add(collection, ids, embeddings, documents, metadatas, batch: int = 1000) -> None:
    for start in range(0, len(ids), batch):
        end = start + batch
        collection.add(ids=ids[start:end], embeddings=embeddings[start:end], documents=documents[start:end], metadatas=metadatas[start:end])


def _copy_records(previous: schema.IndexReader, collections: dict, batch: int, leave_out: set[str] = frozenset()) -> None:
    """Every record of the previous generation, except those of the documents in `leave_out` (indexed again)."""
    for kind in schema.KINDS:
        for got in schema.read_batches(previous.collections[kind], batch, include=["embeddings", "documents", "metadatas"]):
            keep = [k for k, meta in enumerate(got["metadatas"]) if meta.get("document_id") not in leave_out]
            if len(keep) < len(got["ids"]):
                got = {field: [got[field][k] for k in keep] for field in ("ids", "embeddings", "documents", "metadatas")}
            if got["ids"]:
                _add(collections[kind], got["ids"], got["embeddings"], got["documents"], got["metadatas"], batch=min(batch, 1000))


def _counts(reader: schema.IndexReader) -> tuple[int, int]:
    return reader.collections["statements"].count(), reader.collections["chunks"].count()


def _current_or_none(settings: Settings) -> schema.IndexReader | None:
    try:
        return schema.IndexReader(settings)
    except schema.IndexMissing:
        return None


def _new_generation(settings: Settings, generation: str):
    if settings.chroma_url:
        return schema.open_client(settings)
    (schema.index_root(settings) / generation).mkdir(parents=True, exist_ok=False)
    return schema.open_client(settings, generation)


def _publish(settings: Settings, generation: str, client) -> None:
    """Make `generation` the one in use: one atomic step after everything is written."""
    if settings.chroma_url:
        client.get_or_create_collection(schema.POINTER_COLLECTION).modify(metadata={"generation": generation})
        return
    root = schema.index_root(settings)
    (root / generation / "COMPLETE").write_text(time.strftime("%Y-%m-%dT%H:%M:%S"))
    temporary = root / f"CURRENT.{uuid.uuid4().hex}"
    temporary.write_text(generation)
    os.replace(temporary, root / "CURRENT")


def _discard(settings: Settings, generation: str) -> None:
    """Remove what a failed run wrote of its generation."""
    if settings.chroma_url:
        try:
            client = schema.open_client(settings)
            for kind in schema.KINDS:
                try:
                    client.delete_collection(schema.collection_name(generation, kind, settings))
                except Exception:  # noqa: BLE001 - never created, or already gone
                    pass
        except schema.IndexProblem:
            pass
        return
    shutil.rmtree(schema.index_root(settings) / generation, ignore_errors=True)


def _clean_interrupted(settings: Settings) -> None:
    """Remove generations that an interrupted run left without COMPLETE."""
    if settings.chroma_url:
        return
    root = schema.index_root(settings)
    for path in root.glob("g*"):
        if path.is_dir() and not (path / "COMPLETE").exists():
            shutil.rmtree(path, ignore_errors=True)


def _prune(settings: Settings, current: str) -> None:
    """Keep the newest `keep_generations` generations: readers of the previous one may still be busy."""
    if settings.chroma_url:
        client = schema.open_client(settings)
        names = sorted({c.name.split("_")[1] for c in client.list_collections() if c.name.startswith("hrc_g")})
        for old in [g for g in names if g != current][: max(0, len(names) - settings.keep_generations)]:
            for kind in schema.KINDS:
                try:
                    client.delete_collection(schema.collection_name(old, kind, settings))
                except Exception:  # noqa: BLE001 - already gone
                    pass
        return
    root = schema.index_root(settings)
    complete = sorted(p for p in root.glob("g*") if (p / "COMPLETE").exists() and p.name != current)
    for path in complete[: max(0, len(complete) - (settings.keep_generations - 1))]:
        shutil.rmtree(path, ignore_errors=True)


def ensure_bundled_index(settings: Settings, progress: Progress = lambda _: None) -> bool:
    """Index the bundled document when the index is missing; True when it indexed."""
    if schema.current_generation(settings) is not None:
        return False
    index_paths(settings, [settings.bundled_document], progress=progress)
    return True
