"""Faults, for real: a SIGKILL mid-indexing, a re-index under live queries, a damaged index, a Chroma
server that is down and then comes back, and SIGTERM with an answer in flight.

Already covered elsewhere and not repeated here: the CLI's one-line error and exit 2 when
HRC_CHROMA_URL points at nothing (test_chroma_server.py::test_unreachable_server_gives_one_clear_line
and ::test_unreachable_server_index_fails_cleanly), and an index built with another embedding model
(test_index_cli.py::test_opening_an_index_built_with_another_model_is_refused).
"""

from __future__ import annotations

import errno
import os
import queue
import random
import shutil
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from assistant.embedding import MODEL_NAME
from assistant.settings import Settings
from assistant.store import SCHEMA_VERSION, IndexReader, index_root
from index.store import index_paths
from tests import badfiles, servers

from conftest import BURUNDI_TEXT, ROOT, SEED_TEXT

FRANCE = "What did France say about political prisoners?"
DEATH_PENALTY = "Which delegations raised the death penalty?"
HRC = str(servers.VENV_BIN / "hrc-assistant")


def env_for(home: Path, **extra: str) -> dict:
    return servers.base_env(home, extra)


def cli(args: list[str], env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([HRC, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def seeded_home(indexed_home: Path, target: Path, embedder) -> Path:
    """A private HRC_HOME with the seed indexed (its vectors come from a copy of the session cache)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(Path(indexed_home) / "cache", target / "cache")
    index_paths(Settings(home=target), [SEED_TEXT], embedder_factory=lambda: embedder)
    return target


def pointer(home: Path) -> str:
    return (index_root(Settings(home=home)) / "CURRENT").read_text()


def comparable(answer) -> tuple:
    return answer.answer, tuple(c.model_dump_json() for c in answer.citations)


def assert_one_line_error(done: subprocess.CompletedProcess, *words: str) -> str:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


# ---------------------------------------------------------------- SIGKILL while indexing


def test_sigkill_while_embedding_keeps_the_index_in_use_and_the_next_run_cleans_up(indexed_home, embedder, tmp_path):
    home = seeded_home(indexed_home, tmp_path / "home", embedder)
    before = pointer(home)
    root = index_root(Settings(home=home))

    process = subprocess.Popen(
        [HRC, "index", str(SEED_TEXT), str(BURUNDI_TEXT)], env=env_for(home), cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True).start()
    seen = []
    deadline = time.monotonic() + 120
    while not any(line.startswith("embedding ") for line in seen):
        assert time.monotonic() < deadline and process.poll() is None, (process.poll(), seen)
        try:
            seen.append(lines.get(timeout=1))
        except queue.Empty:
            pass
    # The Burundi text is new: the run now loads the model and embeds ~130 texts (>15 s on 2 cores).
    time.sleep(2.0)
    assert process.poll() is None, f"indexing finished before the kill could land: {seen}"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    interrupted = [p for p in root.glob("g*") if p.is_dir() and not (p / "COMPLETE").exists()]
    assert interrupted, "the killed run had not started a generation: the kill came too early to prove anything"
    assert pointer(home) == before, "CURRENT moved although the run never finished"

    done = cli(["ask", FRANCE], env_for(home))
    assert done.returncode == 0, done.stderr
    assert "Sources:" in done.stdout and "[1] France (state)" in done.stdout, done.stdout
    assert "Traceback" not in done.stderr

    later = index_paths(Settings(home=home), [SEED_TEXT, BURUNDI_TEXT], embedder_factory=lambda: embedder)
    assert later.added and later.documents == 2
    assert not any(p.exists() for p in interrupted), "the interrupted generation was left on disk"
    assert pointer(home) == later.generation != before
    assert (root / later.generation / "COMPLETE").exists()


# ---------------------------------------------------------------- re-index under live queries


def test_queries_keep_working_while_a_reindex_swaps_the_generation(indexed_home, embedder, tmp_path):
    from assistant.engine import Assistant

    home = seeded_home(indexed_home, tmp_path / "home", embedder)
    settings = Settings(home=home)
    assistant = Assistant(settings, embedder=embedder)
    reference = {q: comparable(assistant.ask(q)) for q in (FRANCE, DEATH_PENALTY)}
    first_generation = assistant.reader.generation

    stop = threading.Event()
    answered = {"during": 0, "after": 0}
    errors: list[str] = []
    wrong: list[str] = []
    phase = ["during"]
    lock = threading.Lock()

    def ask_loop(question: str) -> None:
        while not stop.is_set():
            try:
                got = comparable(assistant.ask(question))
            except Exception as error:  # noqa: BLE001 - any failure is what this test looks for
                with lock:
                    errors.append(f"{type(error).__name__}: {error}")
                continue
            with lock:
                answered[phase[0]] += 1
                if got != reference[question]:
                    wrong.append(question)

    threads = [threading.Thread(target=ask_loop, args=(q,), daemon=True) for q in (FRANCE, DEATH_PENALTY)]
    for thread in threads:
        thread.start()
    try:
        summary = index_paths(settings, [SEED_TEXT, BURUNDI_TEXT], embedder_factory=lambda: embedder)
        with lock:
            phase[0] = "after"
        deadline = time.monotonic() + 30
        while answered["after"] < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == [], errors[:5]
    assert wrong == [], f"{len(wrong)} answers changed while re-indexing"
    assert answered["during"] >= 10 and answered["after"] >= 10, answered
    assert summary.generation != first_generation
    assert assistant.reader.generation == summary.generation, "the engine did not follow the new generation"
    assert len(assistant.documents()) == 2


# ---------------------------------------------------------------- a damaged index


def _garbage_pointer(home: Path) -> None:
    (index_root(Settings(home=home)) / "CURRENT").write_text("gNOT-A-GENERATION\n")


def _binary_pointer(home: Path) -> None:
    (index_root(Settings(home=home)) / "CURRENT").write_bytes(random.Random(7).randbytes(64).replace(b"\n", b"\xff"))


def _deleted_chroma(home: Path) -> None:
    shutil.rmtree(index_root(Settings(home=home)) / pointer(home).strip() / "chroma")


def _schema_version(home: Path) -> None:
    reader = IndexReader(Settings(home=home))
    reader.collections["statements"].modify(metadata={"embedding_model": MODEL_NAME, "schema_version": SCHEMA_VERSION + 1})


def _corrupt_sqlite_pages(home: Path) -> None:
    """Random bytes over the middle third of the pages of the generation's chroma.sqlite3 (its header
    and schema pages intact, so SQLite opens it and fails on the first read of a record)."""
    database = index_root(Settings(home=home)) / pointer(home).strip() / "chroma" / "chroma.sqlite3"
    pages = database.stat().st_size // 4096
    noise = random.Random(13)
    with database.open("r+b") as handle:
        for page in range(pages // 3, 2 * pages // 3):
            handle.seek(page * 4096)
            handle.write(noise.randbytes(4096))


DAMAGE = {
    "garbage-in-CURRENT": _garbage_pointer,
    "binary-CURRENT": _binary_pointer,
    "deleted-chroma-dir": _deleted_chroma,
    "mismatched-schema-version": _schema_version,
    "corrupt-sqlite-pages": _corrupt_sqlite_pages,
}


@pytest.fixture(scope="module")
def clean_home(indexed_home, embedder, tmp_path_factory) -> Path:
    return seeded_home(indexed_home, tmp_path_factory.mktemp("faults-clean") / "home", embedder)


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_index_names_the_rebuild_and_recovers_after_it(damage, clean_home, embedder, tmp_path):
    from fastapi.testclient import TestClient

    from assistant.engine import Assistant
    from ui.server import create_app

    home = tmp_path / "home"
    shutil.copytree(clean_home, home)
    DAMAGE[damage](home)
    settings = Settings(home=home, rate_limit_per_minute=0)

    assert_one_line_error(cli(["ask", FRANCE], env_for(home)), "hrc-assistant index --rebuild")
    if damage == "corrupt-sqlite-pages":
        # Adding a document to a damaged index stops with the same line, and writes nothing.
        before = sorted(p.name for p in index_root(settings).iterdir())
        done = cli(["index", str(BURUNDI_TEXT)], env_for(home))
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.strip().splitlines()[-1].startswith("error: The index in "), done.stderr
        assert "damaged" in done.stderr and "hrc-assistant index --rebuild" in done.stderr
        assert sorted(p.name for p in index_root(settings).iterdir()) == before

    app = create_app(settings, Assistant(settings, embedder=embedder))
    with TestClient(app) as client:
        health = client.get("/api/health")
        assert health.status_code == 503, health.text
        body = health.json()
        assert body["status"] == "unavailable" and "hrc-assistant index --rebuild" in body["reason"], body
        asked = client.post("/api/ask", json={"question": FRANCE})
        assert asked.status_code == 503 and "hrc-assistant index --rebuild" in asked.json()["error"], asked.text

        # What the message says to do (`hrc-assistant index --rebuild`) brings the running app back.
        index_paths(settings, [SEED_TEXT], rebuild=True, embedder_factory=lambda: embedder)
        health = client.get("/api/health")
        assert health.status_code == 200 and health.json()["status"] == "ok", health.text
        asked = client.post("/api/ask", json={"question": FRANCE})
        assert asked.status_code == 200 and {c["speaker"] for c in asked.json()["citations"]} == {"France"}


def test_serve_starts_on_corrupt_pages_and_answers_503_naming_the_rebuild(clean_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(clean_home, home)
    _corrupt_sqlite_pages(home)
    server = servers.start(home, env={"HRC_RATE_LIMIT_PER_MINUTE": "0"}, name="faults-corrupt-pages")
    try:
        health = _wait_for_any_health(server)
        assert health.status_code == 503, health.text
        reason = health.json()["reason"]
        assert "damaged" in reason and "hrc-assistant index --rebuild" in reason and "\n" not in reason, reason
        asked = httpx.post(server.url + "/api/ask", json={"question": FRANCE}, timeout=60)
        assert asked.status_code == 503, asked.text
        assert "hrc-assistant index --rebuild" in asked.json()["error"], asked.text
        assert "Traceback" not in server.log()
    finally:
        servers.stop(server)


# ---------------------------------------------------------------- a full disk


@pytest.fixture()
def small_disk(tmp_path):
    """A 64 MB tmpfs mounted for this test: a real filesystem that really fills up (ENOSPC)."""
    mountpoint = tmp_path / "small-disk"
    mountpoint.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mountpoint)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"mounting a small tmpfs needs root (CAP_SYS_ADMIN): {mounted.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True)


def _fill(disk: Path) -> Path:
    """Write a file until the filesystem has no byte left."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as handle:
        for size in (1 << 20, 4096, 1):
            try:
                while True:
                    handle.write(b"\0" * size)
            except OSError as error:
                assert error.errno == errno.ENOSPC, error
    return filler


def test_a_full_disk_still_answers_and_a_failed_run_says_disk_full_and_leaves_nothing(clean_home, small_disk):
    home = small_disk / "home"
    shutil.copytree(clean_home, home)
    root = index_root(Settings(home=home))
    before, contents = pointer(home), sorted(p.name for p in root.iterdir())
    _fill(small_disk)

    # Chroma writes when it opens a store: the intact generation is still read and answers.
    done = cli(["ask", FRANCE], env_for(home))
    assert done.returncode == 0, done.stderr
    assert "[1] France (state)" in done.stdout and "Traceback" not in done.stderr

    done = cli(["index", str(BURUNDI_TEXT)], env_for(home))
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: disk full:") and "left the index as it was" in last, done.stderr
    assert pointer(home) == before
    assert sorted(p.name for p in root.iterdir()) == contents, "the failed run left a partial generation"


# ---------------------------------------------------------------- two indexing runs at once


def test_a_second_index_run_waits_or_refuses_and_no_update_is_lost(clean_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(clean_home, home)
    documents = tmp_path / "documents"
    refused_document = badfiles.legacy_encoding_txt(documents)
    waiting_document = badfiles.injection_txt(documents)

    first = subprocess.Popen([HRC, "index", str(BURUNDI_TEXT)], env=env_for(home), cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in first.stderr], daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + 120
    while not any(line.startswith("embedding ") for line in seen):  # the first run holds the lock now
        assert time.monotonic() < deadline and first.poll() is None, (first.poll(), seen)
        try:
            seen.append(lines.get(timeout=1))
        except queue.Empty:
            pass

    refused = cli(["index", str(refused_document)], env_for(home, HRC_INDEX_LOCK_WAIT_SECONDS="0"))
    waiting = subprocess.Popen([HRC, "index", str(waiting_document)], env=env_for(home, HRC_INDEX_LOCK_WAIT_SECONDS="600"),
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert first.wait(timeout=600) == 0, "".join(seen)
    waited_out, waited_err = waiting.communicate(timeout=600)

    assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr
    assert refused.stderr.strip().splitlines()[-1].startswith("error: another indexing run is in progress"), refused.stderr
    assert waiting.returncode == 0, waited_err
    assert "waiting up to 600 s" in waited_err and "Traceback" not in waited_err
    # Nothing lost: the waiting run built on the first run's generation.
    sources = {info.source for info in IndexReader(Settings(home=home)).documents().values()}
    assert sources == {SEED_TEXT.name, BURUNDI_TEXT.name, waiting_document.name}, sources
    assert "3 document(s)" in waited_out


# ---------------------------------------------------------------- Chroma server down, then up


def _wait_for_any_health(server: servers.Server, timeout: float = 180) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"serve exited with {server.process.returncode}:\n{server.log()[-3000:]}")
        try:
            return httpx.get(server.url + "/api/health", timeout=10)
        except httpx.TransportError:
            time.sleep(0.3)
    raise AssertionError(f"serve never answered /api/health:\n{server.log()[-3000:]}")


def test_served_app_reports_chroma_down_then_recovers_when_it_comes_back(indexed_home, embedder, tmp_path):
    binary = servers.VENV_BIN / "chroma"
    if not binary.exists():
        pytest.skip("the `chroma` CLI is not installed")
    port = servers.free_port()
    url = f"http://127.0.0.1:{port}"
    home = tmp_path / "home"
    home.mkdir()
    shutil.copytree(Path(indexed_home) / "cache", home / "cache")
    server = servers.start(home, env={"HRC_CHROMA_URL": url, "HRC_RATE_LIMIT_PER_MINUTE": "0"}, name="faults-chroma-down")
    chroma = None
    try:
        health = _wait_for_any_health(server)
        assert health.status_code == 503, health.text
        assert health.json()["status"] == "unavailable" and url in health.json()["reason"], health.text
        asked = httpx.post(server.url + "/api/ask", json={"question": FRANCE}, timeout=60)
        assert asked.status_code == 503, asked.text
        assert asked.headers["content-type"].startswith("application/json")
        assert url in asked.json()["error"] and "cannot be reached" in asked.json()["error"]

        # The Chroma server starts on that port after the app; the index is written into it.
        log = open(tmp_path / "chroma.log", "wb")
        chroma = subprocess.Popen(
            [str(binary), "run", "--path", str(tmp_path / "chroma-db"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            assert chroma.poll() is None, (tmp_path / "chroma.log").read_text()[-2000:]
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=2, trust_env=False).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "no heartbeat from chroma run"
            time.sleep(0.2)
        summary = index_paths(Settings(home=home, chroma_url=url), [SEED_TEXT], embedder_factory=lambda: embedder)

        deadline = time.monotonic() + 30
        while (health := httpx.get(server.url + "/api/health", timeout=10)).status_code != 200:
            assert time.monotonic() < deadline, f"the app did not recover without a restart: {health.text}"
            time.sleep(0.5)
        assert health.json()["status"] == "ok" and health.json()["generation"] == summary.generation
        asked = httpx.post(server.url + "/api/ask", json={"question": FRANCE}, timeout=120)
        assert asked.status_code == 200, asked.text
        assert {c["speaker"] for c in asked.json()["citations"]} == {"France"}
        assert "Traceback" not in server.log()
    finally:
        servers.stop(server)
        if chroma is not None:
            chroma.terminate()
            try:
                chroma.wait(timeout=15)
            except subprocess.TimeoutExpired:
                chroma.kill()
                chroma.wait(timeout=5)


# ---------------------------------------------------------------- SIGTERM with an answer in flight


class _SlowLLM(BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint that takes 4 s and then answers nothing usable."""

    received = threading.Event()

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.received.set()
        time.sleep(4)
        body = b'{"choices": []}'
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass


def test_sigterm_lets_the_answer_in_flight_finish_then_exits_cleanly(indexed_home):
    handler = type("SlowLLM", (_SlowLLM,), {"received": threading.Event()})
    llm = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    llm.daemon_threads = True
    threading.Thread(target=llm.serve_forever, daemon=True).start()
    env = {
        "HRC_OPENAI__BASE_URL": f"http://127.0.0.1:{llm.server_address[1]}/v1", "HRC_OPENAI__MODEL": "slow",
        "HRC_LLM_TIMEOUT": "20", "HRC_RATE_LIMIT_PER_MINUTE": "0",
    }
    server = servers.wait_ready(servers.start(indexed_home, env=env, args=["--graceful-timeout", "20"], name="faults-sigterm"))
    result: dict = {}

    def ask() -> None:
        try:
            result["response"] = httpx.post(server.url + "/api/ask", json={"question": FRANCE, "backend": "openai"}, timeout=60)
        except httpx.HTTPError as error:
            result["error"] = repr(error)

    try:
        thread = threading.Thread(target=ask)
        thread.start()
        assert handler.received.wait(60), "the answer never reached the LLM backend"
        sent = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        thread.join(timeout=60)
        code = server.process.wait(timeout=40)
    finally:
        servers.stop(server)
        llm.shutdown()
        llm.server_close()
    assert "error" not in result, result
    response = result["response"]
    assert response.status_code == 200, response.text
    answer = response.json()
    assert {c["speaker"] for c in answer["citations"]} == {"France"}
    assert any("slow" in n or "openai" in n for n in answer["notices"]) or answer["backend"] == "openai", answer
    assert time.monotonic() - sent >= 2, "the request cannot have waited for the slow backend"
    assert code in (0, -signal.SIGTERM, 143), code
    log = server.log()
    assert "Traceback" not in log, log[-3000:]
    assert "Finished server process" in log
