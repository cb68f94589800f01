"""Does a statement address the question? A calibrated decision on its best sentence.

Every sentence of every statement in scope is scored against the question itself (the asking
sentence with the speakers' names and the question's framing words removed, and the topic the
understanding step extracted). Its features (`Corpus.score_sentences`): dense cosine of the stored
sentence embeddings, a normalised BM25 over thesaurus-canonical tokens, soft coverage of the
question's terms by the sentence's words (synonyms count through word vectors), and where the
sentence stands against the rest of the document for this question (standard deviations above the
typical sentence, distance below the best), so one threshold serves easy and hard questions. A
logistic model fuses them; its weights and thresholds live in `data/relevance.json` (fitted on the
dev split only, `scripts/fit_relevance.py`). Courtesy sentences ("We thank the Special Rapporteur…")
are penalised so the quote is the sentence that makes the point, and a sentence that performs the
opposite act to the one asked ("welcomed the release" for "called for the release") is not taken as
addressing it, nor is one that takes the opposite pole to it ("ended" for "renewed"). Nobody addressed
the question when every statement is below the floor, or when none passes the threshold and enough of
the question's terms (a fitted, rarity-weighted share) have no counterpart in the document.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from assistant import polarity
from assistant.models import Frozen, Query, Sentence, Statement
from assistant.text import proper_names, words

DATA = Path(__file__).resolve().parent / "data" / "relevance.json"


class RelevanceModel(Frozen):
    weights: dict[str, float]  # per feature of `Corpus.score_sentences`, and "bias"
    addresses: float  # probability from which a statement addresses the question
    floor: float  # below this for every statement, nobody addressed it
    closest_share: float  # a closest passage shown in a hedge has at least this share of the best one's probability
    unmatched: float  # share of the question's terms with no counterpart in the document from which nobody addressed it
    unmatched_weak_endings: tuple[str, ...]  # endings of terms whose absence is no evidence ("-ed", "-ing": a paraphrase's verbs)
    unmatched_closeness: float  # a term whose best match in the document is at most this has no counterpart there
    term_closeness: tuple[float, float]  # word-vector closeness mapped to 0 (low) .. 1 (high) in soft term matching
    filler_similarity: float
    filler_prototypes: tuple[str, ...]
    question_words: frozenset[str]
    act_cues: dict[str, tuple[str, ...]]
    act_conflicts: tuple[tuple[str, str], ...]
    simile: re.Pattern | None = None  # "like oil or gold", "as if it were a commodity": the compared thing

    def probabilities(self, features: dict[str, np.ndarray]) -> np.ndarray:
        """Per sentence, the probability that it addresses the question (logistic over the weighted features)."""
        z = sum(weight * features[name] for name, weight in self.weights.items() if name != "bias") + self.weights["bias"]
        return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))

    def nobody(self, best: float, unmatched: float, share: float | None = None) -> bool:
        """Nobody addressed the question: every statement is far from it, or the document lacks enough of its terms
        (`share`, by default the fitted one)."""
        return best < self.floor or (best < self.addresses and unmatched >= (self.unmatched if share is None else share))

    def without_similes(self, text: str) -> str:
        """`text` without what it compares its point to ("traded like oil or gold"): a document that never names
        the thing compared is no evidence that nobody made the point."""
        return self.simile.sub(" ", text) if self.simile is not None else text

    def acts(self, text: str) -> set[str]:
        padded = f" {' '.join(words(text))} "
        return {act for act, cues in self.act_cues.items() if any(f" {cue} " in padded for cue in cues)}

    def conflicts(self, asked: set[str], sentence: set[str]) -> bool:
        """The sentence performs an act opposed to every act asked, and none of those asked."""
        if not asked or asked & sentence:
            return False
        return any({a, s} in ({x, y} for x, y in self.act_conflicts) for a in asked for s in sentence)


@cache
def load_model(path: Path = DATA) -> RelevanceModel:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return RelevanceModel(
        weights=raw["weights"], addresses=raw["addresses"], floor=raw["floor"], closest_share=raw["closest"]["share"], unmatched=raw["unmatched"]["share"],
        unmatched_weak_endings=tuple(raw["unmatched"].get("weak_endings", ())),
        unmatched_closeness=raw["unmatched"].get("closeness", 0.0),
        term_closeness=(raw["term_closeness"]["low"], raw["term_closeness"]["high"]),
        filler_similarity=raw["filler"]["similarity"], filler_prototypes=tuple(raw["filler"]["prototypes"]),
        question_words=frozenset(raw["question_words"]["words"]),
        act_cues={act: tuple(cues) for act, cues in raw["acts"]["cues"].items()},
        act_conflicts=tuple(tuple(pair) for pair in raw["acts"]["conflicts"]),
        simile=_simile_pattern(raw["similes"]) if "similes" in raw else None,
    )


def _simile_pattern(similes: dict) -> re.Pattern:
    """A comparison marker not used as a verb ("would like to"), and the noun phrase (or two) compared."""
    not_after = "".join(rf"(?<!\b{w} )" for w in similes["not_after"])
    markers = "|".join(re.escape(m) for m in similes["markers"])
    word = r"(?!(?:or|and)\b)[\w'’-]+"
    phrase = rf"(?:(?:a|an|the|some)\s+)?{word}(?:\s+{word})?"
    return re.compile(rf"{not_after}\b(?:{markers})\s+{phrase}(?:\s+(?:or|and)\s+{phrase})?", re.I)


def question_text(query: Query) -> str:
    """The asking sentence without the speakers' names, the words naming its scope and the question's framing words.

    "Which members of the OIC raised X?" is about X: the scope already chose the speakers, and "OIC" in the
    question would draw the sentences that name the OIC, or count as a term the document lacks."""
    text = query.standalone if query.follow_up and query.standalone else (query.asked or query.question)
    for name in query.speakers + query.missing_speakers + query.scope_phrases:
        text = re.sub(re.escape(name), " ", text, flags=re.I)
    framing = load_model().question_words
    kept = [w for w in re.findall(r"[\w'’-]+", text) if w.lower() not in framing]
    return " ".join(kept)


def query_texts(query: Query) -> list[str]:
    """What sentences are compared with: the question itself and, when it differs, its topic."""
    texts = [t for t in (question_text(query), query.topic) if t.strip()]
    return list(dict.fromkeys(texts))


@dataclass(frozen=True)
class Judged:
    """One statement judged against a question: its probability of addressing it and its best sentences."""

    statement: Statement
    probability: float
    sentences: tuple[Sentence, ...]  # best first, conflicting acts and courtesy removed when possible
    scores: tuple[float, ...]  # probability of each of `sentences`
    named: bool = True  # one of its sentences holds a name the question asks about (always, when it asks more than names)

    @property
    def best(self) -> Sentence:
        return self.sentences[0]


@dataclass(frozen=True)
class Judgement:
    """Every statement in scope judged, best first, and how much of the question the document lacks."""

    statements: list[Judged]
    unmatched: float  # share of the question's terms with no counterpart in the document (`Corpus.unmatched`)


def judge(corpus, query: Query, positions: list[int]) -> list[Judged]:
    """Every statement at `positions`, judged; best first."""
    return judgement(corpus, query, positions).statements


def judgement(corpus, query: Query, positions: list[int]) -> Judgement:
    """Every statement at `positions`, judged, with the question's unmatched share."""
    model = load_model()
    texts = list(dict.fromkeys(corpus.searchable(t) for t in query_texts(query)))
    if not texts or not positions:
        return Judgement([], 0.0)
    asked = query.asked or query.question
    names = proper_names(asked)
    scored = corpus.score_sentences(texts, positions, names)
    probabilities = model.probabilities(scored.features)
    asked_acts = model.acts(asked)
    reversed_by = polarity.reversal(asked)  # None unless the question takes a pole of an evaluative axis
    per_statement: dict[int, list[tuple[float, Sentence]]] = {}
    naming: set[int] = set()  # statements with a sentence holding the question's names
    for (position, sentence), probability, named in zip(scored.sentences, probabilities.tolist(), scored.features["named"].tolist()):
        if named:
            naming.add(position)
        else:
            probability *= 0.1  # the question only names someone or something, and this sentence does not name it
        if asked_acts and model.conflicts(asked_acts, model.acts(sentence.text)):
            probability *= 0.1  # the opposite act: near the topic, but not what was asked
        elif reversed_by is not None and probability >= model.floor and reversed_by(sentence.text):
            probability *= 0.1  # the opposite pole ("ended" for "renewed"): near the topic, but not what was asked
        per_statement.setdefault(position, []).append((probability, sentence))
    judged = []
    for position, pairs in per_statement.items():
        pairs.sort(key=lambda p: -p[0])
        judged.append(Judged(
            corpus.data.statements[position], pairs[0][0], tuple(s for _, s in pairs), tuple(p for p, _ in pairs),
            position in naming,
        ))
    unmatched = corpus.unmatched([model.without_similes(t) for t in query_texts(query)], names)
    return Judgement(sorted(judged, key=lambda j: -j.probability), unmatched)
