"""Writing the results: results.json, report.md, chart.png, the terminal table and thresholds."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

# (key in the summary, short column name, long name, kind) — kind: ratio, count or ms
COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("speaker_f1_macro", "F1", "Speaker F1 (macro)", "ratio"),
    ("speaker_precision_macro", "P", "Speaker precision (macro)", "ratio"),
    ("speaker_recall_macro", "R", "Speaker recall (macro)", "ratio"),
    ("speaker_f1_micro", "F1µ", "Speaker F1 (micro)", "ratio"),
    ("coverage_macro", "Cover", "Citation coverage (macro)", "ratio"),
    ("verbatim_rate", "Verb", "Verbatim quote rate", "ratio"),
    ("misattributions", "Misat", "Misattributed quotes", "count"),
    ("abstention_accuracy", "Abst", "Abstention accuracy", "ratio"),
    ("must_contain_accuracy", "Cont", "Must-contain accuracy", "ratio"),
    ("false_absence_rate", "FAbs", "False-absence rate", "ratio"),
    ("support_rate", "Supp", "Support rate", "ratio"),
    ("recall@5", "R@5", "Retrieval recall@5", "ratio"),
    ("recall@10", "R@10", "Retrieval recall@10", "ratio"),
    ("mrr", "MRR", "Retrieval MRR", "ratio"),
    ("latency_p50_ms", "p50ms", "Latency p50 (ms)", "ms"),
    ("latency_p95_ms", "p95ms", "Latency p95 (ms)", "ms"),
    ("failed", "Fail", "Failed questions", "count"),
)
EXTRA_ROWS: tuple[tuple[str, str, str], ...] = (
    ("speaker_precision_micro", "Speaker precision (micro)", "ratio"),
    ("speaker_recall_micro", "Speaker recall (micro)", "ratio"),
    ("coverage_micro", "Citation coverage (micro)", "ratio"),
    ("verbatim_macro", "Verbatim quote rate (macro)", "ratio"),
    ("exact_span_rate", "Exact char spans", "ratio"),
    ("citations", "Citations", "count"),
    ("abstentions_missed", "Abstentions missed", "count"),
    ("abstentions_wrong", "Wrong abstentions", "count"),
    ("true_abstentions_right", "True abstentions right", "count"),
    ("true_abstentions", "True abstentions", "count"),
    ("false_absences", "False absences (answerable items claimed absent)", "count"),
    ("answerable_items", "Answerable items", "count"),
    ("hedged_answers", "Hedged answers (\"nothing clearly addresses …\")", "count"),
    ("false_absences_counting_hedged", "False absences, counting hedged answers as claims of absence", "count"),
    ("hedged_abstentions", "Hedged answers to abstention items", "count"),
    ("true_abstentions_right_counting_hedged", "True abstentions right, counting hedged answers as abstentions", "count"),
    ("support_eligible", "Citations with gold support", "count"),
    ("errors", "Errors", "count"),
)
CHART_METRICS: tuple[tuple[str, str], ...] = (
    ("speaker_f1_macro", "speaker F1"),
    ("speaker_precision_macro", "precision"),
    ("speaker_recall_macro", "recall"),
    ("coverage_macro", "coverage"),
    ("verbatim_rate", "verbatim"),
    ("abstention_accuracy", "abstention"),
    ("must_contain_accuracy", "must-contain"),
    ("recall@5", "recall@5"),
    ("mrr", "MRR"),
)


def fmt(value, kind: str = "ratio") -> str:
    if value is None:
        return "n/a"
    if kind == "ms":
        return f"{value:,.0f}"
    if kind == "count":
        return f"{int(value)}"
    return f"{value:.3f}"


# ---------------------------------------------------------------- thresholds


@dataclass(frozen=True)
class Thresholds:
    min_f1: float | None = None
    min_verbatim: float | None = None
    min_abstention: float | None = None

    def checks(self) -> list[tuple[str, str, float, str]]:
        """(summary key, label, minimum, option) for the thresholds that are set."""
        found = []
        if self.min_f1 is not None:
            found.append(("speaker_f1_macro", "speaker F1 (macro)", self.min_f1, "--min-f1"))
        if self.min_verbatim is not None:
            found.append(("verbatim_rate", "verbatim quote rate", self.min_verbatim, "--min-verbatim"))
        if self.min_abstention is not None:
            found.append(("abstention_accuracy", "abstention accuracy", self.min_abstention, "--min-abstention"))
        return found


def check_thresholds(results: dict, thresholds: Thresholds) -> list[str]:
    """One message per missed threshold, for every system of kind "ours"."""
    missed = []
    for name, system in results["systems"].items():
        if system["kind"] != "ours":
            continue
        for key, label, minimum, option in thresholds.checks():
            value = system["summary"].get(key)
            if value is None:
                if key == "verbatim_rate":
                    continue  # no citations at all: nothing unverifiable (F1 reports the emptiness)
                missed.append(f"{name}: {label} is n/a, below {minimum:.3f} ({option})")
            elif value < minimum:
                missed.append(f"{name}: {label} {value:.3f} is below {minimum:.3f} ({option})")
    return missed


# ---------------------------------------------------------------- per document, dev and test

# (key in the summary, column, kind) of the per-document table
DOCUMENT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("items", "items", "count"),
    ("speaker_f1_macro", "F1", "ratio"),
    ("speaker_precision_macro", "P", "ratio"),
    ("speaker_recall_macro", "R", "ratio"),
    ("verbatim_rate", "verbatim", "ratio"),
    ("misattributions", "misattr", "count"),
    ("abstention_accuracy", "abst", "ratio"),
    ("false_absence_rate", "false abs", "ratio"),
    ("support_rate", "support", "ratio"),
    ("failed", "failed", "count"),
    ("hedged_answers", "hedged ans", "count"),
    ("hedged_abstentions", "hedged abst", "count"),
)


def _abstentions_cell(summary: dict) -> str:
    return f"{summary.get('true_abstentions_right', 0)}/{summary.get('true_abstentions', 0)}"


def document_rows(system: dict) -> list[list[str]]:
    """One row per document and split (dev, test): the cells of the per-document table."""
    rows = []
    for document, splits in system.get("by_document", {}).items():
        for split in ("dev", "test"):
            if split in splits:
                summary = splits[split]
                rows.append([document, split, *(fmt(summary.get(k), kind) for k, _, kind in DOCUMENT_COLUMNS),
                             _abstentions_cell(summary)])
    return rows


DOCUMENT_HEADER = ["document", "split", *(label for _, label, _ in DOCUMENT_COLUMNS), "true abst right"]


# ---------------------------------------------------------------- per document and question type, dev and test

SHAPE_SPLIT_COLUMNS = ("items", "F1", "failed", "false abs", "true abst", "hedged")
SHAPE_HEADER = ["type", *(f"{split} {column}" for split in ("dev", "test") for column in SHAPE_SPLIT_COLUMNS)]


def _fraction(part, whole) -> str:
    return f"{part}/{whole}" if whole else "—"


def _shape_cells(figures: dict | None) -> list[str]:
    if not figures:
        return ["—"] * len(SHAPE_SPLIT_COLUMNS)
    return [
        fmt(figures["items"], "count"),
        fmt(figures["speaker_f1_macro"]),
        fmt(figures["failed"], "count"),
        _fraction(figures["false_absences"], figures["answerable_items"]),
        _fraction(figures["true_abstentions_right"], figures["true_abstentions"]),
        fmt(figures["hedged_answers"] + figures["hedged_abstentions"], "count"),
    ]


def shape_rows(system: dict) -> dict[str, list[list[str]]]:
    """{document: rows}: one row per question type, its dev and test figures side by side."""
    return {
        document: [[shape, *_shape_cells(splits.get("dev")), *_shape_cells(splits.get("test"))] for shape, splits in shapes.items()]
        for document, shapes in system.get("by_shape", {}).items()
    }


SHAPE_LEGEND = (
    "Per question type: items, speaker F1 (macro), failed questions, false absences / answerable items, "
    "true abstentions right / abstention items, hedged answers (\"no statement clearly addresses …\", "
    "on answerable and abstention items alike); — where the split has none."
)


# The figures of the segmentation table, when `score_document` returns them; otherwise every number it returns.
SEGMENTATION_KEYS = ("gold", "right", "statements", "spurious", "wrong_type", "wrong_group", "attributed")


def segmentation_rows(segmentation: dict) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the segmentation table, from what `eval.segmentation.score_document` returned."""
    keys: list[str] = []
    for scores in segmentation.values():
        numbers = [k for k, v in scores.items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
        preferred = [k for k in SEGMENTATION_KEYS if k in numbers]
        keys += [k for k in (preferred or numbers) if k not in keys]
    rows = [[document, *(str(scores.get(k, "")) if not isinstance(scores.get(k), float) else f"{scores[k]:.3f}" for k in keys)]
            for document, scores in segmentation.items()]
    return ["document", *keys], rows


def _text_table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for i, row in enumerate(rows):
        lines.append("  ".join([row[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(row[1:], widths[1:]))]))
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


# ---------------------------------------------------------------- terminal table


def summary_table(results: dict) -> str:
    """The side-by-side table for the terminal: one row per system."""
    header = ["system", *(short for _, short, _, _ in COLUMNS)]
    rows = [header]
    for name, system in results["systems"].items():
        s = system["summary"]
        rows.append([name, *(fmt(s.get(key), kind) for key, _, _, kind in COLUMNS)])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for i, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells))
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    legend = (
        "F1/P/R: speaker-level citation F1/precision/recall (macro), F1µ: micro; Cover: answer sentences with a "
        "valid [n]; Verb: quotes found verbatim in the cited statement; Misat: quotes found only in another "
        "speaker's statement; Abst: abstention accuracy; Cont: must-contain accuracy; FAbs: answerable questions "
        "whose answer claims nobody said it; Supp: citations whose quote holds a gold support string of its speaker; "
        "R@k/MRR: statement retrieval; p50/p95: latency of the scored turn; Fail: questions with any failure."
    )
    out = "\n".join(lines) + "\n\n" + legend
    shapes_shown = False
    for name, system in results["systems"].items():
        rows = document_rows(system)
        if system["kind"] == "ours" and rows:
            out += f"\n\n{name} per document, dev and test:\n" + "\n".join(_text_table([DOCUMENT_HEADER, *rows]))
        if system["kind"] == "ours":
            for document, shape_table in shape_rows(system).items():
                out += f"\n\n{name}, {document}, by question type:\n" + "\n".join(_text_table([SHAPE_HEADER, *shape_table]))
                shapes_shown = True
    if shapes_shown:
        out += "\n\n" + SHAPE_LEGEND
    if results.get("segmentation"):
        header, rows = segmentation_rows(results["segmentation"])
        out += "\n\nsegmentation per document:\n" + "\n".join(_text_table([header, *rows]))
    return out


