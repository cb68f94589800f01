"""One error shape for every route, and no unexpected exception in the log with request data.

`ErrorShapeMiddleware` sits between the security middleware and the app (the JSON API and the
mounted Gradio app alike):

* an error response (status >= 400) whose body is not already `{"error": "<sentence>"}` (Gradio's
  `{"detail": …}`, Starlette's plain-text 404 and 405) is rewritten to that shape, keeping its
  status and headers;
* an exception that escapes the app is logged as its type and where it was raised, never its
  message or traceback (both may quote the request, e.g. a question sent to the Gradio API),
  unless `HRC_LOG_QUESTIONS` is on; the client gets a 500 `{"error": …}`, and the exception stops
  here so the server (uvicorn) does not log it again with its traceback.
"""

from __future__ import annotations

import json
import logging
import traceback
from http import HTTPStatus
from pathlib import Path

from assistant.settings import Settings

log = logging.getLogger("hrc_assistant.ui")

INTERNAL = "Internal error; the server log has the details."
SENTENCES = {
    404: "Not found.",
    405: "Method not allowed.",
    422: "The request is not valid.",
    500: INTERNAL,
}


def error_sentence(status: int, body: bytes, content_type: str) -> str | None:
    """The one sentence for an error body, or None when the body already has the shape."""
    parsed = None
    if "json" in content_type:
        try:
            parsed = json.loads(body or b"null")
        except ValueError:
            parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), str) and parsed["error"].strip():
        return None
    if isinstance(parsed, dict) and parsed.get("status") == "unavailable" and isinstance(parsed.get("reason"), str):
        return None  # /api/health's documented 503 shape: its reason is already the one sentence

    detail = parsed.get("detail") if isinstance(parsed, dict) else None
    generic = status in SENTENCES and isinstance(detail, str) and detail.strip().rstrip(".").lower() == _phrase(status).lower()
    if isinstance(detail, str) and detail.strip() and status != 500 and not generic:
        detail = detail.strip()
        return detail if detail.endswith((".", "?", "!")) else detail + "."
    if status in SENTENCES:
        return SENTENCES[status]
    return _phrase(status) + "."


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "The request failed"


def where_raised(error: BaseException) -> str:
    """`file:line in function` of the innermost frame: enough to find the bug, nothing of the request."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{Path(last.filename).name}:{last.lineno} in {last.name}"


def log_unexpected(error: BaseException, what: str, with_details: bool) -> None:
    """Log an unexpected exception: its type and place, plus message and traceback only when
    `with_details` (HRC_LOG_QUESTIONS): both may quote the question that caused it."""
    if with_details:
        log.error("%s: unexpected %s", what, type(error).__name__, exc_info=error)
    else:
        log.error("%s: unexpected %s (%s)", what, type(error).__name__, where_raised(error))


class ErrorShapeMiddleware:
    def __init__(self, app, settings: Settings):
        self.app = app
        self.log_details = settings.log_questions

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        shape = scope.get("method") != "HEAD"  # HEAD answers carry no body to shape
        held: dict = {}
        started = False

        async def shaped_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if message["status"] >= 400 and shape:
                    held["start"] = message
                    held["body"] = b""
                    return
            elif message["type"] == "http.response.body" and "start" in held:
                held["body"] += message.get("body", b"")
                if message.get("more_body", False):
                    return
                await self._send_shaped(send, held.pop("start"), held.pop("body"))
                return
            await send(message)

        try:
            await self.app(scope, receive, shaped_send)
        except Exception as error:  # noqa: BLE001 - the last place an exception can be kept out of the log
            log_unexpected(error, f"{scope.get('method', '')} {scope.get('path', '')}", self.log_details)
            if "start" in held:  # the app had begun its own 500: send ours instead
                held.clear()
                started = False
            if not started:
                await _send_json(send, 500, {"error": INTERNAL})

    @staticmethod
    async def _send_shaped(send, start: dict, body: bytes) -> None:
        headers = [(k, v) for k, v in start.get("headers", [])]
        content_type = next((v.decode("latin-1") for k, v in headers if k.lower() == b"content-type"), "")
        sentence = error_sentence(start["status"], body, content_type)
        if sentence is None:
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        kept = [(k, v) for k, v in headers if k.lower() not in (b"content-type", b"content-length")]
        await _send_json(send, start["status"], {"error": sentence}, kept)


async def _send_json(send, status: int, body: dict, headers: list[tuple[bytes, bytes]] = ()) -> None:
    payload = json.dumps(body).encode("utf-8")
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [*headers, (b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())],
    })
    await send({"type": "http.response.body", "body": payload})
