"""Who may use the server, how often, and from which origins.

One pure-ASGI middleware (`SecurityMiddleware`) sits in front of everything, the mounted
Gradio app included, and does three things in this order:

1. access log: method, path (never the query string: it may hold `?token=`), status, time;
2. rate limit: a sliding one-minute window per client IP over the JSON API and Gradio's
   prediction endpoints (429 JSON);
3. authentication, when configured: HTTP Basic (`auth_user`/`auth_password`) or
   `Authorization: Bearer <auth_token>`, or the session cookie set by `?token=<auth_token>`
   (the way into a third-party iframe, where Gradio's own login cookie is not sent).
   Everything but `GET /api/health` and CORS preflights needs it: 401 JSON, or for a browser
   navigating to a page (Accept: text/html, outside `/api/` but for `/api/docs`) an HTML page
   that explains how to sign in;
4. routes the UI never uses are closed: `POST /gradio_api/upload` (the chat has no upload, and
   an open upload route fills the temp directory) answers 403 JSON without reading the body.

CORS is Starlette's `CORSMiddleware` with the allow-list `settings.cors_origins`; it wraps this
middleware so that 401 and 429 answers carry CORS headers too.

`configuration_problem(settings)` is the one sentence that stops `serve` (exit 2) when the
settings would silently weaken this: a Basic user without a password (or the reverse), which
would otherwise start with no authentication at all, and a `*` CORS origin, which with the
credentialed cookie would let any site read the API as the signed-in user.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import time
from collections import deque
from html import escape
from urllib.parse import parse_qsl, urlencode

from assistant.settings import Settings

log = logging.getLogger("hrc_assistant.ui")

COOKIE_NAME = "hrc_session"
TOKEN_PARAM = "token"
PUBLIC_PATHS = frozenset({"/api/health"})
# Gradio endpoints that start a computation: rate limited like the JSON API.
GRADIO_PREDICTION_PREFIXES = ("/gradio_api/queue/join", "/gradio_api/call/", "/gradio_api/run/")
# Gradio routes the chat never calls: closed, whoever asks (the UI has no file upload).
CLOSED_ROUTES = frozenset({("POST", "/gradio_api/upload")})
AUTH_REQUIRED = "Authentication required: HTTP Basic, a Bearer token or a ?token= link."


def configuration_problem(settings: Settings) -> str | None:
    """Why these settings must not start a server (one sentence), or None."""
    user, password = bool(settings.auth_user), bool(settings.auth_password)
    if user and not password:
        return "HRC_AUTH_USER is set but HRC_AUTH_PASSWORD is empty: set both for HTTP Basic, or neither."
    if password and not user:
        return "HRC_AUTH_PASSWORD is set but HRC_AUTH_USER is empty: set both for HTTP Basic, or neither."
    if any(origin.strip() == "*" for origin in settings.cors_origins):
        return "HRC_CORS_ORIGINS='*' would let any site call the API as the signed-in user: list the allowed origins."
    return None


def app_path(scope) -> str:
    """The request path inside the app, without the proxy's `root_path` prefix."""
    path = scope.get("path", "") or "/"
    root = scope.get("root_path", "") or ""
    if root and (path == root or path.startswith(root.rstrip("/") + "/")):
        path = path[len(root.rstrip("/")):] or "/"
    return path


def cookie_value(token: str) -> str:
    """What the session cookie holds: derived from the token, never the token itself."""
    return hmac.new(token.encode("utf-8"), b"hrc-assistant session cookie v1", hashlib.sha256).hexdigest()


