"""Gradio prediction calls that Gradio itself would answer with a 500 and a printed traceback.

Gradio (6.x) raises on an unknown `fn_index` (KeyError), an unknown API name (FnIndexInferError)
and too few input values (ValueError), answers 500, and prints the traceback to stderr, input
values included: a question sent to the Gradio API would land in the server log. This guard
checks such calls against the app's own event handlers first and answers a 4xx
`{"error": …}` without echoing the values. Well-formed calls reach Gradio unchanged (the body,
already capped by `ui.bodies`, is replayed).

The Blocks come from `scope["app"].state.gradio_blocks`, set by `ui.server.create_app`.
"""

from __future__ import annotations

import json

from ui.security import app_path

QUEUE_JOIN = "/gradio_api/queue/join"
NAMED_CALL_PREFIXES = ("/gradio_api/call/", "/gradio_api/run/")


class GradioCallGuard:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        path = app_path(scope)
        api_name = None
        if path.startswith(NAMED_CALL_PREFIXES):
            api_name = path.split("/", 3)[3]
            if "/" in api_name:  # /gradio_api/call/<name>/<event_id> is not a call
                await self.app(scope, receive, send)
                return
        elif path != QUEUE_JOIN:
            await self.app(scope, receive, send)
            return
        blocks = getattr(scope["app"].state, "gradio_blocks", None) if "app" in scope else None
        body, more = await _read_body(receive)
        if more is None:  # the client went away (or the body limit cut it off)
            return
        problem = call_problem(blocks, api_name, body) if blocks is not None else None
        if problem:
            status, sentence = problem
            await _send_json(send, status, {"error": sentence})
            return

        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def call_problem(blocks, api_name: str | None, raw: bytes) -> tuple[int, str] | None:
    """(status, sentence) when Gradio would fail on this call with a 500; None lets Gradio judge it."""
    try:
        body = json.loads(raw)
    except ValueError:
        return None  # Gradio answers malformed JSON with its own 4xx
    if not isinstance(body, dict):
        return None
    fns = blocks.fns
    session = body.get("session_hash")
    if isinstance(session, str) and session in blocks.state_holder:
        fns = blocks.state_holder[session].blocks_config.fns  # a session's own handlers (gr.render adds some)
    fn_index = body.get("fn_index")
    if isinstance(fn_index, bool) or (fn_index is not None and not isinstance(fn_index, int)):
        return None  # Gradio's schema refuses it (422)
    if fn_index is not None:
        fn = fns.get(fn_index)
        if fn is None:
            return 404, f"Unknown fn_index {fn_index}; see /gradio_api/info for the API."
    elif api_name is not None:
        fn = next((f for f in fns.values() if f.api_name == api_name), None)
        if fn is None:
            return 404, f"Unknown API name {api_name[:80]!r}; see /gradio_api/info for the API."
    else:
        return 422, "The queue call needs an fn_index."
    data = body.get("data")
    if isinstance(data, list) and len(data) < len(fn.inputs):
        return 422, f"This call needs {len(fn.inputs)} input values; it got {len(data)}."
    return None


async def _read_body(receive) -> tuple[bytes, bool | None]:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"", None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), False


async def _send_json(send, status: int, body: dict) -> None:
    payload = json.dumps(body).encode("utf-8")
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())],
    })
    await send({"type": "http.response.body", "body": payload})
