"""The JSON API and the Gradio API of a real `hrc-assistant serve` process on loopback."""

from __future__ import annotations

import base64
import json
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests import servers

FRANCE = "What did France say about political prisoners?"
ALLOWED_ORIGIN = "http://newsroom.example"
USER, PASSWORD, TOKEN = "editor", "correct horse battery", "tok-7f3a9c1e5b"
RATE_LIMIT = 5
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def home(request, tmp_path_factory):
    return servers.indexed_home(request, tmp_path_factory)


@pytest.fixture(scope="module")
def cli_run(home):
    """`hrc-assistant ask --json` on the France question, started early to overlap with the servers' start."""
    process = subprocess.Popen(
        [str(servers.VENV_BIN / "hrc-assistant"), "ask", "--json", FRANCE],
        env=servers.base_env(home), cwd=servers.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    yield process
    if process.poll() is None:
        process.kill()
    process.communicate()


@pytest.fixture(scope="module")
def both(home, cli_run, tmp_path_factory):
    """An open server (CORS allow-list, no rate limit) and a guarded one (auth, low rate limit), started together.

    The open one starts on an empty HRC_HOME (with the session's embedding cache, so it is quick):
    it must index the bundled document on its first start.
    """
    empty = servers.fresh_home(home, tmp_path_factory.mktemp("hrc-first-start"))
    with servers.running_servers(
        home,
        {
            "name": "api-open",
            "env": {"HRC_HOME": str(empty), "HRC_CORS_ORIGINS": ALLOWED_ORIGIN, "HRC_RATE_LIMIT_PER_MINUTE": "0"},
        },
        {
            "name": "api-guarded",
            "env": {
                "HRC_AUTH_USER": USER, "HRC_AUTH_PASSWORD": PASSWORD, "HRC_AUTH_TOKEN": TOKEN,
                "HRC_RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT),
            },
            "args": ["--forwarded-allow-ips", "127.0.0.1"],
        },
    ) as started:
        yield started


@pytest.fixture(scope="module")
def server(both):
    return both[0]


@pytest.fixture(scope="module")
def guarded(both):
    return both[1]


@pytest.fixture(scope="module")
def api(server):
    with httpx.Client(base_url=server.url, timeout=120) as client:
        yield client


@pytest.fixture(scope="module")
def france(api):
    response = api.post("/api/ask", json={"question": FRANCE})
    assert response.status_code == 200, response.text
    return response.json()


def basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def client_ip(ip: str) -> dict:
    """Requests from the test look like they came through the trusted proxy from `ip`."""
    return {"X-Forwarded-For": ip}


def assert_error_json(response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body.get("error"), str) and body["error"].strip()
    assert "Traceback" not in response.text and 'File "' not in response.text
    return body["error"]


# ---------------------------------------------------------------- answers


def test_first_start_indexes_the_bundled_document(server):
    log = server.log()
    assert "indexing the bundled document on first start" in log
    assert log.index("indexing the bundled document") < log.index("hrc_assistant.ui: ready:")


def test_health_reports_the_indexed_document(api):
    body = api.get("/api/health").json()
    assert body["status"] == "ok"
    assert body["backend"] == "offline"
    assert body["generation"]
    [document] = body["documents"]
    assert document["statements"] == 58
    assert document["session"] == "HRC58"


def test_answer_has_the_answer_schema_and_cites_france(france):
    assert set(france) == {"question", "answer", "citations", "abstained", "notices", "backend", "document_id", "timings_ms"}
    assert france["question"] == FRANCE
    assert not france["abstained"]
    assert france["citations"], france
    assert {c["speaker"] for c in france["citations"]} == {"France"}
    for n, c in enumerate(france["citations"], start=1):
        assert c["n"] == n
        assert f"[{n}]" in france["answer"]
        assert set(c) == {"n", "statement_id", "document_id", "speaker", "speaker_type", "on_behalf_of", "quote", "page", "char_start", "char_end"}


def test_every_quote_is_verbatim_in_the_statement_it_cites(api, france):
    for c in france["citations"]:
        response = api.get(f"/api/statements/{c['statement_id']}")
        assert response.status_code == 200, response.text
        statement = response.json()
        assert statement["speaker"] == c["speaker"]
        assert c["quote"] in statement["text"]
        assert statement["text"][c["char_start"]:c["char_end"]] == c["quote"]
        assert statement["page_start"] <= c["page"] <= statement["page_end"]


def test_api_answer_is_identical_to_the_cli_json(cli_run, france):
    stdout, stderr = cli_run.communicate(timeout=300)
    assert cli_run.returncode == 0, stderr[-2000:]
    [cli] = json.loads(stdout)
    for answer in (cli, france):
        answer.pop("timings_ms")
    assert cli == france


def test_stream_sends_deltas_then_the_full_answer(server):
    events = []
    with httpx.Client(base_url=server.url, timeout=120) as client:
        with client.stream("POST", "/api/ask/stream", json={"question": "Which NGOs mentioned Viasna?"}) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            event = None
            for line in response.iter_lines():
                if line.startswith("event: "):
                    event = line[len("event: "):]
                elif line.startswith("data: "):
                    events.append((event, json.loads(line[len("data: "):])))
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "answer" and set(kinds[:-1]) == {"delta"} and len(kinds) >= 2, kinds
    answer = events[-1][1]
    assert answer["citations"] and all(c["speaker_type"] == "ngo" for c in answer["citations"])
    assert "".join(data["text"] for _, data in events[:-1]).strip() == answer["answer"].strip()


def test_stream_rejects_bad_input_before_streaming(api):
    assert_error_json(api.post("/api/ask/stream", json={"question": "  "}), 400)


def test_follow_up_and_china_is_answered_about_china(api, france):
    history = [{"role": "user", "content": FRANCE}, {"role": "assistant", "content": france["answer"]}]
    response = api.post("/api/ask", json={"question": "And China?", "history": history})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert "China" in answer["answer"]
    assert all(c["speaker"] == "China" for c in answer["citations"]), answer["citations"]
    # The topic carried over from the history: without it the same words ask about China in general.
    alone = api.post("/api/ask", json={"question": "And China?"}).json()
    assert answer["answer"] != alone["answer"]


def test_follow_up_with_history_cites_the_new_speaker(api):
    first = api.post("/api/ask", json={"question": "What did China say about sanctions against Belarus?"}).json()
    assert {c["speaker"] for c in first["citations"]} == {"China"}
    history = [{"role": "user", "content": first["question"]}, {"role": "assistant", "content": first["answer"]}]
    answer = api.post("/api/ask", json={"question": "And Cuba?", "history": history}).json()
    assert answer["citations"], answer
    assert {c["speaker"] for c in answer["citations"]} == {"Cuba"}


def test_filters_restrict_the_cited_speakers(api):
    response = api.post("/api/ask", json={"question": "Who mentioned political prisoners?", "speaker_types": ["ngo"]})
    assert response.status_code == 200, response.text
    assert {c["speaker_type"] for c in response.json()["citations"]} == {"ngo"}
    only = api.post("/api/ask", json={"question": "Which NGOs mentioned Viasna?", "speakers": ["CIVICUS"]}).json()
    assert {c["speaker"] for c in only["citations"]} == {"CIVICUS"}


# ---------------------------------------------------------------- documents, speakers, statements


def test_documents_lists_the_bundled_document(api):
    [document] = api.get("/api/documents").json()
    assert document["title"].startswith("Interactive Dialogue")
    assert document["statements"] == 58


def test_speakers_lists_every_statement_in_order_without_text(api):
    rows = api.get("/api/speakers").json()
    assert [r["order"] for r in rows] == list(range(1, 59))
    assert all(set(r) == {"statement_id", "order", "speaker", "speaker_type", "on_behalf_of", "page"} for r in rows)
    assert "France" in {r["speaker"] for r in rows}
    document_id = rows[0]["statement_id"].split(":")[0]
    assert api.get("/api/speakers", params={"document_id": document_id}).json() == rows
    assert_error_json(api.get("/api/speakers", params={"document_id": "doc-000000000000"}), 404)


def test_statement_returns_the_full_statement(api):
    rows = api.get("/api/speakers").json()
    france = next(r for r in rows if r["speaker"] == "France")
    statement = api.get(f"/api/statements/{france['statement_id']}").json()
    assert statement["statement_id"] == france["statement_id"]
    assert statement["speaker"] == "France" and statement["speaker_type"] == "state"
    assert len(statement["text"]) > 200


@pytest.mark.parametrize("statement_id", ["doc-000000000000:001", "nope", "..%2F..%2Fetc%2Fpasswd", "doc-x:9999999999"])
def test_unknown_statement_is_404_json(api, statement_id):
    assert_error_json(api.get(f"/api/statements/{statement_id}"), 404)


def test_unknown_api_route_is_404_json(api):
    assert_error_json(api.get("/api/no-such-thing"), 404)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"question": ""}, 400),
        ({"question": "   "}, 400),
        ({"question": "x" * 5000}, 400),
        ({"question": "Who spoke?\x00"}, 400),
        ({"question": FRANCE, "document_id": "doc-000000000000"}, 404),
        ({"question": FRANCE, "backend": "telepathy"}, 400),
        ({}, 422),
        ({"question": 42}, 422),
        ({"question": FRANCE, "history": "not a list"}, 422),
        ({"question": FRANCE, "history": [{"role": "robot", "content": "hi"}]}, 422),
        ({"question": FRANCE, "history": [{"role": "user"}]}, 422),
        ({"question": FRANCE, "speaker_types": ["aliens"]}, 422),
        ({"question": FRANCE, "surprise": True}, 422),
    ],
    ids=[
        "empty", "blank", "5000-chars", "control-char", "unknown-document", "unknown-backend", "no-question",
        "question-not-text", "history-not-list", "history-bad-role", "history-no-content", "bad-speaker-type", "unknown-field",
    ],
)
def test_bad_input_is_a_4xx_json_sentence(api, body, status):
    assert_error_json(api.post("/api/ask", json=body), status)


