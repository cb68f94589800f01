"""A statement's position towards the mandate/report and towards the country concerned, at index time.

General method for any dialogue of the series: every sentence of a statement is compared (cosine of
the sentence embeddings already computed for the index) with prototype sentences of each position
(`data/stance_prototypes.json`: general HRC positions, no vocabulary of one dialogue). A statement
takes a side when its closest sentence is near enough to that side's prototypes and clearly nearer
than to the other side's; that sentence is the evidence. Experts presenting the report take no
side; a dialogue with no country concerned has only the mandate object.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

from assistant.models import Frozen, Stance, Statement

DATA = Path(__file__).resolve().parent / "data" / "stance_prototypes.json"


class StancePrototypes(Frozen):
    """Prototype sentences per object and position, with the decision thresholds."""

    objects: dict[str, dict[str, tuple[str, ...]]]
    floor: float
    margin: float

    def texts(self) -> list[str]:
        return [text for sides in self.objects.values() for texts in sides.values() for text in texts]


@cache
def load_prototypes(path: Path = DATA) -> StancePrototypes:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return StancePrototypes(
        objects={obj: {side: tuple(texts) for side, texts in sides.items()} for obj, sides in raw["objects"].items()},
        floor=float(raw["decision"]["floor"]), margin=float(raw["decision"]["margin"]),
    )


class StanceClassifier:
    """Prototype embeddings of one model, computed once; classifies statements from their sentence vectors."""

    def __init__(self, embed: Callable[[list[str]], Sequence[Sequence[float]]], prototypes: StancePrototypes | None = None):
        import numpy as np

        self.prototypes = prototypes or load_prototypes()
        vectors = np.asarray(embed(self.prototypes.texts()), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-9)
        self.vectors: dict[tuple[str, str], object] = {}
        start = 0
        for obj, sides in self.prototypes.objects.items():
            for side, texts in sides.items():
                self.vectors[(obj, side)] = vectors[start:start + len(texts)]
                start += len(texts)

    def stances(self, statement: Statement, sentence_vectors, has_country: bool, country_mandate: bool = False) -> tuple[Stance, ...]:
        """The statement's stance on each object; `sentence_vectors` are its sentences' embeddings, in order.

        Each sentence counts only for the position it is closest to, across objects: a sentence
        condemning the authorities is evidence against the country, not against the mandate too.
        When the mandate is about the country concerned (`country_mandate`), backing the mandate and
        criticising the country are one position; a statement that seems to take both opposite
        sides keeps only the clearer one.
        """
        import numpy as np

        if statement.speaker_type in ("panel", "unknown") or not statement.sentences:
            return ()
        matrix = np.asarray(sentence_vectors, dtype=np.float32).reshape(len(statement.sentences), -1)
        matrix = matrix / np.linalg.norm(matrix, axis=1, keepdims=True).clip(min=1e-9)
        classes = [key for key in self.vectors if has_country or key[0] != "country"]
        closeness = np.stack([(matrix @ self.vectors[key].T).max(axis=1) for key in classes])  # classes × sentences
        nearest = closeness.argmax(axis=0)
        found = []
        for obj in self.prototypes.objects:
            if obj == "country" and (not has_country or statement.speaker_type == "country_concerned"):
                continue  # no country concerned, or a country's position towards itself
            sides = {}
            for side in ("supportive", "critical"):
                k = classes.index((obj, side))
                scores = np.where(nearest == k, closeness[k], -1.0)
                sides[side] = scores
            found.append(self._decide(obj, sides["supportive"], sides["critical"]))
        return _consistent(tuple(found)) if country_mandate else tuple(found)

    def _decide(self, obj: str, supportive, critical) -> Stance:
        best_supportive, best_critical = float(supportive.max()), float(critical.max())
        strongest = max(best_supportive, best_critical)
        if strongest < self.prototypes.floor or abs(best_supportive - best_critical) < self.prototypes.margin:
            return Stance(object=obj, position="neutral", score=round(max(strongest, 0.0), 4))
        side, scores = ("supportive", supportive) if best_supportive > best_critical else ("critical", critical)
        return Stance(object=obj, position=side, sentence=int(scores.argmax()), score=round(strongest, 4))


_SAME_CAMP = {("supportive", "critical"), ("critical", "supportive")}  # (mandate, country) positions that agree


def _consistent(stances: tuple[Stance, ...]) -> tuple[Stance, ...]:
    by_object = {s.object: s for s in stances}
    mandate, country = by_object.get("mandate"), by_object.get("country")
    if mandate is None or country is None or "neutral" in (mandate.position, country.position):
        return stances
    if (mandate.position, country.position) in _SAME_CAMP:
        return stances
    weaker = mandate if mandate.score < country.score else country
    neutral = Stance(object=weaker.object, position="neutral", score=weaker.score)
    return tuple(neutral if s is weaker else s for s in stances)


def has_country_concerned(statements: Sequence[Statement]) -> bool:
    return any(s.speaker_type == "country_concerned" for s in statements)


def is_country_mandate(statements: Sequence[Statement], title: str, mandate: str | None) -> bool:
    """The mandate is about the country concerned: its name is in the dialogue's title or mandate."""
    names = {s.speaker.casefold() for s in statements if s.speaker_type == "country_concerned"}
    about = f"{title} {mandate or ''}".casefold()
    return any(name in about for name in names)


def encode(stances: Sequence[Stance]) -> str:
    """Stances as one metadata string (Chroma metadata values are scalars)."""
    return json.dumps([s.model_dump() for s in stances])


def decode(text: str | None) -> tuple[Stance, ...]:
    if not text:
        return ()
    return tuple(Stance.model_validate(item) for item in json.loads(text))
