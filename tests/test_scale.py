"""Many documents: the seed's answers do not change when 99 other documents share the index,
a scoped question only loads its own document, and re-indexing after an edit embeds only the
edited document's new text.

One module-scoped index of 100 documents (the bundled seed + 99 synthetic ones from
eval/synthetic.py) in a temporary HRC_HOME whose embedding cache starts as a copy of the
session index's. Embedding 13,000 synthetic texts for real takes ~8 CPU-minutes (see
`hrc-assistant bench --docs 100`, which does it), so here the seed's texts get the real
model and every synthetic text gets a *decoy*: the vector of one of the seed's own chunks,
slightly perturbed. The decoys crowd the one collection searched by vector (chunks) right
where the seed's questions land — a harder test of the per-document filter than real
vectors, at no cost.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, SEED_TEXT

DOCUMENTS = 100
GOLD = ROOT / "eval" / "gold" / "belarus.jsonl"
N_QUESTIONS = 15


def gold_items(n: int = N_QUESTIONS) -> list[dict]:
    """`n` gold items spread over the question types: the first of each type, then the second, …"""
    items = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_type: dict[str, list[dict]] = {}
    for item in items:
        by_type.setdefault(item["type"], []).append(item)
    chosen: list[dict] = []
    depth = 0
    while len(chosen) < n and any(len(v) > depth for v in by_type.values()):
        chosen += [v[depth] for v in by_type.values() if len(v) > depth][: n - len(chosen)]
        depth += 1
    return chosen


class Embedder:
    """The real model for the seed's texts; for any other text a decoy near one of `anchors`
    (the seed's chunk vectors), chosen and perturbed deterministically from the text's hash.
    Counts the calls and the texts it is given."""

    def __init__(self, inner, seed_texts: set[str], anchors):
        self.inner = inner
        self.seed_texts = seed_texts
        self.anchors = anchors
        self.calls = 0
        self.texts = 0

    def decoy(self, text: str) -> list[float]:
        import hashlib

        import numpy as np

        digest = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
        rng = np.random.default_rng(digest)
        vector = self.anchors[digest % len(self.anchors)] + 0.02 * rng.standard_normal(self.anchors.shape[1])
        return (vector / np.linalg.norm(vector)).tolist()

    def get_text_embedding_batch(self, texts, **kwargs):
        self.calls += 1
        self.texts += len(texts)
        real = [i for i, t in enumerate(texts) if t in self.seed_texts]
        out: list = [None] * len(texts)
        if real:
            for i, vector in zip(real, self.inner.get_text_embedding_batch([texts[i] for i in real], **kwargs)):
                out[i] = vector
        return [vector if vector is not None else self.decoy(text) for vector, text in zip(out, texts)]


@pytest.fixture(scope="module")
def decoy_embedder(embedder, assistant_offline):
    import numpy as np

    from eval.bench import texts_of

    chunks = assistant_offline.reader.collections["chunks"].get(include=["embeddings"])
    anchors = np.asarray(chunks["embeddings"], dtype=np.float64)
    assert len(anchors) > 50
    return Embedder(embedder, set(texts_of(SEED_TEXT, assistant_offline.settings)), anchors)


@pytest.fixture(scope="module")
def corpus_paths(tmp_path_factory) -> list[Path]:
    from eval.synthetic import generate_corpus

    return [SEED_TEXT, *generate_corpus(tmp_path_factory.mktemp("synthetic"), DOCUMENTS - 1, seed=0)]


@pytest.fixture(scope="module")
def big_home(tmp_path_factory, indexed_home, decoy_embedder, corpus_paths) -> Path:
    from assistant.settings import Settings
    from index.store import index_paths

    home = tmp_path_factory.mktemp("hrc-home-100")
    cache = Path(indexed_home) / "cache" / "embeddings.sqlite"
    if cache.exists():
        (home / "cache").mkdir()
        shutil.copy(cache, home / "cache" / "embeddings.sqlite")
    summary = index_paths(Settings(home=home, chroma_url=None), corpus_paths, rebuild=True,
                          embedder_factory=lambda: decoy_embedder)
    assert summary.documents == DOCUMENTS and len(summary.added) == DOCUMENTS
    return home


@pytest.fixture(scope="module")
def big_assistant(big_home, embedder):
    from assistant.engine import Assistant
    from assistant.settings import Settings

    return Assistant(Settings(home=big_home, chroma_url=None, backend="offline"), embedder=embedder)


def _conversation(assistant, turns: list[str]) -> list[dict]:
    history: list[dict] = []
    answers = []
    for turn in turns:
        answer = assistant.ask(turn, history=history)
        answers.append({k: v for k, v in answer.model_dump(mode="json").items() if k != "timings_ms"})
        history += [{"role": "user", "content": turn}, {"role": "assistant", "content": answer.answer}]
    return answers


def test_seed_answers_identical_at_100_documents(big_assistant, assistant_offline, monkeypatch):
    from assistant.store import IndexReader

    assert len(big_assistant.documents()) >= DOCUMENTS
    seed_id = assistant_offline.default_document()
    assert big_assistant.default_document() == seed_id  # the bundled seed stays the default

    loaded: list[str] = []
    original = IndexReader.load_document

    def recording(self, document_id):
        loaded.append(document_id)
        return original(self, document_id)

    monkeypatch.setattr(IndexReader, "load_document", recording)
    items = gold_items()
    assert len(items) == N_QUESTIONS and len({i["type"] for i in items}) >= 8
    for item in items:
        at_100 = _conversation(big_assistant, item["turns"])
        at_1 = _conversation(assistant_offline, item["turns"])
        assert at_100 == at_1, f"{item['id']}: {item['turns'][-1]}"
        assert all(c["document_id"] == seed_id for a in at_100 for c in a["citations"])
    # Scoped questions stay bounded: only the seed was read into memory, never the 99 others.
    assert set(loaded) <= {seed_id}


def test_incremental_reindex_embeds_only_the_edited_document(big_home, big_assistant, decoy_embedder, corpus_paths, tmp_path):
    from assistant.settings import Settings
    from eval.bench import edit_document, texts_of, uncached_texts
    from index.store import index_paths

    settings = Settings(home=big_home, chroma_url=None)
    target = corpus_paths[DOCUMENTS // 2]
    edited = edit_document(target, tmp_path)
    texts = texts_of(edited, settings)
    new_texts = uncached_texts(texts, big_home)
    assert 0 < len(new_texts) < len(texts)  # the edit touched one sentence (and the chunk holding it)

    paths = [edited if p == target else p for p in corpus_paths]
    calls, texts_before = decoy_embedder.calls, decoy_embedder.texts
    summary = index_paths(settings, paths, embedder_factory=lambda: decoy_embedder)

    assert len(summary.added) == 1 and len(summary.skipped) == DOCUMENTS - 1
    # Every text looked up belongs to the edited document; only its new ones reached the model.
    assert summary.embedded + summary.cached == len(texts)
    assert summary.embedded == len(new_texts)
    assert summary.cached > 0
    # What reached the model: exactly those texts, in at most one batch of sentences and one of chunks.
    assert decoy_embedder.texts - texts_before == len(new_texts) and decoy_embedder.calls - calls <= 2

    # The replica in use follows the new generation and can answer about the edited document.
    assert summary.added[0] in big_assistant.documents()
    answer = big_assistant.ask("Which delegations raised torture?", document_id=summary.added[0])
    assert all(c.document_id == summary.added[0] for c in answer.citations)

    # Re-running with nothing changed embeds nothing at all.
    calls = decoy_embedder.calls
    again = index_paths(settings, paths, embedder_factory=lambda: decoy_embedder)
    assert again.embedded == 0 and not again.added and decoy_embedder.calls == calls


def test_chunk_search_is_scoped_to_the_document(big_assistant):
    """The dense chunk search that retrieve.py fuses in finds the seed's chunks among 99 documents of decoys."""
    from llama_index.core.vector_stores import FilterOperator, MetadataFilter, MetadataFilters, VectorStoreQuery

    seed = big_assistant.default_document()
    query = VectorStoreQuery(
        query_embedding=big_assistant.embed_query("the death penalty").tolist(),
        similarity_top_k=20,
        filters=MetadataFilters(filters=[MetadataFilter(key="document_id", value=seed, operator=FilterOperator.EQ)]),
    )
    nodes = big_assistant.reader.chunk_store().query(query).nodes or []
    assert len(nodes) == 20
    assert all(node.metadata["statement_id"].startswith(f"{seed}:") for node in nodes)


def test_every_chroma_read_is_batched_so_large_indexes_do_not_hit_the_sqlite_variable_limit(indexed_home, embedder, tmp_path, monkeypatch):
    """One `get` of every record of a collection fails past 32,766 records with "too many SQL variables"
    (an incremental re-index at 300 documents crashed so, copying the previous generation). Every `get`
    the indexer and the reader make asks for at most HRC_STORE_BATCH_SIZE records, and paging loses nothing."""
    from chromadb.api.models.Collection import Collection

    from assistant.settings import Settings
    from assistant.store import IndexReader
    from index.store import index_paths
    from tests import badfiles

    limits: list = []
    original = Collection.get

    def recording(self, *args, **kwargs):
        limits.append(kwargs.get("limit"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Collection, "get", recording)
    home = tmp_path / "home"
    shutil.copytree(Path(indexed_home) / "cache", home / "cache")
    settings = Settings(home=home, chroma_url=None, store_batch_size=37)
    first = index_paths(settings, [SEED_TEXT], embedder_factory=lambda: embedder)
    added = index_paths(settings, [SEED_TEXT, badfiles.legacy_encoding_txt(tmp_path)], embedder_factory=lambda: embedder)
    reader = IndexReader(settings)
    seed = reader.load_document(first.added[0])

    assert len(limits) > 20 and all(limit is not None and limit <= 37 for limit in limits), limits
    # Copied and read in pages of 37, nothing is lost or repeated.
    reference = IndexReader(Settings(home=indexed_home, chroma_url=None)).load_document(first.added[0])
    assert [s.statement_id for s in seed.statements] == [s.statement_id for s in reference.statements]
    assert seed.sentence_rows == reference.sentence_rows and seed.vectors.shape == reference.vectors.shape
    assert len(reader.documents()) == added.documents == 2
    assert reader.collections["sentences"].count() == len(set(reader.collections["sentences"].get(limit=30000)["ids"]))
