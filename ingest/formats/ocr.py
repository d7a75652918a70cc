"""Offline OCR of scans and images (RapidOCR's bundled PP-OCR Chinese models, or Tesseract).

Measured with ``python -m evals.bench_formats --pages 8 --memory-pages 0 --ocr-pages 8 --ocr-only``
(pages rendered at 200 dpi from the corpus). RapidOCR settings, and why:

* no angle classifier (``use_cls=False``): scans are upright, and the classifier flipped
  good lines by 180 degrees, which alone cost about 9 points of CER;
* recognition is about 85 % of the time and grows with the width of the text crops once
  scaled to the model's 48 px height, so crops are narrowed to ``REC_SQUEEZE`` of their
  width before recognition (0.6: ~2.5x faster, same CER; 0.5 starts to lose characters);
* detection runs on the page shrunk to ``DET_SIDE`` px (its cost grows with pixels), while
  the crops for recognition are cut from the full-resolution page (``MAX_SIDE``);
* the sessions are created once per process, with ``intra_op_num_threads`` = CPUs.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ingest.formats.document import Document
from rag.errors import CorpusFormatError

INSTALL_HINT = "install it with: pip install 'yearbook-qa[ocr]'"
ENGINES = ("rapidocr", "tesseract")
DEFAULT_ENGINE = "rapidocr"
# Large scans are shrunk so their longer side is at most this many pixels (about 200 dpi A4).
MAX_SIDE = 2400
MIN_SCORE = 0.5
DET_SIDE = 1280
REC_SQUEEZE = 0.6

LineReader = Callable[[Any], list[Any]]


class OcrUnavailable(Exception):
    """The OCR engine is not installed; the message says how to install it."""


def line_reader(engine: str | None = None) -> LineReader:
    """A function from a PIL image to its text lines (``TextLine`` in pixel coordinates).

    ``engine`` defaults to ``DEFAULT_ENGINE`` as it is when called.

    Raises:
        OcrUnavailable: the engine (or its models) is not installed here.
    """
    engine = engine or DEFAULT_ENGINE
    if engine == "rapidocr":
        rapid = _rapidocr()
        return functools.partial(_read_rapidocr, rapid)
    if engine == "tesseract":
        _tesseract_check()
        return _read_tesseract
    raise ValueError(f"unknown OCR engine {engine!r}; choose one of {ENGINES}")


@functools.lru_cache(maxsize=1)
def _rapidocr() -> Any:
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:
        raise OcrUnavailable(f"OCR (rapidocr-onnxruntime) is not installed; {INSTALL_HINT}") from exc
    except Exception as exc:  # e.g. OpenCV cannot load a system library
        raise OcrUnavailable(f"OCR (rapidocr-onnxruntime) cannot start: {exc}") from exc
    threads = max(1, os.cpu_count() or 1)
    engine = RapidOCR(
        use_cls=False,
        max_side_len=MAX_SIDE,
        intra_op_num_threads=threads,
        inter_op_num_threads=1,
        det_limit_type="max",
        det_limit_side_len=DET_SIDE,
    )
    recognise = engine.text_rec
    engine.text_rec = functools.partial(_squeezed, recognise)
    return engine


def _squeezed(recognise: Any, crops: Any, *args: Any) -> Any:
    """Recognise text crops narrowed to ``REC_SQUEEZE`` of their width (see the module doc)."""
    import cv2

    if not isinstance(crops, list):
        crops = [crops]
    narrow = [
        cv2.resize(c, (max(1, round(c.shape[1] * REC_SQUEEZE)), c.shape[0]), interpolation=cv2.INTER_AREA)
        if c.shape[1] > c.shape[0] else c
        for c in crops
    ]
    return recognise(narrow, *args)


def _read_rapidocr(engine: Any, image: Any) -> list[Any]:
    import numpy as np

    from ingest.formats.page_layout import TextLine

    rgb = image.convert("RGB")
    result, _ = engine(np.asarray(rgb), use_cls=False)
    lines = []
    for box, text, score in result or []:
        text = str(text).strip()
        if not text or float(score) < MIN_SCORE:
            continue
        xs = [float(p[0]) for p in box]
        ys = [float(p[1]) for p in box]
        top, bottom = min(ys), max(ys)
        lines.append(TextLine(text, min(xs), top, max(xs), bottom, bottom - top))
    return lines


def _tesseract_check() -> None:
    if shutil.which("tesseract") is None:
        raise OcrUnavailable(
            "OCR (tesseract) is not installed; apt-get install tesseract-ocr tesseract-ocr-chi-sim"
        )


def _read_tesseract(image: Any) -> list[Any]:
    """Tesseract through its command line (chi_sim), lines rebuilt from its TSV words."""
    import subprocess
    import tempfile

    from ingest.formats.page_layout import TextLine, join_lines

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "page.png"
        image.save(src)
        proc = subprocess.run(
            ["tesseract", str(src), "stdout", "-l", "chi_sim", "--psm", "3", "tsv"],
            capture_output=True, text=True, check=False,
            env={"OMP_THREAD_LIMIT": "2", "PATH": "/usr/bin:/bin"},
        )
    if proc.returncode != 0:
        raise OcrUnavailable(f"tesseract failed: {proc.stderr.strip()[:200]}")
    words: dict[tuple[int, int, int], list[tuple[str, int, int, int, int]]] = {}
    for row in proc.stdout.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or not cols[11].strip():
            continue
        key = (int(cols[2]), int(cols[3]), int(cols[4]))
        left, top, width, height = (int(v) for v in cols[6:10])
        words.setdefault(key, []).append((cols[11].strip(), left, top, left + width, top + height))
    lines = []
    for parts in words.values():
        text = join_lines([w[0] for w in parts])
        top = min(w[2] for w in parts)
        bottom = max(w[4] for w in parts)
        lines.append(TextLine(text, min(w[1] for w in parts), top, max(w[3] for w in parts),
                              bottom, bottom - top))
    return lines


def load_image(
    path: Path,
    *,
    progress: bool = False,
    on_page: Callable[[int, int], None] | None = None,
    engine: str = DEFAULT_ENGINE,
) -> Document:
    """OCR an image file (every frame of a multi-page TIFF is a page)."""
    from PIL import Image, ImageSequence, UnidentifiedImageError
    from tqdm import tqdm

    from ingest.formats.page_layout import PageItems, assemble, mark_edges, merge_rows

    try:
        reader = line_reader(engine)
    except OcrUnavailable as exc:
        raise CorpusFormatError(f"{path}: an image needs OCR to be read, but {exc}") from exc
    try:
        image = Image.open(path)
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise CorpusFormatError(
            f"{path}: cannot be decoded as an image (damaged, or not really a {path.suffix} file)"
        ) from exc
    pages: list[PageItems] = []
    warnings: list[str] = []
    try:
        total = getattr(image, "n_frames", 1)
        with tqdm(total=total, desc=path.name, unit="page", disable=not progress) as bar:
            for index, frame in enumerate(ImageSequence.Iterator(image)):
                try:
                    frame, scale = _fit(frame)
                    lines = reader(frame)
                except OSError as exc:
                    raise CorpusFormatError(
                        f"{path}: page {index + 1} cannot be decoded as an image"
                    ) from exc
                for line in lines:
                    line.x0 /= scale
                    line.x1 /= scale
                    line.top /= scale
                    line.bottom /= scale
                    line.size /= scale
                width, height = frame.size[0] / scale, frame.size[1] / scale
                lines = merge_rows(lines)
                mark_edges(lines, height)
                pages.append(PageItems(index + 1, width, height, lines))
                if not lines:
                    warnings.append(f"page {index + 1}: OCR found no text")
                bar.update(1)
                if on_page is not None:
                    on_page(index + 1, total)
    finally:
        image.close()
    document = assemble(pages, warnings)
    if len(pages) == 1:
        document.pages = [(0, 1)]
    return document


def _fit(frame: Any) -> tuple[Any, float]:
    """Shrink an oversized scan (OCR time grows with pixels); return it and the scale used."""
    width, height = frame.size
    scale = min(1.0, MAX_SIDE / max(width, height))
    if scale < 1.0:
        frame = frame.resize((round(width * scale), round(height * scale)))
    return (frame.convert("RGB") if frame.mode not in ("RGB", "L") else frame), scale
