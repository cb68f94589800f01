"""Speaker segmentation of the seed (text and PDF) and of a differently shaped document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.settings import Settings
from index.load import paragraphs, read_pages
from index.segment import segment
from index.store import load_document

from conftest import BURUNDI_PDF, BURUNDI_TEXT, SEED_PDF, SEED_TEXT

SEED_SPEAKERS = [
    "Karinna Moskalenko", "Karinna Moskalenko", "Monika Stanisława Płatek", "Suzan Bazilli", "Belarus",
    "Estonia", "Venezuela", "Lithuania", "Liechtenstein", "Czech Republic", "Luxembourg", "Germany", "Switzerland",
    "Democratic People's Republic of Korea", "Malta", "Bulgaria", "Iran", "Netherlands", "Albania", "Belgium",
    "Eritrea", "Russian Federation", "China", "Greece", "Cuba", "Lao People's Democratic Republic", "Romania",
    "Poland", "Austria", "Cyprus", "Ireland", "United Kingdom", "Moldova", "Venezuela", "France", "Croatia",
    "Zimbabwe", "Ethiopia", "Sri Lanka", "Cambodia", "Sudan", "Azerbaijan", "Ukraine", "Burundi", "Kazakhstan",
    "Kyrgyzstan", "Spain", "Egypt", "European Union",
    "National Human Rights Civic Association 'Belarusian Helsinki Committee'", "International Trade Union Confederation",
    "International Bar Association's Human Rights Institute", "Human Rights House Foundation",
    "Article 19 - The International Centre Against Censorship", "International Federation for Human Rights Leagues",
    "Earthjustice", "International Commission of Jurists", "CIVICUS",
]
SEED_TYPES = ["panel"] * 4 + ["country_concerned"] + ["state"] * 43 + ["igo"] + ["ngo"] * 9
SEED_GROUPS = {6: "Nordic-Baltic countries", 7: "Group of Friends in Defence of the Charter of the United Nations", 8: "Cross-regional group"}


@pytest.fixture(scope="module", params=[SEED_TEXT, SEED_PDF], ids=["text", "pdf"])
def seed(request):
    return load_document(request.param, Settings())


def test_seed_has_58_statements_with_speakers_in_document_order(seed):
    assert [s.speaker for s in seed.statements] == SEED_SPEAKERS


def test_seed_speaker_types(seed):
    assert [s.speaker_type for s in seed.statements] == SEED_TYPES


def test_group_statements_name_their_group(seed):
    groups = {s.order: s.on_behalf_of for s in seed.statements if s.on_behalf_of and s.speaker_type == "state"}
    assert groups == SEED_GROUPS


def test_bold_phrase_inside_a_statement_does_not_start_a_new_one(seed):
    belarus = seed.statements[4]
    assert "The country is growing, developing" in belarus.text
    assert "**" not in belarus.text and "](#)" not in belarus.text


def test_country_named_at_sentence_start_stays_with_the_expert(seed):
    platek = seed.statements[2]
    assert "The Government of Lithuania is the first state" in platek.text


def test_speaker_named_mid_sentence_is_found(seed):
    by_speaker = {s.speaker: s for s in seed.statements}
    assert by_speaker["Burundi"].text.startswith("According to Burundi")
    assert by_speaker["Earthjustice"].text.startswith("Referencing the Experts' report, Earthjustice recalls")
    assert by_speaker["CIVICUS"].text.startswith("Welcoming the report")


def test_expert_presentation_joins_its_paragraphs_across_pages(seed):
    chair = seed.statements[0]
    assert chair.page_start == 2 and chair.page_end == 4
    assert chair.text.count("\n\n") >= 8
    assert chair.role.startswith("Chair of the Group of Experts")


def test_paragraph_cut_by_a_page_break_is_rebuilt(seed):
    chair_remarks = seed.statements[1]
    assert "These facts cannot be denied." in chair_remarks.text
    sentence = next(x for x in chair_remarks.sentences if x.text.startswith("These facts cannot be"))
    assert sentence.page == 4


def test_sentence_offsets_are_exact_spans_of_the_statement(seed):
    for statement in seed.statements:
        for sentence in statement.sentences:
            assert statement.text[sentence.char_start:sentence.char_end] == sentence.text


def test_statement_spans_index_the_normalised_document(seed):
    for statement in seed.statements:
        assert seed.text[statement.char_start:statement.char_end] == statement.text


def test_pages_match_the_original_page_breaks(seed):
    pages = {s.speaker: s.page_start for s in seed.statements}
    assert pages["Belarus"] == 6 and pages["France"] == 16 and pages["CIVICUS"] == 23


def test_document_metadata(seed):
    info = seed.info
    assert info.session == "HRC58" and info.date == "2025-03-19"
    assert info.title == "Interactive Dialogue with the Group of Experts on the Situation of Human Rights in Belarus"
    figures = {p.label: p.count for p in info.participation}
    assert figures["State Delegations"] == 43 and figures["Non-Governmental Organizations"] == 9


def test_text_and_pdf_give_the_same_statements():
    text = load_document(SEED_TEXT, Settings())
    pdf = load_document(SEED_PDF, Settings())
    assert [(s.speaker, s.page_start, s.page_end, s.text) for s in text.statements] == [
        (s.speaker, s.page_start, s.page_end, s.text) for s in pdf.statements
    ]


def test_document_id_is_stable_for_the_same_content():
    assert load_document(SEED_TEXT, Settings()).info.document_id == load_document(SEED_PDF, Settings()).info.document_id


@pytest.mark.parametrize("path", [BURUNDI_TEXT, BURUNDI_PDF], ids=["text", "pdf"])
def test_a_differently_shaped_document_segments_as_expected(path):
    expected = json.loads(Path(str(BURUNDI_TEXT).replace(".txt", ".expected.json")).read_text())
    document = load_document(path, Settings())
    got = [(s.speaker, s.speaker_type, s.on_behalf_of, s.page_start) for s in document.statements]
    want = [(e["speaker"], e["speaker_type"], e["on_behalf_of"], e["page"]) for e in expected["statements"]]
    assert got == want
    for statement, item in zip(document.statements, expected["statements"]):
        assert statement.text.startswith(item["starts_with"])
    assert document.info.session == expected["session"] and document.info.date == expected["date"]


def test_unstructured_text_is_marked_unknown_with_a_warning(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Some notes about a meeting.\n\nFrance was mentioned. Nothing else is known.\n\nA third paragraph.\n")
    document = load_document(path, Settings(), force=True)  # too short for the prose guard; segmentation is tested
    assert document.info.warnings
    assert {s.speaker for s in document.statements} == {"unknown"}


def test_aliases_resolve_to_canonical_names(tmp_path):
    text = (
        "Interactive Dialogue with the Special Rapporteur on the situation of human rights in Eritrea\n\n#HRC59 • 1 July 2025\n\n\n\n"
        "Views Expressed by State Delegations\n\n"
        "Russia thanks the Special Rapporteur.\n\n"
        "The United Kingdom (UK) is concerned.\n\n"
        "The **Democratic People's Republic of Korea (DPRK)** rejects the mandate.\n\n"
        "The Lao PDR takes note of the report.\n"
    )
    path = tmp_path / "eritrea.txt"
    path.write_text(text)
    pages = read_pages(path)
    document = segment(paragraphs(pages))
    assert [s.speaker for s in document.statements] == [
        "Russian Federation", "United Kingdom", "Democratic People's Republic of Korea", "Lao People's Democratic Republic",
    ]
    assert document.info.session == "HRC59" and document.info.date == "2025-07-01"


def test_participation_figures_that_disagree_with_the_statements_raise_a_warning(tmp_path):
    text = SEED_TEXT.read_text().replace("43 State Delegations", "44 State Delegations")
    path = tmp_path / "changed.txt"
    path.write_text(text)
    document = load_document(path, Settings())
    assert any("44 State Delegations" in w and "43 state statements" in w for w in document.info.warnings)
    assert not load_document(SEED_TEXT, Settings()).info.warnings


# ---------------------------------------------------------------- UN Geneva / OHCHR meeting summaries (issue 11)

DATA = Path(__file__).resolve().parent / "data"
UN_DOCUMENTS = sorted(DATA.glob("un-*.txt")) + sorted(DATA.glob("un-*.pdf"))
LABELLED_DOCUMENTS = sorted(DATA.glob("labelled-*.txt")) + sorted(DATA.glob("labelled-*.pdf"))
VERBATIM_DOCUMENTS = sorted(DATA.glob("verbatim-*.txt")) + sorted(DATA.glob("verbatim-*.pdf"))
UN_ENGLISH = [p for p in UN_DOCUMENTS if not json.loads(p.with_suffix(".expected.json").read_text())["low_confidence"]]


def test_at_least_six_invented_un_documents_with_gold_and_two_pdfs():
    texts = [p for p in UN_DOCUMENTS if p.suffix == ".txt"]
    assert len(texts) >= 6 and len([p for p in UN_DOCUMENTS if p.suffix == ".pdf"]) >= 2
    kinds = {json.loads(p.with_suffix(".expected.json").read_text())["mandate"] for p in texts}
    assert len(kinds) >= 5  # varied mandates: country situations and thematic


@pytest.mark.parametrize("path", UN_ENGLISH, ids=lambda p: p.name)
def test_un_summary_speakers_are_attributed_from_reporting_clauses(path):
    from eval.segmentation import score_document

    score = score_document(path)
    assert score["right"] / score["gold"] >= 0.95, score["missed"]
    assert score["spurious"] == 0, score["spurious_speakers"]
    assert score["wrong_type"] == 0 and score["wrong_group"] == 0
    assert score["listed_right"] == score["listed_gold"] and score["listed_spurious"] == 0
    assert score["absent_right"] == score["absent_gold"] and score["absent_spurious"] == 0
    assert score["metadata_right"] and not score["low_confidence"] and score["confidence"] >= 0.9


def test_document_in_another_language_is_flagged_not_attributed():
    document = load_document(DATA / "un-fr-logement.txt", Settings())
    assert document.info.language == "fr" and document.info.low_confidence
    assert {s.speaker for s in document.statements} == {"unknown"}
    assert any("French" in w for w in document.info.warnings)


def test_collective_subjects_and_absences_are_not_speakers():
    document = load_document(DATA / "un-syria-points-of-order.txt", Settings())
    assert document.info.absent_speakers == ("Syrian Arab Republic",)
    assert "Syrian Arab Republic" not in {s.speaker for s in document.statements}
    assert not any("not present in the room" in s.text for s in document.statements)
    water = load_document(DATA / "un-water-sr.txt", Settings())
    developing = next(s for s in water.statements if s.text.startswith("Developing countries"))
    assert developing.speaker == "unknown" and "Developing" not in {s.speaker for s in water.statements}


def test_points_of_order_are_statements_of_their_speaker():
    document = load_document(DATA / "un-syria-points-of-order.txt", Settings())
    points = [(s.speaker, s.section) for s in document.statements if s.section == "point of order"]
    assert points == [("Russian Federation", "point of order"), ("United Kingdom", "point of order")]


def test_restated_subject_stays_with_its_speaker():
    document = load_document(DATA / "un-haiti-single-newline.txt", Settings())
    france = next(s for s in document.statements if s.speaker == "France")
    assert "It also called on all parties to facilitate humanitarian access." in france.text


def test_speaking_were_lists_are_participants_without_text():
    document = load_document(DATA / "un-older-persons-speaking-were.txt", Settings())
    assert {"Portugal", "World Health Organization", "Network for the Dignity of Elders"} <= set(document.info.listed_speakers)
    assert not any(s.text.startswith("Speaking were") for s in document.statements)
    assert "Georgia" not in document.info.listed_speakers  # it spoke, with text, as the country concerned


def test_single_newline_paragraphs_and_header_lines(tmp_path):
    document = load_document(DATA / "un-haiti-single-newline.txt", Settings())
    assert len(document.statements) == 12
    assert document.info.title.startswith("COUNCIL HOLDS INTERACTIVE DIALOGUE")
    for statement in document.statements:
        assert not statement.text.startswith(("Source:", "Date:", "Agency:", "GENEVA ("))
        assert "Meeting Summaries" not in statement.text
    assert (document.info.session, document.info.date) == ("HRC55", "2024-04-03")
    wrapped = tmp_path / "wrapped.txt"  # ordinary wrapped lines stay one paragraph
    wrapped.write_text("Kenya said that the drought\nhad lasted three years and that\nwells had run dry in the north.\n")
    assert len(paragraphs(read_pages(wrapped))) == 1


def test_opening_summary_belongs_to_the_mandate_holder():
    document = load_document(DATA / "un-water-sr.txt", Settings())
    first = document.statements[0]
    assert first.text.startswith("The Human Rights Council this morning held")
    assert first.speaker == "Lindiwe Aurora Castellanos" and first.speaker_type == "panel"
    assert "Ms. Castellanos said that during her visits" in first.text
    assert document.info.mandate == "Special Rapporteur on the human rights to safe drinking water and sanitation"


@pytest.mark.parametrize("path", [SEED_TEXT, SEED_PDF, BURUNDI_TEXT], ids=["seed-text", "seed-pdf", "burundi"])
def test_geneva_centre_documents_are_confident(path):
    info = load_document(path, Settings()).info
    assert info.confidence >= 0.95 and not info.low_confidence and info.language == "en"


def test_unrecognised_layout_is_low_confidence_with_a_plain_warning(tmp_path):
    path = tmp_path / "memo.txt"
    path.write_text("The meeting went on for a long time and many things were discussed by everyone present.\n\n"
                    "Water, food and housing came up in the afternoon, as did the budget of the office.\n")
    info = load_document(path, Settings(), force=True).info
    assert info.low_confidence and info.confidence == 0.0
    assert any("not recognised" in w or "no dialogue structure" in w for w in info.warnings)


@pytest.mark.parametrize(("sentence", "speaker", "behalf", "concerned"), [
    ("Speaking on behalf of the Group of Arab States, Morocco underlined the need", "Morocco", "Arab Group", False),
    ("Nepal, speaking as the country concerned, said its constitution", "Nepal", None, True),
    ("The representative of Peru regretted that", "Peru", None, False),
    ("Norway's Permanent Representative urged all parties", "Norway", None, False),
    ("Uruguay, on behalf of a group of countries, welcomed", "Uruguay", "Group of countries", False),
    ("Anna Kowalczyk-Mensah, Special Rapporteur on the right to education, said", "Anna Kowalczyk-Mensah", None, False),
])
def test_reporting_clause_subjects_in_any_dialogue(sentence, speaker, behalf, concerned):
    from index.clauses import reporting_clause

    clause = reporting_clause(sentence)
    assert (clause.name, clause.on_behalf_of, clause.concerned, clause.collective) == (speaker, behalf, concerned, False)


@pytest.mark.parametrize("sentence", [
    "Developing countries expressed concern that", "Several delegations said that", "In the discussion, speakers noted",
    "Least developed countries called for", "Many speakers welcomed the report",
])
def test_collective_subjects_are_never_one_speaker(sentence):
    from index.clauses import reporting_clause

    assert reporting_clause(sentence).collective


@pytest.mark.parametrize("sentence", ["It urged States to act.", "The Group reiterated its position.", "She added that",
                                      "Journalists had been detained.", "France was mentioned twice."])
def test_restatements_and_plain_sentences_name_no_new_speaker(sentence):
    from index.clauses import reporting_clause

    assert reporting_clause(sentence) is None


def test_low_confidence_is_printed_by_index_and_carried_by_speakers_and_documents(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "HRC_HOME": str(tmp_path / "home")}
    french = str(DATA / "un-fr-logement.txt")

    def run(*args):
        done = subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True, env=env,
                              cwd=Path(__file__).resolve().parent.parent, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    rows = json.loads(run("speakers", french, "--json"))
    assert rows and all(any("French" in w for w in row["warnings"]) for row in rows)
    indexed = run("index", french)
    assert "LOW CONFIDENCE" in indexed and "un-fr-logement.txt" in indexed
    infos = json.loads(run("documents", "--json"))
    assert infos[0]["low_confidence"] and infos[0]["language"] == "fr" and infos[0]["warnings"]
    assert "LOW CONFIDENCE" in run("documents")
    rows = json.loads(run("speakers", "--json"))
    assert all(row["warnings"] for row in rows)


def test_gold_questions_of_the_un_documents_hold_against_their_segmentation():
    from eval.gold import load_gold, statement_problems

    folder = Path(__file__).resolve().parent.parent / "eval" / "gold" / "un"
    items = load_gold(folder)
    documents = {i.document for i in items}
    assert {f"tests/data/{p.name}" for p in UN_DOCUMENTS + LABELLED_DOCUMENTS + VERBATIM_DOCUMENTS if p.suffix == ".txt"} == documents
    assert 0.25 <= sum(i.split == "dev" for i in items) / len(items) <= 0.4  # about a third dev
    listed = [i for i in items if "listed" in i.must_contain]
    assert listed and all(not i.abstain and not i.must_cite for i in listed)
    for document in documents:
        statements = load_document(Path(__file__).resolve().parent.parent / document, Settings()).statements
        problems = statement_problems([i for i in items if i.document == document], statements)
        assert not problems, problems


# ---------------------------------------------------------------- conventions seen in real summaries (probe of issue 11)


def test_participant_named_inside_a_sentence_is_listed_not_a_speaker():
    from index.participants import listed_within

    assert listed_within("Ms. Rivera spoke about her visit to Peru and Peru spoke as a country concerned.") == [("Peru", None)]
    assert listed_within("The Rapporteur said that Peru had spoken as a country concerned.") == []


@pytest.mark.parametrize(("sentence", "speaker", "kind"), [
    ("Presenting her report, Ms. van der Meulen said that", "van der Meulen", "person_ref"),
    ("Mr. de la Serna explained that", "de la Serna", "person_ref"),
    ("HELGA VON STRAND, Independent Expert on foreign debt, presented the report", "Helga von Strand", "person"),
    ("Ana Ruiz, Permanent Representative of Chile and Chair-Rapporteur of the Social Forum, recalled", "Ana Ruiz", "person"),
    ("Ana Ruiz, Permanent Representative of Chile, recalled", "Chile", "state"),
    ("Ana Ruiz, President of the Human Rights Council, said", "Ana Ruiz", "person"),
])
def test_person_names_with_particles_capitals_and_double_roles(sentence, speaker, kind):
    from index.clauses import reporting_clause

    clause = reporting_clause(sentence)
    assert (clause.name, clause.kind) == (speaker, kind)


def test_another_bodys_session_is_not_the_councils():
    from index.docmeta import session_in

    assert session_in("the recommendations of the twelfth session of the Forum on Minority Issues") is None
    assert session_in("The Council is holding its fifty-eighth regular session.") == "HRC58"
    assert session_in("the fifty-eighth session of the Human Rights Council") == "HRC58"


def test_docket_notes_before_the_opening_belong_to_no_one():
    document = load_document(DATA / "un-forum-caps-names.txt", Settings())
    docket = [s for s in document.statements if s.text.startswith("The Council has before it")]
    assert len(docket) == 2 and {s.speaker for s in docket} == {"unknown"}
    assert document.statements[2].speaker == "Ottilie van der Meulen-Achebe"
    assert "Ms. van der Meulen-Achebe explained" in document.statements[2].text


def test_minister_introduced_in_the_opening_speaks_for_the_state_later(tmp_path):
    path = tmp_path / "debate.txt"
    path.write_text(
        "HUMAN RIGHTS COUNCIL HOLDS GENERAL DEBATE ON HUMAN RIGHTS BODIES\n\n"
        "The Human Rights Council this afternoon held a general debate on human rights bodies and mechanisms. "
        "The Council also heard an address by Ilse Marrow-Tandy, Minister for Foreign Affairs of Namibia.\n\n"
        "Addressing the Council, Ms. Marrow-Tandy said Namibia had adopted a national action plan on human rights.\n\n"
        "Presenting the report of the Social Forum, Jonas Peltz-Arana, Chair-Rapporteur of the Social Forum, said "
        "that young people had asked for a say in climate policy.\n"
    )
    statements = load_document(path, Settings()).statements
    assert [(s.speaker, s.speaker_type) for s in statements if s.speaker != "unknown"] == [
        ("Namibia", "state"), ("Jonas Peltz-Arana", "panel")]


# ---------------------------------------------------------------- official summary records (A/HRC/../SR.n)

RECORD = DATA / "un-summary-record.txt"


@pytest.mark.parametrize(("sentence", "speaker", "kind", "behalf", "concerned"), [
    ("Mr. Zhou Ming (China) said that", "China", "state", None, False),
    ("Ms. Nowak (Observer for the European Union) said that", "European Union", "igo", None, False),
    ("Mr. Qasem (Observer for the State of Palestine) said that", "State of Palestine", "state", None, False),
    ("Ms. Brandt (Rivers Defence Alliance) said that", "Rivers Defence Alliance", "org", None, False),
    ("Mr. Farouk (Lebanon), speaking as the country concerned, said that", "Lebanon", "state", None, True),
    ("Mr. Sy (Senegal), speaking on behalf of the Group of African States, said", "Senegal", "state", "African Group", False),
    ("Ms. Ruiz Lema (Special Rapporteur on the right to education), introducing her report (A/HRC/59/31 and "
     "A/HRC/59/31/Add.1), said", "Ruiz Lema", "person", None, False),
    ("Mr. Tan (Minister for Foreign Affairs of Singapore) said", "Singapore", "state", None, False),
])
def test_a_records_speaker_is_what_the_parenthesis_after_the_name_says(sentence, speaker, kind, behalf, concerned):
    from index.clauses import reporting_clause

    clause = reporting_clause(sentence)
    assert (clause.name, clause.kind, clause.on_behalf_of, clause.concerned) == (speaker, kind, behalf, concerned)


def test_a_records_paragraph_numbers_are_removed_and_continuations_stay_with_their_speaker(tmp_path):
    path = tmp_path / "record.txt"
    path.write_text(
        "Summary record of the 3rd meeting\n\n"
        "1. The President said that the Council would hold its interactive dialogue with the Independent Expert.\n\n"
        "2. Ms. Adeyemi (Independent Expert on the enjoyment of human rights by persons with albinism), introducing "
        "her report, said that attacks had continued in several regions.\n\n"
        "3. She added that reparations for survivors remained rare.\n\n"
        "4. Social protection schemes rarely covered sunscreen and eye care.\n\n"
        "5. Mr. Mwale (Malawi), speaking as the State concerned, said that a national action plan had been adopted.\n\n"
        "6. The Chair invited the Independent Expert to reply.\n\n"
        "7. Ms. Adeyemi (Independent Expert on the enjoyment of human rights by persons with albinism) said that "
        "she would follow up on her visit.\n"
    )
    statements = load_document(path, Settings(), force=True).statements
    assert [(s.speaker, s.speaker_type) for s in statements] == [
        ("unknown", "unknown"), ("Adeyemi", "panel"), ("Malawi", "country_concerned"), ("unknown", "unknown"),
        ("Adeyemi", "panel")]
    assert not any(s.text[:1].isdigit() for s in statements)
    assert "reparations for survivors" in statements[1].text and "sunscreen" in statements[1].text
    assert statements[1].role.startswith("Independent Expert on")


def test_a_records_presiding_officer_and_procedural_notes_belong_to_no_one():
    document = load_document(RECORD, Settings())
    procedure = ("The President", "The Acting President", "The meeting was suspended", "The meeting rose",
                 "Mr. Dvořák (Czechia), Vice-President, took the Chair.")
    found = [s for s in document.statements if s.text.startswith(procedure)]
    assert len(found) == 7 and {(s.speaker, s.speaker_type) for s in found} == {("unknown", "unknown")}
    assert not {"Czechia", "Czech Republic", "Sweden"} & {s.speaker for s in document.statements}  # header persons
    assert not any("The meeting was called to order" in s.text or "Agenda item" in s.text for s in document.statements)


def test_running_heads_and_footers_are_dropped_and_the_paragraph_they_cut_is_rebuilt():
    document = load_document(RECORD, Settings())
    for furniture in ("A/HRC/59/SR.21", "GE.25-09876", "2509876", "subject to correction", "Corrections should"):
        assert furniture not in document.text
    presentation = document.statements[1]
    assert "out of the reach of the poorest, and legal aid budgets" in presentation.text
    assert (presentation.page_start, presentation.page_end) == (1, 2)


def test_a_records_date_is_the_day_it_was_held_and_its_session_is_read_in_words():
    info = load_document(RECORD, Settings()).info
    assert (info.session, info.date, info.date_text) == ("HRC59", "2025-06-19", "19 June 2025")  # not "Distr.: … 25 June"
    assert info.title == "Interactive dialogue with the Special Rapporteur on the independence of judges and lawyers"
    assert info.mandate == "Special Rapporteur on the independence of judges and lawyers" and not info.warnings


def test_a_record_reads_the_same_from_text_and_pdf():
    text, pdf = load_document(RECORD, Settings()), load_document(RECORD.with_suffix(".pdf"), Settings())
    assert text.info.document_id == pdf.info.document_id
    assert [(s.speaker, s.text, s.page_start, s.page_end) for s in text.statements] == [
        (s.speaker, s.text, s.page_start, s.page_end) for s in pdf.statements]


def test_a_numbered_list_inside_a_summary_does_not_make_it_a_record():
    from index.load import Paragraph
    from index.segment import _numbered_record

    prose = [Paragraph(text=f"Country {k} said that it supported the mandate.") for k in range(12)]
    listed = [Paragraph(text=f"{k}. Release all detained lawyers.") for k in range(1, 6)]
    assert _numbered_record(prose[:6] + listed + prose[6:])[1] is None
    record = [Paragraph(text=f"{k}. Mr. Lee (Chile) said that it supported the mandate.") for k in range(1, 7)]
    paras, numbered = _numbered_record(record)
    assert numbered == frozenset(range(6)) and paras[0].text.startswith("Mr. Lee (Chile)")


def test_only_the_presiding_officers_bare_title_is_procedure():
    from index.vocabulary import vocabulary

    presiding = vocabulary().presiding_officer
    assert presiding.match("The President said that") and presiding.match("The Acting Chair invited")
    assert not presiding.match("The Chair of the Working Group said") and not presiding.match("The Presidential decree")


# ---------------------------------------------------------------- labelled statements (NGO reports, mission notes, Markdown)


def _segmented(tmp_path, text: str):
    path = tmp_path / "labelled.txt"
    path.write_text(text, encoding="utf-8")
    return segment(paragraphs(read_pages(path)))


def _speakers(document) -> list[tuple[str, str, str | None]]:
    return [(s.speaker, s.speaker_type, s.on_behalf_of) for s in document.statements if s.speaker != "unknown"]


_TITLE = "Interactive dialogue with the Independent Expert on the rights of older persons\n\n"


@pytest.mark.parametrize("path", LABELLED_DOCUMENTS + VERBATIM_DOCUMENTS, ids=lambda p: p.name)
def test_labelled_and_verbatim_documents_match_their_gold_segmentation(path):
    from eval.segmentation import score_document

    score = score_document(path)
    assert score["right"] == score["gold"], score["missed"]
    assert score["spurious"] == 0 and score["wrong_type"] == 0 and score["wrong_group"] == 0, score["spurious_speakers"]
    assert score["metadata_right"] and not score["low_confidence"] and score["confidence"] >= 0.9


def test_a_label_with_a_colon_names_the_speaker(tmp_path):
    document = _segmented(tmp_path, _TITLE + (
        "Portugal: Portugal described its national strategy for active ageing and its new law on guardianship.\n\n"
        "Russian Federation: The delegation said that care for older persons was a matter for families.\n\n"
        "HelpAge Network: The Network said that older women were the most exposed to poverty in old age.\n"))
    assert _speakers(document) == [("Portugal", "state", None), ("Russian Federation", "state", None),
                                   ("HelpAge Network", "ngo", None)]


def test_a_labels_qualifier_gives_the_group_the_country_concerned_or_the_type(tmp_path):
    document = _segmented(tmp_path, "Interactive dialogue with the Special Rapporteur on the situation in Zarovia\n\n" + (
        "Zarovia (country concerned): The delegation rejected the report as one-sided and unfounded.\n\n"
        "Pakistan (on behalf of the OIC): Pakistan expressed concern about the displaced minorities.\n\n"
        "Norway, on behalf of the Nordic-Baltic countries: Norway called for the release of all journalists.\n\n"
        "European Union (EU): The EU called for access for the Special Rapporteur to the country.\n\n"
        "Fortify Voices (NGO): The NGO documented the use of schools as places of detention.\n"))
    assert _speakers(document) == [
        ("Zarovia", "country_concerned", None), ("Pakistan", "state", "Organisation of Islamic Cooperation"),
        ("Norway", "state", "Nordic-Baltic countries"), ("European Union", "igo", None), ("Fortify Voices", "ngo", None)]


def test_the_country_in_the_title_is_the_country_concerned_under_its_plain_label(tmp_path):
    document = _segmented(tmp_path, "Interactive dialogue with the Special Rapporteur on the situation in Myanmar\n\n" + (
        "Myanmar: The delegation rejected the report and the mandate as politically motivated.\n\n"
        "France: France condemned the airstrikes on villages and called for humanitarian access.\n\n"
        "China: China opposed country-specific mandates and called for dialogue with the authorities.\n"))
    assert _speakers(document)[0] == ("Myanmar", "country_concerned", None)
    assert _speakers(document)[1] == ("France", "state", None)


def test_a_label_on_its_own_line_names_the_speaker_of_the_paragraphs_under_it(tmp_path):
    document = _segmented(tmp_path, "Interactive dialogue with the Special Rapporteur on the right to food\n\n"
                          "Brazil\nBrazil presented its national plan against hunger and its programme of school meals.\n\n"
                          "It offered to share its experience with other States.\n\n"
                          "Kenya, on behalf of the African Group\nKenya said that climate shocks had pushed millions "
                          "into hunger and called for debt relief.\n\n"
                          "FIAN International\n\nFIAN called on States to regulate agribusiness and to protect peasants.\n")
    assert _speakers(document) == [("Brazil", "state", None), ("Kenya", "state", "African Group"),
                                   ("FIAN International", "ngo", None)]
    brazil = document.statements[0]
    assert brazil.text.startswith("Brazil presented") and brazil.text.endswith("with other States.")
    assert not any(s.text.startswith(("Kenya,", "FIAN International")) for s in document.statements)


@pytest.mark.parametrize("style", [
    "### {name}\n\n{text}", "**{name}**\n\n{text}", "{n}. {name}\n{text}", "- **{name}**: {text}", "• {name}: {text}",
    "{name} – {text}", "{name} - {text}", "**{name}** {text}",
])
def test_markdown_headings_numbers_bullets_bold_and_dashes_make_labels(tmp_path, style):
    statements = [("Portugal", "Portugal described its national strategy for active ageing and its law on guardianship."),
                  ("Chile", "Chile called for a convention on the rights of older persons, which it said was overdue."),
                  ("Japan", "Japan said that its long-term care insurance covered six million people in the country.")]
    body = "\n\n".join(style.format(n=n, name=name, text=text) for n, (name, text) in enumerate(statements, start=1))
    document = _segmented(tmp_path, _TITLE + body + "\n")
    assert _speakers(document) == [("Portugal", "state", None), ("Chile", "state", None), ("Japan", "state", None)]
    for statement, (name, text) in zip(document.statements, statements):
        assert statement.text.endswith(text) and not statement.text.startswith(("#", "-", "•", "*", "1", "2", "3"))


def test_a_label_stays_in_its_statement_and_quotes_are_spans_of_the_document(tmp_path):
    document = _segmented(tmp_path, _TITLE + (
        "Portugal: Portugal described its national strategy for active ageing. It also reformed guardianship.\n\n"
        "Chile – Chile called for a convention on the rights of older persons.\n\n"
        "Japan: Japan said that its long-term care insurance covered six million people.\n"))
    assert document.statements[0].text.startswith("Portugal: Portugal described")
    for statement in document.statements:
        assert document.text[statement.char_start:statement.char_end] == statement.text
        for sentence in statement.sentences:
            assert statement.text[sentence.char_start:sentence.char_end] == sentence.text


def test_a_mandate_holder_named_in_the_label_speaks_by_name_and_later_by_title(tmp_path):
    document = _segmented(tmp_path, _TITLE + (
        "Independent Expert (Rosa Ibarra-Lund): The Independent Expert presented her report on long-term care.\n\n"
        "Portugal: Portugal described its national strategy for active ageing and its law on guardianship.\n\n"
        "Chile: Chile called for a convention on the rights of older persons, which it said was overdue.\n\n"
        "Independent Expert: The Independent Expert thanked the delegations and urged States to act.\n"))
    first, last = document.statements[0], document.statements[-1]
    assert (first.speaker, first.speaker_type, first.role) == ("Rosa Ibarra-Lund", "panel", "Independent Expert")
    assert (last.speaker, last.speaker_type) == ("Rosa Ibarra-Lund", "panel")
    named = _segmented(tmp_path, _TITLE + (
        "Rosa Ibarra-Lund (Independent Expert on the rights of older persons): She presented her report on care.\n\n"
        "Portugal: Portugal described its national strategy for active ageing and its law on guardianship.\n\n"
        "Chile: Chile called for a convention on the rights of older persons, which it said was overdue.\n"))
    assert (named.statements[0].speaker, named.statements[0].role) == (
        "Rosa Ibarra-Lund", "Independent Expert on the rights of older persons")


def test_a_reporting_clause_of_another_speaker_after_the_labels_opens_its_statement(tmp_path):
    document = _segmented(tmp_path, _TITLE + (
        "Portugal: Portugal described its national strategy for active ageing and its law on guardianship.\n\n"
        "It added that the law had entered into force in January.\n\n"
        "Chile: Chile called for a convention on the rights of older persons, which it said was overdue.\n\n"
        "HelpAge Network: The Network said that older women were the most exposed to poverty in old age.\n\n"
        "Concluding remarks\n\n"
        "The Independent Expert said that a convention would close the gaps in protection that States had described.\n"))
    assert [s.speaker for s in document.statements] == ["Portugal", "Chile", "HelpAge Network", "Independent Expert"]
    assert "entered into force" in document.statements[0].text


@pytest.mark.parametrize("line", [
    "The Special Rapporteur said: the door to dialogue remains open.", "Three points stood out: access, arrests and aid.",
    "The Special Rapporteur on the right to food said: hunger is a political choice.", "Ms. Ibarra said – and repeated – that",
    "In conclusion: States must act.", "Concluding Remarks", "Summary of statements", "GENEVA CENTRE FOR HUMAN RIGHTS",
    "Speaking were: Austria, Brazil and Chile.", "Several delegations: concern about the arrests of journalists.",
])
def test_sentences_and_headings_with_a_colon_or_alone_are_no_labels(line):
    from index.labels import find_labels
    from index.load import Paragraph

    assert find_labels([Paragraph(text=line)], None) == {}


def test_a_un_summary_with_colons_in_its_sentences_keeps_its_reporting_clauses(tmp_path):
    from index.labels import find_labels, is_labelled

    text = ("The Human Rights Council this morning held an interactive dialogue with the Special Rapporteur on the right to "
            "food, who said: hunger was a political choice.\n\n"
            "Speaking on behalf of the African Group, Kenya said: climate shocks had pushed millions into hunger.\n\n"
            "Brazil said that its plan against hunger had three parts: school meals, cash transfers and support to farmers.\n\n"
            "The Special Rapporteur said: States must regulate agribusiness.\n\n"
            "Three points stood out: seeds, land and trade.\n")
    document = _segmented(tmp_path, text)
    paras = paragraphs(read_pages(tmp_path / "labelled.txt"))
    assert not is_labelled(find_labels(paras, None), paras)
    assert [(s.speaker, s.on_behalf_of) for s in document.statements][1:3] == [("Kenya", "African Group"), ("Brazil", None)]


# ---------------------------------------------------------------- verbatim statements (compilations, verbatim records)

_COMPILATION = "Compilation of statements delivered at the interactive dialogue with the Independent Expert on the rights of older persons\n\n"
_RECORD = "Verbatim record of the 9th meeting\n\nInteractive dialogue with the Special Rapporteur on the right to clean air\n\n"


def test_a_statement_heading_names_the_speaker_of_the_text_below_it(tmp_path):
    document = _segmented(tmp_path, _COMPILATION + (
        "Statement by the Independent Expert, Ms. Rosa Ibarra-Lund\n\nMr. President,\nI present my report on long-term care.\n\n"
        "Statement by the Delegation of Portugal\n\nThank you, Mr. President.\nPortugal has adopted a strategy for active ageing.\n\n"
        "Joint statement on behalf of the Nordic-Baltic countries delivered by Finland\n\nMr. President,\nWe call for a convention.\n\n"
        "Statement of the Russian Federation\n\nMr. President,\nWe see no need for a new instrument on this question.\n\n"
        "Statement by Zarovia as the country concerned\n\nMr. President,\nZarovia has no mandatory retirement age at all.\n\n"
        "Oral statement by Elder Voices Network\n\nThank you, Madam President.\nWe urge States to end age limits on loans.\n"))
    assert [(s.speaker, s.speaker_type, s.on_behalf_of, s.role) for s in document.statements] == [
        ("Rosa Ibarra-Lund", "panel", None, "Independent Expert"), ("Portugal", "state", None, None),
        ("Finland", "state", "Nordic-Baltic countries", None), ("Russian Federation", "state", None, None),
        ("Zarovia", "country_concerned", None, None), ("Elder Voices Network", "ngo", None, None)]
    assert document.statements[1].text == "Thank you, Mr. President. Portugal has adopted a strategy for active ageing."


def test_a_salutation_is_no_speaker(tmp_path):
    from index.clauses import reporting_clause
    from index.labels import find_labels
    from index.load import Paragraph

    for line in ("Mr. President", "Madam President", "Thank you, Mr. Vice-President", "Excellencies", "Mr. President:"):
        assert find_labels([Paragraph(text=line), Paragraph(text="We thank the Independent Expert for her report.")], None) == {}
    assert reporting_clause("Mr. President, distinguished delegates, I have the honour to present my report.") is None
    assert reporting_clause("Mr. President said that the list of speakers was closed.").procedural  # as "The President said"
    clause = reporting_clause("Thank you, Madam President. Chile, speaking on behalf of the Group of Friends of Older Persons, "
                              "called for a convention.")
    assert clause.name == "Chile"
    document = _segmented(tmp_path, _COMPILATION + (
        "Statement by the Delegation of Portugal\n\nMr. President\n\nPortugal has adopted a strategy for active ageing.\n\n"
        "Mr. President, distinguished delegates, Portugal also reformed its guardianship law.\n\n"
        "Statement by the Delegation of Chile\n\nExcellencies,\n\nChile calls for a convention on the rights of older persons.\n\n"
        "Statement by the Delegation of Japan\n\nThank you, Madam President.\nJapan covers long-term care by insurance.\n"))
    assert [s.speaker for s in document.statements] == ["Portugal", "Chile", "Japan"]
    assert document.statements[0].text.startswith("Mr. President\n\nPortugal has adopted")
    assert "guardianship" in document.statements[0].text


def test_a_clause_naming_someone_else_inside_a_verbatim_statement_opens_no_statement(tmp_path):
    document = _segmented(tmp_path, _COMPILATION + (
        "Statement by the Delegation of Portugal\n\nMr. President,\nPortugal has adopted a strategy for active ageing.\n\n"
        "The Independent Expert rightly said that older women are the poorest. Brazil stressed the same point last year.\n\n"
        "Statement by the Delegation of Chile\n\nMr. President,\nChile calls for a convention on the rights of older persons.\n\n"
        "Statement by the European Union\n\nMr. President,\nThe European Union welcomes the report.\n"))
    assert [s.speaker for s in document.statements] == ["Portugal", "Chile", "European Union"]
    assert "Brazil stressed the same point" in document.statements[0].text


def test_the_group_a_statement_names_in_its_opening_replaces_a_vague_one_in_its_heading(tmp_path):
    document = _segmented(tmp_path, _COMPILATION + (
        "Statement delivered by Argentina on behalf of a group of countries\n\nMr. President,\nArgentina, speaking on "
        "behalf of a cross-regional group of 70 countries, calls for a legally binding instrument.\n\n"
        "Statement by the Delegation of Egypt\n\nMr. President,\nI have the honour to speak on behalf of the Arab Group. "
        "We support the mandate.\n\n"
        "Statement by Cameroon on behalf of the African Group\n\nMr. President,\nCameroon welcomes the report.\n\n"
        "Statement by the Delegation of Tunisia\n\nMr. President,\nTunisia aligns itself with the statement delivered "
        "on behalf of the Arab Group.\n"))
    assert [(s.speaker, s.on_behalf_of) for s in document.statements] == [
        ("Argentina", "Cross-regional group"), ("Egypt", "Arab Group"), ("Cameroon", "African Group"), ("Tunisia", None)]


def test_a_record_label_names_the_state_group_country_concerned_or_organisation_after_the_person(tmp_path):
    document = _segmented(tmp_path, _RECORD.replace("clean air", "clean air on her visit to Mongolia") + (
        "Ms. Sand (Special Rapporteur on the right to clean air): I present my report on my visit to Mongolia.\n\n"
        "Mr. Batbayar (Mongolia) (spoke as the country concerned): Mongolia banned raw coal in its capital.\n\n"
        "Mr. Otieno (Kenya): I thank the Special Rapporteur. Kenya has adopted a clean air act.\n\n"
        "Ms. Larsen (Denmark) (spoke on behalf of the Nordic-Baltic countries): We call for coal to be phased out.\n\n"
        "Mr. Wang (China) (spoke in Chinese): China has cut fine particulate matter by forty percent.\n\n"
        "Ms. Kowalczyk (Observer for the European Union): The European Union welcomes the report.\n\n"
        "Ms. Amadi (Clean Air Action Network): Our network urges States to protect those who measure pollution.\n"))
    assert _speakers(document) == [
        ("Sand", "panel", None), ("Mongolia", "country_concerned", None), ("Kenya", "state", None),
        ("Denmark", "state", "Nordic-Baltic countries"), ("China", "state", None), ("European Union", "igo", None),
        ("Clean Air Action Network", "ngo", None)]


def test_the_presiding_officers_paragraphs_in_a_verbatim_record_belong_to_no_one(tmp_path):
    document = _segmented(tmp_path, _RECORD + (
        "The President: I give the floor to the Special Rapporteur, Ms. Ida Sand.\n\n"
        "Ms. Sand (Special Rapporteur on the right to clean air): I present my report on air pollution in cities.\n\n"
        "The President: I thank the Special Rapporteur. I give the floor to the representative of Kenya.\n\n"
        "I remind speakers of the time limit of ninety seconds.\n\n"
        "Mr. Otieno (Kenya): Kenya has adopted a clean air act.\n\n"
        "The Acting President (spoke in French): I give the floor to the representative of Chile.\n\n"
        "Ms. Rojas (Chile): Chile has closed its last coal plant.\n"))
    named = [(s.speaker, s.text) for s in document.statements if s.speaker != "unknown"]
    assert [name for name, _ in named] == ["Sand", "Kenya", "Chile"]
    assert not any("give the floor" in text or "time limit" in text for _, text in named)
    assert all(s.speaker_type == "unknown" for s in document.statements if "give the floor" in s.text)


def test_the_presiding_officer_is_no_label_outside_a_verbatim_record(tmp_path):
    from index.labels import find_labels

    document = _segmented(tmp_path, _TITLE + (
        "Portugal: Portugal described its national strategy for active ageing and its law on guardianship.\n\n"
        "Chile: Chile called for a convention on the rights of older persons, which it said was overdue.\n\n"
        "The Chair: The Chair of the Working Group said that a convention would close the gaps in protection.\n\n"
        "Japan: Japan said that its long-term care insurance covered six million people in the country.\n"))
    paras = paragraphs(read_pages(tmp_path / "labelled.txt"))
    assert not any(label.presiding for label in find_labels(paras, None).values())
    assert [s.speaker for s in document.statements][:2] == ["Portugal", "Chile"]


def test_statement_headings_of_the_mandate_holder_alone_leave_a_summarys_reporting_clauses_alone(tmp_path):
    document = _segmented(tmp_path, (
        "The Human Rights Council this morning held an interactive dialogue with the Independent Expert on the rights of "
        "older persons, who presented her report on long-term care and said that care work was unpaid.\n\n"
        "Statement by the High Commissioner\n\n"
        "The High Commissioner said that older persons were too often left out of social protection.\n\n"
        "Statement by the Independent Expert\n\n"
        "The Independent Expert said that a convention would close the gaps in protection that States had described.\n\n"
        "Portugal said that it had adopted a national strategy for active ageing and a new law on guardianship.\n\n"
        "Speaking on behalf of the African Group, Cameroon said that older persons in rural areas lacked pensions.\n\n"
        "Chile said that a convention on the rights of older persons was overdue and should be negotiated now.\n\n"
        "Concluding remarks by the Independent Expert\n\n"
        "The Independent Expert said that she would visit two countries next year to study long-term care.\n"))
    assert [(s.speaker, s.on_behalf_of) for s in document.statements if s.speaker != "unknown"][-4:-1] == [
        ("Portugal", None), ("Cameroon", "African Group"), ("Chile", None)]


def test_a_verbatim_statements_quotes_are_spans_of_the_document_and_its_heading_is_nobodys(tmp_path):
    document = _segmented(tmp_path, _COMPILATION + (
        "Statement by the Delegation of Portugal\n\nThank you, Mr. President.\nPortugal has a strategy for active ageing.\n\n"
        "Statement by the Delegation of Chile\n\nMr. President,\nChile calls for a convention on the rights of older persons.\n\n"
        "Statement by the Delegation of Japan\n\nMr. President,\nJapan covers long-term care by insurance.\n"))
    for statement in document.statements:
        assert not statement.text.startswith("Statement by")
        assert document.text[statement.char_start:statement.char_end] == statement.text
        for sentence in statement.sentences:
            assert statement.text[sentence.char_start:sentence.char_end] == sentence.text
