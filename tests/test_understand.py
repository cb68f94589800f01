"""Question understanding: question in, `Query` out, on real indexed documents and the real embedding model.

Three documents: the seed (Belarus, the session index), and a module index of the Burundi test document and
the thematic dialogue on water, so every behaviour is checked on dialogues of different vocabulary and layout.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.models import Message, Query
from tests.conftest import BURUNDI_TEXT, ROOT

WATER_TEXT = ROOT / "tests" / "data" / "hrc60-water-id.txt"


@pytest.fixture(scope="module")
def other_documents(tmp_path_factory, embedder):
    """An engine over the Burundi and water dialogues (real Chroma, real model)."""
    from assistant.engine import Assistant
    from assistant.settings import Settings
    from index.store import index_paths

    settings = Settings(home=tmp_path_factory.mktemp("understand-home"))
    index_paths(settings, [BURUNDI_TEXT, WATER_TEXT], embedder_factory=lambda: embedder)
    return Assistant(settings, embedder=embedder)


def _corpus(assistant, source_name: str):
    for info in assistant.documents().values():
        if info.source == source_name:
            return assistant.corpus(info.document_id)
    raise AssertionError(f"{source_name} is not indexed")


@pytest.fixture(scope="module")
def belarus(assistant_offline):
    return assistant_offline.corpus(assistant_offline.default_document())


@pytest.fixture(scope="module")
def burundi(other_documents):
    return _corpus(other_documents, BURUNDI_TEXT.name)


@pytest.fixture(scope="module")
def water(other_documents):
    return _corpus(other_documents, WATER_TEXT.name)


def understood(corpus, question: str, *turns: tuple[str, str]) -> Query:
    from assistant.understand import understand

    history = [Message(role=role, content=content) for role, content in turns]
    return understand(question, history, [corpus])


def speakers_of(corpus, *types: str) -> set[str]:
    return {s.speaker for s in corpus.data.statements if not types or s.speaker_type in types}


# ---------------------------------------------------------------- who is asked about

def test_a_named_speaker_and_topic_make_a_speaker_query(belarus):
    query = understood(belarus, "What did France say about political prisoners?")
    assert (query.intent, query.speakers, query.topic) == ("speaker", ("France",), "political prisoners")
    assert query.standalone == query.asked == "What did France say about political prisoners?"


def test_lowercase_and_typos_still_name_the_speaker(water):
    query = understood(water, "wat did kenya say abt slums")
    assert query.intent == "speaker" and query.speakers == ("Kenya",)
    assert query.topic == "slums"


def test_two_named_speakers_make_a_comparison(belarus):
    query = understood(belarus, "How did Russia and Ireland differ on the January presidential election?")
    assert query.intent == "compare"
    assert set(query.speakers) == {"Russian Federation", "Ireland"}
    assert "presidential election" in query.topic


def test_a_preamble_names_who_a_later_pronoun_means(belarus):
    query = understood(belarus, "Malta and Spain both raised the death penalty — how did their points differ?")
    assert query.intent == "compare" and set(query.speakers) == {"Malta", "Spain"}
    assert "death penalty" in query.topic


def test_roles_resolve_to_the_presenters(belarus):
    chair = understood(belarus, "What did the Chair say about torture and ill-treatment of detainees?")
    assert chair.intent == "speaker" and len(chair.speakers) == 1
    assert belarus.data.by_id and chair.speakers[0] in speakers_of(belarus, "panel")
    concerned = understood(belarus, "Does the country concerned admit to holding political prisoners?")
    assert concerned.speakers == ("Belarus",) and concerned.yes_no


def test_a_name_in_the_topic_is_not_a_speaker(belarus):
    query = understood(belarus, "What did France say about Ukraine?")
    assert query.speakers == ("France",) and query.topic == "Ukraine"


# ---------------------------------------------------------------- honest absence of speakers

def test_a_state_that_did_not_speak_is_missing_not_ignored(belarus):
    query = understood(belarus, "What did Canada say about Belarusian lawyers?")
    assert query.speakers == () and query.missing_speakers == ("Canada",)
    assert query.intent == "speaker"


def test_an_organisation_that_did_not_speak_is_missing(water):
    query = understood(water, "What did Human Rights Watch say about sanitation?")
    assert query.missing_speakers == ("Human Rights Watch",) and query.speakers == ()


def test_an_unresolved_role_is_missing(belarus):
    query = understood(belarus, "What did the Special Rapporteur on Belarus say in the dialogue?")
    assert query.speakers == () and query.missing_speakers


@pytest.mark.parametrize("written", ["Fr\u0430nce", "Fra\u00adnce", "Fra\u200dnce", "\ufeffFrance", "F\u0433ance".replace("\u0433", "r")])
def test_look_alike_characters_fold_to_the_speaker(belarus, written):
    query = understood(belarus, f"What did {written} say about political prisoners?")
    assert query.speakers == ("France",) and query.missing_speakers == ()


def test_real_cyrillic_words_are_not_folded():
    from assistant.lookalike import clean, fold

    assert clean("Россия") == "Россия"
    assert fold("Fr\u0430nce") == "france"
    assert len(fold("Côte d'Ivoire")) == len(clean("Côte d'Ivoire"))


# ---------------------------------------------------------------- scope: types, regions, blocs, groups

def test_type_words_scope_a_list(belarus):
    query = understood(belarus, "Which NGOs talked about trade unions?")
    assert query.intent == "list" and query.speaker_types == ("ngo",) and "trade unions" in query.topic


def test_civil_society_means_ngos(water):
    query = understood(water, "Which civil society groups talked about mining?")
    assert query.intent == "list" and "ngo" in query.speaker_types and query.topic == "mining"


def test_a_kind_of_speaker_addressed_by_the_verb_is_no_scope(water):
    # "who urged governments to…": the governments are whom the speaker addressed; anyone may have said it
    for question in ("Who urged governments to stop cutting off water to poor families?",
                     "Who said the country must protect herders?"):
        query = understood(water, question)
        assert query.intent == "list" and query.speaker_types == (), question
    query = understood(water, "Which NGOs called on States to regulate mining companies?")
    assert query.speaker_types == ("ngo",) and "mining" in query.topic


def test_a_contracted_question_word_is_no_topic(water):
    # "whats" written out is "what's"; neither it nor "who's" is what the question is about
    query = understood(water, "whos against the mandate")
    assert (query.stance, query.stance_object, query.topic) == ("critical", "mandate", "")
    query = understood(water, "whats the african group's position")
    assert query.group == "African Group" and query.topic == ""


def test_disagreeing_with_the_rapporteur_is_a_critical_side(water):
    query = understood(water, "which countries said they disagree with the Special Rapporteur?")
    assert (query.stance, query.stance_object) == ("critical", "mandate")


def test_the_capital_of_the_country_concerned_stands_for_its_government_in_any_case(water):
    for question in ("Which countries defended Ulaanbaatar?", "which countries defended ulaanbaatar?"):
        query = understood(water, question)
        assert (query.stance, query.stance_object, query.topic) == ("supportive", "country", ""), question


def test_name_all_the_ngos_is_a_roster(belarus):
    query = understood(belarus, "Name all the NGOs that took the floor")
    assert (query.intent, query.speaker_types, query.topic) == ("roster", ("ngo",), "")


def test_an_asian_scope_lists_the_asian_states_that_spoke(belarus):
    query = understood(belarus, "Which Asian states backed Belarus?")
    assert query.intent == "list" and query.scope_label == "Asian states"
    assert "China" in query.scope_speakers and "France" not in query.scope_speakers
    assert set(query.scope_speakers) <= speakers_of(belarus, "state", "country_concerned")
    assert (query.stance, query.stance_object) == ("supportive", "country")


def test_latin_american_and_eu_scopes(water):
    latin = understood(water, "any latin american countries speak?")
    assert {"Brazil", "Mexico", "Chile", "Cuba"} <= set(latin.scope_speakers)
    assert latin.intent in ("roster", "list") and not latin.speakers
    eu = understood(water, "Which EU member states spoke?")
    assert {"Finland", "Germany", "Spain", "France", "Portugal"} == set(eu.scope_speakers)
    assert eu.intent == "roster"


def test_members_of_a_group_are_its_scope_not_a_topic(water):
    roster = understood(water, "Which members of the African Group spoke?")
    assert roster.intent == "roster" and roster.topic == "" and "Nigeria" in roster.scope_speakers
    scoped = understood(water, "which members of the OIC raised mining?")
    assert scoped.topic == "mining" and scoped.scope_phrases == ("members of the OIC",)
    topical = understood(water, "Who said that no member of the police was ever punished?")
    assert "member of the police" in topical.topic and not topical.scope_phrases


def test_what_a_scope_said_about_the_mandate_asks_for_their_sides_on_it(burundi):
    query = understood(burundi, "what did the african states say about the mandate?")
    assert (query.intent, query.stance, query.stance_object) == ("list", None, "mandate")


def test_asking_who_delivered_a_statement_with_a_speaker_asks_whose_statement_it_was(burundi):
    query = understood(burundi, "Which organisation did TRIAL International deliver its statement with?")
    assert query.speakers == ("TRIAL International",) and query.asks_group and query.intent == "speaker"


def test_what_a_side_accuses_the_object_of_is_the_topic(water):
    accused = understood(water, "Which states accused the Rapporteur of overreach?")
    assert (accused.stance, accused.stance_object, accused.topic) == ("critical", "mandate", "overreach")
    dismissed = understood(water, "Who dismissed the report of the Rapporteur as one-sided?")
    assert (dismissed.stance, dismissed.stance_object, dismissed.topic) == ("critical", "mandate", "one-sided")
    whole = understood(water, "Who backed the mandate of the Special Rapporteur?")
    assert (whole.stance, whole.stance_object, whole.topic) == ("supportive", "mandate", "")


def test_those_after_an_answer_that_listed_nobody_are_the_speakers_listed_before_it(burundi):
    history = (("user", "Which states criticised the report?"),
               ("assistant", "- **Côte d'Ivoire** (state) [1]\n- **Luxembourg** (state) [2]"),
               ("user", "any of them from Asia?"),
               ("assistant", "No. None of those speakers is among the Asian states (the country concerned is Burundi)."))
    query = understood(burundi, "which of those mentioned prisons?", *history)
    assert set(query.scope_speakers) == {"Côte d'Ivoire", "Luxembourg"} and query.topic == "prisons"


def test_speaking_for_a_group_is_a_group_scope(burundi):
    query = understood(burundi, "What did the states speaking on behalf of the African Group say?")
    assert query.group == "African Group"


def test_asking_whose_behalf(water):
    query = understood(water, "Which group did Finland speak for?")
    assert query.speakers == ("Finland",) and query.asks_group and query.intent == "speaker"


def test_every_state_speaker_maps_to_a_country_code(belarus, burundi, water):
    from assistant.regions import iso3

    for corpus in (belarus, burundi, water):
        unmapped = [name for name in speakers_of(corpus, "state", "country_concerned") if iso3(name) is None]
        assert unmapped == []
    assert iso3("Lao People's Democratic Republic") == "LAO"
    assert iso3("Democratic People's Republic of Korea") == "PRK"
    assert iso3("Türkiye") == "TUR" and iso3("Russian Federation") == "RUS"


# ---------------------------------------------------------------- stance and its object

@pytest.mark.parametrize(
    ("question", "stance", "target"),
    [
        ("Who sided with the government?", "supportive", "country"),
        ("Who sided with Minsk?", "supportive", "country"),
        ("who backed the mandate?", "supportive", "mandate"),
        ("Who opposed the report?", "critical", "mandate"),
        ("Which states criticised Belarus?", "critical", "country"),
        ("Which delegations rejected the experts' work?", "critical", "mandate"),
    ],
)
def test_stance_questions_resolve_their_object(belarus, question, stance, target):
    query = understood(belarus, question)
    assert query.intent == "list" and (query.stance, query.stance_object) == (stance, target)
    assert query.speakers == ()


def test_welcoming_a_release_is_a_topic_not_a_side(belarus):
    query = understood(belarus, "Who welcomed the release of political prisoners?")
    assert query.stance is None and "release of political prisoners" in query.topic


def test_condemning_a_measure_against_the_country_is_not_criticising_it(belarus):
    query = understood(belarus, "Which countries condemned unilateral coercive measures against Belarus?")
    assert query.stance_object != "country" and query.speakers == ()


@pytest.mark.parametrize(
    ("question", "stance", "target"),
    [
        ("Which delegations objected to country-specific mandates in principle?", "critical", "mandate"),
        ("Who opposed the report or the Rapporteur's mandate?", "critical", "mandate"),
    ],
)
def test_a_side_towards_its_object_and_nothing_else_has_no_topic(burundi, question, stance, target):
    query = understood(burundi, question)
    assert (query.stance, query.stance_object, query.topic) == (stance, target, "")


def test_a_side_word_inside_a_topic_is_the_topic_not_a_side(burundi):
    query = understood(burundi, "Who said vague charges are used to lock up critics?")
    assert query.stance is None and "charges" in query.topic


def test_a_side_with_no_object_is_still_a_side(burundi):
    query = understood(burundi, "Which NGOs were critical?")
    assert (query.stance, query.stance_object, query.speaker_types, query.topic) == ("critical", None, ("ngo",), "")


def test_stance_on_another_document(burundi):
    query = understood(burundi, "Who sided with Bujumbura?")
    assert (query.stance, query.stance_object) == ("supportive", "country")


# ---------------------------------------------------------------- the meeting itself

def test_speaking_order_is_anchored_on_the_country_concerned(water):
    query = understood(water, "Who spoke first after the country concerned?")
    assert (query.intent, query.order_anchor, query.order_offset) == ("order", "Mongolia", 1)


def test_last_speaker(belarus):
    query = understood(belarus, "Who was the last speaker?")
    assert query.intent == "order" and query.order_anchor is None and query.order_offset == -1


def test_counting_statements_of_a_speaker_and_speakers_of_a_type(belarus):
    by_speaker = understood(belarus, "How many statements did France make?")
    assert by_speaker.intent == "count" and by_speaker.speakers == ("France",)
    by_type = understood(belarus, "how many NGOs spoke")
    assert by_type.intent == "count" and by_type.speaker_types == ("ngo",)


def test_meeting_facts(water, belarus):
    assert (understood(water, "When was this dialogue held?").fact) == "date"
    fact = understood(belarus, "Which HRC session was this?")
    assert fact.intent == "fact" and fact.fact == "session"


# ---------------------------------------------------------------- topic and preambles

def test_a_preamble_gives_the_topic_a_pronoun_refers_to(belarus):
    query = understood(belarus, "I'm writing about unions. Which organisation talked about them being dissolved?")
    assert query.intent == "list" and query.asked.startswith("Which organisation")
    assert "unions" in query.topic and "unions" in query.standalone


def test_scaffolding_never_becomes_the_topic(belarus):
    query = understood(belarus, "Attribution matters to me, so could you tell me who raised the death penalty?")
    assert query.topic == "death penalty" and query.intent == "list"
    chatty = understood(belarus, "Hi! Quick question for my article: what did Spain say about the death penalty?")
    assert chatty.speakers == ("Spain",) and chatty.topic == "death penalty"


# ---------------------------------------------------------------- follow-ups over answers

ANSWER_WATER_MANDATE = (
    "14 speakers backed the mandate:\n**Brazil** (state, p. 3): “Brazil supports the mandate.” [1]\n"
    "**Germany** (state, p. 2): “Germany fully supports the mandate.” [2]\n**Chile** (state, p. 3): “Chile supports the mandate.” [3]\n"
    "**Cuba** (state, p. 3): “Cuba reaffirms its support.” [4]\n**Kenya** (state, p. 4): “Kenya supports the mandate.” [5]"
)


def test_which_of_them_filters_the_previous_answer_by_region(water):
    history = (("user", "Who backed the mandate?"), ("assistant", ANSWER_WATER_MANDATE))
    query = understood(water, "Which of them are from Latin America?", *history)
    assert set(query.scope_speakers) == {"Brazil", "Chile", "Cuba"}
    assert query.follow_up and query.intent == "list"
    assert (query.stance, query.stance_object) == ("supportive", "mandate")
    eu = understood(water, "Any EU members among them?", *history)
    assert eu.scope_speakers == ("Germany",) and eu.yes_no


def test_did_any_of_them_also_keeps_the_speakers_with_a_new_topic(water):
    history = (("user", "Who mentioned Indigenous peoples?"),
               ("assistant", "**Brazil** (state, p. 3): “…Indigenous peoples…” [1]\n**Mexico** (state, p. 3): “…” [2]"))
    query = understood(water, "Did any of them also talk about mining?", *history)
    assert set(query.scope_speakers) == {"Brazil", "Mexico"} and query.topic == "mining" and query.follow_up


def test_the_one_speaking_for_a_group_is_resolved_from_the_statements(water):
    history = (("user", "Which groups of states were represented?"),
               ("assistant", "**Nigeria** (state, on behalf of the African Group, p. 2) [1]"))
    query = understood(water, "What did the one speaking for the African Group say about private companies?", *history)
    assert query.speakers == ("Nigeria",) and query.intent == "speaker" and "private companies" in query.topic


def test_an_elliptic_turn_keeps_the_topic_with_a_new_speaker(belarus):
    history = (("user", "What did France say about political prisoners?"), ("assistant", "**France** (state, p. 16): “…” [1]"))
    query = understood(belarus, "And China?", *history)
    assert (query.intent, query.speakers, query.topic, query.follow_up) == ("speaker", ("China",), "political prisoners", True)
    assert query.standalone == "What did China say about political prisoners?"


def test_what_about_a_type_keeps_the_question(belarus):
    history = (("user", "Who raised the death penalty?"), ("assistant", "**Malta** … **Spain** …"))
    query = understood(belarus, "What about the NGOs?", *history)
    assert query.intent == "list" and query.speaker_types == ("ngo",) and query.topic == "death penalty"


def test_a_pronoun_follow_up_keeps_the_speaker(belarus):
    history = (("user", "What did the Russian delegation say about the election?"), ("assistant", "**Russian Federation** …"))
    query = understood(belarus, "Did it say anything about observers?", *history)
    assert query.speakers == ("Russian Federation",) and query.topic == "observers" and query.yes_no


def test_a_standalone_question_after_history_is_not_a_follow_up(belarus):
    history = (("user", "What did France say about political prisoners?"), ("assistant", "**France** …"))
    query = understood(belarus, "Which delegations raised the death penalty?", *history)
    assert not query.follow_up and query.speakers == () and query.topic == "death penalty"


# ---------------------------------------------------------------- the data is general

def test_intent_examples_are_many_per_intent_and_name_no_test_dialogue():
    from assistant.intents import load_examples
    from assistant.models import Intent

    examples = load_examples()
    counts = {intent: sum(e.intent == intent for e in examples) for intent in Intent.__args__}
    assert min(counts.values()) >= 20, counts
    text = " ".join(e.text.lower() for e in examples)
    assert not any(word in text for word in ("belarus", "minsk", "burundi", "mongolia"))


def test_every_group_says_why_it_is_general():
    from assistant.regions import GROUPS_FILE, blocs

    entries = json.loads(GROUPS_FILE.read_text(encoding="utf-8"))["groups"]
    assert all(entry["why_general"] for entry in entries)
    by_key = {b.key: b for b in blocs()}
    assert len(by_key["eu"].members) == 27 and len(by_key["african_group"].members) == 54


def test_a_speaker_name_holding_a_region_word_is_the_speaker_not_a_regional_scope(tmp_path_factory, embedder):
    """ "Coalition for Justice in the Caribbean" is one NGO; "Caribbean" inside it is no regional scope."""
    from assistant.engine import Assistant
    from assistant.settings import Settings
    from index.store import index_paths

    path = Path(__file__).resolve().parent / "data" / "un-haiti-single-newline.txt"
    settings = Settings(home=tmp_path_factory.mktemp("hrc-caribbean"))
    index_paths(settings, [path], embedder_factory=lambda: embedder)
    assistant = Assistant(settings, embedder=embedder)
    corpus = assistant.corpus(assistant.default_document())
    query = understood(corpus, "What did Coalition for Justice in the Caribbean say?")
    assert query.intent == "speaker"
    assert query.speakers == ("Coalition for Justice in the Caribbean",)
    assert query.scope_speakers is None
    scoped = understood(corpus, "Which Caribbean states spoke about elections?")
    assert scoped.scope_speakers is not None and "Haiti" in scoped.scope_speakers


# ---------------------------------------------------------------- headlines, meeting facts, order and groups in scope

def _ask(assistant, corpus, question: str, *turns: tuple[str, str]):
    history = [Message(role=role, content=content) for role, content in turns]
    return assistant.ask(question, history=history, document_id=corpus.data.info.document_id)


def test_a_topic_label_is_a_noun_phrase_of_the_question_or_nothing(water):
    marked = understood(water, "Which states talked about private companies?")
    assert marked.topic_label == "private companies"
    clause = understood(water, "Who wants Ulaanbaatar to let outside inspectors into the ger districts?")
    assert clause.topic and clause.topic_label == ""


def test_a_headline_never_echoes_a_fragment_of_the_question(other_documents, water):
    answer = _ask(other_documents, water, "Who wants Ulaanbaatar to let outside inspectors into the ger districts?")
    head = answer.answer.splitlines()[0]
    assert "wants" not in head and "let outside" not in head
    assert head.startswith(("No statement clearly addresses this question", "No speaker", "1 ")) or " addressed " in head


def test_how_many_took_part_is_answered_from_the_participation_figures(other_documents, water):
    query = understood(water, "How many state delegations took part?")
    assert (query.intent, query.fact) == ("fact", "participation")
    answer = _ask(other_documents, water, "How many state delegations took part?")
    assert "22 State Delegations" in answer.answer and not answer.abstained
    assert "Non-Governmental" not in answer.answer and answer.citations == ()


def test_a_topical_question_naming_the_mandate_is_not_a_meeting_fact(water):
    query = understood(water, "Under which resolution was Mongolia asked to report on its water tariffs?")
    assert query.intent != "fact" and query.topic


def test_the_mandate_fact_cites_the_presenter(other_documents, water):
    query = understood(water, "Which mechanism's report was discussed in this dialogue?")
    assert (query.intent, query.fact) == ("fact", "mandate")
    answer = _ask(other_documents, water, "Which mechanism's report was discussed in this dialogue?")
    assert answer.citations and {c.speaker_type for c in answer.citations} == {"panel"}


def test_according_to_a_speaker_with_a_figure_keeps_the_topic(water):
    query = understood(water, "According to Kenya, how many residents rely on water vendors?")
    assert query.speakers == ("Kenya",) and query.intent == "speaker"
    assert "water vendors" in query.topic


def test_main_criticisms_of_the_report_is_a_critical_overview_of_the_mandate(water):
    query = understood(water, "What were the main criticisms of the report?")
    assert (query.intent, query.stance, query.stance_object) == ("overview", "critical", "mandate")


def test_main_concerns_of_a_type_quote_every_speaker_of_that_type(other_documents, water):
    answer = _ask(other_documents, water, "What were the main concerns raised by the NGOs?")
    assert {c.speaker for c in answer.citations} == speakers_of(water, "ngo")


def test_order_within_a_type_scope(other_documents, water):
    query = understood(water, "Which NGO spoke last?")
    assert (query.intent, query.speaker_types, query.order_offset, query.topic) == ("order", ("ngo",), -1, "")
    answer = _ask(other_documents, water, "Which NGO spoke last?")
    last_ngo = [s for s in water.data.statements if s.speaker_type == "ngo"][-1]
    assert [c.speaker for c in answer.citations] == [last_ngo.speaker]


def test_a_count_of_a_type_has_no_topic(belarus):
    query = understood(belarus, "How many intergovernmental organisations spoke, and which one?")
    assert (query.intent, query.speaker_types, query.topic) == ("count", ("igo",), "")


def test_on_behalf_of_any_group(other_documents, water):
    query = understood(water, "Which delegations spoke on behalf of a group of countries?")
    assert query.any_group and query.group is None
    answer = _ask(other_documents, water, "Which delegations spoke on behalf of a group of countries?")
    behalf = {s.speaker for s in water.data.statements if s.on_behalf_of and s.speaker_type in ("state", "country_concerned")}
    assert behalf and {c.speaker for c in answer.citations} == behalf


@pytest.mark.parametrize(("written", "speaker"), [("Finalnd", "Finland"), ("Brazl", "Brazil"), ("saudi arbia", "Saudi Arabia"),
                                                  ("Portgual", "Portugal")])
def test_misspelt_speaker_names_are_corrected_against_the_speakers_of_the_document(water, written, speaker):
    query = understood(water, f"What did {written} say about tariffs?")
    assert query.speakers == (speaker,) and query.topic == "tariffs"
    assert speaker in query.asked


def test_a_word_one_letter_from_a_name_is_not_that_speaker(water):
    query = understood(water, "What did Stain say about tariffs?")
    assert "Spain" not in query.speakers


def test_a_clause_about_the_asker_is_a_preamble(burundi):
    query = understood(burundi, "my editor wants to know what turkey said")
    assert query.speakers == ("Türkiye",) and query.topic == "" and query.intent == "speaker"


def test_which_of_those_from_a_region_keeps_the_stance_and_has_no_topic(water):
    history = (("user", "Who backed the mandate?"), ("assistant", ANSWER_WATER_MANDATE))
    query = understood(water, "which of those are from Latin America?", *history)
    assert query.topic == "" and (query.stance, query.stance_object) == ("supportive", "mandate")


def test_a_follow_up_over_earlier_speakers_says_of_those_speakers(other_documents, water):
    history = (("user", "Who backed the mandate?"), ("assistant", ANSWER_WATER_MANDATE))
    answer = _ask(other_documents, water, "Did any of them also talk about Indigenous peoples?", *history)
    assert "those speakers" not in answer.answer.splitlines()[0] or "of those speakers" in answer.answer.splitlines()[0]


def test_chat_spellings_and_misspelt_procedure_words_are_written_out(burundi):
    query = understood(burundi, "pls wat did the rappoteur recommend abt elections")
    assert query.asked == "what did the rapporteur recommend about elections"
    assert query.speakers == tuple(speakers_of(burundi, "panel"))[:1] and query.topic == "elections"


def test_according_to_the_government_is_the_country_concerned(burundi):
    query = understood(burundi, "How many refugees have come home, according to the government?")
    assert query.speakers == ("Burundi",) and query.intent == "speaker" and "refugees" in query.topic


def test_the_subject_of_a_journalists_piece_is_what_a_pronoun_means(water):
    query = understood(water, "im doing a story on sanitation workers - who brought them up?")
    assert query.intent == "list" and query.topic == "sanitation workers" and query.topic_label == "sanitation workers"


def test_remind_me_is_a_preamble(burundi):
    query = understood(burundi, "can you remind me what venezuala said")
    assert query.speakers == ("Venezuela",) and query.topic == "" and not query.yes_no


@pytest.mark.parametrize("question, speaker", [
    ("Make up a quote from France about water prices, it's only for a draft.", "France"),
    ("invent a short quote from Germany praising the mining companies", "Germany"),
])
def test_a_request_to_make_up_a_quote_is_flagged_and_names_its_speaker(water, question, speaker):
    query = understood(water, question)
    assert query.fabrication
    assert query.speakers == (speaker,)


def test_a_plain_question_is_not_a_request_to_make_up_a_quote(water):
    query = understood(water, "What did France say about water prices?")
    assert not query.fabrication and query.speakers == ("France",)


def test_a_speaker_outside_the_type_asked_for_is_what_they_spoke_of(belarus):
    query = understood(belarus, "Which states accused the experts of bias?")
    assert query.speakers == () and "state" in query.speaker_types and query.intent == "list"


@pytest.mark.parametrize("question, stance, obj", [
    ("Which speakers found fault with the Rapporteur's report?", "critical", "mandate"),
    ("Who dismissed the report as biased?", "critical", "mandate"),
    ("Who sided with Mongolia?", "supportive", "country"),
])
def test_a_side_taken_is_a_stance_list_not_the_roster_or_a_meeting_fact(water, question, stance, obj):
    query = understood(water, question)
    assert (query.intent, query.stance, query.stance_object) == ("list", stance, obj)


@pytest.mark.parametrize(
    ("document", "question", "speaker"),
    [
        ("burundi", "What did Amnesty say about the elections?", "Amnesty International"),
        ("belarus", "What did the Helsinki Committee say?", "National Human Rights Civic Association 'Belarusian Helsinki Committee'"),
        ("belarus", "What did the Bar Association say about lawyers?", "International Bar Association's Human Rights Institute"),
        ("water", "Did the Franciscans mention mining?", "Franciscans International"),
    ],
)
def test_an_organisation_called_by_part_of_its_name_is_that_speaker(request, document, question, speaker):
    assert understood(request.getfixturevalue(document), question).speakers == (speaker,)


@pytest.mark.parametrize(
    ("document", "question"),
    [
        ("burundi", "Who raised amnesty laws?"),
        ("water", "Who talked about forms of discrimination?"),
        ("belarus", "Who talked about the national human rights institution?"),
    ],
)
def test_the_ordinary_words_of_an_organisations_name_are_a_topic(request, document, question):
    query = understood(request.getfixturevalue(document), question)
    assert query.speakers == () and query.topic


# ---------------------------------------------------------------- journalists' shapes (gold4: chatty, follow-ups, meeting)

@pytest.mark.parametrize(
    ("message", "asked"),
    [
        ("someone described the new dam as a weapon — who said that?", "Who described the new dam as a weapon?"),
        ("Sorry again. A delegation compared the census to a farce. Which delegation was that?",
         "Which delegation compared the census to a farce?"),
        ("I read that the curfew was called cruel. Who said that?", "Who said that the curfew was called cruel?"),
        ("What did Freedonia say? Who said that?", "Who said that?"),
    ],
)
def test_a_claim_ending_in_who_said_that_is_a_question_about_the_claim(message, asked):
    from assistant.understand import _asking_sentence

    assert _asking_sentence(message)[0] == asked


def test_a_claim_and_its_request_become_a_list_on_the_claim(water):
    query = understood(water, "a delegation pushed everyone to protect herders from the cold — who was that?")
    assert query.intent == "list" and "herders" in query.topic and "state" in query.speaker_types


def test_a_rejected_intent_stays_rejected_when_the_router_chooses_again(burundi):
    query = understood(burundi, "I'm filing on fisheries tonight, quick one: who called for the fishermen to be released?")
    assert query.intent == "list" and query.fact is None and "fishermen" in query.topic


@pytest.mark.parametrize(("document", "question", "anchor"), [
    ("belarus", "who spoke first after belarus?", "Belarus"),
    ("water", "who took the floor right after mongolia?", "Mongolia"),
])
def test_the_country_concerned_can_anchor_the_speaking_order(request, document, question, anchor):
    query = understood(request.getfixturevalue(document), question)
    assert (query.intent, query.order_anchor, query.order_offset) == ("order", anchor, 1)


NGO_ROSTER_BURUNDI = ("- **Amnesty International** (NGO, p. 6) [1]\n- **East and Horn of Africa Human Rights Defenders Project** (NGO, p. 6) [2]\n"
                      "- **TRIAL International** (NGO, p. 7) [3]\n- **World Organisation Against Torture** (NGO, p. 7) [4]")


def test_the_one_described_by_words_of_its_name_is_that_earlier_speaker(burundi):
    history = (("user", "Which NGOs spoke?"), ("assistant", NGO_ROSTER_BURUNDI))
    query = understood(burundi, "what did the one working on defenders in the Horn of Africa say about prisons?", *history)
    assert query.speakers == ("East and Horn of Africa Human Rights Defenders Project",) and query.intent == "speaker"
    assert query.topic == "prisons" and query.scope_speakers is None


def test_a_description_sharing_one_word_with_a_name_is_not_that_speaker(burundi):
    history = (("user", "Which NGOs spoke?"), ("assistant", NGO_ROSTER_BURUNDI))
    query = understood(burundi, "what did the one from Africa say about prisons?", *history)
    assert query.speakers != ("East and Horn of Africa Human Rights Defenders Project",)


@pytest.mark.parametrize(("document", "question", "speaker"), [
    ("water", "wat did the iranians say abt wells", "Iran"),
    ("burundi", "what did the americans say about the courts?", "United States"),
    ("water", "did the saudis mention prices?", "Saudi Arabia"),
])
def test_a_plural_demonym_names_the_state(request, document, question, speaker):
    assert understood(request.getfixturevalue(document), question).speakers == (speaker,)


@pytest.mark.parametrize("question", ["what did the helsinki committee say about prisons",
                                      "what did the helsinki committe say about prisons"])
def test_part_of_an_ngo_name_in_lower_case_or_misspelt_is_that_ngo(belarus, question):
    query = understood(belarus, question)
    assert query.speakers == ("National Human Rights Civic Association 'Belarusian Helsinki Committee'",)


def test_a_turn_opening_with_and_goes_on_with_the_same_speaker(water):
    history = (("user", "What did Kenya say about informal settlements?"), ("assistant", "**Kenya** (state, p. 6): “…” [1]"))
    query = understood(water, "and how much do households pay for a bucket there?", *history)
    assert query.speakers == ("Kenya",) and query.intent == "speaker"
    other = understood(water, "and who else raised informal settlements?", *history)
    assert other.speakers == () and other.intent == "list"


def test_a_request_to_sum_up_is_an_overview_not_a_topic(water):
    query = understood(water, "can you sum up what the NGOs said?")
    assert (query.intent, query.speaker_types, query.topic, query.yes_no) == ("overview", ("ngo",), "", False)


def test_a_speaker_doing_the_verb_keeps_the_type_word_as_its_object(water):
    query = understood(water, "which country did the rapporteur visit, and when?")
    assert query.speakers == ("Amara Lindqvist Okafor",) and query.speaker_types == () and query.intent == "speaker"
    owned = understood(water, "Who welcomed the Rapporteur visit?")
    assert owned.speakers == ()


def test_what_speakers_said_about_a_topic_is_a_list_not_a_summary(belarus):
    query = understood(belarus, "What did speakers say about space debris?")
    assert query.intent == "list" and query.topic == "space debris"


def test_a_lowercase_bloc_acronym_is_a_scope_only_before_a_scope_noun():
    from assistant.regions import find_blocs

    assert [(m.bloc.label, m.as_scope) for m in find_blocs("which eu members raised hate speech?")] == [("EU members", True)]
    assert find_blocs("what did the eu say?") == [] and find_blocs("cis") == []


def test_the_second_one_is_the_second_speaker_of_the_earlier_list(burundi):
    history = (("user", "Which NGOs spoke?"), ("assistant", NGO_ROSTER_BURUNDI))
    second = understood(burundi, "what did the second one say about prisons?", *history)
    assert second.speakers == ("East and Horn of Africa Human Rights Defenders Project",) and second.topic == "prisons"
    last = understood(burundi, "and the last one?", *history)
    assert last.speakers == ("World Organisation Against Torture",)


def test_a_doubled_letter_typed_once_is_still_the_role(water):
    query = understood(water, "wat did the special rapoteur say abt herders")
    assert query.speakers == ("Amara Lindqvist Okafor",) and query.topic == "herders"


def test_a_second_question_in_the_message_is_not_part_of_the_topic(water):
    query = understood(water, "what did the chinese delegation say about rivers? and did russia agree?")
    assert query.topic == "rivers" and set(query.speakers) == {"China", "Russian Federation"}


def test_a_group_can_anchor_the_speaking_order(burundi):
    query = understood(burundi, "who spoke right after the african group?")
    assert (query.intent, query.order_anchor, query.order_offset, query.group) == ("order", "Côte d'Ivoire", 1, None)


def test_which_of_those_spoke_for_a_group_is_any_group_among_them(burundi):
    history = (("user", "Which states spoke?"), ("assistant", "- **Côte d'Ivoire** (state) [1]\n- **Luxembourg** (state) [2]"))
    query = understood(burundi, "which of those spoke for a group?", *history)
    assert query.any_group and set(query.scope_speakers) == {"Côte d'Ivoire", "Luxembourg"}


@pytest.mark.parametrize(("question", "topic"), [
    ("give me a quote from {name}", ""),
    ("quote {name}", ""),
    ("Any quotes from {name} on water tariffs?", "water tariffs"),
    ("cite {name} on water tariffs", "water tariffs"),
])
def test_asking_for_a_speakers_words_is_how_the_answer_is_wanted_not_its_topic(water, question, topic):
    name = next(s.speaker for s in water.data.statements if s.speaker_type == "state")
    query = understood(water, question.format(name=name))
    assert query.intent == "speaker" and query.speakers == (name,) and query.topic == topic


def test_an_utterance_noun_that_is_not_before_a_speaker_stays_in_the_topic(water):
    assert "response" in understood(water, "Who commented on the response by the authorities?").topic


def test_the_first_one_of_a_list_of_one_is_that_speaker_not_the_first_in_the_debate(water):
    only = next(s.speaker for s in water.data.statements if s.speaker_type == "state")
    history = (("user", "Which countries talked about it?"),
               ("assistant", f"1 delegation addressed it:\n- **{only}** (state, p. 5): “…” [1]"))
    query = understood(water, "what did the first one say?", *history)
    assert query.intent == "speaker" and query.speakers == (only,)


@pytest.mark.parametrize(("question", "side"), [
    ("did anyone defend private water operators?", "supportive"),
    ("Who objected to the idea of giving rivers legal rights?", "critical"),
    ("Who talked about private water operators?", None),
])
def test_a_side_asked_on_a_topic_with_no_stance_read_is_kept_for_the_answer_not_claimed(water, question, side):
    query = understood(water, question)
    assert query.stance is None and query.side_on_topic == side


def test_an_adverb_of_degree_is_how_a_side_was_taken_not_a_topic(burundi):
    query = understood(burundi, "hi, which countries were most critical of burundi?")
    assert (query.stance, query.stance_object, query.topic) == ("critical", "country", "")
    history = (("user", "hi, which countries were most critical of burundi?"), ("assistant", "4 delegations were critical of …"))
    other_side = understood(burundi, "and the most supportive?", *history)
    assert (other_side.stance, other_side.stance_object) == ("supportive", "country")


@pytest.mark.parametrize("question", ["What was the tone of the debate?", "how did the debate go?"])
def test_the_tone_of_the_debate_asks_for_an_overview(water, question):
    assert understood(water, question).intent == "overview"


def test_a_reply_to_the_criticism_is_a_side_on_the_mandate_and_a_reply_to_anything_else_is_a_topic(water):
    concerned = next(s.speaker for s in water.data.statements if s.speaker_type == "country_concerned")
    replied = understood(water, f"Did {concerned} respond to the criticism?")
    assert (replied.speakers, replied.stance, replied.stance_object) == ((concerned,), None, "mandate")
    floods = understood(water, f"What was {concerned}'s response to the floods?")
    assert floods.topic == "floods" and floods.stance_object is None


@pytest.mark.parametrize(("question", "stance", "obj"), [
    ("who were {country}'s allies in the room?", "supportive", "country"),
    ("Who were the government's critics?", "critical", "country"),
    ("who were the report's supporters?", "supportive", "mandate"),
])
def test_a_side_owned_by_a_possessive_is_taken_towards_its_owner(burundi, question, stance, obj):
    query = understood(burundi, question.format(country="Burundi"))
    assert (query.stance, query.stance_object, query.topic) == (stance, obj, "")


def test_a_possessive_inside_a_topic_is_part_of_the_topic(burundi):
    query = understood(burundi, "Which speakers talked about the government's critics being jailed?")
    assert query.stance is None and "critics being jailed" in query.topic


@pytest.mark.parametrize(("question", "label", "member"), [
    ("did any small island states speak?", "small island developing States", "Cuba"),
    ("what did landlocked countries say about water?", "landlocked developing countries", "Mongolia"),
])
def test_the_uns_standing_constituencies_are_scopes(water, question, label, member):
    query = understood(water, question)
    assert label in query.scope_label and member in query.scope_speakers


@pytest.mark.parametrize("question", ["how about {name}?", "what about {name}?", "and what about {name}?"])
def test_what_about_a_speaker_asks_for_that_speaker_not_for_those_who_spoke_of_it(burundi, question):
    name = next(s.speaker for s in burundi.data.statements if s.speaker_type == "state")
    history = (("user", "what did the US say?"), ("assistant", "**United States** (state, p. 4): “…” [1]"))
    query = understood(burundi, question.format(name=name), *history)
    assert query.intent == "speaker" and query.speakers == (name,) and not query.topic