def test_malformed_json_is_422_json(api):
    response = api.post("/api/ask", content=b'{"question": ', headers={"content-type": "application/json"})
    assert assert_error_json(response, 422) == "The request body is not valid JSON."


# ---------------------------------------------------------------- CORS


def test_cors_allows_the_listed_origin(api):
    response = api.get("/api/documents", headers={"Origin": ALLOWED_ORIGIN})
    assert response.headers.get("access-control-allow-origin") == ALLOWED_ORIGIN
    preflight = api.options(
        "/api/ask",
        headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )
    assert preflight.status_code == 200
    assert preflight.headers.get("access-control-allow-origin") == ALLOWED_ORIGIN
    assert "POST" in preflight.headers.get("access-control-allow-methods", "")


def test_cors_gives_nothing_to_another_origin(api):
    response = api.get("/api/documents", headers={"Origin": "http://evil.example"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    preflight = api.options("/api/ask", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers


# ---------------------------------------------------------------- the UI's own API


def test_gradio_client_calls_the_ui_api(server):
    from gradio_client import Client

    client = Client(server.url, verbose=False)
    answer = client.predict(FRANCE, None, None, None, None, api_name="/ask")
    assert {c["speaker"] for c in answer["citations"]} == {"France"}
    assert answer["citations"][0]["quote"] in answer["answer"]


def test_docs_and_openapi_are_served(api):
    assert api.get("/api/docs").status_code == 200
    spec = api.get("/api/openapi.json").json()
    assert {"/api/ask", "/api/ask/stream", "/api/health", "/api/documents", "/api/speakers", "/api/statements/{statement_id}"} <= set(spec["paths"])


# ---------------------------------------------------------------- authentication and rate limit (guarded server)


@pytest.mark.parametrize("path", ["/api/documents", "/api/speakers", "/", "/config", "/gradio_api/info", "/api/docs"])
def test_auth_required_everywhere_but_health(guarded, path):
    response = httpx.get(guarded.url + path, headers=client_ip("10.0.0.1"))
    assert_error_json(response, 401)
    assert response.headers["www-authenticate"].startswith("Basic")


def test_health_needs_no_auth(guarded):
    assert httpx.get(guarded.url + "/api/health", headers=client_ip("10.0.0.1")).status_code == 200


def test_basic_auth_is_accepted_and_checked(guarded):
    ok = httpx.get(guarded.url + "/api/documents", headers={**basic(USER, PASSWORD), **client_ip("10.0.0.2")})
    assert ok.status_code == 200
    for i, (user, password) in enumerate([(USER, "wrong"), ("someone", PASSWORD), (USER, ""), (USER, PASSWORD + "x")]):
        bad = httpx.get(guarded.url + "/api/documents", headers={**basic(user, password), **client_ip(f"10.0.1.{i}")})
        assert_error_json(bad, 401)


def test_bearer_token_is_accepted_and_checked(guarded):
    ok = httpx.post(
        guarded.url + "/api/ask", json={"question": FRANCE},
        headers={"Authorization": f"Bearer {TOKEN}", **client_ip("10.0.0.3")}, timeout=120,
    )
    assert ok.status_code == 200 and ok.json()["citations"]
    bad = httpx.get(guarded.url + "/api/documents", headers={"Authorization": f"Bearer {TOKEN}x", **client_ip("10.0.0.3")})
    assert_error_json(bad, 401)


def test_token_link_sets_a_cross_site_cookie_and_drops_the_token(guarded):
    response = httpx.get(guarded.url + "/?token=" + TOKEN, headers={"Accept": "text/html", **client_ip("10.0.0.4")})
    assert response.status_code == 303
    assert TOKEN not in response.headers["location"]
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=None" in cookie and "Partitioned" in cookie
    assert TOKEN not in cookie
    name, value = cookie.split(";", 1)[0].split("=", 1)
    with httpx.Client(base_url=guarded.url, headers=client_ip("10.0.0.4")) as browser:
        assert browser.get("/", cookies={name: value}).status_code == 200
        assert browser.get("/api/documents", cookies={name: value}).status_code == 200
        assert browser.get("/api/documents", cookies={name: value + "0"}).status_code == 401
    wrong = httpx.get(guarded.url + "/?token=nope", headers={"Accept": "text/html", **client_ip("10.0.0.4")})
    assert wrong.status_code == 401 and wrong.headers["content-type"].startswith("text/html")  # the sign-in page
    assert_error_json(httpx.get(guarded.url + "/?token=nope", headers=client_ip("10.0.0.4")), 401)


def test_gradio_client_works_with_a_bearer_token(guarded):
    from gradio_client import Client

    client = Client(guarded.url, headers={"Authorization": f"Bearer {TOKEN}", **client_ip("10.0.0.5")}, verbose=False)
    answer = client.predict("Which NGOs mentioned Viasna?", None, None, None, None, api_name="/ask")
    assert answer["citations"]


def test_rate_limit_answers_429_per_client(guarded):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    statuses = [
        httpx.get(guarded.url + "/api/documents", headers={**auth, **client_ip("10.0.9.9")}).status_code
        for _ in range(RATE_LIMIT + 2)
    ]
    assert statuses[:RATE_LIMIT] == [200] * RATE_LIMIT and statuses[-1] == 429, statuses
    limited = httpx.get(guarded.url + "/api/documents", headers={**auth, **client_ip("10.0.9.9")})
    assert_error_json(limited, 429)
    assert int(limited.headers["retry-after"]) >= 1
    # Another client is not affected, and health is never limited.
    assert httpx.get(guarded.url + "/api/documents", headers={**auth, **client_ip("10.0.9.10")}).status_code == 200
    assert httpx.get(guarded.url + "/api/health", headers=client_ip("10.0.9.9")).status_code == 200


def test_logs_hold_no_question_text_or_credentials(both, france):
    time.sleep(0.5)
    for server in both:
        log = server.log()
        assert "political prisoners" not in log
        assert TOKEN not in log and PASSWORD not in log
        assert base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode() not in log


def test_gradio_client_sees_the_ask_endpoint_and_one_sentence_errors(server):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(server.url, verbose=False)
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert "/ask" in endpoints
    with pytest.raises(AppError, match="The question is empty"):
        client.predict("   ", api_name="/ask")


def test_health_is_503_with_a_reason_when_the_index_cannot_be_opened(tmp_path):
    """In-process (no model needed): an empty HRC_HOME, then a Chroma server that is not there."""
    from fastapi.testclient import TestClient

    from assistant.settings import Settings
    from ui.server import create_app

    cases = [
        (Settings(home=tmp_path / "empty"), "hrc-assistant index"),
        (Settings(home=tmp_path / "remote", chroma_url=f"http://127.0.0.1:{servers.free_port()}"), "Chroma server"),
    ]
    for settings, reason in cases:
        with TestClient(create_app(settings)) as client:
            health = client.get("/api/health")
            assert health.status_code == 503
            assert health.json()["status"] == "unavailable"
            assert reason in health.json()["reason"]
            assert_error_json(client.post("/api/ask", json={"question": FRANCE}), 503)


# ---------------------------------------------------------------- settings that must not serve


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"HRC_AUTH_USER": "alice"}, "HRC_AUTH_PASSWORD"),
        ({"HRC_AUTH_USER": "alice", "HRC_AUTH_PASSWORD": ""}, "HRC_AUTH_PASSWORD"),
        ({"HRC_AUTH_PASSWORD": "secret-pw-1"}, "HRC_AUTH_USER"),
        ({"HRC_CORS_ORIGINS": "*"}, "HRC_CORS_ORIGINS"),
        ({"HRC_CORS_ORIGINS": "http://newsroom.example, *", "HRC_AUTH_TOKEN": "t"}, "HRC_CORS_ORIGINS"),
    ],
    ids=["user-without-password", "user-with-empty-password", "password-without-user", "cors-wildcard", "cors-wildcard-in-list"],
)
def test_half_configured_auth_or_wildcard_cors_refuses_to_start_with_one_line(home, env, named):
    server = servers.start(home, env=env, name="refused-" + named.lower())
    try:
        code = server.process.wait(timeout=120)
    finally:
        servers.stop(server)
    log = server.log()
    errors = [line for line in log.splitlines() if line.startswith("error: ")]
    assert code == 2, log[-2000:]
    assert len(errors) == 1 and named in errors[0], log[-2000:]
    assert "Traceback" not in log and "secret-pw-1" not in log


