"""`yearbook eval run|compare|from-feedback|gate`: reports, comparisons, feedback items and the quality gate."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from evals.configs import PRESETS, EvalConfig
from evals.dataset import QUESTION_TYPES
from rag.errors import ConfigError
from rag.settings import Settings

DEFAULT_DATASET = Path("evals/datasets/sip_2020_party.jsonl")
REPORTS_DIR = Path("reports")


def add_eval_jobs(jobs: Any) -> None:
    """Register run, compare, from-feedback and gate under `yearbook eval`."""
    presets = "\n".join(f"  {c.name:<18}{_describe(c)}" for c in PRESETS.values())
    run = jobs.add_parser(
        "run",
        help="retrieval and answer metrics for one or more configurations, written as a report",
        description="Run every configuration on the same questions, one after another, and write\n"
        "report.json, report.md and PNG charts (accuracy by type, latency) to --out.\n\n"
        f"Preset configurations:\n{presets}\n\n"
        "Or ad hoc, as key=value pairs (retriever, answerer, k, chunk_tokens, name), optionally\n"
        "after a preset: 'retriever=dense,k=3', 'hybrid-k3,answerer=llm', 'chunk_tokens=256,name=c256'.\n"
        "k and the chunk budget default to YEARBOOK_TOP_K and YEARBOOK_CHUNK_TOKENS.\n"
        "A chunk budget other than the live one builds an evaluation store once, under\n"
        "CACHE_DIR/eval-stores/, and reuses it (vectors come from the shared embedding cache).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help="JSONL question set (default: %(default)s)")
    run.add_argument("--config", action="append", metavar="NAME", help="a preset or key=value spec; repeat for several (default: hybrid, plus llm when YEARBOOK_ANSWERER=llm)")
    run.add_argument("--out", type=Path, help="report folder (default: reports/<timestamp>/)")
    run.add_argument("--limit", type=int, metavar="N", help="only the first N questions (after --types)")
    run.add_argument("--types", type=_types, metavar="T1,T2", help="only these question types: " + ", ".join(QUESTION_TYPES))
    run.add_argument("--json", action="store_true", help="no progress bars; print the report (without per-question rows) as JSON")
    run.add_argument("--judge", action="store_true", help="score faithfulness and correctness with the configured LLM (needs YEARBOOK_LLM_BASE_URL; on by default when YEARBOOK_ANSWERER=llm)")
    run.add_argument("--no-judge", action="store_true", help="never use the LLM judge")
    run.add_argument("--gate", type=Path, metavar="THRESHOLDS", help="then check the report against this thresholds file; exit 1 below them")
    run.set_defaults(handler=run_eval_run)

    compare = jobs.add_parser(
        "compare",
        help="differences between two reports, per metric and type, and the questions that flipped",
        description="Compare report A (before) with report B (after): every metric, accuracy per question "
        "type, and the questions that went right → wrong or wrong → right, for each configuration in both.",
    )
    compare.add_argument("a", type=Path, help="the earlier report.json (or its folder)")
    compare.add_argument("b", type=Path, help="the later report.json (or its folder)")
    compare.add_argument("--json", action="store_true", help="print the comparison as JSON")
    compare.set_defaults(handler=run_eval_compare)

    feedback = jobs.add_parser(
        "from-feedback",
        help="turn the page's 👍/👎 feedback into dataset items for review",
        description="Read the feedback JSONL written by the web page and append one item per new question "
        "(deduplicated; questions already in --dataset or --out are skipped) in the dataset format, with "
        "review_status=needs_review, liked and source=feedback. 👎 items are flagged needs_correction.",
    )
    feedback.add_argument("--feedback", type=Path, help="feedback JSONL (default: YEARBOOK_FEEDBACK_PATH)")
    feedback.add_argument("--out", type=Path, default=Path("evals/datasets/feedback_review.jsonl"), help="items for review are appended here (default: %(default)s)")
    feedback.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help="questions already here are skipped (default: %(default)s)")
    feedback.add_argument("--json", action="store_true", help="print what was done as JSON")
    feedback.set_defaults(handler=run_eval_from_feedback)

    gate = jobs.add_parser(
        "gate",
        help="check a report against the quality thresholds; exit 1 when a metric falls below",
        description="Check report.json against min/max thresholds per configuration and list what fell short.",
    )
    gate.add_argument("report", type=Path, help="report.json (or its folder)")
    gate.add_argument("--thresholds", type=Path, default=Path("evals/thresholds.toml"), help="thresholds file (default: %(default)s)")
    gate.set_defaults(handler=run_eval_gate)


def _describe(config: EvalConfig) -> str:
    parts = [f"{config.retriever} retrieval", f"{config.answerer} answerer"]
    parts += [f"k={config.k}"] * bool(config.k) + [f"{config.chunk_tokens}-token chunks"] * bool(config.chunk_tokens)
    return ", ".join(parts)


def _types(text: str) -> list[str]:
    types = [t.strip() for t in text.split(",") if t.strip()]
    unknown = [t for t in types if t not in QUESTION_TYPES]
    if unknown or not types:
        raise argparse.ArgumentTypeError(f"unknown type(s) {', '.join(unknown) or '(none)'}: use {', '.join(QUESTION_TYPES)}")
    return types


def default_out(root: Path = REPORTS_DIR) -> Path:
    """reports/<timestamp>/, with a suffix if that folder exists already."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out, n = root / stamp, 1
    while out.exists():
        n += 1
        out = root / f"{stamp}-{n}"
    return out


