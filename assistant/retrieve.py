"""Hybrid retrieval over one document: BM25 + dense, fused, at statement and sentence level.

Per document we keep in memory: its statements, one row per sentence (statement
position, sentence index) with an L2-normalised embedding, the stemmed word set of each
sentence, and BM25 indexes over sentences and statements. Dense chunk retrieval goes
through llama-index's ChromaVectorStore with a document filter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant import topics
from assistant.models import Sentence, Statement
from assistant.store import DocumentData
from assistant.text import content_words

_RRF_K = 60
_ACRONYM = re.compile(r"((?:[A-Z][\w'’-]+\s+)(?:(?:of|for|and|the|on|in|to|de)\s+|[A-Z][\w'’-]+\s+){0,8}?[A-Z][\w'’-]+)\s+\(([A-Z][A-Za-z0-9+]{1,9})\)")


@dataclass(frozen=True)
class SentenceHit:
    statement: Statement
    sentence: Sentence
    dense: float
    coverage: float

    @property
    def score(self) -> float:
        return 0.6 * self.dense + 0.4 * self.coverage


class Corpus:
    """Search structures of one indexed document."""

    def __init__(self, data: DocumentData, assistant):
        from rank_bm25 import BM25Okapi

        self.data = data
        self.assistant = assistant
        rows = data.sentence_rows
        self.row_statement = np.array([r[0] for r in rows], dtype=np.int32)
        self.sentence_words = [frozenset(content_words(self._sentence(i).text)) for i in range(len(rows))]
        tokens = [content_words(self._sentence(i).text) or ["_"] for i in range(len(rows))]
        self.sentence_bm25 = BM25Okapi(tokens)
        self.statement_bm25 = BM25Okapi([content_words(s.text) or ["_"] for s in data.statements])
        self.acronyms = self._acronyms()
        self._frequencies: dict[topics.Concept, int] = {}

    def _sentence(self, row: int) -> Sentence:
        position, index = self.data.sentence_rows[row]
        return self.data.statements[position].sentences[index]

    def _acronyms(self) -> dict[tuple[str, ...], topics.Concept]:
        """Acronyms the document defines, e.g. "Special Rapporteur (SR)", as extra concepts."""
        found: dict[tuple[str, ...], topics.Concept] = {}
        for statement in self.data.statements:
            for match in _ACRONYM.finditer(statement.text):
                long, short = topics.variant(match.group(1)), topics.variant(match.group(2))
                if long and short and long != short:
                    concept = (long, short)
                    found[long] = concept
                    found[short] = concept
        return found

    # ------------------------------------------------------------ scoring

    def concepts(self, topic: str) -> list[topics.Concept]:
        """Topic concepts that discriminate: ones found in over a quarter of sentences are dropped."""
        concepts = topics.concepts_for(topic, self.acronyms)
        limit = 0.25 * len(self.sentence_words)
        useful = [c for c in concepts if self._frequency(c) <= limit]
        return useful or concepts

    def _frequency(self, concept: topics.Concept) -> int:
        """Number of sentences matching a concept (cached: topics repeat across questions)."""
        if concept not in self._frequencies:
            self._frequencies[concept] = sum(topics.matches(concept, w) for w in self.sentence_words)
        return self._frequencies[concept]

    def sentence_hits(self, topic: str, positions: list[int] | None = None) -> list[SentenceHit]:
        """Every sentence (of the given statement positions) scored against the topic."""
        concepts = self.concepts(topic)
        query = self.assistant.embed_query(topic) if topic.strip() else None
        rows = np.arange(len(self.data.sentence_rows))
        if positions is not None:
            rows = rows[np.isin(self.row_statement, positions)]
        dense = self.data.vectors[rows] @ query if query is not None and len(rows) else np.zeros(len(rows))
        hits = []
        for row, similarity in zip(rows.tolist(), np.asarray(dense).tolist()):
            position, index = self.data.sentence_rows[row]
            statement = self.data.statements[position]
            hits.append(
                SentenceHit(statement, statement.sentences[index], float(similarity), topics.coverage(concepts, self.sentence_words[row]))
            )
        return hits

    def rank_statements(self, text: str, mode: str = "hybrid", k: int | None = None, positions: list[int] | None = None) -> list[tuple[Statement, float]]:
        """Statements ranked for `text`: BM25, dense (best sentence), or both fused by reciprocal rank."""
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
        position = self.data.statements.index(statement)
        hits = self.sentence_hits(text, [position])
        return max(hits, key=lambda h: h.score).sentence if hits else statement.sentences[0]

    def position(self, statement: Statement) -> int:
        return self.data.statements.index(statement)
