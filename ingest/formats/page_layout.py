"""Lines on a page to parser-ready text: running heads and page numbers dropped, columns in order, paragraphs joined, tables as rows."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from ingest.formats.document import Document

# Running heads and footers live in the top/bottom band of a page, this share of its height.
EDGE_BAND = 0.12


# A line at the top/bottom of at least this share of the pages (and of 2 or more) is a running head.
REPEAT_SHARE = 0.4


SENTENCE_END = "。！？!?"


_HEADING_FORBIDDEN = re.compile(r"[。，,；;：:、！？!?\t【】]")


MAX_HEADING_CHARS = 24


PAGE_NUMBER_RE = re.compile(
    r"^(?:[-—–－·•\s]*\d{1,4}[-—–－·•\s]*|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.IGNORECASE,
)


CAPTION_RE = re.compile(r"^(?:表\s*\d+(?:[-—–.．]\d+)?\s*\S|续表)")


@dataclass
class TextLine:
    """A run of text on one baseline, in top-down page coordinates (points)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float  # line height: the font's loose box height, or the OCR box height
    edge: bool = False  # in the top/bottom band: a running head or footer candidate

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class TableBlock:
    """A table found by its ruling lines: rows of cell strings, header first."""

    x0: float
    top: float
    x1: float
    bottom: float
    rows: list[list[str]]


@dataclass
class PageItems:
    """What one page yields before layout: its lines and tables, and its size."""

    number: int
    width: float
    height: float
    lines: list[TextLine] = field(default_factory=list)
    tables: list[TableBlock] = field(default_factory=list)


def merge_rows(lines: list[TextLine], max_gap: float = 3.0) -> list[TextLine]:
    """Join OCR boxes that sit on one row with a gap under ``max_gap`` em, left to right."""
    rows: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda ln: (ln.top + ln.bottom) / 2):
        mid = (line.top + line.bottom) / 2
        if rows and abs(mid - sum((r.top + r.bottom) / 2 for r in rows[-1]) / len(rows[-1])) < 0.5 * line.size:
            rows[-1].append(line)
        else:
            rows.append([line])
    out: list[TextLine] = []
    for row in rows:
        row.sort(key=lambda ln: ln.x0)
        cur = row[0]
        for nxt in row[1:]:
            if nxt.x0 - cur.x1 < max_gap * max(cur.size, nxt.size):
                cur = TextLine(join_lines([cur.text, nxt.text]), cur.x0, min(cur.top, nxt.top),
                               nxt.x1, max(cur.bottom, nxt.bottom), max(cur.size, nxt.size))
            else:
                out.append(cur)
                cur = nxt
        out.append(cur)
    return out


def mark_edges(lines: list[TextLine], page_height: float) -> None:
    """Flag the topmost and bottommost rows of lines inside the page's edge bands."""
    if not lines:
        return
    top = min(line.top for line in lines)
    bottom = max(line.bottom for line in lines)
    for line in lines:
        if top < EDGE_BAND * page_height and line.top - top < 0.5 * line.size:
            line.edge = True
        if bottom > (1 - EDGE_BAND) * page_height and bottom - line.bottom < 0.5 * line.size:
            line.edge = True


def join_lines(parts: list[str]) -> str:
    """Join wrapped lines of one paragraph: no space between CJK, one between Latin words."""
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and out[-1].isascii() and out[-1].isalpha() and part[0].isascii() and part[0].isalpha():
            out += " "
        out += part
    return out


def assemble(pages: list[PageItems], warnings: list[str]) -> Document:
    """Drop running heads and page numbers, lay out each page and join them into one text."""
    repeated = _repeated_edges(pages)
    parts: list[str] = []
    starts: list[tuple[int, int]] = []
    offset = 0
    for items in pages:
        kept = [
            line for line in items.lines
            if not (line.edge and (_edge_key(line.text) in repeated or PAGE_NUMBER_RE.match(line.text)))
        ]
        page_text = "\n".join(layout_page(kept, items.tables, items.width))
        if parts:
            parts.append("\n\n")
            offset += 2
        starts.append((offset, items.number))
        parts.append(page_text)
        offset += len(page_text)
    return Document("".join(parts) + "\n", starts, warnings)


def _edge_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _repeated_edges(pages: list[PageItems]) -> set[str]:
    counts: Counter[str] = Counter()
    for items in pages:
        counts.update({_edge_key(line.text) for line in items.lines if line.edge})
    need = max(2, REPEAT_SHARE * len(pages))
    return {key for key, n in counts.items() if n >= need}


