"""Fit the relevance model (assistant/data/relevance.json) on the DEV split of the gold set only.

Usage: .venv/bin/python scripts/fit_relevance.py [--write]

Labels, per single-turn dev item whose last question is about a topic:
  - list-shaped items (who_which, group, paraphrase, chatty, scope_*): statements of required speakers are
    positive; statements of the same speaker types by speakers the item does not name are negative;
  - speaker_topic items: the named speaker's statement is positive;
  - abstain_topic items: every statement is negative.
A statement's features (FEATURES, from `Corpus.score_sentences`) are those of its best sentence under the
current weights (multiple-instance logistic regression, a few rounds). Then `addresses` maximises
statement-level F1 on dev, `floor` is set below the best positive statement of every answerable dev item,
and "nobody" also when nothing passes `addresses` and enough of the question's terms have no counterpart in
the document (the unmatched share halfway between dev's answerable and abstain items, checked by leaving one
document out; a term "has no counterpart" below a closeness chosen the same way). The statement F1 is also reported with
leave-one-document-out cross-validation (each document judged by a model fitted on the others).

  --features FILE   keep the collected dev features in FILE and reuse them on the next run
  --only a,b,c      fit with these features only (to compare feature sets by cross-validation)
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
FEATURES = ("dense", "lexical", "filler", "coverage", "lead", "gap", "coverage_gap")
CLOSENESS_GRID = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3)
LIST_TYPES = {"who_which", "group", "paraphrase", "chatty", "scope_region", "scope_bloc", "scope_type"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true", help="write the fitted weights into assistant/data/relevance.json")
    parser.add_argument("--features", type=Path, help="keep the dev features in this file and reuse them on the next run")
    parser.add_argument("--only", help="comma-separated features to fit with (default: all)")
    args = parser.parse_args()
    if args.features and args.features.exists():
        import pickle

        bags = pickle.loads(args.features.read_bytes())
    else:
        bags = collect()
        if args.features:
            import pickle

            args.features.write_bytes(pickle.dumps(bags))
    fit(bags, args.write, tuple(args.only.split(",")) if args.only else FEATURES)


def collect() -> list:
    os.environ.setdefault("HRC_HOME", tempfile.mkdtemp(prefix="hrc-fit-"))

    from assistant import relevance
    from assistant.engine import Assistant
    from assistant.settings import Settings
    from assistant.text import proper_names
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

    bags: list[tuple[np.ndarray, int, str, str]] = []  # (sentence features, label, item id, document)
    unmatched: dict[str, tuple[list, bool, str]] = {}  # item id: (its query texts' term matches, abstain, document)
    for item in items:
        corpus = assistant.corpus(ids[Path(item.document).name])
        query = understand(item.question, [], [corpus])
        if not query.topic or query.intent not in ("list", "speaker", "compare", "count") or query.stance:
            continue  # rosters, facts and stance lists are not decided by relevance
        texts = list(dict.fromkeys(corpus.searchable(t) for t in relevance.query_texts(query)))
        wanted = {name_key(n) for n in item.speakers()}
        required = {name_key(n) for n in item.must_cite} | {name_key(n) for g in item.any_of for n in g}
        statements = corpus.data.statements
        if item.type == "speaker_topic":
            positions = [p for p, s in enumerate(statements) if name_key(s.speaker) in required]
        else:
            types = {s.speaker_type for s in statements if name_key(s.speaker) in required}
            positions = [p for p, s in enumerate(statements) if item.abstain or s.speaker_type in types]
        names = proper_names(query.asked or query.question)  # as `relevance.judgement`: names match only by spelling
        scored = corpus.score_sentences(texts, positions, names)
        columns = np.column_stack([scored.features[name] for name in FEATURES])
        rows: dict[int, list] = {}
        for k, (position, _) in enumerate(scored.sentences):
            rows.setdefault(position, []).append(columns[k])
        matches = [corpus.terms.match(t, np.zeros(0, dtype=int), names) for t in relevance.query_texts(query)]
        unmatched[item.id] = ([m for m in matches if m.terms], item.abstain, item.document)
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
            bags.append((np.array(features), label, item.id, item.document))
    return bags, unmatched


def fit(collected, write: bool, features: tuple[str, ...] = FEATURES) -> None:
    from assistant import relevance

    bags, unmatched = collected
    keep = [FEATURES.index(f) for f in features]
    bags = [(bag[:, keep], label, item, document) for bag, label, item, document in bags]
    weights, threshold = _fit_bags(bags)
    scores = np.array([_probability(_best(bag, weights), weights) for bag, *_ in bags])
    labels = np.array([label for _, label, *_ in bags])
    print(f"{len(bags)} statements from {len({b[2] for b in bags})} dev items ({labels.sum()} positive); features {features}")
    print("weights:", dict(zip((*features, "bias"), np.round(weights, 3).tolist())))
    print(f"addresses (F1-best on dev) = {threshold:.2f}, statement F1 = {_f1(scores >= threshold, labels):.3f}")
    print(f"leave-one-document-out statement F1 = {_cross_validated(bags):.3f}")
    answerable, abstain_best = {}, {}
    for (bag, label, item_id, _), score in zip(bags, scores):
        if label == 1:
            answerable[item_id] = max(answerable.get(item_id, 0.0), score)
    for (bag, label, item_id, _), score in zip(bags, scores):
        if label == 0 and item_id not in answerable:
            abstain_best[item_id] = max(abstain_best.get(item_id, 0.0), score)
    floor = min(min(answerable.values()) * 0.8, threshold)
    print(f"floor = {floor:.3f}; weakest answerable item best = {min(answerable.values()):.3f}")
    print("abstain items' best statement:", {k: round(v, 3) for k, v in abstain_best.items()})
    # Nobody addressed it, when nothing passes the threshold, if enough of the question's (rarity-weighted) terms have
    # no counterpart in the document: halfway between the answerable items' shares and the abstain items' shares on
    # dev. A question none of whose terms the document holds (share 1.0) is "nobody" whatever the dev items say.
    # "No counterpart" is a best match at most `closeness`: the value that tells the fewest answerable items "nobody"
    # when each document is judged by the share fitted on the others, then catches the most abstain items (ties: the lower).
    hedged_items = [i for i, best in answerable.items() if best < threshold]
    weak = relevance.load_model().unmatched_weak_endings
    outcomes = []  # (answerable items told nobody, -abstain items caught, closeness): the least of them wins
    for closeness in CLOSENESS_GRID:
        shares = {i: (_least_share(m, weak, closeness), a, d) for i, (m, a, d) in unmatched.items()}
        caught, told_nobody = _leave_one_document_out(shares, hedged_items)
        print(f"closeness {closeness:.2f}: held-out abstain items caught {caught}, answerable items told nobody {told_nobody}")
        outcomes.append((len(told_nobody), -caught, closeness))
    best_closeness = min(outcomes)[2]
    shares = {i: (_least_share(m, weak, best_closeness), a, d) for i, (m, a, d) in unmatched.items()}
    hedged = [shares[i][0] for i in hedged_items]
    share = _share_between(hedged, [u for u, abstain, _ in shares.values() if abstain])
    print("unmatched share, answerable items below the threshold:", sorted(round(u, 2) for u in hedged))
    print("unmatched share, abstain items:", {i: round(u[0], 2) for i, u in shares.items() if u[1]})
    for document in sorted({d for _, _, d in shares.values()}):  # leave one document out
        held, right, wrong = _held_out(shares, hedged_items, document)
        print(f"  held out {document}: share {held:.2f}, abstain items caught {len(right)}, answerable items told nobody {wrong}")
    print(f"no counterpart at closeness <= {best_closeness:.2f}; unmatched share for 'nobody' = {share:.2f}")
    if write:
        path = relevance.DATA
        raw = json.loads(path.read_text(encoding="utf-8"))
        raw["weights"] = dict(zip((*features, "bias"), (round(float(w), 3) for w in weights)))
        raw["addresses"], raw["floor"] = round(float(threshold), 3), round(float(floor), 3)
        raw["unmatched"]["share"] = round(float(share), 3)
        raw["unmatched"]["closeness"] = best_closeness
        path.write_text(json.dumps(raw, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {path}")


def _least_share(matches: list, weak: tuple[str, ...], closeness: float) -> float:
    """As `Corpus.unmatched`: the least unmatched share over the question's texts."""
    return min((m.unmatched(weak, closeness) for m in matches), default=0.0)


