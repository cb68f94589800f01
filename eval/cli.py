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
    gold: Optional[Path] = typer.Option(None, "--gold", help="Gold JSONL file or folder of them (default: eval/gold/, every document)."),
    split: str = typer.Option("all", "--split", help="Gold items to run: dev (for tuning), test (frozen, for reporting) or all."),
    backend: Optional[list[str]] = typer.Option(None, "--backend", help="Also run ours with this backend (repeatable); offline always runs."),
    url: Optional[str] = typer.Option(None, "--url", help="Evaluate a running server (POST URL/api/ask) instead of ours in process."),
    out: Path = typer.Option(Path("eval-out"), "--out", help="Folder for results.json, report.md and chart.png."),
    min_f1: Optional[float] = typer.Option(None, "--min-f1", help="Exit 1 if ours' speaker F1 (macro) is below this."),
    min_verbatim: Optional[float] = typer.Option(None, "--min-verbatim", help="Exit 1 if ours' verbatim quote rate is below this."),
    min_abstention: Optional[float] = typer.Option(None, "--min-abstention", help="Exit 1 if ours' abstention accuracy is below this."),
    systems: str = typer.Option("ours,naive,bm25,dense", "--systems", help="Comma-separated: ours, naive, bm25, dense."),
    document: Optional[str] = typer.Option(None, "--document", help="Only the items about this document (its path as the gold names it, or its file name)."),
    ids: Optional[str] = typer.Option(None, "--ids", help="Only these gold ids, comma-separated (for quick checks)."),
) -> None:
    """Evaluate citation accuracy, retrieval and abstention on the gold set, beside three baselines."""
    from urllib.parse import urlparse

    from assistant.cli import settings_from_env
    from assistant.embedding import offline_environment
    from assistant.backends import names as backend_names
    from eval.systems import EvalInputError, parse_systems

    # ---------------------------------------------------------------- arguments
    for option, value in (("--min-f1", min_f1), ("--min-verbatim", min_verbatim), ("--min-abstention", min_abstention)):
        if value is not None and not (value >= 0):  # also rejects NaN
            raise EvalInputError(f"{option} must be a number of 0 or more, not {value}.")
    backends = list(dict.fromkeys(_split(backend)))
    unknown = [b for b in backends if b not in backend_names()]
    if unknown:
        raise EvalInputError(f"unknown backend(s) {', '.join(unknown)}; choose from {', '.join(backend_names())}.")
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

    from eval.gold import DEFAULT_GOLD, SPLITS, load_gold, unknown_speakers

    if split not in (*SPLITS, "all"):
        raise EvalInputError(f"--split must be dev, test or all, not {split!r}.")
    gold_path = gold or DEFAULT_GOLD
    items = load_gold(gold_path, split)
    if document:
        items = [item for item in items if document in (item.document, Path(item.document).name)]
        if not items:
            raise EvalInputError(f"no gold item is about the document {document!r} (split {split}).")
    if ids:
        wanted = [i.strip() for i in ids.split(",") if i.strip()]
        missing = [i for i in wanted if i not in {item.id for item in items}]
        if missing:
            raise EvalInputError(f"no gold item(s) {', '.join(missing)} in {gold_path}.")
        items = [item for item in items if item.id in set(wanted)]
    if not items:
        raise EvalInputError(f"no gold items in {gold_path} for split {split}.")

    # ---------------------------------------------------------------- index and systems
    offline_environment()
    from assistant.engine import Assistant
    from eval.harness import DocumentRun, EvalContext, StderrProgress, run_documents
    from eval.report import CHART_EXTRA_HINT, Thresholds, check_thresholds, summary_table, write_outputs
    from eval.segmentation_table import segmentation_scores
    from eval.systems import SystemUnavailable, build_systems

    progress = StderrProgress()
    settings = settings_from_env()
    document_ids = _index_gold_documents(items, settings, progress, url is not None)
    assistant = Assistant(settings)
    documents = assistant.documents()
    notes: list[str] = []
    runs = []
    skipped: set[str] = set()
    try:
        for path, document_id in document_ids.items():
            context = EvalContext.from_data(assistant.corpus(document_id).data)
            mine = [item for item in items if item.document == path]
            for name, where in unknown_speakers(mine, context.speakers).items():
                notes.append(f"gold speaker {name!r} ({', '.join(where[:5])}{'…' if len(where) > 5 else ''}) "
                             f"is not a speaker of {path}")
            ready = []
            for system in build_systems(assistant, document_id, names, backends, url=url, known_documents=set(documents)):
                if system.name in skipped:
                    continue
                progress.message(f"preparing {system.name} on {path} …")
                try:
                    system.prepare()
                except SystemUnavailable as error:
                    if url is not None and system.kind == "ours":
                        raise EvalInputError(str(error)) from None
                    notes.append(f"{system.name} skipped: {error}")
                    progress.message(f"warning: {system.name} skipped: {error}")
                    skipped.add(system.name)
                    continue
                warning = getattr(system, "warning", None)
                if warning:
                    notes.append(warning)
                ready.append(system)
            runs.append(DocumentRun(path, context, ready))
        for note in notes:
            if "skipped" not in note:
                progress.message(f"note: {note}")
        if not any(run.systems for run in runs):
            raise EvalInputError("no system could run; see the warnings above.")

        # ---------------------------------------------------------------- run and report
        segmentation = segmentation_scores(list(document_ids), progress.message)
        results = run_documents(runs, items, progress, gold_path=str(gold_path), notes=notes, split=split,
                                segmentation=segmentation)
    finally:
        for run in runs:
            for system in run.systems:
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
    progress.message(f"wrote {paths['results']}, {paths['report']}" + (f", {paths['chart']}" if paths["chart"] else ""))
    if paths["chart"] is None:
        progress.message(f"no chart: {CHART_EXTRA_HINT}")
    if missed:
        for message in missed:
            typer.echo(f"threshold missed: {message}", err=True)
        # SystemExit, not typer.Exit: with standalone_mode=False click returns typer.Exit's code
        # from app() instead of raising it, and the code would be lost.
        raise SystemExit(1)


def _index_gold_documents(items, settings, progress, remote: bool) -> dict[str, str]:
    """{document path as the gold names it: document id}, indexing the documents the index lacks.

    Ids are computed from the files (the same segmentation the index uses), so a document is
    found whatever its file was called when it was indexed. A remote server must already hold
    them (its citations are checked against this index).
    """
    from eval.gold import REPO_ROOT
    from eval.systems import EvalInputError
    from index.store import index_paths, load_document

    wanted: dict[str, Path] = {}
    for item in items:
        path = item.document_path(REPO_ROOT)
        if not path.is_file():
            raise EvalInputError(f"gold item {item.id} is about {item.document}, which does not exist.")
        wanted.setdefault(item.document, path)
    ids = {name: load_document(path, settings).info.document_id for name, path in wanted.items()}
    from assistant.engine import Assistant
    from assistant.store import IndexMissing

    try:
        indexed = set(Assistant(settings).documents())
    except IndexMissing:
        indexed = set()
    missing = [wanted[name] for name, document_id in ids.items() if document_id not in indexed]
    if missing:
        if remote:
            raise EvalInputError(f"the local index lacks {', '.join(p.name for p in missing)}; index them to check the server's citations.")
        progress.message(f"indexing {', '.join(p.name for p in missing)} …")
        index_paths(settings, missing, progress=lambda line: None)
    return ids
