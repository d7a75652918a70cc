"""`yearbook bench` at toy size: the report's shape, and year disambiguation over SYNTHETIC years."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import DATASET, FakeEmbeddings
from evals.bench import BenchPlan, build_corpus, run_bench, year_questions
from evals.bench_measure import measure_queries
from evals.bench_report import check_targets, format_markdown
from evals.dataset import load_questions
from ingest.index import ingest
from rag.settings import Settings

TINY = BenchPlan(scales=(1,), latency_questions=5, year_questions_per_year=2, hit_questions=12, server=True)


@pytest.mark.timeout(120)
def test_tiny_bench_writes_json_and_markdown(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "report"
    report = run_bench(settings, out, True, embeddings=FakeEmbeddings(), plan=TINY)
    saved = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    assert saved["mode"] == "quick" and saved["embedding_model"] == FakeEmbeddings.model_id
    for key in ("machine", "corpus", "pipeline", "ingest", "query", "baseline", "targets", "seconds", "memory_method"):
        assert key in saved, key
    assert saved["corpus"]["1x"] == {"files": 1, "synthetic_files": 0, "chars": 25847}
    assert saved["pipeline"]["chunks"] == 170 and saved["pipeline"]["mb_per_s"] > 0
    assert set(saved["ingest"]) == {"1x/embedded", "1x/server"}
    cold = saved["ingest"]["1x/embedded"]
    assert cold["embedded"] == 170 and cold["reingest_embedded"] == 0 and cold["reingest_unchanged_files"] == 1
    assert saved["ingest"]["1x/server"]["embedded"] == 0  # the cold run's vectors were kept
    for mode in ("1x/embedded", "1x/server"):
        query = saved["query"][mode]
        assert query["n"] == 5
        assert 0 < query["retrieval_p50_ms"] <= query["retrieval_p95_ms"]
        assert 0 < query["answer_p50_ms"] <= query["answer_p95_ms"]
        assert query["peak_rss_mb"] > 0
    baseline = saved["baseline"]
    assert baseline["questions"] == 12 and {"hit@1", "hit@5", "mrr@10"} <= set(baseline["ours"])
    assert baseline["baseline"]["chunks"] > 0
    assert [t["name"] for t in saved["targets"]] == [t["name"] for t in check_targets(report)]
    assert "year_disambiguation" not in saved  # no 10× corpus in this plan
    markdown = (out / "bench.md").read_text(encoding="utf-8")
    assert "| corpus / mode |" in markdown and "1x/server" in markdown and "## Targets" in markdown
    assert not (out / "work").exists()
    vectors = settings.cache_dir / "embeddings.sqlite3"
    assert vectors.exists()  # shared cache: the next run embeds nothing


def test_targets_are_unmeasured_when_a_scale_is_missing() -> None:
    targets = {t["name"]: t for t in check_targets({"pipeline": {"mb_per_s": 2.0}})}
    assert targets["parse + chunk throughput (MB/s)"]["met"] is True
    assert targets["retrieval p95 at 50× (ms, worst mode)"]["met"] is None
    assert "## Targets" in format_markdown({"targets": list(targets.values())})


@pytest.fixture(scope="module")
def four_years(tmp_path_factory: pytest.TempPathFactory):
    """The real 2020 chapter plus three SYNTHETIC years (2019, 2021, 2022), ingested with fake vectors."""
    from rag.store.embeddings import CachedEmbeddings

    root = tmp_path_factory.mktemp("years")
    folder = build_corpus(root / "corpus", 4)
    settings = Settings(
        store_dir=root / "chroma", cache_dir=root / "cache", chroma_host=None, retrieval_mode="bm25"
    )
    embeddings = CachedEmbeddings(FakeEmbeddings(), FakeEmbeddings.model_id, root / "cache" / "vectors.sqlite3")
    summary = ingest([folder], settings, embeddings, progress=False)
    assert summary.files == 4 and summary.chunks == 170 + 3 * 171  # a synthetic file also keeps its SYNTHETIC notice line
    yield folder, settings, embeddings
    embeddings.close()


def test_questions_naming_a_year_cite_that_year(four_years) -> None:
    folder, settings, embeddings = four_years
    items = year_questions(folder, load_questions(DATASET), per_year=8)
    assert {item.year for item in items} == {2019, 2020, 2021, 2022} and len(items) == 32
    result = measure_queries(settings, [items[0].question], items, embeddings)
    years = result["years"]
    assert years["top1_year_share"] == 1.0
    assert years["first_citation_year_share"] >= 0.98
    assert all(wrong["refused"] for wrong in years["wrong_year"])  # never a citation from another year
    assert years["answer_contains_gold"] >= 0.75


def test_a_synthetic_year_is_answered_with_its_own_figure(four_years) -> None:
    from rag.answer.service import AnswerOptions, QAService
    from rag.reader.reader import Reader
    from rag.retrieval.hybrid import build_retriever
    from rag.store.chroma import open_store

    folder, settings, embeddings = four_years
    gold = {
        item.year: item for item in year_questions(folder, load_questions(DATASET), None) if item.id.endswith("q008")
    }
    service = QAService(
        build_retriever(settings, open_store(settings, embeddings.model_id), embeddings), Reader()
    )
    for year, item in gold.items():
        answer = service.answer(item.question, options=AnswerOptions(use_llm=False))
        assert answer.citations and answer.citations[0].year == year
        assert answer.short_answer in item.answers, (year, answer.short_answer, item.answers)
    assert len({item.answers[0] for item in gold.values()}) == 4  # 526人 in 2020, other figures elsewhere


def test_bench_command_is_registered_with_its_options() -> None:
    import argparse

    from evals.bench_cli import add_bench_command, run_bench_command

    parser = argparse.ArgumentParser(prog="yearbook")
    add_bench_command(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["bench", "--quick", "--out", "somewhere", "--json"])
    assert args.handler is run_bench_command
    assert args.quick and args.json and args.out == Path("somewhere") and not args.check
