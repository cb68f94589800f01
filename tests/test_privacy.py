"""Nothing leaves the machine, and questions stay out of the logs.

Every process here runs with a network guard: a `sitecustomize` module put first on PYTHONPATH
that wraps socket connect/connect_ex/sendto, getaddrinfo and gethostbyname, lets loopback and
Unix sockets through, and records (then refuses) anything else in a JSON-lines file. The
processes are started without HF_*/TRANSFORMERS_*/GRADIO_*/ANONYMIZED_TELEMETRY variables, so
the offline and no-telemetry defaults in effect are the ones the product sets itself
(`assistant.embedding.offline_environment`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from assistant.settings import Settings
from index.store import index_paths
from tests import servers

from conftest import BURUNDI_TEXT, ROOT, SEED_TEXT

MARK = "zebra-quokka-4711"  # a word no log line would have by chance
QUESTION = f"What did France say about political prisoners? {MARK}"
OFFLINE_DEFAULTS = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
}
STRIPPED_PREFIXES = ("HRC_", "HF_", "TRANSFORMERS_", "GRADIO_", "ANONYMIZED_TELEMETRY", "TOKENIZERS_", "PYTHONPATH")

GUARD = textwrap.dedent('''
    """Test network guard: record and refuse every non-loopback connection or name lookup."""
    import atexit, errno, ipaddress, json, os, socket, sys

    _LOG = os.environ.get("NETGUARD_LOG")
    _LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
    _WATCHED = %(watched)r


    def _write(entry):
        entry["pid"] = os.getpid()
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\\n")


    def _local(host):
        if host is None:
            return True
        if isinstance(host, bytes):
            host = host.decode("utf-8", "replace")
        host = str(host).strip("[]").split("%%")[0].lower()
        if host in _LOCAL_NAMES or host == "":
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return address.is_loopback or address.is_unspecified


    def _refuse(kind, target):
        import traceback
        _write({"kind": kind, "target": repr(target), "argv": sys.argv[:3],
                "stack": "".join(traceback.format_stack(limit=12)[:-2])[-2500:]})


    def _check_address(kind, sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple) and not _local(address[0]):
            _refuse(kind, address)
            raise OSError(errno.ENETUNREACH, "network access blocked by the test guard")


    _connect, _connect_ex, _sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto
    _getaddrinfo, _gethostbyname = socket.getaddrinfo, socket.gethostbyname


    def connect(self, address):
        _check_address("connect", self, address)
        return _connect(self, address)


    def connect_ex(self, address):
        _check_address("connect_ex", self, address)
        return _connect_ex(self, address)


    def sendto(self, data, *args):
        _check_address("sendto", self, args[-1])
        return _sendto(self, data, *args)


    def getaddrinfo(host, *args, **kwargs):
        if not _local(host):
            _refuse("getaddrinfo", host)
            raise socket.gaierror(socket.EAI_NONAME, "name lookup blocked by the test guard")
        return _getaddrinfo(host, *args, **kwargs)


    def gethostbyname(host):
        if not _local(host):
            _refuse("gethostbyname", host)
            raise socket.gaierror(socket.EAI_NONAME, "name lookup blocked by the test guard")
        return _gethostbyname(host)


    socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = connect, connect_ex, sendto
    socket.getaddrinfo, socket.gethostbyname = getaddrinfo, gethostbyname
    _write({"kind": "armed"})
    atexit.register(lambda: _write({"kind": "env", "argv": sys.argv[:3], "env": {k: os.environ.get(k) for k in _WATCHED}}))
''') % {"watched": sorted(OFFLINE_DEFAULTS)}


@pytest.fixture(scope="module")
def guard_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("netguard")
    (directory / "sitecustomize.py").write_text(GUARD)
    return directory


def guarded_env(guard_dir: Path, home: Path, log: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(STRIPPED_PREFIXES)}
    env.update({
        "PYTHONPATH": str(guard_dir), "NETGUARD_LOG": str(log), "HRC_HOME": str(home),
        "NO_PROXY": "127.0.0.1,localhost", "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


def entries(log: Path) -> list[dict]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def attempts(log: Path) -> list[dict]:
    return [e for e in entries(log) if e["kind"] not in ("armed", "env")]


def describe(found: list[dict]) -> str:
    return "\n\n".join(f"{e['kind']} {e['target']} from {e.get('argv')}\n{e.get('stack', '')}" for e in found[:3])


def test_the_guard_catches_and_refuses_an_outbound_attempt(guard_dir, tmp_path):
    """The control: without it, an empty guard log would prove nothing."""
    log = tmp_path / "net.jsonl"
    code = textwrap.dedent("""
        import socket
        for attempt in (lambda: socket.socket().connect(("203.0.113.9", 443)),
                        lambda: socket.create_connection(("huggingface.co", 443), timeout=2)):
            try:
                attempt()
            except OSError:
                pass
        s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
        socket.create_connection(s.getsockname(), timeout=2).close()
    """)
    done = subprocess.run([sys.executable, "-c", code], env=guarded_env(guard_dir, tmp_path, log),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    found = attempts(log)
    assert {(e["kind"], e["target"]) for e in found} == {("connect", "('203.0.113.9', 443)"), ("getaddrinfo", "'huggingface.co'")}


def test_indexing_and_asking_make_no_outbound_attempt_and_set_offline_defaults(guard_dir, indexed_home, embedder, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copytree(Path(indexed_home) / "cache", home / "cache")
    index_paths(Settings(home=home), [SEED_TEXT], embedder_factory=lambda: embedder)
    log = tmp_path / "net.jsonl"
    env = guarded_env(guard_dir, home, log)
    hrc = str(servers.VENV_BIN / "hrc-assistant")

    # A real indexing pass: new text, so the model is loaded and runs.
    indexed = subprocess.run([hrc, "index", str(BURUNDI_TEXT)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert indexed.returncode == 0, indexed.stderr
    assert "1 added" in indexed.stdout and "model_load" in indexed.stdout, indexed.stdout
    asked = subprocess.run([hrc, "ask", "--json", QUESTION], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert asked.returncode == 0, asked.stderr
    [answer] = json.loads(asked.stdout)
    assert {c["speaker"] for c in answer["citations"]} == {"France"}

    found = attempts(log)
    assert not found, "outbound network attempts:\n" + describe(found)
    logged = entries(log)
    assert sum(e["kind"] == "armed" for e in logged) >= 2, "the guard did not load in the CLI processes"
    environments = [e for e in logged if e["kind"] == "env"]
    assert len(environments) >= 2, logged
    for e in environments:
        assert e["env"] == OFFLINE_DEFAULTS, e


def start_guarded(home: Path, env: dict, name: str) -> servers.Server:
    servers.ARTIFACTS.mkdir(exist_ok=True)
    port = servers.free_port()
    log_path = servers.ARTIFACTS / f"{name}.log"
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            [*servers.serve_command(), "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=ROOT,
            stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )
    return servers.Server(url=f"http://127.0.0.1:{port}", port=port, process=process, log_path=log_path)


MALFORMED_GRADIO_CALLS = [
    ("/gradio_api/call/ask", {"data": QUESTION}),
    ("/gradio_api/call/ask", {"data": [QUESTION, "not a list", 5, {"x": 1}, 7, 8, 9, 10]}),
    ("/gradio_api/call/ask", {"data": [{"question": QUESTION}]}),
    ("/gradio_api/call/ask", {"data": [QUESTION, [{"role": "robot", "content": QUESTION}]]}),
    ("/gradio_api/call/ask", QUESTION),
    ("/gradio_api/queue/join", {"data": [QUESTION], "fn_index": "first", "session_hash": QUESTION}),
    ("/gradio_api/queue/join", {"data": [QUESTION], "fn_index": 424242, "session_hash": "abc123"}),
]


def send_malformed_gradio_calls(client: httpx.Client) -> None:
    """Calls a careless or hostile client may make, each carrying the question; none may put it in a log."""
    for path, body in MALFORMED_GRADIO_CALLS:
        response = client.post(path, json=body)
        assert response.status_code != 500 or response.json().get("error"), (path, response.text[:300])
        event_id = response.json().get("event_id") if response.status_code == 200 else None
        if event_id:
            with client.stream("GET", f"{path}/{event_id}") as events:
                "".join(events.iter_text())


def exercise(server: servers.Server) -> None:
    """Ask the marked question every way a client can, malformed Gradio calls included, and load the UI."""
    from gradio_client import Client

    with httpx.Client(base_url=server.url, timeout=120, trust_env=False) as client:
        send_malformed_gradio_calls(client)
        assert client.get("/").status_code == 200
        assert client.get("/config").status_code == 200
        response = client.post("/api/ask", json={"question": QUESTION})
        assert response.status_code == 200 and {c["speaker"] for c in response.json()["citations"]} == {"France"}
        with client.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as stream:
            assert stream.status_code == 200
            assert "event: answer" in "".join(stream.iter_text())
        refused = client.post("/api/ask", json={"question": QUESTION + "\x00"})
        assert refused.status_code == 400
    answer = Client(server.url, verbose=False).predict(QUESTION, None, None, None, None, api_name="/ask")
    assert answer["citations"]


def test_served_app_makes_no_outbound_attempt_and_logs_questions_only_when_asked_to(guard_dir, indexed_home, tmp_path):
    quiet_log, loud_log = tmp_path / "quiet.jsonl", tmp_path / "loud.jsonl"
    quiet = start_guarded(indexed_home, guarded_env(guard_dir, indexed_home, quiet_log, HRC_RATE_LIMIT_PER_MINUTE="0"),
                          "privacy-quiet")
    loud = start_guarded(indexed_home, guarded_env(guard_dir, indexed_home, loud_log, HRC_RATE_LIMIT_PER_MINUTE="0",
                                                   HRC_LOG_QUESTIONS="true"), "privacy-loud")
    try:
        for server in (quiet, loud):
            servers.wait_ready(server)
        for server in (quiet, loud):
            exercise(server)
    finally:
        codes = [servers.stop(server) for server in (quiet, loud)]
    assert all(code is not None for code in codes)

    for log in (quiet_log, loud_log):
        found = attempts(log)
        assert not found, "outbound network attempts by the server:\n" + describe(found)
        assert any(e["kind"] == "armed" for e in entries(log)), "the guard did not load in the server"

    quiet_text, loud_text = quiet.log(), loud.log()
    assert "api/ask question of" in quiet_text  # the request was logged, without its text
    assert MARK not in quiet_text, [line for line in quiet_text.splitlines() if MARK in line][:3]
    # The positive control: with HRC_LOG_QUESTIONS=true the same requests do log the text.
    assert loud_text.count(MARK) >= 2, loud_text[-3000:]
