"""A statement's position towards the mandate/report and towards the country concerned, at index time.

General method for any dialogue of the series: a small linear classifier (softmax regression) over the
sentence embeddings the index already computes, plus a flag for negation, which the embeddings barely see
("does not support" / "supports"), and the word stems that recur in its examples (an embedding is mostly the
sentence's topic; the stems carry the wording of a position, "welcomes the focus of the report", "urges the
authorities to", across topics the examples never saw). Its training set is `data/stance_examples.json`: generic sentences in
the Council's diplomatic register, written for invented dialogues on many subjects (country inquiries and
rapporteurs, thematic mandates), each labelled with its object (the mandate/report or the country
concerned) and its position (supportive, critical), or neutral (courtesy, questions, national practice).
Every sentence of a statement takes the side the model gives it when the model is sure enough and that side outweighs
the neutral reading.
A statement takes a side on an object when its sentences of that side clearly
outweigh those of the other; a statement with both (welcomes progress, condemns violations) is mixed and
stays neutral. Experts presenting the report take no side; the country concerned's own statement has no
position towards itself; a dialogue with no country concerned has only the mandate object. In a thematic dialogue
where the country concerned is only the country the mandate holder visited, a sentence speaks of that country only
when it names it: a delegation's remarks on its own country, or on others, are no position towards the visited one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

from assistant.gazetteer import canonical_name, find_names
from assistant.models import Frozen, Stance, Statement
from assistant.polarity import lexicon
from assistant.text import stem, words

DATA = Path(__file__).resolve().parent / "data" / "stance_examples.json"
FITTED = Path(__file__).resolve().parent / "data" / "stance_model.json"  # written by scripts/fit_stance.py
NEUTRAL = ("none", "neutral")


class StanceExample(Frozen):
    text: str
    object: str  # "mandate", "country", or "none" for neutral sentences
    label: str  # "supportive", "critical", "neutral"


class StanceExamples(Frozen):
    """The labelled sentences and the decision parameters of the classifier."""

    examples: tuple[StanceExample, ...]
    scale: float  # embeddings are multiplied by this before the linear model (its inverse temperature)
    l2: float  # weight decay of the fit
    iterations: int  # full-batch gradient steps of the fit
    learning_rate: float
    lexical_weight: float  # the value of a word feature (a word stem of the examples) beside the scaled embedding
    lexical_min_count: int  # a stem is a feature when at least this many examples hold it
    min_probability: float  # a sentence takes its likeliest side only when the model gives it at least this
    dominance: float  # a statement takes a side when that side's evidence outweighs the other's this many times

    def classes(self) -> list[tuple[str, str]]:
        return sorted({(e.object, e.label) for e in self.examples})


@cache
def load_examples(path: Path = DATA) -> StanceExamples:
    raw = json.loads(path.read_text(encoding="utf-8"))
    examples = tuple(
        StanceExample(text=text, object=group["object"], label=group["label"])
        for group in raw["examples"] for text in group["texts"]
    )
    decision = raw["decision"]
    return StanceExamples(
        examples=examples, scale=float(decision["scale"]), l2=float(decision["l2"]),
        iterations=int(decision["iterations"]), learning_rate=float(decision["learning_rate"]),
        lexical_weight=float(decision["lexical_weight"]), lexical_min_count=int(decision["lexical_min_count"]),
        min_probability=float(decision["min_probability"]), dominance=float(decision["dominance"]),
    )


def fingerprint(examples: StanceExamples) -> str:
    """What a fit depends on: the model, the labelled examples and the fitting parameters."""
    import hashlib

    from assistant.embedding import MODEL_NAME

    content = [MODEL_NAME, [(e.text, e.object, e.label) for e in examples.examples],
               [examples.scale, examples.l2, examples.iterations, examples.learning_rate, examples.lexical_weight,
                examples.lexical_min_count]]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode("utf-8")).hexdigest()


@cache
def load_fitted(path: Path = FITTED) -> dict | None:
    """The shipped weights of the classifier fitted on `data/stance_examples.json`, if any."""
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def is_negated(text: str) -> bool:
    """The sentence holds a negator ("not", "never", "without", "refuses"…, from `data/polarity.json`)."""
    negators = lexicon().negators
    return any(w in negators or w.endswith("n't") for w in words(text))


def stems(text: str) -> set[str]:
    """The sentence's word stems, function words included ("our" country, "against" a mandate)."""
    return {stem(w) for w in words(text)}


