"""PDF loader: pypdfium2 text layer, page by page, laid out as paragraphs, headings and tables."""

from __future__ import annotations

import re
import statistics
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.formats.document import Document
from ingest.formats.page_layout import (
    PageItems,
    TableBlock,
    TextLine,
    assemble,
    join_lines,
    mark_edges,
    merge_rows,
)
from rag.errors import CorpusFormatError

# A page whose text layer has fewer visible characters than this is read by OCR.
MIN_TEXT_CHARS = 8
OCR_DPI = 200

PageCallback = Callable[[int, int], None]


@dataclass
class _Char:
    ch: str
    x0: float
    top: float
    x1: float
    bottom: float


# --------------------------------------------------------------------------- loading


def load_pdf(
    path: Path,
    *,
    progress: bool = False,
    on_page: PageCallback | None = None,
) -> Document:
    """Read a PDF: its text layer page by page, OCR for pages without one.

    Pages are opened and closed one at a time, so memory stays bounded by one page plus
    the extracted lines. Running heads, footers and bare page numbers are dropped, two
    columns are read left column first, ruled tables become caption + tab-separated rows.
    """
    import pypdfium2 as pdfium
    from tqdm import tqdm

    _check_pdf_bytes(path)
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise CorpusFormatError(_open_error(path, exc)) from exc
    warnings: list[str] = []
    pages: list[PageItems] = []
    try:
        total = len(pdf)
        if total == 0:
            raise CorpusFormatError(f"{path}: the PDF has no pages")
        ocr_reader: Callable[[Any], list[TextLine]] | None = None
        ocr_missing: str | None = None
        with tqdm(total=total, desc=path.name, unit="page", disable=not progress) as bar:
            for index in range(total):
                number = index + 1
                try:
                    page = pdf[index]
                except pdfium.PdfiumError as exc:
                    raise CorpusFormatError(
                        f"{path}: page {number} cannot be read; the PDF looks damaged"
                    ) from exc
                try:
                    items = extract_page(page, number)
                    if not items.lines and not items.tables and ocr_missing is None:
                        if ocr_reader is None:
                            ocr_reader, ocr_missing = _ocr_reader()
                        if ocr_reader is not None:
                            items.lines = _ocr_page(page, ocr_reader)
                            warnings.append(f"page {number}: no text layer, read by OCR")
                    if not items.lines and not items.tables and ocr_missing is not None:
                        warnings.append(f"page {number}: no text layer and {ocr_missing}; skipped")
                except CorpusFormatError:
                    raise
                except Exception as exc:  # a library failure on one damaged page
                    raise CorpusFormatError(
                        f"{path}: page {number} cannot be read ({exc}); the PDF looks damaged"
                    ) from exc
                finally:
                    page.close()
                pages.append(items)
                bar.update(1)
                if on_page is not None:
                    on_page(number, total)
    finally:
        pdf.close()
    if ocr_missing is not None and all(not p.lines and not p.tables for p in pages):
        raise CorpusFormatError(
            f"{path}: the PDF has no text layer (a scan) and {ocr_missing}"
        )
    return assemble(pages, warnings)


def _check_pdf_bytes(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - 2048))
            tail = handle.read()
    except OSError as exc:
        raise CorpusFormatError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if b"%PDF-" not in head:
        raise CorpusFormatError(f"{path}: is not a PDF file (no %PDF header)")
    if b"%%EOF" not in tail:
        raise CorpusFormatError(
            f"{path}: the PDF is truncated or damaged (its end-of-file marker is missing); "
            "download or export it again"
        )


def _open_error(path: Path, exc: Exception) -> str:
    import pypdfium2.raw as pdfium_c

    code = getattr(exc, "err_code", None)
    if code == pdfium_c.FPDF_ERR_PASSWORD:
        return f"{path}: the PDF is password-protected; remove the password and try again"
    if code == pdfium_c.FPDF_ERR_SECURITY:
        return f"{path}: the PDF uses an unsupported security handler (encryption)"
    if code in (pdfium_c.FPDF_ERR_SUCCESS, pdfium_c.FPDF_ERR_FORMAT) and _empty_page_tree(path):
        return f"{path}: the PDF has no pages"  # PDFium refuses such a file, code unreliable
    if code == pdfium_c.FPDF_ERR_FILE:
        return f"{path}: the PDF cannot be opened"
    return f"{path}: the PDF is damaged and cannot be read"


def _empty_page_tree(path: Path) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return bool(re.search(rb"/Count\s*0\b", data)) and not re.search(rb"/Type\s*/Page(?![a-zA-Z])", data)


def _ocr_reader() -> tuple[Callable[[Any], list[TextLine]] | None, str | None]:
    from ingest.formats import ocr

    try:
        return ocr.line_reader(), None
    except ocr.OcrUnavailable as exc:
        return None, str(exc)


