"""`yearbook eval`: score retrieval (and later answers) on a question set."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evals.dataset import SPLITS, load_questions, training_questions
from evals.retrieval import evaluate, labels_of, misses, summarize
from evals.reader_cli import add_reader_jobs, run_split_answers
from evals.run_cli import add_eval_jobs
from rag.store.embeddings import CachedEmbeddings, embedding_model_id, make_embeddings
from rag.retrieval.hybrid import open_retriever
from rag.settings import Settings

DEFAULT_DATASET = Path("evals/datasets/sip_2020_party.jsonl")
RETRIEVAL_KEYS = ("hit@1", "hit@3", "hit@5", "mrr@10", "multi_entry_all_in_top5", "p50_ms", "p95_ms")


def add_eval_command(commands: Any) -> None:
    """Register `yearbook eval` and its subcommands."""
    parser = commands.add_parser("eval", help="score retrieval and answers on a question set")
    jobs = parser.add_subparsers(dest="eval_command", metavar="JOB", required=True)
    retrieval = jobs.add_parser(
        "retrieval",
        help="hit@1/3/5, MRR@10 and latency of retrieval, beside the naive baseline",
        description="Entry-level retrieval metrics on a JSONL question set, per question type, "
        "with a naive baseline (500/50 recursive splits, dense only) measured in the same run.",
    )
    retrieval.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help="JSONL question set")
    retrieval.add_argument("--json", action="store_true", help="print the metrics as JSON")
    retrieval.add_argument("--no-baseline", action="store_true", help="skip the naive baseline")
    retrieval.add_argument("--show-misses", action="store_true", help="list questions not ranked first")
    retrieval.add_argument(
        "--cross-validate", action="store_true",
        help="instead: leave-one-yearbook-out of the learned reranker over the train and dev questions "
        "(hit@1/@5 of their gold evidence, fused order and held-out reranker, per yearbook); writes nothing",
    )
    retrieval.add_argument(
        "--exactness", action="store_true",
        help="instead: how often the vector search returns the train and dev questions' nearest chunks in the "
        "exact order (brute force as truth) in the evaluation store at the configured YEARBOOK_HNSW_EF_SEARCH, "
        "with Chroma's query latency",
    )
    retrieval.set_defaults(handler=run_eval_retrieval)
    answers = jobs.add_parser(
        "answers",
        help="exact match, F1, containment, refusals, citations and latency of answers",
        description="Answer every question of a JSONL set with the configured answerer and score "
        "short answers (EM, CMRC-style F1), answer containment, refusals and first citations, "
        "per question type.",
    )
    answers.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help="JSONL question set")
    answers.add_argument("--json", action="store_true", help="print the metrics as JSON")
    answers.add_argument("--show-failures", action="store_true", help="list wrong answers and refusals (with --splits, per split)")
    answers.add_argument("--offline", action="store_true", help="extractive answerer even if an LLM is set")
    answers.add_argument(
        "--splits", action="store_true",
        help="score the train, dev, shift (a new hand, never trained on) and test splits of evals/datasets, with the gaps",
    )
    answers.add_argument(
        "--only", action="append", choices=SPLITS, default=[],
        help="with --splits: score only this split (repeatable); keeps the test split unread while tuning",
    )
    answers.set_defaults(handler=run_eval_answers)
    add_eval_jobs(jobs)
    add_reader_jobs(jobs)


def run_eval_retrieval(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of `yearbook eval retrieval`."""
    if args.cross_validate:
        return run_reranker_cross_validation(args, settings)
    if args.exactness:
        return run_search_exactness(args, settings)
    questions = load_questions(args.dataset)
    retriever = open_retriever(settings)
    progress = not args.json

    def search(question: str) -> tuple[list, float]:
        result = retriever.search(question, k=10)
        return [labels_of(d.metadata) for d in result.documents], result.ms

    search("预热")  # load the lexical index and the model before timing
    rows = evaluate(questions, search, progress=progress, desc=f"{settings.retrieval_mode}")
    report: dict[str, Any] = {"dataset": str(args.dataset), "questions": len(questions)}
    report["ours"] = summarize(rows)
    report["ours"]["mode"] = settings.retrieval_mode
    if not args.no_baseline:
        from evals.baseline import NaiveBaseline

        model_id = embedding_model_id(settings)
        embeddings = CachedEmbeddings(make_embeddings(settings), model_id, settings.cache_dir / "embeddings.sqlite3")
        baseline = NaiveBaseline([settings.corpus_dir], embeddings)
        report["baseline"] = summarize(evaluate(questions, baseline.search, progress=progress, desc="baseline"))
        report["baseline"]["chunks"] = baseline.chunks
        report["ratio"] = {
            key: round(report["ours"][key] / report["baseline"][key], 3)
            for key in ("hit@1", "hit@5", "mrr@10")
            if report["baseline"].get(key)
        }
    if args.show_misses or args.json:
        report["misses"] = misses(rows)
    return print_report(report, args.json, format_retrieval_report)


