"""Word .docx loader (python-docx): paragraphs, headings and tables in document order."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from ingest.formats.document import Document
from rag.errors import CorpusFormatError

_HEADING_STYLE = re.compile(r"^(heading|标题|title)\s*\d*$", re.IGNORECASE)


def load_docx(path: Path) -> Document:
    """Read a .docx: one line per paragraph, headings on their own line, tables as tab rows.

    Pages follow Word's own page breaks (hard breaks and the breaks Word rendered when it
    last saved the file); a file with none is one page.
    """
    if not zipfile.is_zipfile(path):
        raise CorpusFormatError(
            f"{path}: is not a Word .docx file (not a zip archive); an old .doc must be "
            "saved as .docx first"
        )
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise CorpusFormatError(
            f"{path}: is a zip file but not a Word document (no word/document.xml)"
        ) from exc
    except Exception as exc:  # malformed XML inside the package
        raise CorpusFormatError(f"{path}: the Word document is damaged ({exc})") from exc
    lines: list[str] = []
    pages: list[tuple[int, int]] = [(0, 1)]
    offset = 0
    warnings: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            if _breaks_page(block) and offset > 0:
                pages.append((offset, pages[-1][1] + 1))
            text = _paragraph_text(block)
            if not text:
                continue
            if is_heading(block) and lines and lines[-1]:
                lines.append("")  # a heading stands apart, as in the yearbooks' .txt files
                offset += 1
            lines.append(text)
            offset += len(text) + 1
        elif isinstance(block, Table):
            rows = _table_rows(block)
            if not rows:
                continue
            lines += rows
            offset += sum(len(row) + 1 for row in rows)
    text = "\n".join(lines) + "\n"
    if not text.strip():
        raise CorpusFormatError(f"{path}: the Word document has no text")
    return Document(text, pages, warnings)


def is_heading(paragraph: Any) -> bool:
    """True for Word's heading styles (Heading 1…9, Title, 标题 1…)."""
    style = paragraph.style
    while style is not None:
        if _HEADING_STYLE.match((style.name or "").strip()):
            return True
        style = style.base_style
    return False


def _paragraph_text(paragraph: Any) -> str:
    text = paragraph.text.replace("\t", " ").replace("\n", "").replace("\u3000", " ")
    return re.sub(r"[ \xa0]+", " ", text).strip()


def _breaks_page(paragraph: Any) -> bool:
    if paragraph.contains_page_break:
        return True
    element = paragraph._p
    return bool(element.xpath('./w:r/w:br[@w:type="page"]'))


def _table_rows(table: Any) -> list[str]:
    rows: list[str] = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            text = "".join(p.text for p in cell.paragraphs)
            cells.append(re.sub(r"\s+", " ", text.replace("\t", " ")).strip())
        if any(cells):
            rows.append("\t".join(cells))
    return rows
