"""Indexing and the foundation commands, end to end through the real CLI, Chroma and model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import badfiles
from assistant.settings import Settings
from assistant.store import IndexMismatch, IndexReader
from index.store import index_paths

from conftest import BURUNDI_TEXT, ROOT, SEED_PDF, SEED_TEXT


def run(args, env, check=True):
    done = subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    if check and done.returncode != 0:
        raise AssertionError(done.stderr)
    return done


def test_speakers_json_gives_58_statements_for_text_and_pdf(cli_env):
    for path in (SEED_TEXT, SEED_PDF):
        rows = json.loads(run(["speakers", str(path), "--json"], cli_env).stdout)
        assert len(rows) == 58
        assert set(rows[0]) == {"statement_id", "document_id", "order", "speaker", "speaker_type", "on_behalf_of", "page", "text",
                                "warnings"}
        assert rows[34]["speaker"] == "France" and rows[34]["page"] == 16


def test_speakers_lists_the_indexed_statements(cli_env):
    out = run(["speakers"], cli_env).stdout
    assert "Russian Federation" in out and "58 statements" in out


def test_documents_lists_metadata(cli_env):
    infos = json.loads(run(["documents", "--json"], cli_env).stdout)
    assert infos[0]["session"] == "HRC58" and infos[0]["statements"] == 58


def test_indexing_twice_adds_nothing(cli_env):
    out = run(["index", str(SEED_PDF)], cli_env).stdout  # the PDF of the same content
    assert "1 document(s), 58 statements" in out and "0 added, 1 unchanged" in out


def test_several_documents_coexist_and_reindexing_is_incremental(tmp_path, embedder):
    settings = Settings(home=tmp_path)
    first = index_paths(settings, [SEED_TEXT], embedder_factory=lambda: embedder)
    second = index_paths(settings, [SEED_TEXT, BURUNDI_TEXT], embedder_factory=lambda: embedder)
    assert second.documents == 2 and second.skipped == [first.added[0]]
    burundi = [d for d in second.added]
    assert len(burundi) == 1 and second.embedded > 0
    reader = IndexReader(settings)
    assert len(reader.documents()) == 2
    assert reader.collections["statements"].count() == 58 + 21
    # A rebuild re-embeds nothing: every vector comes from the content-hash cache.
    rebuilt = index_paths(settings, [SEED_TEXT, BURUNDI_TEXT], rebuild=True, embedder_factory=lambda: embedder)
    assert rebuilt.embedded == 0 and rebuilt.cached > 0


def test_opening_an_index_built_with_another_model_is_refused(tmp_path, embedder):
    settings = Settings(home=tmp_path)
    index_paths(settings, [BURUNDI_TEXT], embedder_factory=lambda: embedder)
    reader = IndexReader(settings)
    reader.collections["sentences"].modify(metadata={"embedding_model": "another-model", "schema_version": 1})
    with pytest.raises(IndexMismatch, match="rebuild"):
        IndexReader(settings)
    env = dict(os.environ, HRC_HOME=str(tmp_path))
    done = run(["speakers"], env, check=False)
    assert done.returncode == 2 and "rebuild" in done.stderr and "Traceback" not in done.stderr


def test_a_missing_index_says_how_to_build_it(tmp_path):
    done = run(["speakers"], dict(os.environ, HRC_HOME=str(tmp_path)), check=False)
    assert done.returncode == 2 and "hrc-assistant index" in done.stderr


BAD_INPUTS = {
    "missing": (badfiles.missing, "no such file"),
    "directory": (badfiles.directory, "directory"),
    "empty": (badfiles.empty_txt, "empty"),
    "whitespace": (badfiles.whitespace_txt, "no text"),
    "binary garbage": (badfiles.binary_garbage_txt, "binary"),
    "garbage renamed .pdf": (badfiles.binary_garbage_pdf, "PDF"),
    "truncated pdf": (badfiles.truncated_pdf, "PDF"),
    "encrypted pdf": (badfiles.encrypted_pdf, "encrypted"),
    "scanned pdf": (badfiles.scanned_pdf, "no text layer"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_documents_get_one_clear_sentence_and_change_nothing(case, tmp_path, cli_env):
    make, words = BAD_INPUTS[case]
    path = make(tmp_path)
    before = (Path(cli_env["HRC_HOME"]) / "index" / "CURRENT").read_text()
    for command in (["speakers", str(path)], ["index", str(path)]):
        done = run(command, cli_env, check=False)
        assert done.returncode == 2, done.stdout
        assert words.lower() in done.stderr.lower()
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert (Path(cli_env["HRC_HOME"]) / "index" / "CURRENT").read_text() == before


def test_a_file_over_the_size_limit_is_refused(tmp_path, cli_env):
    path = badfiles.huge_txt(tmp_path, 2)
    done = run(["speakers", str(path)], dict(cli_env, HRC_MAX_FILE_MB="1"), check=False)
    assert done.returncode == 2 and "limit" in done.stderr


def test_a_legacy_encoded_text_is_read(tmp_path, cli_env):
    path = badfiles.legacy_encoding_txt(tmp_path)
    rows = json.loads(run(["speakers", str(path), "--json"], cli_env).stdout)
    assert rows and any("Côte d’Ivoire" in r["speaker"] or "Côte d'Ivoire" in r["speaker"] for r in rows)


# ---------------------------------------------------------------- compression bombs


def _index_current(home: str) -> str:
    return (Path(home) / "index" / "CURRENT").read_text()


@pytest.mark.parametrize("make", [badfiles.bomb_pdf_one_stream, badfiles.bomb_pdf_many_pages], ids=["200MB-stream", "40-pages-x-30MB"])
def test_a_compression_bomb_pdf_fails_fast_with_one_line_and_changes_nothing(make, tmp_path, cli_env):
    path = make(tmp_path)
    assert path.stat().st_size < 3_000_000  # small on disk, huge inflated
    before = _index_current(cli_env["HRC_HOME"])
    started = time.monotonic()
    done = run(["index", str(path)], cli_env, check=False)
    elapsed = time.monotonic() - started
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [done.stderr.strip()] and "Traceback" not in done.stderr
    assert "compression bomb" in done.stderr and "HRC_MAX_PDF_DECOMPRESSED_MB" in done.stderr
    assert elapsed < 30, f"took {elapsed:.0f} s to refuse"  # unbounded, these took minutes and gigabytes
    assert _index_current(cli_env["HRC_HOME"]) == before


def test_a_pdf_that_reads_too_long_is_stopped_by_the_time_limit(tmp_path, cli_env):
    path = badfiles.bomb_pdf_many_pages(tmp_path, pages=15, mb_each=1)  # 15 MB: under the 20 MB byte cap
    done = run(["speakers", str(path)], dict(cli_env, HRC_MAX_DOCUMENT_SECONDS="0.5"), check=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "HRC_MAX_DOCUMENT_SECONDS" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_the_real_pdf_reads_within_the_default_limits():
    from assistant.settings import Settings
    from index.load import ReadLimits, read_pages

    pages = read_pages(SEED_PDF, limits=ReadLimits.of(Settings()))
    assert len(pages) > 10


# ---------------------------------------------------------------- files that are not dialogues


def test_a_symlink_out_of_its_directory_is_refused_unless_forced(tmp_path, cli_env):
    secret = badfiles.shadow_like_txt(tmp_path / "etc")
    link = badfiles.symlink_out(tmp_path / "documents", secret)
    before = _index_current(cli_env["HRC_HOME"])
    done = run(["index", str(link)], cli_env, check=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "symbolic link" in done.stderr and "--force" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "$6$" not in done.stderr + done.stdout  # nothing of the target is shown
    assert _index_current(cli_env["HRC_HOME"]) == before

    # A link that stays inside its directory is an ordinary file.
    inside = tmp_path / "documents" / "copy.txt"
    inside.symlink_to(badfiles.legacy_encoding_txt(tmp_path / "documents"))
    rows = json.loads(run(["speakers", str(inside), "--json"], cli_env).stdout)
    assert any(r["speaker"] == "France" for r in rows)


def test_a_file_that_is_not_a_dialogue_is_refused_unless_forced(tmp_path):
    home = tmp_path / "home"
    env = dict(os.environ, HRC_HOME=str(home))
    shadow = badfiles.shadow_like_txt(tmp_path)
    done = run(["index", str(shadow)], env, check=False)
    assert done.returncode == 2 and "does not look like the text of a dialogue" in done.stderr, done.stderr
    assert "--force" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (home / "index" / "CURRENT").exists()
    # `--force` (force=True) lets it through the guard to the segmenter.
    from index.store import load_document

    assert load_document(shadow, Settings(home=home), force=True).info.source == shadow.name


@pytest.mark.parametrize("bom", [True, False], ids=["with-BOM", "without-BOM"])
@pytest.mark.parametrize("byteorder", ["little", "big"])
def test_utf16_text_is_detected_and_read(bom, byteorder, tmp_path):
    from index.store import load_document

    settings = Settings(home=tmp_path / "home")
    legacy = load_document(badfiles.legacy_encoding_txt(tmp_path), settings)
    utf16 = load_document(badfiles.utf16_txt(tmp_path, bom=bom, byteorder=byteorder), settings)
    assert [(s.speaker, s.text) for s in utf16.statements] == [(s.speaker, s.text) for s in legacy.statements]
    assert any(s.speaker == "France" for s in utf16.statements)