def run_reranker_cross_validation(args: argparse.Namespace, settings: Settings) -> int:
    """`yearbook eval retrieval --cross-validate`: the reranker scored on yearbooks it never saw."""
    from evals.reader_cli import fused_evidence_pools
    from evals.train_rerank import cross_validate_reranker, format_reranker_cross_validation

    pools = fused_evidence_pools(training_questions(), settings, progress=not args.json)
    return print_report(cross_validate_reranker(pools), args.json, format_reranker_cross_validation)


def run_search_exactness(args: argparse.Namespace, settings: Settings) -> int:
    """`yearbook eval retrieval --exactness`: the vector search against brute force, at the configured ef_search."""
    from evals.eval_store import eval_settings
    from evals.reader_cli import corpus_places
    from evals.search_exactness import dense_queries, format_exactness, measure_exactness

    scoped = eval_settings(settings.model_copy(update={"rerank": False}))
    retriever = open_retriever(scoped)
    places = corpus_places(retriever.store.manifest())
    queries = dense_queries(training_questions(), retriever, places, progress=not args.json)
    report = measure_exactness(queries, retriever.store.collection, scoped.candidates)
    return print_report(report, args.json, format_exactness)


def print_report(report: dict[str, Any], as_json: bool, formatter: Callable[[dict[str, Any]], str]) -> int:
    """Print a report as one JSON object or as readable text; the command's exit code."""
    print(json.dumps(report, ensure_ascii=False) if as_json else formatter(report))
    return 0


def format_retrieval_report(report: dict[str, Any]) -> str:
    """A readable table of the retrieval report."""
    columns = ["ours"] + (["baseline"] if "baseline" in report else [])
    lines = [f"dataset {report['dataset']} ({report['questions']} questions)", ""]
    lines.append(f"{'metric':<26}" + "".join(f"{c:>12}" for c in columns))
    for key in RETRIEVAL_KEYS:
        cells = [report[c].get(key) for c in columns]
        lines.append(f"{key:<26}" + "".join(f"{_fmt(v):>12}" for v in cells))
    lines.append("")
    lines.append("per type (ours): n, hit@1, hit@5, mrr@10")
    for kind, metrics in report["ours"]["by_type"].items():
        if "hit@1" in metrics:
            lines.append(
                f"  {kind:<14}{metrics['n']:>4}  {metrics['hit@1']:.3f}  {metrics['hit@5']:.3f}  {metrics['mrr@10']:.3f}"
            )
        else:
            lines.append(f"  {kind:<14}{metrics['n']:>4}  all gold entries in top 5: {metrics['all_in_top5']:.3f}")
    if "ratio" in report:
        lines.append("")
        lines.append("ours / baseline: " + ", ".join(f"{k} {v:.2f}×" for k, v in report["ratio"].items()))
    for miss in report.get("misses", []):
        lines.append(f"  miss {miss['id']} rank={miss['rank']} {miss['question']}  gold: {miss['gold']}  top: {miss['top'][:2]}")
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if value <= 1.0 else f"{value:.1f}"
    return str(value)


ANSWER_KEYS = ("exact_match", "f1", "containment", "false_refusal", "citation_gold")


def run_eval_answers(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of `yearbook eval answers`."""
    if args.splits:
        return run_split_answers(args, settings)
    from evals.answers import evaluate as evaluate_answers
    from evals.answers import failures
    from evals.answers import summarize as summarize_answers
    from rag.answer.service import AnswerOptions, open_service

    questions = load_questions(args.dataset)
    service = open_service(settings)
    options = AnswerOptions(use_llm=False if args.offline else None)
    service.answer("预热", options=options)  # load the lexical index and the model before timing
    rows = evaluate_answers(questions, lambda q: service.answer(q, options=options), progress=not args.json)
    report: dict[str, Any] = {"dataset": str(args.dataset), "questions": len(questions)}
    report["mode"] = "extractive" if args.offline or service.llm is None else service.mode_label
    report["answers"] = summarize_answers(rows)
    if args.json or args.show_failures:
        report["failures"] = failures(rows)
    return print_report(report, args.json, format_answer_report)


def format_answer_report(report: dict[str, Any]) -> str:
    """A readable table of the answer report."""
    from evals.answers import format_failure

    metrics = report["answers"]
    lines = [f"dataset {report['dataset']} ({report['questions']} questions), answerer: {report['mode']}", ""]
    lines.append(f"{'type':<14}{'n':>5}" + "".join(f"{k:>15}" for k in ANSWER_KEYS))
    rows = [("answerable", metrics)] + [(k, v) for k, v in metrics["by_type"].items() if k != "unanswerable"]
    for name, values in rows:
        lines.append(f"{name:<14}{values['n']:>5}" + "".join(f"{_fmt(values.get(k)):>15}" for k in ANSWER_KEYS))
    lines.append("")
    lines.append(
        f"unanswerable: refusal recall {_fmt(metrics['refusal_recall'])}, "
        f"refusal precision {_fmt(metrics['refusal_precision'])}"
    )
    lines.append(f"latency p50 {metrics['p50_ms']:.1f} ms, p95 {metrics['p95_ms']:.1f} ms")
    lines += [format_failure(failure) for failure in report.get("failures", [])]
    return "\n".join(lines)
