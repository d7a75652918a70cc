"""Measure the PDF/OCR loaders on PDFs generated from the bundled yearbook text: `python -m evals.bench_formats`."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "corpus" / "sip-2020-party-government.txt"  # origin 000_43b0d6d9b33a0042.txt
FONT_DIR = Path("/usr/share/fonts/opentype/noto")
FONT_REGULAR = FONT_DIR / "NotoSerifCJK-Regular.ttc"
FONT_BOLD = FONT_DIR / "NotoSerifCJK-Bold.ttc"
FONT_INDEX_SC = 2  # Simplified Chinese face inside the Noto CJK collections
RUNNING_HEAD = "苏州工业园区年鉴·2020"
TABLE_CAPTION_RE = re.compile(r"^表\s*\d+\s+\S")


# --------------------------------------------------------------------------- metrics


def levenshtein(a: str, b: str) -> int:
    """Edit distance by Hyyrö's bit-parallel algorithm (fast for 100k-character strings)."""
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return len(a)
    peq: dict[str, int] = {}
    for i, ch in enumerate(b):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    full = (1 << m) - 1
    high = 1 << (m - 1)
    pv, mv, score = full, 0, m
    for ch in a:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & full)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | 1) & full
        mh = (mh << 1) & full
        pv = mh | (~(xv | ph) & full)
        mv = ph & xv
    return score


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def cer(hypothesis: str, reference: str) -> float:
    """Character error rate: edit distance over reference length, whitespace removed."""
    ref, hyp = squeeze(reference), squeeze(hypothesis)
    return levenshtein(hyp, ref) / max(1, len(ref))


# --------------------------------------------------------------------------- corpus → PDF


@dataclass
class Block:
    kind: str  # heading | para | caption | table
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)


def corpus_blocks(path: Path = CORPUS) -> list[Block]:
    """The yearbook text as headings, paragraphs, captions and tables (blank lines dropped)."""
    blocks: list[Block] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if "\t" in raw:
            cells = [c.strip() for c in raw.strip("\n").split("\t")]
            if blocks and blocks[-1].kind == "table" and len(cells) == len(blocks[-1].rows[0]):
                blocks[-1].rows.append(cells)
            else:
                blocks.append(Block("table", rows=[cells]))
        elif TABLE_CAPTION_RE.match(line):
            blocks.append(Block("caption", line))
        elif len(line) <= 20 and not re.search(r"[。，；：、【】]", line):
            blocks.append(Block("heading", line))
        else:
            blocks.append(Block("para", line))
    return blocks


def reference_text(blocks: list[Block]) -> str:
    parts = []
    for b in blocks:
        parts += ["".join(r) for r in b.rows] if b.kind == "table" else [b.text]
    return "".join(parts)


def new_pdf(head: bool = True) -> Any:
    from fpdf import FPDF

    class YearbookPDF(FPDF):
        def header(self) -> None:  # noqa: D102 - fpdf2 hook
            if head:
                self.set_font("noto", size=9)
                self.set_y(28)
                self.cell(0, 12, RUNNING_HEAD, align="C")
                self.set_y(self.t_margin)

        def footer(self) -> None:  # noqa: D102 - fpdf2 hook
            if head:
                self.set_font("noto", size=9)
                self.set_y(-40)
                label = f"- {self.page_no()} -" if self.page_no() % 2 else str(self.page_no())
                self.cell(0, 12, label, align="C")

    pdf = YearbookPDF(unit="pt", format="A4")
    pdf.add_font("noto", fname=str(FONT_REGULAR), collection_font_number=FONT_INDEX_SC)
    pdf.add_font("noto", style="B", fname=str(FONT_BOLD), collection_font_number=FONT_INDEX_SC)
    pdf.set_margins(64, 64, 64)
    pdf.set_auto_page_break(True, margin=64)
    return pdf


def write_blocks(pdf: Any, blocks: list[Block], size: float = 10.5) -> None:
    """Typeset blocks like a yearbook: indented paragraphs, centred headings, ruled tables."""
    from fpdf.enums import WrapMode
    from fpdf.fonts import FontFace

    line_h = size * 1.6
    for b in blocks:
        if b.kind == "heading":
            pdf.ln(line_h * 0.5)
            pdf.set_font("noto", "B", size * 1.3)
            pdf.multi_cell(0, size * 2, b.text, align="C", new_x="LMARGIN", new_y="NEXT")
        elif b.kind == "caption":
            pdf.set_font("noto", "B", size)
            pdf.multi_cell(0, line_h, b.text, align="C", new_x="LMARGIN", new_y="NEXT")
        elif b.kind == "para":
            pdf.set_font("noto", "", size)
            pdf.set_x(pdf.l_margin + 2 * size)
            pdf.write(line_h, b.text, wrapmode=WrapMode.CHAR)
            pdf.ln(line_h)
        else:
            pdf.set_font("noto", "", size * 0.85)
            with pdf.table(
                line_height=size * 1.3, text_align="LEFT", wrapmode=WrapMode.CHAR,
                headings_style=FontFace(emphasis="BOLD"), repeat_headings=0,
            ) as table:
                for row in b.rows:
                    cells = table.row()
                    for cell in row:
                        cells.cell(cell)
            pdf.ln(line_h * 0.5)


