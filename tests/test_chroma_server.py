"""Client/server mode against a real Chroma server (`chroma run`) on a free loopback port.

The server is started once for this module and terminated at the end. The index is built
with the real CLI (`hrc-assistant index`) and read with the real CLI (`hrc-assistant ask
--json`); its answers must equal embedded mode's. Two Assistant instances (replicas) share
the server and both follow a re-index. An unreachable server gives one clear line and exit 2.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SEED_TEXT

QUESTIONS = [  # one conversation: later turns depend on earlier ones
    "What did France say about political prisoners?",
    "And China?",
    "Which delegations raised the death penalty?",
    "What did the United States say?",
    "When did the dialogue take place?",
    "What were the main criticisms of Belarus?",
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _chroma_binary() -> str | None:
    candidate = Path(sys.executable).with_name("chroma")
    return str(candidate) if candidate.exists() else shutil.which("chroma")


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("hrc-assistant")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from assistant.cli import main; main()"]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    import httpx

    binary = _chroma_binary()
    if binary is None:
        pytest.skip("the `chroma` CLI (chromadb>=1.5) is not installed")
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = open(data / "chroma.log", "wb")
    proc = subprocess.Popen([binary, "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"chroma run exited with {proc.returncode}: {(data / 'chroma.log').read_text()[-500:]}")
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=2, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("no heartbeat from the Chroma server after 60 s")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


@pytest.fixture(scope="module")
def server_home(tmp_path_factory, indexed_home) -> Path:
    """An HRC_HOME for server mode; its embedding cache starts as a copy of the session index's."""
    home = tmp_path_factory.mktemp("hrc-home-server")
    cache = Path(indexed_home) / "cache" / "embeddings.sqlite"
    if cache.exists():
        (home / "cache").mkdir()
        shutil.copy(cache, home / "cache" / "embeddings.sqlite")
    return home


def _env(home: Path, url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HRC_")}
    env.update({"HRC_HOME": str(home), "HRC_CHROMA_URL": url, "HRC_BACKEND": "offline",
                "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"})
    return env


def _comparable(answer) -> dict:
    data = answer if isinstance(answer, dict) else answer.model_dump(mode="json")
    return {k: data[k] for k in ("question", "answer", "citations", "abstained", "notices", "backend", "document_id")}


@pytest.fixture(scope="module")
def server_index(chroma_url, server_home):
    """`hrc-assistant index` of the bundled document into the Chroma server."""
    proc = subprocess.run([*_cli(), "index"], env=_env(server_home, chroma_url), capture_output=True, text=True,
                          timeout=900, cwd=str(ROOT))
    assert proc.returncode == 0, proc.stderr
    assert "Indexed: 1 document(s)" in proc.stdout
    return proc


def test_index_lives_in_the_server(chroma_url, server_index, server_home):
    import chromadb

    client = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_url.rsplit(":", 1)[1]))
    names = {c.name for c in client.list_collections()}
    generation = client.get_collection("hrc_current").metadata["generation"]
    assert {f"hrc_{generation}_{kind}" for kind in ("documents", "statements", "sentences", "chunks")} <= names
    assert not (server_home / "index").exists(), "server mode must not write an embedded index"


def test_cli_answers_equal_embedded_answers(chroma_url, server_index, server_home, assistant_offline):
    proc = subprocess.run([*_cli(), "ask", "--json", *QUESTIONS], env=_env(server_home, chroma_url),
                          capture_output=True, text=True, timeout=900, cwd=str(ROOT))
    assert proc.returncode == 0, proc.stderr
    served = json.loads(proc.stdout)
    history: list[dict] = []
    expected = []
    for question in QUESTIONS:  # the same conversation as `ask` runs it, in embedded mode
        answer = assistant_offline.ask(question, history=history)
        expected.append(answer)
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.answer}]
    assert len(served) == len(QUESTIONS)
    for got, want in zip(served, expected):
        assert _comparable(got) == _comparable(want), got["question"]
    assert any(a["citations"] for a in served) and any(a["abstained"] for a in served)


def test_two_replicas_share_the_server(chroma_url, server_index, server_home, embedder, assistant_offline, tmp_path):
    from assistant.engine import Assistant
    from assistant.settings import Settings
    from eval.synthetic import generate_corpus
    from index.store import index_paths

    settings = Settings(home=server_home, chroma_url=chroma_url, backend="offline")
    replicas = [Assistant(settings, embedder=embedder), Assistant(settings, embedder=embedder)]
    seed_id = assistant_offline.default_document()
    question = "Which delegations raised the death penalty?"
    before = [r.ask(question) for r in replicas]
    want = _comparable(assistant_offline.ask(question))
    assert [_comparable(a) for a in before] == [want, want]

    # A writer (a third process in production) adds a document: both replicas follow the new generation.
    extra = generate_corpus(tmp_path / "synthetic", 1, seed=7)
    summary = index_paths(settings, [SEED_TEXT, *extra], embedder_factory=lambda: embedder)
    assert summary.added and summary.skipped == [seed_id]
    for replica in replicas:
        assert set(replica.documents()) == {seed_id, *summary.added}
        assert replica.reader.generation == summary.generation
        assert _comparable(replica.ask(question)) == want  # still scoped to the seed by default
    other = summary.added[0]
    answers = [r.ask("Which delegations raised torture?", document_id=other) for r in replicas]
    assert _comparable(answers[0]) == _comparable(answers[1])
    assert all(c.document_id == other for c in answers[0].citations)

    # Old generations are pruned from the server (keep_generations), never the one in use.
    import chromadb

    client = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_url.rsplit(":", 1)[1]))
    generations = {c.name.split("_")[1] for c in client.list_collections() if c.name.startswith("hrc_g")}
    assert summary.generation in generations and len(generations) <= settings.keep_generations


def test_unreachable_server_gives_one_clear_line(server_home):
    url = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    for command in (["ask", "What did France say about political prisoners?"], ["documents"]):
        proc = subprocess.run([*_cli(), *command], env=_env(server_home, url), capture_output=True, text=True,
                              timeout=300, cwd=str(ROOT))
        assert proc.returncode == 2, (command, proc.stdout, proc.stderr)
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, proc.stderr
        assert lines[0].startswith("error: ") and url in lines[0] and "cannot be reached" in lines[0]
        assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_unreachable_server_index_fails_cleanly(server_home, tmp_path):
    url = f"http://127.0.0.1:{_free_port()}"
    proc = subprocess.run([*_cli(), "index"], env=_env(tmp_path, url), capture_output=True, text=True,
                          timeout=300, cwd=str(ROOT))
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and url in errors[0] and "Traceback" not in proc.stderr