# ---------------------------------------------------------------- request bodies, closed routes, error shape


def test_body_over_the_limit_is_413_json_declared_or_chunked(api):
    limit = 256 * 1024
    body = json.dumps({"question": FRANCE, "history": [{"role": "user", "content": "x" * (limit + 10)}]}).encode()
    declared = api.post("/api/ask", content=body, headers={"content-type": "application/json"})
    assert "HRC_MAX_BODY_KB" in assert_error_json(declared, 413)

    def chunks():
        for start in range(0, len(body), 16 * 1024):
            yield body[start:start + 16 * 1024]

    chunked = api.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert "HRC_MAX_BODY_KB" in assert_error_json(chunked, 413)
    # The Gradio app is behind the same limit.
    gradio = api.post("/gradio_api/call/ask", content=body, headers={"content-type": "application/json"})
    assert_error_json(gradio, 413)
    # Under the limit, a body is read and judged on its content (here: too long a question for the engine).
    under = json.dumps({"question": "x" * 100_000, "history": [{"role": "user", "content": "x" * 100_000}]})
    assert len(under) < limit
    assert_error_json(api.post("/api/ask", content=under, headers={"content-type": "application/json"}), 400)


def rss_kb(pid: int) -> int:
    for line in open(f"/proc/{pid}/status", encoding="ascii"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_four_concurrent_200mb_bodies_do_not_grow_the_server_memory(server, api):
    from concurrent.futures import ThreadPoolExecutor

    megabyte = b"x" * (1024 * 1024)
    size = 200 * megabyte.__len__()

    def stream():
        for _ in range(200):
            yield megabyte

    def send(declared: bool):
        headers = {"content-type": "application/json"}
        if declared:
            headers["content-length"] = str(size)
        try:
            response = httpx.post(server.url + "/api/ask", content=stream(), headers=headers, timeout=120)
        except httpx.TransportError as error:  # the server closed the connection after its 413: fine
            return type(error).__name__
        return response.status_code

    assert api.get("/api/documents").status_code == 200
    before = rss_kb(server.process.pid)
    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(send, [True, True, False, False]))
    elapsed = time.monotonic() - started
    after = rss_kb(server.process.pid)
    figure = f"server RSS before {before // 1024} MB, after 4 concurrent 200 MB bodies {after // 1024} MB; {elapsed:.1f}s; {outcomes}"
    servers.ARTIFACTS.mkdir(exist_ok=True)
    (servers.ARTIFACTS / "body-limit-rss.txt").write_text(figure + "\n", encoding="utf-8")
    assert all(outcome in (413, "WriteError", "RemoteProtocolError", "ReadError") for outcome in outcomes), outcomes
    assert 413 in outcomes, outcomes
    assert after - before < 50 * 1024, (before, after)
    assert elapsed < 60
    assert api.post("/api/ask", json={"question": FRANCE}).status_code == 200


