"""`hrc-assistant eval`: run the gold set against ours and the baselines, write the report.

Registered through the `hrc_assistant.commands` entry point; heavy imports stay inside
the command so `hrc-assistant --help` stays fast.
Exit codes: 0 done and every threshold met, 1 a threshold missed, 2 bad input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def eval_command(
    gold: Optional[Path] = typer.Option(None, "--gold", help="Gold JSONL file (default: the bundled eval/gold.jsonl)."),
    backend: Optional[list[str]] = typer.Option(None, "--backend", help="Also run ours with this backend (repeatable); offline always runs."),
    url: Optional[str] = typer.Option(None, "--url", help="Evaluate a running server (POST URL/api/ask) instead of ours in process."),
    out: Path = typer.Option(Path("eval-out"), "--out", help="Folder for results.json, report.md and chart.png."),
    min_f1: Optional[float] = typer.Option(None, "--min-f1", help="Exit 1 if ours' speaker F1 (macro) is below this."),
    min_verbatim: Optional[float] = typer.Option(None, "--min-verbatim", help="Exit 1 if ours' verbatim quote rate is below this."),
    min_abstention: Optional[float] = typer.Option(None, "--min-abstention", help="Exit 1 if ours' abstention accuracy is below this."),
    systems: str = typer.Option("ours,naive,bm25,dense", "--systems", help="Comma-separated: ours, naive, bm25, dense."),
    document: Optional[str] = typer.Option(None, "--document", help="Document id the gold set is about (default: the bundled one)."),
    ids: Optional[str] = typer.Option(None, "--ids", help="Only these gold ids, comma-separated (for quick checks)."),
) -> None:
    """Evaluate citation accuracy, retrieval and abstention on the gold set, beside three baselines."""
    from urllib.parse import urlparse

    from assistant.cli import settings_from_env
    from assistant.embedding import offline_environment
    from assistant.settings import BACKENDS
    from eval.systems import EvalInputError, parse_systems

    # ---------------------------------------------------------------- arguments
    for option, value in (("--min-f1", min_f1), ("--min-verbatim", min_verbatim), ("--min-abstention", min_abstention)):
        if value is not None and not (value >= 0):  # also rejects NaN
            raise EvalInputError(f"{option} must be a number of 0 or more, not {value}.")
    backends = list(dict.fromkeys(_split(backend)))
    unknown = [b for b in backends if b not in BACKENDS]
    if unknown:
        raise EvalInputError(f"unknown backend(s) {', '.join(unknown)}; choose from {', '.join(BACKENDS)}.")
    names = parse_systems(systems)
    if url is not None:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise EvalInputError(f"--url must be an http(s) URL such as http://127.0.0.1:7860, not {url!r}.")
    if out.exists() and not out.is_dir():
        raise EvalInputError(f"--out {out} exists and is not a folder.")
    thresholds_set = any(v is not None for v in (min_f1, min_verbatim, min_abstention))
    if thresholds_set and "ours" not in names:
        raise EvalInputError("the --min-* thresholds apply to ours; include ours in --systems.")

    from eval.gold import DEFAULT_GOLD, load_gold, unknown_speakers

    gold_path = gold or DEFAULT_GOLD
    items = load_gold(gold_path)
    if ids:
        wanted = [i.strip() for i in ids.split(",") if i.strip()]
        missing = [i for i in wanted if i not in {item.id for item in items}]
        if missing:
            raise EvalInputError(f"no gold item(s) {', '.join(missing)} in {gold_path}.")
        items = [item for item in items if item.id in set(wanted)]

    # ---------------------------------------------------------------- index and systems
    offline_environment()
    from assistant.engine import Assistant
    from eval.harness import EvalContext, StderrProgress, run_eval
    from eval.report import Thresholds, check_thresholds, summary_table, write_outputs
    from eval.systems import SystemUnavailable, build_systems

    progress = StderrProgress()
    assistant = Assistant(settings_from_env())
    documents = assistant.documents()
    document_id = document or assistant.default_document()
    if document_id not in documents:
        raise EvalInputError(f"unknown document id {document_id!r}; see `hrc-assistant documents`.")
    context = EvalContext.from_data(assistant.corpus(document_id).data)
    notes: list[str] = []
    for name, where in unknown_speakers(items, context.speakers).items():
        notes.append(f"gold speaker {name!r} ({', '.join(where[:5])}{'…' if len(where) > 5 else ''}) is not a speaker of this document")
    candidates = build_systems(assistant, document_id, names, backends, url=url, known_documents=set(documents))
    ready = []
    for system in candidates:
        progress.message(f"preparing {system.name} …")
        try:
            system.prepare()
        except SystemUnavailable as error:
            if url is not None and system.kind == "ours":
                raise EvalInputError(str(error)) from None
            notes.append(f"{system.name} skipped: {error}")
            progress.message(f"warning: {system.name} skipped: {error}")
            continue
        warning = getattr(system, "warning", None)
        if warning:
            notes.append(warning)
        ready.append(system)
    for note in notes:
        if "skipped" not in note:
            progress.message(f"note: {note}")
    if not ready:
        raise EvalInputError("no system could run; see the warnings above.")

    # ---------------------------------------------------------------- run and report
    try:
        results = run_eval(ready, items, context, progress, gold_path=str(gold_path), notes=notes)
    finally:
        for system in ready:
            system.close()
    thresholds = Thresholds(min_f1, min_verbatim, min_abstention)
    missed = check_thresholds(results, thresholds) if thresholds_set else None
    if thresholds_set:
        results["thresholds"] = {
            "min_f1": min_f1,
            "min_verbatim": min_verbatim,
            "min_abstention": min_abstention,
            "missed": missed,
            "passed": not missed,
        }
    paths = write_outputs(results, out, missed)
    typer.echo(summary_table(results))
    progress.message(f"wrote {paths['results']}, {paths['report']}, {paths['chart']}")
    if missed:
        for message in missed:
            typer.echo(f"threshold missed: {message}", err=True)
        # SystemExit, not typer.Exit: with standalone_mode=False click returns typer.Exit's code
        # from app() instead of raising it, and the code would be lost.
        raise SystemExit(1)
