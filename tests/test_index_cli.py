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
from index.fingerprint import indexer_fingerprint
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


def test_a_document_indexed_by_another_version_of_the_indexer_is_indexed_again(tmp_path, embedder):
    settings = Settings(home=tmp_path)
    first = index_paths(settings, [SEED_TEXT, BURUNDI_TEXT], embedder_factory=lambda: embedder)
    seed_id = next(d for d, info in IndexReader(settings).documents().items() if info.source == SEED_TEXT.name)
    # As an older indexer left it: no fingerprint, and a stance label the current classifier would not give.
    reader = IndexReader(settings)
    meta = reader.collections["documents"].get(ids=[seed_id], include=["metadatas"])["metadatas"][0]
    reader.collections["documents"].update(ids=[seed_id], metadatas=[{**meta, "indexer": ""}])
    statement = reader.collections["statements"].get(where={"document_id": seed_id}, limit=1, include=["metadatas"])
    reader.collections["statements"].update(ids=statement["ids"], metadatas=[{**statement["metadatas"][0], "stances": "[]"}])
    messages: list[str] = []
    again = index_paths(settings, [SEED_TEXT, BURUNDI_TEXT], embedder_factory=lambda: embedder, progress=messages.append)
    assert again.added == [seed_id] and len(again.skipped) == 1 and again.embedded == 0  # the cache serves every text
    assert any("indexed by another version of the indexer" in m for m in messages)
    reader = IndexReader(settings)
    assert reader.collections["statements"].count() == 58 + 21 and reader.collections["documents"].count() == 2
    assert reader.indexers()[seed_id] == indexer_fingerprint() and first.added
    restored = reader.collections["statements"].get(ids=statement["ids"], include=["metadatas"])["metadatas"][0]
    assert restored["stances"] == statement["metadatas"][0]["stances"]
    # Indexed by this version, it is skipped as before.
    assert index_paths(settings, [SEED_TEXT], embedder_factory=lambda: embedder).skipped == [seed_id]


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


# ---------------------------------------------------------------- one model pass: sentences, and chunks pooled from them


def _token_mean(model, texts: list[str]):
    """The model's own mean pooling over every token of `texts`, each read in its own context, normalised."""
    import numpy as np

    tokens = model.encode(texts, output_value="token_embeddings")  # one (tokens, 384) matrix per text, padding dropped
    mean = np.concatenate([t.numpy() for t in tokens]).mean(axis=0)
    return mean / np.linalg.norm(mean)


def _chunks_with_sentences(settings):
    """(chunk id, stored vector, its sentences' texts) of the seed's chunks, from the index."""
    import numpy as np

    reader = IndexReader(settings)
    document = reader.load_document(next(iter(reader.documents())))
    got = reader.collections["chunks"].get(include=["embeddings", "metadatas"])
    for chunk_id, vector, meta in zip(got["ids"], got["embeddings"], got["metadatas"]):
        statement = document.by_id[meta["statement_id"]]
        texts = [x.text for x in statement.sentences if meta["chunk_start"] <= x.char_start and x.char_end <= meta["chunk_end"]]
        yield chunk_id, np.asarray(vector), texts


def test_a_chunk_vector_is_the_token_mean_of_its_sentences_and_sentence_vectors_are_the_query_vectors(settings, embedder):
    import numpy as np

    from assistant.embedding import encode, model_path
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_path(), device="cpu")
    chunks = list(_chunks_with_sentences(settings))
    joined = [c for c in chunks if len(c[2]) > 1][:6]
    assert len(joined) == 6
    for chunk_id, vector, texts in joined + chunks[:2]:
        assert np.allclose(vector, _token_mean(model, texts), atol=1e-5), chunk_id
        # Close to the model reading the chunk's text as one, without reading it twice.
        assert vector @ encode(embedder, [" ".join(texts)])[0] > 0.7, chunk_id

    reader = IndexReader(settings)
    stored = reader.collections["sentences"].get(include=["embeddings", "documents"], limit=40)
    assert np.allclose(np.asarray(stored["embeddings"]), encode(embedder, stored["documents"]), atol=1e-5)


