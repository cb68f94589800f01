"""The test fixtures themselves: the Burundi document, the bad inputs, the synthetic corpus."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

for _p in (Path(__file__).resolve().parent, Path(__file__).resolve().parent.parent):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import badfiles  # noqa: E402
import make_test_pdfs  # noqa: E402
from eval.synthetic import generate_corpus  # noqa: E402
from index.load import clean_markup  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BURUNDI_TXT = HERE / "data" / "hrc57-burundi-id.txt"
BURUNDI_PDF = HERE / "data" / "hrc57-burundi-id.pdf"
BURUNDI_EXPECTED = HERE / "data" / "hrc57-burundi-id.expected.json"


def clean(text: str) -> str:
    return make_test_pdfs.strip_links(text).replace("**", "")


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads(BURUNDI_EXPECTED.read_text(encoding="utf-8"))


# --- the Burundi document -------------------------------------------------


def test_every_expected_statement_start_appears_in_order_on_its_page(expected):
    pages = [clean(p) for p in make_test_pdfs.split_pages(BURUNDI_TXT.read_text(encoding="utf-8"))]
    page, pos = 0, -1
    for st in expected["statements"]:
        starts = st["starts_with"]
        assert len(starts) == 30, starts
        # the next occurrence at a paragraph start, on this page or a later one
        while True:
            found = [m.start() for m in re.finditer(re.escape(starts), pages[page]) if m.start() > pos
                     and (m.start() == 0 or pages[page][m.start() - 1] in "\n\f")]
            if found:
                pos = found[0]
                break
            page, pos = page + 1, -1
            assert page < len(pages), f"{starts!r} not found in order"
        assert page + 1 == st["page"], f"{starts!r} is on page {page + 1}, expected {st['page']}"


def test_participation_figures_match_the_statements_and_the_text(expected):
    text = BURUNDI_TXT.read_text(encoding="utf-8")
    by_type = {t: sum(s["speaker_type"] == t for s in expected["statements"]) for t in ("state", "igo", "ngo")}
    figures = {p["label"]: p["count"] for p in expected["participation"]}
    assert figures == {"State Delegations": by_type["state"], "Inter-Governmental Organizations": by_type["igo"],
                       "Non-Governmental Organizations": by_type["ngo"]}
    for label, count in figures.items():
        assert f"\n{count} {label}" in text
    assert expected["title"] in text and "#HRC57 • 24 September 2024" in text
    assert (expected["session"], expected["date"]) == ("HRC57", "2024-09-24")


def test_burundi_text_has_the_intended_awkward_shapes():
    text = BURUNDI_TXT.read_text(encoding="utf-8")
    assert text.count("\f") == 1
    assert 5 <= len(make_test_pdfs.split_pages(text)) <= 6
    assert "Special Rapporteur\n\n\n\nand the Office" in text  # a statement split mid-sentence
    assert "\n\n**Significant progress has been made**" in text  # bold paragraph start, not a speaker
    assert ". Rwanda has hosted" in text  # another country opens a sentence inside a statement


def test_burundi_pdf_has_one_page_per_text_page_with_footer_numbers_and_no_markup():
    pages = make_test_pdfs.split_pages(BURUNDI_TXT.read_text(encoding="utf-8"))
    reader = PdfReader(BURUNDI_PDF)
    assert len(reader.pages) == len(pages)
    assert BURUNDI_PDF.stat().st_size < 200_000
    bold = []
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert text.rstrip().endswith(str(number))
        assert "**" not in text and "](#)" not in text
        page.extract_text(visitor_text=lambda t, cm, tm, fd, fs: bold.append(t)
                          if fd and "Bold" in str(fd.get("/BaseFont", "")) else None)
    assert any("Türkiye" in t for t in bold) and any("African Group" in t for t in bold)


def test_pdf_generator_is_deterministic(tmp_path):
    pytest.importorskip("fpdf")
    out = tmp_path / "again.pdf"
    make_test_pdfs.render_pdf(BURUNDI_TXT, out)
    assert out.read_bytes() == BURUNDI_PDF.read_bytes()


# --- bad inputs -----------------------------------------------------------


def test_empty_and_whitespace_files_hold_no_text(tmp_path):
    assert badfiles.empty_txt(tmp_path).stat().st_size == 0
    ws = badfiles.whitespace_txt(tmp_path).read_text(encoding="utf-8")
    assert ws and not ws.strip()


def test_garbage_files_are_not_what_their_names_claim(tmp_path):
    pdf = badfiles.binary_garbage_pdf(tmp_path)
    assert not pdf.read_bytes().startswith(b"%PDF")
    assert pdf.read_bytes() == badfiles.binary_garbage_pdf(tmp_path / "again").read_bytes()  # seeded
    with pytest.raises(Exception):
        PdfReader(pdf).pages[0].extract_text()
    assert b"\x00" in badfiles.binary_garbage_txt(tmp_path).read_bytes()


def test_truncated_pdf_is_the_first_40_percent_of_the_seed(tmp_path):
    data = badfiles.truncated_pdf(tmp_path).read_bytes()
    seed = badfiles.SEED_PDF.read_bytes()
    assert seed.startswith(data) and len(data) == int(len(seed) * 0.4)
    assert b"%%EOF" not in data


def test_encrypted_pdf_needs_the_user_password(tmp_path):
    reader = PdfReader(badfiles.encrypted_pdf(tmp_path))
    assert reader.is_encrypted
    with pytest.raises(Exception):
        reader.pages[0].extract_text()
    reader = PdfReader(badfiles.encrypted_pdf(tmp_path))
    assert reader.decrypt(badfiles.PASSWORD)
    assert "GENEVA CENTRE" in reader.pages[0].extract_text()


def test_scanned_pdf_has_pages_but_no_text_layer(tmp_path):
    reader = PdfReader(badfiles.scanned_pdf(tmp_path))
    assert len(reader.pages) >= 2
    assert all(not (p.extract_text() or "").strip() for p in reader.pages)
    assert all(len(p.images) == 1 for p in reader.pages)


def test_legacy_file_is_cp1252_and_not_utf8(tmp_path):
    raw = badfiles.legacy_encoding_txt(tmp_path).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert "Côte d’Ivoire" in text and "Türkiye" in text and "Views Expressed by State Delegations" in text


@pytest.mark.parametrize("mb", [1, 0.25])
def test_huge_txt_has_exactly_the_requested_size(tmp_path, mb):
    path = badfiles.huge_txt(tmp_path, mb)
    assert path.stat().st_size == int(mb * 1024 * 1024)
    path.read_bytes().decode("utf-8")


def test_directory_and_missing_paths(tmp_path):
    assert badfiles.directory(tmp_path).is_dir()
    assert not badfiles.missing(tmp_path).exists()


def test_injection_document_is_valid_and_carries_the_payloads(tmp_path):
    text = badfiles.injection_txt(tmp_path).read_text(encoding="utf-8")
    paras = text.split("\n\n")
    states = paras[paras.index("Views Expressed by State Delegations") + 1:]
    assert any(badfiles.INJECTION in p for p in states[:3])
    assert any(badfiles.SCRIPT_TAG in p and badfiles.IMG_TAG in p for p in states[:3])
    assert "3 State Delegations" in text and "#HRC56 •" in text


# --- synthetic corpus -----------------------------------------------------


def _digest(paths):
    return [(p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in paths]


def test_synthetic_corpus_is_deterministic_for_a_seed(tmp_path):
    a = generate_corpus(tmp_path / "a", 6, seed=3)
    b = generate_corpus(tmp_path / "b", 6, seed=3)
    c = generate_corpus(tmp_path / "c", 6, seed=4)
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(c)


def test_synthetic_corpus_writes_n_distinct_series_shaped_documents(tmp_path):
    paths = generate_corpus(tmp_path, 25, seed=0)
    assert len(paths) == 25 and all(p.suffix == ".txt" for p in paths)
    texts = [p.read_text(encoding="utf-8") for p in paths]
    heads = {re.search(r"Interactive Dialogue with .*\n\n#HRC(\d+) • (.*)", t).group(0) for t in texts}
    assert len(heads) == 25 and len(set(texts)) == 25
    for t in texts:
        session = int(re.search(r"#HRC(\d+)", t).group(1))
        assert 50 <= session <= 60
        assert "\n\n\n\n" in t  # page breaks
        paras = [p.strip() for p in re.split(r"\n\s*\n", t) if p.strip()]
        start = paras.index("Views Expressed by State Delegations")
        end = paras.index("Views Expressed by Intergovernmental Organizations")
        ngo = paras.index("Views Expressed by Non-Governmental Organizations")
        facts = paras.index("FACTS & FIGURES ON ID PARTICIPATION")
        states, ngos = end - start - 1, facts - ngo - 1
        assert 15 <= states <= 45 and 3 <= ngos <= 9 and ngo - end - 1 == 1
        assert paras[facts + 1:] == [f"{states} State Delegations", "1 Inter-Governmental Organization",
                                     f"{ngos} Non-Governmental Organizations"]


def test_synthetic_generator_leaves_the_bundled_data_alone(tmp_path):
    data = ROOT / "data"
    before = {p.name: p.read_bytes() for p in data.iterdir() if p.is_file()}
    generate_corpus(tmp_path, 3)
    assert {p.name: p.read_bytes() for p in data.iterdir() if p.is_file()} == before
    with pytest.raises(ValueError):
        generate_corpus(data / "synthetic", 1)


# --- the invented UN meeting summaries (issue 11) ----------------------------

UN_PDFS = [pdf for prefix in ("un", "labelled", "verbatim") for pdf in sorted((HERE / "data").glob(f"{prefix}-*.pdf"))]


@pytest.mark.parametrize("pdf", UN_PDFS, ids=lambda p: p.name)
def test_un_summary_pdfs_are_deterministic_renders_of_their_text(pdf, tmp_path):
    pytest.importorskip("fpdf")
    text = pdf.with_suffix(".txt")
    assert len(PdfReader(pdf).pages) == len(make_test_pdfs.split_pages(text.read_text(encoding="utf-8")))
    out = tmp_path / pdf.name
    make_test_pdfs.render_pdf(text, out)
    assert out.read_bytes() == pdf.read_bytes()


def test_every_un_summary_has_a_gold_speaker_list_that_names_its_text():
    for text in [t for prefix in ("un", "labelled", "verbatim") for t in sorted((HERE / "data").glob(f"{prefix}-*.txt"))]:
        expected = json.loads(text.with_suffix(".expected.json").read_text(encoding="utf-8"))
        body = text.read_text(encoding="utf-8")
        assert {"statements", "listed_speakers", "absent_speakers", "low_confidence", "language"} <= set(expected)
        for statement in expected["statements"]:
            # A Markdown label ("- **Mexico**: …") is read without its markup, a salutation line ("Mr. President,")
            # joined to the line under it.
            assert statement["starts_with"] in body or statement["starts_with"] in clean_markup(body)[0] or (
                statement["starts_with"] in " ".join(body.split())), (text.name, statement["starts_with"])
        for name in expected["listed_speakers"] + expected["absent_speakers"]:
            assert name.split()[-1] in body, (text.name, name)