# ---------------------------------------------------------------- chart


def write_chart(results: dict, path: Path) -> Path:
    """Grouped bars of the quality metrics per system, and latency beside them."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    names = list(results["systems"])
    summaries = [results["systems"][n]["summary"] for n in names]
    labels = [label for _, label in CHART_METRICS]
    fig, (bars, speed) = plt.subplots(1, 2, figsize=(14, 5.2), gridspec_kw={"width_ratios": [3.2, 1]})
    x = np.arange(len(labels))
    width = 0.8 / max(1, len(names))
    colours = plt.get_cmap("tab10")
    for i, (name, summary) in enumerate(zip(names, summaries)):
        values = [summary.get(key) for key, _ in CHART_METRICS]
        heights = [v if v is not None else 0.0 for v in values]
        positions = x - 0.4 + width * (i + 0.5)
        drawn = bars.bar(positions, heights, width, label=name, color=colours(i % 10))
        for rect, value in zip(drawn, values):
            if value is None:
                bars.text(rect.get_x() + rect.get_width() / 2, 0.01, "n/a", ha="center", va="bottom", fontsize=6, rotation=90)
    bars.set_xticks(x, labels, rotation=25, ha="right")
    bars.set_ylim(0, 1.05)
    bars.set_ylabel("score (higher is better)")
    bars.set_title("Quality by system")
    bars.grid(axis="y", alpha=0.3)
    bars.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=min(4, len(names)))

    y = np.arange(len(names))
    p50 = [s.get("latency_p50_ms") or 0.0 for s in summaries]
    p95 = [s.get("latency_p95_ms") or 0.0 for s in summaries]
    speed.barh(y - 0.2, p50, 0.4, label="p50", color="#4c72b0")
    speed.barh(y + 0.2, p95, 0.4, label="p95", color="#dd8452")
    for row, (a, b) in enumerate(zip(p50, p95)):
        speed.text(a, row - 0.2, f" {a:,.0f}", va="center", fontsize=7)
        speed.text(b, row + 0.2, f" {b:,.0f}", va="center", fontsize=7)
    speed.set_yticks(y, names, fontsize=8)
    speed.invert_yaxis()
    positive = [v for v in p50 + p95 if v > 0]
    log = bool(positive) and max(positive) / min(positive) > 30
    if log:
        speed.set_xscale("log")
    speed.set_xlim(right=max(positive, default=1) * (3 if log else 1.3))
    speed.set_xlabel("ms per answer" + (" (log scale)" if log else ""))
    speed.set_title("Latency")
    speed.legend(fontsize=8)
    speed.grid(axis="x", alpha=0.3)
    fig.suptitle(f"hrc-assistant evaluation — {results['meta']['items']} gold questions", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ---------------------------------------------------------------- report.md

METRICS_MD = """\
All metrics concern the answer to the **last** turn of each gold conversation; earlier turns are
sent as history, with the system's own earlier answers as the assistant messages. Each metric is
computed per question, then averaged over questions (**macro**) and, where it is a ratio of
counts, also pooled over all questions (**micro**).

