"""`docs/embedding.md` followed literally: Debian's nginx in front of a real server, with TLS, auth and a sub-path.

The nginx block of the doc's section 5 is taken as written; only what any reader must change is
replaced (the listen address and port, the upstream port, the certificate and log paths), and
each replacement must match exactly once, so an edit of the doc that the test no longer covers
fails here. One location is added next to the documented ones: a same-origin page that embeds
the web component. The certificate is a fresh self-signed one made with `openssl`.
nginx is installed by `scripts/test.sh`; without it this test fails and says so.
"""

from __future__ import annotations

import os
import re
import shutil
import ssl
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests import servers

DOC = servers.ROOT / "docs" / "embedding.md"
CHROMIUM = Path("/usr/bin/chromium")
TOKEN, USER, PASSWORD = "tok-nginx-5b7e21", "desk", "pw-Nginx-Horse-77"
FRANCE = "What did France say about political prisoners?"


def documented_nginx_block() -> str:
    section = DOC.read_text(encoding="utf-8").split("## 5.", 1)[1]
    found = re.search(r"```nginx\n(.*?)```", section, re.S)
    assert found, "docs/embedding.md section 5 has no nginx block"
    return found.group(1)


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"the documented nginx config should hold {old!r} exactly once"
    return text.replace(old, new)


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        pytest.fail("nginx is not installed: `bash scripts/test.sh` installs it (apt-get install nginx)")
    return found


def self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "hrc.pem", directory / "hrc.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert, key


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 20) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"nginx exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nginx did not listen on {port}")


