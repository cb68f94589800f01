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


# ---------------------------------------------------------------- the classifier, on sentences it was not trained on


@pytest.fixture(scope="module")
def classifier(embedder):
    from assistant.stance import StanceClassifier

    return StanceClassifier(lambda texts: embedder.get_text_embedding_batch(texts))


def classify(classifier, embedder, texts):
    return [label for label, _ in classifier.classify(texts, embedder.get_text_embedding_batch(texts))]


def test_support_phrased_without_the_word_support_is_supportive_of_the_mandate(classifier, embedder):
    texts = ["We count on the Rapporteur's findings to shape our dialogue with the authorities.",
             "We urge the Government to open its doors to the Special Rapporteur."]
    assert classify(classifier, embedder, texts) == [("mandate", "supportive")] * 2


def test_a_call_to_release_detainees_is_not_a_welcome_of_a_release(classifier, embedder):
    called, welcomed = classify(classifier, embedder, ["We call on the authorities to release all detained journalists.",
                                                       "We welcome the release of the detained journalists."])
    assert called == ("country", "critical")
    assert welcomed == ("country", "supportive")


def test_a_negated_support_is_opposition(classifier, embedder):
    negated, plain = classify(classifier, embedder, ["The delegation does not support the renewal of this mandate.",
                                                     "The delegation supports the renewal of this mandate."])
    assert negated == ("mandate", "critical")
    assert plain == ("mandate", "supportive")


def test_courtesy_takes_no_side_and_discrediting_the_sources_is_opposition(classifier, embedder):
    thanks, noted, discredited, sovereignty = classify(classifier, embedder, [
        "The delegation thanks the Special Rapporteur for the report.",
        "It takes note of the recommendations.",
        "The report draws on rumours spread by exiled opponents.",
        "Our country respects the right of every nation to run its own affairs without outside pressure.",
    ])
    assert thanks == noted == ("none", "neutral")
    assert discredited == ("mandate", "critical")
    assert sovereignty == ("country", "supportive")


def _statement(texts, speaker="Chile", speaker_type="state"):
    from assistant.models import Sentence, Statement

    sentences, start = [], 0
    for i, t in enumerate(texts):
        sentences.append(Sentence(index=i, text=t, char_start=start, char_end=start + len(t), page=1))
        start += len(t) + 1
    return Statement(statement_id="d:001", document_id="d", order=1, speaker=speaker, speaker_type=speaker_type,
                     page_start=1, page_end=1, text=" ".join(texts), char_start=0, char_end=start - 1,
                     sentences=tuple(sentences))


def test_a_statement_that_both_welcomes_progress_and_condemns_violations_is_mixed(classifier, embedder):
    texts = ["We welcome the release of the detained activists announced last week.",
             "We condemn the torture of detainees by the security forces."]
    statement = _statement(texts)
    stances = classifier.stances(statement, embedder.get_text_embedding_batch(texts), has_country=True)
    assert [s.object for s in stances] == ["mandate", "country"]
    assert stances[1].position == "neutral" and stances[1].sentence is None


def test_the_classifier_generalises_to_held_out_examples(embedder):
    """Cross-check: fitted on 80% of the labelled sentences, it labels the other 20% far above chance (5 classes; 0.83 in the 5-fold check)."""
    from assistant.stance import StanceClassifier, load_examples

    examples = load_examples()
    train = tuple(e for i, e in enumerate(examples.examples) if i % 5)
    held_out = [e for i, e in enumerate(examples.examples) if not i % 5]
    fitted = StanceClassifier(lambda texts: embedder.get_text_embedding_batch(texts), examples.model_copy(update={"examples": train}))
    texts = [e.text for e in held_out]
    labels = classify(fitted, embedder, texts)
    accuracy = np.mean([label == (e.object, e.label) for label, e in zip(labels, held_out)])
    assert len(held_out) >= 80 and accuracy >= 0.7


# ---------------------------------------------------------------- a second, thematic document


def _classified(embedder, classifier, name):
    """A test document segmented and classified like the index does: (country mandate?, speaker -> (statement, stances))."""
    from pathlib import Path

    from assistant.stance import document_stances, is_country_mandate
    from index.load import paragraphs, read_pages
    from index.segment import segment

    path = Path(__file__).resolve().parent / "data" / name
    document = segment(paragraphs(read_pages(path)), source=path.name)
    statements = document.statements
    vectors = {s.statement_id: embedder.get_text_embedding_batch([x.text for x in s.sentences]) for s in statements if s.sentences}
    classified = {s.speaker: (s, s.stances) for s in document_stances(classifier, statements, vectors, document.info.title,
                                                                     document.info.mandate)}
    return is_country_mandate(statements, document.info.title, document.info.mandate), classified


@pytest.fixture(scope="module")
def water(embedder, classifier):
    """The thematic dialogue on water (a country visit, not a country mandate)."""
    return _classified(embedder, classifier, "hrc60-water-id.txt")


@pytest.fixture(scope="module")
def burundi(embedder, classifier):
    """A second country-mandate dialogue, besides the seed."""
    return _classified(embedder, classifier, "hrc57-burundi-id.txt")


def _position(stances, obj):
    return next((s.position for s in stances if s.object == obj), None)


def test_a_country_visit_is_not_a_country_mandate(water):
    country_mandate, _ = water
    assert not country_mandate


def test_delegations_and_groups_that_say_they_back_the_mandate_are_supportive(water):
    _, classified = water
    backers = [name for name, (s, _) in classified.items()
               if s.speaker_type != "panel" and any("supports the mandate" in x.text or "support for the mandate" in x.text
                                                    for x in s.sentences)]
    assert len(backers) >= 5 and any(classified[n][0].on_behalf_of for n in backers)  # group statements among them
    for name in backers:
        assert _position(classified[name][1], "mandate") == "supportive", name


