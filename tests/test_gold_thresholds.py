"""The full gold set on the offline engine: the quality bar the assistant must meet.

speaker F1 (macro) >= 0.9, verbatim quotes 100 %, abstention accuracy 100 %.
Every failed item is printed (id, question, expected vs cited speakers, failed quotes) so
the failure output is the to-do list for tuning the engine.
"""

from __future__ import annotations

import pytest

MIN_F1 = 0.9
MIN_VERBATIM = 1.0
MIN_ABSTENTION = 1.0


@pytest.fixture(scope="module")
def gold_results(assistant_offline):
    from eval.gold import load_gold
    from eval.harness import EvalContext, run_eval
    from eval.systems import OursLocal

    document_id = assistant_offline.default_document()
    context = EvalContext.from_data(assistant_offline.corpus(document_id).data)
    system = OursLocal(assistant_offline, "offline", document_id)
    system.prepare()
    results = run_eval([system], load_gold(), context)
    return results["systems"]["ours:offline"]


def _describe(records, predicate) -> str:
    lines = []
    for r in records:
        if not predicate(r):
            continue
        expected = "abstain" if r["expected"]["abstain"] else ", ".join(
            [*r["expected"]["must_cite"], *(" | ".join(g) for g in r["expected"]["any_of"])]
        )
        lines.append(f"{r['id']} [{r['type']}] {' / '.join(r['turns'])}")
        lines.append(f"    expected: {expected or '-'}; cited: {', '.join(r['speakers']['cited']) or '-'}"
                     f"{' (abstained)' if r['abstained'] else ''}; F1 {r['speakers']['f1']:.2f}")
        if r["speakers"]["missing"]:
            lines.append(f"    missing: {', '.join(r['speakers']['missing'])}")
        if r["speakers"]["extra"]:
            lines.append(f"    extra: {', '.join(r['speakers']['extra'])}")
        for c in r["citations"]:
            if not c["verbatim"]:
                lines.append(f"    quote [{c['n']}] {c['speaker']} not verbatim: {c['quote'][:160]!r}")
        if r["error"]:
            lines.append(f"    error: {r['error']}")
    return "\n".join(lines)


def test_no_errors(gold_results):
    records = gold_results["questions"]
    report = _describe(records, lambda r: bool(r["error"]))
    print(report)
    assert gold_results["summary"]["errors"] == 0, report


def test_speaker_f1(gold_results):
    f1 = gold_results["summary"]["speaker_f1_macro"]
    report = _describe(gold_results["questions"], lambda r: r["speakers"]["f1"] < 1.0)
    print(f"speaker F1 (macro) {f1:.3f}\n{report}")
    assert f1 >= MIN_F1, f"speaker F1 (macro) {f1:.3f} < {MIN_F1}\n{report}"


def test_verbatim_quotes(gold_results):
    rate = gold_results["summary"]["verbatim_rate"]
    report = _describe(gold_results["questions"], lambda r: any(not c["verbatim"] for c in r["citations"]))
    print(f"verbatim rate {rate}\n{report}")
    assert rate is not None and rate >= MIN_VERBATIM, f"verbatim quote rate {rate} < {MIN_VERBATIM}\n{report}"
    assert gold_results["summary"]["misattributions"] == 0, report


def test_abstention(gold_results):
    accuracy = gold_results["summary"]["abstention_accuracy"]
    report = _describe(gold_results["questions"], lambda r: not r["abstention_ok"])
    print(f"abstention accuracy {accuracy:.3f}\n{report}")
    assert accuracy >= MIN_ABSTENTION, f"abstention accuracy {accuracy:.3f} < {MIN_ABSTENTION}\n{report}"
