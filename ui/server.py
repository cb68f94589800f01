"""The one web app: Gradio chat at `/`, JSON API at `/api`, OpenAPI docs at `/api/docs`.

`create_app(settings, assistant=None)` builds it; `hrc-assistant serve` runs it under uvicorn.
The API docs load Swagger UI 5 from the `fastapi-offline` package's assets, served by the app itself
under `/api/docs-assets/` (no CDN: they work offline), and the schema declares the Bearer and
Basic schemes so that "Authorize" works.
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

Authentication (when the server has it enabled): HTTP Basic or `Authorization: Bearer <token>`
(use "Authorize" above). Errors are JSON `{"error": "<one sentence>"}`. Request bodies are
limited to `HRC_MAX_BODY_KB` KiB (413 above it).
"""
DOCS_ASSETS = "/api/docs-assets"
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "`Authorization: Bearer <HRC_AUTH_TOKEN>`"},
    "basic": {"type": "http", "scheme": "basic", "description": "HRC_AUTH_USER and HRC_AUTH_PASSWORD"},
}


def body_parse_sentence(cause: BaseException | None) -> str:
    """The sentence for a JSON body FastAPI could not parse, by the parser's exception type."""
    if isinstance(cause, UnicodeDecodeError):
        return "The request body is not valid UTF-8 text."
    if isinstance(cause, RecursionError):
        return "The request body is nested too deeply."
    return "The request body is not valid JSON."


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
        if error.status_code == 400 and isinstance(error.__cause__, (ValueError, RecursionError)):
            # FastAPI's "error parsing the body" (invalid UTF-8, nesting deeper than the JSON parser
            # goes): the same 422 as any other body that is not valid JSON.
            return JSONResponse({"error": body_parse_sentence(error.__cause__)}, status_code=422)
        detail = error.detail if isinstance(error.detail, str) else "Request failed."
        return JSONResponse({"error": detail}, status_code=error.status_code, headers=getattr(error, "headers", None))

    # Unexpected exceptions are answered and logged by ui.error_shape (without request data).


def web_component_script() -> Path:
    """Gradio's web-component loader shipped in the installed package (it imports ./assets/…)."""
    import gradio

    return Path(gradio.__file__).resolve().parent / "templates" / "frontend" / "gradio.js"


def swagger_assets() -> Path:
    """Swagger UI's JS and CSS, shipped in the `fastapi-offline` wheel (only its files are used)."""
    from importlib.util import find_spec

    spec = find_spec("fastapi_offline")
    if spec is None or spec.origin is None:
        raise UserError("The package fastapi-offline (Swagger UI assets for /api/docs) is missing; reinstall hrc-assistant.")
    return Path(spec.origin).parent / "static"


def _install_api_docs(app, root_path: str) -> None:
    """`/api/docs` from local assets, and the security schemes in the OpenAPI schema."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.openapi.utils import get_openapi
    from fastapi.staticfiles import StaticFiles

    app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_assets()), name="docs-assets")

    @app.get("/api/docs", include_in_schema=False)
    async def api_docs():
        root = root_path.rstrip("/")
        return get_swagger_ui_html(
            openapi_url=root + app.openapi_url,
            title=app.title + " docs",
            swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
        )

    def openapi():
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
            schema["security"] = [{"bearer": []}, {"basic": []}]
            for operation in schema.get("paths", {}).get("/api/health", {}).values():
                operation["security"] = []  # never behind authentication
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi


def create_app(settings: Settings, assistant=None):
    """The FastAPI app serving the chat UI and the API; `assistant` defaults to a new `Assistant(settings)`.

    Raises `UserError` (one sentence) for settings that must not serve, e.g. half-configured auth."""
    offline_environment()
    from ui import gradio_guard, security

    problem = security.configuration_problem(settings)
    if problem:
        raise UserError(problem)
    import gradio as gr
    from fastapi import FastAPI
    from fastapi.responses import FileResponse

    from ui import api, bodies, chat, error_shape, export

    if assistant is None:
        from assistant.engine import Assistant

        assistant = Assistant(settings)

    app = FastAPI(
        title="HRC assistant API",
        description=API_DESCRIPTION,
        version=_version(),
        docs_url=None,  # served by _install_api_docs from local assets
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.assistant = assistant
    app.state.gate = asyncio.Semaphore(settings.api_concurrency)
    _install_error_handlers(app)
    _install_api_docs(app, settings.root_path)
    app.include_router(export.router, prefix="/api", tags=["export"])  # before api.router's catch-all 404
    app.include_router(api.router, prefix="/api", tags=["answers"])

    script = web_component_script()

    @app.get("/gradio.js", include_in_schema=False)
    async def gradio_web_component():
        """`<script type="module" src=".../gradio.js">` for `<gradio-app>` embedding, served offline."""
        return FileResponse(script, media_type="text/javascript", headers={"Cache-Control": "public, max-age=3600"})

    # Innermost first: Gradio call checks, body limit, error shape, auth/rate limit/log, CORS outermost.
    app.add_middleware(gradio_guard.GradioCallGuard)
    app.add_middleware(bodies.BodyLimitMiddleware, settings=settings)
    app.add_middleware(error_shape.ErrorShapeMiddleware, settings=settings)
    security.install(app, settings)

    blocks = chat.build_blocks(settings, assistant)
    app.state.gradio_blocks = blocks  # ui.gradio_guard checks Gradio calls against its handlers
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
        css=chat.stylesheet(),
        js=chat.script(),
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
