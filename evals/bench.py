"""`yearbook bench`: ingest and query speed, memory, baseline ratios and year disambiguation, in one run."""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import shutil
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from evals import synthetic
from evals.bench_measure import (
    YearQuestion,
    baseline_years,
    compare_baseline,
    ingest_twice,
    measure_pipeline,
    measure_queries,
    process_peak_mb,
)
from evals.bench_report import check_targets, write_reports
from evals.dataset import Question, load_questions
from evals.stages import stage_logger
from ingest.chunk import chunk_entries
from ingest.index import find_files
from ingest.metadata import load_source_info
from ingest.parse import parse_yearbook
from ingest.reader import read_text
from rag.store.embeddings import CachedEmbeddings, embedding_model_id, make_embeddings
from rag.settings import Settings

SEED = 7


@dataclass(frozen=True)
class BenchPlan:
    """How much to measure: quick for CI, full for the README."""

    scales: tuple[int, ...]
    latency_questions: int | None  # None: every bundled question
    year_questions_per_year: int | None  # None: every synthetic year question
    hit_questions: int | None = None  # None: the whole bundled set for hit@1
    server: bool = True
    baseline_at_10x: bool = False


QUICK = BenchPlan(scales=(1, 10), latency_questions=30, year_questions_per_year=3)
FULL = BenchPlan(scales=(1, 10, 50), latency_questions=None, year_questions_per_year=None, baseline_at_10x=True)


def run_bench(
    settings: Settings,
    out_dir: Path,
    quick: bool,
    *,
    embeddings: Embeddings | None = None,
    plan: BenchPlan | None = None,
    progress: bool = False,
    keep_work: bool = False,
) -> dict[str, Any]:
    """Run the benchmark and write ``bench.json`` and ``bench.md`` into ``out_dir``.

    Args:
        settings: the product settings; stores and lexical caches go under ``out_dir/work``,
            vectors come from and go to the shared cache ``settings.cache_dir/embeddings.sqlite3``.
        out_dir: report folder (created).
        quick: 1× and 10× with fewer queries (CI); otherwise 1×, 10× and 50×.
        embeddings: a provider to use instead of the configured one (tests); queries then run
            in this process and memory is this process's peak.
        plan: overrides the quick/full plan.
        progress: print stage lines to stderr.
        keep_work: keep the generated corpora and stores.
    """
    plan = plan or (QUICK if quick else FULL)
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    work = out_dir / "work"
    shutil.rmtree(work, ignore_errors=True)
    log = stage_logger("bench", progress, started)
    inner = embeddings or make_embeddings(settings)
    model_id = getattr(embeddings, "model_id", None) or embedding_model_id(settings)
    isolate = embeddings is None
    cache = CachedEmbeddings(inner, model_id, settings.cache_dir / "embeddings.sqlite3")
    report: dict[str, Any] = {
        "mode": "quick" if quick else "full",
        "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": _machine(),
        "embedding_model": model_id,
        "synthetic_seed": SEED,
        "plan": asdict(plan),
        "memory_method": (
            "peak RSS (resource.getrusage ru_maxrss) of a fresh process that opens the service and "
            "answers the questions, one per scale and mode"
            if isolate
            else "peak RSS (ru_maxrss) of the bench process itself (ingest included): embeddings were injected"
        ),
    }
    bundled = load_questions(synthetic.DATASET)
    try:
        corpora = {scale: build_corpus(work / f"corpus-{scale}x", scale) for scale in plan.scales}
        report["corpus"] = {f"{s}x": _corpus_stats(folder) for s, folder in corpora.items()}
        log("parse + chunk throughput")
        report["pipeline"] = measure_pipeline(corpora[max(plan.scales)], settings.chunk_tokens)
        latency = [q.question for q in _spread(bundled, plan.latency_questions)]
        year_items = year_questions(corpora.get(10), bundled, plan.year_questions_per_year)
        report["ingest"], report["query"] = {}, {}
        modes: list[tuple[str, Settings]] = []
        for scale, folder in corpora.items():
            local = _scaled(settings, work, scale, "embedded")
            log(f"{scale}x embedded: ingest")
            if scale == 1:  # a genuinely cold ingest: fresh vector cache
                cold = CachedEmbeddings(inner, model_id, work / "cold-cache" / "embeddings.sqlite3")
                report["ingest"]["1x/embedded"] = ingest_twice(folder, local, cold)
                _keep_vectors(cold, settings.cache_dir / "embeddings.sqlite3", folder, settings.chunk_tokens)
                cold.close()
            else:
                report["ingest"][f"{scale}x/embedded"] = ingest_twice(folder, local, cache)
            modes.append((f"{scale}x/embedded", local))
            _save_partial(report, out_dir)
        server = None
        if plan.server:
            from evals.chroma_server import ChromaServer

            server = ChromaServer(work / "server-data", log=work / "server.log").start()
            for scale, folder in corpora.items():
                remote = _scaled(settings, work, scale, "server").model_copy(
                    update={"chroma_host": server.host, "chroma_port": server.port}
                )
                log(f"{scale}x server: ingest")
                report["ingest"][f"{scale}x/server"] = ingest_twice(folder, remote, cache)
                modes.append((f"{scale}x/server", remote))
                _save_partial(report, out_dir)
        try:
            for key, mode_settings in modes:
                log(f"{key}: queries")
                items = year_items if key == "10x/embedded" else []
                report["query"][key] = _query(mode_settings, latency, items, None if isolate else cache)
                _save_partial(report, out_dir)
            if server is not None:
                report["server_peak_rss_mb"] = process_peak_mb(server.process.pid if server.process else None)
        finally:
            if server is not None:
                server.stop()
        log("hit@1 against the naive baseline (1x)")
        hit_set = _spread(bundled, plan.hit_questions)
        report["baseline"] = compare_baseline(modes[0][1], corpora[1], hit_set, cache)
        if "10x/embedded" in report["query"]:
            report["year_disambiguation"] = {"scale": "10x", **report["query"]["10x/embedded"].pop("years")}
            if plan.baseline_at_10x:
                log("naive baseline year disambiguation (10x)")
                report["year_disambiguation"]["baseline"] = baseline_years(corpora[10], year_items, cache)
        report["targets"] = check_targets(report)
    finally:
        cache.close()
        if not keep_work:
            shutil.rmtree(work, ignore_errors=True)
    report["machine"]["load_avg_end"] = list(os.getloadavg())
    report["seconds"] = round(time.perf_counter() - started, 1)
    report["partial"] = False
    write_reports(report, out_dir)
    return report


