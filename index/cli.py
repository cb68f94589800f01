"""Commands `index`, `speakers` and `documents`, registered into the `hrc-assistant` CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("index")(index_command)
    app.command("speakers")(speakers_command)
    app.command("documents")(documents_command)


def index_command(
    paths: Optional[list[Path]] = typer.Argument(None, help="Text or PDF files; none means the bundled document."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Start a fresh index from these documents only."),
    force: bool = typer.Option(False, "--force", help="Index files that do not look like a dialogue, and symbolic links out of their directory."),
) -> None:
    """Index documents (idempotent: unchanged documents are skipped)."""
    from assistant.cli import settings_from_env
    from index.store import index_paths

    settings = settings_from_env()
    targets = list(paths or [settings.bundled_document])
    summary = index_paths(settings, targets, rebuild=rebuild, force=force, progress=lambda line: typer.echo(line, err=True))
    for warning in summary.warnings:
        typer.echo(f"warning: {warning}", err=True)
    stages = ", ".join(f"{k} {v:.2f}s" for k, v in summary.seconds.items() if k != "total")
    for flagged in summary.low_confidence:
        # On stdout, not only among the warnings: answers about these documents cannot say who said what.
        typer.echo(f"LOW CONFIDENCE: {flagged}")
    typer.echo(
        f"Indexed: {summary.documents} document(s), {summary.statements} statements, {summary.chunks} chunks "
        f"({len(summary.added)} added, {len(summary.skipped)} unchanged) in {summary.seconds.get('total', 0):.1f}s"
        + (f" [{stages}]" if stages else "")
    )


def speakers_command(
    path: Optional[Path] = typer.Argument(None, help="Segment this file without indexing it; none lists the index."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array of statements."),
    document: Optional[str] = typer.Option(None, "--document", help="Only this indexed document."),
) -> None:
    """List statements with their speakers, in document order."""
    from assistant.cli import settings_from_env

    settings = settings_from_env()
    if path is not None:
        from index.store import load_document

        parsed = load_document(path, settings)
        for warning in parsed.info.warnings:
            typer.echo(f"warning: {warning}", err=True)
        statements = list(parsed.statements)
        warnings_by_document = {parsed.info.document_id: list(parsed.info.warnings)}
    else:
        from assistant.store import IndexReader

        reader = IndexReader(settings)
        infos = reader.documents()
        ids = [document] if document else list(infos)
        statements = [s for doc_id in ids for s in reader.load_document(doc_id).statements]
        warnings_by_document = {doc_id: list(infos[doc_id].warnings) if doc_id in infos else [] for doc_id in ids}
    if as_json:
        rows = [
            {
                "statement_id": s.statement_id, "document_id": s.document_id, "order": s.order,
                "speaker": s.speaker, "speaker_type": s.speaker_type, "on_behalf_of": s.on_behalf_of,
                "page": s.page_start, "text": s.text,
                "warnings": warnings_by_document.get(s.document_id, []),  # the document's: low confidence, figures
            }
            for s in statements
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    typer.echo(f"{'#':>3}  {'speaker':<44} {'type':<17} {'on behalf of':<30} page")
    for s in statements:
        typer.echo(f"{s.order:>3}  {s.speaker[:44]:<44} {s.speaker_type:<17} {(s.on_behalf_of or '')[:30]:<30} {s.page_start}")
    typer.echo(f"{len(statements)} statements")


def documents_command(as_json: bool = typer.Option(False, "--json")) -> None:
    """List indexed documents with their metadata."""
    from assistant.cli import settings_from_env
    from assistant.store import IndexReader

    infos = list(IndexReader(settings_from_env()).documents().values())
    if as_json:
        typer.echo(json.dumps([{**i.model_dump(mode="json"), "low_confidence": i.low_confidence} for i in infos],
                              ensure_ascii=False, indent=2))
        return
    for info in infos:
        figures = "; ".join(p.text for p in info.participation)
        typer.echo(f"{info.document_id}  {info.session or '-'}  {info.date or '-'}  {info.statements} statements  {info.title}")
        if figures:
            typer.echo(f"    participation: {figures}")
        if info.low_confidence:
            typer.echo(f"    LOW CONFIDENCE: speakers recognised in {info.confidence:.0%} of the text")
        for warning in info.warnings:
            typer.echo(f"    warning: {warning}")
