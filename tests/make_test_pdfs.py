"""Render the hand-written test documents in tests/data/*.txt to PDF with fpdf2.

    python tests/make_test_pdfs.py              # every tests/data/*.txt that has a .expected.json
    python tests/make_test_pdfs.py IN.txt OUT.pdf

The layout imitates data/hrc58-belarus-id.pdf: A4, DejaVu Sans 10 pt, justified
paragraphs, headings in bold, `**bold**` runs in DejaVuSans-Bold (markers
dropped), `[name](#)` links reduced to their text, the page number in the
footer, and exactly one PDF page per text page (a form feed or a run of 3+
blank lines). The output is deterministic: fixed creation date and file id.
"""

from __future__ import annotations

import hashlib
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

PAGE_BREAK = re.compile(r"\f|\n(?:[ \t]*\n){3,}")
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
LINK = re.compile(r"\[([^\]]+)\]\(#\)")
SPEAKER_LINE = re.compile(r"^(?:Mr|Ms|Mrs|Dr|H\.E\.)\.? [^.]*[A-Z]{2,}[^.]*,[^.]*$")
BODY_PT, HEADING_PT, FOOTER_PT = 10, 11, 8
LINE_MM = 4.5
FIXED_DATE = datetime(2024, 1, 1, tzinfo=timezone.utc)


def split_pages(text: str) -> list[str]:
    """Text pages, in order; blank pages (such as leading blank lines) are dropped."""
    pages = [p.strip("\n") for p in PAGE_BREAK.split(text)]
    return [p for p in pages if p.strip()]


def strip_links(text: str) -> str:
    return LINK.sub(r"\1", text)


def _is_heading(block: str) -> bool:
    letters = [c for c in block if c.isalpha()]
    if letters and block.upper() == block and len(block) < 120:
        return True  # "CONCLUDING REMARKS", the organisation name, "FACTS & FIGURES …"
    return block.startswith(("Views Expressed by", "Interactive Dialogue with", "#HRC"))


def render_pdf(txt_path: Path, pdf_path: Path) -> int:
    """Render `txt_path` to `pdf_path`; return the number of pages."""
    from fpdf import FPDF  # imported here so split_pages() works without fpdf2

    class _Pdf(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("DejaVu", "", FOOTER_PT)
            self.cell(0, 5, str(self.page_no()), align="C")

    text = Path(txt_path).read_text(encoding="utf-8")
    pages = split_pages(text)
    pdf = _Pdf(orientation="P", unit="mm", format="A4")
    pdf.set_creation_date(FIXED_DATE)
    digest = hashlib.md5(text.encode("utf-8")).hexdigest()
    pdf.file_id = lambda: f"<{digest}><{digest}>"  # deterministic /ID
    pdf.set_title(Path(txt_path).stem)
    pdf.set_author("hrc-assistant test fixtures")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_font("DejaVu", "", str(FONT_REGULAR))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    for number, page in enumerate(pages, start=1):
        pdf.add_page()
        for block in PARAGRAPH_BREAK.split(page):
            block = block.strip("\n")
            if not block.strip():
                continue
            if _is_heading(block):
                pdf.set_font("DejaVu", "B", HEADING_PT)
                pdf.multi_cell(0, 5.5, block, align="C", new_x="LMARGIN", new_y="NEXT")
            elif SPEAKER_LINE.match(block) or len(block) < 60:
                pdf.set_font("DejaVu", "", BODY_PT)  # speaker lines, facts & figures
                pdf.multi_cell(0, LINE_MM, strip_links(block), align="L", markdown=True,
                               new_x="LMARGIN", new_y="NEXT")
            else:
                pdf.set_font("DejaVu", "", BODY_PT)
                body = " ".join(strip_links(block).split())
                pdf.multi_cell(0, LINE_MM, body, align="J", markdown=True,
                               new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2.5)
            if pdf.page_no() != number:
                raise ValueError(f"{txt_path}: text page {number} does not fit on one PDF page")
    pdf.output(str(pdf_path))
    return len(pages)


def main(argv: list[str]) -> int:
    if len(argv) == 2:
        pairs = [(Path(argv[0]), Path(argv[1]))]
    elif not argv:
        pairs = [(t, t.with_suffix(".pdf")) for t in sorted(DATA.glob("*.txt"))
                 if t.with_suffix(".expected.json").exists()]
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for txt, pdf in pairs:
        n = render_pdf(txt, pdf)
        print(f"{pdf}: {n} pages, {pdf.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
