"""Run systems over the gold set: conversations turn by turn, timing, scoring, progress.

`run_documents(runs, items, progress)` asks each gold item of each document (`DocumentRun`:
the document's path, its `EvalContext` and the systems scoped to it) and returns the results
as plain JSON-ready dicts: per system a summary over everything, a summary per document and
split (`by_document`), the same figures per question type (`by_shape`), and one record per gold item. `run_eval(systems, items, context)` is
the same for a single document. Scoring uses only `eval.metrics` plus the indexed document,
whichever system answered.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from eval import metrics
from eval.gold import GOLD_TYPES, GoldItem
from eval.systems import System

KS = (5, 10)
# results.json keeps every record; very long texts (the naive baseline quotes 512-token chunks) are cut.
MAX_QUOTE_CHARS = 500
MAX_ANSWER_CHARS = 4000
MAX_UNCITED = 10  # uncited sentences kept per answer
Progress = Callable[[str, int, int, str, bool], None]


@dataclass
class EvalContext:
    """The scoped document as the scorer sees it."""

    document_id: str
    title: str
    statements: list  # assistant.models.Statement, in document order
    checker: metrics.QuoteChecker
    by_speaker: dict[str, list[str]]  # name_key(speaker) -> statement ids
    speakers: list[str] = field(default_factory=list)  # distinct speaker names, document order

    @classmethod
    def from_statements(cls, document_id: str, title: str, statements) -> "EvalContext":
        statements = list(statements)
        by_speaker: dict[str, list[str]] = {}
        speakers: dict[str, str] = {}
        for s in statements:
            by_speaker.setdefault(metrics.name_key(s.speaker), []).append(s.statement_id)
            speakers.setdefault(metrics.name_key(s.speaker), s.speaker)
        checker = metrics.QuoteChecker((s.statement_id, s.speaker, s.text) for s in statements)
        return cls(document_id, title, statements, checker, by_speaker, list(speakers.values()))

    @classmethod
    def from_data(cls, data) -> "EvalContext":
        return cls.from_statements(data.info.document_id, data.info.title, data.statements)


# ---------------------------------------------------------------- scoring one item


def cited_speaker_names(citations, checker: metrics.QuoteChecker) -> list[str]:
    """The speaker of each citation as the scorer sees it: a citation to a statement that does
    not exist, or whose speaker label is not the statement's speaker, gets a pseudo-name that
    is never acceptable."""
    names = []
    for c in citations:
        actual = checker.speaker(c.statement_id)
        if actual is None:
            names.append(metrics.invalid_citation_name(c.statement_id))
        elif metrics.name_key(c.speaker) != metrics.name_key(actual):
            names.append(metrics.mislabelled_name(c.speaker, actual))
        else:
            names.append(actual)
    return names


def score_item(
    item: GoldItem,
    answer,
    ranking: Sequence[str] | None,
    context: EvalContext,
    latency_ms: float | None = None,
    conversation_ms: float | None = None,
    error: str | None = None,
) -> dict:
    """Everything measured about one answer to one gold item, as a JSON-ready dict."""
    citations = tuple(answer.citations) if answer is not None else ()
    text = answer.answer if answer is not None else ""
    abstained = bool(answer.abstained) if answer is not None else False
    absence = metrics.absence_claim(text, abstained, len(citations)) if answer is not None else metrics.AbsenceClaim(False)
    # The statement's real speaker, so a quote given to the wrong speaker never counts as support.
    names = cited_speaker_names(citations, context.checker)
    support = metrics.support_hits(((name, c.quote) for name, c in zip(names, citations)), item.support)

    speakers = metrics.speaker_scores(names, item.must_cite, item.may_cite, item.any_of)
    numbers = {c.n for c in citations}
    coverage = metrics.citation_coverage(text, numbers) if answer is not None and not abstained else metrics.CoverageScore(None, 0, 0)

    cited = []
    failed_quotes = []
    for c in citations:
        check = context.checker.check(c.statement_id, c.quote, c.char_start, c.char_end, c.speaker)
        record = {
            "n": c.n,
            "statement_id": c.statement_id,
            "speaker": c.speaker,
            "page": c.page,
            "quote": c.quote if len(c.quote) <= MAX_QUOTE_CHARS else c.quote[:MAX_QUOTE_CHARS] + "…",
            "quote_chars": len(c.quote),
            "verbatim": check.verbatim,
            "exact_span": check.exact_span,
            "statement_exists": check.statement_exists,
            "misattributed_to": check.misattributed_to,
        }
        cited.append(record)
        if not check.verbatim:
            failed_quotes.append(record)

    missing_strings = metrics.must_contain_missing(text, item.must_contain)
    abstention_ok = abstained == item.abstain

    retrieval = None
    if ranking is not None:
        units = metrics.relevant_units(item.must_cite, item.any_of, context.by_speaker)
        score = metrics.retrieval_scores(ranking, units, KS)
        if score is not None:
            retrieval = {
                **{f"recall@{k}": score.recall[k] for k in KS},
                "rr": score.rr,
                "units": score.units,
                "first_relevant_rank": score.first_relevant_rank,
                "top": list(ranking[: max(KS)]),
            }

    reasons = []
    if error:
        reasons.append(f"error: {error}")
    if not abstention_ok:
        reasons.append("abstained but should have answered" if abstained else "answered but should have abstained")
    if speakers.f1 < 1.0:
        reasons.append(f"speaker F1 {speakers.f1:.2f}")
    if failed_quotes:
        reasons.append(f"{len(failed_quotes)} quote(s) not verbatim")
    if missing_strings:
        reasons.append("missing " + ", ".join(repr(s) for s in missing_strings))
    false_absence = absence.claimed and not item.abstain
    if false_absence and abstention_ok:
        reasons.append(f"claims absence ({absence.phrase!r}) but the document answers it")

    return {
        "id": item.id,
        "type": item.type,
        "document": item.document,
        "split": item.split,
        "question": item.question,
        "turns": list(item.turns),
        "expected": {
            "must_cite": list(item.must_cite),
            "may_cite": list(item.may_cite),
            "any_of": [list(g) for g in item.any_of],
            "abstain": item.abstain,
            "must_contain": list(item.must_contain),
        },
        "answer": text if len(text) <= MAX_ANSWER_CHARS else text[:MAX_ANSWER_CHARS] + "…",
        "answer_chars": len(text),
        "abstained": abstained,
        "backend": getattr(answer, "backend", None),
        "notices": list(getattr(answer, "notices", ()) or ()),
        "citations": cited,
        "error": error,
        "latency_ms": latency_ms,
        "conversation_ms": conversation_ms,
        "speakers": {
            "precision": speakers.precision,
            "recall": speakers.recall,
            "f1": speakers.f1,
            "cited": list(speakers.cited),
            "required": list(speakers.required),
            "missing": list(speakers.missing),
            "extra": list(speakers.extra),
            "n_cited": speakers.n_cited,
            "n_cited_ok": speakers.n_cited_ok,
            "n_required": speakers.n_required,
            "n_required_hit": speakers.n_required_hit,
        },
        "coverage": {
            "value": coverage.value,
            "sentences": coverage.sentences,
            "cited_sentences": coverage.cited_sentences,
            "uncited": [u if len(u) <= 300 else u[:299] + "…" for u in coverage.uncited[:MAX_UNCITED]],
        },
        "quotes": {
            "total": len(cited),
            "verbatim": sum(1 for c in cited if c["verbatim"]),
            "exact_span": sum(1 for c in cited if c["exact_span"]),
            "misattributed": sum(1 for c in cited if c["misattributed_to"]),
        },
        "abstention_ok": abstention_ok,
        "absence": {"claimed": absence.claimed, "hedged": absence.hedged, "phrase": absence.phrase, "false": false_absence},
        "support": {"eligible": support.eligible, "hits": support.hits, "gold": {k: list(v) for k, v in item.support.items()}},
        "must_contain": {
            "checked": bool(item.must_contain),
            "ok": (not missing_strings) if item.must_contain else None,
            "missing": missing_strings,
        },
        "retrieval": retrieval,
        "failed": bool(reasons),
        "reasons": reasons,
    }


# ---------------------------------------------------------------- aggregates


def summarise(records: list[dict]) -> dict:
    """Macro means and micro (pooled) ratios over the per-question records of one system."""
    sp = [r["speakers"] for r in records]
    precision_micro = metrics.micro_ratio([s["n_cited_ok"] for s in sp], [s["n_cited"] for s in sp])
    recall_micro = metrics.micro_ratio([s["n_required_hit"] for s in sp], [s["n_required"] for s in sp])
    quotes = [r["quotes"] for r in records]
    with_quotes = [q for q in quotes if q["total"]]
    must = [r["must_contain"]["ok"] for r in records if r["must_contain"]["checked"]]
    retrieval = [r["retrieval"] for r in records if r["retrieval"] is not None]
    latencies = [r["latency_ms"] for r in records if r["latency_ms"] is not None and not r["error"]]
    abstain_gold = [r for r in records if r["expected"]["abstain"]]
    answer_gold = [r for r in records if not r["expected"]["abstain"]]
    return {
        "items": len(records),
        "errors": sum(1 for r in records if r["error"]),
        "failed": sum(1 for r in records if r["failed"]),
        "speaker_precision_macro": metrics.mean(s["precision"] for s in sp),
        "speaker_recall_macro": metrics.mean(s["recall"] for s in sp),
        "speaker_f1_macro": metrics.mean(s["f1"] for s in sp),
        "speaker_precision_micro": precision_micro,
        "speaker_recall_micro": recall_micro,
        "speaker_f1_micro": metrics.f1(precision_micro, recall_micro),
        "coverage_macro": metrics.mean(r["coverage"]["value"] for r in records),
        "coverage_micro": metrics.micro_ratio(
            [r["coverage"]["cited_sentences"] for r in records], [r["coverage"]["sentences"] for r in records]
        ),
        "citations": sum(q["total"] for q in quotes),
        "verbatim_rate": metrics.micro_ratio([q["verbatim"] for q in quotes], [q["total"] for q in quotes]),
        "verbatim_macro": metrics.mean(q["verbatim"] / q["total"] for q in with_quotes),
        "exact_span_rate": metrics.micro_ratio([q["exact_span"] for q in quotes], [q["total"] for q in quotes]),
        "misattributions": sum(q["misattributed"] for q in quotes),
        "abstention_accuracy": metrics.mean(1.0 if r["abstention_ok"] else 0.0 for r in records),
        "abstentions_missed": sum(1 for r in abstain_gold if not r["abstained"]),
        "abstentions_wrong": sum(1 for r in answer_gold if r["abstained"]),
        "true_abstentions": len(abstain_gold),
        "true_abstentions_right": sum(1 for r in abstain_gold if r["abstention_ok"]),
        "answerable_items": len(answer_gold),
        "false_absences": sum(1 for r in answer_gold if r["absence"]["claimed"]),
        "false_absence_rate": metrics.micro_ratio([1 if r["absence"]["claimed"] else 0 for r in answer_gold], [1] * len(answer_gold)),
        # Hedged: "no statement clearly addresses …, the closest passages: …" with citations. Such an answer is
        # neither an abstention nor a claim of absence; both readings are kept so the in-between is visible.
        "hedged_answers": sum(1 for r in answer_gold if r["absence"]["hedged"]),
        "hedged_abstentions": sum(1 for r in abstain_gold if r["absence"]["hedged"]),
        "false_absences_counting_hedged": sum(1 for r in answer_gold if r["absence"]["claimed"] or r["absence"]["hedged"]),
        "true_abstentions_right_counting_hedged": sum(1 for r in abstain_gold if r["abstention_ok"] or r["absence"]["hedged"]),
        "support_eligible": sum(r["support"]["eligible"] for r in records),
        "support_rate": metrics.micro_ratio([r["support"]["hits"] for r in records], [r["support"]["eligible"] for r in records]),
        "must_contain_accuracy": metrics.mean(1.0 if ok else 0.0 for ok in must),
        "must_contain_items": len(must),
        **{f"recall@{k}": metrics.mean(r[f"recall@{k}"] for r in retrieval) for k in KS},
        "mrr": metrics.mean(r["rr"] for r in retrieval),
        "retrieval_items": len(retrieval),
        "latency_p50_ms": metrics.percentile(latencies, 50),
        "latency_p95_ms": metrics.percentile(latencies, 95),
        "latency_mean_ms": metrics.mean(latencies),
    }


# ---------------------------------------------------------------- running


def _error_text(exc: BaseException) -> str:
    from assistant.errors import UserError

    if isinstance(exc, UserError):
        return str(exc)
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" if frame else ""
    return f"{type(exc).__name__}: {exc}{where}"


def run_item(system: System, item: GoldItem, context: EvalContext) -> dict:
    """One conversation: earlier turns become history (with the system's own answers), the last is scored."""
    history: list[dict] = []
    answer = None
    ranking = None
    latency = None
    started = time.perf_counter()
    error = None
    try:
        for question in item.earlier_turns:
            earlier = system.ask(question, list(history))
            history += [{"role": "user", "content": question}, {"role": "assistant", "content": earlier.answer}]
        t0 = time.perf_counter()
        answer = system.ask(item.question, list(history))
        latency = (time.perf_counter() - t0) * 1000
        ranking = system.ranking(item.question)
    except Exception as exc:  # noqa: BLE001 - one broken item must not end the run; it is reported as failed
        error = _error_text(exc)
    conversation = (time.perf_counter() - started) * 1000
    return score_item(item, answer, ranking, context, latency, conversation, error)


def run_system(system: System, items: Sequence[GoldItem], context: EvalContext, progress: Progress | None = None) -> list[dict]:
    records = []
    for i, item in enumerate(items, start=1):
        record = run_item(system, item, context)
        records.append(record)
        if progress:
            progress(system.name, i, len(items), item.id, not record["failed"])
    return records


@dataclass
class DocumentRun:
    """One document of the gold set: its repo-relative path, what the scorer knows of it, the systems scoped to it."""

    document: str
    context: EvalContext
    systems: Sequence[System]


def by_document(records: list[dict]) -> dict[str, dict[str, dict]]:
    """{document: {"dev": summary, "test": summary, "all": summary}}; a split without items is left out."""
    grouped: dict[str, dict[str, dict]] = {}
    for document in dict.fromkeys(r["document"] for r in records):
        mine = [r for r in records if r["document"] == document]
        grouped[document] = {
            split: summarise(chosen)
            for split, chosen in (("dev", [r for r in mine if r["split"] == "dev"]),
                                  ("test", [r for r in mine if r["split"] == "test"]), ("all", mine))
            if chosen
        }
    return grouped


# The figures of one question type in one split of one document (a subset of `summarise`).
SHAPE_KEYS: tuple[str, ...] = (
    "items", "speaker_f1_macro", "failed", "answerable_items", "false_absences", "true_abstentions",
    "true_abstentions_right", "hedged_answers", "hedged_abstentions",
)


def by_shape(records: list[dict]) -> dict[str, dict[str, dict[str, dict]]]:
    """{document: {question type: {"dev": figures, "test": figures}}}, types in `GOLD_TYPES` order.

    A split without items of that type is left out; the figures are those of `summarise`, so
    a shape table adds up to the per-document table.
    """
    grouped: dict[str, dict[str, dict[str, dict]]] = {}
    for document in dict.fromkeys(r["document"] for r in records):
        mine = [r for r in records if r["document"] == document]
        present = set(r["type"] for r in mine)
        types = [t for t in GOLD_TYPES if t in present] + sorted(present - set(GOLD_TYPES))
        grouped[document] = {}
        for shape in types:
            splits = {}
            for split in ("dev", "test"):
                chosen = [r for r in mine if r["type"] == shape and r["split"] == split]
                if chosen:
                    summary = summarise(chosen)
                    splits[split] = {key: summary[key] for key in SHAPE_KEYS}
            grouped[document][shape] = splits
    return grouped


def run_documents(
    runs: Sequence[DocumentRun],
    items: Sequence[GoldItem],
    progress: Progress | None = None,
    gold_path: str = "",
    notes: Sequence[str] = (),
    split: str = "all",
    segmentation: dict | None = None,
) -> dict:
    """Run every system over the items of every document; the whole result as a JSON-ready dict."""
    started = time.perf_counter()
    out_systems: dict[str, dict] = {}
    documents = []
    for run in runs:
        mine = [item for item in items if item.document == run.document]
        documents.append({
            "document": run.document,
            "document_id": run.context.document_id,
            "title": run.context.title,
            "statements": len(run.context.statements),
            "items": len(mine),
        })
        for system in run.systems:
            t0 = time.perf_counter()
            entry = out_systems.setdefault(system.name, {"kind": system.kind, "description": system.description, "questions": [], "seconds": 0.0})
            entry["questions"] += run_system(system, mine, run.context, progress)
            entry["seconds"] += time.perf_counter() - t0
    for entry in out_systems.values():
        entry["summary"] = {**summarise(entry["questions"]), "seconds": entry.pop("seconds")}
        entry["by_document"] = by_document(entry["questions"])
        entry["by_shape"] = by_shape(entry["questions"])
    first = runs[0].context if runs else None
    return {
        "meta": {
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "gold": gold_path,
            "split": split,
            "items": sum(d["items"] for d in documents),
            "documents": documents,
            "document_id": first.document_id if first and len(runs) == 1 else None,
            "document_title": first.title if first and len(runs) == 1 else f"{len(runs)} documents",
            "statements": sum(d["statements"] for d in documents),
            "ks": list(KS),
            "seconds": time.perf_counter() - started,
            "notes": list(notes),
        },
        "systems": {name: {k: entry[k] for k in ("kind", "description", "summary", "by_document", "by_shape", "questions")}
                    for name, entry in out_systems.items()},
        "segmentation": segmentation or {},
    }


def run_eval(
    systems: Sequence[System],
    items: Sequence[GoldItem],
    context: EvalContext,
    progress: Progress | None = None,
    gold_path: str = "",
    notes: Sequence[str] = (),
) -> dict:
    """Every system over every item, all about the one document of `context`."""
    documents = list(dict.fromkeys(item.document for item in items))
    runs = [DocumentRun(document, context, systems) for document in documents]
    return run_documents(runs, items, progress, gold_path, notes)


class StderrProgress:
    """Progress on stderr: one redrawn line on a terminal, a line every `every` items otherwise."""

    def __init__(self, stream=None, every: int = 25):
        self.stream = stream or sys.stderr
        self.every = every
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.failed: dict[str, int] = {}
        self.started: dict[str, float] = {}

    def __call__(self, system: str, done: int, total: int, item_id: str, ok: bool) -> None:
        if done == 1:
            self.failed[system] = 0
            self.started[system] = time.perf_counter()
        self.failed[system] += 0 if ok else 1
        elapsed = time.perf_counter() - self.started[system]
        line = f"[{system}] {done}/{total} {item_id} · {self.failed[system]} failed · {elapsed:.0f}s"
        if self.tty:
            self.stream.write("\r\033[K" + line + ("\n" if done == total else ""))
        elif done == total or done % self.every == 0 or done == 1:
            self.stream.write(line + "\n")
        self.stream.flush()

    def message(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()
