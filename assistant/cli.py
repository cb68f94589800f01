"""The `hrc-assistant` command. Commands of the other packages register as plugins.

`index`, `ui` and `eval` declare entry points in the `hrc_assistant.commands` group; each
is a function `register(app)` that adds its commands, so this package imports none of them.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import entry_points
from typing import Optional

import typer

from assistant.errors import UserError

app = typer.Typer(
    help="Answers questions about UN Human Rights Council interactive dialogues, citing who said it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def settings_from_env(**overrides):
    from assistant.settings import Settings

    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def print_answer(answer, out=None) -> None:
    """An answer for people: the text, then the numbered sources."""
    echo = out or typer.echo
    echo(answer.answer)
    for notice in answer.notices:
        echo(f"({notice})")
    if answer.citations:
        echo("")
        echo("Sources:")
        for c in answer.citations:
            behalf = f", on behalf of {c.on_behalf_of}" if c.on_behalf_of else ""
            echo(f"  [{c.n}] {c.speaker} ({c.speaker_type}{behalf}), p. {c.page}: \"{c.quote}\"")


@app.command()
def ask(
    questions: list[str] = typer.Argument(..., help="One or more questions: successive turns of one conversation."),
    as_json: bool = typer.Option(False, "--json", help="Print an array of Answer objects."),
    backend: Optional[str] = typer.Option(None, "--backend", help="offline, or a registered LLM backend: openai, ollama, llamacpp."),
    document: Optional[str] = typer.Option(None, "--document", help="Document id to ask about."),
    all_documents: bool = typer.Option(False, "--all-documents", help="Ask across every indexed document."),
) -> None:
    """Ask questions; several questions are turns of one conversation."""
    from assistant.engine import Assistant

    assistant = Assistant(settings_from_env())
    history: list[dict] = []
    answers = []
    for question in questions:
        answer = assistant.ask(question, history=history, document_id=document, backend=backend, all_documents=all_documents)
        answers.append(answer)
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.answer}]
        if not as_json:
            if len(questions) > 1:
                typer.echo(f"> {question}")
            print_answer(answer)
            typer.echo("")
    if as_json:
        typer.echo(json.dumps([a.model_dump(mode="json") for a in answers], ensure_ascii=False, indent=2))


@app.command()
def chat(
    backend: Optional[str] = typer.Option(None, "--backend", help="offline, or a registered LLM backend: openai, ollama, llamacpp."),
    document: Optional[str] = typer.Option(None, "--document", help="Document id to ask about."),
) -> None:
    """A conversation in the terminal; an empty line or Ctrl-D ends it."""
    from assistant.engine import Assistant

    assistant = Assistant(settings_from_env())
    history: list[dict] = []
    typer.echo("Ask about the dialogue; an empty line ends the conversation.")
    while True:
        try:
            question = input("> ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not question:
            break
        try:
            answer = assistant.ask(question, history=history, document_id=document, backend=backend)
        except UserError as error:
            typer.echo(f"error: {error}", err=True)
            continue
        print_answer(answer)
        typer.echo("")
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.answer}]


def _register_plugins() -> None:
    for entry in entry_points(group="hrc_assistant.commands"):
        try:
            entry.load()(app)
        except Exception as error:  # noqa: BLE001 - a broken plugin must not take the other commands down
            typer.echo(f"warning: the {entry.name!r} commands are unavailable ({type(error).__name__}: {error})", err=True)


def main(argv: list[str] | None = None) -> None:
    _register_plugins()
    try:
        code = app(args=argv, standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except UserError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(2)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - click usage errors and the unexpected: one line, no traceback
        import click

        if isinstance(error, click.ClickException):
            error.show()
            sys.exit(error.exit_code)
        typer.echo(f"error: unexpected {type(error).__name__}: {error}", err=True)
        sys.exit(1)