def test_invalid_utf8_and_deeply_nested_json_are_the_documented_422(api):
    headers = {"content-type": "application/json"}
    invalid = api.post("/api/ask", content=b'{"question": "What did France say \xff\xfe?"}', headers=headers)
    assert assert_error_json(invalid, 422) == "The request body is not valid UTF-8 text."
    nested = b'{"question": "What did France say?", "history": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    assert assert_error_json(api.post("/api/ask", content=nested, headers=headers), 422) == "The request body is nested too deeply."
    assert api.get("/api/health").status_code == 200


def test_gradio_upload_route_is_closed(api, guarded):
    files = {"files": ("notes.txt", b"hello " * 1000, "text/plain")}
    assert "upload" in assert_error_json(api.post("/gradio_api/upload", files=files), 403)
    assert_error_json(httpx.post(guarded.url + "/gradio_api/upload", files=files, headers=client_ip("10.0.3.1")), 401)
    authorised = httpx.post(
        guarded.url + "/gradio_api/upload", files=files, headers={"Authorization": f"Bearer {TOKEN}", **client_ip("10.0.3.1")}
    )
    assert_error_json(authorised, 403)


def test_queue_join_with_an_unknown_fn_index_is_a_4xx_json_sentence(api):
    body = {"data": [FRANCE], "fn_index": 99_999, "session_hash": "abcdef123456", "event_data": None, "trigger_id": None}
    response = api.post("/gradio_api/queue/join", json=body)
    assert 400 <= response.status_code < 500, response.text
    assert_error_json(response, response.status_code)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/no-such-page", 404), ("GET", "/gradio_api/no-such-route", 404), ("DELETE", "/", 405), ("PUT", "/config", 405),
     ("DELETE", "/api/ask", 404)],
)
def test_every_error_body_outside_the_api_has_the_error_shape(api, method, path, status):
    assert_error_json(api.request(method, path), status)