def run_eval_run(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of `yearbook eval run`."""
    from evals.configs import ServiceFactory, parse_configs
    from evals.gate import gate, load_thresholds
    from evals.report import failure_table, summary_table, write_report
    from evals.run import Runner, RunOptions, run_evaluation

    if args.limit is not None and args.limit < 1:
        raise ConfigError("--limit must be at least 1")
    names = args.config or (["hybrid", "llm"] if settings.answerer == "llm" else ["hybrid"])
    configs = parse_configs(names)
    needs_llm = [c.name for c in configs if c.answerer == "llm"]
    if needs_llm and not settings.llm_base_url:
        raise ConfigError(f"configuration {', '.join(needs_llm)} needs an LLM server: set YEARBOOK_LLM_BASE_URL")
    thresholds = load_thresholds(args.gate) if args.gate else None  # fail early on a bad file
    judge = None
    if args.judge or (settings.answerer == "llm" and not args.no_judge):
        from evals.judge import Judge

        judge = Judge.from_settings(settings)
        judge.progress = not args.json
    options = RunOptions(limit=args.limit, types=args.types, progress=not args.json, judge=judge)
    runner = Runner(settings, ServiceFactory(settings, progress=not args.json), options)
    report = run_evaluation(args.dataset, configs, settings, runner)
    out = args.out or default_out()
    written = write_report(report, out)
    passed, gate_text = True, ""
    if thresholds is not None:
        passed, gate_text = gate(report, thresholds)
    if args.json:
        brief = {k: v for k, v in report.items() if k != "results"}
        brief["results"] = {n: {k: v for k, v in r.items() if k not in ("questions", "retrieval_ms")} for n, r in report["results"].items()}
        brief["written"] = {k: str(v) for k, v in written.items()}
        if thresholds is not None:
            brief["gate"] = {"passed": passed, "text": gate_text}
        print(json.dumps(brief, ensure_ascii=False))
    else:
        dataset = report["dataset"]
        print(f"\n{dataset['questions']} of {dataset['total']} questions from {dataset['path']}, {report['seconds']:.1f} s\n")
        print(summary_table(report))
        print()
        print(failure_table(report))
        print(f"\nreport: {written['markdown']} (and report.json, accuracy_by_type.png, latency.png)")
    if gate_text:
        print(gate_text, file=sys.stderr if args.json else sys.stdout)
    return 0 if passed else 1


def run_eval_compare(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of `yearbook eval compare`."""
    from evals.compare import compare, format_comparison
    from evals.report import load_report

    result = compare(load_report(args.a), load_report(args.b))
    print(json.dumps(result, ensure_ascii=False) if args.json else format_comparison(result))
    return 0


def run_eval_from_feedback(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of `yearbook eval from-feedback`."""
    from evals.feedback import format_summary, from_feedback

    dataset = args.dataset if args.dataset and args.dataset.exists() else None
    summary = from_feedback(args.feedback or settings.feedback_path, args.out, dataset)
    print(json.dumps(summary, ensure_ascii=False) if args.json else format_summary(summary))
    return 0


def run_eval_gate(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of `yearbook eval gate`."""
    from evals.gate import gate, load_thresholds
    from evals.report import load_report

    passed, text = gate(load_report(args.report), load_thresholds(args.thresholds))
    print(text)
    return 0 if passed else 1
