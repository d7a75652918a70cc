"""The chat page, launched for real: the /ask API via gradio_client, and a person in Chromium."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from gradio_client import Client

from ingest.index import ingest
from tests.conftest import CORPUS, ROOT, free_port, write_yearbook
from ui.web import ChatApp, build_page

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
HOSTILE = (
    "安全测试年鉴\n\n网络安全\n\n网络安全\n\n"
    "【网页转义测试】2021年,园区网站收到一段文字<script>window.__xss=1;alert(1)</script>"
    "和一张图片<img src=x onerror=\"window.__xss=2\">,共拦截可疑请求37次。\n"
)
KNOWN = [
    ("2020年园区发展党员多少人？", "526人"),
    ("5月15日到访的美国客人是谁？", "王永东"),
    ("园区融媒体中心是哪天揭牌启用的？", "2020年5月26日"),
    ("截至2020年底，园区共有多少个基层党组织？", "2329个"),
    ("2021年园区网站拦截可疑请求多少次？", "37次"),
]


@pytest.fixture(scope="module")
def page_url(e5_store, tmp_path_factory):
    root = tmp_path_factory.mktemp("web")
    hostile = write_yearbook(root / "corpus", HOSTILE, name="hostile.txt",
                             meta={"yearbook": "安全测试年鉴", "year": 2021, "chapter": "网络安全"})
    settings = e5_store.settings.model_copy(
        update={"store_dir": root / "chroma", "feedback_path": root / "feedback.jsonl"}
    )
    ingest([CORPUS, hostile], settings, e5_store.embeddings, progress=False)
    page, url = _serve(settings)
    yield url, settings
    page.close()


def _serve(settings):
    """The page on a free local port, as `yearbook ui` starts it."""
    page = build_page(ChatApp(settings))
    page.queue(default_concurrency_limit=4)
    _, url, _ = page.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True, quiet=True)
    return page, url


def test_api_answer_with_citation(page_url):
    url, _ = page_url
    answer = Client(url, verbose=False).predict("2020年园区发展党员多少人？", api_name="/ask")
    assert "526" in answer["text"] and answer["short_answer"] == "526人"
    assert (answer["citations"][0]["section"], answer["citations"][0]["entry"]) == ("组织工作", "概况")


def test_twenty_questions_at_once(page_url):
    url, _ = page_url
    client = Client(url, verbose=False)
    questions = [KNOWN[i % len(KNOWN)] for i in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda qa: client.predict(qa[0], api_name="/ask"), questions))
    for (question, expected), answer in zip(questions, answers):
        assert expected in answer["text"], (question, answer["text"])


@pytest.mark.parametrize("question", ["", "问" * 5000])
def test_api_rejects_bad_questions_with_a_message(page_url, question):
    url, _ = page_url
    with pytest.raises(Exception, match="question"):
        Client(url, verbose=False).predict(question, api_name="/ask")


def test_missing_store_gives_a_readable_message(tmp_path, e5_store):
    settings = e5_store.settings.model_copy(update={"store_dir": tmp_path / "nothing"})
    app = ChatApp(settings)
    assert "yearbook ingest" in app.summary()
    *_, last = app.respond("2020年园区发展党员多少人？", [], None, None, 5, {})
    assert "yearbook ingest" in last[0][-1]["content"] and "Traceback" not in last[0][-1]["content"]


def _browser(playwright):
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--no-first-run"],
    )


def _ask(page, question: str, count: int) -> None:
    page.fill("#yq-question textarea", question)
    page.click("#yq-send")
    page.wait_for_function(
        "n => document.querySelectorAll('#yq-chat .message-row').length >= n && "
        "!document.querySelector('#yq-chat').innerText.trim().endsWith('…')",
        arg=count, timeout=30000,
    )
    page.wait_for_selector("#yq-entry mark, #yq-entry .yq-table, #yq-sources .yq-empty", timeout=30000)


def test_a_person_asks_checks_the_source_and_follows_up(page_url):
    from playwright.sync_api import sync_playwright

    url, settings = page_url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url)
        page.wait_for_selector("#yq-question textarea")
        assert "个条目" in page.inner_text("#yq-header")
        _ask(page, "2020年园区发展党员多少人？", 2)
        assert "526人【1】" in page.inner_text("#yq-chat")
        assert "组织工作 › 概况" in page.inner_text("#yq-sources")
        assert page.inner_text("#yq-entry mark") == "全年发展党员526人。"
        page.screenshot(path=str(ARTIFACTS / "answer-1280.png"), full_page=True)
        page.get_by_role("button", name="Like").last.click()
        page.wait_for_function("() => document.querySelector('#yq-thanks').innerText.includes('感谢')", timeout=10000)
        record = json.loads(Path(settings.feedback_path).read_text(encoding="utf-8").splitlines()[-1])
        assert record["liked"] is True and record["question"] == "2020年园区发展党员多少人？"
        _ask(page, "苏州金鸡湖台青创业园入驻创业企业多少家？", 4)
        _ask(page, "它获得了什么称号？", 6)
        assert "理解为：苏州金鸡湖台青创业园获得了什么称号？" in page.inner_text("#yq-chat")
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(ARTIFACTS / "follow-up-390.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"page is {overflow}px wider than a phone screen"
        browser.close()


def test_corpus_html_is_shown_as_text_and_never_runs(page_url):
    from playwright.sync_api import sync_playwright

    url, _ = page_url
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(url)
        page.wait_for_selector("#yq-question textarea")
        _ask(page, "2021年园区网站拦截可疑请求多少次？", 2)
        entry = page.inner_text("#yq-entry")
        assert "<script>window.__xss=1;alert(1)</script>" in entry
        assert '<img src=x onerror="window.__xss=2">' in entry
        page.wait_for_timeout(500)
        assert page.evaluate("typeof window.__xss") == "undefined" and dialogs == []
        assert page.locator("#yq-entry script, #yq-entry img, #yq-chat img[src='x']").count() == 0
        page.screenshot(path=str(ARTIFACTS / "escaped-1280.png"), full_page=True)
        browser.close()


UPLOAD_BLOCKS = [
    ("heading", "概况"),
    ("para", "黑河市位于黑龙江省西北部,1998年末全市总人口167.94万人。"),
    ("heading", "口岸贸易"),
    *[("para", f"第{i}段记述口岸建设情况,年内完成联检楼改造工程,口岸通关能力继续提高。") for i in range(1, 40)],
    ("heading", "对外贸易"),
    ("para", "1998年,全市对俄进出口贸易总额9,927万美元,比上年下降12.6%。"),
]


@pytest.fixture(scope="module")
def library_url(e5_store, tmp_path_factory):
    root = tmp_path_factory.mktemp("library")
    settings = e5_store.settings.model_copy(
        update={"store_dir": root / "chroma", "upload_dir": root / "uploads", "feedback_path": root / "feedback.jsonl"}
    )
    ingest([CORPUS], settings, e5_store.embeddings, progress=False)
    page, url = _serve(settings)
    yield url, settings, root
    page.close()


def _yearbook_pdf(path: Path) -> None:
    """A two-page PDF whose trade figure sits on page 2 (real fpdf2 with a Noto CJK font)."""
    from evals.bench_formats import Block, new_pdf, write_blocks

    pdf = new_pdf(head=False)
    pdf.add_page()
    write_blocks(pdf, [Block(kind, text) for kind, text in UPLOAD_BLOCKS])
    pdf.output(str(path))


def _upload(page, path: Path) -> None:
    """Choose a file in the upload box and wait until the page has received it."""
    page.set_input_files("#yq-upload input[type=file]", str(path))
    page.wait_for_function(  # the file list may break the name before its suffix
        "stem => document.querySelector('#yq-upload').innerText.includes(stem)", arg=path.stem, timeout=90000
    )


def test_a_person_uploads_a_pdf_asks_about_it_and_removes_it(library_url):
    from playwright.sync_api import sync_playwright

    from ingest.formats import load_document

    url, settings, root = library_url
    pdf = root / "heihe-1999.pdf"
    _yearbook_pdf(pdf)
    document = load_document(pdf)
    assert document.page_at(document.text.index("9,927万美元")) == 2  # the figure really is on page 2
    broken = root / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        page.get_by_role("tab", name="年鉴管理").click()
        _upload(page, broken)
        page.click("#yq-load")
        page.wait_for_function("() => document.querySelector('#yq-status').innerText.includes('载入失败')", timeout=60000)
        assert "原有索引未改动" in page.inner_text("#yq-status")
        assert "broken.pdf" not in page.inner_text("#yq-listing")
        _upload(page, pdf)
        page.fill("#yq-book textarea, #yq-book input", "黑河市年鉴")
        page.fill("#yq-book-place textarea, #yq-book-place input", "黑河市")
        page.fill("#yq-book-year input", "1999")
        page.click("#yq-load")
        page.wait_for_function("() => document.querySelector('#yq-status').innerText.includes('已载入')", timeout=120000)
        assert "heihe-1999.pdf" in page.inner_text("#yq-listing")
        assert "黑河市" in page.inner_text("#yq-header")
        page.screenshot(path=str(ARTIFACTS / "library-1280.png"), full_page=True)
        page.get_by_role("tab", name="问答").click()
        _ask(page, "黑河市1998年对俄进出口贸易总额是多少？", 2)
        page.wait_for_function("() => /【1】|未找到/.test(document.querySelector('#yq-chat').innerText)", timeout=60000)
        page.wait_for_selector("#yq-sources li", timeout=30000)
        assert "9,927万美元" in page.inner_text("#yq-chat")
        assert "黑河市 · 1999 · 对外贸易 › 对外贸易 · 第2页" in page.inner_text("#yq-sources")
        page.get_by_role("tab", name="年鉴管理").click()
        page.click("#yq-remove-source input")
        page.keyboard.type("heihe-1999")
        page.locator("#yq-remove-source li", has_text="heihe-1999.pdf").first.click()
        page.click("#yq-remove")
        page.wait_for_function("() => document.querySelector('#yq-status').innerText.includes('已删除')", timeout=30000)
        assert "heihe-1999.pdf" not in page.inner_text("#yq-listing")
        browser.close()
    assert not (settings.upload_dir / "heihe-1999.pdf").exists()


def test_library_refuses_a_blank_scan_and_a_name_taken_by_another_yearbook(library_url):
    from PIL import Image

    from ui.library import Library

    _, settings, root = library_url
    library = Library(settings)
    blank = root / "blank.png"
    Image.new("RGB", (400, 300), "white").save(blank)
    message = library.upload([str(blank)], "空白年鉴", "某县", 2010)
    assert "载入失败" in message and "blank.png" in message and ".staging" not in message
    taken = root / "sip-2020-party-government.txt"
    taken.write_text("概况\n全县总人口10万人。\n", encoding="utf-8")
    assert "已有同名文件" in library.upload([str(taken)], "金乡年鉴", "金乡县", 2010)
    assert {row[0] for row in library.rows()} == {"sip-2020-party-government.txt"}
