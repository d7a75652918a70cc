"""Write an evaluation report: report.json, a readable report.md and the PNG charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evals.run import FAILURE_KINDS

TABLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("n", "n"), ("accuracy", "accuracy"), ("exact_match", "EM"), ("f1", "F1"),
    ("containment", "contains"), ("citation_gold", "cites gold"), ("false_refusal", "false refusal"),
    ("refusal_recall", "refusal recall"), ("hit@1", "hit@1"), ("hit@5", "hit@5"), ("mrr@10", "MRR@10"),
    ("p50_ms", "p50 ms"), ("p95_ms", "p95 ms"),
)
JUDGE_COLUMNS: tuple[tuple[str, str], ...] = (("judge_faithfulness", "judge faithful"), ("judge_correctness", "judge correct"))
WORST = 10


def fmt(value: Any) -> str:
    """Numbers as people read them: shares to 3 places, milliseconds to 1, None as a dash."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) <= 1.0 else f"{value:.1f}"
    return str(value)


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown pipe table, padded so that it also reads well in a terminal."""
    cells = [[c.replace("|", "\\|").replace("\n", " ") for c in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |" for row in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def summary_table(report: dict[str, Any]) -> str:
    """One row per configuration: accuracy, answer, refusal, retrieval and latency metrics."""
    results = report["results"]
    judged = any(r.get("judge") for r in results.values())
    columns = TABLE_COLUMNS + (JUDGE_COLUMNS if judged else ())
    rows = [[name] + [fmt(result["summary"].get(key)) for key, _ in columns] for name, result in results.items()]
    return table(["config"] + [label for _, label in columns], rows)


def type_table(report: dict[str, Any]) -> str:
    """Accuracy per question type (rows) and configuration (columns), with the count of questions."""
    results = report["results"]
    kinds = sorted({k for r in results.values() for k in r["accuracy_by_type"]})
    rows = []
    for kind in kinds:
        cells = [kind]
        for result in results.values():
            item = result["accuracy_by_type"].get(kind)
            cells.append(f"{item['accuracy']:.3f} ({item['n']})" if item else "-")
        rows.append(cells)
    return table(["type"] + list(results), rows)


def config_type_table(result: dict[str, Any]) -> str:
    """One configuration's answer and retrieval metrics per question type."""
    answers = result["answers"].get("by_type", {})
    retrieval = result["retrieval"].get("by_type", {})
    rows = []
    for kind, item in result["accuracy_by_type"].items():
        got, found = answers.get(kind, {}), retrieval.get(kind, {})
        rows.append(
            [kind, str(item["n"]), fmt(item["accuracy"]), fmt(got.get("exact_match")), fmt(got.get("f1")),
             fmt(got.get("citation_gold")), fmt(found.get("hit@1", found.get("all_in_top5"))), fmt(found.get("mrr@10"))]
        )
    return table(["type", "n", "accuracy", "EM", "F1", "cites gold", "hit@1 (multi: all in top 5)", "MRR@10"], rows)


def failure_table(report: dict[str, Any]) -> str:
    """How many wrong answers each configuration has, by kind of failure."""
    rows = [
        [name] + [str(result["failure_kinds"].get(k, 0)) for k in FAILURE_KINDS]
        + [str(sum(result["failure_kinds"].values()))]
        for name, result in report["results"].items()
    ]
    return table(["config", *FAILURE_KINDS, "total"], rows)


def worst_failures(result: dict[str, Any], limit: int = WORST) -> list[dict[str, Any]]:
    """The wrong answers a reader should look at first: lowest F1, then gold ranked lowest."""
    wrong = [q for q in result["questions"] if not q["correct"]]
    return sorted(wrong, key=lambda q: (q["f1"], -(q["retrieval_rank"] or 99), q["id"]))[:limit]


def _failure_lines(number: int, item: dict[str, Any]) -> list[str]:
    got = "(refused)" if item["refused"] else f"「{item['got'] or item['text'][:60]}」"
    expected = " / ".join(f"「{a}」" for a in item["expected"]) or "(a refusal)"
    rank = item["retrieval_rank"]
    lines = [
        f"{number}. **{item['id']}** [{item['type']}] {item['question']}",
        f"   - expected {expected} · got {got} · **{item['failure']}**"
        + (f" (gold entry at retrieval rank {rank})" if rank else ""),
    ]
    if item["gold"]:
        lines.append(f"   - gold: {'; '.join(item['gold'])}")
    lines.append(f"   - retrieved: {'; '.join(item['retrieved'][:5]) or '(nothing)'}")
    if item.get("judge") and item["judge"].get("reason"):
        lines.append(f"   - judge: {item['judge']['reason']}")
    return lines


