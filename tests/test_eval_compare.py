"""Comparing two hand-made reports, and the quality gate on them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evals.compare import compare, format_comparison
from evals.gate import gate, load_thresholds
from rag.errors import ConfigError
from test_eval_run import run_job

THRESHOLDS = Path(__file__).resolve().parents[1] / "evals" / "thresholds.toml"


def record(qid: str, kind: str, correct: bool, got: str | None = "x", failure: str | None = None) -> dict[str, Any]:
    return {
        "id": qid, "type": kind, "question": f"问题{qid}？", "expected": ["526人"], "got": got, "text": got or "",
        "refused": got is None, "correct": correct, "failure": None if correct else (failure or "answer_miss"),
    }


def result(records: list[dict[str, Any]], **summary: float) -> dict[str, Any]:
    by_type: dict[str, dict[str, float]] = {}
    for kind in sorted({r["type"] for r in records}):
        chosen = [r for r in records if r["type"] == kind]
        by_type[kind] = {"n": len(chosen), "accuracy": sum(r["correct"] for r in chosen) / len(chosen)}
    accuracy = sum(r["correct"] for r in records) / len(records)
    return {"summary": {"n": len(records), "accuracy": accuracy, **summary}, "accuracy_by_type": by_type, "questions": records}


def report(results: dict[str, Any], sha: str = "d" * 64, limit: int | None = None) -> dict[str, Any]:
    return {
        "created": "2020-01-01T00:00:00+00:00",
        "dataset": {"path": "evals/datasets/sip_2020_party.jsonl", "name": "sip_2020_party.jsonl", "sha256": sha, "limit": limit, "types": None},
        "environment": {"corpus": {"sha256": "c" * 64}},
        "results": results,
    }


@pytest.fixture()
def before_after() -> tuple[dict[str, Any], dict[str, Any]]:
    a = report({
        "hybrid": result([record("q1", "number", True), record("q2", "date", False), record("q3", "number", True),
                          record("q4", "unanswerable", False)], exact_match=0.5, p50_ms=100.0),
        "bm25": result([record("q1", "number", True)], exact_match=1.0),
    })
    b = report({
        "hybrid": result([record("q1", "number", False, got=None, failure="wrong_refusal"), record("q2", "date", True),
                          record("q3", "number", True), record("q4", "unanswerable", True, got=None)],
                         exact_match=0.6, p50_ms=80.0),
        "dense": result([record("q1", "number", True)], exact_match=1.0),
    })
    return a, b


def test_compare_lists_metric_and_type_differences_and_flips(before_after) -> None:
    a, b = before_after
    diff = compare(a, b)
    assert list(diff["configs"]) == ["hybrid"]
    assert diff["only_in_a"] == ["bm25"] and diff["only_in_b"] == ["dense"]
    hybrid = diff["configs"]["hybrid"]
    assert hybrid["metrics"]["accuracy"] == {"a": 0.5, "b": 0.75, "delta": 0.25}
    assert hybrid["metrics"]["exact_match"]["delta"] == pytest.approx(0.1)
    assert hybrid["by_type"]["date"]["delta"] == 1.0 and hybrid["by_type"]["number"]["delta"] == -0.5
    flips = hybrid["flips"]
    assert [f["id"] for f in flips["right_to_wrong"]] == ["q1"]
    assert flips["right_to_wrong"][0]["b"] == "(refused)" and flips["right_to_wrong"][0]["failure"] == "wrong_refusal"
    assert [f["id"] for f in flips["wrong_to_right"]] == ["q2", "q4"]

    text = format_comparison(diff)
    assert "right → wrong: 1" in text and "wrong → right: 2" in text
    assert "+0.250 ▲" in text  # accuracy went up
    assert "-20.0 ▲" in text  # p50 latency went down, which is better
    assert "only in A: bm25" in text


def test_compare_notes_different_sets_and_pairs_single_configs() -> None:
    a = report({"hybrid": result([record("q1", "number", True)])})
    b = report({"dense": result([record("q1", "number", False), record("q9", "date", True)])}, sha="e" * 64)
    diff = compare(a, b)
    assert list(diff["configs"]) == ["hybrid → dense"]
    assert any("different question sets" in n for n in diff["notes"])
    assert [f["id"] for f in diff["configs"]["hybrid → dense"]["flips"]["right_to_wrong"]] == ["q1"]


def test_cli_compare_prints_json(before_after, tmp_path: Path, capsys) -> None:
    a, b = before_after
    for name, data in (("a", a), ("b", b)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "report.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert run_job("eval", "compare", str(tmp_path / "a" / "report.json"), str(tmp_path / "b"), "--json") == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["configs"]["hybrid"]["flips"]["right_to_wrong"][0]["id"] == "q1"
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    with pytest.raises(Exception, match="not a `yearbook eval run` report"):
        run_job("eval", "compare", str(tmp_path / "bad.json"), str(tmp_path / "b"))


def test_gate_passes_and_fails_with_a_readable_list(tmp_path: Path) -> None:
    thresholds_path = tmp_path / "t.toml"
    thresholds_path.write_text(
        'dataset = "sip_2020_party.jsonl"\n[configs.hybrid.min]\naccuracy = 0.7\nexact_match = 0.7\n'
        "[configs.hybrid.max]\nfalse_refusal = 0.05\n",
        encoding="utf-8",
    )
    thresholds = load_thresholds(thresholds_path)
    good = report({"hybrid": {"summary": {"accuracy": 0.8, "exact_match": 0.75, "false_refusal": 0.02}}})
    passed, text = gate(good, thresholds)
    assert passed and text.startswith("quality gate passed: all 3 thresholds met")

    bad = report({"hybrid": {"summary": {"accuracy": 0.65, "exact_match": 0.75, "false_refusal": 0.09}}})
    passed, text = gate(bad, thresholds)
    assert not passed
    assert "FAILED: 2 of 3" in text
    assert "✗ hybrid: accuracy 0.650 < min 0.700" in text and "✗ hybrid: false_refusal 0.090 > max 0.050" in text

    passed, text = gate(report({"dense": good["results"]["hybrid"]}), thresholds)
    assert not passed and "hybrid: not in the report" in text
    passed, text = gate(report(good["results"], limit=6), thresholds)
    assert not passed and "slice" in text


def test_gate_cli_exit_codes_and_bad_thresholds(tmp_path: Path, capsys) -> None:
    (tmp_path / "report.json").write_text(json.dumps(report({"hybrid": {"summary": {"accuracy": 0.1}}})), encoding="utf-8")
    (tmp_path / "t.toml").write_text("[configs.hybrid.min]\naccuracy = 0.5\n", encoding="utf-8")
    assert run_job("eval", "gate", str(tmp_path / "report.json"), "--thresholds", str(tmp_path / "t.toml")) == 1
    assert "accuracy 0.100 < min 0.500" in capsys.readouterr().out
    (tmp_path / "t.toml").write_text("[configs.hybrid.minimum]\naccuracy = 0.5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="only hold 'min' and 'max'"):
        load_thresholds(tmp_path / "t.toml")


def test_bundled_thresholds_cover_the_make_eval_configuration() -> None:
    thresholds = load_thresholds(THRESHOLDS)
    assert thresholds["dataset"] == "sip_2020_party.jsonl"
    assert {"accuracy", "exact_match", "hit@1"} <= set(thresholds["configs"]["hybrid"]["min"])