def _equal(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape"))


class Credentials:
    """Checks a request's credentials against the configured ones (constant-time)."""

    def __init__(self, settings: Settings):
        self.user = settings.auth_user if settings.auth_user and settings.auth_password else None
        self.password = settings.auth_password if self.user else None
        self.token = settings.auth_token or None
        self.cookie = cookie_value(self.token) if self.token else None

    @property
    def enabled(self) -> bool:
        return bool(self.user or self.token)

    def check_header(self, authorization: str) -> bool:
        scheme, _, value = authorization.strip().partition(" ")
        scheme = scheme.lower()
        value = value.strip()
        if scheme == "bearer" and self.token:
            return _equal(value, self.token)
        if scheme == "basic" and self.user:
            try:
                decoded = base64.b64decode(value, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError, ValueError):
                return False
            user, sep, password = decoded.partition(":")
            # Both comparisons always run: no early exit that would reveal which part was wrong.
            ok_user = _equal(user, self.user)
            ok_password = _equal(password, self.password or "")
            return bool(sep) and ok_user and ok_password
        return False

    def check_cookie(self, value: str) -> bool:
        return bool(self.cookie) and _equal(value, self.cookie)

    def check_token(self, value: str) -> bool:
        return bool(self.token) and _equal(value, self.token)

    def challenge(self) -> str:
        return 'Basic realm="HRC assistant", charset="UTF-8"' if self.user else 'Bearer realm="HRC assistant"'


class SlidingWindow:
    """At most `limit` events per `window` seconds per key; 0 disables."""

    def __init__(self, limit: int, window: float = 60.0, clock=time.monotonic, max_keys: int = 10_000):
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self.hits: dict[str, deque[float]] = {}

    def allow(self, key: str) -> tuple[bool, float]:
        """(allowed, seconds until the next event would be allowed)."""
        if self.limit <= 0:
            return True, 0.0
        now = self.clock()
        horizon = now - self.window
        hits = self.hits.get(key)
        if hits is None:
            if len(self.hits) >= self.max_keys:
                self._prune(horizon)
            hits = self.hits[key] = deque()
        while hits and hits[0] <= horizon:
            hits.popleft()
        if len(hits) >= self.limit:
            return False, max(0.0, hits[0] - horizon)
        hits.append(now)
        return True, 0.0

    def _prune(self, horizon: float) -> None:
        for key in [k for k, v in self.hits.items() if not v or v[-1] <= horizon]:
            del self.hits[key]
        while len(self.hits) >= self.max_keys:  # still full of active clients: forget the oldest
            self.hits.pop(next(iter(self.hits)))


def _headers(scope) -> dict[str, str]:
    found: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        if name in found:
            if name == "cookie":
                found[name] += "; " + value
            continue
        found[name] = value
    return found


def _cookies(header: str) -> dict[str, str]:
    jar: dict[str, str] = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            jar.setdefault(name.strip(), value.strip())
    return jar


async def _send_json(send, status: int, body: dict, headers: list[tuple[bytes, bytes]] = ()) -> None:
    payload = json.dumps(body).encode("utf-8")
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()), *headers],
    })
    await send({"type": "http.response.body", "body": payload})


def wants_page(path: str, headers: dict[str, str]) -> bool:
    """A browser navigating to a page (not a program calling the API): it gets HTML, not JSON."""
    api = (path == "/api" or path.startswith("/api/")) and path != "/api/docs"
    return not api and "text/html" in headers.get("accept", "")


def sign_in_page(basic: bool, token: bool) -> bytes:
    """The 401 page a browser shows when the user cancels the login prompt or has no credentials."""
    ways = []
    if token:
        ways.append(
            "<li>open the link your administrator gave you, which ends in <code>?token=…</code>; "
            "it signs this browser in for 12 hours;</li>"
        )
    if basic:
        ways.append("<li>reload this page and enter your user name and password in the browser's sign-in prompt;</li>")
    ways.append(
        "<li>programs send <code>Authorization: Bearer &lt;token&gt;</code> or HTTP Basic; "
        "see <a href=\"api/docs\">the API documentation</a> once signed in.</li>"
    )
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>Sign in: HRC assistant</title></head>"
        "<body style=\"font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem\">"
        "<h1>Sign in to the HRC assistant</h1>"
        f"<p>{escape(AUTH_REQUIRED)}</p><p>To sign in:</p><ul>{''.join(ways)}</ul>"
        "</body></html>"
    ).encode("utf-8")


