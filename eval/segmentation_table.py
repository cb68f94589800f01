"""The segmentation figures per document, when `eval/segmentation.py` (the segmentation helper's scorer) exists.

`eval.segmentation.score_document(path) -> dict` compares the segmenter's statements with the
document's gold statements (statements right / gold, spurious, wrong type, …). This module only
calls it for every gold document, so the evaluation report can show a table beside the answer
metrics; without that module, or for a document without gold statements, the table is empty.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence


def segmentation_scores(documents: Sequence[str], message: Callable[[str], None] = lambda _: None) -> dict[str, dict]:
    """{document: scores} for every repo-relative document path `score_document` can score."""
    import importlib.util

    if importlib.util.find_spec("eval.segmentation") is None:
        return {}
    from eval.gold import REPO_ROOT
    from eval.segmentation import score_document

    scores: dict[str, dict] = {}
    for document in documents:
        try:
            result = score_document(REPO_ROOT / document)
        except FileNotFoundError:
            continue  # no gold statement list for this document
        except Exception as exc:  # noqa: BLE001 - one unscorable document must not end the evaluation
            message(f"note: no segmentation score for {document} ({type(exc).__name__}: {exc})")
            continue
        if isinstance(result, dict) and result:
            scores[document] = result
    return scores
