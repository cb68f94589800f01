"""Polarity flips: a sentence that says the opposite of the source it cites.

Two general checks, with the vocabulary in `data/polarity.json`:
* stances: a sentence may say a speaker welcomed, condemned, supported or opposed something
  only if the cited statement uses a word of that pole ("welcomed" where France "took note");
* opposite poles: the sentence uses one pole of an evaluative axis ("free" election) where the
  cited passage uses the other about what the sentence is about ("sham" presidential election:
  the words near "sham" are more of the sentence's words than those near any "free" of the passage);
* negation: a word the passage asserts is negated in the sentence ("did not condemn"), or a
  word the passage only negates is asserted ("cooperated" where it says "did not cooperate").
A negated word counts as its opposite pole ("no free election" agrees with "sham election").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.text import STOPWORDS, stem, words

_DATA = Path(__file__).resolve().parent / "data" / "polarity.json"
_SCOPE = 3  # a negator governs the next few words: "did not strongly condemn"
_NEAR = 6  # words around a pole word that say what it is about: "free participation of everyone in the election"


@dataclass(frozen=True)
class Axis:
    name: str
    positive: frozenset[str]  # stems
    negative: frozenset[str]
    stance: bool  # what a speaker did (welcomed, opposed): the cited statement must say it too


@dataclass(frozen=True)
class Lexicon:
    negators: frozenset[str]
    axes: tuple[Axis, ...]
    wanting: frozenset[str] = frozenset()  # "did not want the mandate renewed": the negation reaches the wanted pole
    pole_stems: frozenset[str] = frozenset()  # every stem on a pole of any axis


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    axes = tuple(
        Axis(a["name"], frozenset(map(_stem, a["positive"])), frozenset(map(_stem, a["negative"])), a["stance"])
        for a in data["axes"]
    )
    return Lexicon(
        frozenset(data["negators"]), axes, frozenset(data.get("wanting", {}).get("words", ())),
        frozenset().union(*(a.positive | a.negative for a in axes)),
    )


def _stem(word: str) -> str:
    return stem(word.lower())


def _tokens(text: str) -> list[tuple[str, str, bool]]:
    """(word, stem, negated) for each word of `text`."""
    negators, wanting, poles = lexicon().negators, lexicon().wanting, lexicon().pole_stems
    raw = words(text)
    out = []
    governed = 0  # words still in reach of the last negator
    wanted = 0  # words still in reach of a negated verb of wanting, for the first pole word only
    for word in raw:
        is_negator = word in negators or word.endswith("n't")
        stemmed = _stem(word)
        negated = (governed > 0 or wanted > 0 and stemmed in poles) and not is_negator
        out.append((word, stemmed, negated))
        wanted = 0 if negated and stemmed in poles else max(wanted - 1, 0)
        if is_negator:
            governed = _SCOPE
        elif governed > 0 and word in wanting:
            governed, wanted = 0, _SCOPE  # "did not want (the mandate) renewed"
        elif word in STOPWORDS or word.endswith("ly"):
            governed -= 1  # "did not (strongly) condemn": the negator reaches the first word that carries meaning
        else:
            governed = 0
    return out


def flip(sentence: str, passage: str, statement: str) -> str | None:
    """Why `sentence` reverses its source ('"free" where its source says "sham"'), or None when it does not.

    `passage` is the part of the cited statement the sentence draws on; `statement` all of it.
    """
    said = _tokens(sentence)
    source = _tokens(passage)
    return _unsaid_stance(said, _tokens(statement)) or _opposite_pole(said, source) or _negation(said, source)


def reversal(question: str):
    """A test of whether a sentence takes the opposite pole to `question` on an evaluative axis ("ended" where the
    mandate is asked to be "renewed"), or None when the question takes no pole (the test could never be true)."""
    asked = _tokens(question)
    if not any(s in axis.positive or s in axis.negative for axis in lexicon().axes if not axis.stance for _, s, _ in asked):
        return None
    return lambda sentence: _opposite_pole(asked, _tokens(sentence)) is not None


def _unsaid_stance(said, statement) -> str | None:
    """A stance ("welcomed", "opposed") the cited statement never takes."""
    for axis in lexicon().axes:
        if not axis.stance:
            continue
        said_pos, said_neg = _poles(said, axis)
        source_pos, source_neg = _poles(statement, axis)
        for mine, theirs, other in ((said_pos, source_pos, source_neg), (said_neg, source_neg, source_pos)):
            if mine and not theirs:
                word = sorted(mine)[0]
                return f'"{word}", which its source does not say' + (f' (it says "{sorted(other)[0]}")' if other else "")
    return None


def _poles(tokens, axis: Axis) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Words of `tokens` on each pole of `axis` (a negated word counts on the other pole), with what they are about."""
    positive: dict[str, set[str]] = {}
    negative: dict[str, set[str]] = {}
    for i, (word, stemmed, negated) in enumerate(tokens):
        if stemmed in axis.positive or stemmed in axis.negative:
            pole = (stemmed in axis.positive) != negated
            near = {s for w, s, _ in tokens[max(0, i - _NEAR):i + _NEAR + 1]
                    if w not in STOPWORDS and len(w) > 2 and s not in axis.positive and s not in axis.negative}
            shown = f"not {word}" if negated else word
            (positive if pole else negative).setdefault(shown, set()).update(near)
    return positive, negative


def _opposite_pole(said, source) -> str | None:
    for axis in lexicon().axes:
        if axis.stance:
            continue
        said_pos, said_neg = _poles(said, axis)
        source_pos, source_neg = _poles(source, axis)
        # What the sentence is about: all its words (it is one sentence); in the source, the words near each pole word.
        about = {stemmed for word, stemmed, _ in said if word not in STOPWORDS and len(word) > 2}
        for mine, same, other in ((said_pos, source_pos, source_neg), (said_neg, source_neg, source_pos)):
            if not mine:
                continue
            agreeing = max((len(near & about) for near in same.values()), default=0)
            opposite = max(other.items(), key=lambda item: len(item[1] & about), default=None)
            if opposite and len(opposite[1] & about) > agreeing:
                return f'"{sorted(mine)[0]}" where its source says "{opposite[0]}"'
    return None


def _negation(said, source) -> str | None:
    negated_in_source: dict[str, list[bool]] = {}
    for _, stemmed, negated in source:
        negated_in_source.setdefault(stemmed, []).append(negated)
    evaluative = frozenset().union(*(axis.positive | axis.negative for axis in lexicon().axes))
    for word, stemmed, negated in said:
        if word in STOPWORDS or len(word) < 3 or stemmed not in negated_in_source or stemmed in evaluative:
            continue  # evaluative words are judged by their pole, where a negation counts as the other pole
        seen = negated_in_source[stemmed]
        if negated and not any(seen):
            return f'negates "{word}", which its source asserts'
        if not negated and all(seen):
            return f'asserts "{word}", which its source negates'
    return None
