"""Read a dialogue document (.txt/.md or .pdf) into pages, then into clean paragraphs.

Both readers produce the same intermediate form: each page is text whose paragraphs
are separated by blank lines, with bold runs marked `**…**`. A PDF's bold font is
turned into that marker, so the segmenter sees one shape whatever the source.
A `Paragraph` carries clean text (markup removed) plus the markup spans as cues.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import UserError
from assistant.models import Page
from assistant.text import normalise_spaces
from index.docmeta import date_in, is_header_line, is_page_furniture, session_in
from index.vocabulary import vocabulary

TEXT_SUFFIXES = {".txt", ".md", ".text", ".markdown"}
PDF_SUFFIXES = {".pdf"}
_PAGE_BREAK = re.compile(r"\f|\n[ \t]*\n[ \t]*\n[ \t]*\n")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_MARKUP = re.compile(r"\*\*(.+?)\*\*|\[([^\]\n]+)\]\([^)\n]*\)|(?<![\w*])\*([^*\n]+?)\*(?![\w*])")
_SENTENCE_END = tuple(".!?:;\"”’)")
_OPEN_CLAUSE_WORDS = {"the", "a", "an", "of", "to", "and", "or", "in", "for", "by", "with", "on", "at", "from", "as", "that", "their", "its", "his", "her", "our", "this", "these"}


class DocumentError(UserError):
    """A document that cannot be read; the message is one sentence for the user."""


@dataclass(frozen=True)
class Paragraph:
    """A paragraph rebuilt across page breaks.

    text: clean text, no markup. cues: (start, end) spans of text that was bold or a link.
    pages: (offset, page) pairs, ascending: text[offset:] is on `page` until the next pair.
    """

    text: str
    cues: tuple[tuple[int, int], ...] = ()
    pages: tuple[tuple[int, int], ...] = field(default=((0, 1),))

    @property
    def page_start(self) -> int:
        return self.pages[0][1]

    @property
    def page_end(self) -> int:
        return self.pages[-1][1]

    def page_at(self, offset: int) -> int:
        page = self.pages[0][1]
        for start, number in self.pages:
            if start > offset:
                break
            page = number
        return page


@dataclass(frozen=True)
class ReadLimits:
    """What one document may cost to read: file size, decompressed PDF streams, time."""

    max_bytes: int | None = None
    max_decompressed_bytes: int | None = None
    max_seconds: float | None = None

    @classmethod
    def of(cls, settings) -> ReadLimits:
        return cls(
            max_bytes=int(settings.max_file_mb * 1_000_000),
            max_decompressed_bytes=int(settings.max_pdf_decompressed_mb * 1_000_000),
            max_seconds=settings.max_document_seconds,
        )


def read_pages(path: Path, limits: ReadLimits | None = None) -> list[Page]:
    """Read a file into pages with their real page numbers, or raise DocumentError (no limits when none given)."""
    path = Path(path)
    limits = limits or ReadLimits()
    if not path.exists():
        raise DocumentError(f"{path}: no such file.")
    if path.is_dir():
        raise DocumentError(f"{path}: is a directory, not a document.")
    if not path.is_file():
        raise DocumentError(f"{path}: not a regular file (a device, socket or pipe), not a document.")
    size = path.stat().st_size
    if size == 0:
        raise DocumentError(f"{path}: the file is empty.")
    if limits.max_bytes is not None and size > limits.max_bytes:
        raise DocumentError(
            f"{path}: the file is {size / 1e6:.1f} MB, over the {limits.max_bytes / 1e6:.0f} MB limit (HRC_MAX_FILE_MB)."
        )
    data = path.read_bytes()
    if path.suffix.lower() in PDF_SUFFIXES or data.startswith(b"%PDF"):
        from index.pdf_limits import bounded_pdf

        with bounded_pdf(path, limits) as budget:
            pages = _read_pdf(path, data, budget)
    elif path.suffix.lower() in TEXT_SUFFIXES or not path.suffix:
        pages = _read_text(path, data)
    else:
        raise DocumentError(f"{path}: unsupported file type {path.suffix!r}; give a .txt, .md or .pdf file.")
    if not any(page.text.strip() for page in pages):
        raise DocumentError(f"{path}: the document contains no text.")
    return pages


def decode_text(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (with or without BOM), else Windows-1252; refuse binary data."""
    utf16 = _utf16_codec(data)
    if utf16:
        try:
            data = data.decode(utf16).encode("utf-8")
        except UnicodeDecodeError:
            raise DocumentError(f"{path}: this is binary data, not a text document.") from None
    if b"\x00" in data[:8192] or _control_ratio(data[:8192]) > 0.05:
        raise DocumentError(f"{path}: this is binary data, not a text document.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{path}: the text is neither UTF-8 nor Windows-1252 ({exc.reason}).") from None