def test_a_browser_without_credentials_gets_a_sign_in_page_and_the_api_keeps_json(guarded):
    html = {"Accept": "text/html,application/xhtml+xml", **client_ip("10.0.4.1")}
    page = httpx.get(guarded.url + "/", headers=html)
    assert page.status_code == 401 and page.headers["content-type"].startswith("text/html")
    assert page.headers["www-authenticate"].startswith("Basic")
    assert "?token=" in page.text and "user name and password" in page.text
    assert_error_json(httpx.get(guarded.url + "/api/documents", headers=html), 401)
    assert_error_json(httpx.get(guarded.url + "/", headers=client_ip("10.0.4.1")), 401)


# ---------------------------------------------------------------- filters are never silently widened


def test_an_unknown_speaker_in_the_filter_is_a_422_naming_it(api):
    response = api.post("/api/ask", json={"question": "Who mentioned political prisoners?", "speakers": ["France", "Atlantis"]})
    message = assert_error_json(response, 422)
    assert "'Atlantis'" in message and "France" not in message


def test_a_type_filter_that_excludes_the_named_speaker_gives_an_empty_explained_answer(api):
    response = api.post("/api/ask", json={"question": "What did France say?", "speaker_types": ["ngo"]})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["abstained"] and answer["citations"] == []
    assert "France" in answer["answer"] and "NGO" in answer["answer"]
    kept = api.post("/api/ask", json={"question": "What did France say?", "speaker_types": ["state"]}).json()
    assert {c["speaker"] for c in kept["citations"]} == {"France"}


