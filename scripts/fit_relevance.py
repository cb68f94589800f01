"""Fit the relevance model (assistant/data/relevance.json) on the DEV split of the gold set only.

Usage: .venv/bin/python scripts/fit_relevance.py [--write]

Labels, per single-turn dev item whose last question is about a topic:
  - list-shaped items (who_which, group, paraphrase, chatty, scope_*): statements of required speakers are
    positive; statements of the same speaker types by speakers the item does not name are negative;
  - speaker_topic items: the named speaker's statement is positive;
  - abstain_topic items: every statement is negative.
A statement's features are those of its best sentence under the current weights (multiple-instance
logistic regression, a few rounds). Then `addresses` maximises statement-level F1 on dev, and `floor`
is set below the best positive statement of every answerable dev item, so that no dev item would get a
false "nobody addressed it".
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LIST_TYPES = {"who_which", "group", "paraphrase", "chatty", "scope_region", "scope_bloc", "scope_type"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true", help="write the fitted weights into assistant/data/relevance.json")
    parser.add_argument("--features", type=Path, help="keep the dev features in this file and reuse them on the next run")
    args = parser.parse_args()
    if args.features and args.features.exists():
        import pickle

        bags = pickle.loads(args.features.read_bytes())
    else:
        bags = collect()
        if args.features:
            import pickle

            args.features.write_bytes(pickle.dumps(bags))
    fit(bags, args.write)


def collect() -> list:
    os.environ.setdefault("HRC_HOME", tempfile.mkdtemp(prefix="hrc-fit-"))

    from assistant import relevance
    from assistant.engine import Assistant
    from assistant.settings import Settings
    from assistant.understand import understand
    from eval.gold import load_gold
    from eval.metrics import name_key
    from index.store import index_paths

    items = [i for i in load_gold(split="dev") if len(i.turns) == 1 and (i.type in LIST_TYPES | {"speaker_topic", "abstain_topic"})]
    settings = Settings()
    documents = sorted({i.document for i in items})
    index_paths(settings, [ROOT / d for d in documents])
    assistant = Assistant(settings)
    ids = {info.source: doc_id for doc_id, info in assistant.documents().items()}

    bags: list[tuple[np.ndarray, int, str]] = []  # (sentence features, label, item id)
    for item in items:
        corpus = assistant.corpus(ids[Path(item.document).name])
        query = understand(item.question, [], [corpus])
        if not query.topic or query.intent not in ("list", "speaker", "compare", "count") or query.stance:
            continue  # rosters, facts and stance lists are not decided by relevance
        texts = list(dict.fromkeys(corpus.foreground(t) for t in relevance.query_texts(query)))
        wanted = {name_key(n) for n in item.speakers()}
        required = {name_key(n) for n in item.must_cite} | {name_key(n) for g in item.any_of for n in g}
        statements = corpus.data.statements
        if item.type == "speaker_topic":
            positions = [p for p, s in enumerate(statements) if name_key(s.speaker) in required]
        else:
            types = {s.speaker_type for s in statements if name_key(s.speaker) in required}
            positions = [p for p, s in enumerate(statements) if item.abstain or s.speaker_type in types]
        rows: dict[int, list] = {}
        for position, _, dense, lexical, filler in corpus.score_sentences(texts, positions):
            rows.setdefault(position, []).append((dense, lexical, filler))
        for position, features in rows.items():
            key = name_key(statements[position].speaker)
            if item.abstain:
                label = 0
            elif key in required:
                label = 1
            elif key in wanted or item.type == "speaker_topic":
                continue
            else:
                label = 0
            bags.append((np.array(features), label, item.id))
    return bags


def fit(bags: list, write: bool) -> None:
    from assistant import relevance

    weights = np.zeros(4)
    for _ in range(5):
        chosen = np.array([_best(bag, weights if weights.any() else np.array([1.0, 1.0, -1.0, 0.0])) for bag, _, _ in bags])
        labels = np.array([label for _, label, _ in bags], dtype=float)
        weights = _logistic(chosen, labels, weights)
    scores = np.array([_probability(_best(bag, weights), weights) for bag, _, _ in bags])
    labels = np.array([label for _, label, _ in bags])
    threshold, f1 = max(((t, _f1(scores >= t, labels)) for t in np.linspace(0.05, 0.95, 91)), key=lambda x: x[1])
    answerable = {}
    for (bag, label, item_id), score in zip(bags, scores):
        if label == 1:
            answerable[item_id] = max(answerable.get(item_id, 0.0), score)
    abstain_best = {}
    for (bag, label, item_id), score in zip(bags, scores):
        if label == 0 and item_id not in answerable:
            abstain_best[item_id] = max(abstain_best.get(item_id, 0.0), score)
    floor = min(min(answerable.values()) * 0.8, threshold)
    print(f"{len(bags)} statements from {len({b[2] for b in bags})} dev items ({labels.sum()} positive)")
    print("weights dense, lexical, filler, bias:", np.round(weights, 3).tolist())
    print(f"addresses (F1-best on dev) = {threshold:.2f}, statement F1 = {f1:.3f}")
    print(f"floor = {floor:.3f}; weakest answerable item best = {min(answerable.values()):.3f}")
    print("abstain_topic items' best statement:", {k: round(v, 3) for k, v in abstain_best.items()})
    if write:
        path = relevance.DATA
        raw = json.loads(path.read_text(encoding="utf-8"))
        raw["weights"] = dict(zip(("dense", "lexical", "filler", "bias"), (round(float(w), 3) for w in weights)))
        raw["addresses"], raw["floor"] = round(float(threshold), 3), round(float(floor), 3)
        path.write_text(json.dumps(raw, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {path}")


def _design(features: np.ndarray) -> np.ndarray:
    return np.column_stack([features, np.ones(len(features))])


def _probability(features: np.ndarray, weights: np.ndarray) -> float:
    return float(1 / (1 + np.exp(-(_design(features[None, :]) @ weights)[0])))


def _best(bag: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return bag[int(np.argmax(_design(bag) @ weights))]


def _logistic(x: np.ndarray, y: np.ndarray, start: np.ndarray, steps: int = 50, l2: float = 1e-4) -> np.ndarray:
    """Class-balanced, lightly regularised logistic regression by Newton's method (no extra dependency)."""
    design = _design(x)
    balance = np.where(y == 1, 0.5 / max(1, y.sum()), 0.5 / max(1, (1 - y).sum())) * len(y)
    penalty = l2 * np.diag([1.0] * (design.shape[1] - 1) + [0.0])
    w = start.copy()
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(design @ w)))
        gradient = design.T @ (balance * (p - y)) / len(y) + penalty @ w
        hessian = (design * (balance * p * (1 - p))[:, None]).T @ design / len(y) + penalty
        w = w - np.linalg.solve(hessian, gradient)
    return w


def _f1(predicted: np.ndarray, labels: np.ndarray) -> float:
    tp = float((predicted & (labels == 1)).sum())
    precision = tp / max(1, predicted.sum())
    recall = tp / max(1, (labels == 1).sum())
    return 0 if tp == 0 else 2 * precision * recall / (precision + recall)


if __name__ == "__main__":
    main()