def _utf16_codec(data: bytes) -> str | None:
    """"utf-16" for a UTF-16 byte-order mark; "utf-16-le"/"-be" when the NUL bytes of mostly-Latin
    text fall on one side of each byte pair (UTF-16 saved without a mark); else None."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") and data[:4] != b"\xff\xfe\x00\x00":
        return "utf-16"
    sample = data[:8192]
    pairs = len(sample) // 2
    if pairs < 8:
        return None
    even = sample[0 : pairs * 2 : 2].count(0) / pairs
    odd = sample[1 : pairs * 2 : 2].count(0) / pairs
    if odd > 0.3 and even < 0.02:
        return "utf-16-le"
    if even > 0.3 and odd < 0.02:
        return "utf-16-be"
    return None


def _control_ratio(data: bytes) -> float:
    if not data:
        return 0.0
    controls = sum(1 for b in data if b < 32 and b not in (9, 10, 12, 13))
    return controls / len(data)


def _read_text(path: Path, data: bytes) -> list[Page]:
    text = decode_text(path, data).replace("\r\n", "\n").replace("\r", "\n")
    chunks = _PAGE_BREAK.split(text)
    # A break before any text (the file starts with blank lines) is not a page.
    while chunks and not chunks[0].strip():
        chunks.pop(0)
    return [Page(number=i + 1, text=chunk) for i, chunk in enumerate(chunks) if chunk.strip() or i < len(chunks) - 1]


def _read_pdf(path: Path, data: bytes, budget) -> list[Page]:
    """`budget` (index.pdf_limits.PdfBudget) bounds the decompressed bytes and the time."""
    import io
    import logging

    from pypdf import PdfReader

    # pypdf logs every repair it attempts; the user gets our one sentence instead.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    from pypdf.errors import LimitReachedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                unlocked = reader.decrypt("")
            except Exception:  # noqa: BLE001 - pypdf raises several types for unsupported crypto
                unlocked = 0
            if not unlocked:
                raise DocumentError(f"{path}: the PDF is encrypted; give an unencrypted copy.")
        # Every page's content is inflated (within pypdf's lowered limits) and charged before any is
        # parsed: parsing is what takes minutes, so a bomb is refused before it starts.
        for page in reader.pages:
            budget.check_time()
            contents = page.get_contents()
            budget.charge(len(contents.get_data()) if contents is not None else 0)
        pages = []
        for i, page in enumerate(reader.pages):
            budget.check_time()
            pages.append(_pdf_page(page, i, reader, budget))
    except (DocumentError, LimitReachedError):
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise DocumentError(f"{path}: the PDF is damaged or truncated and cannot be read ({type(exc).__name__}).") from None
    if not any(page.text.strip() for page in pages):
        raise DocumentError(
            f"{path}: the PDF has no text layer (a scanned document?); run OCR on it first or give the text."
        )
    return pages


def _pdf_page(page, index: int, reader, budget) -> Page:
    """Rebuild one PDF page: lines by baseline, paragraphs by vertical gaps, bold as **."""
    runs: list[tuple[float, float, bool, str]] = []  # (y, font size, bold, text)

    def visit(text, cm, tm, font, size):
        budget.check_time()
        if not text:
            return
        name = str((font or {}).get("/BaseFont", "")) if font else ""
        y = tm[5] * (cm[3] or 1) + cm[5]
        effective = size * abs(tm[3] or 1) * abs(cm[3] or 1)
        runs.append((round(y, 1), effective, "bold" in name.lower(), text))

    page.extract_text(visitor_text=visit)
    lines: list[dict] = []
    for y, size, bold, text in runs:
        for k, part in enumerate(text.split("\n")):
            if k > 0 or not lines or abs(lines[-1]["y"] - y) > size * 0.5:
                if k > 0 and not part:
                    continue
                lines.append({"y": y, "size": size, "parts": []})
            if part:
                lines[-1]["parts"].append((bold, part))
    lines = [line for line in lines if "".join(p for _, p in line["parts"]).strip()]
    number = _page_number(lines, index, reader)
    body_size = max((l["size"] for l in lines), default=0, key=lambda s: sum(1 for l in lines if l["size"] == s))
    gaps = [a["y"] - b["y"] for a, b in zip(lines, lines[1:]) if a["y"] > b["y"]]
    # The line spacing inside a paragraph: a low quantile of the gaps, not the median, since a page of short
    # blocks (a record's title block, one line each) has more gaps between paragraphs than inside them.
    step = sorted(gaps)[len(gaps) // 4] if gaps else body_size * 1.4
    out: list[str] = []
    previous = None
    for line in lines:
        if previous is not None:
            gap = previous["y"] - line["y"]
            if gap > step * 1.3 or gap < 0 or line["size"] != previous["size"]:
                out.append("\n\n")
            else:
                out.append("" if out and out[-1].endswith("-") else "\n")
        out.append(_mark_bold(line["parts"]))
        previous = line
    return Page(number=number, text="".join(out))


def _mark_bold(parts: list[tuple[bool, str]]) -> str:
    merged: list[list] = []
    for bold, text in parts:
        if merged and merged[-1][0] == bold:
            merged[-1][1] += text
        else:
            merged.append([bold, text])
    pieces = []
    for bold, text in merged:
        core = text.strip()
        if bold and core:
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()):]
            pieces.append(f"{lead}**{core}**{trail}")
        else:
            pieces.append(text)
    return "".join(pieces)


def _page_number(lines: list[dict], index: int, reader) -> int:
    """The printed footer number when there is one (and drop it), else the page label."""
    if lines:
        lowest = min(lines, key=lambda l: l["y"])
        text = "".join(p for _, p in lowest["parts"]).strip()
        if re.fullmatch(r"(?:page\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?", text, re.I):
            lines.remove(lowest)
            return int(re.search(r"\d+", text).group())
    try:
        label = reader.page_labels[index]
        if label.isdigit():
            return int(label)
    except (IndexError, KeyError, ValueError, TypeError, AttributeError):
        pass
    return index + 1


def clean_markup(raw: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Remove **bold**, *italic* and [name](#) markup; return the clean text and the cue spans."""
    out: list[str] = []
    cues: list[tuple[int, int]] = []
    length = 0
    last = 0
    for match in _MARKUP.finditer(raw):
        out.append(raw[last:match.start()])
        length += match.start() - last
        inner = match.group(1) or match.group(2) or match.group(3) or ""
        if match.group(1) or match.group(2):
            cues.append((length, length + len(inner)))
        out.append(inner)
        length += len(inner)
        last = match.end()
    out.append(raw[last:])
    text = "".join(out).replace("**", "")
    return text, tuple(cues)


