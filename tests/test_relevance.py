"""Relevance, honest absence and every answer shape, on the real seed index and a second real document (Burundi).

Queries are built directly (the contract of `assistant/models.py: Query`), so these tests hold the
answerer to its behaviour whatever the understanding step produces.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from assistant.answer import answer_offline, evidence
from assistant.models import Query
from assistant.relevance import load_model

from conftest import BURUNDI_TEXT


def ask(assistant, corpus, **fields) -> object:
    fields.setdefault("asked", fields["question"])
    fields.setdefault("topic_label", fields.get("topic", ""))  # as understanding labels a topic after "talked about"
    return answer_offline(Query(**fields), [corpus], assistant, {})


def cited(answer) -> set[str]:
    return {c.speaker for c in answer.citations}


def assert_verbatim(answer, corpus):
    by_id = corpus.data.by_id
    for c in answer.citations:
        statement = by_id[c.statement_id]
        assert statement.speaker == c.speaker and statement.text[c.char_start:c.char_end] == c.quote
        assert f"[{c.n}]" in answer.answer


@pytest.fixture(scope="module")
def seed(assistant_offline):
    return assistant_offline.corpus(assistant_offline.default_document())


@pytest.fixture(scope="module")
def burundi(tmp_path_factory, embedder):
    from assistant.engine import Assistant
    from assistant.settings import Settings
    from index.store import index_paths

    home = tmp_path_factory.mktemp("hrc-burundi")
    settings = Settings(home=home, bundled_document=BURUNDI_TEXT)
    index_paths(settings, [BURUNDI_TEXT], embedder_factory=lambda: embedder)
    assistant = Assistant(settings, embedder=embedder)
    return assistant, assistant.corpus(assistant.default_document())


ZAROVIA_LABELLED = """Human Rights Council, 61st session
Interactive dialogue with the Special Rapporteur on the situation of human rights in Zarovia
12 March 2026

Summary of statements

Special Rapporteur (Tomas Lindell): The Special Rapporteur presented his report, noting that airstrikes on villages have increased by forty percent and that more than three million people are now displaced. He urged the Council to refer the situation to the International Criminal Court.

Zarovia (country concerned): The delegation rejected the report as biased and said that the authorities are committed to holding elections and to national reconciliation.

European Union: The EU condemned the airstrikes on civilians and called for unhindered humanitarian access and the release of all political prisoners.

Pakistan (on behalf of the OIC): Pakistan expressed grave concern about the situation of the Velari minority and called for their safe, voluntary and dignified return.

China: China opposed country-specific mandates and said that the international community should respect the sovereignty of Zarovia and avoid interference.

Bangladesh: Bangladesh said that it hosts over one million Velari refugees and that funding cuts have reduced food rations in the camps.