@pytest.fixture(scope="module")
def proxied(request, tmp_path_factory):
    """(public base URL, certificate, access log path) of nginx in front of `serve --root-path /hrc`."""
    nginx = nginx_binary()
    home = servers.indexed_home(request, tmp_path_factory)
    work = tmp_path_factory.mktemp("nginx")
    os.chmod(work, 0o755)
    cert, key = self_signed(work)
    access_log, error_log = work / "hrc-access.log", work / "error.log"
    (work / "newsroom").mkdir()
    port = servers.free_port()
    base = f"https://127.0.0.1:{port}"
    (work / "newsroom" / "index.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>Newsroom</title>"
        "<script type='module' src='/hrc/gradio.js'></script></head><body><h1>Newsroom</h1>"
        f"<gradio-app src='{base}/hrc/' initial_height='700px' container='false' eager='true'></gradio-app>"
        "</body></html>",
        encoding="utf-8",
    )
    app = servers.start(
        home,
        env={"HRC_AUTH_TOKEN": TOKEN, "HRC_AUTH_USER": USER, "HRC_AUTH_PASSWORD": PASSWORD, "HRC_RATE_LIMIT_PER_MINUTE": "0"},
        args=["--root-path", "/hrc", "--forwarded-allow-ips", "127.0.0.1"],
        name="nginx-upstream",
    )
    site = documented_nginx_block()
    site = replace_once(site, "server 127.0.0.1:7860;", f"server 127.0.0.1:{app.port};")
    site = replace_once(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl http2;")
    site = replace_once(site, "/etc/ssl/certs/hrc.example.org.pem", str(cert))
    site = replace_once(site, "/etc/ssl/private/hrc.example.org.key", str(key))
    site = replace_once(site, "/var/log/nginx/hrc-access.log", str(access_log))
    site = replace_once(
        site, "    location = /hrc { return 301 /hrc/; }",
        f"    location /newsroom/ {{ alias {work / 'newsroom'}/; }}\n\n    location = /hrc {{ return 301 /hrc/; }}",
    )
    (work / "hrc.conf").write_text(site, encoding="utf-8")
    temp = "\n".join(f"    {kind}_temp_path {work / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (work / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\ndaemon off;\npid {work / 'nginx.pid'};\nerror_log {error_log} warn;\n"
        + "events { worker_connections 128; }\n"
        + f"http {{\n    include /etc/nginx/mime.types;\n    access_log off;\n{temp}\n    include {work / 'hrc.conf'};\n}}\n",
        encoding="utf-8",
    )
    command = [nginx, "-p", str(work), "-e", str(error_log), "-c", str(work / "nginx.conf")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, f"nginx rejects the documented config:\n{checked.stderr}"
    proxy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        servers.wait_ready(app)
        wait_for_port(port, proxy, error_log)
        yield base, cert, access_log
    finally:
        proxy.terminate()
        try:
            proxy.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proxy.kill()
        servers.stop(app)


def test_the_api_answers_through_the_documented_proxy_with_auth_and_http2(proxied):
    base, cert, _ = proxied
    with httpx.Client(base_url=base + "/hrc", verify=ssl.create_default_context(cafile=str(cert)), timeout=120) as client:
        assert client.get("/api/health").status_code == 200
        refused = client.post("/api/ask", json={"question": FRANCE})
        assert refused.status_code == 401 and refused.json()["error"]
        answer = client.post("/api/ask", json={"question": FRANCE}, headers={"Authorization": f"Bearer {TOKEN}"})
        assert answer.status_code == 200, answer.text
        assert {c["speaker"] for c in answer.json()["citations"]} == {"France"}
        basic = client.get("/api/documents", auth=(USER, PASSWORD))
        assert basic.status_code == 200 and basic.json()
        with client.stream("POST", "/api/ask/stream", json={"question": FRANCE}, headers={"Authorization": f"Bearer {TOKEN}"}) as events:
            text = "".join(events.iter_text())
        assert "event: delta" in text and "event: answer" in text
        # One body limit: the proxy and the app refuse at the same size, with the same JSON shape.
        too_large = client.post("/api/ask", content=b"x" * (300 * 1024), headers={"Authorization": f"Bearer {TOKEN}",
                                                                                  "content-type": "application/json"})
        assert too_large.status_code == 413 and "HRC_MAX_BODY_KB" in too_large.json()["error"]
        assert client.get(base + "/hrc", follow_redirects=False).headers["location"].endswith("/hrc/")


def test_the_ui_and_the_web_component_work_through_the_proxy_and_the_token_stays_out_of_its_log(proxied):
    from playwright.sync_api import sync_playwright

    base, cert, access_log = proxied
    assert CHROMIUM.exists(), "/usr/bin/chromium is missing: `bash scripts/test.sh` installs it"
    quote = httpx.post(base + "/hrc/api/ask", json={"question": FRANCE}, headers={"Authorization": f"Bearer {TOKEN}"},
                       verify=ssl.create_default_context(cafile=str(cert)), timeout=120).json()["citations"][0]["quote"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(ignore_https_errors=True, viewport={"width": 1366, "height": 900})
            page = context.new_page()
            protocols: set[str] = set()
            page.on("response", lambda r: protocols.add(r.request.url.split(":", 1)[0]))
            response = page.goto(base + "/hrc/?token=" + TOKEN)
            assert response is not None and response.ok
            assert TOKEN not in page.url
            page.wait_for_selector("#question textarea", timeout=60_000)
            page.locator("#question textarea").fill(FRANCE)
            page.locator("#question textarea").press("Enter")
            page.wait_for_function("q => document.body.innerText.includes(q)", arg=quote[:60], timeout=60_000)
            servers.ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(servers.ARTIFACTS / "nginx-ui.png"))
            http_version = page.evaluate("() => performance.getEntriesByType('navigation')[0].nextHopProtocol")
            assert http_version == "h2", http_version

            # The web component on a page of the same origin, signed in by the cookie of the link above.
            embed = context.new_page()
            embed.goto(base + "/newsroom/")
            embed.wait_for_selector("gradio-app #question textarea", timeout=60_000)
            embed.locator("gradio-app #question textarea").fill(FRANCE)
            embed.locator("gradio-app #question textarea").press("Enter")
            embed.wait_for_function("q => document.body.innerText.includes(q)", arg=quote[:60], timeout=60_000)
            embed.screenshot(path=str(servers.ARTIFACTS / "nginx-web-component.png"))
        finally:
            browser.close()
    time.sleep(0.5)
    log = access_log.read_text(errors="replace")
    assert "/hrc/" in log and "/newsroom/" in log
    assert TOKEN not in log and "token=" not in log
