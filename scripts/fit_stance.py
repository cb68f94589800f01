"""Fit the stance classifier on assistant/data/stance_examples.json and ship its weights in assistant/data/stance_model.json.

Usage: .venv/bin/python scripts/fit_stance.py

Run it after changing the examples or the fitting parameters: the classifier uses the shipped weights only while
their fingerprint (model, examples, parameters) matches, and otherwise embeds the examples and fits itself at index time.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from assistant import stance
    from assistant.embedding import encode, load_embedder

    embedder = load_embedder()
    examples = stance.load_examples()
    classifier = stance.StanceClassifier(lambda texts: encode(embedder, list(texts)), examples, refit=True)
    fitted = {
        "why": "Weights of the stance classifier fitted on data/stance_examples.json by scripts/fit_stance.py, so indexing need not embed and fit the examples; used only while the fingerprint (model, examples, fitting parameters) matches.",
        "fingerprint": stance.fingerprint(examples),
        "classes": [list(c) for c in classifier.classes],
        "weights": [[round(float(w), 6) for w in row] for row in classifier.weights],
        "bias": [round(float(b), 6) for b in classifier.bias],
        "vocabulary": list(classifier.vocabulary),
    }
    stance.FITTED.write_text(json.dumps(fitted, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {stance.FITTED} ({len(examples.examples)} examples, {len(classifier.classes)} classes)")


if __name__ == "__main__":
    main()
