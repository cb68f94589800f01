"""`hrc-assistant serve`: the chat UI and the JSON API in one uvicorn server.

Registered into the `hrc-assistant` CLI through the `hrc_assistant.commands` entry point.
`python -m ui.cli serve …` runs the same command when that entry point is not installed yet.
"""

from __future__ import annotations

import logging
from typing import Optional

import typer

log = logging.getLogger("hrc_assistant.ui")

INDEXERS_GROUP = "hrc_assistant.indexers"


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)


def _configure_logging() -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("hrc_assistant").setLevel(logging.INFO)
    for noisy in ("httpx", "chromadb", "sentence_transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def ensure_index(settings) -> None:
    """Index the bundled document on first start, through the indexer plugin (ui never imports `index`)."""
    import inspect
    from importlib.metadata import entry_points

    from assistant.errors import UserError
    from assistant.store import current_generation

    try:
        if current_generation(settings) is not None:
            return
    except UserError as error:
        log.warning("the index cannot be checked: %s", error)
        return
    indexers = {entry.name: entry for entry in entry_points(group=INDEXERS_GROUP)}
    if "bundled" not in indexers:
        log.error("no index and no indexer plugin (%s: bundled) installed; run `hrc-assistant index`", INDEXERS_GROUP)
        return
    log.info("indexing the bundled document on first start")
    try:
        indexer = indexers["bundled"].load()
        if "progress" in inspect.signature(indexer).parameters:
            indexed = indexer(settings, progress=lambda line: log.info("%s", line))
        else:
            indexed = indexer(settings)
    except UserError as error:
        log.error("indexing the bundled document failed: %s", error)
        return
    log.info("bundled document indexed" if indexed else "the index was already there")


def serve_command(
    host: Optional[str] = typer.Option(None, "--host", help="Interface to listen on (default: HRC_HOST, else 127.0.0.1)."),
    port: Optional[int] = typer.Option(None, "--port", help="Port to listen on (default: HRC_PORT, else 7860)."),
    root_path: Optional[str] = typer.Option(None, "--root-path", help="Sub-path when behind a reverse proxy, e.g. /hrc (default: HRC_ROOT_PATH)."),
    forwarded_allow_ips: str = typer.Option(
        "127.0.0.1", "--forwarded-allow-ips",
        help="Proxies whose X-Forwarded-For/-Proto headers are trusted (comma separated, or *).",
    ),
    graceful_timeout: int = typer.Option(30, "--graceful-timeout", help="Seconds in-flight requests get after SIGTERM."),
) -> None:
    """Serve the chat UI at / and the JSON API at /api (docs at /api/docs)."""
    from assistant.embedding import offline_environment

    offline_environment()  # first: no telemetry, no hub downloads, no Gradio analytics
    _configure_logging()

    from assistant.cli import fail, settings_from_env

    if root_path is not None:
        root_path = "/" + root_path.strip("/") if root_path.strip("/") else ""
    settings = settings_from_env(host=host, port=port, root_path=root_path)
    from ui.security import configuration_problem

    problem = configuration_problem(settings)
    if problem:  # before any work: a half-configured auth must never serve without it
        fail(problem)
    ensure_index(settings)

    from assistant.embedding import limit_threads
    from assistant.engine import Assistant
    from assistant.errors import UserError

    limit_threads(settings.model_threads or 1)
    assistant = Assistant(settings)
    try:
        assistant.warm_up()
    except UserError as error:
        log.warning("not ready to answer yet: %s (/api/health reports it)", error)

    import uvicorn

    from ui.server import create_app

    app = create_app(settings, assistant)
    if settings.auth_enabled:
        log.info("authentication is on (%s)", ", ".join(
            kind for kind, on in (("basic", settings.auth_user and settings.auth_password), ("bearer token", settings.auth_token)) if on
        ))
    log.info("ready: http://%s:%s%s/ (API docs at %s/api/docs)", settings.host, settings.port, settings.root_path, settings.root_path)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        root_path=settings.root_path,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        timeout_graceful_shutdown=graceful_timeout,
        access_log=False,  # our middleware logs requests without query strings (they may hold ?token=)
        log_level="info",
        server_header=False,
    )
    GracefulServer(config, app).run()


def _graceful_server_class():
    import asyncio

    import uvicorn

    class _GracefulServer(uvicorn.Server):
        """uvicorn's server, which on SIGTERM/SIGINT also ends Gradio's idle heartbeat streams.

        In-flight requests (answers being computed or streamed) still finish within
        `timeout_graceful_shutdown`; only the open-ended keep-alive streams of idle browser
        tabs are closed at once instead of holding shutdown for the whole timeout.
        """

        def __init__(self, config, app):
            super().__init__(config)
            self.web_app = app

        def handle_exit(self, sig, frame) -> None:
            gradio_app = getattr(self.web_app.state, "gradio_app", None)
            stop_event = getattr(gradio_app, "stop_event", None)
            if stop_event is not None:
                try:
                    asyncio.get_running_loop().call_soon_threadsafe(stop_event.set)
                except RuntimeError:  # no running loop: nothing is streaming
                    pass
            super().handle_exit(sig, frame)

    return _GracefulServer


def GracefulServer(config, app):  # noqa: N802 - a factory standing in for the class (uvicorn imported lazily)
    return _graceful_server_class()(config, app)


def _main() -> None:
    """Run the CLI with this command registered even when the entry point is not installed."""
    import sys
    from importlib.metadata import entry_points

    from assistant import cli

    if not any(entry.name == "ui" for entry in entry_points(group="hrc_assistant.commands")):
        register(cli.app)
    cli.main(sys.argv[1:])


if __name__ == "__main__":
    _main()