def write_corpus_pdf(path: Path, pages: int, *, blocks: list[Block] | None = None) -> str:
    """A yearbook-like PDF of about ``pages`` pages from the corpus (repeated as needed).

    Blocks are written until page ``pages`` is reached, so the last page is part-filled.
    Returns the reference text: every block written, without running head or page numbers.
    """
    blocks = blocks if blocks is not None else corpus_blocks()
    pdf = new_pdf()
    pdf.add_page()
    written: list[Block] = []
    i = 0
    while pdf.page_no() < pages or i == 0:
        block = blocks[i % len(blocks)]
        write_blocks(pdf, [block])
        written.append(block)
        i += 1
    pdf.output(str(path))
    return reference_text(written)


def write_cid_pdf(path: Path, pages: int, *, blocks: list[Block] | None = None) -> str:
    """The corpus as plain text pages in ReportLab's built-in STSong-Light CID font.

    pdfminer (under pdfplumber) cannot decode fpdf2's embedded-CMap CJK fonts at all, so
    this second PDF, which both libraries read, is the fair ground for comparing them.
    Tables are written as lines of cells; returns the reference text.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    blocks = blocks if blocks is not None else corpus_blocks()
    width, height = 595.28, 841.89
    size, per_line, left = 10.5, 44, 66.0
    c = canvas.Canvas(str(path), pagesize=(width, height))
    page, y = 1, height - 72
    written: list[str] = []

    def chrome() -> None:
        c.setFont("STSong-Light", 9)
        c.drawCentredString(width / 2, height - 40, RUNNING_HEAD)
        c.drawCentredString(width / 2, 36, f"- {page} -")
        c.setFont("STSong-Light", size)

    chrome()
    i = 0
    while page <= pages:
        block = blocks[i % len(blocks)]
        i += 1
        texts = ["  ".join(r) for r in block.rows] if block.kind == "table" else [block.text]
        for text in texts:
            written.append(text)
            lines = [text[k:k + per_line] for k in range(0, len(text), per_line)]
            for n, line in enumerate(lines):
                if y < 72:
                    c.showPage()
                    page += 1
                    y = height - 72
                    chrome()
                x = left + (2 * size if n == 0 and block.kind == "para" else 0)
                c.drawString(x, y, line)
                y -= size * 1.6
        if page > pages:
            break
    c.save()
    return "".join(written)


def image_pdf(source: Path, target: Path, dpi: int = 200, first: int = 0, count: int | None = None) -> None:
    """Render pages of ``source`` to bitmaps and save them as an image-only PDF (a 'scan')."""
    import pypdfium2 as pdfium
    from fpdf import FPDF

    doc = pdfium.PdfDocument(str(source))
    out = FPDF(unit="pt", format="A4")
    last = len(doc) if count is None else min(len(doc), first + count)
    tmps = []
    for index in range(first, last):
        page = doc[index]
        image = page.render(scale=dpi / 72, grayscale=True).to_pil()
        # one file per page: fpdf2 caches images by file name, so reusing one name
        # would put the first page's bitmap on every page
        with_tmp = target.with_suffix(f".page{index}.png")
        image.save(with_tmp)
        tmps.append(with_tmp)
        out.add_page()
        out.image(str(with_tmp), x=0, y=0, w=out.w, h=out.h)
        page.close()
    doc.close()
    out.output(str(target))
    for tmp in tmps:
        tmp.unlink(missing_ok=True)


def render_page(pdf_path: Path, index: int, dpi: int = 200) -> Any:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf_path))
    try:
        page = doc[index]
        image = page.render(scale=dpi / 72, grayscale=True).to_pil()
        page.close()
        return image
    finally:
        doc.close()


# --------------------------------------------------------------------------- measurements


_NOISE = re.compile(rf"^\s*(?:{re.escape(RUNNING_HEAD)}|-?\s*\d+\s*-?)\s*$")


def _strip_noise(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not _NOISE.match(line))


def bench_text_layer(pdf_path: Path, reference: str, *, find_tables: bool = True) -> dict[str, Any]:
    import pdfplumber
    import pypdfium2 as pdfium

    from ingest.formats import load_document

    results: dict[str, Any] = {}
    t = time.perf_counter()
    doc = pdfium.PdfDocument(str(pdf_path))
    n = len(doc)
    parts = []
    for i in range(n):
        page = doc[i]
        tp = page.get_textpage()
        parts.append(tp.get_text_range())
        tp.close()
        page.close()
    doc.close()
    secs = time.perf_counter() - t
    results["pypdfium2_raw"] = {"pages": n, "seconds": round(secs, 3), "pages_per_s": round(n / secs, 1),
                                "cer": round(cer(_strip_noise("\n".join(parts)), reference), 4)}
    t = time.perf_counter()
    parts = []
    with pdfplumber.open(str(pdf_path)) as pdf:
        for page in pdf.pages:
            parts.append(page.extract_text() or "")
            page.close()
    secs = time.perf_counter() - t
    results["pdfplumber_raw"] = {"pages": n, "seconds": round(secs, 3), "pages_per_s": round(n / secs, 1),
                                 "cer": round(cer(_strip_noise("\n".join(parts)), reference), 4)}
    if find_tables:
        t = time.perf_counter()
        tables = 0
        with pdfplumber.open(str(pdf_path)) as pdf:
            for page in pdf.pages:
                tables += len(page.find_tables())
                page.close()
        secs = time.perf_counter() - t
        results["pdfplumber_find_tables"] = {"pages": n, "seconds": round(secs, 3),
                                             "pages_per_s": round(n / secs, 1), "tables": tables}
    t = time.perf_counter()
    document = load_document(pdf_path)
    secs = time.perf_counter() - t
    results["load_document_pdf"] = {  # pypdfium2 + layout, rulings and head removal
        "pages": n, "seconds": round(secs, 3), "pages_per_s": round(n / secs, 1),
        "cer": round(cer(document.text, reference), 4),
        "table_rows": sum(1 for line in document.text.splitlines() if "\t" in line),
    }
    return results


def bench_memory(pdf_path: Path) -> dict[str, Any]:
    """Peak RSS of a fresh process loading the PDF, against the same process only importing."""
    code = (
        "import resource, sys, time\n"
        "from pathlib import Path\n"
        "import pypdfium2, ingest.formats.pdf\n"
        "from ingest.formats import load_document\n"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "t = time.perf_counter()\n"
        "doc = load_document(Path(sys.argv[1]))\n"
        "secs = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(base, peak, len(doc.pages), len(doc.text), secs)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(pdf_path)], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout.split()
    base, peak, pages, chars, secs = int(out[0]), int(out[1]), int(out[2]), int(out[3]), float(out[4])
    return {"pages": pages, "chars": chars, "seconds": round(secs, 2), "pages_per_s": round(pages / secs, 1),
            "rss_after_import_mb": round(base / 1024, 1), "peak_rss_mb": round(peak / 1024, 1),
            "file_mb": round(pdf_path.stat().st_size / 2**20, 1)}


def fold(text: str) -> str:
    """NFKC, whitespace removed: full- and half-width forms (，/, （/( ２/2) count as equal.

    The corpus prints mostly ASCII punctuation inside Chinese text, which no OCR can tell
    from the full-width form; retrieval folds both the same way (rag.text).
    """
    return squeeze(unicodedata.normalize("NFKC", text))


def bag_errors(hypothesis: str, reference: str) -> int:
    """Order-insensitive errors: characters missing or extra, counted as multisets.

    A lower bound of the edit distance under any reading order: a misread character is one
    missing plus one extra (counted once), a lost or invented one counts once.
    """
    hyp, ref = Counter(hypothesis), Counter(reference)
    return max(sum((ref - hyp).values()), sum((hyp - ref).values()))


def _error_rates(outs: list[str], refs: list[str]) -> dict[str, Any]:
    total = sum(len(squeeze(r)) for r in refs) or 1
    plain = sum(levenshtein(squeeze(o), squeeze(r)) for o, r in zip(outs, refs))
    folded = sum(levenshtein(fold(o), fold(r)) for o, r in zip(outs, refs))
    bag = sum(bag_errors(fold(o), fold(r)) for o, r in zip(outs, refs))
    return {
        "cer": round(plain / total, 4),  # as printed, reading order included
        "cer_folded": round(folded / total, 4),  # width-folded, reading order included
        "cer_bag": round(bag / total, 4),  # width-folded, reading order ignored
        "per_page_cer_folded": [round(levenshtein(fold(o), fold(r)) / max(1, len(fold(r))), 4)
                                for o, r in zip(outs, refs)],
    }


def bench_ocr(pdf_path: Path, pages: int, engines: tuple[str, ...] | None = None,
              first: int = 0) -> dict[str, Any]:
    """CER and speed of each OCR engine through the real scan path.

    The first ``pages`` pages (from ``first``) of the generated PDF are rendered to bitmaps
    and saved as an image-only PDF (a scan); ``load_document`` reads it as the loader does
    (render at ``pdf.OCR_DPI``, OCR, rows merged, running heads and page numbers dropped,
    layout). Each page's output is compared with the page's own text layer without the
    running head and page number. Timing includes rendering, OCR and layout, not model loading.
    """
    import pypdfium2 as pdfium

    from ingest.formats import load_document, ocr
    from ingest.formats.pdf import OCR_DPI

    doc = pdfium.PdfDocument(str(pdf_path))
    pages = min(pages, len(doc) - first)
    refs = []
    for i in range(first, first + pages):
        page = doc[i]
        tp = page.get_textpage()
        refs.append(_strip_noise(tp.get_text_range().replace("\r", "")))
        tp.close()
        page.close()
    doc.close()
    scan = pdf_path.with_name(f"{pdf_path.stem}-scan-{first}-{pages}p.pdf")
    image_pdf(pdf_path, scan, dpi=OCR_DPI, first=first, count=pages)
    results: dict[str, Any] = {"dpi": OCR_DPI, "pages": pages, "first_page": first + 1,
                               "cpus": os.cpu_count(), "default_engine": ocr.DEFAULT_ENGINE}
    default = ocr.DEFAULT_ENGINE
    for engine in engines or ocr.ENGINES:
        try:
            reader = ocr.line_reader(engine)
        except ocr.OcrUnavailable as exc:
            results[engine] = {"error": str(exc)}
            continue
        reader(render_page(pdf_path, first, 72))  # load the models outside the timing
        ocr.DEFAULT_ENGINE = engine
        try:
            t = time.perf_counter()
            document = load_document(scan)
            secs = time.perf_counter() - t
        finally:
            ocr.DEFAULT_ENGINE = default
        bounds = [start for start, _ in document.pages] + [len(document.text)]
        outs = [document.text[a:b] for a, b in zip(bounds, bounds[1:])]
        results[engine] = {"seconds": round(secs, 2), "seconds_per_page": round(secs / pages, 2),
                           "pages_per_s": round(pages / secs, 3), **_error_rates(outs, refs)}
        if engine == "rapidocr":
            results[engine]["settings"] = {"use_cls": False, "det_side": ocr.DET_SIDE,
                                           "rec_squeeze": ocr.REC_SQUEEZE, "max_side": ocr.MAX_SIDE}
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench_formats", description=__doc__)
    parser.add_argument("--pages", type=int, default=50, help="pages of the speed PDF (default 50)")
    parser.add_argument("--memory-pages", type=int, default=500, help="pages of the memory PDF (default 500)")
    parser.add_argument("--ocr-pages", type=int, default=4, help="pages OCR'd per engine (default 4)")
    parser.add_argument("--ocr-first", type=int, default=1,
                        help="first page OCR'd, 1-based (default 1)")
    parser.add_argument("--ocr-engines", default=None,
                        help="comma-separated OCR engines (default: all)")
    parser.add_argument("--ocr-only", action="store_true", help="skip the text-layer benches")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "formats")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}

    speed_pdf = args.out / f"corpus-{args.pages}p.pdf"
    t = time.perf_counter()
    reference = write_corpus_pdf(speed_pdf, args.pages)
    report["generate_seconds"] = round(time.perf_counter() - t, 1)
    if not args.ocr_only:
        report["text_layer"] = bench_text_layer(speed_pdf, reference)
        print(json.dumps({"text_layer": report["text_layer"]}, ensure_ascii=False, indent=1), flush=True)
        cid_pdf = args.out / f"corpus-cid-{args.pages}p.pdf"
        cid_reference = write_cid_pdf(cid_pdf, args.pages)
        report["text_layer_cid_font"] = bench_text_layer(cid_pdf, cid_reference, find_tables=False)
        print(json.dumps({"text_layer_cid_font": report["text_layer_cid_font"]}, ensure_ascii=False,
                         indent=1), flush=True)

    if args.memory_pages and not args.ocr_only:
        big_pdf = args.out / f"corpus-{args.memory_pages}p.pdf"
        write_corpus_pdf(big_pdf, args.memory_pages)
        report["memory"] = bench_memory(big_pdf)
        print(json.dumps({"memory": report["memory"]}, ensure_ascii=False, indent=1), flush=True)

    if args.ocr_pages:
        engines = tuple(e.strip() for e in args.ocr_engines.split(",")) if args.ocr_engines else None
        report["ocr"] = bench_ocr(speed_pdf, args.ocr_pages, engines, first=max(0, args.ocr_first - 1))
        print(json.dumps({"ocr": report["ocr"]}, ensure_ascii=False, indent=1), flush=True)

    target = args.out / "bench_formats.json"
    target.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"written {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
