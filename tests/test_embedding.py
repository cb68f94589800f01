"""Embedding the assistant in another site's page: an iframe and Gradio's <gradio-app> web component.

The host page is served by a tiny http.server on its own port and addressed as `localhost`,
while the app is addressed as `127.0.0.1`: a different origin and a different site, like an
intranet page embedding the assistant. Everything runs on loopback.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from tests import servers

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"]
TOKEN = "embed-token-4e1d"
QUESTION = "What did France say about political prisoners?"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (CI installs it)")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization", "content-length", "host"}


class SubPathProxy(http.server.BaseHTTPRequestHandler):
    """What the nginx config of docs/embedding.md does: /hrc/… → upstream /…, with X-Forwarded-* headers,
    responses streamed unbuffered (server-sent events)."""

    protocol_version = "HTTP/1.1"
    upstream = ""
    prefix = "/hrc"

    def log_message(self, *args):
        pass

    def _forward(self):
        import httpx

        if not (self.path == self.prefix or self.path.startswith(self.prefix + "/")):
            self.send_error(404)
            return
        path = self.path[len(self.prefix):] or "/"
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"accept-encoding"}]
        headers += [
            ("X-Forwarded-For", self.client_address[0]),
            ("X-Forwarded-Proto", "http"),
            ("X-Forwarded-Host", self.headers.get("Host", "")),
        ]
        with httpx.Client(timeout=None) as client:
            with client.stream(self.command, self.upstream + path, headers=headers, content=body) as response:
                self.send_response(response.status_code)
                for key, value in response.headers.multi_items():
                    if key.lower() not in HOP_BY_HOP:
                        self.send_header(key, value)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for chunk in response.iter_raw():
                    if chunk:
                        self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                        self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

    do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_HEAD = _forward


def serve_in_thread(server) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


@pytest.fixture(scope="module")
def host_port():
    return servers.free_port()


@pytest.fixture(scope="module")
def host_origin(host_port):
    return f"http://localhost:{host_port}"


@pytest.fixture(scope="module")
def apps(request, tmp_path_factory, host_origin):
    """An open app that lets the host page's origin in through CORS, and a token-protected app."""
    home = servers.indexed_home(request, tmp_path_factory)
    with servers.running_servers(
        home,
        {"name": "embed-open", "env": {"HRC_CORS_ORIGINS": host_origin}},
        {"name": "embed-token", "env": {"HRC_AUTH_TOKEN": TOKEN}, "args": ["--root-path", "/hrc"]},
    ) as started:
        yield {"open": started[0], "token": started[1]}


@pytest.fixture(scope="module")
def proxied(apps):
    """The token-protected app behind a reverse proxy at http://127.0.0.1:<port>/hrc/."""
    handler = type("Proxy", (SubPathProxy,), {"upstream": apps["token"].url})
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", servers.free_port()), handler)
    proxy.daemon_threads = True
    serve_in_thread(proxy)
    yield f"http://127.0.0.1:{proxy.server_address[1]}/hrc"
    proxy.shutdown()
    proxy.server_close()


@pytest.fixture(scope="module")
def host(apps, proxied, host_port, host_origin, tmp_path_factory):
    """The other site: pages embedding the apps, served from their own origin."""
    root = tmp_path_factory.mktemp("host-site")
    open_app, token_app = apps["open"].url, proxied
    (root / "iframe.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>Newsroom intranet</title></head><body>"
        "<h1>Newsroom intranet</h1>"
        f"<iframe id='hrc' src='{token_app}/?token={TOKEN}' title='HRC assistant' "
        "style='width:100%;height:1000px;border:1px solid #ccc'></iframe></body></html>"
    )
    (root / "component.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>Newsroom intranet</title>"
        f"<script type='module' src='{open_app}/gradio.js'></script></head><body>"
        "<h1>Newsroom intranet</h1>"
        f"<gradio-app src='{open_app}'></gradio-app></body></html>"
    )
    handler = functools.partial(QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", host_port), handler)
    serve_in_thread(httpd)
    yield host_origin
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    yield page
    servers.ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(servers.ARTIFACTS / f"embedding-{request.node.name}.png"), full_page=True)
    context.close()
    assert not dialogs


def ask_and_check_citation(app) -> None:
    """`app` is a locator scope (frame or web component) holding the chat UI."""
    question = app.locator("#question textarea")
    question.wait_for(timeout=90_000)  # a loaded CI machine can take this long to start the app in a frame
    app.locator("#hrc-header").get_by_text("HRC58").wait_for(timeout=30_000)
    question.fill(QUESTION)
    question.press("Enter")
    marker = app.locator("#chat a.cite").first
    marker.wait_for(timeout=60_000)
    assert app.locator("#sources-panel .src-card").count() >= 1
    assert "STATE" in app.locator("#sources-panel .src-card .src-type").first.inner_text().upper()
    marker.click()
    card = app.locator("#sources-panel .src-card.src-flash")
    card.wait_for(timeout=5000)
    assert card.locator(".src-quote mark").first.inner_text().strip()


def test_iframe_on_another_site_asks_with_a_token_link_through_a_sub_path_proxy(page, host, proxied):
    page.goto(f"{host}/iframe.html")
    frame = page.frame_locator("#hrc")
    ask_and_check_citation(frame)
    # The token left the iframe's address after the first request; the partitioned cookie carries the session.
    iframe = next(f for f in page.frames if f.url.startswith(proxied))
    assert iframe.url.rstrip("/") == proxied


def test_iframe_without_the_token_is_refused(page, host, proxied):
    page.set_content(f"<iframe id='hrc' src='{proxied}/' style='width:100%;height:400px'></iframe>")
    frame = page.frame_locator("#hrc")
    frame.get_by_text("Authentication required").wait_for(timeout=15_000)


def test_web_component_on_another_site_asks_and_cites(page, host, apps):
    page.goto(f"{host}/component.html")
    component = page.locator("gradio-app")
    ask_and_check_citation(component)


def test_web_component_script_is_served_by_the_app(apps, host_origin):
    import httpx

    response = httpx.get(apps["open"].url + "/gradio.js", headers={"Origin": host_origin})
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert response.headers["access-control-allow-origin"] == host_origin
    asset = response.text.split('import("./', 1)[1].split('"', 1)[0]
    assert httpx.get(f"{apps['open'].url}/{asset}").status_code == 200


def test_api_and_docs_work_under_the_sub_path(proxied):
    import httpx

    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert httpx.get(f"{proxied}/api/health").json()["status"] == "ok"
    docs = httpx.get(f"{proxied}/api/docs", headers=auth)
    assert docs.status_code == 200 and "/hrc/api/openapi.json" in docs.text
    assert "/api/ask" in httpx.get(f"{proxied}/api/openapi.json", headers=auth).json()["paths"]
    config = httpx.get(f"{proxied}/config", headers=auth).json()
    assert config["root"] == proxied