def environment_lines(report: dict[str, Any]) -> list[str]:
    """A short bullet list of what the run used."""
    env = report["environment"]
    dataset = report["dataset"]
    sliced = []
    if dataset.get("limit"):
        sliced.append(f"limit {dataset['limit']}")
    if dataset.get("types"):
        sliced.append(f"types {','.join(dataset['types'])}")
    git = env.get("git") or {}
    packages = ", ".join(f"{k} {v}" for k, v in env["packages"].items() if v)
    return [
        f"- dataset: `{dataset['path']}` — {dataset['questions']} of {dataset['total']} questions"
        + (f" ({'; '.join(sliced)})" if sliced else "") + f", sha256 `{dataset['sha256'][:12]}`",
        f"- corpus: `{env['corpus']['dir']}` ({len(env['corpus']['files'])} files), sha256 `{env['corpus']['sha256'][:12]}`",
        f"- embedding model: `{env['embedding_model']}`; LLM: `{env['llm_model'] or 'none configured'}`",
        f"- date: {env['date']}; took {report.get('seconds', 0):.1f} s"
        + (f"; git `{git.get('commit', '')[:10]}`{' (uncommitted changes)' if git.get('dirty') else ''}" if git else ""),
        f"- machine: {env['machine']['platform']}, {env['machine']['cpus']} CPUs; Python {env['python']}",
        f"- packages: {packages}",
    ]


def markdown(report: dict[str, Any], charts: list[str] | None = None) -> str:
    """The whole report.md."""
    lines = ["# Evaluation report", "", *environment_lines(report), "", "## Summary", "", summary_table(report), ""]
    lines += [
        "accuracy: right short answer (exact match) on answerable questions, refusal on unanswerable ones; "
        "EM/F1/contains/cites gold/false refusal over answerable questions; hit@k and MRR@10 of the gold entry "
        "in retrieval (single-entry questions); latency of the whole answer.",
        "",
        "## Accuracy by question type",
        "",
        type_table(report),
        "",
    ]
    for chart in charts or []:
        lines += [f"![{Path(chart).stem}]({Path(chart).name})", ""]
    for name, result in report["results"].items():
        lines += [f"### {name} by type", "", config_type_table(result), ""]
    lines += [
        "## Failures by kind",
        "",
        failure_table(report),
        "",
        "retrieval_miss: the gold entry was not among the chunks the answerer saw; answer_miss: it was, "
        "but the answer is wrong; wrong_refusal: refused an answerable question; missed_refusal: answered "
        "a question the yearbook does not answer.",
        "",
    ]
    for name, result in report["results"].items():
        wrong = sum(1 for q in result["questions"] if not q["correct"])
        worst = worst_failures(result)
        lines += [f"## Worst failures — {name} ({len(worst)} of {wrong})", ""]
        for number, item in enumerate(worst, start=1):
            lines += _failure_lines(number, item)
        lines.append("")
    return "\n".join(lines)


def write_report(report: dict[str, Any], out: Path) -> dict[str, Path]:
    """Write report.json, the charts and report.md into ``out``; returns what was written."""
    from evals.charts import accuracy_chart, latency_chart

    out.mkdir(parents=True, exist_ok=True)
    written = {"json": out / "report.json"}
    written["json"].write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    written["accuracy_chart"] = accuracy_chart(report, out / "accuracy_by_type.png")
    written["latency_chart"] = latency_chart(report, out / "latency.png")
    charts = [str(written["accuracy_chart"]), str(written["latency_chart"])]
    written["markdown"] = out / "report.md"
    written["markdown"].write_text(markdown(report, charts), encoding="utf-8")
    return written


def load_report(path: Path) -> dict[str, Any]:
    """A report.json (or the report.json inside a folder)."""
    from rag.errors import CorpusFormatError

    if path.is_dir():
        path = path / "report.json"
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorpusFormatError(f"{path}: no such report") from None
    except ValueError as exc:
        raise CorpusFormatError(f"{path}: not a JSON report ({exc})") from exc
    if not isinstance(report, dict) or "results" not in report:
        raise CorpusFormatError(f"{path}: not a `yearbook eval run` report (no 'results')")
    return report
