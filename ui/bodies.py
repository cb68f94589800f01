"""The one request-body limit (`HRC_MAX_BODY_KB`), enforced by the app itself before a body is read.

A declared `Content-Length` over the limit is refused at once, without reading a byte. A body
without one (chunked) is counted as it arrives: past the limit the client gets the same 413 and
the application sees a disconnect, so no request ever holds more than the limit in memory.
This covers every route, the JSON API and the mounted Gradio app alike.
"""

from __future__ import annotations

import json

from assistant.settings import Settings


def too_large_sentence(limit_bytes: int) -> str:
    return f"The request body is larger than {limit_bytes // 1024} KB (HRC_MAX_BODY_KB)."


class BodyLimitMiddleware:
    """413 `{"error": …}` for any HTTP request body larger than `settings.max_body_kb` KiB."""

    def __init__(self, app, settings: Settings):
        self.app = app
        self.limit = settings.max_body_kb * 1024

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await self._refuse(send)
            return
        state = {"received": 0, "refused": False, "started": False}

        async def counted_receive():
            if state["refused"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > self.limit:
                    state["refused"] = True
                    if not state["started"]:
                        await self._refuse(send)
                        state["started"] = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            if state["refused"]:
                return  # the 413 is already out; whatever the app answers to the disconnect is dropped
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        await self.app(scope, counted_receive, guarded_send)

    async def _refuse(self, send) -> None:
        payload = json.dumps({"error": too_large_sentence(self.limit)}).encode("utf-8")
        await send({
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
            ],
        })
        await send({"type": "http.response.body", "body": payload})


def _content_length(scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