def _save_partial(report: dict[str, Any], out_dir: Path) -> None:
    """Write what is measured so far, so a long run that stops still leaves figures."""
    write_reports({**report, "partial": True, "targets": check_targets(report)}, out_dir)


def _query(settings: Settings, questions: list[str], items: list[YearQuestion], embeddings: Embeddings | None) -> dict[str, Any]:
    if embeddings is not None:
        return measure_queries(settings, questions, items, embeddings)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(measure_queries, (settings, questions, items, None))


def _keep_vectors(cold: CachedEmbeddings, path: Path, folder: Path, budget: int) -> None:
    """Copy the cold run's vectors into the shared cache, so later stages do not embed them again."""
    texts = []
    for file in find_files([folder]):
        text = read_text(file)
        texts += [c.embed_text for c in chunk_entries(parse_yearbook(text, load_source_info(file, text)[0]).entries, budget)]
    shared = CachedEmbeddings(cold, cold.model_id, path)  # misses are served by the cold cache
    try:
        shared.embed_documents(texts)
    finally:
        shared.close()


def build_corpus(folder: Path, scale: int) -> Path:
    """The bundled chapter (real, 2020) plus ``scale - 1`` SYNTHETIC years: ``scale`` × the chapter."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in (synthetic.SOURCE.name, synthetic.SOURCE.stem + ".meta.json"):
        shutil.copyfile(synthetic.SOURCE.with_name(name), folder / name)
    if scale > 1:
        synthetic.generate(folder, scale - 1, seed=SEED)
    return folder


def _corpus_stats(folder: Path) -> dict[str, Any]:
    files = find_files([folder])
    chars = sum(len(read_text(p)) for p in files)
    return {"files": len(files), "synthetic_files": sum(p.name.startswith("synthetic-") for p in files), "chars": chars}


def _scaled(settings: Settings, work: Path, scale: int, mode: str) -> Settings:
    return settings.model_copy(
        update={
            "store_dir": work / f"chroma-{scale}x",
            "cache_dir": work / f"cache-{scale}x-{mode}",
            "collection": f"bench-{scale}x",
            "chroma_host": None,
        }
    )


def _spread(items: list[Question], count: int | None) -> list[Question]:
    """``count`` questions spread evenly over the set (all when None)."""
    if count is None or count >= len(items):
        return list(items)
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def year_questions(folder: Path | None, bundled: list[Question], per_year: int | None) -> list[YearQuestion]:
    """Year questions of the 10× corpus: the real 2020 ones and the SYNTHETIC years' ones."""
    if folder is None:
        return []
    real = [
        YearQuestion(q.id, q.question, synthetic.SOURCE_YEAR, q.answers, q.gold_entries()[0])
        for q in synthetic.figure_questions(bundled)
    ]
    by_year: dict[int, list[YearQuestion]] = {synthetic.SOURCE_YEAR: real}
    for line in (folder / synthetic.QUESTIONS_FILE).read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        item = YearQuestion(raw["id"], raw["question"], int(raw["year"]), tuple(raw["answers"]), (raw["section"], raw["entry"]))
        by_year.setdefault(item.year, []).append(item)
    chosen: list[YearQuestion] = []
    for year in sorted(by_year):
        group = by_year[year]
        if per_year is not None and per_year < len(group):
            group = [group[int(i * len(group) / per_year)] for i in range(per_year)]
        chosen.extend(group)
    return chosen


def _machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_avg_start": list(os.getloadavg()),
        "omp_env": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY")},
    }
