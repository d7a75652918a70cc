"""Measurements of `yearbook bench`: pipeline and ingest speed, query latency and memory, baselines."""

from __future__ import annotations

import resource
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from evals.dataset import Question
from evals.retrieval import evaluate, labels_of, percentile, summarize
from ingest.chunk import chunk_entries
from ingest.index import find_files, ingest
from ingest.metadata import load_source_info
from ingest.parse import parse_yearbook
from ingest.reader import read_text
from rag.store.embeddings import CachedEmbeddings, embedding_model_id
from rag.settings import Settings
from rag.text import normalise


@dataclass(frozen=True)
class YearQuestion:
    """A question naming a year, its gold answers and gold (section, entry)."""

    id: str
    question: str
    year: int
    answers: tuple[str, ...]
    gold: tuple[str, str]

def measure_pipeline(folder: Path, budget: int) -> dict[str, float]:
    """Read, parse and chunk every file of ``folder`` (no embedding, no store): throughput."""
    files = find_files([folder])
    warm = read_text(files[0])
    chunk_entries(parse_yearbook(warm, load_source_info(files[0], warm)[0]).entries, budget)
    chars = size = chunks = 0
    started = time.perf_counter()
    for path in files:
        text = read_text(path)
        info, _ = load_source_info(path, text)
        chunks += len(chunk_entries(parse_yearbook(text, info).entries, budget))
        chars += len(text)
        size += len(text.encode("utf-8"))
    seconds = time.perf_counter() - started
    return {
        "files": len(files),
        "chars": chars,
        "mb": round(size / 1e6, 3),
        "chunks": chunks,
        "seconds": round(seconds, 3),
        "chars_per_s": round(chars / seconds),
        "mb_per_s": round(size / 1e6 / seconds, 3),
        "chunks_per_s": round(chunks / seconds, 1),
    }


def measure_queries(
    settings: Settings,
    questions: list[str],
    year_items: list[YearQuestion],
    embeddings: Embeddings | None = None,
) -> dict[str, Any]:
    """Open the service as the app does, time retrieval and offline answers, check year citations.

    Runs in a fresh process when ``embeddings`` is None, so its peak RSS is the app's.
    """
    from rag.answer.service import AnswerOptions, QAService, open_service
    from rag.reader.reader import Reader
    from rag.retrieval.hybrid import build_retriever
    from rag.store.chroma import open_store

    started = time.perf_counter()
    if embeddings is None:
        service = open_service(settings)
    else:
        store = open_store(settings, getattr(embeddings, "model_id", embedding_model_id(settings)))
        service = QAService(build_retriever(settings, store, embeddings), Reader())
    options = AnswerOptions(use_llm=False)
    service.answer(questions[0], options=options)  # builds the lexical index, warms the model
    first = time.perf_counter() - started
    retrieval: list[float] = []
    for question in questions:
        t0 = time.perf_counter()
        service.retriever.search(question)
        retrieval.append((time.perf_counter() - t0) * 1000)
    answers: list[float] = []
    for question in questions:
        t0 = time.perf_counter()
        service.answer(question, options=options)
        answers.append((time.perf_counter() - t0) * 1000)
    result: dict[str, Any] = {
        "n": len(questions),
        "open_and_first_answer_s": round(first, 2),
        "retrieval_p50_ms": round(percentile(retrieval, 50), 1),
        "retrieval_p95_ms": round(percentile(retrieval, 95), 1),
        "answer_p50_ms": round(percentile(answers, 50), 1),
        "answer_p95_ms": round(percentile(answers, 95), 1),
        "answer_mean_ms": round(statistics.fmean(answers), 1),
    }
    if year_items:
        result["years"] = _year_check(service, year_items, options)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def compare_baseline(settings: Settings, folder: Path, questions: list[Question], cache: CachedEmbeddings) -> dict[str, Any]:
    """hit@1/hit@5/MRR of our retriever and of the naive baseline on the same corpus and questions."""
    from evals.baseline import NaiveBaseline
    from rag.retrieval.hybrid import build_retriever
    from rag.store.chroma import open_store

    retriever = build_retriever(settings, open_store(settings, cache.model_id), cache)

    def ours(question: str) -> tuple[list, float]:
        result = retriever.search(question, k=10)
        return [labels_of(d.metadata) for d in result.documents], result.ms

    ours("预热")
    report: dict[str, Any] = {"questions": len(questions), "corpus": "1x (the bundled chapter)"}
    report["ours"] = _metrics(evaluate(questions, ours, progress=False))
    naive = NaiveBaseline([folder], cache)
    report["baseline"] = _metrics(evaluate(questions, naive.search, progress=False))
    report["baseline"]["chunks"] = naive.chunks
    report["ratio"] = {
        key: round(report["ours"][key] / report["baseline"][key], 3)
        for key in ("hit@1", "hit@5", "mrr@10")
        if report["baseline"].get(key)
    }
    return report


