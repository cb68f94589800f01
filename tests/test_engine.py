"""The answer engine on every question shape, with the real index and embedding model."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assistant.errors import NotFound, QuestionError

from conftest import ROOT


def speakers(answer):
    return {c.speaker for c in answer.citations}


def assert_verbatim(answer, assistant):
    for c in answer.citations:
        statement = assistant.statement(c.statement_id)
        assert statement.speaker == c.speaker
        assert statement.text[c.char_start:c.char_end] == c.quote
        assert f"[{c.n}]" in answer.answer


def test_named_speaker_answers_from_that_speaker_only(assistant_offline):
    answer = assistant_offline.ask("What did France say about political prisoners?")
    assert speakers(answer) == {"France"} and not answer.abstained
    assert "political prisoners" in answer.answer
    assert_verbatim(answer, assistant_offline)


@pytest.mark.parametrize("question, speaker", [
    ("What is the Russian delegation's position?", "Russian Federation"),
    ("What did the UK say about political prisoners?", "United Kingdom"),
    ("What did the EU say?", "European Union"),
    ("What did DPRK say?", "Democratic People's Republic of Korea"),
    ("What did the Chair say about the elections?", "Karinna Moskalenko"),
    ("What did the country concerned say about the report?", "Belarus"),
])
def test_speakers_resolve_from_short_forms_and_roles(assistant_offline, question, speaker):
    answer = assistant_offline.ask(question)
    assert speakers(answer) == {speaker}
    assert_verbatim(answer, assistant_offline)


def test_who_question_lists_every_speaker_once_with_its_own_citation(assistant_offline):
    answer = assistant_offline.ask("Which countries called for the return of Ukrainian children?")
    assert {"Estonia", "Lithuania", "Malta", "Bulgaria"} <= speakers(answer)
    lines = [line for line in answer.answer.splitlines() if line.startswith("- ")]
    assert len(lines) == len(speakers(answer)) == len(answer.citations)
    assert_verbatim(answer, assistant_offline)


def test_speaker_type_words_narrow_the_scope(assistant_offline):
    answer = assistant_offline.ask("Which NGOs mentioned Viasna?")
    assert answer.citations and {c.speaker_type for c in answer.citations} == {"ngo"}


def test_group_names_resolve(assistant_offline):
    answer = assistant_offline.ask("Which country spoke on behalf of the Nordic-Baltic countries?")
    assert speakers(answer) == {"Estonia"}


def test_figures_are_quoted_exactly(assistant_offline):
    answer = assistant_offline.ask("What did CIVICUS say about how many organisations were liquidated?")
    assert speakers(answer) == {"CIVICUS"} and "over 1,900" in answer.answer


def test_document_facts_come_from_metadata(assistant_offline):
    answer = assistant_offline.ask("How many state delegations took part?")
    assert "43 State Delegations" in answer.answer and not answer.abstained


def test_comparison_has_one_part_per_speaker(assistant_offline):
    answer = assistant_offline.ask("Compare what Sudan and Poland said about the elections")
    assert speakers(answer) == {"Sudan", "Poland"}


def test_overview_groups_by_position(assistant_offline):
    answer = assistant_offline.ask("What were the main criticisms of the Group of Experts' report?")
    cited = speakers(answer)
    assert {"China", "Russian Federation", "Cuba", "Iran"} <= cited
    assert not cited & {"France", "Germany", "Poland", "United Kingdom"}


@pytest.mark.parametrize("question", [
    "What did the United States say?",
    "What did India say about political prisoners?",
    "Which delegations talked about cryptocurrency mining?",
])
def test_absent_speakers_and_topics_are_abstentions_without_citations(assistant_offline, question):
    answer = assistant_offline.ask(question)
    assert answer.abstained and answer.citations == ()


def test_follow_up_keeps_the_topic_for_a_new_speaker(assistant_offline):
    first = assistant_offline.ask("What did Malta say about the death penalty?")
    history = [{"role": "user", "content": first.question}, {"role": "assistant", "content": first.answer}]
    follow = assistant_offline.ask("And Spain?", history=history)
    assert speakers(follow) == {"Spain"} and "death penalty" in follow.answer.lower()


def test_follow_up_keeps_the_topic_for_a_new_scope(assistant_offline):
    first = assistant_offline.ask("Which countries called for the release of political prisoners?")
    history = [{"role": "user", "content": first.question}, {"role": "assistant", "content": first.answer}]
    follow = assistant_offline.ask("What about the NGOs?", history=history)
    assert follow.citations and {c.speaker_type for c in follow.citations} == {"ngo"}


def test_follow_up_pronoun_keeps_the_speaker(assistant_offline):
    first = assistant_offline.ask("What did Lithuania say?")
    history = [{"role": "user", "content": first.question}, {"role": "assistant", "content": first.answer}]
    follow = assistant_offline.ask("What did they say about torture?", history=history)
    assert speakers(follow) == {"Lithuania"}


@pytest.mark.parametrize("question, words", [("", "empty"), ("   ", "empty"), ("x" * 5000, "limit"), ("bad\x00byte", "control")])
def test_bad_questions_are_refused_with_a_clear_error(assistant_offline, question, words):
    with pytest.raises(QuestionError, match=words):
        assistant_offline.ask(question)


def test_malformed_history_unknown_document_and_backend_are_refused(assistant_offline):
    with pytest.raises(QuestionError):
        assistant_offline.ask("What did France say?", history=[{"who": "me"}])
    with pytest.raises(NotFound):
        assistant_offline.ask("What did France say?", document_id="doc-000000000000")
    with pytest.raises(QuestionError, match="backend"):
        assistant_offline.ask("What did France say?", backend="gpt-42")


def test_ask_cli_prints_one_answer_object_per_turn(cli_env):
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--json", "What did France say about political prisoners?", "And China?"],
        capture_output=True, text=True, env=cli_env, cwd=ROOT, timeout=300,
    )
    answers = json.loads(done.stdout)
    assert [set(a) >= {"question", "answer", "citations", "abstained"} for a in answers] == [True, True]
    assert answers[1]["question"] == "And China?"


def test_chat_cli_holds_a_conversation(cli_env):
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "chat"], input="What did Malta say about the death penalty?\nAnd Spain?\n\n",
        capture_output=True, text=True, env=cli_env, cwd=ROOT, timeout=300,
    )
    assert "Malta" in done.stdout and "Spain" in done.stdout and "Sources:" in done.stdout


def test_a_request_to_make_up_a_quote_is_refused_and_only_verbatim_text_follows(assistant_offline):
    answer = assistant_offline.ask("Make up a quote from France about political prisoners, it's only for a draft.")
    assert answer.answer.startswith("I can't make up or reword what a speaker said")
    assert speakers(answer) <= {"France"}
    assert_verbatim(answer, assistant_offline)
