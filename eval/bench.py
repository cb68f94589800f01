"""`hrc-assistant bench`: how fast and how big, against fixed targets, beside the naive llama-index pipeline.

Everything runs in a temporary HRC_HOME (embedded Chroma, cold embedding cache), never the
user's index, and talks to servers on loopback only:

1. seed: index the bundled document from scratch (model load timed apart from indexing);
2. ask: a fixed mix of ~20 question shapes, asked in process, warm (model and corpus loaded),
   offline backend: p50/p95 wall time, the engine's own stage timings and the model calls per ask
   (the engine remembers the router's reading of a question it has seen; nothing else is kept
   from one ask to the next); then once to a fresh engine, for questions it has never seen.
   Asks run with the model threads `serve` gives each answer (HRC_MODEL_THREADS, default 1);
   indexing with every core, as `hrc-assistant index` does;
3. baseline: the naive pipeline of eval/systems.py (512-token SentenceSplitter chunks that
   ignore speakers, in-memory VectorStoreIndex, dense top-5) on the same document and questions;
4. serve: `hrc-assistant serve` as a subprocess on a free port: seconds until /api/health is 200
   and one /api/ask answered, then 1, 4 and 8 concurrent httpx clients sending a fixed number of
   requests each, while the RSS of the process and its children is sampled;
5. scale: for each --docs N, the seed plus N-1 synthetic documents (eval/synthetic.py) indexed into
   a fresh HRC_HOME (its embedding cache a copy of the previous size's: each size embeds only the
   documents the previous one lacked); a fresh worker process opens that index and answers the mix
   (scoped to the seed, the default document) to give load time, ask p50, "which delegations" p50,
   peak RSS and whether the answers equal those at 1 document, then asks the mix's "which", speaker
   and overview questions across every document (`--all-documents`: first ask, then p50/p95); then
   one document of the largest index is edited and re-indexed (incremental).

Where a target is missed the command profiles the stage with pyinstrument (when installed) and
prints the top stages. `--json` prints one JSON object on stdout; progress goes to stderr.

    hrc-assistant bench --quick
    hrc-assistant bench --json --docs 1 10 100
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Optional

import typer

from assistant.errors import UserError
from eval.rss import RssSampler

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# name -> (key path, comparison, limit, unit, description)
TARGETS: dict[str, tuple[tuple[str, ...], str, float, str, str]] = {
    "index": (("index_seconds",), "<", 10.0, "s", "seed indexed, excluding model load"),
    "ask_p50": (("ask_p50_ms",), "<", 50.0, "ms", "warm ask p50 (offline)"),
    "ask_p95": (("ask_p95_ms",), "<", 150.0, "ms", "warm ask p95 (offline)"),
    "serve_ready": (("serve_ready_seconds",), "<", 15.0, "s", "serve ready (health 200 + one answer)"),
    "peak_rss": (("peak_rss_mb",), "<", 1536.0, "MB", "peak RSS of serve (incl. children)"),
    "throughput_8": (("throughput_rps", "8"), ">=", 20.0, "answers/s", "throughput with 8 clients"),
    "all_documents_100": (("scale", "100", "all_documents_p50_ms"), "<", 100.0, "ms", "across-document ask p50, 100 docs"),
    "all_documents_300": (("scale", "300", "all_documents_p50_ms"), "<", 100.0, "ms", "across-document ask p50, 300 docs"),
}

# The fixed question mix about the bundled document (HRC58, Belarus): (shape, turns). Only the
# last turn is timed; earlier turns build the history once, during the warm-up pass.
QUESTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("speaker_topic", ("What did France say about political prisoners?",)),
    ("speaker_topic", ("What did Spain say about the death penalty?",)),
    ("speaker_topic", ("What did the Human Rights House Foundation say about passports?",)),
    ("speaker_position", ("What was the position of the Russian Federation on the mandate?",)),
    ("who_which", ("Which delegations raised the death penalty?",)),
    ("who_which", ("Which NGOs spoke about trade unions?",)),
    ("who_which", ("Which countries mentioned torture?",)),
    ("group", ("Who spoke on behalf of the Nordic-Baltic countries?",)),
    ("figure", ("How many people were convicted on political grounds in 2024?",)),
    ("followup", ("What did France say about political prisoners?", "And China?")),
    ("followup", ("What did the ITUC say about trade unions?", "Which leaders did they name?")),
    ("followup", ("What did Germany say about the death penalty?", "Did it mention torture?")),
    ("comparison", ("Compare France and China on the mandate.",)),
    ("comparison", ("How did Cuba and Poland differ on political prisoners?",)),
    ("overview", ("What were the main criticisms of Belarus?",)),
    ("overview", ("Who supported the mandate and who opposed it?",)),
    ("abstain_speaker", ("What did the United States say?",)),
    ("abstain_topic", ("What did delegations say about climate finance?",)),
    ("document_fact", ("When did the dialogue take place?",)),
    ("document_fact", ("How many state delegations took part?",)),
)
WHICH_SHAPES = ("who_which",)
ACROSS_SHAPES = ("who_which", "speaker_topic", "overview")  # asked again across every document at scale


class BenchError(UserError):
    """Bad bench arguments or a stage that cannot run (exit 2)."""


def register(app: typer.Typer) -> None:
    app.command("bench", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(bench_command)


# ---------------------------------------------------------------- small helpers


def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100) of the values; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _r(value, digits: int = 2):
    return None if value is None else round(float(value), digits)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_settings(home: Path, **overrides):
    """Settings for a private embedded index under `home`, offline backend, whatever the environment says."""
    from assistant.settings import Settings

    return Settings(home=home, chroma_url=None, backend="offline", **overrides)


def _progress(enabled: bool):
    started = time.perf_counter()

    def say(line: str) -> None:
        if enabled:
            typer.echo(f"[bench {time.perf_counter() - started:7.1f}s] {line}", err=True)

    return say


def answer_digest(answer) -> str:
    """What must not change with the size of the index: the text, the citations and abstention."""
    payload = {
        "answer": answer.answer,
        "abstained": answer.abstained,
        "citations": [(c.statement_id, c.speaker, c.char_start, c.char_end, c.quote) for c in answer.citations],
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


def build_histories(assistant, questions=QUESTIONS, document_id: str | None = None) -> list[list[dict]]:
    """The history before the last turn of each item, built by asking the earlier turns once."""
    histories = []
    for _, turns in questions:
        history: list[dict] = []
        for turn in turns[:-1]:
            answer = assistant.ask(turn, history=history, document_id=document_id)
            history = history + [{"role": "user", "content": turn}, {"role": "assistant", "content": answer.answer}]
        histories.append(history)
    return histories


class CountingEmbedder:
    """The engine's embedding model with its calls counted and timed: what the benchmark reports as
    "model calls per ask". Everything else is the wrapped llama-index embedder's."""

    def __init__(self, inner):
        self.inner = inner
        self.calls = 0
        self.ms = 0.0
        self._lock = threading.Lock()

    def _counted(self, method, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            with self._lock:
                self.calls += 1
                self.ms += (time.perf_counter() - t0) * 1000

    def get_text_embedding_batch(self, texts, **kwargs):
        return self._counted(self.inner.get_text_embedding_batch, texts, **kwargs)

    def get_query_embedding(self, text):
        return self._counted(self.inner.get_query_embedding, text)

    def get_text_embedding(self, text):
        return self._counted(self.inner.get_text_embedding, text)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def run_mix(assistant, histories, passes: int, questions=QUESTIONS, document_id: str | None = None) -> dict:
    """Ask every item's last turn `passes` times; wall milliseconds, stage timings, model calls and digests."""
    records = []
    counter = assistant.embedder if isinstance(assistant.embedder, CountingEmbedder) else None
    for _ in range(passes):
        for (shape, turns), history in zip(questions, histories):
            calls, ms = (counter.calls, counter.ms) if counter else (0, 0.0)
            t0 = time.perf_counter()
            answer = assistant.ask(turns[-1], history=history, document_id=document_id)
            records.append({
                "shape": shape,
                "ms": (time.perf_counter() - t0) * 1000,
                "stages": dict(answer.timings_ms),
                "digest": answer_digest(answer),
                "document_id": answer.document_id,
                "embed_calls": counter.calls - calls if counter else 0,
                "embed_ms": counter.ms - ms if counter else 0.0,
            })
    return summarise_records(records, len(questions))


def summarise_records(records: list[dict], n_questions: int) -> dict:
    """Percentiles over `records` (passes over `n_questions` items, in order)."""
    all_ms = [r["ms"] for r in records]
    by_shape: dict[str, list[float]] = {}
    for r in records:
        by_shape.setdefault(r["shape"], []).append(r["ms"])
    which = [r["ms"] for r in records if r["shape"] in WHICH_SHAPES]
    stages = {
        key: _r(percentile([r["stages"][key] for r in records if key in r["stages"]], 50))
        for key in ("understanding", "retrieval_and_composition")
    }
    n = min(n_questions, len(records))
    digests = [r["digest"] for r in records[:n]]
    stable = all(records[i]["digest"] == records[i % n]["digest"] for i in range(len(records))) if n else True
    return {
        "ask_p50_ms": _r(percentile(all_ms, 50)),
        "ask_p95_ms": _r(percentile(all_ms, 95)),
        "ask_max_ms": _r(max(all_ms) if all_ms else None),
        "which_p50_ms": _r(percentile(which, 50)),
        "by_shape_p50_ms": {shape: _r(percentile(v, 50)) for shape, v in by_shape.items()},
        "stages_ms": stages,
        "digests": digests,
        "deterministic": stable,
        "document_ids": sorted({r["document_id"] or "" for r in records}),
        "samples": len(records),
        "embed_query": {
            "calls_per_ask": _r(sum(r["embed_calls"] for r in records) / max(1, len(records))),
            "max_calls_in_one_ask": max((r["embed_calls"] for r in records), default=0),
            "share_of_ask_time": _r(sum(r["embed_ms"] for r in records) / max(1e-9, sum(all_ms)), 3),
            "calls_by_shape": {shape: _r(sum(r["embed_calls"] for r in records if r["shape"] == shape)
                                         / len(v), 2) for shape, v in by_shape.items()},
        },
    }


def check_targets(result: dict) -> dict:
    checks = {}
    for name, (path, op, limit, unit, description) in TARGETS.items():
        value = result
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        ok = None if value is None else (value < limit if op == "<" else value >= limit)
        checks[name] = {"value": value, "target": f"{op} {limit:g} {unit}", "pass": ok, "description": description}
    return checks


# ---------------------------------------------------------------- profiling


def top_stages(profiler, limit: int = 8) -> dict:
    """Where the time goes in a pyinstrument session: project functions by inclusive time, packages by self time."""
    root = profiler.last_session.root_frame() if profiler.last_session else None
    if root is None:
        return {"functions": [], "packages": []}
    total = root.time or 1e-9
    inclusive: dict[str, float] = {}
    packages: dict[str, float] = {}

    def package_of(path: str) -> str:
        if not path:
            return "(builtin)"
        if path.startswith(str(PROJECT_ROOT)) and "site-packages" not in path:
            rel = Path(path).relative_to(PROJECT_ROOT)
            return f"hrc:{rel.parts[0]}/{rel.name}" if len(rel.parts) > 1 else f"hrc:{rel.name}"
        if "site-packages/" in path:
            return path.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
        if path.startswith("<"):
            return "(builtin)"
        parent = Path(path).parent.name
        return "stdlib:" + (Path(path).stem if parent.startswith("python") else f"{parent}/{Path(path).stem}")

    def walk(frame, active: frozenset, owner: str) -> None:
        if frame.is_synthetic:
            return
        path = frame.file_path or ""
        # C functions ("<built-in>") count for the package that called them: torch's kernels are torch's.
        package = owner if not path or path.startswith("<") else package_of(path)
        packages[package] = packages.get(package, 0.0) + max(frame.total_self_time, 0.0)
        key = None
        if path.startswith(str(PROJECT_ROOT)) and "site-packages" not in path and "/eval/bench.py" not in path:
            key = f"{Path(path).relative_to(PROJECT_ROOT)}:{frame.line_no} {frame.function}"
            if key not in active:
                inclusive[key] = inclusive.get(key, 0.0) + frame.time
        for child in frame.children:
            walk(child, active | {key} if key else active, package)

    walk(root, frozenset(), "(builtin)")
    functions = [
        {"function": k, "seconds": _r(v, 3), "share": _r(v / total, 3)}
        for k, v in sorted(inclusive.items(), key=lambda kv: -kv[1])
        if v / total < 0.97  # the wrappers around everything say nothing
    ][:limit]
    pkgs = [{"package": k, "seconds": _r(v, 3), "share": _r(v / total, 3)} for k, v in sorted(packages.items(), key=lambda kv: -kv[1])][:limit]
    return {"seconds": _r(total, 3), "functions": functions, "packages": pkgs}


def _profiler():
    try:
        from pyinstrument import Profiler
    except ImportError:
        return None
    return Profiler(interval=0.001)


# ---------------------------------------------------------------- probes


def query_embedding_probe(embedder, n: int = 20, threads_tried: tuple[int, ...] = ()) -> dict:
    """p50 ms of one short query embedding with torch's current thread count, `threads_tried` and one thread."""
    import torch

    current = torch.get_num_threads()
    out = {}
    try:
        for threads in dict.fromkeys([current, *threads_tried, 1]):
            torch.set_num_threads(threads)
            embedder.get_query_embedding("warm up")
            times = []
            for i in range(n):
                t0 = time.perf_counter()
                embedder.get_query_embedding(f"What did delegation number {i} say about political prisoners?")
                times.append((time.perf_counter() - t0) * 1000)
            out[str(threads)] = _r(percentile(times, 50))
    finally:
        torch.set_num_threads(current)
    return {"torch_threads": current, "p50_ms_by_threads": out}


def padding_probe(settings, embedder) -> dict | None:
    """Tokens the model processes when the indexer's batches are sent as they are (cache-key order)
    versus sorted by length: every batch is padded to its longest text."""
    from index.chunk import chunk_statement, token_counter
    from index.store import EmbeddingCache, load_document

    try:
        model = embedder._model
        tokenizer, limit = model.tokenizer, int(model.max_seq_length)
        batch = int(embedder.embed_batch_size)
    except AttributeError:
        return None
    document = load_document(settings.bundled_document, settings)
    count = token_counter(settings.tokenizer)
    kinds = {
        "sentences": [x.text for st in document.statements for x in st.sentences],
        "chunks": [c.text for st in document.statements for c in chunk_statement(st, settings.chunk_tokens, count)],
    }

    def padded(lengths: list[int]) -> int:
        return sum(max(lengths[i:i + batch]) * len(lengths[i:i + batch]) for i in range(0, len(lengths), batch))

    real = as_indexed = by_length = 0
    for texts in kinds.values():
        ordered = [t for _, t in sorted({EmbeddingCache.key(t): t for t in texts}.items())]
        lengths = [min(len(ids), limit) for ids in tokenizer(ordered)["input_ids"]]
        real += sum(lengths)
        as_indexed += padded(lengths)
        by_length += padded(sorted(lengths))
    return {"batch_size": batch, "real_tokens": real, "padded_tokens_as_indexed": as_indexed,
            "padded_tokens_sorted_by_length": by_length, "saving": _r(1 - by_length / as_indexed, 3) if as_indexed else None}


def startup_probe(home: Path) -> dict:
    """Where `serve` start-up time goes, step by step, in a fresh process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HRC_")}
    proc = subprocess.run([sys.executable, "-m", "eval.bench", "startup", json.dumps({"home": str(home)})], env=env,
                          capture_output=True, text=True, timeout=600, cwd=str(PROJECT_ROOT))
    if proc.returncode != 0:
        return {"error": proc.stderr.strip()[-400:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _startup_main(raw: str) -> None:
    from assistant.embedding import offline_environment

    offline_environment()
    args = json.loads(raw)
    steps = {}
    t0 = time.perf_counter()
    import torch  # noqa: F401
    steps["import_torch"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    import fastapi  # noqa: F401
    import gradio  # noqa: F401
    import uvicorn  # noqa: F401
    steps["import_web_stack"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    from assistant.embedding import load_embedder

    embedder = load_embedder()
    embedder.get_query_embedding("warm up")
    steps["model_load"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    from assistant.engine import Assistant

    settings = bench_settings(Path(args["home"]))
    assistant = Assistant(settings, embedder=embedder)
    assistant.warm_up()
    steps["open_index_and_warm_up"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    from ui.server import create_app

    create_app(settings, assistant)
    steps["create_app"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    assistant.ask(QUESTIONS[0][1][-1])
    steps["first_answer"] = time.perf_counter() - t0
    print(json.dumps({k: _r(v, 3) for k, v in steps.items()}))


# ---------------------------------------------------------------- stages


def index_seed(settings, embedder, say) -> dict:
    from index.store import index_paths

    summary = index_paths(settings, [settings.bundled_document], rebuild=True, progress=lambda line: say("  " + line),
                          embedder_factory=lambda: embedder)
    seconds = summary.seconds
    embedding = seconds.get("embedding", 0.0)
    return {
        "index_seconds": _r(seconds.get("total", 0.0) - seconds.get("model_load", 0.0), 3),
        "segmentation_seconds": _r(seconds.get("segmentation", 0.0), 3),
        "embedding_seconds": _r(embedding, 3),
        "storage_seconds": _r(seconds.get("storage", 0.0), 3),
        "embedded_texts": summary.embedded,
        "embedding_texts_per_second": _r(summary.embedded / embedding, 1) if embedding else None,
        "statements": summary.statements,
        "chunks": summary.chunks,
        "document_id": summary.added[0] if summary.added else None,
    }


def baseline_bench(assistant, document_id: str, passes: int) -> dict:
    """The naive llama-index pipeline of eval/systems.py: index build time and query latency."""
    from eval.systems import NaiveBaseline

    naive = NaiveBaseline(assistant, document_id)
    t0 = time.perf_counter()
    naive.prepare()
    build = time.perf_counter() - t0
    questions = [turns[-1] for _, turns in QUESTIONS]  # no conversation memory: last turn only
    for q in questions:
        naive.ask(q, [])
    times = []
    for _ in range(passes):
        for q in questions:
            t0 = time.perf_counter()
            naive.ask(q, [])
            times.append((time.perf_counter() - t0) * 1000)
    return {
        "index_seconds": _r(build, 3),
        "ask_p50_ms": _r(percentile(times, 50)),
        "ask_p95_ms": _r(percentile(times, 95)),
        "chunks": len(naive._spans),
        "description": naive.description,
    }


def serve_command_line() -> list[str]:
    script = Path(sys.executable).with_name("hrc-assistant")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ui.cli"]


def serve_env(home: Path, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HRC_")}
    env.update({
        "HRC_HOME": str(home), "HRC_HOST": "127.0.0.1", "HRC_PORT": str(port), "HRC_BACKEND": "offline",
        "HRC_RATE_LIMIT_PER_MINUTE": "0",  # the benchmark is the only client; the limiter would cap it
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
    })
    return env


def serve_bench(home: Path, work: Path, per_client: int, clients: tuple[int, ...], histories, say) -> dict:
    """Start `hrc-assistant serve`, time readiness, then concurrent clients; RSS sampled all along."""
    import httpx

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = work / f"serve-{port}.log"
    bodies = [{"question": turns[-1], "history": history} for (_, turns), history in zip(QUESTIONS, histories)]
    result: dict = {"url": url}
    with open(log_path, "wb") as log:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [*serve_command_line(), "serve", "--host", "127.0.0.1", "--port", str(port), "--graceful-timeout", "2"],
            env=serve_env(home, port), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=str(work),
        )
        sampler = RssSampler(proc.pid)
        sampler.start()
        try:
            with httpx.Client(timeout=60, trust_env=False) as client:
                health_at = None
                deadline = started + 180
                while time.perf_counter() < deadline:
                    if proc.poll() is not None:
                        raise BenchError(f"`hrc-assistant serve` exited with {proc.returncode}; see {log_path}:\n" + _tail(log_path))
                    try:
                        if health_at is None:
                            if client.get(f"{url}/api/health").status_code == 200:
                                health_at = time.perf_counter() - started
                        else:
                            reply = client.post(f"{url}/api/ask", json=bodies[0])
                            if reply.status_code == 200:
                                break
                            raise BenchError(f"the first /api/ask answered {reply.status_code}: {reply.text[:200]}")
                    except httpx.TransportError:
                        pass
                    time.sleep(0.05)
                else:
                    raise BenchError(f"`hrc-assistant serve` was not ready after 180 s; see {log_path}:\n" + _tail(log_path))
                result["serve_health_seconds"] = _r(health_at, 3)
                result["serve_ready_seconds"] = _r(time.perf_counter() - started, 3)
                result["ready_rss_mb"] = _r(sampler.peak / 1048576, 1)
                say(f"serve ready in {result['serve_ready_seconds']} s (health 200 after {result['serve_health_seconds']} s)")
            throughput, latency, errors = {}, {}, {}
            for n in clients:
                rps, p50, failed = _load(url, bodies, n, per_client)
                throughput[str(n)], latency[str(n)], errors[str(n)] = _r(rps), _r(p50), failed
                say(f"  {n} client(s) x {per_client} requests: {rps:.1f} answers/s, p50 {p50:.0f} ms, {failed} failed")
            result.update(throughput_rps=throughput, throughput_p50_ms=latency, throughput_errors=errors,
                          requests_per_client=per_client)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
            result["peak_rss_mb"] = _r(sampler.stop(), 1)
    return result


def _load(url: str, bodies: list[dict], clients: int, per_client: int) -> tuple[float, float, int]:
    """`clients` threads each sending `per_client` POST /api/ask; (answers/s, p50 ms, failures)."""
    import httpx

    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client_loop(offset: int) -> None:
        with httpx.Client(timeout=300, trust_env=False) as client:
            barrier.wait()
            for i in range(per_client):
                body = bodies[(offset * 7 + i) % len(bodies)]
                t0 = time.perf_counter()
                try:
                    ok = client.post(f"{url}/api/ask", json=body).status_code == 200
                except httpx.HTTPError:
                    ok = False
                with lock:
                    if ok:
                        latencies.append((time.perf_counter() - t0) * 1000)
                    else:
                        failures[0] += 1

    threads = [threading.Thread(target=client_loop, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return len(latencies) / wall, percentile(latencies, 50) or 0.0, failures[0]


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# ---------------------------------------------------------------- scale


def edit_document(path: Path, out_dir: Path) -> Path:
    """A copy of a document with one sentence changed (a word appended to a mid-document sentence)."""
    from index.store import load_document

    text = path.read_text(encoding="utf-8")
    document = load_document(path, bench_settings(out_dir))
    statements = list(document.statements)
    for statement in statements[len(statements) // 2:] + statements[: len(statements) // 2]:
        for sentence in statement.sentences[1:]:
            if text.count(sentence.text) == 1 and sentence.text.endswith("."):
                edited = text.replace(sentence.text, sentence.text[:-1] + " (edited).", 1)
                target = out_dir / f"{path.stem}-edited{path.suffix}"
                out_dir.mkdir(parents=True, exist_ok=True)
                target.write_text(edited, encoding="utf-8")
                return target
    raise BenchError(f"no sentence of {path.name} can be edited uniquely")


def texts_of(path: Path, settings) -> list[str]:
    """Every text the indexer embeds for a document: its sentences (chunk vectors are pooled from them)."""
    from index.store import load_document

    document = load_document(path, settings)
    return [x.text for s in document.statements for x in s.sentences]


def uncached_texts(texts: list[str], home: Path) -> set[str]:
    """The distinct texts whose embedding is not yet in the cache under `home`."""
    import sqlite3

    from index.store import EmbeddingCache

    path = Path(home) / "cache" / "embeddings.sqlite"
    if not path.exists():
        return set(texts)
    db = sqlite3.connect(str(path))
    try:
        missing = set()
        for text in set(texts):
            if db.execute("SELECT 1 FROM vectors WHERE key = ?", (EmbeddingCache.key(text),)).fetchone() is None:
                missing.add(text)
        return missing
    finally:
        db.close()


def scale_index(home: Path, paths: list[Path], embedder, say) -> dict:
    from index.store import index_paths

    settings = bench_settings(home)
    t0 = time.perf_counter()
    summary = index_paths(settings, paths, rebuild=True, embedder_factory=lambda: embedder)
    return {
        "documents": summary.documents,
        "index_seconds": _r(time.perf_counter() - t0, 2),
        "embedding_seconds": _r(summary.seconds.get("embedding", 0.0), 2),
        "storage_seconds": _r(summary.seconds.get("storage", 0.0), 2),
        "embedded": summary.embedded,
        "cached": summary.cached,
        "statements": summary.statements,
        "chunks": summary.chunks,
    }


def incremental_bench(home: Path, paths: list[Path], work: Path, embedder) -> dict:
    """Edit one document and re-index all: only the edited one's new texts may be embedded."""
    from index.store import index_paths

    settings = bench_settings(home)
    target = paths[len(paths) // 2] if len(paths) > 1 else paths[0]
    edited = edit_document(target, work / "edited")
    texts = texts_of(edited, settings)
    expected = uncached_texts(texts, home)
    new_paths = [edited if p == target else p for p in paths]
    t0 = time.perf_counter()
    summary = index_paths(settings, new_paths, embedder_factory=lambda: embedder)
    return {
        "documents": summary.documents,
        "edited": target.name,
        "added": len(summary.added),
        "skipped": len(summary.skipped),
        "embedded": summary.embedded,
        "cached": summary.cached,
        "edited_document_texts": len(texts),
        "expected_embedded": len(expected),
        "only_edited_document_embedded": summary.embedded == len(expected) and summary.embedded + summary.cached == len(texts),
        "seconds": _r(time.perf_counter() - t0, 2),
        "copy_seconds": _r(summary.seconds.get("copy", 0.0), 2),
        "embedding_seconds": _r(summary.seconds.get("embedding", 0.0), 2),
    }


def run_worker(home: Path, passes: int) -> dict:
    """A fresh process opens the index under `home` and answers the mix; its own peak RSS."""
    args = json.dumps({"home": str(home), "passes": passes})
    env = {k: v for k, v in os.environ.items() if not k.startswith("HRC_")}
    # Peak RSS is sampled from outside: ru_maxrss of a forked child starts at the parent's peak.
    proc = subprocess.Popen([sys.executable, "-m", "eval.bench", "worker", args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=str(PROJECT_ROOT))
    sampler = RssSampler(proc.pid)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=3600)
    finally:
        peak = sampler.stop()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if proc.returncode != 0:
        raise BenchError(f"the scale worker failed ({proc.returncode}): {err.strip()[-800:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_mb"] = _r(peak, 1)
    return result


def across_documents(assistant, passes: int) -> dict:
    """The mix's questions of ACROSS_SHAPES asked across every document (`--all-documents`): the first
    ask loads every document into memory; then `passes` warm passes give the p50 and p95."""
    questions = [turns[-1] for shape, turns in QUESTIONS if shape in ACROSS_SHAPES]
    t0 = time.perf_counter()
    first = assistant.ask(questions[0], all_documents=True)
    first_ms = (time.perf_counter() - t0) * 1000
    times, cited = [], set()
    for _ in range(passes):
        for question in questions:
            t0 = time.perf_counter()
            answer = assistant.ask(question, all_documents=True)
            times.append((time.perf_counter() - t0) * 1000)
            cited |= {c.document_id for c in answer.citations}
    return {
        "all_documents_first_ms": _r(first_ms, 1),
        "all_documents_p50_ms": _r(percentile(times, 50), 1),
        "all_documents_p95_ms": _r(percentile(times, 95), 1),
        "all_documents_questions": len(questions),
        "all_documents_citations": len(first.citations),
        "all_documents_cited_documents": len(cited),
    }


def _worker_main(raw: str) -> None:
    import psutil

    from assistant.embedding import limit_threads, offline_environment

    offline_environment()
    args = json.loads(raw)
    from assistant.engine import Assistant

    t0 = time.perf_counter()
    settings = bench_settings(Path(args["home"]))
    limit_threads(settings.model_threads or 1)  # as `serve` does
    assistant = Assistant(settings)
    assistant.warm_up()
    ready = time.perf_counter() - t0
    histories = build_histories(assistant)
    run_mix(assistant, histories, 1)  # warm every path once
    mix = run_mix(assistant, histories, args["passes"])
    scoped_rss = psutil.Process().memory_info().rss
    across = across_documents(assistant, args["passes"])
    out = {
        "ready_seconds": _r(ready, 2),
        "ask_p50_ms": mix["ask_p50_ms"],
        "ask_p95_ms": mix["ask_p95_ms"],
        "which_p50_ms": mix["which_p50_ms"],
        **across,
        "rss_mb": _r(scoped_rss / 1048576, 1),
        "rss_all_loaded_mb": _r(psutil.Process().memory_info().rss / 1048576, 1),
        "digests": mix["digests"],
        "document_ids": mix["document_ids"],
    }
    print(json.dumps(out))


# ---------------------------------------------------------------- the command


def bench_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object on stdout (progress on stderr)."),
    docs: Optional[list[int]] = typer.Option(None, "--docs", help="Index sizes for the scale table, e.g. --docs 1 10 100 (default 1 10 100 300; --quick: 1 10)."),
    quick: bool = typer.Option(False, "--quick", help="Fewer passes and requests, and --docs 1 10 unless given."),
    passes: Optional[int] = typer.Option(None, "--passes", help="Timed passes over the question mix (default 3; --quick: 2)."),
    requests: Optional[int] = typer.Option(None, "--requests", help="Requests per client in the throughput test (default 10; --quick: 5)."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Skip the server (readiness, throughput, RSS)."),
    no_baseline: bool = typer.Option(False, "--no-baseline", help="Skip the naive llama-index baseline."),
    profile: bool = typer.Option(False, "--profile", help="Profile asking (and indexing) even when the targets are met."),
    keep: Optional[Path] = typer.Option(None, "--keep", help="Work in this folder and keep it (indexes, serve log)."),
    fail_on_miss: bool = typer.Option(False, "--fail-on-miss", help="Exit 1 when a target is missed."),
) -> None:
    """Measure indexing, answering, serving and scale against the targets, beside the naive baseline."""
    from assistant.embedding import offline_environment

    offline_environment()
    sizes = list(docs or [])
    for extra in ctx.args:  # `--docs 1 10 100`: click gives the first value to --docs, the rest arrive here
        try:
            sizes.append(int(extra))
        except ValueError:
            raise BenchError(f"unexpected argument {extra!r}; see `hrc-assistant bench --help`.") from None
    if not sizes:
        sizes = [1, 10] if quick else [1, 10, 100, 300]
    if any(n < 1 for n in sizes):
        raise BenchError("--docs values must be 1 or more (1 = the bundled document alone).")
    sizes = sorted(set(sizes))
    passes = passes or (2 if quick else 3)
    per_client = requests or (5 if quick else 10)
    if passes < 1 or per_client < 1:
        raise BenchError("--passes and --requests must be 1 or more.")

    say = _progress(True)
    work = Path(keep).resolve() if keep else Path(tempfile.mkdtemp(prefix="hrc-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        result = _bench(work, sizes, passes, per_client, no_serve, no_baseline, profile, say)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        typer.echo(render_table(result))
    if fail_on_miss and any(c["pass"] is False for c in result["targets"].values()):
        raise typer.Exit(1)


def _bench(work: Path, sizes: list[int], passes: int, per_client: int, no_serve: bool, no_baseline: bool,
           profile: bool, say) -> dict:
    import platform

    import psutil

    from assistant.embedding import load_embedder
    from assistant.engine import Assistant

    result: dict = {
        "machine": {
            "cpus": os.cpu_count(), "memory_gb": _r(psutil.virtual_memory().total / 2**30, 1),
            "load_average_at_start": [_r(x) for x in os.getloadavg()], "python": platform.python_version(),
        },
        "settings": {"passes": passes, "requests_per_client": per_client, "docs": sizes, "questions": len(QUESTIONS)},
    }
    # 1. the model, then the seed document into a fresh home (cold embedding cache)
    say("loading the embedding model")
    t0 = time.perf_counter()
    embedder = load_embedder()
    embedder.get_text_embedding("warm up")
    result["model_load_seconds"] = _r(time.perf_counter() - t0, 3)
    seed_home = work / "home-1"
    settings = bench_settings(seed_home)
    say(f"indexing the seed document into {seed_home}")
    seed = index_seed(settings, embedder, say)
    result.update({k: v for k, v in seed.items() if k not in ("document_id", "statements", "chunks")})
    result["seed"] = {"document_id": seed["document_id"], "statements": seed["statements"], "chunks": seed["chunks"],
                      "source": settings.bundled_document.name}
    say(f"seed indexed in {seed['index_seconds']} s ({seed['embedded_texts']} texts embedded)")

    # 2. the question mix, warm, in process, with the model threads `serve` gives each answer
    import torch

    from assistant.embedding import limit_threads

    indexing_threads = torch.get_num_threads()
    limit_threads(settings.model_threads or 1)
    assistant = Assistant(settings, embedder=CountingEmbedder(embedder))  # counts the model calls of each ask
    assistant.warm_up()
    histories = build_histories(assistant)
    run_mix(assistant, histories, 1)
    say(f"asking {len(QUESTIONS)} questions x {passes} passes")
    mix = run_mix(assistant, histories, passes)
    result.update(ask_p50_ms=mix["ask_p50_ms"], ask_p95_ms=mix["ask_p95_ms"], ask_max_ms=mix["ask_max_ms"],
                  stages_ms=mix["stages_ms"], ask_by_shape_p50_ms=mix["by_shape_p50_ms"],
                  answers_deterministic=mix["deterministic"], embed_query=mix["embed_query"])
    # The same questions to an engine that has never seen them (as a replica that did not answer the
    # earlier turns): the router embeds each question and each earlier turn, nothing is remembered.
    fresh = Assistant(settings, embedder=CountingEmbedder(embedder))
    fresh.warm_up()
    first = run_mix(fresh, histories, 1)
    result["first_ask"] = {"p50_ms": first["ask_p50_ms"], "p95_ms": first["ask_p95_ms"],
                           "calls_per_ask": first["embed_query"]["calls_per_ask"]}
    result["query_embedding_ms"] = query_embedding_probe(embedder, threads_tried=(indexing_threads,))
    say(f"ask p50 {mix['ask_p50_ms']} ms, p95 {mix['ask_p95_ms']} ms")

    # 3. the naive baseline
    if not no_baseline:
        say("naive llama-index baseline")
        plain = Assistant(settings, embedder=embedder)  # llama-index takes the model itself, not the counting wrapper
        plain.warm_up()
        result["baseline"] = baseline_bench(plain, seed["document_id"], passes)
        base = result["baseline"]
        result["ratios"] = {
            key: _r(result[key] / base[key], 2) if result.get(key) is not None and base.get(key) else None
            for key in ("index_seconds", "ask_p50_ms", "ask_p95_ms")
        }

    # 4. the server
    if not no_serve:
        say("starting `hrc-assistant serve`")
        served = serve_bench(seed_home, work, per_client, (1, 4, 8), histories, say)
        result.update({k: v for k, v in served.items() if k != "url"})

    # 5. scale
    torch.set_num_threads(indexing_threads)  # indexing uses every core, as `hrc-assistant index` does
    result["scale"] = {}
    largest = max(sizes)
    synthetic = []
    if largest > 1:
        from eval.synthetic import generate_corpus

        synthetic = generate_corpus(work / "synthetic", largest - 1, seed=0)
    reference = None
    last_paths, last_home = None, None
    for n in sizes:
        paths = [settings.bundled_document, *synthetic[: n - 1]]
        if n == 1:
            home, row = seed_home, {"documents": 1, "index_seconds": seed["index_seconds"], "embedded": seed["embedded_texts"],
                                    "statements": seed["statements"], "chunks": seed["chunks"]}
        else:
            home = work / f"home-{n}"
            # The corpora are prefixes of one another: the previous size's embedding cache spares
            # re-embedding its documents ("embedded" counts the texts this size really embedded).
            previous_cache = (last_home or seed_home) / "cache"
            if previous_cache.exists():
                shutil.copytree(previous_cache, home / "cache")
            say(f"scale: indexing {n} documents")
            row = scale_index(home, paths, embedder, say)
        say(f"scale: {n} documents indexed in {row['index_seconds']} s; asking in a fresh process")
        worker = run_worker(home, max(1, passes - 1))
        digests = worker.pop("digests")
        if n == 1:
            reference = digests
        row.update(worker)
        row["same_answers_as_1_doc"] = None if reference is None else digests == reference
        row["scoped_to_seed"] = worker["document_ids"] == [seed["document_id"]]
        row.pop("document_ids", None)
        result["scale"][str(n)] = row
        last_paths, last_home = paths, home
        say(f"scale: {n} documents: ask p50 {row['ask_p50_ms']} ms, which p50 {row['which_p50_ms']} ms, RSS {row['rss_mb']} MB")
    if last_paths and len(last_paths) > 1:
        say(f"incremental: editing one document of {len(last_paths)} and re-indexing")
        result["incremental"] = incremental_bench(last_home, last_paths, work, embedder)

    result["targets"] = check_targets(result)

    # 6. where the time goes when a target is missed
    missed = {name for name, c in result["targets"].items() if c["pass"] is False}
    result["profile"] = {}
    if profile or missed & {"ask_p50", "ask_p95", "throughput_8"}:
        profiler = _profiler()
        if profiler is None:
            result["profile"]["note"] = "pip install pyinstrument (dev extra) to see where the time goes"
        else:
            say("profiling one pass of the question mix")
            profiler.start()
            run_mix(assistant, histories, 1)
            profiler.stop()
            result["profile"]["ask"] = top_stages(profiler)
    if profile or "index" in missed:
        result["profile"]["index_padding"] = padding_probe(settings, embedder)
        profiler = _profiler()
        if profiler is not None:
            say("profiling a cold index of the seed document")
            from index.store import index_paths

            profiler.start()
            index_paths(bench_settings(work / "home-profile"), [settings.bundled_document], rebuild=True,
                        embedder_factory=lambda: embedder)
            profiler.stop()
            result["profile"]["index"] = top_stages(profiler)
    if not no_serve and (profile or "serve_ready" in missed):
        say("timing the steps of serve start-up in a fresh process")
        result["profile"]["serve_startup_seconds"] = startup_probe(seed_home)
    result["machine"]["load_average_at_end"] = [_r(x) for x in os.getloadavg()]
    return result


# ---------------------------------------------------------------- the table


def render_table(result: dict) -> str:
    lines = []
    m = result["machine"]
    lines.append(f"hrc-assistant bench — {m['cpus']} CPUs, load average {m['load_average_at_start']} at start, "
                 f"{m.get('load_average_at_end')} at end")
    lines.append("")
    lines.append(f"{'target':<42} {'value':>12} {'goal':>18}  result")
    for name, c in result["targets"].items():
        value = "-" if c["value"] is None else f"{c['value']:g}"
        verdict = {True: "PASS", False: "MISS", None: "n/a"}[c["pass"]]
        lines.append(f"{c['description']:<42} {value:>12} {c['target']:>18}  {verdict}")
    lines.append("")
    lines.append("seed index (s): model load {model_load_seconds}, total {index_seconds} = segmentation {segmentation_seconds}"
                 " + embedding {embedding_seconds} + storage {storage_seconds}; {embedded_texts} texts, "
                 "{embedding_texts_per_second} texts/s".format(**result))
    lines.append(f"ask stages p50 (ms): {result['stages_ms']}")
    if result.get("first_ask"):
        f = result["first_ask"]
        lines.append(f"questions new to the engine (router included, earlier turns re-read): p50 {f['p50_ms']} ms, "
                     f"p95 {f['p95_ms']} ms, {f['calls_per_ask']} model calls per ask")
    lines.append("ask p50 by shape (ms): " + ", ".join(f"{k} {v}" for k, v in result["ask_by_shape_p50_ms"].items()))
    if "throughput_rps" in result:
        lines.append("throughput (answers/s): " + ", ".join(f"{k} client(s) {v}" for k, v in result["throughput_rps"].items())
                     + "; p50 under load (ms): " + ", ".join(f"{k}: {v}" for k, v in result["throughput_p50_ms"].items()))
    if "baseline" in result:
        b, r = result["baseline"], result["ratios"]
        lines.append("")
        lines.append(f"{'':<24} {'ours':>10} {'naive':>10} {'ours/naive':>11}")
        for key in ("index_seconds", "ask_p50_ms", "ask_p95_ms"):
            lines.append(f"{key:<24} {result[key]!s:>10} {b[key]!s:>10} {r[key]!s:>11}")
    if result.get("scale"):
        lines.append("")
        lines.append(f"{'docs':>5} {'index s':>9} {'embedded':>9} {'load s':>7} {'ask p50':>8} {'ask p95':>8} "
                     f"{'which p50':>10} {'all-docs ms':>17} {'RSS MB':>7} {'all loaded':>10} {'peak':>7}  same answers")
        for n, row in result["scale"].items():
            alldocs = f"{row['all_documents_first_ms']}/{row['all_documents_p50_ms']}"
            lines.append(f"{n:>5} {row['index_seconds']!s:>9} {row.get('embedded')!s:>9} {row['ready_seconds']!s:>7} "
                         f"{row['ask_p50_ms']!s:>8} {row['ask_p95_ms']!s:>8} {row['which_p50_ms']!s:>10} "
                         f"{alldocs:>17} {row['rss_mb']!s:>7} {row['rss_all_loaded_mb']!s:>10} {row['peak_rss_mb']!s:>7}  "
                         f"{row['same_answers_as_1_doc']}")
        lines.append("(ms: warm; all-docs = first question across every document (loads them all) / p50 of the warm ones; RSS after scoped questions, "
                     "then with every document loaded, and the sampled peak of that process)")
    if result.get("incremental"):
        inc = result["incremental"]
        lines.append(f"incremental ({inc['documents']} docs, one edited): embedded {inc['embedded']} (expected "
                     f"{inc['expected_embedded']}), cached {inc['cached']}, {inc['seconds']} s (copy {inc['copy_seconds']} s)")
    q = result.get("query_embedding_ms") or {}
    e = result.get("embed_query") or {}
    if q:
        lines.append(f"query embedding p50 (ms) by torch threads: {q.get('p50_ms_by_threads')} (asks use {q.get('torch_threads')}); "
                     f"{e.get('calls_per_ask')} model calls per ask (max {e.get('max_calls_in_one_ask')}), "
                     f"{(e.get('share_of_ask_time') or 0) * 100:.0f}% of ask time")
    for stage, prof in (result.get("profile") or {}).items():
        if not isinstance(prof, dict) or "functions" not in prof:
            lines.append(f"{stage}: {prof}")
            continue
        lines.append("")
        lines.append(f"where the time goes ({stage}, {prof['seconds']} s profiled):")
        for f in prof["functions"]:
            lines.append(f"  {f['share'] * 100:5.1f}%  {f['seconds']:8.3f} s  {f['function']}")
        lines.append("  by package (self time): " + ", ".join(f"{p['package']} {p['share'] * 100:.0f}%" for p in prof["packages"]))
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "worker":
        _worker_main(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "startup":
        _startup_main(sys.argv[2])
    else:
        sys.exit("usage: python -m eval.bench worker JSON (internal); use `hrc-assistant bench`")
