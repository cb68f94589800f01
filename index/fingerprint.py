"""What an indexed document was derived with: the indexer's code, its data files and the model.

A document is indexed once and then skipped while its content is unchanged. When the way statements,
sentences and stances are derived changes (a new segmentation rule, a refitted stance classifier), a
document indexed before would keep stale statements and stances; its stored fingerprint differs from the
current one, so `hrc-assistant index` indexes it again (the embedding cache keeps that cheap).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
# Everything the derived records depend on, besides the document itself (paths relative to the project).
_SOURCES = ("index/*.py", "assistant/stance.py", "assistant/polarity.py", "assistant/text.py", "assistant/gazetteer.py",
            "assistant/lookalike.py", "assistant/models.py", "assistant/store.py", "assistant/embedding.py")
_DATA = ("segmentation.json", "stance_examples.json", "stance_model.json", "polarity.json", "gazetteer.json",
         "speaker_references.json", "office_titles.json")


@cache
def indexer_fingerprint() -> str:
    """sha256 (16 hex digits) over the indexer's sources and data files, in a fixed order."""
    from assistant.embedding import MODEL_NAME
    from assistant.store import SCHEMA_VERSION

    digest = hashlib.sha256(f"{MODEL_NAME}\n{SCHEMA_VERSION}\n".encode())
    files = sorted({p for pattern in _SOURCES for p in _ROOT.glob(pattern)} | {_ROOT / "assistant" / "data" / n for n in _DATA})
    for path in files:
        if path.exists():
            digest.update(path.relative_to(_ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
