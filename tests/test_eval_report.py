"""The evaluation report by question type, and the two readings of hedged answers, on small hand-made
results (no index, no model); and the gold files themselves (strings every answer must contain are in the document)."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = "data/hrc58-belarus-id.txt"


def _statement(order: int, speaker: str, text: str):
    from assistant.models import Statement

    return Statement(statement_id=f"doc-t:{order:03d}", document_id="doc-t", order=order, speaker=speaker, speaker_type="state",
                     page_start=1, page_end=1, text=text, char_start=0, char_end=len(text))


def _cite(n: int, statement, sentence: str):
    from assistant.models import Citation

    start = statement.text.index(sentence)
    return Citation(n=n, statement_id=statement.statement_id, document_id=statement.document_id, speaker=statement.speaker,
                    speaker_type=statement.speaker_type, quote=sentence, page=1, char_start=start, char_end=start + len(sentence))


def _records():
    """Six answers scored for real: right, hedged, falsely absent, hedged on an abstention item, a right abstention, a stance."""
    from assistant.models import Answer
    from eval.gold import parse_gold
    from eval.harness import EvalContext, score_item

    france = _statement(1, "France", "France condemns the disconnection of households. France thanks the Chair.")
    kenya = _statement(2, "Kenya", "Kenya is investing in water kiosks.")
    context = EvalContext.from_statements("doc-t", "A small dialogue", [france, kenya])

    def item(id_, type_, split, must=(), may=(), abstain=False):
        return json.dumps({"id": id_, "type": type_, "turns": [f"question {id_}?"], "must_cite": list(must), "may_cite": list(may),
                           "abstain": abstain, "split": split, "document": DOCUMENT})

    items = parse_gold([
        item("p1", "paraphrase", "dev", ["France"]),
        item("p2", "paraphrase", "test", ["France"]),
        item("p3", "paraphrase", "test", ["Kenya"]),
        item("a1", "abstain_topic", "dev", abstain=True),
        item("a2", "abstain_topic", "test", abstain=True),
        item("s1", "stance", "test", ["France"], ["Kenya"]),
    ])
    condemns, kiosks = "France condemns the disconnection of households.", "Kenya is investing in water kiosks."
    hedged = "No statement clearly addresses cut-offs. The closest passages:\nKenya: “Kenya is investing in water kiosks.” [1]"
    answers = [
        Answer(question="q", answer=f"France: “{condemns}” [1]", citations=(_cite(1, france, condemns),)),
        Answer(question="q", answer=hedged, citations=(_cite(1, kenya, kiosks),)),
        Answer(question="q", answer="Nobody in this dialogue spoke about kiosks."),
        Answer(question="q", answer=hedged, citations=(_cite(1, kenya, kiosks),)),
        Answer(question="q", answer="No speaker in this dialogue addressed tea: no statement comes close to it.", abstained=True),
        Answer(question="q", answer="France [1] and Kenya [2].", citations=(_cite(1, france, condemns), _cite(2, kenya, kiosks))),
    ]
    return [score_item(i, a, None, context) for i, a in zip(items, answers)]


def test_by_shape_gives_each_question_type_its_dev_and_test_figures():
    from eval.harness import by_shape

    shapes = by_shape(_records())[DOCUMENT]
    assert list(shapes) == ["abstain_topic", "paraphrase", "stance"]  # the order of GOLD_TYPES
    paraphrase = shapes["paraphrase"]
    assert paraphrase["dev"] == {"items": 1, "speaker_f1_macro": 1.0, "failed": 0, "answerable_items": 1, "false_absences": 0,
                                 "true_abstentions": 0, "true_abstentions_right": 0, "hedged_answers": 0, "hedged_abstentions": 0}
    assert paraphrase["test"] == {"items": 2, "speaker_f1_macro": 0.0, "failed": 2, "answerable_items": 2, "false_absences": 1,
                                  "true_abstentions": 0, "true_abstentions_right": 0, "hedged_answers": 1, "hedged_abstentions": 0}
    abstain = shapes["abstain_topic"]
    assert (abstain["dev"]["true_abstentions_right"], abstain["dev"]["hedged_abstentions"], abstain["dev"]["failed"]) == (0, 1, 1)
    assert (abstain["test"]["true_abstentions_right"], abstain["test"]["true_abstentions"], abstain["test"]["failed"]) == (1, 1, 0)
    assert set(shapes["stance"]) == {"test"} and shapes["stance"]["test"]["speaker_f1_macro"] == 1.0


def test_hedged_answers_are_counted_apart_and_both_readings_are_reported():
    from eval.harness import summarise

    summary = summarise(_records())
    assert (summary["hedged_answers"], summary["hedged_abstentions"]) == (1, 1)
    # Lenient reading (the gates): a hedged answer is neither a claim of absence nor an abstention.
    assert (summary["false_absences"], summary["true_abstentions_right"]) == (1, 1)
    # Strict readings: hedged answers counted as claims of absence, or as abstentions.
    assert (summary["false_absences_counting_hedged"], summary["true_abstentions_right_counting_hedged"]) == (2, 2)


def test_report_and_terminal_show_the_table_by_question_type_with_dev_and_test_side_by_side():
    from eval.harness import by_document, by_shape, summarise
    from eval.report import SHAPE_HEADER, report_markdown, shape_rows, summary_table

    records = _records()
    system = {"kind": "ours", "description": "d", "questions": records, "summary": summarise(records),
              "by_document": by_document(records), "by_shape": by_shape(records)}
    rows = {row[0]: row for row in shape_rows(system)[DOCUMENT]}
    assert SHAPE_HEADER[:7] == ["type", "dev items", "dev F1", "dev failed", "dev false abs", "dev true abst", "dev hedged"]
    assert rows["paraphrase"] == ["paraphrase", "1", "1.000", "0", "0/1", "—", "0", "2", "0.000", "2", "1/2", "—", "1"]
    assert rows["abstain_topic"] == ["abstain_topic", "1", "0.000", "1", "—", "0/1", "1", "1", "1.000", "0", "—", "1/1", "0"]
    assert rows["stance"][1:7] == ["—"] * 6 and rows["stance"][7:] == ["1", "1.000", "0", "0/1", "—", "0"]

    results = {"meta": {"created": "now", "gold": "g", "items": 6, "seconds": 1.0, "split": "all",
                        "documents": [{"document": DOCUMENT, "document_id": "doc-t", "title": "t", "statements": 2, "items": 6}]},
               "systems": {"ours:offline": system}}
    report = report_markdown(results, chart_name=None)
    assert "## Per document and question type: dev and test" in report
    assert "| paraphrase | 1 | 1.000 | 0 | 0/1 | — | 0 | 2 | 0.000 | 2 | 1/2 | — | 1 |" in report
    assert "| True abstentions right, counting hedged answers as abstentions | 2 |" in report
    terminal = summary_table(results)
    assert f"ours:offline, {DOCUMENT}, by question type:" in terminal
    assert "hedged abst" in terminal  # the per-document table counts hedged answers to abstention items


def test_every_must_contain_string_of_the_gold_is_in_its_document():
    """A must_contain string the document does not hold can never be answered: a typo in the gold."""
    from assistant.text import normalise_for_match
    from eval.gold import load_gold

    texts: dict[str, str] = {}
    missing = []
    for item in load_gold():
        if item.document not in texts:
            texts[item.document] = normalise_for_match((ROOT / item.document).read_text(encoding="utf-8").replace("**", ""))
        missing += [f"{item.id}: {s!r}" for s in item.must_contain if normalise_for_match(s) not in texts[item.document]]
    assert not missing, missing


def test_water_and_burundi_gold_have_dev_and_test_items_of_every_weak_shape():
    from eval.gold import load_gold

    weak = ("paraphrase", "who_which", "abstain_topic", "stance", "document_fact", "meeting", "group_followup", "chatty", "figure")
    items = load_gold()
    for document in ("tests/data/hrc60-water-id.txt", "tests/data/hrc57-burundi-id.txt"):
        mine = [i for i in items if i.document == document]
        for shape in weak:
            splits = {i.split for i in mine if i.type == shape}
            assert splits == {"dev", "test"}, (document, shape, splits)
        dev_share = sum(i.split == "dev" for i in mine) / len(mine)
        assert 0.25 <= dev_share <= 0.6, (document, dev_share)  # dev grows with new tuning items; test keeps ≥ 40%
