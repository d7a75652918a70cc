"""Read yearbook files as text: UTF-8 (with or without BOM) or GB18030/GBK, with clear errors."""

from __future__ import annotations

from pathlib import Path

from rag.errors import CorpusFormatError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
MAX_FILE_BYTES = 512 * 1024 * 1024


def decode_bytes(data: bytes, name: str) -> str:
    """Decode a yearbook file's bytes, trying UTF-8 first and GB18030 second.

    Args:
        data: the raw file content.
        name: the file name, used in error messages.

    Raises:
        CorpusFormatError: the content is empty, binary, or in no supported encoding.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise CorpusFormatError(f"{name}: broken {encoding} text ({exc.reason})") from exc
            return _check_not_empty(_normalise_newlines(text), name)
    if not data.strip():
        raise CorpusFormatError(f"{name}: the file is empty")
    if b"\x00" in data[:65536]:
        raise CorpusFormatError(f"{name}: not a text file (binary content)")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return _normalise_newlines(text)
    raise CorpusFormatError(
        f"{name}: cannot be decoded as UTF-8 or GB18030; save it as UTF-8 and try again"
    )


def check_file(path: Path) -> int:
    """The size of a yearbook file that exists, is a file and is under the size limit.

    Raises:
        CorpusFormatError: missing, a folder, or too large.
    """
    if not path.exists():
        raise CorpusFormatError(f"{path}: no such file")
    if path.is_dir():
        raise CorpusFormatError(f"{path}: is a folder, not a file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise CorpusFormatError(f"{path}: {size} bytes is larger than the {MAX_FILE_BYTES} byte limit")
    return size


def read_text(path: Path) -> str:
    """Read one yearbook file as text (see :func:`decode_bytes`)."""
    check_file(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusFormatError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    return decode_bytes(data, str(path))


def _check_not_empty(text: str, name: str) -> str:
    if not text.strip():
        raise CorpusFormatError(f"{name}: the file is empty")
    return text


def _looks_binary(text: str) -> bool:
    """True when many characters are control characters (not tab or newline)."""
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls > max(8, len(sample) // 100)


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