def _ocr_page(page: Any, reader: Callable[[Any], list[TextLine]]) -> list[TextLine]:
    scale = OCR_DPI / 72
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        image = bitmap.to_pil()
    finally:
        bitmap.close()
    height = page.get_height()
    lines = reader(image)
    out = []
    for line in lines:
        out.append(
            TextLine(line.text, line.x0 / scale, line.top / scale, line.x1 / scale,
                     line.bottom / scale, line.size / scale)
        )
    out = merge_rows(out)
    mark_edges(out, height)
    return out


# --------------------------------------------------------------------------- one page


def extract_page(page: Any, number: int) -> PageItems:
    """Lines and ruled tables of one pypdfium2 page (no OCR)."""
    width, height = page.get_size()
    items = PageItems(number, width, height)
    textpage = page.get_textpage()
    try:
        chars = _page_chars(textpage, height)
    finally:
        textpage.close()
    visible = sum(1 for c in chars if not c.ch.isspace())
    if visible < MIN_TEXT_CHARS:
        return items
    hlines, vlines = _rulings(page, height)
    regions = _table_regions(hlines, vlines, width)
    if regions:
        inside: list[list[_Char]] = [[] for _ in regions]
        rest: list[_Char] = []
        for c in chars:
            cx, cy = (c.x0 + c.x1) / 2, (c.top + c.bottom) / 2
            for k, (x0, top, x1, bottom, _, _) in enumerate(regions):
                if x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1:
                    inside[k].append(c)
                    break
            else:
                rest.append(c)
        chars = rest
        for region, region_chars in zip(regions, inside):
            rows = _table_rows(region, region_chars)
            if rows:
                x0, top, x1, bottom, _, _ = region
                items.tables.append(TableBlock(x0, top, x1, bottom, rows))
    items.lines = _group_lines(chars)
    mark_edges(items.lines, height)
    return items


def _page_chars(textpage: Any, page_height: float) -> list[_Char]:
    import ctypes

    import pypdfium2.raw as pdfium_c

    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    rect = pdfium_c.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    get_unicode = pdfium_c.FPDFText_GetUnicode
    get_box = pdfium_c.FPDFText_GetLooseCharBox
    out: list[_Char] = []
    append = out.append
    for i in range(count):
        code = get_unicode(raw, i)
        if code in (0, 0xFFFE, 0xFFFF) or 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        if ch in "\r\n":
            continue
        if not get_box(raw, i, rect_ref):
            continue
        # FS_RECTF from the loose box: left, top, right, bottom in PDF (bottom-up) space.
        append(_Char(ch, rect.left, page_height - rect.top, rect.right, page_height - rect.bottom))
    return out


def _is_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def _group_lines(chars: list[_Char]) -> list[TextLine]:
    """Runs of characters on one baseline, split where the gap is wider than 1.5 em."""
    lines: list[TextLine] = []
    buf: list[str] = []
    cur: list[float] | None = None  # x0, top, x1, bottom, size
    pending_space = False

    def flush() -> None:
        nonlocal buf, cur
        if cur is not None and buf:
            text = "".join(buf).strip()
            if text:
                lines.append(TextLine(text, cur[0], cur[1], cur[2], cur[3], cur[4]))
        buf = []
        cur = None

    for c in chars:
        if c.ch.isspace():
            pending_space = True
            continue
        h = max(c.bottom - c.top, 0.1)
        if cur is not None:
            mid = (c.top + c.bottom) / 2
            line_mid = (cur[1] + cur[3]) / 2
            same_line = abs(mid - line_mid) < 0.5 * cur[4]
            gap = c.x0 - cur[2]
            if not same_line or gap < -cur[4] or gap > 1.5 * cur[4]:
                flush()
        if cur is None:
            cur = [c.x0, c.top, c.x1, c.bottom, h]
            buf = [c.ch]
        else:
            if pending_space and buf and not (_is_cjk(buf[-1]) and _is_cjk(c.ch)):
                buf.append(" ")
            elif not pending_space and buf and not _is_cjk(buf[-1]) and not _is_cjk(c.ch):
                if c.x0 - cur[2] > 0.25 * cur[4] and buf[-1].isalnum() and c.ch.isalnum():
                    buf.append(" ")
            buf.append(c.ch)
            cur[0] = min(cur[0], c.x0)
            cur[1] = min(cur[1], c.top)
            cur[2] = max(cur[2], c.x1)
            cur[3] = max(cur[3], c.bottom)
            cur[4] = max(cur[4], h)
        pending_space = False
    flush()
    return lines


# --------------------------------------------------------------------------- tables

_Region = tuple[float, float, float, float, list[float], list[float]]


