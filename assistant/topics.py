"""Concepts: groups of interchangeable phrases, so "UCMs" and "sanctions" count as one word for BM25.

A concept is a tuple of variants, each variant a tuple of stemmed words. The general HRC thesaurus
lives in `data/hrc_thesaurus.json`; acronyms a document defines ("Special Rapporteur (SR)") are
added per document. `canonical_tokens` rewrites a word sequence so that every variant of a concept
becomes the same token, which is what the sentence BM25 index and its queries are built from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from assistant.text import content_words

Concept = tuple[tuple[str, ...], ...]
ConceptIndex = dict[tuple[str, ...], Concept]

THESAURUS_FILE = Path(__file__).resolve().parent / "data" / "hrc_thesaurus.json"
_LONGEST_VARIANT = 5


def variant(phrase: str) -> tuple[str, ...]:
    return tuple(content_words(phrase)) or tuple(phrase.lower().split())


@cache
def _thesaurus_groups(path: Path = THESAURUS_FILE) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["groups"]


@cache
def thesaurus_index(path: Path = THESAURUS_FILE) -> ConceptIndex:
    groups = _thesaurus_groups(path)
    index: ConceptIndex = {}
    for group in groups:
        concept = tuple(dict.fromkeys(variant(p) for p in group["phrases"]))
        for v in concept:
            index.setdefault(v, concept)
    return index


def merged_index(extra: ConceptIndex | None = None) -> ConceptIndex:
    """The thesaurus plus a document's own acronyms (an acronym joins the concept of its long form)."""
    index = dict(thesaurus_index())
    for key, value in (extra or {}).items():
        index[key] = tuple(dict.fromkeys(index.get(key, ()) + value))
    return index


def acronym_index(pairs: list[tuple[str, str]]) -> ConceptIndex:
    """Concepts of a document's own (long form, acronym) pairs."""
    found: ConceptIndex = {}
    for long_form, short_form in pairs:
        long, short = variant(long_form), variant(short_form)
        if long and short and long != short:
            found[long] = found[short] = (long, short)
    return found


def wordings(index: ConceptIndex, pairs: Sequence[tuple[str, str]] = ()) -> dict[str, tuple[str, ...]]:
    """Per concept token of `canonical_tokens` (without its mark), the phrases that say it, as written: a sentence
    that says "UCMs" also says "unilateral coercive measures" to a reader. Only concepts that have an acronym: an
    acronym and its long form say exactly the same thing, where looser synonyms would bring in words that a
    question's term then finds "close" by word vectors."""
    phrases = [p for group in _thesaurus_groups() for p in group["phrases"]]
    phrases += [p for pair in pairs for p in pair]
    found: dict[str, list[str]] = {}
    for phrase in phrases:
        concept = index.get(variant(phrase))
        if concept is not None:
            found.setdefault(" ".join(concept[0]), []).append(phrase)
    return {key: tuple(dict.fromkeys(values)) for key, values in found.items() if any(map(_is_acronym, values))}


def _is_acronym(phrase: str) -> bool:
    """ "ICC", "UCMs", "LGBTQI+", "CoL": one word with at least two capitals and none of them only at its start."""
    return bool(re.fullmatch(r"[A-Z][A-Za-z]*[A-Z][a-z]?\+?", phrase))


def canonical_tokens(words: list[str], index: ConceptIndex) -> list[str]:
    """Words with every concept variant (longest first) replaced by one token naming the concept."""
    tokens: list[str] = []
    i = 0
    while i < len(words):
        for length in range(min(_LONGEST_VARIANT, len(words) - i), 0, -1):
            concept = index.get(tuple(words[i:i + length]))
            if concept is not None:
                tokens.append("≡" + " ".join(concept[0]))
                i += length
                break
        else:
            tokens.append(words[i])
            i += 1
    return tokens


def concepts_for(topic: str, extra: ConceptIndex | None = None) -> list[Concept]:
    """The concepts a topic is made of, for display and tests: thesaurus groups, other words alone."""
    index = merged_index(extra)
    concepts: list[Concept] = []
    for token in canonical_tokens(content_words(topic), index):
        if token.startswith("≡"):
            concepts.append(index[tuple(token[1:].split())])
        else:
            concepts.append(((token,),))
    return list(dict.fromkeys(concepts))