def _edited_seed(settings, tmp_path) -> tuple[Path, str]:
    """A copy of the seed with the middle sentence of a chunk of three or more changed; and that sentence."""
    text = SEED_TEXT.read_text(encoding="utf-8")
    old_sentence = next(texts[1] for _, _, texts in _chunks_with_sentences(settings)
                        if len(texts) > 2 and text.count(texts[1]) == 1 and texts[1].endswith("."))
    new_sentence = old_sentence[:-1] + " (edited)."
    edited = tmp_path / "edited.txt"
    edited.write_text(text.replace(old_sentence, new_sentence), encoding="utf-8")
    return edited, new_sentence


def test_reindexing_after_one_sentence_edit_reads_only_that_sentences_chunk(indexed_home, settings, tmp_path):
    import shutil

    import numpy as np

    from assistant.embedding import TokenEncoder, model_path
    from sentence_transformers import SentenceTransformer

    class Recording(TokenEncoder):
        """The real encoder, noting what the model reads."""

        def __init__(self, model):
            super().__init__(model)
            self.read: list[str] = []

        def token_sums(self, texts):
            self.read.extend(texts)
            return super().token_sums(texts)

    home = tmp_path / "home"
    shutil.copytree(Path(indexed_home) / "cache", home / "cache")
    edited, new_sentence = _edited_seed(settings, tmp_path)
    encoder = Recording(SentenceTransformer(model_path(), device="cpu"))
    summary = index_paths(Settings(home=home), [edited], embedder_factory=lambda: encoder)
    assert summary.embedded == 1 and summary.cached > 500
    # The model read the new sentence and the other sentences of its chunk (to pool the chunk), nothing else.
    # Chunk ids without the document id (the edit gives the document a new one).
    new_chunks = {chunk_id.split(":", 1)[1]: (vector, texts) for chunk_id, vector, texts in _chunks_with_sentences(Settings(home=home))}
    holding = [texts for _, texts in new_chunks.values() if new_sentence in texts]
    assert len(holding) == 1 and sorted(encoder.read) == sorted(holding[0])
    # Every other chunk kept its vector, and the edited one is pooled afresh.
    before = {chunk_id.split(":", 1)[1]: vector for chunk_id, vector, _ in _chunks_with_sentences(settings)}
    changed = [i for i, (vector, _) in new_chunks.items() if not np.allclose(vector, before[i], atol=1e-6)]
    assert len(changed) == 1 and new_sentence in new_chunks[changed[0]][1]
    assert np.allclose(new_chunks[changed[0]][0], _token_mean(encoder.model, holding[0]), atol=1e-5)


def test_an_embedder_without_token_vectors_gives_a_chunk_the_mean_of_its_sentence_vectors(indexed_home, settings, embedder, tmp_path):
    import shutil

    import numpy as np

    class WholeTexts:
        """Another model's embedder, as llama-index gives it: whole-text vectors only."""

        def __init__(self, inner):
            self.inner = inner
            self.texts: list[str] = []

        def get_text_embedding_batch(self, texts, **kwargs):
            self.texts.extend(texts)
            return self.inner.get_text_embedding_batch(texts, **kwargs)

    home = tmp_path / "home"
    shutil.copytree(Path(indexed_home) / "cache", home / "cache")
    edited, new_sentence = _edited_seed(settings, tmp_path)
    whole = WholeTexts(embedder)
    summary = index_paths(Settings(home=home), [edited], embedder_factory=lambda: whole)
    assert summary.embedded == 1 and whole.texts == [new_sentence]
    reader = IndexReader(Settings(home=home))
    stored = reader.collections["sentences"].get(include=["embeddings", "documents"])
    by_text = dict(zip(stored["documents"], np.asarray(stored["embeddings"])))
    for chunk_id, vector, texts in _chunks_with_sentences(Settings(home=home)):
        mean = np.mean([by_text[t] for t in texts], axis=0)
        assert np.allclose(vector, mean / np.linalg.norm(mean), atol=1e-5), chunk_id