def paragraphs(pages: list[Page]) -> list[Paragraph]:
    """Clean paragraphs in order; a paragraph cut by a page break mid-sentence is rebuilt."""
    result: list[Paragraph] = []
    for page in pages:
        blocks = [piece for b in _PARAGRAPH_BREAK.split(page.text) if b.strip() for piece in _line_paragraphs(b)]
        position = -1
        for block in blocks:
            raw = normalise_spaces(" ".join(line.strip() for line in block.split("\n")))
            raw = re.sub(r"(\w)- (\w)", _dehyphenate, raw)
            text, cues = clean_markup(raw)
            text, cues = _strip(text, cues)
            # Running heads and footers of official documents hold no one's words; without them a paragraph
            # they cut at a page break is rebuilt like any other.
            if is_page_furniture(text):
                continue
            position += 1
            if not text:
                continue
            if position == 0 and result and _continues(result[-1].text, text):
                result[-1] = _join(result[-1], text, cues, page.number)
            else:
                result.append(Paragraph(text=text, cues=cues, pages=((0, page.number),)))
    return result


def _line_paragraphs(block: str) -> list[str]:
    """A block written one paragraph per line (no blank lines between paragraphs) split into its lines.

    Wrapped prose rarely ends a line at a sentence end; when most lines of a block do (or are
    short header lines followed by a capitalised line), each line is a paragraph.
    """
    lines = [line for line in block.split("\n") if line.strip()]
    if len(lines) == 2 and _dateline_under_title(lines):
        return lines
    if len(lines) >= 3:
        whole = sum(
            1 for line, following in zip(lines, lines[1:])
            if line.rstrip().endswith(_SENTENCE_END) or (len(line.strip()) < 50 and following.lstrip()[:1].isupper())
            # a short header line before a date line ("MIDDAY" / "17 September 2018") ends there too
            or (len(line.strip()) < 50 and following.lstrip()[:1].isdigit())
        )
        if whole >= 2 * (len(lines) - 1) / 3:
            return lines
    return [lines[0], "\n".join(lines[1:])] if _label_line_first(lines) else [block]


