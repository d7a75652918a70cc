"""Loaders for PDF, scans/images and .docx: real files made here, read by the real libraries."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from evals.bench_formats import (
    FONT_BOLD,
    FONT_INDEX_SC,
    FONT_REGULAR,
    RUNNING_HEAD,
    bag_errors,
    cer,
    fold,
    corpus_blocks,
    image_pdf,
    levenshtein,
    squeeze,
    write_corpus_pdf,
)
from ingest.formats import SUPPORTED_SUFFIXES, Document, load_document
from rag.errors import CorpusFormatError

SENTENCES = (
    "2020年，园区组织部门找准党建与业务的结合点。",
    "全年发展党员526人，截至年底园区共有基层党组织2329个。",
    "开展持有绿卡党员管理试点工作，探索实际有效的管理机制。",
)


# --------------------------------------------------------------------------- helpers


def _pdf(head: bool = False):
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.add_font("noto", fname=str(FONT_REGULAR), collection_font_number=FONT_INDEX_SC)
    pdf.add_font("noto", style="B", fname=str(FONT_BOLD), collection_font_number=FONT_INDEX_SC)
    pdf.set_margins(64, 64, 64)
    pdf.add_page()
    pdf.set_font("noto", size=10.5)
    return pdf


def _sentences_image(path: Path, size: int = 40) -> None:
    """A page-like PNG with the known sentences drawn at about 200 dpi body-text size."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONT_REGULAR), size, index=FONT_INDEX_SC)
    image = Image.new("L", (1400, 120 + 90 * len(SENTENCES)), 255)
    draw = ImageDraw.Draw(image)
    for i, sentence in enumerate(SENTENCES):
        draw.text((80, 60 + 90 * i), sentence, font=font, fill=0)
    image.save(path)


# --------------------------------------------------------------------------- text-layer PDF


@pytest.fixture(scope="module")
def corpus_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Document]:
    path = tmp_path_factory.mktemp("pdf") / "corpus.pdf"
    reference = write_corpus_pdf(path, 4)
    return path, reference, load_document(path)


def test_levenshtein_matches_the_textbook_dp() -> None:
    def dp(a: str, b: str) -> int:
        row = list(range(len(b) + 1))
        for i, ca in enumerate(a, 1):
            prev, row[0] = row[0], i
            for j, cb in enumerate(b, 1):
                prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
        return row[-1]

    pairs = [("", "年鉴"), ("苏州工业园区", "苏州园区工业"), ("kitten", "sitting"), ("表1 指标", "表 1指标值")]
    for a, b in pairs:
        assert levenshtein(a, b) == dp(a, b)


def test_pdf_text_comes_back_in_order_without_heads_or_page_numbers(corpus_pdf) -> None:
    path, reference, document = corpus_pdf
    assert [number for _, number in document.pages] == [1, 2, 3, 4]
    assert RUNNING_HEAD not in document.text
    lines = document.text.splitlines()
    assert not [ln for ln in lines if re.fullmatch(r"[-\s]*\d+[-\s]*", ln)]
    assert cer(document.text, reference) < 0.002
    # wrapped lines are joined: the first entry is one line, no space inside the CJK text
    entry = next(ln for ln in lines if ln.startswith("【中共苏州工业园区工作委员会】"))
    assert entry.endswith("对园区和周边地区实行党的领导和监督。")
    assert "园区 " not in entry