def layout_page(lines: list[TextLine], tables: list[TableBlock], page_width: float) -> list[str]:
    """Output lines of one page: columns in order, paragraphs joined, tables as rows."""
    blocks: list[TextLine | TableBlock] = [*lines, *tables]
    if not blocks:
        return []
    out: list[str] = []
    for column in _reading_order(blocks, page_width):
        out += _paragraphs(column)
    return out


def _reading_order(
    blocks: list[TextLine | TableBlock], page_width: float
) -> list[list[TextLine | TableBlock]]:
    """Split into runs read top to bottom: one run per column within each full-width band."""
    blocks = sorted(blocks, key=lambda b: (b.top, b.x0))
    gutter = _find_gutter([b for b in blocks if isinstance(b, TextLine)], page_width)
    if gutter is None:
        return [blocks]
    runs: list[list[TextLine | TableBlock]] = []
    left: list[TextLine | TableBlock] = []
    right: list[TextLine | TableBlock] = []

    def close_band() -> None:
        nonlocal left, right
        runs.extend(run for run in (left, right) if run)
        left, right = [], []

    for block in blocks:
        if block.x1 <= gutter:
            left.append(block)
        elif block.x0 >= gutter:
            right.append(block)
        else:  # spans both columns: closes the band above it
            close_band()
            runs.append([block])
    close_band()
    return runs


def _find_gutter(lines: list[TextLine], page_width: float) -> float | None:
    """An x in the middle of the page that many lines end before and many start after."""
    if len(lines) < 6:
        return None
    best: tuple[int, float] | None = None
    x = 0.3 * page_width
    while x <= 0.7 * page_width:
        crossing = sum(1 for ln in lines if ln.x0 < x < ln.x1)
        if best is None or crossing < best[0]:
            best = (crossing, x)
        x += 2.0
    assert best is not None
    crossing, x = best
    # widen to the middle of the empty gap
    left_n = sum(1 for ln in lines if ln.x1 <= x)
    right_n = sum(1 for ln in lines if ln.x0 >= x)
    if crossing > 0.2 * len(lines) or left_n < 3 or right_n < 3:
        return None
    lo = max((ln.x1 for ln in lines if ln.x1 <= x), default=x)
    hi = min((ln.x0 for ln in lines if ln.x0 >= x), default=x)
    return (lo + hi) / 2


def _is_heading(line: TextLine, body: float, left: float, right: float) -> bool:
    text = line.text
    if len(text) > MAX_HEADING_CHARS or _HEADING_FORBIDDEN.search(text):
        return False
    if line.size > 1.15 * body:
        return True
    indent_left = line.x0 - left
    indent_right = right - line.x1
    return indent_left > 2 * body and abs(indent_left - indent_right) < 2 * body


def _paragraphs(run: list[TextLine | TableBlock]) -> list[str]:
    lines = [b for b in run if isinstance(b, TextLine)]
    out: list[str] = []
    if not lines:
        for block in run:
            out += _table_lines(block)  # type: ignore[arg-type]
        return out
    body = statistics.median(ln.size for ln in lines)
    left = min(ln.x0 for ln in lines)
    right = max(ln.x1 for ln in lines)
    gaps = [
        b.top - a.bottom
        for a, b in zip(lines, lines[1:])
        if 0 <= b.top - a.bottom < 2 * body
    ]
    spacing = statistics.median(gaps) if gaps else 0.3 * body
    para: list[str] = []
    prev: TextLine | None = None
    prev_heading = False

    def flush() -> None:
        if para:
            out.append(join_lines(para))
            para.clear()

    for block in run:
        if isinstance(block, TableBlock):
            flush()
            out += _table_lines(block)
            prev = None
            continue
        line = block
        heading = _is_heading(line, body, left, right)
        standalone = heading or bool(CAPTION_RE.match(line.text))
        if prev is not None and para:
            gap = line.top - prev.bottom
            indented = line.x0 - left > 0.8 * body
            ends_sentence = prev.text[-1] in SENTENCE_END
            short = prev.x1 < right - 1.5 * body
            if (
                standalone
                or prev_heading
                or gap > spacing + 0.5 * body
                or short
                or (ends_sentence and indented)
                or line.text.startswith("【")
            ):
                flush()
        para.append(line.text)
        prev = line
        prev_heading = standalone
        if standalone:
            flush()
    flush()
    return out


def _table_lines(table: TableBlock) -> list[str]:
    return ["\t".join(cell.replace("\t", " ").replace("\n", "") for cell in row) for row in table.rows]