class SecurityMiddleware:
    """Access log, rate limit and authentication for every HTTP/WebSocket request."""

    def __init__(self, app, settings: Settings, clock=time.monotonic):
        self.app = app
        self.credentials = Credentials(settings)
        self.limiter = SlidingWindow(settings.rate_limit_per_minute, clock=clock)

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path = app_path(scope)
        method = scope.get("method", "WS")
        status_seen = {"status": 0}

        async def send_logged(message):
            if message["type"] == "http.response.start":
                status_seen["status"] = message["status"]
            await send(message)

        try:
            await self._guarded(scope, receive, send_logged, path, method)
        finally:
            if scope["type"] == "http" and not path.startswith(("/assets/", "/static/", "/gradio_api/heartbeat")):
                log.info("%s %s %s %.0fms", method, path, status_seen["status"] or "-", (time.perf_counter() - started) * 1000)

    async def _guarded(self, scope, receive, send, path: str, method: str) -> None:
        headers = _headers(scope)
        preflight = method == "OPTIONS" and "access-control-request-method" in headers
        if scope["type"] == "http" and not preflight and self._rate_limited(path, method):
            client = scope.get("client") or ("unknown", 0)
            allowed, retry = self.limiter.allow(client[0])
            if not allowed:
                await _send_json(
                    send, 429,
                    {"error": "Too many requests from this client; wait a minute and try again."},
                    [(b"retry-after", str(max(1, int(retry + 0.999))).encode())],
                )
                return
        if not self.credentials.enabled or path in PUBLIC_PATHS or preflight:
            await self._admitted(scope, receive, send, path, method)
            return
        if self.credentials.check_header(headers.get("authorization", "")):
            await self._admitted(scope, receive, send, path, method)
            return
        if self.credentials.check_cookie(_cookies(headers.get("cookie", "")).get(COOKIE_NAME, "")):
            await self._admitted(scope, receive, send, path, method)
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        token = next((v for k, v in query if k == TOKEN_PARAM), None)
        if token is not None and self.credentials.check_token(token):
            await self._enter_with_token(scope, receive, send, headers, query)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        challenge = (b"www-authenticate", self.credentials.challenge().encode())
        if wants_page(path, headers):
            page = sign_in_page(basic=bool(self.credentials.user), token=bool(self.credentials.token))
            await send({
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(page)).encode()),
                    (b"cache-control", b"no-store"), challenge,
                ],
            })
            await send({"type": "http.response.body", "body": page})
            return
        await _send_json(send, 401, {"error": AUTH_REQUIRED}, [challenge])

    async def _admitted(self, scope, receive, send, path: str, method: str) -> None:
        """An authenticated (or auth-free) request: closed routes are refused before their body is read."""
        if (method, path) in CLOSED_ROUTES:
            await _send_json(send, 403, {"error": "This server accepts no file uploads."})
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _rate_limited(path: str, method: str) -> bool:
        if path in PUBLIC_PATHS:
            return False
        if path == "/api" or path.startswith("/api/"):
            return True
        return method == "POST" and path.startswith(GRADIO_PREDICTION_PREFIXES)

    def _set_cookie(self) -> bytes:
        # SameSite=None; Secure: the cookie must also be sent when the UI is inside another site's iframe.
        return (
            f"{COOKIE_NAME}={self.credentials.cookie}; Path=/; HttpOnly; Secure; SameSite=None; Partitioned; Max-Age=43200"
        ).encode()

    async def _enter_with_token(self, scope, receive, send, headers, query) -> None:
        """A valid `?token=`: set the session cookie; a page visit is redirected to drop the token from the URL."""
        cookie = self._set_cookie()
        navigation = scope["type"] == "http" and scope.get("method") == "GET" and (
            headers.get("sec-fetch-mode") == "navigate" or "text/html" in headers.get("accept", "")
        )
        if navigation:
            rest = urlencode([(k, v) for k, v in query if k != TOKEN_PARAM])
            last = scope.get("path", "/").rsplit("/", 1)[-1]
            location = (last or "./") + (f"?{rest}" if rest else "")
            await send({
                "type": "http.response.start",
                "status": 303,
                "headers": [
                    (b"location", location.encode("latin-1", "replace")),
                    (b"set-cookie", cookie),
                    (b"cache-control", b"no-store"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"content-length", b"0"),
                ],
            })
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cookie(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie)]}
            await send(message)

        await self._admitted(scope, receive, send_with_cookie, app_path(scope), scope.get("method", "WS"))


def install(app, settings: Settings) -> None:
    """Add the security middleware and CORS to a FastAPI app (CORS outermost)."""
    from starlette.middleware.cors import CORSMiddleware

    app.add_middleware(SecurityMiddleware, settings=settings)
    origins = list(settings.cors_origins)
    # Always installed, even with an empty allow-list: Gradio then defers to it instead of
    # applying its own localhost-only CORS policy.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"],
        # Never credentials with a wildcard (configuration_problem refuses it anyway): with the
        # session cookie, that would let any site read the API as the signed-in user.
        allow_credentials="*" not in origins,
        expose_headers=["Retry-After"],
        max_age=600,
    )