def _held_out(shares: dict, hedged_items: list[str], document: str) -> tuple[float, list[str], list[str]]:
    """The share fitted without `document`, and its abstain items caught and answerable items told "nobody"."""
    others = [shares[i][0] for i in hedged_items if shares[i][2] != document]
    held = _share_between(others, [u for u, a, d in shares.values() if a and d != document])
    wrong = [i for i in hedged_items if shares[i][2] == document and held <= shares[i][0] < 1.0]
    right = [i for i, (u, a, d) in shares.items() if a and d == document and u >= held]
    return held, right, wrong


def _leave_one_document_out(shares: dict, hedged_items: list[str]) -> tuple[int, list[str]]:
    caught, wrong = 0, []
    for document in sorted({d for _, _, d in shares.values()}):
        _, right, told = _held_out(shares, hedged_items, document)
        caught, wrong = caught + len(right), wrong + told
    return caught, wrong


def _share_between(answerable: list[float], abstain: list[float]) -> float:
    """Halfway between the highest partial share of answerable items and the next abstain share above it."""
    top = max((u for u in answerable if u < 1.0), default=0.0)
    above = [u for u in abstain if u > top]
    return round((top + min(above)) / 2, 3) if above else 1.0


def _fit_bags(bags: list) -> tuple[np.ndarray, float]:
    """Multiple-instance logistic regression (a statement is its best sentence) and the F1-best threshold."""
    width = bags[0][0].shape[1]
    weights = np.zeros(width + 1)
    start = np.array([1.0] * width + [0.0])
    for _ in range(5):
        chosen = np.array([_best(bag, weights if weights.any() else start) for bag, *_ in bags])
        labels = np.array([label for _, label, *_ in bags], dtype=float)
        weights = _logistic(chosen, labels, weights)
    scores = np.array([_probability(_best(bag, weights), weights) for bag, *_ in bags])
    labels = np.array([label for _, label, *_ in bags])
    threshold = max(np.linspace(0.05, 0.95, 91), key=lambda t: _f1(scores >= t, labels))
    return weights, float(threshold)


def _cross_validated(bags: list) -> float:
    """Statement F1 when each document's items are judged by a model fitted on the other documents."""
    predicted, truth = [], []
    for document in sorted({b[3] for b in bags}):
        train = [b for b in bags if b[3] != document]
        test = [b for b in bags if b[3] == document]
        if not train or not {b[1] for b in train} >= {0, 1}:
            continue
        weights, threshold = _fit_bags(train)
        predicted += [_probability(_best(bag, weights), weights) >= threshold for bag, *_ in test]
        truth += [label for _, label, *_ in test]
    return _f1(np.array(predicted), np.array(truth))


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
