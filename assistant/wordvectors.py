"""Word vectors for soft term matching: the input (wordpiece) embeddings of all-MiniLM-L6-v2.

A word's vector is the normalised mean of its wordpieces' rows in the model's embedding table, read
from the bundled model files (no network, no extra model). It costs a table lookup, so a document's
whole vocabulary is matched at load time and a question's words at ask time without running the
transformer: "kids" meets "children", "jailed" meets "imprisoned", while a word with no counterpart
in the document ("nuclear" in a dialogue on water) meets nothing close.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import cache
from pathlib import Path
from threading import Lock

import numpy as np

_TABLE = "embeddings.word_embeddings.weight"
_REMEMBERED = 20_000


class WordVectors:
    """Static vectors of words from the model's wordpiece table; remembers the words it has seen."""

    def __init__(self, model_dir: Path):
        from safetensors import safe_open
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        with safe_open(str(model_dir / "model.safetensors"), framework="numpy") as weights:
            self.table = np.asarray(weights.get_tensor(_TABLE), dtype=np.float32)
        self.dimensions = self.table.shape[1]
        self._seen: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = Lock()

    def vectors(self, words: list[str]) -> np.ndarray:
        """One L2-normalised row per word (zeros for a word with no wordpiece)."""
        out = np.zeros((len(words), self.dimensions), dtype=np.float32)
        missing = []
        with self._lock:
            for i, word in enumerate(words):
                known = self._seen.get(word)
                if known is None:
                    missing.append(i)
                else:
                    out[i] = known
        if missing:
            encodings = self.tokenizer.encode_batch([words[i] for i in missing], add_special_tokens=False)
            for i, encoding in zip(missing, encodings):
                if encoding.ids:
                    mean = self.table[encoding.ids].mean(axis=0)
                    out[i] = mean / (np.linalg.norm(mean) or 1.0)
            with self._lock:
                for i in missing:
                    self._seen[words[i]] = out[i]
                while len(self._seen) > _REMEMBERED:
                    self._seen.popitem(last=False)
        return out


@cache
def word_vectors() -> WordVectors:
    """The word vectors of the bundled model, loaded once per process (a 47 MB table)."""
    from assistant.embedding import model_path

    return WordVectors(Path(model_path()))
