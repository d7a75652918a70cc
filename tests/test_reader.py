"""Reader tests: encodings that decode to the same text, and clear errors for unreadable files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.reader import decode_bytes, read_text
from rag.errors import CorpusFormatError
from tests.conftest import CORPUS

PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00"


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("utf8.txt", lambda t: t.encode("utf-8")),
        ("utf8-bom.txt", lambda t: b"\xef\xbb\xbf" + t.encode("utf-8")),
        ("gb18030.txt", lambda t: t.encode("gb18030")),
        ("utf16.txt", lambda t: t.encode("utf-16")),
        ("crlf.txt", lambda t: t.replace("\n", "\r\n").encode("utf-8")),
    ],
)
def test_encodings_give_the_same_text(tmp_path, corpus_text, name, encode):
    path = tmp_path / name
    path.write_bytes(encode(corpus_text))
    assert read_text(path) == corpus_text


def test_gb18030_file_is_really_not_utf8(tmp_path, corpus_text):
    data = corpus_text.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    path = tmp_path / "gbk.txt"
    path.write_bytes(data)
    assert "【苏州工业园区管理委员会】" in read_text(path)


def test_corpus_is_read_without_bom_or_carriage_returns(corpus_text):
    assert not corpus_text.startswith("\ufeff")
    assert "\r" not in corpus_text
    assert corpus_text == CORPUS.read_text(encoding="utf-8").replace("\r\n", "\n")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"  \n\n\t \n", "empty"),
        (PNG_HEADER, "binary"),
        (b"abc\xff\xff\xff", "UTF-8 or GB18030"),
    ],
    ids=["empty", "blank", "png", "undecodable"],
)
def test_unreadable_files_raise_with_the_file_name(tmp_path, content, reason):
    path = tmp_path / "bad-yearbook.txt"
    path.write_bytes(content)
    with pytest.raises(CorpusFormatError) as info:
        read_text(path)
    message = str(info.value)
    assert "bad-yearbook.txt" in message
    assert reason in message


def test_missing_path_raises_with_the_file_name(tmp_path):
    with pytest.raises(CorpusFormatError, match=r"missing-yearbook\.txt: no such file"):
        read_text(tmp_path / "missing-yearbook.txt")


def test_folder_raises_with_its_name(tmp_path):
    folder = tmp_path / "a-folder.txt"
    folder.mkdir()
    with pytest.raises(CorpusFormatError, match=r"a-folder\.txt: is a folder"):
        read_text(folder)


def test_binary_with_many_control_chars_but_no_nul(tmp_path):
    path = tmp_path / "controls.txt"
    path.write_bytes(bytes(range(1, 9)) * 50)
    with pytest.raises(CorpusFormatError, match="controls.txt"):
        read_text(path)


@pytest.mark.parametrize(
    "content",
    [b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n  \n", b"\xff\xfe", b"\xff\xfe \x00\n\x00"],
    ids=["utf8-bom-only", "utf8-bom-blank", "utf16-bom-only", "utf16-blank"],
)
def test_file_with_only_a_bom_is_empty(content):
    try:
        text = decode_bytes(content, "bom-only.txt")
    except CorpusFormatError as exc:
        assert "bom-only.txt" in str(exc) and "empty" in str(exc)
    else:
        pytest.fail(
            f"{content!r} (a BOM and only whitespace) decoded to "
            f"{text!r} instead of raising CorpusFormatError('…: the file is empty')"
        )


def test_truncated_utf16_raises_corpus_format_error():
    data = b"\xff\xfe" + "年鉴".encode("utf-16-le") + b"\x00"  # odd number of bytes after the BOM
    try:
        decode_bytes(data, "truncated.txt")
    except CorpusFormatError as exc:
        assert "truncated.txt" in str(exc)
    except UnicodeDecodeError as exc:
        pytest.fail(
            "a UTF-16 BOM file with an odd byte count raises a raw "
            f"UnicodeDecodeError ({exc}) instead of CorpusFormatError; the CLI shows a traceback"
        )
    else:
        pytest.fail("truncated UTF-16 decoded without any error")


def test_small_utf8_file_reads_verbatim(tmp_path: Path):
    path = tmp_path / "ok.txt"
    path.write_text("【概况】 2020年,园区。\n", encoding="utf-8")
    assert read_text(path) == "【概况】 2020年,园区。\n"
