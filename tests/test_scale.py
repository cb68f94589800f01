"""Many documents: the seed's answers do not change when 99 other documents share the index,
a scoped question only loads its own document, and re-indexing after an edit embeds only the
edited document's new text.

One module-scoped index of 100 documents (the bundled seed + 99 synthetic ones from
eval/synthetic.py) in a temporary HRC_HOME. Its embedding cache starts as a copy of the
session index's. To stay within a few minutes on 2 cores, the synthetic documents' chunks
are embedded with the real model (they share the one collection searched by vector, so they
really compete with the seed's chunks) but their sentences get cheap deterministic vectors:
sentence vectors are only ever read per document, and the seed's are all real.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, SEED_TEXT

DOCUMENTS = 100
GOLD = ROOT / "eval" / "gold.jsonl"
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


def pseudo_vector(text: str) -> list[float]:
    """A deterministic unit vector for a text (not a meaning: a stand-in that costs nothing)."""
    import hashlib

    import numpy as np

    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    vector = np.random.default_rng(seed).standard_normal(384)
    return (vector / np.linalg.norm(vector)).tolist()


class Embedder:
    """The real model for the texts in `real` (fed sorted by length, so batches pad little),
    pseudo vectors for the rest; results in input order. Counts the calls and texts it gets."""

    def __init__(self, inner, real: set[str]):
        self.inner = inner
        self.real = real
        self.calls = 0
        self.texts = 0

    def get_text_embedding_batch(self, texts, **kwargs):
        self.calls += 1
        self.texts += len(texts)
        out: list = [None] * len(texts)
        order = sorted((i for i, t in enumerate(texts) if t in self.real), key=lambda i: len(texts[i]))
        if order:
            for i, vector in zip(order, self.inner.get_text_embedding_batch([texts[i] for i in order], **kwargs)):
                out[i] = vector
        for i, text in enumerate(texts):
            if out[i] is None:
                out[i] = pseudo_vector(text)
        return out


def real_texts(paths: list[Path], settings) -> set[str]:
    """Every text of the seed, and the chunks of every document."""
    from index.chunk import chunk_statement, token_counter
    from index.store import load_document

    from eval.bench import texts_of

    count = token_counter(settings.tokenizer)
    real = set(texts_of(SEED_TEXT, settings))
    for path in paths:
        document = load_document(path, settings)
        real.update(c.text for s in document.statements for c in chunk_statement(s, settings.chunk_tokens, count))
    return real


@pytest.fixture(scope="module")
def corpus_paths(tmp_path_factory) -> list[Path]:
    from eval.synthetic import generate_corpus

    return [SEED_TEXT, *generate_corpus(tmp_path_factory.mktemp("synthetic"), DOCUMENTS - 1, seed=0)]


@pytest.fixture(scope="module")
def big_home(tmp_path_factory, indexed_home, embedder, corpus_paths) -> Path:
    from assistant.settings import Settings
    from index.store import index_paths

    home = tmp_path_factory.mktemp("hrc-home-100")
    cache = Path(indexed_home) / "cache" / "embeddings.sqlite"
    if cache.exists():
        (home / "cache").mkdir()
        shutil.copy(cache, home / "cache" / "embeddings.sqlite")
    settings = Settings(home=home, chroma_url=None)
    model = Embedder(embedder, real_texts(corpus_paths, settings))
    summary = index_paths(settings, corpus_paths, rebuild=True, embedder_factory=lambda: model)
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


def test_incremental_reindex_embeds_only_the_edited_document(big_home, big_assistant, embedder, corpus_paths, tmp_path):
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
    model = Embedder(embedder, real_texts([edited], settings))
    summary = index_paths(settings, paths, embedder_factory=lambda: model)

    assert len(summary.added) == 1 and len(summary.skipped) == DOCUMENTS - 1
    # Every text looked up belongs to the edited document; only its new ones reached the model.
    assert summary.embedded + summary.cached == len(texts)
    assert summary.embedded == len(new_texts)
    assert summary.cached > 0
    assert model.texts == len(new_texts) and model.calls <= 2  # one batch of sentences, one of chunks

    # The replica in use follows the new generation and can answer about the edited document.
    assert summary.added[0] in big_assistant.documents()
    answer = big_assistant.ask("Which delegations raised torture?", document_id=summary.added[0])
    assert all(c.document_id == summary.added[0] for c in answer.citations)

    # Re-running with nothing changed embeds nothing at all.
    again = index_paths(settings, paths, embedder_factory=lambda: model)
    assert again.embedded == 0 and not again.added