def test_page_at_finds_a_sentence_on_page_two(corpus_pdf) -> None:
    import pypdfium2 as pdfium

    path, _, document = corpus_pdf
    pdf = pdfium.PdfDocument(str(path))
    page_two = pdf[1].get_textpage().get_text_range()
    pdf.close()
    body = [ln.strip() for ln in page_two.splitlines() if len(ln.strip()) > 30]
    probe = body[len(body) // 2][5:25]
    offset = document.text.find(probe)
    assert offset > 0
    assert document.page_at(offset) == 2
    assert document.page_at(0) == 1
    assert Document("x", [], []).page_at(0) is None


def test_progress_callback_counts_every_page(tmp_path: Path) -> None:
    path = tmp_path / "small.pdf"
    write_corpus_pdf(path, 2)
    calls: list[tuple[int, int]] = []
    load_document(path, on_page=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]


def test_two_columns_read_left_column_first(tmp_path: Path) -> None:
    from fpdf.enums import WrapMode

    paras = [b.text for b in corpus_blocks() if b.kind == "para" and len(b.text) > 150][:4]
    pdf = _pdf()
    col_w = (pdf.w - 128 - 24) / 2
    # the right column is written first, so content-stream order alone would be wrong
    for x, texts in ((64 + col_w + 24, paras[2:]), (64, paras[:2])):
        pdf.set_y(80)
        for text in texts:
            pdf.set_x(x)
            pdf.multi_cell(col_w, 17, "　　" + text, wrapmode=WrapMode.CHAR, new_x="LEFT", new_y="NEXT")
            pdf.ln(4)
    path = tmp_path / "two-columns.pdf"
    pdf.output(str(path))
    lines = load_document(path).text.splitlines()
    for text in paras:
        assert squeeze(text) in [squeeze(ln) for ln in lines], text[:20]
    order = [next(i for i, ln in enumerate(lines) if squeeze(ln) == squeeze(t)) for t in paras]
    assert order == sorted(order)


def test_table_page_gives_caption_and_tab_rows(tmp_path: Path) -> None:
    from fpdf.fonts import FontFace

    rows = [
        ["指标", "2010年", "比上年增长(%)"],
        ["地区生产总值(亿元)", "1330", "15.2"],
        ["一般公共预算收入(亿元)", "171.5", "24.9"],
        ["进出口总额(亿美元)", "732.1", "28.6"],
    ]
    pdf = _pdf()
    pdf.multi_cell(0, 17, "　　2010年，园区经济保持平稳较快增长，主要指标见下表。", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("noto", "B", 10.5)
    pdf.multi_cell(0, 17, "表1 2010年主要经济指标", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", "", 10.5)
    with pdf.table(text_align="LEFT", headings_style=FontFace(emphasis="BOLD")) as table:
        for row in rows:
            cells = table.row()
            for cell in row:
                cells.cell(cell)
    pdf.ln(8)
    pdf.multi_cell(0, 17, "　　（园区经济发展委员会）", new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "table.pdf"
    pdf.output(str(path))
    lines = load_document(path).text.splitlines()
    start = lines.index("表1 2010年主要经济指标")
    assert lines[start + 1 : start + 1 + len(rows)] == ["\t".join(r) for r in rows]
    assert lines[start - 1].startswith("2010年，园区经济保持平稳较快增长")


# --------------------------------------------------------------------------- OCR


@pytest.mark.timeout(120)
def test_png_goes_through_ocr(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    _sentences_image(path)
    document = load_document(path)
    assert cer(document.text, "".join(SENTENCES)) <= 0.05
    assert document.page_at(0) == 1


@pytest.mark.timeout(120)
def test_image_only_pdf_page_goes_through_ocr(tmp_path: Path) -> None:
    pdf = _pdf()
    for sentence in SENTENCES:
        pdf.multi_cell(0, 20, "　　" + sentence, new_x="LMARGIN", new_y="NEXT")
    text_pdf = tmp_path / "text.pdf"
    pdf.output(str(text_pdf))
    scan = tmp_path / "scan.pdf"
    image_pdf(text_pdf, scan)
    document = load_document(scan)
    assert any("OCR" in w and w.startswith("page 1") for w in document.warnings)
    assert cer(document.text, "".join(SENTENCES)) <= 0.05


def test_order_insensitive_and_width_folded_error_counts() -> None:
    assert fold("园区，共有（2329）个") == fold("园区,共有(2329)个")
    assert bag_errors("乙甲丙", "甲乙丙") == 0  # reading order only
    assert bag_errors("甲乙丁", "甲乙丙") == 1  # one misread character
    assert bag_errors("甲乙", "甲乙丙") == 1
    assert bag_errors("甲乙丙丁", "甲乙丙") == 1


@pytest.fixture(scope="module")
def scanned_corpus_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Pages 2-3 of the corpus PDF as an image-only PDF, and their printed text.

    Two pages, so the running head repeats and the loader drops it; the reference leaves
    out the running head and page numbers.
    """
    import pypdfium2 as pdfium

    tmp = tmp_path_factory.mktemp("scan")
    text_pdf = tmp / "corpus.pdf"
    write_corpus_pdf(text_pdf, 4)
    doc = pdfium.PdfDocument(str(text_pdf))
    lines = []
    for index in (1, 2):
        textpage = doc[index].get_textpage()
        lines += textpage.get_text_range().replace("\r", "").splitlines()
        textpage.close()
    doc.close()
    reference = "".join(ln for ln in lines if ln.strip() and ln.strip() != RUNNING_HEAD
                        and not re.fullmatch(r"[-\s\d]+", ln))
    scan = tmp / "scan.pdf"
    image_pdf(text_pdf, scan, first=1, count=2)
    return scan, reference


@pytest.mark.timeout(300)
@pytest.mark.parametrize("engine, bound", [("rapidocr", 0.01), ("tesseract", 0.08)])
def test_scanned_corpus_page_cer(scanned_corpus_page, monkeypatch, engine: str, bound: float) -> None:
    """A full 200 dpi page of the yearbook through the scan path: width-folded CER bounds.

    Measured on these pages: RapidOCR ~0.2 %, Tesseract ~6 % (misreads, not order).
    """
    from ingest.formats import ocr

    try:
        ocr.line_reader(engine)
    except ocr.OcrUnavailable as exc:
        pytest.skip(str(exc))
    monkeypatch.setattr(ocr, "DEFAULT_ENGINE", engine)
    scan, reference = scanned_corpus_page
    document = load_document(scan)
    rate = levenshtein(fold(document.text), fold(reference)) / len(fold(reference))
    assert rate <= bound, (engine, rate)
    assert bag_errors(fold(document.text), fold(reference)) / len(fold(reference)) <= bound
    assert RUNNING_HEAD not in document.text


def test_image_without_ocr_installed_says_how_to_install(tmp_path: Path, monkeypatch) -> None:
    from ingest.formats import ocr

    def missing(engine: str = ocr.DEFAULT_ENGINE):
        raise ocr.OcrUnavailable(f"OCR (rapidocr-onnxruntime) is not installed; {ocr.INSTALL_HINT}")

    monkeypatch.setattr(ocr, "line_reader", missing)
    path = tmp_path / "scan.png"
    _sentences_image(path, size=20)
    with pytest.raises(CorpusFormatError, match=r"pip install 'yearbook-qa\[ocr\]'"):
        load_document(path)


# --------------------------------------------------------------------------- DOCX


def test_docx_heading_paragraphs_and_table_in_order(tmp_path: Path) -> None:
    import docx

    doc = docx.Document()
    doc.add_heading("组织工作", level=1)
    doc.add_paragraph("【概况】 " + SENTENCES[0])
    doc.add_paragraph(SENTENCES[1])
    doc.add_paragraph("表1 2010年主要经济指标")
    table = doc.add_table(rows=2, cols=2)
    for r, values in enumerate((("指标", "数值"), ("党员(万人)", "4.64"))):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    doc.add_paragraph(SENTENCES[2])
    path = tmp_path / "chapter.docx"
    doc.save(str(path))
    document = load_document(path)
    lines = [ln for ln in document.text.splitlines() if ln]
    assert lines == [
        "组织工作",
        "【概况】 " + SENTENCES[0],
        SENTENCES[1],
        "表1 2010年主要经济指标",
        "指标\t数值",
        "党员(万人)\t4.64",
        SENTENCES[2],
    ]
    assert document.page_at(len(document.text) - 1) == 1


def test_txt_is_read_as_before(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("组织工作\n【概况】 一句话。\n", encoding="gb18030")
    assert load_document(path) == Document("组织工作\n【概况】 一句话。\n", [], [])


# --------------------------------------------------------------------------- bad input


def _encrypted_pdf(path: Path) -> None:
    pdf = _pdf()
    pdf.multi_cell(0, 17, SENTENCES[0])
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.output(str(path))


def _bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    cases: dict[str, tuple[Path, str]] = {}
    enc = tmp / "locked.pdf"
    _encrypted_pdf(enc)
    cases["encrypted"] = (enc, "password-protected")
    good = tmp / "good.pdf"
    write_corpus_pdf(good, 1)
    data = good.read_bytes()
    (tmp / "truncated.pdf").write_bytes(data[: len(data) // 2])
    cases["truncated"] = (tmp / "truncated.pdf", "truncated or damaged")
    (tmp / "garbage.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    cases["corrupt"] = (tmp / "garbage.pdf", "damaged")
    (tmp / "notpdf.pdf").write_bytes("这不是PDF".encode() * 10)
    cases["not a pdf"] = (tmp / "notpdf.pdf", "not a PDF")
    import pypdfium2 as pdfium

    empty = pdfium.PdfDocument.new()  # a well-formed PDF whose page tree is empty
    empty.save(str(tmp / "zero.pdf"))
    empty.close()
    cases["zero pages"] = (tmp / "zero.pdf", "no pages")
    (tmp / "fake.docx").write_text("plain text, not Word", encoding="utf-8")
    cases["docx not zip"] = (tmp / "fake.docx", "not a Word .docx file")
    with zipfile.ZipFile(tmp / "other.docx", "w") as z:
        z.writestr("readme.txt", "hello")
    cases["zip not docx"] = (tmp / "other.docx", "not a Word document")
    (tmp / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    cases["unsupported"] = (tmp / "old.doc", "supported: .txt, .pdf, .docx")
    (tmp / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0garbage" * 20)
    cases["bad image"] = (tmp / "broken.png", "cannot be decoded as an image")
    cases["missing"] = (tmp / "nowhere.pdf", "no such file")
    return cases


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    return _bad_files(tmp_path_factory.mktemp("bad"))


@pytest.mark.parametrize(
    "case",
    ["encrypted", "truncated", "corrupt", "not a pdf", "zero pages", "docx not zip",
     "zip not docx", "unsupported", "bad image", "missing"],
)
def test_bad_input_is_a_corpus_format_error(bad_files, case: str) -> None:
    path, message = bad_files[case]
    with pytest.raises(CorpusFormatError) as info:
        load_document(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_file_over_the_size_limit(tmp_path: Path, monkeypatch) -> None:
    import ingest.reader

    monkeypatch.setattr(ingest.reader, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.pdf"
    write_corpus_pdf(path, 1)
    with pytest.raises(CorpusFormatError, match="larger than the 100 byte limit"):
        load_document(path)


def test_supported_suffixes_and_cheap_import() -> None:
    import subprocess
    import sys

    assert SUPPORTED_SUFFIXES == (".txt", ".pdf", ".docx", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
    code = (
        "import sys, ingest.formats\n"
        "heavy = [m for m in ('pypdfium2', 'docx', 'rapidocr_onnxruntime', 'cv2', 'PIL') if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "[]"
