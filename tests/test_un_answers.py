"""Answers over every test document with a gold speaker list (issue 11): a speaker present in the text is never
said not to have taken the floor, listed participants are reported as listed, and a document whose speakers are not
recognised says so instead of guessing.

One real index (real Chroma, real embedding model) of every `tests/data/*.txt` that has a `*.expected.json`, built
once for this module.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted(p for p in (ROOT / "tests" / "data").glob("*.txt") if p.with_suffix(".expected.json").exists())
NOT_PRESENT = ("did not take the floor", "has no statement by", "no statement by")


def expected(path: Path) -> dict:
    return json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def un_assistant(tmp_path_factory, embedder):
    from assistant.engine import Assistant
    from assistant.settings import Settings
    from index.store import index_paths

    settings = Settings(home=tmp_path_factory.mktemp("hrc-un"))
    index_paths(settings, DOCUMENTS, embedder_factory=lambda: embedder)
    assistant = Assistant(settings, embedder=embedder)
    by_source = {info.source: info.document_id for info in assistant.documents().values()}
    return assistant, by_source


def _cases():
    for path in DOCUMENTS:
        gold = expected(path)
        for speaker in dict.fromkeys(s["speaker"] for s in gold["statements"]):
            yield pytest.param(path, speaker, "spoke", id=f"{path.stem}:{speaker}")
        for speaker in gold.get("listed_speakers", [])[:3]:
            yield pytest.param(path, speaker, "listed", id=f"{path.stem}:listed:{speaker}")


@pytest.mark.parametrize(("path", "speaker", "kind"), list(_cases()))
def test_a_speaker_in_the_text_is_never_said_to_be_absent(un_assistant, path, speaker, kind):
    assistant, by_source = un_assistant
    document_id = by_source[path.name]
    answer = assistant.ask(f"What did {speaker} say?", document_id=document_id)
    text = answer.answer.lower()
    assert not any(phrase in text for phrase in NOT_PRESENT), answer.answer
    if kind == "spoke":
        assert speaker in {c.speaker for c in answer.citations}, answer.answer
        assert not answer.abstained
    else:
        assert "listed among the speakers" in text, answer.answer
        assert not answer.citations


def test_a_low_confidence_document_says_it_cannot_tell_who_spoke(un_assistant):
    assistant, by_source = un_assistant
    flagged = [p for p in DOCUMENTS if expected(p).get("low_confidence")]
    assert flagged, "the test set needs a document whose speakers are not recognised"
    for path in flagged:
        document_id = by_source[path.name]
        info = assistant.documents()[document_id]
        assert info.low_confidence and info.warnings
        answer = assistant.ask("What did France say?", document_id=document_id)
        assert "cannot tell who spoke" in answer.answer.lower(), answer.answer
        assert "did not take the floor" not in answer.answer.lower()
        assert answer.notices


def test_a_roster_of_verbatim_statements_quotes_what_each_said_not_the_salutation(un_assistant):
    assistant, by_source = un_assistant
    document_id = by_source["verbatim-compilation-seasonal-workers.txt"]
    answer = assistant.ask("Which speakers took the floor?", document_id=document_id)
    quotes = [c.quote for c in answer.citations]
    assert len(quotes) >= 5 and not any(q.startswith("Thank you") for q in quotes), quotes
    portugal = next(c.quote for c in answer.citations if c.speaker == "Portugal")
    assert portugal.startswith("Portugal thanks the Independent Expert")
