"""The evaluation harness end to end: `hrc-assistant eval` in a subprocess on a small gold file,
plus in-process checks of scoring real statements and of the remote (REST) system."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "assistant"]  # the `hrc-assistant` command

SMALL_GOLD = [
    {"id": "t1", "type": "speaker_topic", "turns": ["What did France say about political prisoners?"], "must_cite": ["France"],
     "may_cite": [], "any_of": [], "abstain": False, "must_contain": [], "note": "France"},
    {"id": "t2", "type": "speaker_topic", "turns": ["What did Russia say about the election?"], "must_cite": ["Russian Federation"],
     "may_cite": [], "any_of": [], "abstain": False, "must_contain": [], "note": "alias in the question"},
    {"id": "t3", "type": "abstain_speaker", "turns": ["What did India say about the death penalty?"], "must_cite": [],
     "may_cite": [], "any_of": [], "abstain": True, "must_contain": [], "note": "India did not speak"},
    {"id": "t4", "type": "overview", "turns": ["What did the experts say about lawyers?"], "must_cite": [], "may_cite": [],
     "any_of": [["Suzan Bazilli", "Karinna Moskalenko", "Monika Stanisława Płatek"]], "abstain": False, "must_contain": [],
     "note": "any expert"},
    {"id": "t5", "type": "followup", "turns": ["What did China say about sanctions?", "And Cuba?"], "must_cite": ["Cuba"],
     "may_cite": [], "any_of": [], "abstain": False, "must_contain": [], "note": "follow-up"},
]


def _write_gold(path: Path, items=SMALL_GOLD) -> Path:
    path.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n", encoding="utf-8")
    return path


def _run(args, env, timeout=900):
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)


@pytest.fixture(scope="module")
def small_run(tmp_path_factory, indexed_home):
    import os

    env = dict(os.environ, HRC_HOME=str(indexed_home))
    work = tmp_path_factory.mktemp("eval-small")
    gold = _write_gold(work / "gold.jsonl")
    out = work / "out"
    proc = _run(["eval", "--gold", str(gold), "--out", str(out), "--systems", "ours,naive,bm25,dense"], env)
    return proc, out, gold, env


def test_cli_run_writes_results_report_and_chart(small_run):
    proc, out, _, _ = small_run
    assert proc.returncode == 0, proc.stderr
    # Summary table on stdout, progress on stderr.
    first = proc.stdout.splitlines()[0].split()
    assert first[:3] == ["system", "F1", "P"]
    for name in ("ours:offline", "naive", "bm25", "dense"):
        assert name in proc.stdout
    assert "[ours:offline]" in proc.stderr and "5/5" in proc.stderr

    results = json.loads((out / "results.json").read_text())
    assert set(results) >= {"meta", "systems"}
    assert results["meta"]["items"] == 5
    assert list(results["systems"]) == ["ours:offline", "naive", "bm25", "dense"]
    summary_keys = {
        "speaker_precision_macro", "speaker_recall_macro", "speaker_f1_macro", "speaker_precision_micro",
        "speaker_recall_micro", "speaker_f1_micro", "coverage_macro", "verbatim_rate", "misattributions",
        "abstention_accuracy", "must_contain_accuracy", "recall@5", "recall@10", "mrr", "latency_p50_ms",
        "latency_p95_ms", "failed", "errors",
    }
    for name, system in results["systems"].items():
        assert summary_keys <= set(system["summary"]), name
        assert system["summary"]["errors"] == 0, [q["error"] for q in system["questions"]]
        assert [q["id"] for q in system["questions"]] == ["t1", "t2", "t3", "t4", "t5"]
        for q in system["questions"]:
            assert {"speakers", "coverage", "quotes", "abstention_ok", "retrieval", "latency_ms", "citations", "failed"} <= set(q)
            assert 0.0 <= q["speakers"]["f1"] <= 1.0

    # The baselines never abstain, so they answer the India question and fail it.
    for name in ("naive", "bm25", "dense"):
        t3 = results["systems"][name]["questions"][2]
        assert t3["abstained"] is False and t3["abstention_ok"] is False and t3["failed"]
    # The bm25/dense baselines quote whole sentences of the cited statement: always verbatim.
    assert results["systems"]["bm25"]["summary"]["verbatim_rate"] == 1.0
    assert results["systems"]["dense"]["summary"]["verbatim_rate"] == 1.0
    # The naive baseline's chunk is its quote; a 512-token chunk cuts across speakers.
    assert results["systems"]["naive"]["summary"]["verbatim_rate"] < 0.5


def test_report_markdown_content(small_run):
    proc, out, _, _ = small_run
    report = (out / "report.md").read_text()
    for heading in ("## Results", "## Metrics", "## Failed questions", "ALCE"):
        assert heading in report
    assert "| Speaker F1 (macro) |" in report
    assert "![Quality and latency by system](chart.png)" in report
    results = json.loads((out / "results.json").read_text())
    # Every failed question of every system is listed, with its question and the speakers.
    for name, system in results["systems"].items():
        assert f"### {name}: {system['summary']['failed']} of 5 failed" in report
        for q in system["questions"]:
            if q["failed"]:
                assert f"#### {q['id']} ({q['type']})" in report
    assert "- Expected: abstain" in report  # t3 for the baselines
    assert "- Cited speakers:" in report


def test_chart_is_a_png(small_run):
    _, out, _, _ = small_run
    data = (out / "chart.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_missed_threshold_exits_1_and_says_which(small_run, tmp_path):
    _, _, gold, env = small_run
    proc = _run(["eval", "--gold", str(gold), "--out", str(tmp_path / "o"), "--systems", "ours", "--min-f1", "1.01"], env)
    assert proc.returncode == 1, proc.stderr
    assert "threshold missed" in proc.stderr and "--min-f1" in proc.stderr and "speaker F1" in proc.stderr
    results = json.loads((tmp_path / "o" / "results.json").read_text())
    assert results["thresholds"]["passed"] is False
    assert "MISSED" in (tmp_path / "o" / "report.md").read_text()


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--gold", "/nonexistent/gold.jsonl"], "no such gold file"),
        (["--systems", "ours,gpt5"], "unknown system"),
        (["--backend", "nonsense"], "unknown backend"),
        (["--min-f1", "-1"], "--min-f1"),
        (["--url", "ftp://x"], "--url"),
    ],
)
def test_bad_input_exits_2(args, fragment, tmp_path, cli_env):
    proc = _run(["eval", "--out", str(tmp_path / "o"), *args], cli_env, timeout=120)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert fragment in proc.stderr


def test_bad_gold_line_exits_2_with_line_number(tmp_path, cli_env):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(SMALL_GOLD[0]) + "\n{broken\n")
    proc = _run(["eval", "--gold", str(gold), "--out", str(tmp_path / "o")], cli_env, timeout=120)
    assert proc.returncode == 2
    assert f"{gold}:2" in proc.stderr


# ---------------------------------------------------------------- in process


@pytest.fixture(scope="module")
def context(assistant_offline):
    from eval.harness import EvalContext

    return EvalContext.from_data(assistant_offline.corpus(assistant_offline.default_document()).data)


def _citation(n, statement, quote=None, start=0, end=None, speaker=None, statement_id=None):
    from assistant.models import Citation

    quote = statement.text[start:end if end is not None else start + 60] if quote is None else quote
    return Citation(
        n=n, statement_id=statement_id or statement.statement_id, document_id=statement.document_id,
        speaker=speaker or statement.speaker, speaker_type=statement.speaker_type, quote=quote, page=statement.page_start,
        char_start=start, char_end=start + len(quote),
    )


def test_score_item_checks_citations_against_the_index(context):
    from assistant.models import Answer
    from eval.gold import parse_gold
    from eval.harness import score_item

    by_speaker = {s.speaker: s for s in reversed(context.statements)}
    france, spain = by_speaker["France"], by_speaker["Spain"]
    [item] = parse_gold([json.dumps({**SMALL_GOLD[0], "must_contain": ["political"]})])
    spain_words = spain.text[10:70]
    answer = Answer(
        question=item.question,
        answer=f"France spoke about political prisoners [1]. It also said this [2]. And this [3]. Unsupported sentence.",
        citations=(
            _citation(1, france),
            _citation(2, france, quote=spain_words),  # Spain's words given to France
            _citation(3, france, statement_id=france.statement_id[:-3] + "999"),  # no such statement
        ),
    )
    record = score_item(item, answer, [france.statement_id], context, latency_ms=12.0)
    assert record["speakers"]["cited"][0] == "France"
    assert record["speakers"]["n_cited"] == 2  # France + the nonexistent statement
    assert record["speakers"]["precision"] == 0.5 and record["speakers"]["recall"] == 1.0
    assert record["quotes"] == {"total": 3, "verbatim": 1, "exact_span": 1, "misattributed": 1}
    assert record["citations"][1]["misattributed_to"] == "Spain"
    assert record["coverage"]["value"] == pytest.approx(0.75)
    assert record["must_contain"]["ok"] is True
    assert record["retrieval"]["recall@5"] == 1.0 and record["retrieval"]["rr"] == 1.0
    assert record["failed"] and any("not verbatim" in r for r in record["reasons"])


def test_ours_offline_in_process(assistant_offline, context):
    from eval.gold import parse_gold
    from eval.harness import run_eval, summarise
    from eval.systems import OursLocal

    items = parse_gold([json.dumps(i, ensure_ascii=False) for i in SMALL_GOLD])
    system = OursLocal(assistant_offline, "offline", context.document_id)
    system.prepare()
    results = run_eval([system], items, context)
    records = results["systems"]["ours:offline"]["questions"]
    assert all(r["error"] is None for r in records), [r["error"] for r in records]
    assert all(r["retrieval"] is not None for r in records if not r["expected"]["abstain"])
    assert summarise(records)["items"] == 5


def test_remote_system_posts_to_api_ask(context):
    import httpx

    from assistant.models import Answer
    from assistant.settings import Settings
    from eval.systems import EvalInputError, OursRemote

    france = next(s for s in context.statements if s.speaker == "France")
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path, json.loads(request.content)))
        answer = Answer(question="q", answer="France said so [1].", citations=(_citation(1, france),))
        return httpx.Response(200, json=answer.model_dump(mode="json"))

    system = OursRemote("http://127.0.0.1:9", "offline", context.document_id, Settings(), {context.document_id})
    system.client = httpx.Client(transport=httpx.MockTransport(handler))
    answer = system.ask("What did France say?", [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}])
    assert answer.citations[0].speaker == "France"
    path, body = seen[0]
    assert path == "/api/ask"
    assert body["question"] == "What did France say?" and body["backend"] == "offline"
    assert body["document_id"] == context.document_id and len(body["history"]) == 2
    assert system.ranking("What did France say?") is None

    other = OursRemote("http://127.0.0.1:9", None, None, Settings(), {"doc-other"})
    other.client = httpx.Client(transport=httpx.MockTransport(handler))
    with pytest.raises(EvalInputError):
        other.ask("What did France say?", [])  # cites a document the local index does not hold


# ---------------------------------------------------------------- false absence, support, per-document splits


def test_false_absence_and_support_are_scored_per_item_and_reported_per_document_and_split(context):
    from assistant.models import Answer
    from eval.gold import parse_gold
    from eval.harness import by_document, score_item
    from eval.report import report_markdown

    france = next(s for s in context.statements if s.speaker == "France")
    point = "more than 7,500 people were convicted in Belarus on political grounds"
    start = france.text.index(point)
    base = {**SMALL_GOLD[0], "support": {"France": [point]}}
    dev, test, abstain = parse_gold([
        json.dumps({**base, "id": "d1", "split": "dev"}),
        json.dumps({**base, "id": "t1", "split": "test"}),
        json.dumps({**SMALL_GOLD[2], "id": "t2", "split": "test"}),
    ])
    makes_the_point = Answer(question=dev.question, answer="France: “…” [1] “…” [2]",
                             citations=(_citation(1, france, start=start, end=start + len(point)), _citation(2, france, start=0, end=40)))
    claims_absence = Answer(question=test.question, answer="No speakers in this dialogue spoke about political prisoners.")
    right_abstention = Answer(question=abstain.question, answer="India did not take the floor in this dialogue.", abstained=True)
    records = [score_item(dev, makes_the_point, None, context), score_item(test, claims_absence, None, context),
               score_item(abstain, right_abstention, None, context)]

    assert records[0]["support"] == {"eligible": 2, "hits": 1, "gold": {"France": [point]}}
    assert records[0]["absence"]["claimed"] is False
    assert records[1]["absence"]["false"] is True and records[1]["failed"]
    assert records[2]["absence"] == {"claimed": True, "hedged": False, "phrase": "did not take the floor", "false": False}

    splits = by_document(records)["data/hrc58-belarus-id.txt"]
    assert set(splits) == {"dev", "test", "all"}
    assert splits["dev"]["support_rate"] == 0.5 and splits["dev"]["false_absence_rate"] == 0.0
    assert splits["test"]["false_absence_rate"] == 1.0 and splits["test"]["false_absences"] == 1
    assert splits["test"]["true_abstentions_right"] == splits["test"]["true_abstentions"] == 1
    assert splits["all"]["items"] == 3

    results = {
        "meta": {"created": "now", "gold": "g", "items": 3, "seconds": 1.0, "split": "all",
                 "documents": [{"document": "data/hrc58-belarus-id.txt", "document_id": context.document_id,
                                "title": context.title, "statements": len(context.statements), "items": 3}]},
        "systems": {"ours:offline": {"kind": "ours", "description": "d", "questions": records,
                                     "summary": {"items": 3}, "by_document": by_document(records)}},
    }
    report = report_markdown(results, chart_name=None)
    assert "## Per document: dev and test" in report
    assert "| data/hrc58-belarus-id.txt | dev | 1 |" in report and "| data/hrc58-belarus-id.txt | test | 2 |" in report
    assert "pip install -e .[eval]" in report  # no chart: the report says which extra draws it
    assert "False-absence rate" in report and "Support rate" in report


@pytest.fixture(scope="module")
def two_document_run(tmp_path_factory, indexed_home):
    """`hrc-assistant eval` on a gold folder about two documents; the index holds only the seed at first."""
    import os
    import shutil

    work = tmp_path_factory.mktemp("eval-two")
    home = work / "home"
    shutil.copytree(indexed_home, home)
    gold = work / "gold"
    gold.mkdir()
    _write_gold(gold / "belarus.jsonl", [{**SMALL_GOLD[0], "id": "s1", "split": "dev"}, {**SMALL_GOLD[2], "id": "s2"}])
    _write_gold(gold / "burundi.jsonl", [
        {"id": "u1", "type": "paraphrase", "turns": ["Who wants the jailed journalist Sandra Muhoza freed?"],
         "must_cite": ["Switzerland", "Belgium", "Luxembourg"], "document": "tests/data/hrc57-burundi-id.txt", "split": "test",
         "support": {"Switzerland": ["release Sandra Muhoza"]}},
    ])
    env = dict(os.environ, HRC_HOME=str(home))
    out = work / "out"
    proc = _run(["eval", "--gold", str(gold), "--out", str(out), "--systems", "bm25"], env)
    return proc, out, gold, env


def test_eval_indexes_every_gold_document_and_reports_each_with_dev_and_test(two_document_run):
    proc, out, _, _ = two_document_run
    assert proc.returncode == 0, proc.stderr
    assert "indexing hrc57-burundi-id.txt" in proc.stderr
    results = json.loads((out / "results.json").read_text())
    assert [d["document"] for d in results["meta"]["documents"]] == ["data/hrc58-belarus-id.txt", "tests/data/hrc57-burundi-id.txt"]
    system = results["systems"]["bm25"]
    assert [q["id"] for q in system["questions"]] == ["s1", "s2", "u1"]
    assert system["questions"][2]["document"] == "tests/data/hrc57-burundi-id.txt"
    assert all(c["statement_exists"] for c in system["questions"][2]["citations"])  # asked against the Burundi document
    assert set(system["by_document"]["data/hrc58-belarus-id.txt"]) == {"dev", "test", "all"}
    assert set(system["by_document"]["tests/data/hrc57-burundi-id.txt"]) == {"test", "all"}
    assert system["summary"]["support_eligible"] >= system["questions"][2]["support"]["eligible"]
    report = (out / "report.md").read_text()
    assert "| tests/data/hrc57-burundi-id.txt | test | 1 |" in report


def test_eval_split_option_runs_only_that_split(two_document_run, tmp_path):
    _, _, gold, env = two_document_run
    proc = _run(["eval", "--gold", str(gold), "--out", str(tmp_path / "o"), "--systems", "bm25", "--split", "dev"], env)
    assert proc.returncode == 0, proc.stderr
    results = json.loads((tmp_path / "o" / "results.json").read_text())
    assert results["meta"]["split"] == "dev" and [q["id"] for q in results["systems"]["bm25"]["questions"]] == ["s1"]
    bad = _run(["eval", "--gold", str(gold), "--split", "train"], env)
    assert bad.returncode == 2 and "--split must be dev, test or all" in bad.stderr


def test_without_matplotlib_eval_still_writes_results_and_report(two_document_run, tmp_path, monkeypatch):
    from eval.report import write_outputs

    _, out, _, _ = two_document_run
    results = json.loads((out / "results.json").read_text())
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # what `import matplotlib` meets when it is not installed
    paths = write_outputs(results, tmp_path / "o")
    assert paths["chart"] is None and not (tmp_path / "o" / "chart.png").exists()
    assert json.loads(paths["results"].read_text())["meta"]["items"] == 3
    report = paths["report"].read_text()
    assert "## Results" in report and "pip install -e .[eval]" in report and "chart.png" not in report
