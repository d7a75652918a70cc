"""Compare two evaluation reports: metric and per-type differences, and the questions that flipped."""

from __future__ import annotations

from typing import Any

from evals.report import fmt, table
from evals.run import SUMMARY_KEYS

JUDGE_KEYS = ("judge_faithfulness", "judge_correctness")
LOWER_IS_BETTER = {"false_refusal", "p50_ms", "p95_ms", "retrieval_p50_ms"}


def _delta(a: Any, b: Any) -> float | None:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return round(b - a, 4)
    return None


def metric_diffs(a: dict[str, Any], b: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every headline metric of two results of one configuration: A, B and B − A."""
    keys = [k for k in (*SUMMARY_KEYS, *JUDGE_KEYS) if k in a["summary"] or k in b["summary"]]
    return {
        key: {"a": a["summary"].get(key), "b": b["summary"].get(key), "delta": _delta(a["summary"].get(key), b["summary"].get(key))}
        for key in keys
    }


def type_diffs(a: dict[str, Any], b: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Accuracy per question type in A and B, and B − A."""
    out: dict[str, dict[str, Any]] = {}
    for kind in sorted(set(a["accuracy_by_type"]) | set(b["accuracy_by_type"])):
        left, right = a["accuracy_by_type"].get(kind, {}), b["accuracy_by_type"].get(kind, {})
        out[kind] = {
            "n_a": left.get("n"),
            "n_b": right.get("n"),
            "a": left.get("accuracy"),
            "b": right.get("accuracy"),
            "delta": _delta(left.get("accuracy"), right.get("accuracy")),
        }
    return out


def flips(a: dict[str, Any], b: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Questions (by id, asked in both runs) that were right in A and wrong in B, and the reverse."""
    before = {q["id"]: q for q in a["questions"]}
    out: dict[str, list[dict[str, Any]]] = {"right_to_wrong": [], "wrong_to_right": []}
    for after in b["questions"]:
        old = before.get(after["id"])
        if old is None or old["correct"] == after["correct"]:
            continue
        out["wrong_to_right" if after["correct"] else "right_to_wrong"].append(
            {
                "id": after["id"],
                "type": after["type"],
                "question": after["question"],
                "expected": after["expected"],
                "a": _said(old),
                "b": _said(after),
                "failure": after["failure"] or old["failure"],
            }
        )
    return out


def _said(record: dict[str, Any]) -> str:
    return "(refused)" if record["refused"] else str(record["got"] or record["text"][:60])


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """The differences between report A (before) and report B (after), per configuration in both.

    When the reports share no configuration name but hold one each, those two are compared.
    """
    names_a, names_b = list(a["results"]), list(b["results"])
    pairs = [(n, n) for n in names_a if n in b["results"]]
    notes: list[str] = []
    if not pairs and len(names_a) == 1 and len(names_b) == 1:
        pairs = [(names_a[0], names_b[0])]
        notes.append(f"no configuration in common: comparing A's {names_a[0]!r} with B's {names_b[0]!r}")
    if a["dataset"].get("sha256") != b["dataset"].get("sha256"):
        notes.append("the reports used different question sets: flips cover question ids present in both")
    if (a["dataset"].get("limit"), a["dataset"].get("types")) != (b["dataset"].get("limit"), b["dataset"].get("types")):
        notes.append("the reports ran different slices of the question set (--limit/--types)")
    env_a, env_b = a.get("environment", {}), b.get("environment", {})
    if env_a.get("corpus", {}).get("sha256") != env_b.get("corpus", {}).get("sha256"):
        notes.append("the corpus changed between the runs")
    configs: dict[str, Any] = {}
    for name_a, name_b in pairs:
        left, right = a["results"][name_a], b["results"][name_b]
        label = name_a if name_a == name_b else f"{name_a} → {name_b}"
        configs[label] = {"metrics": metric_diffs(left, right), "by_type": type_diffs(left, right), "flips": flips(left, right)}
    paired_a = {p[0] for p in pairs}
    paired_b = {p[1] for p in pairs}
    return {
        "a": {"created": a.get("created"), "dataset": a["dataset"].get("path")},
        "b": {"created": b.get("created"), "dataset": b["dataset"].get("path")},
        "notes": notes,
        "configs": configs,
        "only_in_a": [n for n in names_a if n not in paired_a],
        "only_in_b": [n for n in names_b if n not in paired_b],
    }


def _signed(delta: float | None, key: str) -> str:
    if delta is None:
        return "-"
    if delta == 0:
        return "0"
    better = (delta < 0) if key in LOWER_IS_BETTER else (delta > 0)
    text = f"{delta:+.3f}" if abs(delta) <= 1.0 else f"{delta:+.1f}"
    return f"{text} {'▲' if better else '▼'}"


def format_comparison(result: dict[str, Any]) -> str:
    """The comparison for people: one section per configuration."""
    lines = [f"A: {result['a']['created']} ({result['a']['dataset']})", f"B: {result['b']['created']} ({result['b']['dataset']})"]
    lines += [f"note: {n}" for n in result["notes"]]
    if result["only_in_a"] or result["only_in_b"]:
        lines.append(f"only in A: {', '.join(result['only_in_a']) or '-'}; only in B: {', '.join(result['only_in_b']) or '-'}")
    if not result["configs"]:
        lines.append("no configuration to compare")
    for name, diff in result["configs"].items():
        lines += ["", f"## {name}", ""]
        rows = [[k, fmt(v["a"]), fmt(v["b"]), _signed(v["delta"], k)] for k, v in diff["metrics"].items()]
        lines += [table(["metric", "A", "B", "B − A"], rows), ""]
        rows = [
            [k, f"{fmt(v['a'])} ({v['n_a'] or 0})", f"{fmt(v['b'])} ({v['n_b'] or 0})", _signed(v["delta"], k)]
            for k, v in diff["by_type"].items()
        ]
        lines += [table(["type (accuracy)", "A (n)", "B (n)", "B − A"], rows), ""]
        for kind, title in (("right_to_wrong", "right → wrong"), ("wrong_to_right", "wrong → right")):
            flipped = diff["flips"][kind]
            lines.append(f"{title}: {len(flipped)}")
            for item in flipped:
                expected = " / ".join(item["expected"]) or "(a refusal)"
                lines.append(
                    f"  {item['id']} [{item['type']}] {item['question']}  expected {expected}; "
                    f"A {item['a']}; B {item['b']}" + (f"  ({item['failure']})" if kind == "right_to_wrong" else "")
                )
    return "\n".join(lines)
