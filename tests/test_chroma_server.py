"""Chroma server mode end to end: ingest, search, ask, the page and eval through `chroma run`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import gradio as gr
import pytest

from evals.chroma_server import ChromaServer
from rag.answer.service import open_service
from tests.conftest import CORPUS, DATASET, run_cli, use_store_env, write_yearbook
from ui.web import ChatApp

NEW_ENTRY = (
    "测试年鉴\n\n新增栏目\n\n新增栏目\n\n"
    "【夜间图书馆开放】2021年,园区夜间图书馆开放服务惠及读者8888人次。\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("chroma-server")
    with ChromaServer(root / "data", log=root / "chroma.log") as running:
        yield running


@pytest.fixture()
def env(server, e5_store, tmp_path, monkeypatch):
    """YEARBOOK_* pointing at the server, with the shared vector cache (no re-embedding)."""
    use_store_env(monkeypatch, tmp_path / "unused-embedded-store", e5_store.settings.cache_dir, tmp_path)
    monkeypatch.setenv("YEARBOOK_CHROMA_HOST", server.host)
    monkeypatch.setenv("YEARBOOK_CHROMA_PORT", str(server.port))
    monkeypatch.setenv("YEARBOOK_COLLECTION", "yearbook-server-test")
    return tmp_path


@pytest.fixture()
def ingested(env, capsys):
    code, out, _ = run_cli(capsys, "ingest", str(CORPUS), "--json")
    assert code == 0, out
    return json.loads(out)


def test_ingest_list_search_and_ask_go_through_the_server(env, ingested, capsys, server):
    assert ingested["chunks"] == 170 and ingested["embedded"] == 0  # vectors came from the cache
    assert not (env / "unused-embedded-store").exists(), "the embedded store must not be used"
    code, out, _ = run_cli(capsys, "ingest", "--list", "--json")
    assert code == 0 and json.loads(out)["sources"][0]["source"] == CORPUS.name
    code, out, _ = run_cli(capsys, "search", "5月15日到访的美国客人是谁？", "--json")
    assert code == 0 and "王永东" in json.loads(out)["results"][0]["text"]
    code, out, _ = run_cli(capsys, "ask", "2020年园区发展党员多少人？", "--json")
    assert code == 0 and json.loads(out)["short_answer"] == "526人"


def test_eval_runs_against_the_server(env, ingested, capsys):
    small = env / "small.jsonl"
    lines = [line for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()][:6]
    small.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "eval", "retrieval", "--dataset", str(small), "--json", "--no-baseline")
    assert code == 0 and json.loads(out)["ours"]["hit@1"] > 0.5


def test_page_keeps_answering_while_another_process_ingests(env, ingested, server):
    from rag.settings import Settings

    app = ChatApp(Settings())
    assert app.api_ask("2020年园区发展党员多少人？")["short_answer"] == "526人"
    extra = write_yearbook(env / "extra", NEW_ENTRY, name="library.txt",
                           meta={"yearbook": "测试年鉴", "year": 2021, "chapter": "新增栏目"})
    job = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "ingest", str(extra), "--quiet"],
        env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    answered: list[str] = []
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set():
            answered.append(str(app.api_ask("2020年园区发展党员多少人？")["short_answer"]))

    asker = threading.Thread(target=keep_asking)
    asker.start()
    output, _ = job.communicate(timeout=120)
    stop.set()
    asker.join(timeout=30)
    assert job.returncode == 0, output.decode()
    assert answered and set(answered) == {"526人"}, answered[-5:]
    fresh = app.api_ask("2021年园区夜间图书馆开放服务惠及读者多少人次？")
    assert fresh["citations"][0]["entry"] == "夜间图书馆开放" and "8888" in fresh["text"]


def test_server_down_gives_a_clear_error_and_the_page_recovers(env, ingested, server):
    from rag.settings import Settings

    app = ChatApp(Settings())
    assert app.api_ask("2020年园区发展党员多少人？")["short_answer"] == "526人"
    server.stop()
    try:
        with pytest.raises(gr.Error, match="Chroma"):
            app.api_ask("2020年园区发展党员多少人？")
        *_, last = app.respond("2020年园区发展党员多少人？", [], None, None, 5, {})
        message = last[0][-1]["content"]
        assert "Chroma" in message and "Traceback" not in message
    finally:
        server.start()
    assert app.api_ask("2020年园区发展党员多少人？")["short_answer"] == "526人"


def test_service_reports_a_dead_server_clearly(e5_store):
    from rag.errors import StoreUnavailableError

    settings = e5_store.settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": 9})
    with pytest.raises(StoreUnavailableError, match="127.0.0.1:9"):
        open_service(settings)
