"""Search structures of one indexed document: sentence embeddings, sentence BM25, and fused rankings.

Per document we keep in memory its statements, one row per sentence (statement position, sentence
index) with its stored L2-normalised embedding, a BM25 index over the sentences' thesaurus-canonical
tokens (the relevance decision reads it, `assistant/relevance.py`), each sentence's closeness to
courtesy formulas, the document's vocabulary for soft term matching (`assistant/termmatch.py`), and
a statement-level BM25 for the rankings the evaluation baselines compare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant import topics
from assistant.models import Sentence, Statement
from assistant.store import DocumentData
from assistant.termmatch import TermMatcher
from assistant.text import content_words
from assistant.wordvectors import word_vectors

_RRF_K = 60
# "the Ruvala, the youth wing of the ruling party," / "Ruvala (a militia …)": a name the document explains in passing.
_DEFINED_NAME = re.compile(
    r"\b((?:[A-Z][\w'’-]+)(?:\s+(?:of\s+|the\s+)?[A-Z][\w'’-]+)*)\s*[,(]\s*(?:the|a|an)\s+([a-z][^,.;()]{3,80}?)\s*[,).;]"
)
_ACRONYM = re.compile(r"((?:[A-Z][\w'’-]+\s+)(?:(?:of|for|and|the|on|in|to|de)\s+|[A-Z][\w'’-]+\s+){0,8}?[A-Z][\w'’-]+)\s+\(([A-Z][A-Za-z0-9+]{1,9})\)")


@dataclass(frozen=True)
class SentenceHit:
    statement: Statement
    sentence: Sentence
    dense: float
    lexical: float
    score: float  # probability that the sentence addresses the text (assistant/relevance.py)


@dataclass(frozen=True)
class Scored:
    """Sentences in scope with their features (one array entry per sentence)."""

    sentences: list[tuple[int, Sentence]]  # (statement position, sentence)
    features: dict[str, np.ndarray]


BARE_COURTESY = 0.5  # a sentence this close to a courtesy formula (0..1, `Corpus.filler`) is one ("Thank you, Mr. President.")


class Corpus:
    """Search structures of one indexed document."""

    def __init__(self, data: DocumentData, assistant):
        from rank_bm25 import BM25Okapi

        from assistant.relevance import load_model

        self.data = data
        self.assistant = assistant
        rows = data.sentence_rows
        self.row_statement = np.array([r[0] for r in rows], dtype=np.int32)
        acronyms = self._acronyms()
        self.concept_index = topics.merged_index(topics.acronym_index(acronyms))
        tokens = [topics.canonical_tokens(content_words(self._sentence(i).text), self.concept_index) or ["_"] for i in range(len(rows))]
        self.sentence_bm25 = BM25Okapi(tokens)
        self.statement_bm25 = BM25Okapi([content_words(s.text) or ["_"] for s in data.statements])
        self.background = self._background(tokens)
        model = load_model()
        filler = assistant.fixed_vectors(model.filler_prototypes) if len(rows) else np.zeros((0, 384))
        closeness = (data.vectors @ filler.T).max(axis=1) if len(rows) else np.zeros(0)
        # How much a sentence reads like a courtesy formula (0 = not at all); relevance penalises it.
        self.filler = np.clip(closeness - model.filler_similarity, 0.0, None) / max(1e-9, 1.0 - model.filler_similarity)
        # Soft term matching reads each sentence with the other wordings of the concepts it names ("UCMs" is also
        # "unilateral coercive measures"), so a question in one wording covers a sentence in another.
        said = topics.wordings(self.concept_index, acronyms)
        texts = [" ".join([self._sentence(i).text, *(p for t in dict.fromkeys(tokens[i]) if t.startswith("≡") for p in said.get(t[1:], ()))])
                 for i in range(len(rows))]
        self.terms = TermMatcher(texts, word_vectors(), *model.term_closeness)
        self.defined_names = self._defined_names()
        self.weak_endings = model.unmatched_weak_endings
        self.missing_closeness = model.unmatched_closeness
        # the verbs of an act ("wants", "urged"): the document says the act in its own verbs, so they never go missing
        self.act_words = frozenset(cue for cues in model.act_cues.values() for cue in cues if " " not in cue)

    def _background(self, tokens: list[list[str]]) -> frozenset[str]:
        """Words that say nothing about a topic here: the country concerned's names, and words in a quarter of all sentences."""
        from assistant import gazetteer

        frequency: dict[str, int] = {}
        for words in tokens:
            for w in set(words):
                frequency[w] = frequency.get(w, 0) + 1
        common = {w for w, n in frequency.items() if n >= max(3, 0.25 * len(tokens))}
        for name in {s.speaker for s in self.data.statements if s.speaker_type == "country_concerned"}:
            known = gazetteer.canonical_name(name)
            forms = (name, *(gazetteer.STATE_ADJECTIVES.get(known[0], ()) if known else ()))
            common.update(w for form in forms for w in content_words(form))
        return frozenset(common)

    def _sentence(self, row: int) -> Sentence:
        position, index = self.data.sentence_rows[row]
        return self.data.statements[position].sentences[index]

    def _acronyms(self) -> list[tuple[str, str]]:
        """(long form, acronym) pairs the document defines, e.g. ("Special Rapporteur", "SR"), once each."""
        found = {}
        for statement in self.data.statements:
            for match in _ACRONYM.finditer(statement.text):
                found.setdefault((match.group(1), match.group(2)), None)
        return list(found)

    def _defined_names(self) -> list[tuple[str, frozenset[str]]]:
        """Names the document explains in an apposition ("the Ruvala, the youth wing of the ruling party,"), with the
        content stems of the explanation: a question may ask in the explanation's words about what speakers call
        by the name. Not a list ("the A, the B and the C"), not a state or region, not a word the document also
        writes in lower case."""
        from assistant import gazetteer

        lower = {w for s in self.data.statements for w in re.findall(r"\b[a-z][\w'’-]+", s.text)}
        found: dict[str, frozenset[str]] = {}
        for statement in self.data.statements:
            for match in _DEFINED_NAME.finditer(statement.text):
                name, explanation = match.group(1), match.group(2)
                stems = frozenset(content_words(explanation))
                if re.search(r"\b(?:and|or)\b", explanation) or len(stems) < 2 or gazetteer.canonical_name(name):
                    continue
                if all(w.lower() in lower for w in name.split() if w not in ("of", "the")):
                    continue
                found.setdefault(name, stems)
        return list(found.items())

    def searchable(self, text: str) -> str:
        """A question text as sentences are compared with: without the document's background words
        (`foreground`), and with the names the document explains in words the question uses (at least two of
        the explanation's words and most of them)."""
        text = self.foreground(text)
        asked = set(content_words(text))
        named = [name for name, stems in self.defined_names
                 if len(stems & asked) >= 2 and len(stems & asked) >= 0.6 * len(stems) and name.lower() not in text.lower()]
        return " ".join([text, *named])

    # ------------------------------------------------------------ scoring

    def foreground(self, text: str) -> str:
        """`text` without the words that run through the whole document; unchanged if nothing else is left."""
        kept = [w for w in re.findall(r"[\w'’-]+", text) if not (content_words(w) and set(content_words(w)) <= self.background)]
        return " ".join(kept) if any(content_words(w) for w in kept) else text

    def _rows(self, positions: list[int] | None) -> np.ndarray:
        rows = np.arange(len(self.data.sentence_rows))
        return rows if positions is None else rows[np.isin(self.row_statement, positions)]

    def lexical(self, text: str, rows: np.ndarray) -> np.ndarray:
        """BM25 of each row for `text`, divided by what a sentence of average length holding every query token once scores."""
        query = list(dict.fromkeys(topics.canonical_tokens(content_words(text), self.concept_index)))
        if not query or not len(rows):
            return np.zeros(len(rows))
        # A word the document never uses weighs as much as the rarest word: missing, it lowers the score.
        unseen = float(np.log((self.sentence_bm25.corpus_size + 0.5) / 0.5))
        ideal = sum(max(self.sentence_bm25.idf.get(t, unseen), 0.0) for t in query)
        if ideal <= 0:
            return np.zeros(len(rows))
        scores = self.sentence_bm25.get_batch_scores(query, rows.tolist())
        return np.clip(np.asarray(scores) / ideal, 0.0, 1.5)

    def score_sentences(self, texts: list[str], positions: list[int] | None = None, names: frozenset[str] = frozenset()) -> Scored:
        """Features of every sentence in scope against the best of `texts`.

        dense: cosine to the sentence; lexical: normalised BM25; filler: closeness to courtesy formulas;
        coverage: soft coverage of the question's terms; named: 0 where a question that is only names meets none of
        them (no model weight; `relevance.judgement` discounts such sentences); lead: the dense score's distance above the
        document's typical sentence for this question, in standard deviations (one scale for easy and
        hard questions). `names`: words the question writes as names, matched only by spelling.
        """
        rows = self._rows(positions)
        everything = np.arange(len(self.data.sentence_rows))
        features = {name: np.full(len(rows), -np.inf) for name in ("dense", "lexical", "coverage", "lead", "gap", "coverage_gap", "named")}
        vectors = self.assistant.embed_queries(list(texts))  # every text in one model call
        for text, vector in zip(texts, vectors):
            similarity = self.data.vectors @ vector
            spread = float(similarity.std()) or 1.0
            features["dense"] = np.maximum(features["dense"], similarity[rows])
            features["lead"] = np.maximum(features["lead"], (similarity[rows] - float(similarity.mean())) / spread)
            features["lexical"] = np.maximum(features["lexical"], self.lexical(text, rows))
            matches = self.terms.match(text, everything, names)
            coverage = matches.coverage()
            features["coverage"] = np.maximum(features["coverage"], coverage[rows])
            features["gap"] = np.maximum(features["gap"], similarity[rows] - float(similarity.max()))
            features["coverage_gap"] = np.maximum(features["coverage_gap"], coverage[rows] - float(coverage.max(initial=0.0)))
            features["named"] = np.maximum(features["named"], self._names_held(matches, names)[rows])
        features["filler"] = self.filler[rows]
        sentences = []
        for row in rows.tolist():
            position, index = self.data.sentence_rows[row]
            sentences.append((position, self.data.statements[position].sentences[index]))
        return Scored(sentences, {k: np.where(np.isfinite(v), v, 0.0) for k, v in features.items()})

    @staticmethod
    def _names_held(matches, names: frozenset[str]) -> np.ndarray:
        """Per sentence: 1 if it holds one of the names that are all the text's terms, else 0; all 1 when the text
        is more than names (dense likeness between names is no evidence that a sentence is about that one)."""
        rows = [t for t, term in enumerate(matches.terms) if term in names]
        if not rows or len(rows) < len(matches.terms):
            return np.ones(matches.per_sentence.shape[1])
        return (matches.per_sentence[rows].max(axis=0) >= 1.0).astype(float)

    def unmatched(self, texts: list[str], names: frozenset[str] = frozenset()) -> float:
        """The least share (over `texts`) of a question's terms, weighted by rarity, with no counterpart in the document."""
        matches = (self.terms.match(t, np.zeros(0, dtype=int), names) for t in texts)
        shares = [m.unmatched(self.weak_endings, self.missing_closeness, self.act_words) for m in matches if m.terms]
        return min(shares, default=0.0)

    def sentence_hits(self, text: str, positions: list[int] | None = None) -> list[SentenceHit]:
        """Every sentence (of the given statement positions) scored against `text`."""
        from assistant.relevance import load_model

        model = load_model()
        scored = self.score_sentences([text] if text.strip() else [], positions)
        probabilities = model.probabilities(scored.features)
        return [
            SentenceHit(self.data.statements[position], sentence, float(scored.features["dense"][k]),
                        float(scored.features["lexical"][k]), float(probabilities[k]))
            for k, (position, sentence) in enumerate(scored.sentences)
        ]

    def rank_statements(self, text: str, mode: str = "hybrid", k: int | None = None, positions: list[int] | None = None) -> list[tuple[Statement, float]]:
        """Statements ranked for `text`: BM25, dense (best sentence), or both with chunk search fused by reciprocal rank."""
        allowed = set(range(len(self.data.statements))) if positions is None else set(positions)
        rankings: list[list[int]] = []
        if mode in ("bm25", "hybrid"):
            scores = self.statement_bm25.get_scores(content_words(text) or ["_"])
            rankings.append([i for i in np.argsort(-scores).tolist() if i in allowed and scores[i] > 0])
        if mode in ("dense", "hybrid"):
            query = self.assistant.embed_query(text)
            best = np.full(len(self.data.statements), -1.0)
            np.maximum.at(best, self.row_statement, self.data.vectors @ query)
            rankings.append([i for i in np.argsort(-best).tolist() if i in allowed])
        if mode == "hybrid":
            rankings.append(self._chunk_ranking(text, allowed))
        fused: dict[int, float] = {}
        for ranking in rankings:
            for rank, position in enumerate(ranking):
                fused[position] = fused.get(position, 0.0) + 1.0 / (_RRF_K + rank + 1)
        ordered = sorted(fused.items(), key=lambda item: -item[1])
        return [(self.data.statements[p], score) for p, score in ordered[: k or len(ordered)]]

    def _chunk_ranking(self, text: str, allowed: set[int]) -> list[int]:
        """Dense chunk retrieval through llama-index, mapped back to statement positions."""
        from llama_index.core.vector_stores import FilterOperator, MetadataFilter, MetadataFilters, VectorStoreQuery

        store = self.assistant.reader.chunk_store()
        query = VectorStoreQuery(
            query_embedding=self.assistant.embed_query(text).tolist(),
            similarity_top_k=min(20, max(1, len(allowed))),
            filters=MetadataFilters(filters=[MetadataFilter(key="document_id", value=self.data.info.document_id, operator=FilterOperator.EQ)]),
        )
        result = store.query(query)
        positions = {s.statement_id: i for i, s in enumerate(self.data.statements)}
        ranking: list[int] = []
        for node in result.nodes or []:
            position = positions.get(node.metadata.get("statement_id"))
            if position is not None and position in allowed and position not in ranking:
                ranking.append(position)
        return ranking

    def best_sentence(self, statement: Statement, text: str) -> Sentence:
        hits = self.sentence_hits(text, [self.position(statement)])
        return max(hits, key=lambda h: h.score).sentence if hits else statement.sentences[0]

    def position(self, statement: Statement) -> int:
        return self.data.statements.index(statement)

    def opening(self, position: int) -> Sentence:
        """The statement's first sentence that is more than a bare courtesy ("Thank you, Mr. President."), else its first."""
        rows = np.flatnonzero(self.row_statement == position)
        statement = self.data.statements[position]
        said = next((r for r in rows.tolist() if self.filler[r] < BARE_COURTESY), None)
        return statement.sentences[self.data.sentence_rows[said][1]] if said is not None else statement.sentences[0]

    def central_sentences(self, position: int, k: int) -> list[Sentence]:
        """The `k` sentences of a statement closest to the statement as a whole, courtesy formulas last."""
        rows = np.flatnonzero(self.row_statement == position)
        if not len(rows):
            return []
        vectors = self.data.vectors[rows]
        centre = vectors.mean(axis=0)
        scores = vectors @ (centre / (np.linalg.norm(centre) or 1.0)) - self.filler[rows]
        statement = self.data.statements[position]
        return [statement.sentences[self.data.sentence_rows[rows[i]][1]] for i in np.argsort(-scores)[:k].tolist()]
