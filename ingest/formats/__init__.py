"""Turn PDF, Word .docx, scanned images and .txt yearbook files into parser-ready text.

Every loader returns a :class:`Document`: the text in the layout :mod:`ingest.parse` reads
(one paragraph per line, headings on their own short line, tables as a ``表N …`` caption line
followed by one tab-separated line per row, header first), where each page starts, and
warnings for the person ingesting. Bad input raises :class:`rag.errors.CorpusFormatError`
with a message a person understands. Heavy libraries (pypdfium2, python-docx, the OCR engine)
are imported only when a file of their kind is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.formats.document import Document
from rag.errors import CorpusFormatError

__all__ = ["Document", "SUPPORTED_SUFFIXES", "IMAGE_SUFFIXES", "load_document"]

IMAGE_SUFFIXES: tuple[str, ...] = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".pdf", ".docx", *IMAGE_SUFFIXES)

PageCallback = Callable[[int, int], None]


def load_document(
    path: Path,
    *,
    progress: bool = False,
    on_page: PageCallback | None = None,
) -> Document:
    """Load one yearbook file of any supported kind.

    Args:
        path: a .txt, .pdf, .docx or image file (see ``SUPPORTED_SUFFIXES``).
        progress: show a tqdm bar, one step per page.
        on_page: called as ``on_page(done, total)`` after each page (once for .txt/.docx).

    Raises:
        CorpusFormatError: missing, too large, unsupported, encrypted, damaged or unreadable.
    """
    from ingest.reader import check_file, read_text

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise CorpusFormatError(
            f"{path}: unsupported file type {suffix or '(no suffix)'}; "
            f"supported: {', '.join(SUPPORTED_SUFFIXES)}"
        )
    if check_file(path) == 0:
        raise CorpusFormatError(f"{path}: the file is empty")
    if suffix == ".txt":
        document = Document(read_text(path), [], [])
        _single_step(on_page)
        return document
    if suffix == ".pdf":
        from ingest.formats.pdf import load_pdf

        return load_pdf(path, progress=progress, on_page=on_page)
    if suffix == ".docx":
        from ingest.formats.docx import load_docx

        document = load_docx(path)
        _single_step(on_page)
        return document
    from ingest.formats.ocr import load_image

    return load_image(path, progress=progress, on_page=on_page)


def _single_step(on_page: PageCallback | None) -> None:
    if on_page is not None:
        on_page(1, 1)
