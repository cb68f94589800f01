"""Soft coverage of a question's terms by each sentence of one document.

Each content word of the question is matched by the closest word of a sentence: 1 for the same stem,
else the closeness of their word vectors (`assistant/wordvectors.py`) mapped from [low, high] to
[0, 1]; a word of the question misspelt ("venezuala", "rappoteur") meets the document's spelling.
A sentence's coverage is the IDF-weighted mean over the question's terms, so a paraphrase
("kids taken away" for "deported children") is covered where exact keywords fail. The same matches,
taken over the whole document, tell when a term of the question has no counterpart anywhere in it.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from difflib import SequenceMatcher
from threading import Lock

import numpy as np

from assistant.text import is_function_word, stem, words


def terms_of(text: str) -> list[str]:
    """The lower-cased content words of `text`, in order, once each."""
    return list(dict.fromkeys(w for w in words(text) if _is_term(w)))


_RECENT_TEXTS = 16  # (text, names) pairs
TYPO_MIN_LENGTH = 6  # shorter words are too often another word one letter away ("poison", "prison")
TYPO_SIMILARITY = 0.88  # difflib ratio from which two spellings are one word mistyped


def _is_term(word: str) -> bool:
    return len(word) > 1 and not is_function_word(word) and not word[0].isdigit()


@dataclass(frozen=True)
class TermMatches:
    """Matches of a question's terms (rows) over the sentences asked about (columns)."""

    terms: tuple[str, ...]
    weights: np.ndarray  # IDF of each term in the document
    per_sentence: np.ndarray  # terms × sentences, in [0, 1]
    in_document: np.ndarray  # each term's best match anywhere in the document

    def coverage(self) -> np.ndarray:
        """Per sentence: the weighted share of the question's terms it covers."""
        if not len(self.terms):
            return np.zeros(self.per_sentence.shape[1])
        return self.weights @ self.per_sentence / self.weights.sum()

    def unmatched(self, weak_endings: tuple[str, ...] = (), closeness: float = 0.0, weak_words: frozenset[str] = frozenset()) -> float:
        """The weighted share of the question's terms with no counterpart anywhere in the document.

        A term has no counterpart when its best match in the document is at most `closeness` (0: nothing at all;
        a little above 0: only a faint word-vector likeness, as "tsunami" has to "weather"). A missing term ending
        in one of `weak_endings` ("-ed", "-ing": what was done, in a paraphrase's own verbs) is weak evidence that
        nobody raised the point: it keeps its weight in the whole but never counts as missing. So does a term in
        `weak_words` (the verb of an act asked for, "wants", which the document says in its own verbs: "called for")."""
        if not len(self.terms):
            return 0.0
        evidence = np.array([not (weak_endings and t.endswith(weak_endings)) and t not in weak_words for t in self.terms])
        return float(self.weights @ ((self.in_document <= closeness) & evidence) / self.weights.sum())


class TermMatcher:
    """The vocabulary of one document, its word vectors and which words each sentence holds."""

    def __init__(self, sentences: list[str], vectors, low: float, high: float):
        self.word_vectors = vectors
        self.low, self.high = low, high
        per_sentence = [terms_of(s) for s in sentences]
        vocabulary = sorted({w for ws in per_sentence for w in ws})
        index = {w: i for i, w in enumerate(vocabulary)}
        self.vocabulary = vocabulary
        self.stem_words: dict[str, list[int]] = {}  # stem: the vocabulary words that have it
        for i, w in enumerate(vocabulary):
            self.stem_words.setdefault(stem(w), []).append(i)
        self.vectors = vectors.vectors(vocabulary) if vocabulary else np.zeros((0, 1), dtype=np.float32)
        width = max((len(ws) for ws in per_sentence), default=0) or 1
        pad = len(vocabulary)  # points at an extra entry that matches nothing
        self.words_of = np.full((len(sentences), width), pad, dtype=np.int32)
        for row, ws in enumerate(per_sentence):
            self.words_of[row, : len(ws)] = [index[w] for w in ws]
        frequency: dict[str, int] = {}
        for ws in per_sentence:
            for s in {stem(w) for w in ws}:
                frequency[s] = frequency.get(s, 0) + 1
        self.sentences = len(sentences)
        self.frequency = frequency
        self._recent: OrderedDict[str, tuple] = OrderedDict()
        self._lock = Lock()
        self.by_initial: dict[str, list[int]] = {}
        for i, w in enumerate(vocabulary):
            if len(w) >= TYPO_MIN_LENGTH - 1:
                self.by_initial.setdefault(w[0], []).append(i)

    def _spelled_alike(self, term: str) -> list[int]:
        """Vocabulary words that are `term` mistyped (or `term` them): same initial, close length, close spelling."""
        if len(term) < TYPO_MIN_LENGTH:
            return []
        alike = []
        for i in self.by_initial.get(term[0], ()):
            if abs(len(self.vocabulary[i]) - len(term)) <= 2:
                matcher = SequenceMatcher(None, term, self.vocabulary[i])
                if matcher.real_quick_ratio() >= TYPO_SIMILARITY and matcher.quick_ratio() >= TYPO_SIMILARITY and matcher.ratio() >= TYPO_SIMILARITY:
                    alike.append(i)
        return alike

    def idf(self, term: str) -> float:
        return float(np.log((self.sentences + 1) / (self.frequency.get(stem(term), 0) + 0.5)))

    def match(self, text: str, rows: np.ndarray, names: frozenset[str] = frozenset()) -> TermMatches:
        """The matches of `text`'s terms over the sentences at `rows` and over the whole document.

        A term among `names` (lower-cased words the question writes as a name) matches only itself or a
        misspelling: word vectors find any name "close" to another one, and a person or place the document
        never names has no counterpart in it."""
        terms, weights, everywhere = self._everywhere(text, names)
        return TermMatches(terms, weights, everywhere[:, rows], everywhere.max(axis=1, initial=0.0))

    def _everywhere(self, text: str, names: frozenset[str]) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
        """(terms, their weights, terms × every sentence), remembered for the last few texts: an ask scores
        the same question text for several speakers and asks whether the document lacks its terms."""
        key = (text, names)
        with self._lock:
            if key in self._recent:
                self._recent.move_to_end(key)
                return self._recent[key]
        terms = tuple(terms_of(text))
        if not terms or not self.vocabulary:
            found = (terms, np.ones(len(terms)), np.zeros((len(terms), self.sentences)))
        else:
            found = (terms, np.array([self.idf(t) for t in terms]), self._soft(terms, names))
        with self._lock:
            self._recent[key] = found
            while len(self._recent) > _RECENT_TEXTS:
                self._recent.popitem(last=False)
        return found

    def _soft(self, terms: tuple[str, ...], names: frozenset[str]) -> np.ndarray:
        closeness = self.word_vectors.vectors(list(terms)) @ self.vectors.T  # terms × vocabulary
        soft = np.clip((closeness - self.low) / (self.high - self.low), 0.0, 1.0)
        for t, term in enumerate(terms):
            if term in names:
                soft[t] = 0.0
            same = self.stem_words.get(stem(term))
            if same:
                soft[t, same] = 1.0
            elif soft[t].max(initial=0.0) < 1.0:  # no word of the document is this one: perhaps it is mistyped
                alike = self._spelled_alike(term)
                if alike:
                    soft[t, alike] = 1.0
        soft = np.concatenate([soft, np.zeros((len(terms), 1), dtype=soft.dtype)], axis=1)  # the padding entry
        return np.take(soft, self.words_of, axis=1).max(axis=2)  # terms × all sentences