def _dateline_under_title(lines: list[str]) -> bool:
    """A title over a line that dates it ("Human Rights Council, 62nd session, 18 June 2026"): two lines, neither
    prose (no sentence end), the second short and naming the session and a full date."""
    first, second = lines[0].strip(), lines[1].strip()
    return (not first.endswith(_SENTENCE_END + (",", "-", "–")) and not second.endswith(_SENTENCE_END)
            and len(second) < 80 and date_in(second)[1] is not None and session_in(second) is not None
            and first.rsplit(" ", 1)[-1].lower() not in _OPEN_CLAUSE_WORDS)


def _label_line_first(lines: list[str]) -> bool:
    """Does a block open with a label line ("Brazil", "### Kenya, on behalf of the African Group") above its prose?

    A short line with no sentence end, much shorter than the prose lines under it (so not the first line of
    wrapped text) and followed by a capital: a speaker's name set above the statement, without a blank line.
    """
    if len(lines) < 2:
        return False
    first, rest = lines[0].strip(), [line.strip() for line in lines[1:]]
    if len(first) > 100 or first.endswith((".", "!", "?", ";", ",", "-", "–")) or not rest[-1].endswith((".", "!", "?", '"', "”")):
        return False
    if first.rsplit(" ", 1)[-1].lower() in _OPEN_CLAUSE_WORDS or sum(map(len, rest)) < 40 or is_header_line(first):
        return False
    if vocabulary().salutation.fullmatch(first):
        return False  # "Mr. President" opens the statement under it: the speaker's words, not a label
    if is_header_line(rest[0]) or vocabulary().meeting_held.search(rest[0]):
        return False  # a statement is prose; a title block's lines ("Held at … on 19 June 2025") are not
    return len(first) < 0.6 * max(len(line) for line in rest) and rest[0][:1].isupper()


def _dehyphenate(match: re.Match) -> str:
    # A line-end hyphen before a lower-case letter joins a word ("inter- national"); keep the hyphen
    # itself, since compound words ("cross-regional") are far more common here than split words.
    return f"{match.group(1)}-{match.group(2)}" if match.group(2).islower() else match.group(0)


def _strip(text: str, cues: tuple[tuple[int, int], ...]) -> tuple[str, tuple[tuple[int, int], ...]]:
    lead = len(text) - len(text.lstrip())
    text = text.strip()
    return text, tuple((max(0, s - lead), min(len(text), e - lead)) for s, e in cues if e - lead > 0)


def _continues(previous: str, following: str) -> bool:
    """Does a page's first paragraph continue the previous page's last one mid-sentence?"""
    if not following or previous.endswith(_SENTENCE_END) or _looks_like_heading(previous):
        return False
    if following[0].islower() or following[0].isdigit():
        return True
    # A capitalised start continues only a clause that is visibly open ("… on behalf of the").
    last_word = previous.rsplit(" ", 1)[-1].lower()
    return previous.endswith(",") or last_word in _OPEN_CLAUSE_WORDS


def _looks_like_heading(text: str) -> bool:
    return len(text) < 90 and not text.endswith(".") and (text.isupper() or text.istitle() or len(text.split()) <= 8)


def _join(first: Paragraph, text: str, cues: tuple[tuple[int, int], ...], page: int) -> Paragraph:
    head = first.text
    # A word cut at the page edge and repeated in full on the next page ("creat" / "create").
    last_word = head.rsplit(" ", 1)[-1]
    next_word = text.split(" ", 1)[0]
    if last_word and next_word != last_word and next_word.startswith(last_word) and last_word.isalpha():
        head = head[: len(head) - len(last_word)].rstrip()
    offset = len(head) + 1
    joined = head + " " + text
    return Paragraph(
        text=joined,
        cues=tuple(c for c in first.cues if c[1] <= len(head)) + tuple((s + offset, e + offset) for s, e in cues),
        pages=first.pages + ((offset, page),),
    )
