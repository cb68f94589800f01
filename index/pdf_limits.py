"""What reading one PDF may cost: decompressed bytes and seconds (compression bombs fail fast).

A PDF of a megabyte can hold gigabytes of compressed page content; decoding and parsing it
took minutes and gigabytes of memory. Two bounds, from the settings:
- decompressed bytes of the whole document (`HRC_MAX_PDF_DECOMPRESSED_MB`): pypdf's own
  per-stream output limits are lowered to that budget while the document is read, so no single
  stream is ever inflated past it, and each page's content is charged to it before it is parsed;
- seconds (`HRC_MAX_DOCUMENT_SECONDS`), checked before each page and as text comes out of it.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

from index.load import DocumentError

# pypdf's output limits (pypdf.Configuration, "Security" in its docs) lowered to the document's budget.
_OUTPUT_LIMITS = (
    "zlib_maximum_output_length", "lzw_maximum_output_length", "run_length_maximum_output_length",
    "brotli_maximum_output_length", "jbig2_maximum_output_length", "array_based_stream_maximum_output_length",
    "maximum_declared_stream_length", "image_maximum_buffer_size",
)


class PdfBudget:
    """The decompressed bytes and the time one document has left."""

    def __init__(self, path: Path, max_bytes: int | None, max_seconds: float | None):
        self.path = path
        self.max_bytes = max_bytes
        self.max_seconds = max_seconds
        self.used = 0
        self.started = time.monotonic()

    def charge(self, size: int) -> None:
        self.used += size
        if self.max_bytes is not None and self.used > self.max_bytes:
            raise self.too_big()

    def check_time(self) -> None:
        if self.max_seconds is not None and time.monotonic() - self.started > self.max_seconds:
            raise DocumentError(
                f"{self.path}: reading the PDF took more than {self.max_seconds:g} s (HRC_MAX_DOCUMENT_SECONDS); "
                "it is refused as a possible compression bomb."
            )

    def too_big(self) -> DocumentError:
        return DocumentError(
            f"{self.path}: the PDF decompresses to more than {self.max_bytes / 1e6:g} MB "
            "(HRC_MAX_PDF_DECOMPRESSED_MB); it is refused as a possible compression bomb."
        )


@contextmanager
def bounded_pdf(path: Path, limits):
    """A PdfBudget for one document; meanwhile pypdf inflates no stream past it (context-local:
    other threads reading other PDFs keep their own limits)."""
    from pypdf import apply_configuration, get_configuration
    from pypdf.errors import LimitReachedError

    budget = PdfBudget(path, limits.max_decompressed_bytes, limits.max_seconds)
    current = get_configuration()
    lowered = {}
    if budget.max_bytes is not None:
        lowered = {name: min(getattr(current, name), budget.max_bytes + 1) for name in _OUTPUT_LIMITS if hasattr(current, name)}
    with apply_configuration(**lowered):
        try:
            yield budget
        except LimitReachedError:
            raise budget.too_big() from None
