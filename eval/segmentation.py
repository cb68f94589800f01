"""Segmentation quality of one document against its gold speaker list (`<name>.expected.json` beside it).

The expected file lists the named statements in order (`speaker`, `speaker_type`, `on_behalf_of`,
`starts_with`: the first characters of the statement), the participants listed without text, the
absent ones, and whether the document must be flagged as low confidence.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.settings import Settings

UNKNOWN = "unknown"


def expected_path(document: Path) -> Path:
    return Path(document).with_suffix(".expected.json")


def score_document(path: Path | str, settings: Settings | None = None) -> dict:
    """Statements right / gold, spurious, wrong type and group, participants and flag, for one document.

    right: gold statements found with the right speaker (a statement of the produced segmentation
    starts with the gold `starts_with`); wrong_type / wrong_group: among those, the speaker type or
    the group spoken for differs; spurious: produced statements with a named speaker that start no
    gold statement or name another speaker (a false attribution).
    """
    from index.store import load_document

    path = Path(path)
    gold = json.loads(expected_path(path).read_text(encoding="utf-8"))
    document = load_document(path, settings or Settings(), force=True)
    right = wrong_type = wrong_group = 0
    matched: set[str] = set()
    missed = []
    for item in gold["statements"]:
        # The first statement not matched yet: a speaker who takes the floor twice with the same words
        # ("Ms. X (Special Rapporteur on …) said") has two gold statements with one opening.
        statement = next((s for s in document.statements
                          if s.statement_id not in matched and s.text[:40].startswith(item["starts_with"])), None)
        if statement is None or statement.speaker != item["speaker"]:
            missed.append(item["starts_with"])
            continue
        right += 1
        matched.add(statement.statement_id)
        wrong_type += statement.speaker_type != item["speaker_type"]
        wrong_group += statement.on_behalf_of != item.get("on_behalf_of")
    spurious = [s for s in document.statements if s.speaker != UNKNOWN and s.statement_id not in matched]
    info = document.info
    listed_gold, absent_gold = set(gold.get("listed_speakers", [])), set(gold.get("absent_speakers", []))
    flag_expected = bool(gold.get("low_confidence", False))
    return {
        "document": str(path),
        "gold": len(gold["statements"]),
        "right": right,
        "attributed": right / len(gold["statements"]) if gold["statements"] else 1.0,
        "spurious": len(spurious),
        "spurious_speakers": [s.speaker for s in spurious],
        "wrong_type": wrong_type,
        "wrong_group": wrong_group,
        "missed": missed,
        "statements": len(document.statements),
        "unattributed_statements": sum(s.speaker == UNKNOWN for s in document.statements),
        "listed_gold": len(listed_gold),
        "listed_right": len(listed_gold & set(info.listed_speakers)),
        "listed_spurious": len(set(info.listed_speakers) - listed_gold),
        "absent_gold": len(absent_gold),
        "absent_right": len(absent_gold & set(info.absent_speakers)),
        "absent_spurious": len(set(info.absent_speakers) - absent_gold),
        "confidence": info.confidence,
        "language": info.language,
        "low_confidence": info.low_confidence,
        "flag_right": info.low_confidence == flag_expected,
        "metadata_right": all(gold.get(k) == getattr(info, k) for k in ("session", "date", "mandate") if k in gold),
    }


def documents_with_gold(folder: Path) -> list[Path]:
    """The documents (.txt and .pdf) in `folder` that have an expected segmentation."""
    return sorted(p for p in Path(folder).iterdir()
                  if p.suffix in (".txt", ".pdf") and expected_path(p).exists())


def score_folder(folder: Path, settings: Settings | None = None) -> list[dict]:
    return [score_document(p, settings) for p in documents_with_gold(folder)]


def format_scores(rows: list[dict]) -> str:
    """A plain table: one line per document."""
    lines = [f"{'document':<44} {'right/gold':>10} {'spurious':>8} {'type':>5} {'group':>5} {'listed':>7} {'absent':>7} {'conf':>5} flag"]
    for r in rows:
        lines.append(
            f"{Path(r['document']).name[:44]:<44} {r['right']:>4}/{r['gold']:<5} {r['spurious']:>8} {r['wrong_type']:>5} "
            f"{r['wrong_group']:>5} {r['listed_right']:>3}/{r['listed_gold']:<3} {r['absent_right']:>3}/{r['absent_gold']:<3} "
            f"{r['confidence']:>5.2f} {'ok' if r['flag_right'] else 'WRONG'}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "tests" / "data"
    print(format_scores(score_folder(target) if target.is_dir() else [score_document(target)]))