def test_a_delegation_refusing_new_mandates_is_not_counted_as_a_backer(water):
    _, classified = water
    refusing = [name for name, (s, _) in classified.items() if any("does not support" in x.text for x in s.sentences)]
    assert refusing
    for name in refusing:
        assert _position(classified[name][1], "mandate") != "supportive", name


def test_remarks_that_never_name_the_visited_country_take_no_side_towards_it(water):
    """A thematic dialogue: a delegation speaking of its own country, or of others, takes no position on the one visited."""
    from assistant.stance import names_country

    _, classified = water
    visited = next(name for name, (s, _) in classified.items() if s.speaker_type == "country_concerned")
    silent = [name for name, (s, _) in classified.items()
              if s.speaker_type not in ("panel", "country_concerned") and not any(names_country(x.text, visited) for x in s.sentences)]
    assert len(silent) >= 10
    for name in silent:
        assert _position(classified[name][1], "country") == "neutral", name


def test_delegations_that_reject_country_specific_mandates_in_principle_are_critical_of_the_mandate(burundi):
    country_mandate, classified = burundi
    assert country_mandate
    objecting = [name for name, (s, _) in classified.items()
                 if s.speaker_type != "country_concerned" and any("country-specific" in x.text for x in s.sentences)]
    assert len(objecting) >= 3
    for name in objecting:
        assert _position(classified[name][1], "mandate") == "critical", name
        assert _position(classified[name][1], "country") != "critical", name


def test_ngos_that_document_abuses_and_ask_the_council_to_keep_scrutiny_support_the_mandate(burundi):
    _, classified = burundi
    ngos = {name: stances for name, (s, stances) in classified.items() if s.speaker_type == "ngo"}
    asking = [name for name, (s, _) in classified.items() if s.speaker_type == "ngo" and any("the Council to" in x.text for x in s.sentences)]
    assert len(ngos) >= 3 and asking
    for name, stances in ngos.items():
        assert _position(stances, "country") == "critical", name
        assert _position(stances, "mandate") != "critical", name
    for name in asking:
        assert _position(ngos[name], "mandate") == "supportive", name


def test_an_ngo_that_asks_the_council_to_act_on_the_reports_recommendations_supports_the_mandate(classifier, embedder):
    texts = ["The federation asks the Council to give effect to the recommendations of the report this session.",
             "Our monitoring of shelters in four provinces bears out what the Independent Expert describes."]
    assert classify(classifier, embedder, texts) == [("mandate", "supportive")] * 2


def test_a_demand_addressed_to_the_authorities_is_criticism_of_the_country(classifier, embedder):
    texts = ["The delegation urges the authorities to drop the charges against the lawyers who represented protesters.",
             "It calls on the Government to reopen the newspapers it has closed."]
    assert classify(classifier, embedder, texts) == [("country", "critical")] * 2


def test_objecting_to_country_mandates_in_principle_is_opposition_to_the_mandate(classifier, embedder):
    texts = ["The delegation has never accepted resolutions that single out one country against its will.",
             "Naming and shaming particular States does nothing for human rights."]
    assert classify(classifier, embedder, texts) == [("mandate", "critical")] * 2


def test_praising_the_governments_efforts_is_siding_with_the_country(classifier, embedder):
    texts = ["The delegation commends the authorities for the progress they have made in reforming the prison system."]
    assert classify(classifier, embedder, texts) == [("country", "supportive")]



def test_reported_procedure_questions_capacity_and_principles_take_no_side(classifier, embedder):
    """The past-tense register of UN meeting summaries and summary records: no side unless one is taken."""
    texts = ["Speaking on a point of order, the representative of Estoria said that the list of speakers had been changed without notice.",
             "She asked the Independent Expert how small States could finance social protection floors.",
             "Many island States lacked the laboratories needed to monitor air quality, and technical assistance should follow the plans they had adopted.",
             "Mr. Varga (Lorvania) said that midwives should never be prosecuted for assisting women in labour.",
             "The delegation said that its Government had opened forty legal aid clinics in rural districts since 2021."]
    assert classify(classifier, embedder, texts) == [("none", "neutral")] * 5


def test_reported_backing_rejection_and_agreement_with_the_rapporteur_take_their_side(classifier, embedder):
    backed, rejected, agreed, demanded = classify(classifier, embedder, [
        "Ms. Lund (Estoria) said that her delegation fully supported the mandate and welcomed the report's focus on persons with disabilities.",
        "Mr. Teodoro (Lorvania) said that the report had relied on biased sources and had exceeded the mandate conferred by the Council.",
        "The delegation said that it agreed with the Special Rapporteur that human rights defenders must never be treated as criminals.",
        "He urged the authorities to release the students detained after the demonstrations.",
    ])
    assert backed == agreed == ("mandate", "supportive")
    assert rejected == ("mandate", "critical")
    assert demanded == ("country", "critical")

def test_shipped_weights_are_the_fit_of_the_shipped_examples(embedder):
    """data/stance_model.json must be refitted (scripts/fit_stance.py) whenever the examples change."""
    import numpy as np

    from assistant.stance import StanceClassifier, fingerprint, load_examples, load_fitted

    shipped = load_fitted()
    assert shipped is not None and shipped["fingerprint"] == fingerprint(load_examples())
    refitted = StanceClassifier(lambda texts: embedder.get_text_embedding_batch(texts), refit=True)
    assert np.allclose(np.asarray(shipped["weights"]), refitted.weights, atol=1e-3)
    assert np.allclose(np.asarray(shipped["bias"]), refitted.bias, atol=1e-3)
    assert tuple(shipped["vocabulary"]) == refitted.vocabulary
