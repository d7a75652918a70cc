"""The benchmark's targets and its reports: bench.json and a Markdown table (bench.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MB = "MB (10^6 bytes of UTF-8 text)"


def check_targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each with the measured value and whether it was met (None: not measured)."""
    query = report.get("query", {})
    ingest = report.get("ingest", {})
    at50 = [query[k] for k in ("50x/embedded", "50x/server") if k in query]
    reingest50 = [ingest[k]["reingest_seconds"] for k in ("50x/embedded", "50x/server") if k in ingest]
    years = report.get("year_disambiguation", {})
    ratio = report.get("baseline", {}).get("ratio", {})

    def worst(values: list[float]) -> float | None:
        return max(values) if values else None

    rows = [
        ("re-ingest unchanged 50× (s, worst mode)", worst(reingest50), 30.0, "max"),
        ("parse + chunk throughput (MB/s)", report.get("pipeline", {}).get("mb_per_s"), 1.0, "min"),
        ("retrieval p95 at 50× (ms, worst mode)", worst([q["retrieval_p95_ms"] for q in at50]), 150.0, "max"),
        ("offline answer p95 at 50× (ms, worst mode)", worst([q["answer_p95_ms"] for q in at50]), 300.0, "max"),
        ("app peak memory at 50× (MB)", worst([q["peak_rss_mb"] for q in at50]), 1536.0, "max"),
        ("year disambiguation at 10× (first citation)", years.get("first_citation_year_share"), 0.98, "min"),
        ("hit@1 ours / naive baseline", ratio.get("hit@1"), 1.3, "min"),
    ]
    targets: list[dict[str, Any]] = []
    for name, value, target, kind in rows:
        met = None if value is None else (value <= target if kind == "max" else value >= target)
        targets.append({"name": name, "value": value, "target": f"{'≤' if kind == 'max' else '≥'} {target:g}", "met": met})
    return targets


def write_reports(report: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """Write ``bench.json`` and ``bench.md``; returns their paths."""
    json_path = out_dir / "bench.json"
    md_path = out_dir / "bench.md"
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(format_markdown(report), encoding="utf-8")
    return json_path, md_path


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines + [""]


def format_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown tables."""
    machine = report.get("machine", {})
    lines = [
        f"# yearbook bench ({report.get('mode')}{', PARTIAL: still running or stopped' if report.get('partial') else ''})",
        "",
        f"{report.get('started_at')} · {machine.get('cpus')} CPUs · Python {machine.get('python')} · "
        f"load average at start {_load(machine.get('load_avg_start'))}, at end {_load(machine.get('load_avg_end'))} · "
        f"embeddings {report.get('embedding_model')} · {report.get('seconds')} s in all.",
        "",
        "Corpora: N× = the bundled 2020 chapter plus N−1 SYNTHETIC years (evals/synthetic.py, "
        f"seed {report.get('synthetic_seed')}; re-dated copies with perturbed figures, benchmarks only).",
        "",
    ]
    if "targets" in report:
        lines += ["## Targets", ""]
        lines += _table(
            ["target", "measured", "goal", "met"],
            [[t["name"], t["value"], t["target"], t["met"]] for t in report["targets"]],
        )
    lines += ["## Ingest", ""]
    pipeline = report.get("pipeline", {})
    if pipeline:
        lines.append(
            f"Parse + chunk only (no embedding, no store), {pipeline['files']} files, {pipeline['chars']:,} chars: "
            f"{pipeline['chars_per_s']:,} chars/s, {pipeline['mb_per_s']} {MB}/s, {pipeline['chunks_per_s']} chunks/s."
        )
        lines.append("")
    lines.append(
        "1× embedded is a cold ingest (fresh vector cache): embedding-bound. Other rows use the shared "
        "vector cache: `embedded` counts the vectors computed in this run (0 when a previous run cached them)."
    )
    lines.append("")
    rows = [
        [key, v["files"], v["chunks"], v["embedded"], v["seconds"], v["chars_per_s"], v["chunks_per_s"], v["reingest_seconds"]]
        for key, v in report.get("ingest", {}).items()
    ]
    lines += _table(["corpus / mode", "files", "chunks", "embedded", "ingest s", "chars/s", "chunks/s", "re-ingest s"], rows)
    lines += ["## Queries", "", f"Memory: {report.get('memory_method')}.", ""]
    rows = [
        [key, q["n"], q["retrieval_p50_ms"], q["retrieval_p95_ms"], q["answer_p50_ms"], q["answer_p95_ms"],
         q["open_and_first_answer_s"], q["peak_rss_mb"]]
        for key, q in report.get("query", {}).items()
    ]
    lines += _table(
        ["corpus / mode", "questions", "retrieval p50 ms", "retrieval p95 ms", "answer p50 ms", "answer p95 ms",
         "open + 1st answer s", "peak RSS MB"],
        rows,
    )
    if report.get("server_peak_rss_mb") is not None:
        lines += [f"Chroma server process peak RSS (VmHWM): {report['server_peak_rss_mb']} MB.", ""]
    baseline = report.get("baseline")
    if baseline:
        lines += [f"## Retrieval against the naive baseline ({baseline['corpus']}, {baseline['questions']} questions)", ""]
        keys = ["hit@1", "hit@3", "hit@5", "mrr@10", "p50_ms", "p95_ms"]
        rows = [[name] + [baseline[name].get(k) for k in keys] for name in ("ours", "baseline")]
        rows.append(["ours / baseline"] + [baseline["ratio"].get(k) for k in keys])
        lines += _table(["retriever"] + keys, rows)
    years = report.get("year_disambiguation")
    if years:
        lines += [f"## Year disambiguation ({years['scale']}, {years['n']} questions naming a year)", ""]
        rows = [
            ["first citation from the named year", years["first_citation_year_share"]],
            ["answered questions citing the named year", years.get("answered_citing_named_year")],
            ["top-1 chunk from the named year", years["top1_year_share"]],
            ["top-1 chunk is the gold entry", years["gold_entry_hit@1"]],
            ["short answer contains the gold figure", years["answer_contains_gold"]],
            ["refused", years["refused"]],
        ]
        if "baseline" in years:
            rows.append(["naive baseline: top-1 chunk from the named year", years["baseline"]["top1_year_share"]])
        lines += _table(["measure", "value"], rows)
    return "\n".join(lines)


def _load(values: Any) -> str:
    return " ".join(f"{v:.1f}" for v in values) if values else "?"