# ---------------------------------------------------------------- API docs offline


def test_openapi_declares_bearer_and_basic_security(api):
    spec = api.get("/api/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["basic"] == {**schemes["basic"], "type": "http", "scheme": "basic"}
    assert {"bearer": []} in spec["security"]
    assert spec["paths"]["/api/health"]["get"]["security"] == []


def test_api_docs_render_with_the_network_blocked(server):
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "/usr/bin/chromium is missing: scripts/test.sh installs it (apt-get install chromium)"
    blocked: list[str] = []

    def only_loopback(route):
        if route.request.url.startswith(server.url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.route("**/*", only_loopback)
            page.goto(server.url + "/api/docs")
            page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
            assert "HRC assistant API" in page.inner_text(".swagger-ui .info .title")
            page.wait_for_selector("button.authorize", timeout=10_000)
            assert page.locator(".opblock-summary-path", has_text="/api/ask").count() >= 1
            servers.ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(servers.ARTIFACTS / "api-docs-offline.png"))
        finally:
            browser.close()
    assert not blocked, blocked


def test_gradio_client_takes_the_same_arguments_as_rest(server):
    from gradio_client import Client

    from ui.api import AskRequest

    client = Client(server.url, verbose=False)
    endpoint = client.view_api(print_info=False, return_format="dict")["named_endpoints"]["/ask"]
    names = [p["parameter_name"] for p in endpoint["parameters"]]
    assert set(names) == set(AskRequest.model_fields), names
    answer = client.predict(FRANCE, None, None, None, None, "offline", True, api_name="/ask")
    assert answer["backend"] == "offline"
    assert {c["speaker"] for c in answer["citations"]} == {"France"}


# ---------------------------------------------------------------- last: stops the guarded server


def test_sigterm_stops_the_server_gracefully(guarded):
    started = time.monotonic()
    code = servers.stop(guarded, timeout=25)
    # uvicorn finishes in-flight requests, shuts down, then re-raises SIGTERM (the conventional exit status).
    assert code in (0, -signal.SIGTERM), guarded.log()[-2000:]
    assert time.monotonic() - started < 25
    assert "Finished server process" in guarded.log()
