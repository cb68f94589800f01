"""A bounded load test of a running `hrc-assistant serve`: many clients, a fixed question mix.

    python -m eval.loadtest --url http://127.0.0.1:7860 --clients 20 --requests 1000 --pid 12345

1. GET /api/health must answer 200.
2. Each question of the mix (15 questions; one is a follow-up with history) is asked alone, one
   at a time: those answers are the reference.
3. `--clients` threads (one httpx connection each) send `--requests` POST /api/ask in total,
   request i asking question i mod 15, until all are answered or `--max-seconds` have passed.
   Every answer must be 200 and identical (answer text and citations) to the reference.
4. With `--pid` (the server process), its RSS plus its children's is sampled every 0.1 s from the
   start of the load: peak, and the values at the start, when half the requests are answered, and
   at the end, to show that memory stays bounded.

Prints a summary (or one JSON object with `--json`) and exits 1 on any error, mismatch or
request left unsent at the deadline, 2 when the server cannot be used at all, else 0.
The server's per-client rate limit (HRC_RATE_LIMIT_PER_MINUTE, default 120) counts every
request from this machine as one client: run the server with it at 0 for a load test.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import threading
import time
from collections import Counter

from eval.rss import RssSampler

# (question, earlier question of the same conversation or None). About the bundled document.
MIX: tuple[tuple[str, str | None], ...] = (
    ("What did France say about political prisoners?", None),
    ("What did Spain say about the death penalty?", None),
    ("What did the Human Rights House Foundation say about passports?", None),
    ("What was the position of the Russian Federation on the mandate?", None),
    ("Which delegations raised the death penalty?", None),
    ("Which NGOs spoke about trade unions?", None),
    ("Which countries mentioned torture?", None),
    ("Who spoke on behalf of the Nordic-Baltic countries?", None),
    ("How many people were convicted on political grounds in 2024?", None),
    ("And China?", "What did France say about political prisoners?"),
    ("Compare France and China on the mandate.", None),
    ("How did Cuba and Poland differ on political prisoners?", None),
    ("What were the main criticisms of Belarus?", None),
    ("What did the United States say?", None),
    ("When did the dialogue take place?", None),
)


class LoadTestError(Exception):
    """The server cannot be load-tested (exit 2)."""


def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def comparable(answer: dict) -> str:
    """What must not change under load: the answer text and its citations."""
    return json.dumps({"answer": answer.get("answer"), "citations": answer.get("citations")}, sort_keys=True, ensure_ascii=False)


def _mb(value: int | None) -> float | None:
    return None if value is None else round(value / 1048576, 1)


def _headers(args) -> dict:
    if args.token:
        return {"Authorization": f"Bearer {args.token}"}
    if args.user:
        raw = f"{args.user}:{args.password or ''}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode()}
    return {}


def reference_answers(client, url: str, document_id: str | None) -> tuple[list[dict], list[str]]:
    """The bodies of the mix and, for each, the answer it gets when asked alone."""
    bodies: list[dict] = []
    expected: list[str] = []
    alone: dict[str, dict] = {}
    for question, earlier in MIX:
        history: list[dict] = []
        if earlier is not None:
            first = alone.get(earlier) or _ask(client, url, {"question": earlier, "document_id": document_id})
            history = [{"role": "user", "content": earlier}, {"role": "assistant", "content": first["answer"]}]
        body = {"question": question, "history": history}
        if document_id:
            body["document_id"] = document_id
        answer = _ask(client, url, body)
        if earlier is None:
            alone[question] = answer
        bodies.append(body)
        expected.append(comparable(answer))
    return bodies, expected


def _ask(client, url: str, body: dict) -> dict:
    body = {k: v for k, v in body.items() if v is not None}
    response = client.post(f"{url}/api/ask", json=body)
    if response.status_code != 200:
        raise LoadTestError(f"asking {body['question']!r} alone answered {response.status_code}: {response.text[:300]}")
    return response.json()


def run(args) -> dict:
    import httpx

    url = args.url.rstrip("/")
    headers = _headers(args)
    with httpx.Client(timeout=args.timeout, trust_env=False, headers=headers) as client:
        try:
            health = client.get(f"{url}/api/health")
        except httpx.HTTPError as error:
            raise LoadTestError(f"the server at {url} cannot be reached ({type(error).__name__}).") from None
        if health.status_code != 200:
            raise LoadTestError(f"{url}/api/health answered {health.status_code}: {health.text[:300]}")
        bodies, expected = reference_answers(client, url, args.document)

    sampler = RssSampler(args.pid) if args.pid else None
    rss = {"start": None, "middle": None, "end": None}
    latencies: list[float] = []
    errors: Counter = Counter()
    mismatches: list[dict] = []
    lock = threading.Lock()
    state = {"next": 0, "done": 0}
    half = max(1, args.requests // 2)
    barrier = threading.Barrier(args.clients + 1)
    deadline = [0.0]

    def take() -> int | None:
        with lock:
            if state["next"] >= args.requests or time.perf_counter() > deadline[0]:
                return None
            state["next"] += 1
            return state["next"] - 1

    def client_loop() -> None:
        with httpx.Client(timeout=args.timeout, trust_env=False, headers=headers) as http:
            barrier.wait()
            while (i := take()) is not None:
                k = i % len(bodies)
                t0 = time.perf_counter()
                problem = None
                got = None
                try:
                    response = http.post(f"{url}/api/ask", json=bodies[k])
                    if response.status_code != 200:
                        problem = f"HTTP {response.status_code}"
                    else:
                        got = comparable(response.json())
                except (httpx.HTTPError, ValueError) as error:
                    problem = type(error).__name__
                elapsed = (time.perf_counter() - t0) * 1000
                with lock:
                    if problem:
                        errors[problem] += 1
                    else:
                        latencies.append(elapsed)
                        if got != expected[k]:
                            mismatches.append({"request": i, "question": bodies[k]["question"]})
                    state["done"] += 1
                    at_half = state["done"] == half
                if at_half and sampler is not None:
                    rss["middle"] = sampler.measure()

    threads = [threading.Thread(target=client_loop, daemon=True) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    if sampler is not None:
        rss["start"] = sampler.measure()
        sampler.start()
    deadline[0] = time.perf_counter() + args.max_seconds
    started = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if sampler is not None:
        rss["end"] = sampler.measure()
        sampler.stop()

    unsent = args.requests - state["next"]
    if unsent:
        errors["not sent before --max-seconds"] += unsent
    answered = len(latencies)
    return {
        "url": url,
        "clients": args.clients,
        "requests": args.requests,
        "questions": len(bodies),
        "answered": answered,
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "mismatches": len(mismatches),
        "mismatch_examples": mismatches[:5],
        "p50_ms": _round(percentile(latencies, 50)),
        "p95_ms": _round(percentile(latencies, 95)),
        "max_ms": _round(max(latencies) if latencies else None),
        "seconds": round(wall, 2),
        "throughput_rps": round(answered / wall, 2) if wall > 0 else None,
        "pid": args.pid,
        "rss_mb": {
            "start": _mb(rss["start"]), "middle": _mb(rss["middle"]), "end": _mb(rss["end"]),
            "peak": _mb(sampler.peak) if sampler else None,
        },
        "rss_samples": sampler.samples if sampler else 0,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def summary_text(result: dict) -> str:
    lines = [
        f"{result['clients']} clients, {result['requests']} requests of {result['questions']} questions to {result['url']}/api/ask",
        f"  answered {result['answered']} in {result['seconds']} s: {result['throughput_rps']} answers/s",
        f"  latency p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, max {result['max_ms']} ms",
        f"  errors {result['errors']}" + (f" {result['error_kinds']}" if result["errors"] else ""),
        f"  answers different from the question asked alone: {result['mismatches']}",
    ]
    rss = result["rss_mb"]
    if result["pid"]:
        lines.append(
            f"  RSS of pid {result['pid']} (with children): start {rss['start']} MB, middle {rss['middle']} MB, "
            f"end {rss['end']} MB, peak {rss['peak']} MB"
        )
    if result["error_kinds"].get("HTTP 429"):
        lines.append("  (429: the server's rate limit counts all these clients as one; serve with HRC_RATE_LIMIT_PER_MINUTE=0)")
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.loadtest", description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True, help="Base URL of the server, e.g. http://127.0.0.1:7860")
    p.add_argument("--clients", type=int, default=20, help="Concurrent clients (threads, one connection each).")
    p.add_argument("--requests", type=int, default=1000, help="Requests in total, over all clients.")
    p.add_argument("--pid", type=int, default=None, help="Server process whose RSS (with children) is sampled.")
    p.add_argument("--max-seconds", type=float, default=600.0, help="Stop sending after this long (unsent requests are errors).")
    p.add_argument("--timeout", type=float, default=120.0, help="Seconds one request may take.")
    p.add_argument("--document", default=None, help="Document id to ask about (default: the server's).")
    p.add_argument("--token", default=None, help="Bearer token, when the server has auth on.")
    p.add_argument("--user", default=None, help="HTTP Basic user, when the server has auth on.")
    p.add_argument("--password", default=None, help="HTTP Basic password.")
    p.add_argument("--json", action="store_true", help="Print one JSON object instead of the summary.")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.clients < 1 or args.requests < 1 or args.max_seconds <= 0:
        print("error: --clients, --requests and --max-seconds must be positive.", file=sys.stderr)
        return 2
    try:
        result = run(args)
    except LoadTestError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 - psutil.NoSuchProcess for a bad --pid, and the like
        print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else summary_text(result))
    return 1 if result["errors"] or result["mismatches"] else 0


if __name__ == "__main__":
    sys.exit(main())
