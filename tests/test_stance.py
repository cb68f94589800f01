"""Stances computed at index time, stored in statement metadata, read back with the statements (real index, real model)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.models import Query


@pytest.fixture(scope="module")
def seed(assistant_offline):
    return assistant_offline.corpus(assistant_offline.default_document())


def by_speaker(corpus, name):
    return next(s for s in corpus.data.statements if s.speaker == name)


def test_every_state_statement_carries_its_stances_from_the_index(seed):
    states = [s for s in seed.data.statements if s.speaker_type in ("state", "igo", "ngo")]
    assert states and all({st.object for st in s.stances} == {"mandate", "country"} for s in states)
    for s in states:
        for stance in s.stances:
            if stance.position == "neutral":
                assert stance.sentence is None
            else:
                assert 0 <= stance.sentence < len(s.sentences)


def test_experts_and_the_country_concerned_take_no_side_on_themselves(seed):
    panel = [s for s in seed.data.statements if s.speaker_type == "panel"]
    assert panel and all(s.stances == () for s in panel)
    concerned = [s for s in seed.data.statements if s.speaker_type == "country_concerned"]
    assert concerned and all(s.stance_on("country") is None for s in concerned)


def test_opponents_of_country_mandates_are_critical_of_the_mandate(seed):
    critical = {s.speaker for s in seed.data.statements if (st := s.stance_on("mandate")) and st.position == "critical"}
    supportive = {s.speaker for s in seed.data.statements if (st := s.stance_on("mandate")) and st.position == "supportive"}
    assert {"China", "Russian Federation"} <= critical
    assert not {"China", "Russian Federation"} & supportive


def test_critics_of_the_authorities_are_not_counted_as_their_supporters(seed):
    sided = {s.speaker for s in seed.data.statements if (st := s.stance_on("country")) and st.position == "supportive"}
    critics = {s.speaker for s in seed.data.statements if (st := s.stance_on("country")) and st.position == "critical"}
    assert {"France", "Germany", "United Kingdom"} <= critics
    assert not {"France", "Germany", "United Kingdom"} & sided


def test_a_stance_list_contains_only_speakers_of_that_stance(assistant_offline, seed):
    from assistant.answer import answer_offline

    query = Query(question="Who backed the government?", asked="Who backed the government?", intent="list",
                  stance="supportive", stance_object="country")
    answer = answer_offline(query, [seed], assistant_offline, {})
    cited = {c.speaker for c in answer.citations}
    assert cited and not answer.abstained
    for name in cited:
        assert by_speaker(seed, name).stance_on("country").position == "supportive"
    for c in answer.citations:  # the quote is the sentence that shows the stance
        statement = assistant_offline.statement(c.statement_id)
        assert statement.sentences[statement.stance_on("country").sentence].text == c.quote


def test_stances_survive_the_metadata_round_trip(seed):
    from assistant.stance import decode, encode

    s = next(s for s in seed.data.statements if s.stances)
    assert decode(encode(s.stances)) == s.stances
    assert decode("") == ()


def test_classifier_works_on_any_dialogue_without_a_country_concerned(embedder):
    """A thematic dialogue: only the mandate object, decided from the sentence vectors alone."""
    from assistant.models import Sentence, Statement
    from assistant.stance import StanceClassifier

    classifier = StanceClassifier(lambda texts: embedder.get_text_embedding_batch(texts))
    texts = ["We thank the Special Rapporteur on the right to water for her report.",
             "We fully support her mandate and look forward to its renewal."]
    sentences, start = [], 0
    for i, t in enumerate(texts):
        sentences.append(Sentence(index=i, text=t, char_start=start, char_end=start + len(t), page=1))
        start += len(t) + 1
    statement = Statement(statement_id="d:001", document_id="d", order=1, speaker="Chile", speaker_type="state",
                          page_start=1, page_end=1, text=" ".join(texts), char_start=0, char_end=start - 1,
                          sentences=tuple(sentences))
    vectors = np.asarray(embedder.get_text_embedding_batch(texts))
    stances = classifier.stances(statement, vectors, has_country=False)
    assert [s.object for s in stances] == ["mandate"]
    assert stances[0].position == "supportive" and stances[0].sentence == 1