| metric | what it measures |
|---|---|
| **Speaker precision** | Of the distinct speakers the answer cites, the share that are acceptable: `must_cite`, `may_cite` or any member of an `any_of` group. A citation to a statement id that is not in the index, or whose speaker label is not the statement's speaker, counts as a wrong speaker. Citing one speaker several times counts once. |
| **Speaker recall** | Of the required speakers, the share cited. Required = every `must_cite` speaker plus one per `any_of` group (a group is met by citing any member; an unmet group is one missed speaker). `may_cite` is never required. |
| **Speaker F1** | Harmonic mean of the two. When nothing is required and nothing is cited (a correct abstention) all three are 1; when something is required and nothing is cited all three are 0. Names are compared after resolving aliases through the gazetteer ("Russia" = "Russian Federation", "UK" = "United Kingdom") and normalising case, quote marks and spaces. |
| **Citation coverage** | Share of the answer's sentences (split with `assistant.text.sentence_spans`, line by line) that carry at least one valid `[n]` marker, i.e. one that refers to a returned citation. Headings and list intros ending with `:` are left out; abstentions are not counted. |
| **Verbatim quote rate** | Share of citations whose `quote` is a substring of the cited statement's text after normalising whitespace, quote marks and case (`assistant.text.normalise_for_match`). Pooled over all citations. `Exact char spans` additionally checks `statement.text[char_start:char_end] == quote` byte for byte. |
| **Misattributions** | Quotes that are not in the cited statement but are in another speaker's statement: the words are real, the speaker is wrong. The worst error for a journalist. |
| **Abstention accuracy** | Share of questions where `answer.abstained` equals the gold `abstain`. |
| **False-absence rate** | Of the questions the document answers (gold `abstain` false), the share whose answer tells the reader that nothing was said: it abstained, or its first sentence (its whole text when it cites nothing) says "no statement", "nobody", "did not take the floor"… (`eval/data/absence_phrases.json`) without hedging. A hedged answer ("no statement clearly addresses …", closest passages shown) is counted apart as *hedged*, on answerable items (`hedged ans`) and on abstention items (`hedged abst`); the results table also gives the other reading of each: false absences counting hedged answers as claims of absence (stricter), and true abstentions counting them as abstentions (more lenient). A journalist who trusts a false "nobody said that" publishes an error. |
| **Support rate** | Of the citations whose speaker carries gold `support` strings, the share whose quote contains one of them (case, spaces and quote marks normalised): the quote makes the point rather than being the speaker's filler. Pooled. |
| **Must-contain accuracy** | Share of the questions that have `must_contain` strings whose answer text contains every one of them (case-insensitive, quote marks normalised). |
| **Retrieval recall@k, MRR** | Over the system's ranked statement ids for the last question (ours: `Corpus.rank_statements`; baselines: their own ranking). The relevant statements are those of the required speakers in the scoped document, grouped into units: one per `must_cite` speaker (any of that speaker's statements) and one per `any_of` group (any member's statement). recall@k = share of units with a statement in the top k; MRR = mean of 1/rank of the first relevant statement. Abstention items have no relevant statements and are left out; remote systems give no ranking (n/a). |
| **Latency p50 / p95** | Wall time of the scored (last) turn, models already loaded. |

A question **fails** when any of these holds: an error, the wrong abstention decision, speaker F1
below 1, a quote that is not verbatim, a missing `must_contain` string, a false claim of absence. Coverage is reported but
does not fail a question.

**How this relates to ALCE.** ALCE (Gao et al., 2023, *Enabling Large Language Models to Generate
Text with Citations*) scores citations with an NLI model (TRUE, a T5-11B entailment model): *citation
recall* is the share of generated statements that are fully supported (entailed) by the
concatenation of the passages they cite; *citation precision* is the share of citations that are
not irrelevant, a citation being irrelevant when it supports nothing on its own and the statement
stays supported without it. It needs no gold annotation of who should be cited, but it judges
support with a model, so it can be fooled by fluent paraphrase and costs a large model per
statement. Ours is built for "who said it": **speaker precision/recall** compare the cited speakers
with hand-written gold speakers (recall here asks "did the answer find everyone who should be
cited?", which ALCE cannot ask since it has no gold; precision asks "is every cited speaker one who
really said it?", the analogue of ALCE's precision at the level of speakers rather than passages).
Support itself is checked mechanically: **verbatim** requires each quote to be an exact substring
of the cited statement, a stricter and deterministic form of ALCE's entailment check applied to the
quoted evidence, and **misattribution** catches real words given to the wrong speaker. **Coverage**
plays the part of ALCE's requirement that every statement carries a citation. What we do not check
is whether a paraphrased sentence of the answer is entailed by its quote; the offline backend
answers with quotes, and the LLM backends' own sentence-support check is scored only through these
metrics.
"""


def _names(values) -> str:
    return ", ".join(values) if values else "—"


def _short(text: str, limit: int = 400) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def _failure_md(record: dict) -> list[str]:
    expected = record["expected"]
    sp = record["speakers"]
    lines = [f"#### {record['id']} ({record['type']}): {'; '.join(record['reasons'])}", ""]
    for turn in record["turns"][:-1]:
        lines.append(f"- Earlier turn: {_short(turn, 300)}")
    lines.append(f"- Question: {_short(record['question'], 300)}")
    if expected["abstain"]:
        lines.append("- Expected: abstain" + (f" (may cite {_names(expected['may_cite'])})" if expected["may_cite"] else ""))
    else:
        wanted = list(expected["must_cite"]) + [" | ".join(g) + " (any)" for g in expected["any_of"]]
        lines.append(f"- Expected speakers: {_names(wanted)}" + (f"; may cite {_names(expected['may_cite'])}" if expected["may_cite"] else ""))
    lines.append(f"- Cited speakers: {_names(sp['cited'])}" + (" (abstained)" if record["abstained"] else ""))
    if sp["missing"]:
        lines.append(f"- Missing: {_names(sp['missing'])}")
    if sp["extra"]:
        lines.append(f"- Extra: {_names(sp['extra'])}")
    if record["must_contain"]["missing"]:
        lines.append(f"- Missing strings: {_names(repr(s) for s in record['must_contain']['missing'])}")
    # Failed quotes, one line per distinct quote (the naive baseline cites one chunk for several speakers).
    grouped: dict[str, list[dict]] = {}
    for quote in record["citations"]:
        if not quote["verbatim"]:
            grouped.setdefault(quote["quote"], []).append(quote)
    for text, quotes in grouped.items():
        numbers = "".join(f"[{q['n']}]" for q in quotes)
        who = ", ".join(dict.fromkeys(f"{q['speaker']} ({q['statement_id']})" for q in quotes))
        problems = []
        if any(not q["statement_exists"] for q in quotes):
            problems.append("no such statement")
        if any(q["statement_exists"] for q in quotes):
            problems.append("not in the cited statement")
        for q in quotes:
            if q["misattributed_to"]:
                problems.append(f"misattribution: it is in {q['misattributed_to']}'s statement")
                break
        lines.append(f"- Failed quote {numbers} {who}, {'; '.join(problems)}: \"{_short(text, 300)}\"")
    if record["error"]:
        lines.append(f"- Error: `{_short(record['error'], 300)}`")
    lines.append(f"- Answer: {_short(record['answer'], 500) or '(empty)'}")
    lines.append("")
    return lines


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 1),
            *("| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows)]


def report_markdown(results: dict, chart_name: str | None = "chart.png", threshold_messages: list[str] | None = None) -> str:
    meta = results["meta"]
    names = list(results["systems"])
    documents = meta.get("documents") or [
        {"document": meta.get("document_title"), "document_id": meta.get("document_id"), "title": meta.get("document_title"),
         "statements": meta.get("statements"), "items": meta.get("items")}
    ]
    out = ["# hrc-assistant evaluation", ""]
    for d in documents:
        out.append(f"- Document: {d['title'] or d['document_id']} (`{d['document']}`, `{d['document_id']}`, "
                   f"{d['statements']} statements, {d['items']} items)")
    out += [
        f"- Gold: `{meta['gold']}`, {meta['items']} items, split {meta.get('split', 'all')}",
        f"- Run: {meta['created']}, {meta['seconds']:.0f} s",
        "",
    ]
    for note in meta.get("notes", []):
        out.append(f"> Note: {note}")
    if meta.get("notes"):
        out.append("")
    out += ["## Results", "", "| metric | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for key, _, label, kind in COLUMNS:
        out.append(f"| {label} | " + " | ".join(fmt(results["systems"][n]["summary"].get(key), kind) for n in names) + " |")
    for key, label, kind in EXTRA_ROWS:
        out.append(f"| {label} | " + " | ".join(fmt(results["systems"][n]["summary"].get(key), kind) for n in names) + " |")
    out += ["", "Systems:", ""]
    for name in names:
        out.append(f"- **{name}** ({results['systems'][name]['kind']}): {results['systems'][name]['description']}")
    out.append("")
    if chart_name:
        out += [f"![Quality and latency by system]({chart_name})", ""]
    else:
        out += [f"(No chart: {CHART_EXTRA_HINT})", ""]
    out += ["## Per document: dev and test", "",
            "Dev items may be used while tuning the engine; test items are frozen and only reported. "
            "`true abst right`: questions whose right answer is \"nobody said that\" and that got it.", ""]
    for name in names:
        rows = document_rows(results["systems"][name])
        if rows:
            out += [f"### {name}", "", *_md_table(DOCUMENT_HEADER, rows), ""]
    shape_tables = [(name, document, table) for name in names for document, table in shape_rows(results["systems"][name]).items()
                    if results["systems"][name]["kind"] == "ours"]
    if shape_tables:
        out += ["## Per document and question type: dev and test", "", SHAPE_LEGEND, ""]
        for name, document, table in shape_tables:
            out += [f"### {name}: {document}", "", *_md_table(SHAPE_HEADER, table), ""]
    if results.get("segmentation"):
        header, rows = segmentation_rows(results["segmentation"])
        out += ["## Segmentation per document", "", "From `eval/segmentation.py` against each document's gold statements.", "",
                *_md_table(header, rows), ""]
    if threshold_messages is not None:
        out += ["## Thresholds", ""]
        out += [f"- MISSED: {m}" for m in threshold_messages] if threshold_messages else ["- All thresholds met."]
        out.append("")
    out += ["## Metrics", "", METRICS_MD, "## Failed questions", ""]
    for position, name in enumerate(names):
        system = results["systems"][name]
        failed = [r for r in system["questions"] if r["failed"]]
        heading = f"### {name}: {len(failed)} of {len(system['questions'])} failed"
        body = [line for record in failed for line in _failure_md(record)] or ["None.", ""]
        if system["kind"] == "ours" or position == 0:
            out += [heading, "", *body]
        else:
            out += [heading, "", "<details><summary>Show the failures</summary>", "", *body, "</details>", ""]
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------- writing


CHART_EXTRA_HINT = "matplotlib is not installed; for the chart install the eval extra: pip install -e .[eval]"


def chart_available() -> bool:
    try:
        import matplotlib  # noqa: F401 - the optional `eval` extra
    except ImportError:
        return False
    return True


def write_outputs(results: dict, out_dir: Path, threshold_messages: list[str] | None = None) -> dict[str, Path | None]:
    """results.json, report.md and, when matplotlib is installed, chart.png (paths["chart"] is None otherwise)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path | None] = {"results": out_dir / "results.json", "report": out_dir / "report.md", "chart": out_dir / "chart.png"}
    paths["results"].write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    if chart_available():
        write_chart(results, paths["chart"])
    else:
        paths["chart"] = None
    chart_name = paths["chart"].name if paths["chart"] else None
    paths["report"].write_text(report_markdown(results, chart_name, threshold_messages), encoding="utf-8")
    return paths