def vocabulary(examples: StanceExamples) -> tuple[str, ...]:
    """The word features: stems that recur in the examples, so the wording of a position counts beside its topic."""
    from collections import Counter

    counts = Counter(w for e in examples.examples for w in stems(e.text))
    return tuple(sorted(w for w, n in counts.items() if n >= examples.lexical_min_count))


def _normalised(vectors):
    import numpy as np

    matrix = np.asarray(vectors, dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True).clip(min=1e-9)


class StanceClassifier:
    """A softmax regression over sentence embeddings, a negation feature and the recurring word stems of the examples.

    A sentence embedding is mostly its topic; the word features carry the wording of a position ("welcomes the
    focus of the report", "urges the authorities to") across topics the examples never saw.

    Fitting needs the examples' embeddings (a second or two); the fit of the shipped examples is kept in
    `data/stance_model.json` (scripts/fit_stance.py) and used while it matches them, else the model is fitted here.
    """

    def __init__(self, embed: Callable[[list[str]], Sequence[Sequence[float]]], examples: StanceExamples | None = None,
                 refit: bool = False):
        import numpy as np

        self.examples = examples or load_examples()
        self.classes = self.examples.classes()
        fitted = None if refit else load_fitted()
        if fitted is not None and fitted["fingerprint"] == fingerprint(self.examples):
            # The shipped fit of these very examples (scripts/fit_stance.py): no need to embed and fit them again.
            self.weights = np.asarray(fitted["weights"], dtype=np.float32)
            self.bias = np.asarray(fitted["bias"], dtype=np.float32)
            self.vocabulary = tuple(fitted["vocabulary"])
            return
        self.vocabulary = vocabulary(self.examples)
        vectors = _normalised(embed([e.text for e in self.examples.examples]))
        labels = np.asarray([self.classes.index((e.object, e.label)) for e in self.examples.examples])
        features = self._features(vectors, [e.text for e in self.examples.examples])
        self.weights = np.zeros((features.shape[1], len(self.classes)), dtype=np.float32)
        self.bias = np.zeros(len(self.classes), dtype=np.float32)
        targets = np.eye(len(self.classes), dtype=np.float32)[labels]
        for _ in range(self.examples.iterations):
            gradient = (self._probabilities(features) - targets) / len(features)
            self.weights -= self.examples.learning_rate * (features.T @ gradient + self.examples.l2 * self.weights)
            self.bias -= self.examples.learning_rate * gradient.sum(axis=0)

    def _features(self, vectors, texts: Sequence[str]):
        """The scaled embedding, whether the sentence is negated (which the embedding barely shows), its word stems."""
        import numpy as np

        negated = np.asarray([[float(is_negated(t))] for t in texts], dtype=np.float32).reshape(len(texts), 1)
        column = {w: k for k, w in enumerate(self.vocabulary)}
        lexical = np.zeros((len(texts), len(self.vocabulary)), dtype=np.float32)
        for row, text in enumerate(texts):
            for w in stems(text):
                if w in column:
                    lexical[row, column[w]] = self.examples.lexical_weight
        return np.hstack([vectors * self.examples.scale, negated, lexical])

    def _probabilities(self, features):
        import numpy as np

        logits = features @ self.weights + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        return odds / odds.sum(axis=1, keepdims=True)

    def classify(self, texts: Sequence[str], vectors) -> list[tuple[tuple[str, str], float]]:
        """Each sentence's (object, position) and the model's probability; NEUTRAL when no class is clear."""
        if not len(texts):
            return []
        matrix = _normalised(vectors).reshape(len(texts), -1)
        out = []
        sided = [k for k, c in enumerate(self.classes) if c != NEUTRAL]
        neutral = self.classes.index(NEUTRAL)
        for row in self._probabilities(self._features(matrix, texts)):
            # The likeliest side, even under a courtesy ("thanks the experts and supports their mandate"), but only
            # when it outweighs the reading that takes no side: a bare "thanks the Rapporteur for the report" stays neutral.
            best = max(sided, key=lambda k: row[k])
            clear = row[best] >= self.examples.min_probability and row[best] > row[neutral]
            chosen = self.classes[best] if clear else NEUTRAL
            out.append((chosen, float(row[best])))
        return out

    def stances(self, statement: Statement, sentence_vectors, has_country: bool, country_mandate: bool = False,
                visited: str | None = None) -> tuple[Stance, ...]:
        """The statement's stance on each object; `sentence_vectors` are its sentences' embeddings, in order.

        A sentence counts for one class only, its likeliest side: a sentence condemning the
        authorities is evidence against the country, not against the mandate too. When the mandate is
        about the country concerned (`country_mandate`), backing the mandate and criticising the country
        are one position; a statement that seems to take both opposite sides keeps only the clearer one.
        `visited` names the country concerned of a thematic dialogue (the country the mandate holder visited):
        a sentence counts towards it only when it names it.
        """
        if statement.speaker_type in ("panel", "unknown") or not statement.sentences:
            return ()
        labelled = self.classify([s.text for s in statement.sentences], sentence_vectors)
        if visited is not None:
            labelled = [(label, p) if label[0] != "country" or names_country(sentence.text, visited) else (NEUTRAL, p)
                        for (label, p), sentence in zip(labelled, statement.sentences)]
        objects = ["mandate"]
        if has_country and statement.speaker_type != "country_concerned":
            objects.append("country")  # not a country's position towards itself
        found = tuple(self._decide(obj, labelled) for obj in objects)
        return _consistent(found) if country_mandate else found

    def _decide(self, obj: str, labelled: list[tuple[tuple[str, str], float]]) -> Stance:
        evidence = {side: [(c, i) for i, ((o, p), c) in enumerate(labelled) if o == obj and p == side]
                    for side in ("supportive", "critical")}
        weight = {side: sum(c for c, _ in found) for side, found in evidence.items()}
        side = max(weight, key=weight.get)
        other = "critical" if side == "supportive" else "supportive"
        if not evidence[side] or weight[side] < self.examples.dominance * weight[other]:
            best = max((c for found in evidence.values() for c, _ in found), default=0.0)
            return Stance(object=obj, position="neutral", score=round(max(best, 0.0), 4))  # nothing, or mixed
        confidence, sentence = max(evidence[side])
        return Stance(object=obj, position=side, sentence=sentence, score=round(confidence, 4))


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


def names_country(text: str, country: str) -> bool:
    """The sentence names `country`, by any of its names or its demonym ("the Ruritanian authorities")."""
    canonical = (canonical_name(country) or (country,))[0]
    return any(m.canonical == canonical for m in find_names(text, "state", adjectives=True))


def document_stances(classifier: StanceClassifier, statements: Sequence[Statement], vectors: dict[str, Sequence],
                     title: str, mandate: str | None) -> tuple[Statement, ...]:
    """Every statement of one dialogue with its stances; `vectors` are each statement's sentence embeddings, by id."""
    country = has_country_concerned(statements)
    country_mandate = is_country_mandate(statements, title, mandate)
    concerned = next((s.speaker for s in statements if s.speaker_type == "country_concerned"), None)
    visited = None if country_mandate else concerned
    return tuple(
        s.model_copy(update={"stances": classifier.stances(s, vectors.get(s.statement_id, []), country, country_mandate, visited)})
        for s in statements
    )


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
