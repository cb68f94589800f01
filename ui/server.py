"""The one web app: Gradio chat at `/`, JSON API at `/api`, OpenAPI docs at `/api/docs`.

`create_app(settings, assistant=None)` builds it; `hrc-assistant serve` runs it under uvicorn.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from assistant.embedding import offline_environment
from assistant.errors import UserError
from assistant.settings import Settings

log = logging.getLogger("hrc_assistant.ui")

API_DESCRIPTION = """\
Answers questions about UN Human Rights Council interactive dialogues. Every answer cites
**who said it**: each citation names the statement of a delegation, expert or NGO, with a
verbatim quote and its page.

Authentication (when the server has it enabled): HTTP Basic or `Authorization: Bearer <token>`.
Errors are JSON `{"error": "<one sentence>"}`.
"""


def validation_sentence(errors: list[dict]) -> str:
    """One sentence describing the first validation error of a request."""
    if not errors:
        return "The request is not valid."
    first = errors[0]
    kind = first.get("type", "")
    if kind == "json_invalid":
        return "The request body is not valid JSON."
    where = ".".join(str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path"))
    if kind == "missing":
        return f"The field {where!r} is required." if where else "The request body is missing."
    if kind == "extra_forbidden":
        return f"Unknown field {where!r}."
    message = str(first.get("msg", "invalid value")).rstrip(".")
    return f"Invalid {where}: {message}." if where else f"Invalid request body: {message}."


def _install_error_handlers(app) -> None:
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException as StarletteHTTPException

    @app.exception_handler(UserError)
    async def user_error(request, error: UserError):
        return JSONResponse({"error": str(error)}, status_code=getattr(error, "status", 400))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request, error: RequestValidationError):
        return JSONResponse({"error": validation_sentence(list(error.errors()))}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request, error: StarletteHTTPException):
        detail = error.detail if isinstance(error.detail, str) else "Request failed."
        return JSONResponse({"error": detail}, status_code=error.status_code, headers=getattr(error, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request, error: Exception):
        log.error("unexpected %s on %s", type(error).__name__, request.url.path, exc_info=error)
        return JSONResponse({"error": "Internal error; the server log has the details."}, status_code=500)


def web_component_script() -> Path:
    """Gradio's web-component loader shipped in the installed package (it imports ./assets/…)."""
    import gradio

    return Path(gradio.__file__).resolve().parent / "templates" / "frontend" / "gradio.js"


def create_app(settings: Settings, assistant=None):
    """The FastAPI app serving the chat UI and the API; `assistant` defaults to a new `Assistant(settings)`."""
    offline_environment()
    import gradio as gr
    from fastapi import FastAPI
    from fastapi.responses import FileResponse

    from ui import api, chat, security

    if assistant is None:
        from assistant.engine import Assistant

        assistant = Assistant(settings)

    app = FastAPI(
        title="HRC assistant API",
        description=API_DESCRIPTION,
        version=_version(),
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.assistant = assistant
    app.state.gate = asyncio.Semaphore(settings.api_concurrency)
    _install_error_handlers(app)
    app.include_router(api.router, prefix="/api", tags=["answers"])

    script = web_component_script()

    @app.get("/gradio.js", include_in_schema=False)
    async def gradio_web_component():
        """`<script type="module" src=".../gradio.js">` for `<gradio-app>` embedding, served offline."""
        return FileResponse(script, media_type="text/javascript", headers={"Cache-Control": "public, max-age=3600"})

    security.install(app, settings)

    blocks = chat.build_blocks(settings, assistant)
    gr.mount_gradio_app(
        app,
        blocks,
        path="/",
        root_path=settings.root_path or None,
        footer_links=["api"],
        show_error=False,
        ssr_mode=False,
        mcp_server=False,
        theme=chat.theme(),
        css=chat.CSS,
        js=chat.JS,
        server_name=settings.host,
        server_port=settings.port,
    )
    app.state.gradio_app = next(
        (route.app for route in app.routes if getattr(route, "path", None) in ("", "/") and hasattr(route, "app")), None
    )
    return app


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("hrc-assistant")
    except Exception:  # noqa: BLE001
        return "0"