Fortify Voices: The NGO documented the use of forced conscription of young men and called for targeted sanctions on jet fuel.
"""


@pytest.fixture(scope="module")
def colon_labelled(tmp_path_factory, embedder):
    """An invented dialogue in the labelled layout ("Speaker: text"), small enough that every rare word weighs."""
    from assistant.engine import Assistant
    from assistant.settings import Settings
    from index.store import index_paths

    home = tmp_path_factory.mktemp("hrc-labelled")
    document = home / "zarovia-labelled.txt"
    document.write_text(ZAROVIA_LABELLED, encoding="utf-8")
    settings = Settings(home=home, bundled_document=document)
    index_paths(settings, [document], embedder_factory=lambda: embedder)
    assistant = Assistant(settings, embedder=embedder)
    return assistant, assistant.corpus(assistant.default_document())


# ---------------------------------------------------------------- relevance


def test_a_paraphrase_without_the_documents_words_finds_the_statement(assistant_offline, seed):
    answer = ask(assistant_offline, seed, question="Who said lawyers are being struck off for defending dissidents?",
                 intent="list", topic="lawyers struck off for defending dissidents")
    assert not answer.abstained and answer.citations
    assert any("disbar" in c.quote for c in answer.citations)
    assert_verbatim(answer, seed)


def test_a_topic_nobody_raised_is_an_abstention_without_citations(assistant_offline, seed):
    answer = ask(assistant_offline, seed, question="Which delegations talked about cryptocurrency mining?",
                 intent="list", topic="cryptocurrency mining", speaker_types=("state", "country_concerned"))
    assert answer.abstained and answer.citations == ()
    assert "cryptocurrency mining" in answer.answer


def test_the_quote_is_the_point_not_a_courtesy_formula(assistant_offline, seed):
    answer = ask(assistant_offline, seed, question="Which countries raised the death penalty?",
                 intent="list", topic="death penalty", speaker_types=("state",))
    assert answer.citations
    for c in answer.citations:
        assert "thank" not in c.quote.lower()
        assert any(w in c.quote.lower() for w in ("death", "execution", "capital"))


def test_called_for_a_release_excludes_sentences_that_only_welcome_one(assistant_offline, seed):
    model = load_model()
    answer = ask(assistant_offline, seed, question="Which countries called for the release of political prisoners?",
                 intent="list", topic="release of political prisoners", speaker_types=("state",))
    assert len(answer.citations) >= 5
    for c in answer.citations:
        assert not model.conflicts({"demand"}, model.acts(c.quote)), c.quote


def test_a_list_is_complete_and_each_speaker_has_its_own_line(assistant_offline, seed):
    answer = ask(assistant_offline, seed, question="Which countries called for the return of Ukrainian children?",
                 intent="list", topic="return of Ukrainian children", speaker_types=("state",))
    assert {"Estonia", "Lithuania", "Malta", "Bulgaria"} <= cited(answer)
    lines = [line for line in answer.answer.splitlines() if line.startswith("- ")]
    assert len(lines) == len(answer.citations)
    assert answer.answer.splitlines()[0].endswith(":")


def test_headline_never_echoes_a_mangled_fragment_of_the_question(assistant_offline, seed):
    answer = ask(assistant_offline, seed, question="I'm writing about unions. Which organisation talked about them being dissolved?",
                 asked="Which organisation talked about them being dissolved?", intent="list",
                 topic="attribution so could you")
    head = answer.answer.splitlines()[0]
    assert "attribution so could you" not in head


def test_the_closest_passages_are_labelled_when_nothing_clearly_addresses_the_question(assistant_offline, seed, monkeypatch):
    """Between the floor and the threshold: no false 'nobody', the nearest quotes instead, not an abstention."""
    model = load_model()
    monkeypatch.setattr("assistant.answer.load_model", lambda: model.model_copy(update={"addresses": 0.999999, "floor": 0.0}))
    answer = ask(assistant_offline, seed, question="Which delegations spoke about the death penalty?",
                 intent="list", topic="death penalty")
    assert not answer.abstained and 0 < len(answer.citations) <= 3
    assert answer.answer.startswith("No statement clearly addresses")
    assert_verbatim(answer, seed)


def test_a_closest_passage_far_behind_the_best_one_is_not_shown(assistant_offline, seed, monkeypatch):
    model = load_model()
    strict = model.model_copy(update={"addresses": 0.999999, "floor": 0.0, "closest_share": 1.0})
    monkeypatch.setattr("assistant.answer.load_model", lambda: strict)
    answer = ask(assistant_offline, seed, question="Which delegations spoke about the death penalty?",
                 intent="list", topic="death penalty")
    assert answer.answer.startswith("No statement clearly addresses") and len(cited(answer)) == 1


def test_a_scope_nobody_in_which_spoke_is_a_fact_about_the_speakers_not_about_the_topic(assistant_offline, seed):
    answer = ask(assistant_offline, seed, question="Did any Pacific states talk about the death penalty?", intent="list",
                 topic="death penalty", speaker_types=("state", "country_concerned"), scope_label="Pacific states",
                 scope_speakers=(), yes_no=True)
    assert answer.abstained and not answer.citations
    assert answer.answer == "No. No Pacific state took the floor in this dialogue."


def test_what_speakers_said_about_the_mandate_lists_every_side_taken_on_it(assistant_offline, seed):
    sided = {s.speaker for s in seed.data.statements if s.speaker_type == "ngo"
             and (stance := s.stance_on("mandate")) is not None and stance.position != "neutral"}
    answer = ask(assistant_offline, seed, question="What did the NGOs say about the mandate?", intent="list",
                 topic="mandate", speaker_types=("ngo",), stance_object="mandate")
    assert sided and sided <= cited(answer)
    assert_verbatim(answer, seed)


def test_a_statement_delivered_jointly_is_said_to_be_joint_with_the_sentence_naming_the_others(burundi):
    assistant, corpus = burundi
    joint = next(s for s in corpus.data.statements if "jointly with" in s.sentences[0].text)
    answer = ask(assistant, corpus, question=f"Which organisation did {joint.speaker} deliver its statement with?",
                 intent="speaker", speakers=(joint.speaker,), asks_group=True)
    assert "delivered a joint statement" in answer.answer and "jointly with" in answer.citations[0].quote
    alone = next(s for s in corpus.data.statements if s.speaker_type == "ngo" and not s.on_behalf_of
                 and not any(w in s.text for w in ("jointly", "joint statement", "together with", "behalf")))
    answer = ask(assistant, corpus, question=f"Who did {alone.speaker} speak for?", intent="speaker",
                 speakers=(alone.speaker,), asks_group=True)
    assert "spoke for itself alone" in answer.answer


def test_earlier_speakers_none_of_whom_is_in_a_region_are_not_said_to_lack_the_side(assistant_offline, seed):
    answer = ask(assistant_offline, seed, question="any of them from Oceania?", intent="list", yes_no=True,
                 speaker_types=("state", "country_concerned"), scope_label="Pacific states among those speakers",
                 scope_speakers=(), stance="critical", stance_object="country")
    assert answer.answer == "No. None of those speakers is among the Pacific states." and answer.abstained


def test_a_speakers_side_is_not_prefixed_by_yes_when_the_question_is_not_yes_or_no(assistant_offline, seed):
    critic = next(s for s in seed.data.statements if (x := s.stance_on("mandate")) is not None and x.position == "critical")
    answer = ask(assistant_offline, seed, question=f"what did {critic.speaker} say?", intent="speaker",
                 speakers=(critic.speaker,), stance="critical", stance_object="mandate")
    assert answer.answer.startswith(f"{critic.speaker} was critical of")


def test_the_words_naming_the_scope_are_not_looked_for_in_the_sentences():
    from assistant.relevance import question_text

    query = Query(question="Which members of the Zarovian Group raised river dams?", intent="list", topic="river dams",
                  scope_phrases=("members of the Zarovian Group",))
    assert "Zarovian" not in question_text(query) and "dams" in question_text(query)


def test_evidence_ranks_statements_in_scope_whatever_the_composer_decides(assistant_offline, seed):
    query = Query(question="Who talked about people being made to vanish?", asked="Who talked about people being made to vanish?",
                  intent="list", topic="people made to vanish", speaker_types=("ngo",))
    found = evidence(query, [seed], 4)
    assert len(found) == 4
    assert all(s.speaker_type == "ngo" and sentences for s, sentences in found)
    assert all(sentence in s.sentences for s, sentences in found for sentence in sentences)


def test_soft_term_matching_meets_a_synonym_and_nothing_for_a_term_foreign_to_the_document():
    from assistant.termmatch import TermMatcher
    from assistant.wordvectors import word_vectors

    model = load_model()
    sentences = ["Children were deported from the occupied regions.", "The budget of the programme was adopted in June."]
    matcher = TermMatcher(sentences, word_vectors(), *model.term_closeness)
    rows = np.arange(len(sentences))
    kids = matcher.match("kids taken away", rows)
    assert kids.coverage()[0] > kids.coverage()[1]
    assert matcher.match("nuclear reactors", rows).unmatched() == 1.0
    assert matcher.match("deported children", rows).unmatched() == 0.0


def test_paraphrases_find_their_statements_in_a_second_and_third_wording(assistant_offline, seed, burundi):
    answer = ask(assistant_offline, seed, question="Which countries talked about kids being taken to Russia or Belarus?",
                 intent="list", topic="kids being taken to Russia or Belarus", speaker_types=("state",))
    assert not answer.abstained and any("children" in c.quote.lower() for c in answer.citations)
    assert_verbatim(answer, seed)
    assistant, corpus = burundi
    answer = ask(assistant, corpus, question="Who spoke about reporters locked up?", intent="list", topic="reporters locked up")
    assert not answer.abstained and answer.citations
    assert any("journalist" in c.quote.lower() for c in answer.citations)
    assert_verbatim(answer, corpus)


@pytest.mark.parametrize("topic", ["volcanic eruptions", "cryptocurrency"])
def test_a_topic_with_no_counterpart_in_either_document_is_nobody(assistant_offline, seed, burundi, topic):
    for assistant, corpus in ((assistant_offline, seed), burundi):
        answer = ask(assistant, corpus, question=f"Did anyone talk about {topic}?", intent="list", topic=topic, yes_no=True)
        assert answer.abstained and answer.citations == (), answer.answer
        assert answer.answer.startswith("No.")


def test_the_quote_of_a_paraphrase_is_the_sentence_that_makes_the_point(burundi):
    assistant, corpus = burundi
    answer = ask(assistant, corpus, question="Who said the ruling party's youth wing attacks people?",
                 intent="list", topic="the ruling party's youth wing attacks people")
    assert answer.citations
    assert all("thank" not in c.quote.lower() for c in answer.citations)
    assert any("Imbonerakure" in c.quote for c in answer.citations)


# ---------------------------------------------------------------- speakers and absence


def test_a_named_speaker_answers_from_that_speaker_only(assistant_offline, seed):
    answer = ask(assistant_offline, seed, question="What did France say about political prisoners?", intent="speaker",
                 speakers=("France",), topic="political prisoners")
    assert cited(answer) == {"France"} and not answer.abstained
    assert_verbatim(answer, seed)


def test_a_speaker_not_in_the_list_did_not_take_the_floor(assistant_offline, seed):
    answer = ask(assistant_offline, seed, question="What did the United States say?", intent="speaker",
                 missing_speakers=("United States",))
    assert answer.abstained and answer.citations == ()
    assert "did not take the floor" in answer.answer


def test_a_listed_speaker_without_text_is_not_said_to_be_absent(assistant_offline, seed):
    answer = ask(assistant_offline, seed, question="What did Ruritania say?", intent="speaker", listed_speakers=("Ruritania",))
    assert "listed among the speakers" in answer.answer and "did not take the floor" not in answer.answer


def test_a_low_confidence_document_never_claims_absence_and_carries_a_notice(assistant_offline, seed):
    from assistant.retrieve import Corpus

    info = seed.data.info.model_copy(update={"confidence": 0.2})
    shaky = Corpus(dataclasses.replace(seed.data, info=info), assistant_offline)
    answer = ask(assistant_offline, shaky, question="What did the United States say?", intent="speaker",
                 missing_speakers=("United States",))
    assert "cannot tell who spoke" in answer.answer and "did not take the floor" not in answer.answer
    assert answer.notices


def test_yes_no_mention_is_no_only_when_the_speaker_is_far_from_the_topic(assistant_offline, seed):
    answer = ask(assistant_offline, seed, question="Did Spain mention cryptocurrency mining?", intent="speaker",
                 speakers=("Spain",), topic="cryptocurrency mining", yes_no=True)
    assert answer.answer.startswith("No.") and answer.abstained
    answer = ask(assistant_offline, seed, question="Did Spain mention the death penalty?", intent="speaker",
                 speakers=("Spain",), topic="death penalty", yes_no=True)
    assert answer.answer.startswith("Yes.") and cited(answer) == {"Spain"}


# ---------------------------------------------------------------- the meeting


def test_roster_names_every_ngo_that_spoke_once(assistant_offline, seed):
    answer = ask(assistant_offline, seed, question="Name all the NGOs that took the floor", intent="roster", speaker_types=("ngo",))
    ngos = {s.speaker for s in seed.data.statements if s.speaker_type == "ngo"}
    assert cited(answer) == ngos
    assert answer.answer.startswith(f"{len(ngos)} NGO")


def test_order_finds_who_spoke_right_after_the_country_concerned(assistant_offline, seed):
    statements = seed.data.statements
    concerned = next(i for i, s in enumerate(statements) if s.speaker_type == "country_concerned")
    expected = next(s for s in statements[concerned + 1:] if s.speaker_type != "panel")
    answer = ask(assistant_offline, seed, question="Who spoke first after the country concerned?", intent="order",
                 order_anchor=statements[concerned].speaker, order_offset=1)
    assert cited(answer) == {expected.speaker}


def test_count_of_a_speakers_statements(assistant_offline, seed):
    answer = ask(assistant_offline, seed, question="How many statements did France make?", intent="count", speakers=("France",))
    n = sum(s.speaker == "France" for s in seed.data.statements)
    assert answer.answer.startswith(f"France made {n} statement")


@pytest.mark.parametrize("fact, expected", [("date", "19 March 2025"), ("session", "HRC58"), ("participation", "43 State Delegations")])
def test_document_facts_come_from_metadata(assistant_offline, seed, fact, expected):
    answer = ask(assistant_offline, seed, question="a fact", intent="fact", fact=fact)
    assert expected in answer.answer and not answer.abstained


# ---------------------------------------------------------------- a second document


def test_burundi_paraphrase_finds_the_ruling_party_youth_league(burundi):
    assistant, corpus = burundi
    answer = ask(assistant, corpus, question="Who described the ruling party's youth militia?",
                 intent="list", topic="the ruling party's youth militia")
    assert not answer.abstained
    assert any("Imbonerakure" in c.quote for c in answer.citations)
    assert_verbatim(answer, corpus)


def test_burundi_absence_only_when_true(burundi):
    assistant, corpus = burundi
    answer = ask(assistant, corpus, question="Who talked about cryptocurrency mining?", intent="list", topic="cryptocurrency mining")
    assert answer.abstained and not answer.citations
    # A word in common ("civic space") does not hide that the rest of the topic is nowhere in the document.
    answer = ask(assistant, corpus, question="Who talked about space exploration?", intent="list", topic="space exploration")
    assert answer.abstained and not answer.citations


def test_a_missing_verb_of_a_paraphrase_is_no_evidence_that_nobody_raised_it():
    import numpy as np

    from assistant.termmatch import TermMatches

    matches = TermMatches(("mandate", "scrapped", "olympics"), np.ones(3), np.zeros((3, 1)), np.array([1.0, 0.0, 0.0]))
    assert matches.unmatched() == pytest.approx(2 / 3)
    assert matches.unmatched(("ed", "ing")) == pytest.approx(1 / 3)  # "scrapped" weighs, but never counts as missing


def test_the_verb_of_an_act_asked_for_is_no_evidence_that_nobody_raised_it():
    import numpy as np

    from assistant.termmatch import TermMatches

    # "who wants sanctions on aviation fuel?" of a document that says "called for targeted sanctions on jet fuel"
    matches = TermMatches(("wants", "sanctions", "aviation", "fuel"), np.ones(4), np.zeros((4, 1)), np.array([0.0, 1.0, 0.0, 1.0]))
    assert matches.unmatched() == pytest.approx(2 / 4)
    assert matches.unmatched(weak_words=frozenset({"wants", "urged"})) == pytest.approx(1 / 4)


def test_a_wanted_outcome_asked_in_other_words_is_found_not_denied(colon_labelled):
    assistant, corpus = colon_labelled
    answer = assistant.ask("who wants sanctions on aviation fuel?", [])
    assert not answer.abstained and [c.speaker for c in answer.citations] == ["Fortify Voices"]


def test_a_sentence_asking_the_opposite_does_not_answer_the_question():
    from assistant.polarity import reversal

    reversed_by = reversal("Who called for the mandate to be renewed?")
    assert reversed_by("The Russian Federation calls for the mandate to be ended.")
    assert not reversed_by("They call on the Council to renew the mandate of the Special Rapporteur.")
    assert reversal("Who raised torture?") is None  # no pole asked: nothing can reverse it


def test_who_called_for_renewal_leaves_out_the_speaker_who_wants_the_mandate_ended(burundi):
    assistant, corpus = burundi
    answer = ask(assistant, corpus, question="Who called for the mandate to be renewed?", intent="list", topic="the mandate to be renewed")
    assert "Amnesty International" in {c.speaker for c in answer.citations}
    assert not any("ended" in c.quote for c in answer.citations)


def test_a_term_with_only_a_faint_likeness_in_the_document_counts_as_missing():
    import numpy as np

    from assistant.relevance import load_model
    from assistant.termmatch import TermMatches

    # "glaciers" is nowhere in a document on water; its best match is a faint word-vector likeness.
    matches = TermMatches(("water", "glaciers", "melting"), np.ones(3), np.zeros((3, 1)), np.array([1.0, 0.1, 0.0]))
    assert matches.unmatched(("ed", "ing")) == 0.0  # strictly nothing: only the weak "-ing" word, which never counts
    assert matches.unmatched(("ed", "ing"), closeness=0.15) == pytest.approx(1 / 3)
    assert 0.0 < load_model().unmatched_closeness < 0.35  # fitted on dev, below the likeness of ordinary synonyms


def test_a_side_with_a_topic_of_its_own_lists_only_those_who_took_it_on_that_topic(assistant_offline, seed):
    from assistant.understand import understand

    query = understand("Which states criticised Belarus over the treatment of political prisoners?", [], [seed])
    assert (query.stance, query.stance_object) == ("critical", "country") and "prisoners" in query.topic
    answer = answer_offline(query, [seed], assistant_offline, {})
    every_critic = answer_offline(query.model_copy(update={"topic": "", "topic_label": ""}), [seed], assistant_offline, {})
    by_id = seed.data.by_id
    assert 0 < len(cited(answer)) < len(cited(every_critic))
    for c in answer.citations:
        assert by_id[c.statement_id].stance_on("country").position == "critical"
    assert sum("prisoner" in c.quote.lower() or "detain" in c.quote.lower() for c in answer.citations) >= len(answer.citations) / 2
    assert_verbatim(answer, seed)


def test_a_name_in_a_question_is_a_word_written_with_a_capital_inside_a_sentence():
    from assistant.text import proper_names

    assert proper_names("Was Ana Ortiz mentioned? Ask the UN about it.") == {"ana", "ortiz", "un"}
    assert proper_names("who talked about the water crisis?") == frozenset()


def test_a_name_matches_only_its_own_spelling_or_a_misspelling_never_a_similar_name():
    from assistant.termmatch import TermMatcher
    from assistant.wordvectors import word_vectors

    sentences = ["Minister Ivan Petrenko opened the session.", "The budget of the programme was adopted in June."]
    matcher = TermMatcher(sentences, word_vectors(), *load_model().term_closeness)
    rows = np.arange(len(sentences))
    assert matcher.match("Petrova", rows, frozenset({"petrova"})).unmatched() == 1.0
    assert matcher.match("Petrenko", rows, frozenset({"petrenko"})).unmatched() == 0.0
    assert matcher.match("Petrenkko", rows, frozenset({"petrenkko"})).unmatched() == 0.0  # mistyped


def test_a_speaker_who_never_names_what_is_asked_did_not_mention_it(assistant_offline, seed):
    """A question only about a name or an acronym is a fact about spelling: the long form counts, a likeness does not."""
    naming = next(s for s in seed.data.statements if "International Criminal Court" in s.text)
    silent = next(s for s in seed.data.statements if s.speaker_type == "state"
                  and "ICC" not in s.text and "Criminal Court" not in s.text)
    no = ask(assistant_offline, seed, question=f"Did {silent.speaker} mention the ICC?", intent="speaker",
             speakers=(silent.speaker,), topic="ICC", yes_no=True)
    assert no.answer == f"No. {silent.speaker}'s statement does not mention ICC." and no.abstained
    yes = ask(assistant_offline, seed, question=f"Did {naming.speaker} mention the ICC?", intent="speaker",
              speakers=(naming.speaker,), topic="ICC", yes_no=True)
    assert yes.answer.startswith("Yes.") and any("Criminal Court" in c.quote for c in yes.citations)
    assert_verbatim(yes, seed)


@pytest.mark.parametrize("name", ["Olga Brennan", "Tomasz Ridgeway"])
def test_a_person_the_document_never_names_was_not_mentioned(assistant_offline, seed, name):
    answer = ask(assistant_offline, seed, question=f"Was {name} mentioned?", intent="list", topic=name, yes_no=True)
    assert answer.abstained and answer.citations == (), answer.answer
    assert answer.answer.startswith("No.")


def test_a_person_the_document_names_is_found_by_the_sentence_that_names_them(assistant_offline, seed):
    person = "Bialiatski"  # named once in the seed, by one NGO
    answer = ask(assistant_offline, seed, question=f"Did anyone mention {person}?", intent="list", topic=person, yes_no=True)
    assert not answer.abstained and answer.answer.startswith("Yes.")
    assert all(person in c.quote for c in answer.citations)
    assert_verbatim(answer, seed)


def test_a_name_the_document_explains_is_found_when_the_question_asks_in_the_explanations_words(burundi):
    assistant, corpus = burundi
    defined = dict(corpus.defined_names)
    name = next(iter(defined))  # the Burundi summary explains one local name in an apposition
    assert len(defined[name]) >= 2 and all(n[0].isupper() for n, _ in corpus.defined_names)
    assert name in corpus.searchable("attacks by the youth league of the ruling party on opponents")
    assert name not in corpus.searchable("attacks on opponents by the police")
    answer = ask(assistant, corpus, question="Who raised violence by the ruling party's youth?", intent="list",
                 topic="violence by the ruling party's youth")
    naming = {c.speaker for c in answer.citations if name in c.quote}
    assert len(naming) >= 3, answer.answer  # speakers who only use the name count, not just the one who explained it
    assert_verbatim(answer, corpus)


def test_a_sentence_that_uses_an_acronym_covers_a_question_that_spells_it_out(seed):
    rows = [r for r, (p, i) in enumerate(seed.data.sentence_rows)
            if "UCMs" in seed.data.statements[p].sentences[i].text and "coercive" not in seed.data.statements[p].sentences[i].text]
    assert rows  # the seed says "UCMs" in some sentences without spelling it out
    coverage = seed.terms.match("unilateral coercive measures", np.array(rows)).coverage()
    assert coverage.min() == pytest.approx(1.0)


def test_each_concept_is_read_in_all_its_wordings_including_the_documents_own_acronyms():
    from assistant import topics

    pairs = [("Committee on Lakes", "CoL")]
    said = topics.wordings(topics.merged_index(topics.acronym_index(pairs)), pairs)
    assert {"Committee on Lakes", "CoL"} <= set(next(v for v in said.values() if "CoL" in v))
    assert any({"UCMs", "unilateral coercive measures"} <= set(v) for v in said.values())  # general HRC vocabulary


@pytest.mark.parametrize("label, count, noun", [
    ("Asian states", 1, "Asian state"), ("Asian states", 3, "Asian states"), ("EU members", 1, "EU member"),
    ("African Group", 1, "member of the African Group"), ("Like-Minded Group", 4, "members of the Like-Minded Group"),
    ("Asian states among those speakers", 2, "Asian states among those speakers"),
])
def test_a_count_of_a_region_or_group_reads_as_its_members_in_the_right_number(label, count, noun):
    from assistant.answer import _counted_label

    assert _counted_label(label, count) == noun


def test_a_scope_every_member_of_which_took_the_other_side_is_told_so_without_a_hedge(assistant_offline, seed):
    """A side nobody in scope took, when each of them took the opposite one: a fact of the stances read at index
    time, said as such; any neutral speaker in scope leaves it to the relevance judgement."""
    critics = tuple(sorted({s.speaker for s in seed.data.statements if s.speaker_type == "ngo"
                            and (x := s.stance_on("country")) is not None and x.position == "critical"}))
    neutral = {s.speaker for s in seed.data.statements if s.speaker_type == "ngo"
               and (x := s.stance_on("country")) is not None and x.position != "critical"}
    assert len(critics) >= 2 and not neutral
    answer = ask(assistant_offline, seed, question="Did any NGOs back the government?", intent="list", yes_no=True,
                 speaker_types=("ngo",), stance="supportive", stance_object="country")
    assert answer.abstained and not answer.citations
    assert answer.answer == (f"No. None of the {len(critics)} NGOs who took the floor was supportive of the country concerned "
                             f"(Belarus): all were critical of it.")
    answer = ask(assistant_offline, seed, question="Did any of them back the government?", intent="list", yes_no=True,
                 speaker_types=("ngo",), scope_label="those speakers", scope_speakers=critics[:1], stance="supportive",
                 stance_object="country")
    assert answer.answer == "No. None of those speakers was supportive of the country concerned (Belarus): the one in scope was critical of it."


def test_a_yes_or_no_side_question_answered_by_a_list_opens_with_yes(assistant_offline, seed):
    answer = ask(assistant_offline, seed, question="Did any states back the mandate?", intent="list", yes_no=True,
                 speaker_types=("state",), stance="supportive", stance_object="mandate")
    assert answer.answer.startswith("Yes. ") and answer.citations


def test_a_yes_or_no_side_on_a_topic_with_no_stance_read_is_not_answered_yes(assistant_offline, seed):
    asked = dict(question="Did anyone welcome the release of political prisoners?", intent="list",
                 topic="release of political prisoners", yes_no=True)
    assert ask(assistant_offline, seed, **asked).answer.startswith("Yes. ")
    answer = ask(assistant_offline, seed, **asked, side_on_topic="supportive")
    assert answer.citations and not answer.answer.startswith("Yes")


def test_a_group_that_took_the_floor_itself_speaks_for_itself(assistant_offline, seed):
    answer = ask(assistant_offline, seed, question="who spoke for the EU?", intent="roster", group="European Union",
                 scope_phrases=("EU",))
    assert answer.answer.startswith("The European Union took the floor itself:") and cited(answer) == {"European Union"}
    answer = ask(assistant_offline, seed, question="Did anyone speak on behalf of the Zarovian Group?", intent="roster",
                 group="Zarovian Group members", scope_phrases=("Zarovian Group",), yes_no=True)
    assert answer.answer == "No. No speaker took the floor on behalf of the Zarovian Group in this dialogue." and answer.abstained


def test_a_speakers_reply_to_the_criticism_is_the_side_it_took_on_the_mandate(assistant_offline, seed, monkeypatch):
    """When no sentence is judged to address the words, the side the speaker took on the object answers them."""
    model = load_model()
    monkeypatch.setattr("assistant.answer.load_model", lambda: model.model_copy(update={"addresses": 0.999999}))
    concerned = next(s for s in seed.data.statements if s.speaker_type == "country_concerned")
    stance = concerned.stance_on("mandate")
    assert stance is not None and stance.position == "critical" and stance.sentence is not None
    answer = ask(assistant_offline, seed, question=f"Did {concerned.speaker} reply to the criticism?", intent="speaker",
                 speakers=(concerned.speaker,), topic="criticism", stance_object="mandate", yes_no=True)
    assert answer.answer.startswith(f"Yes. {concerned.speaker} was critical of the mandate and its report: ")
    assert [c.quote for c in answer.citations] == [concerned.sentences[stance.sentence].text]


def test_what_a_scope_called_for_quotes_each_speakers_call(assistant_offline, seed):
    answer = ask(assistant_offline, seed, question="what did the NGOs call for?", intent="roster", speaker_types=("ngo",))
    assert answer.answer.splitlines()[0].endswith("; what each called for:")
    calls = [c.quote for c in answer.citations if re.search(r"\b(?:calls? (?:on|for)|urges?)\b", c.quote)]
    assert len(calls) >= len(answer.citations) // 2
    plain = ask(assistant_offline, seed, question="Which NGOs spoke?", intent="roster", speaker_types=("ngo",))
    assert plain.answer.splitlines()[0].endswith("took the floor:") and cited(plain) == cited(answer)


def test_contractions_of_function_words_are_no_terms_to_find():
    from assistant.termmatch import terms_of
    from assistant.text import content_words

    asked = "Who said families shouldn't lose water they can't pay for, and that it's wrong?"
    assert terms_of(asked) == ["families", "lose", "water", "pay", "wrong"]
    assert "shouldn't" not in content_words(asked) and "can't" not in content_words(asked)
    assert "belarus" in content_words("Belarus's delegation")


@pytest.mark.parametrize(("asked", "kept"), [
    ("who said water shouldn't be traded like oil or gold?", "who said water shouldn't be traded ?"),
    ("Was it treated as if it were a commodity?", "Was it treated ?"),
    ("I would like to know about torture", "I would like to know about torture"),
])
def test_what_a_point_is_compared_to_is_not_a_term_the_document_must_hold(asked, kept):
    assert " ".join(load_model().without_similes(asked).split()) == " ".join(kept.split())


def test_a_negated_wish_asks_for_the_other_pole_of_what_was_wished():
    from assistant import polarity

    ended = polarity.reversal("who didn't want the mandate renewed?")
    assert ended("They call on the Council to renew the mandate.") and not ended("It calls for the mandate to be ended.")
    assert not any(negated for word, _, negated in polarity._tokens("did not want to talk about the sham election") if word == "sham")


def test_a_group_that_a_state_spoke_for_took_part_through_it(colon_labelled):
    # "what did the OIC say?" when Pakistan spoke on its behalf: not "the OIC did not take the floor"
    assistant, _ = colon_labelled
    answer = assistant.ask("what did the OIC say?", [])
    assert not answer.abstained and [c.speaker for c in answer.citations] == ["Pakistan"]
    assert "on behalf of the Organisation of Islamic Cooperation" in answer.answer
