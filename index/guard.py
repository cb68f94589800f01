"""Refuse files that are not dialogue documents before anything of them reaches the index.

Indexing publishes a document's text (its first line becomes a title anyone can read), so
a symbolic link that leads out of the directory it was given in (to `/etc/shadow`, say) and
text that is not prose (key files, tables, source code, logs) are refused; `--force` indexes
them anyway. The prose test looks at the shape of the text only, never at its vocabulary,
so a dialogue in any language or layout passes.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.models import Page
from index.load import DocumentError

# A token is word-like when, without its surrounding punctuation, it is letters (any script),
# or a number, with at most inner hyphens, apostrophes, dots or slashes ("co-sponsor", "A/HRC/58", "3.5").
_EDGE = "\"'“”‘’«»()[]{}<>.,;:!?…*•–—-。、，；：！？「」"
_WORD_LIKE = re.compile(r"(?:[^\W\d_]+|\d+(?:[.,]\d+)*%?)(?:['’./-](?:[^\W\d_]+|\d+))*", re.UNICODE)
FORCE_HINT = "give --force to index it anyway"
MIN_LETTERS = 100  # fewer letters in words than this is not the text of a dialogue (a title page alone)
# Spaces, and the full stops and commas of scripts written without spaces, separate tokens.
_SEPARATORS = re.compile(r"[\s。、，；：！？]+")
MIN_WORD_SHARE = 0.5  # share of the text's non-space characters inside word-like tokens; prose is ~0.9


def check_location(path: Path) -> None:
    """Refuse a symbolic link whose target lies outside the directory the path was given in."""
    path = Path(path)
    if not path.is_symlink():
        return
    folder = path.absolute().parent.resolve()
    target = path.resolve()
    if not target.is_relative_to(folder):
        raise DocumentError(f"{path}: a symbolic link to {target}, outside {folder}; refused ({FORCE_HINT}).")


def prose_problem(text: str) -> str | None:
    """Why `text` does not read as the prose of a document, or None when it does."""
    tokens = [t for t in _SEPARATORS.split(text) if t]
    if not tokens:
        return "it contains no text"
    words = [t for t in tokens if _WORD_LIKE.fullmatch(t.strip(_EDGE) or "-")]
    characters = sum(len(t) for t in tokens)
    in_words = sum(len(t) for t in words)
    letters = sum(1 for word in words for ch in word if ch.isalpha())
    if letters < MIN_LETTERS:
        return f"it has {len(words)} words, too few for a dialogue"
    if in_words / characters < MIN_WORD_SHARE:
        return f"only {in_words / characters:.0%} of it reads as words (a data, key or code file?)"
    return None


def check_prose(path: Path, pages: list[Page]) -> None:
    """Refuse text that does not look like the text of a dialogue."""
    problem = prose_problem("\n".join(page.text.replace("**", "") for page in pages))
    if problem:
        raise DocumentError(f"{path}: does not look like the text of a dialogue: {problem}; {FORCE_HINT}.")
