"""The LLM judge against the local fake OpenAI-protocol server: verdicts, the disk cache, bad output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import DATASET
from evals.dataset import load_questions
from evals.judge import RUBRIC, Judge, parse_verdict
from fake_openai_server import FakeOpenAIServer, Step
from rag.answer.schema import REFUSAL_TEXT, Answer, Citation
from rag.errors import ConfigError

GOOD = '{"faithfulness": "supported", "correctness": "correct", "reason": "与资料一致"}'


@pytest.fixture()
def server():
    with FakeOpenAIServer() as fake:
        yield fake


@pytest.fixture()
def judge(server: FakeOpenAIServer, settings) -> Judge:
    configured = settings.model_copy(update={"llm_base_url": server.base_url, "llm_model": "judge-model", "llm_retries": 0})
    return Judge.from_settings(configured)


def q008():
    return next(q for q in load_questions(DATASET) if q.id == "q008")


def cited_answer(text: str = "2020年园区全年发展党员526人【1】。") -> Answer:
    citation = Citation(n=1, chunk_id="c1", year=2020, section="组织工作", entry="概况", quote="全年发展党员526人")
    context = {"chunk_id": "c1", "section": "组织工作", "entry": "概况", "text": "2020年,园区全年发展党员526人。"}
    return Answer(question=q008().question, text=text, short_answer="526人", citations=[citation], contexts=[context])


@pytest.mark.parametrize(
    ("reply", "scores"),
    [
        (GOOD, (1.0, 1.0)),
        ('```json\n{"faithfulness": "partial", "correctness": "incorrect", "reason": "数字有误"}\n```', (0.5, 0.0)),
        ('评估如下：{"faithfulness": "Unsupported", "correctness": "partial"} 以上。', (0.0, 0.5)),
    ],
)
def test_parse_verdict_reads_json_in_any_wrapping(reply: str, scores: tuple[float, float]) -> None:
    verdict = parse_verdict(reply)
    assert verdict is not None and (verdict["faithfulness"], verdict["correctness"]) == scores


@pytest.mark.parametrize("reply", ["忠实，正确", '{"faithfulness": "yes", "correctness": "correct"}', "{not json}", "[1, 2]", ""])
def test_parse_verdict_rejects_malformed_output(reply: str) -> None:
    assert parse_verdict(reply) is None


def test_verdict_is_parsed_and_cached_so_a_rerun_makes_no_request(judge: Judge, server: FakeOpenAIServer) -> None:
    server.play(Step(reply=GOOD))
    first = judge.judge_answer(q008(), cited_answer())
    assert (first["faithfulness"], first["correctness"], first["cached"]) == (1.0, 1.0, False)
    assert len(server.script.requests) == 1
    request = server.script.requests[0]
    assert request["model"] == "judge-model" and request["messages"][0]["content"] == RUBRIC
    user = request["messages"][1]["content"]
    assert "标准答案：526人 / 526" in user and "【1】组织工作 › 概况\n2020年,园区全年发展党员526人。" in user

    again = judge.judge_answer(q008(), cited_answer())
    assert again["cached"] and again["correctness"] == 1.0
    assert len(server.script.requests) == 1  # answered from the disk cache
    assert len(list(judge.cache_dir.rglob("*.json"))) == 1

    fresh = Judge(judge.chat, judge.model_name, judge.cache_dir)  # another process, same cache
    assert fresh.judge_answer(q008(), cited_answer())["cached"] and len(server.script.requests) == 1
    other = judge.judge_answer(q008(), cited_answer("2020年园区全年发展党员612人【1】。"))
    assert not other["cached"] and len(server.script.requests) == 2  # a different answer is a new request


def test_malformed_output_is_an_error_and_is_not_cached(judge: Judge, server: FakeOpenAIServer) -> None:
    server.play(Step(reply="我认为回答基本正确。"), Step(reply=GOOD))
    bad = judge.judge_answer(q008(), cited_answer())
    assert bad["error"] == "malformed judge output" and "基本正确" in bad["raw"]
    assert judge.errors == 1 and not list(judge.cache_dir.rglob("*.json"))
    good = judge.judge_answer(q008(), cited_answer())
    assert good["correctness"] == 1.0 and len(server.script.requests) == 2


def test_refusals_are_scored_by_rule_and_server_failures_give_up(judge: Judge, server: FakeOpenAIServer) -> None:
    questions = load_questions(DATASET)
    unanswerable = next(q for q in questions if not q.answerable)
    refusal = Answer(question="?", text=REFUSAL_TEXT, refused=True)
    server.play(Step(status=500))
    verdicts, summary = judge([q008(), unanswerable], [refusal, refusal])
    assert [v["correctness"] for v in verdicts] == [0.0, 1.0] and not server.script.requests
    assert summary["judged"] == 2 and summary["correctness"] == 0.5 and summary["faithfulness"] is None

    answers = [cited_answer(f"发展党员{n}人【1】。") for n in range(5)]
    verdicts, summary = judge([q008()] * 5, answers)
    assert all("error" in v for v in verdicts) and summary["errors"] == 5
    assert len(server.script.requests) == 3  # stops asking after three failures in a row


def test_judge_needs_a_configured_llm(settings) -> None:
    with pytest.raises(ConfigError, match="YEARBOOK_LLM_BASE_URL"):
        Judge.from_settings(settings)


def test_run_with_judge_adds_scores_to_the_report(e5_store, server: FakeOpenAIServer, tmp_path: Path) -> None:
    from evals.configs import ServiceFactory, parse_configs
    from evals.run import Runner, RunOptions, run_evaluation

    server.play(Step(reply=GOOD))
    settings = e5_store.settings.model_copy(update={"llm_base_url": server.base_url, "cache_dir": tmp_path / "cache"})
    judge = Judge.from_settings(settings)
    factory = ServiceFactory(e5_store.settings, embeddings=e5_store.embeddings, progress=False)
    runner = Runner(e5_store.settings, factory, RunOptions(limit=3, types=["number"], progress=False, judge=judge))
    report = run_evaluation(DATASET, parse_configs(["bm25"]), e5_store.settings, runner)
    result = report["results"]["bm25"]
    assert result["judge"]["model"] == settings.llm_model
    assert result["summary"]["judge_correctness"] is not None
    assert all("judge" in q for q in result["questions"])
    answered = sum(1 for q in result["questions"] if not q["refused"])
    assert result["judge"]["requests"] == len(server.script.requests) == answered
    json.dumps(report, ensure_ascii=False)  # still JSON-ready
