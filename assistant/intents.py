"""The intent router: what kind of question this is, by its nearest labelled examples.

The examples (`data/intents.jsonl`, dozens per intent, in journalists' wording, typos and preambles) are
embedded once per engine with the same all-MiniLM-L6-v2 model as the documents; their vectors are cached
on disk under `HRC_HOME/cache/` keyed by the file's content. A question is classified by a similarity-
weighted vote of its k nearest examples ("semantic router"), so a new phrasing needs a new example line,
not a new rule.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.embedding import MODEL_NAME

EXAMPLES_FILE = Path(__file__).resolve().parent / "data" / "intents.jsonl"
NEIGHBOURS = 7
_QUESTION_CACHE = 512  # question vectors kept (follow-ups re-read the earlier turns of a conversation)


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    fact: str | None = None


@dataclass(frozen=True)
class Routed:
    intent: str
    confidence: float  # share of the neighbours' weighted vote that went to `intent`
    fact: str | None  # the kind of meeting fact, for intent "fact"
    scores: dict[str, float]  # every intent's share of the vote


def load_examples(path: Path = EXAMPLES_FILE) -> tuple[Example, ...]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return tuple(Example(r["text"], r["intent"], r.get("fact")) for r in rows if "intent" in r)


class Router:
    """k-NN intent classifier over the labelled examples, with the embedding model of the engine."""

    def __init__(self, embed_query, embed_batch, cache_dir: Path | None = None, examples: tuple[Example, ...] | None = None):
        self.examples = examples if examples is not None else load_examples()
        self._embed_query = embed_query
        self._lock = threading.Lock()
        self._questions: OrderedDict[str, np.ndarray] = OrderedDict()
        self.matrix = self._example_vectors(embed_batch, cache_dir)

    def _example_vectors(self, embed_batch, cache_dir: Path | None) -> np.ndarray:
        texts = [e.text for e in self.examples]
        key = hashlib.sha256(json.dumps([MODEL_NAME, texts]).encode()).hexdigest()[:16]
        path = cache_dir / f"intents-{key}.npy" if cache_dir else None
        if path is not None and path.exists():
            try:
                matrix = np.load(path)
                if matrix.shape[0] == len(texts):
                    return matrix
            except (OSError, ValueError):
                pass  # a damaged cache file is rebuilt below
        matrix = np.asarray(embed_batch(texts), dtype=np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True).clip(min=1e-9)
        if path is not None:
            _save_atomically(path, matrix)
        return matrix

    def vector(self, text: str) -> np.ndarray:
        """The normalised embedding of a question, remembered for the turns that follow it."""
        with self._lock:
            if text in self._questions:
                self._questions.move_to_end(text)
                return self._questions[text]
        vector = np.asarray(self._embed_query(text), dtype=np.float32)
        vector = vector / (np.linalg.norm(vector) or 1.0)
        with self._lock:
            self._questions[text] = vector
            while len(self._questions) > _QUESTION_CACHE:
                self._questions.popitem(last=False)
        return vector

    def route(self, text: str, allowed: set[str] | None = None) -> Routed:
        """The intent of `text` by a similarity-weighted vote of its nearest examples (optionally among `allowed`)."""
        similarities = self.matrix @ self.vector(text)
        order = np.argsort(-similarities)
        if allowed is not None:
            order = [i for i in order if self.examples[i].intent in allowed]
        nearest = list(order[:NEIGHBOURS])
        votes: Counter[str] = Counter()
        for i in nearest:
            votes[self.examples[i].intent] += float(max(similarities[i], 0.0)) ** 2
        total = sum(votes.values()) or 1.0
        intent = votes.most_common(1)[0][0] if votes else "list"
        facts = Counter(self.examples[i].fact for i in nearest if self.examples[i].intent == "fact" and self.examples[i].fact)
        fact = facts.most_common(1)[0][0] if facts else None
        return Routed(intent, votes[intent] / total, fact, {k: v / total for k, v in votes.items()})


def _save_atomically(path: Path, matrix: np.ndarray) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".npy.tmp")
        with os.fdopen(handle, "wb") as out:
            np.save(out, matrix)
        os.replace(temporary, path)
    except OSError:
        pass  # a read-only or full disk only costs re-embedding the examples next time
