"""Exports and chat rendering on the real session index: every quote keeps its speaker, page and permalink."""

from __future__ import annotations

import csv
import io
import json

from assistant.models import SPEAKER_TYPE_LABELS
from ui import export
from ui.chat import follow_up_question
from ui.render import BASE, answer_html, copy_text, document_banner, stance_html, type_label

FRANCE = "What did France say about political prisoners?"
APP = "https://newsroom.example/hrc/"


def test_conversation_export_keeps_every_quote_with_speaker_page_and_permalink(assistant_offline):
    answers = [assistant_offline.ask(FRANCE), assistant_offline.ask("Which NGOs mentioned Viasna?")]
    rows = export.rows_from_answers(answers, APP)
    assert len(rows) == sum(len(a.citations) for a in answers) > 1
    for row in rows:
        statement = assistant_offline.statement(row.statement_id)
        assert row.quote in statement.text and row.speaker == statement.speaker
        assert row.permalink.startswith(APP + "?statement=")

    table = list(csv.DictReader(io.StringIO(export.render("Conversation", rows, "csv", answers))))
    assert [r["quote"] for r in table] == [r.quote for r in rows]
    assert {r["speaker_type"] for r in table} <= set(SPEAKER_TYPE_LABELS.values())

    data = json.loads(export.render("Conversation", rows, "json", answers))
    assert [q["permalink"] for q in data["quotes"]] == [r.permalink for r in rows]
    assert [a["question"] for a in data["answers"]] == [FRANCE, "Which NGOs mentioned Viasna?"]

    text = export.render("Conversation", rows, "markdown", answers)
    assert f"## {FRANCE}" in text
    first = rows[0]
    assert f"**{first.speaker}**" in text and f"p. {first.page}" in text and f"<{first.permalink}>" in text


def test_statements_export_of_one_speaker_and_of_a_search(assistant_offline):
    france = export.filtered_statements(assistant_offline, "france", None, None, None)
    assert france and {s.speaker for s in france} == {"France"}
    ngos = export.filtered_statements(assistant_offline, None, None, ["ngo"], "Viasna")
    assert ngos and all(s.speaker_type == "ngo" and "viasna" in s.text.casefold() for s in ngos)
    rows = export.rows_from_statements(ngos, APP)
    assert all(r.quote == assistant_offline.statement(r.statement_id).text for r in rows)
    assert export.statements_title(None, ["ngo"], "Viasna") == "Statements — All speakers; types: NGO; matching “Viasna”"


def test_copy_text_is_the_answer_it_belongs_to_with_numbered_sources_and_permalinks(assistant_offline):
    answer = assistant_offline.ask(FRANCE)
    plain = copy_text(answer, markdown=False, document="HRC58")
    assert "**" not in plain and plain.endswith("Source document: HRC58")
    for c in answer.citations:
        assert f"[{c.n}] {c.speaker} ({type_label(c.speaker_type)}" in plain
        assert f"“{c.quote}” {BASE}?statement=" in plain
    markdown = copy_text(answer, markdown=True)
    assert f"**{answer.citations[0].speaker}**" in markdown
    html = answer_html(answer, 3)
    assert "\n" not in html, "one line, so the chat's Markdown renderer leaves it alone"
    assert 'href="#copy-3-markdown"' in html and 'id="src-3-' not in html and 'href="#src-3-1"' in html
    assert f'<span class="sr-only"> {answer.citations[0].speaker}, state, page' in html


def test_follow_up_suggests_another_speaker_of_the_same_kind_from_the_document(assistant_offline):
    answer = assistant_offline.ask(FRANCE)
    statements = assistant_offline.statements(answer.citations[0].document_id)
    suggestion = follow_up_question(answer, statements)
    assert suggestion and suggestion.startswith("And ") and suggestion.endswith("?")
    name = suggestion[4:-1]
    assert name != "France"
    assert any(s.speaker == name and s.speaker_type == answer.citations[0].speaker_type for s in statements)
    # Asked about that speaker, the next suggestion is someone else again.
    again = assistant_offline.ask(suggestion, history=[{"role": "user", "content": FRANCE}, {"role": "assistant", "content": answer.answer}])
    if again.citations:
        assert follow_up_question(again, statements) != suggestion


def test_stance_view_says_honestly_when_no_stance_was_computed(assistant_offline):
    statement = assistant_offline.statements()[0]
    html = stance_html(statement)
    if statement.stances:
        for stance in statement.stances:
            assert stance.position in html
    else:
        assert "no stance computed" in html


def test_low_confidence_document_gets_a_banner_and_a_confident_one_none(assistant_offline):
    info = next(iter(assistant_offline.documents().values()))
    assert document_banner(info.model_copy(update={"confidence": 1.0, "language": "en", "warnings": ()})) == ""
    banner = document_banner(info.model_copy(update={"language": "fr"}))
    assert 'role="alert"' in banner and "not to be in English" in banner
    assert "12%" in document_banner(info.model_copy(update={"confidence": 0.12}))