def _rulings(page: Any, page_height: float) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """Horizontal (y, x0, x1) and vertical (x, top, bottom) rules drawn as paths."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    raw = page.raw
    count = pdfium_c.FPDFPage_CountObjects(raw)
    hlines: list[tuple[float, float, float]] = []
    vlines: list[tuple[float, float, float]] = []
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    refs = [ctypes.byref(v) for v in (left, bottom, right, top)]
    path_type = pdfium_c.FPDF_PAGEOBJ_PATH
    for i in range(count):
        obj = pdfium_c.FPDFPage_GetObject(raw, i)
        if pdfium_c.FPDFPageObj_GetType(obj) != path_type:
            continue
        if not pdfium_c.FPDFPageObj_GetBounds(obj, *refs):
            continue
        x0, x1 = left.value, right.value
        y0, y1 = page_height - top.value, page_height - bottom.value
        w, h = x1 - x0, y1 - y0
        if h <= 3 and w > 8:
            hlines.append(((y0 + y1) / 2, x0, x1))
        elif w <= 3 and h > 8:
            vlines.append(((x0 + x1) / 2, y0, y1))
        elif w > 8 and h > 8:  # a rectangle: its four edges
            hlines += [(y0, x0, x1), (y1, x0, x1)]
            vlines += [(x0, y0, y1), (x1, y0, y1)]
    return hlines, vlines


def _cluster(values: Iterable[float], tol: float = 2.0) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tol:
            continue
        out.append(v)
    return out


def _table_regions(
    hlines: list[tuple[float, float, float]],
    vlines: list[tuple[float, float, float]],
    page_width: float,
) -> list[_Region]:
    """Group rules into tables: connected grids, or three-line tables (rules of equal width)."""
    if len(hlines) < 2:
        return []
    tol = 2.0
    parent = list(range(len(hlines) + len(vlines)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (y, hx0, hx1) in enumerate(hlines):
        for j, (x, vy0, vy1) in enumerate(vlines):
            if hx0 - tol <= x <= hx1 + tol and vy0 - tol <= y <= vy1 + tol:
                parent[find(i)] = find(len(hlines) + j)
    groups: dict[int, tuple[list[int], list[int]]] = {}
    for i in range(len(hlines)):
        groups.setdefault(find(i), ([], []))[0].append(i)
    for j in range(len(vlines)):
        groups.setdefault(find(len(hlines) + j), ([], []))[1].append(j)
    regions: list[_Region] = []
    loose: list[tuple[float, float, float]] = []
    for hs, vs in groups.values():
        if not vs:
            loose += [hlines[i] for i in hs]
            continue
        ys = _cluster([hlines[i][0] for i in hs])
        xs = _cluster([vlines[j][0] for j in vs])
        if len(ys) < 2 or len(xs) < 2:
            continue
        regions.append((xs[0], ys[0], xs[-1], ys[-1], xs, ys))
    # Three-line tables: three or more wide rules with the same left and right ends.
    loose = [h for h in loose if h[2] - h[1] > 0.3 * page_width]
    loose.sort()
    used = [False] * len(loose)
    for i, (y, x0, x1) in enumerate(loose):
        if used[i]:
            continue
        members = [i]
        for j in range(i + 1, len(loose)):
            if not used[j] and abs(loose[j][1] - x0) <= tol and abs(loose[j][2] - x1) <= tol:
                members.append(j)
        if len(members) >= 3:
            for j in members:
                used[j] = True
            ys = _cluster([loose[j][0] for j in members])
            regions.append((x0, ys[0], x1, ys[-1], [], ys))
    return regions


def _table_rows(region: _Region, chars: list[_Char]) -> list[list[str]]:
    x0, top, x1, bottom, xs, ys = region
    visible = [c for c in chars if not c.ch.isspace()]
    if not visible:
        return []
    if not xs:  # three-line table: columns from gaps between characters, rows from lines
        size = statistics.median(c.bottom - c.top for c in visible)
        spans: list[list[float]] = []
        for c in sorted(visible, key=lambda c: c.x0):
            if spans and c.x0 - spans[-1][1] < 0.9 * size:
                spans[-1][1] = max(spans[-1][1], c.x1)
            else:
                spans.append([c.x0, c.x1])
        xs = [x0] + [(a[1] + b[0]) / 2 for a, b in zip(spans, spans[1:])] + [x1]
        line_ys = _cluster([(c.top + c.bottom) / 2 for c in visible], tol=0.5 * size)
        ys = [top] + [(a + b) / 2 for a, b in zip(line_ys, line_ys[1:])] + [bottom]
    ncols, nrows = len(xs) - 1, len(ys) - 1
    cells: list[list[list[_Char]]] = [[[] for _ in range(ncols)] for _ in range(nrows)]
    for c in chars:
        cx, cy = (c.x0 + c.x1) / 2, (c.top + c.bottom) / 2
        col = min(max(bisect_right(xs, cx) - 1, 0), ncols - 1)
        row = min(max(bisect_right(ys, cy) - 1, 0), nrows - 1)
        cells[row][col].append(c)
    rows: list[list[str]] = []
    for row_cells in cells:
        texts = [_cell_text(cs) for cs in row_cells]
        if any(texts):
            rows.append(texts)
    return rows


def _cell_text(chars: list[_Char]) -> str:
    lines = _group_lines(chars)
    return join_lines([line.text for line in lines]).replace("\t", " ")