def baseline_years(folder: Path, items: list[YearQuestion], cache: CachedEmbeddings) -> dict[str, Any]:
    """The naive baseline's share of year questions whose first chunk comes from the named year."""
    from evals.baseline import NaiveBaseline

    years = {p.name: load_source_info(p, read_text(p))[0].year for p in find_files([folder])}
    naive = NaiveBaseline([folder], cache)
    right = 0
    for item in items:
        found = naive.store.similarity_search(item.question, k=1)
        right += bool(found) and years.get(str(found[0].metadata.get("source"))) == item.year
    return {"n": len(items), "top1_year_share": round(right / max(len(items), 1), 3), "chunks": naive.chunks}


def _year_check(service: Any, items: list[YearQuestion], options: Any) -> dict[str, Any]:
    first_year = top_year = gold = contains = refused = 0
    wrong: list[dict[str, Any]] = []
    for item in items:
        answer = service.answer(item.question, options=options)
        cited = answer.citations[0].year if answer.citations else None
        first_year += cited == item.year
        refused += answer.refused
        top = answer.contexts[0] if answer.contexts else {}
        top_year += top.get("year") == item.year
        gold += (top.get("section"), top.get("entry")) == item.gold or (top.get("section"), top.get("table")) == item.gold
        text = normalise(answer.short_answer or answer.text)
        contains += any(normalise(a) in text for a in item.answers)
        if cited != item.year and len(wrong) < 20:
            wrong.append({"id": item.id, "question": item.question, "cited_year": cited, "refused": answer.refused})
    n = max(len(items), 1)
    return {
        "n": len(items),
        "first_citation_year_share": round(first_year / n, 3),
        "answered_citing_named_year": round(first_year / max(len(items) - refused, 1), 3),
        "top1_year_share": round(top_year / n, 3),
        "gold_entry_hit@1": round(gold / n, 3),
        "answer_contains_gold": round(contains / n, 3),
        "refused": refused,
        "wrong_year": wrong,
    }

def ingest_twice(folder: Path, settings: Settings, embeddings: CachedEmbeddings) -> dict[str, Any]:
    """Ingest ``folder`` into a new store, then again with nothing changed."""
    first = ingest([folder], settings, embeddings, progress=False)
    again = ingest([folder], settings, embeddings, progress=False)
    chars = sum(len(read_text(p)) for p in find_files([folder]))
    return {
        "files": first.files,
        "chunks": first.chunks,
        "embedded": first.embedded,
        "seconds": first.seconds,
        "chars_per_s": round(chars / max(first.seconds, 1e-9)),
        "chunks_per_s": round(first.chunks / max(first.seconds, 1e-9), 1),
        "reingest_seconds": again.seconds,
        "reingest_embedded": again.embedded,
        "reingest_unchanged_files": again.unchanged,
    }

def _metrics(rows: list) -> dict[str, Any]:
    summary = summarize(rows)
    return {k: summary[k] for k in ("n", "hit@1", "hit@3", "hit@5", "mrr@10", "p50_ms", "p95_ms") if k in summary}


def process_peak_mb(pid: int | None) -> float | None:
    """VmHWM (peak RSS) of another process, from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError):
        return None
    return None
