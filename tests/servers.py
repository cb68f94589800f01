"""Real `hrc-assistant serve` processes on free loopback ports, for the UI/API tests.

    with running_server(home, env={"HRC_AUTH_TOKEN": "t"}) as server:
        httpx.get(server.url + "/api/health")

The server is started as a subprocess, waited for until `/api/health` answers 200, and stopped
with SIGTERM (then SIGKILL if it does not exit). Its output goes to test-artifacts/<name>.log.
`indexed_home(request, tmp_path_factory)` gives an HRC_HOME with the bundled document indexed:
the lead's `indexed_home` session fixture if conftest.py has one, else one index built once per
test session by this module.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
VENV_BIN = Path(sys.executable).parent
_HOME: Path | None = None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(home: Path, extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HRC_")}
    env.update({
        "HRC_HOME": str(home),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "NO_PROXY": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra or {})
    return env


def serve_command() -> list[str]:
    """`hrc-assistant serve` when the ui plugin is installed, else the same command via `python -m ui.cli`."""
    if any(entry.name == "ui" for entry in entry_points(group="hrc_assistant.commands")):
        return [str(VENV_BIN / "hrc-assistant"), "serve"]
    return [sys.executable, "-m", "ui.cli", "serve"]


def build_index(home: Path) -> Path:
    """Index the bundled document into `home` (the real `hrc-assistant index` command)."""
    home.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [str(VENV_BIN / "hrc-assistant"), "index"], env=base_env(home), cwd=ROOT,
        capture_output=True, text=True, timeout=900,
    )
    if result.returncode != 0:
        raise RuntimeError(f"indexing failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return home


def indexed_home(request, tmp_path_factory) -> Path:
    """The session's indexed HRC_HOME: conftest's `indexed_home` fixture, else built once here."""
    global _HOME
    try:
        return Path(request.getfixturevalue("indexed_home"))
    except Exception as error:  # noqa: BLE001 - pytest's FixtureLookupError when conftest has none
        if type(error).__name__ != "FixtureLookupError":
            raise
    if _HOME is None:
        _HOME = build_index(tmp_path_factory.mktemp("hrc-home"))
    return _HOME


def fresh_home(indexed: Path, target: Path) -> Path:
    """An HRC_HOME with no index but the embedding cache of `indexed`: a first start indexes it quickly."""
    import shutil

    target.mkdir(parents=True, exist_ok=True)
    if (indexed / "cache").is_dir():
        shutil.copytree(indexed / "cache", target / "cache", dirs_exist_ok=True)
    return target


@dataclass
class Server:
    url: str
    port: int
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


def start(home: Path, env: dict | None = None, args: list[str] | None = None, name: str = "server") -> Server:
    """Start `serve` on a free loopback port without waiting for it (see `wait_ready`).

    `env` may set HRC_HOME itself (another home than `home` for this server)."""
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    log_path = ARTIFACTS / f"{name}.log"
    command = [*serve_command(), "--host", "127.0.0.1", "--port", str(port), *(args or [])]
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            command, env=base_env(home, env), cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(url=f"http://127.0.0.1:{port}", port=port, process=process, log_path=log_path)


def wait_ready(server: Server, timeout: float = 180) -> Server:
    """Wait until GET /api/health answers 200; raise with the server's log if it exits or times out."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited with {server.process.returncode}:\n{server.log()[-4000:]}")
        try:
            response = httpx.get(server.url + "/api/health", timeout=5)
            if response.status_code == 200:
                return server
            last = f"{response.status_code} {response.text[:300]}"
        except httpx.HTTPError as error:
            last = type(error).__name__
        time.sleep(0.3)
    raise RuntimeError(f"the server was not healthy after {timeout}s ({last}):\n{server.log()[-4000:]}")


def stop(server: Server, timeout: float = 20) -> int | None:
    """SIGTERM, then SIGKILL after `timeout` seconds; returns the exit code."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)
    return server.process.returncode


@contextmanager
def running_servers(home: Path, *configs: dict, timeout: float = 180):
    """Start several servers at once (each config: env, args, name); yield them when all are healthy."""
    servers = [start(home, **config) for config in configs]
    try:
        for server in servers:
            wait_ready(server, timeout)
        yield servers
    finally:
        for server in servers:
            stop(server)


@contextmanager
def running_server(home: Path, env: dict | None = None, args: list[str] | None = None, name: str = "server", timeout: float = 180):
    """Start `serve` on a free loopback port; yield a `Server` once /api/health is 200; SIGTERM it after."""
    with running_servers(home, {"env": env, "args": args, "name": name}, timeout=timeout) as servers:
        yield servers[0]
