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
    document = load_document(path, Settings())
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
