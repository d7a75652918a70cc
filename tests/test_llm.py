"""The LLM answerer through real HTTP against a local fake OpenAI-protocol server."""

from __future__ import annotations

import time

import pytest

from fake_openai_server import FakeOpenAIServer, Step
from rag.answer.service import AnswerOptions, open_service
from rag.answer.llm import pack_sources
from rag.settings import Settings

QUESTION = "2020年园区发展党员多少人？"


@pytest.fixture(scope="module")
def server():
    with FakeOpenAIServer() as fake:
        yield fake


@pytest.fixture()
def service(e5_store, server):
    settings = e5_store.settings.model_copy(
        update={
            "answerer": "llm",
            "llm_base_url": server.base_url,
            "llm_model": "fake-chat",
            "llm_retries": 1,
            "llm_timeout": 1.5,
        }
    )
    return open_service(settings)


def test_grounded_answer_streams_and_cites(service, server):
    server.play(Step("2020年园区全年发展党员526人【1】。"))
    answers = list(service.stream(QUESTION))
    assert len(answers) > 2 and not any(a.final for a in answers[:-1]) and answers[-1].final
    assert answers[1].text in answers[-1].text or answers[1].text.startswith("2020")
    final = answers[-1]
    assert final.mode == "llm" and not final.refused and not final.notices
    assert "526人【1】" in final.text
    citation = final.citations[0]
    assert (citation.section, citation.entry) == ("组织工作", "概况")
    assert "526人" in citation.quote
    request = server.script.requests[-1]
    assert request["stream"] is True and request["model"] == "fake-chat"
    prompt = request["messages"][-1]["content"]
    assert "【1】2020年 · 组织工作 › 概况" in prompt and QUESTION in prompt
    assert "年鉴中未找到相关记载" in request["messages"][0]["content"]


def test_marker_naming_no_source_is_removed_and_noted(service, server):
    server.play(Step("全年发展党员526人【1】【9】。"))
    final = service.answer(QUESTION)
    assert "【9】" not in final.text and "526人【1】" in final.text
    assert any("【9】" in notice for notice in final.notices)
    assert [c.n for c in final.citations] == [1]


def test_invented_figure_is_never_shown_as_the_answer(service, server):
    server.play(Step("全年发展党员526人【1】，其中女性党员318人【1】。"))
    final = service.answer(QUESTION)
    assert "318" not in final.text, final.text  # the verified offline answer is shown instead
    assert final.mode == "extractive" and final.short_answer == "526人"
    assert any("318" in notice and "离线" in notice for notice in final.notices)
    assert not any("526" in notice for notice in final.notices)


def test_unsupported_figure_is_struck_when_the_offline_reader_refuses(service, server):
    # A year the yearbook does not cover, so the offline reader surely refuses (the premise here).
    server.play(Step("园区共有三甲医院7家【1】。"))
    final = service.answer("2016年园区有多少家三甲医院？")
    assert "7家" not in final.text and "未能在来源中核实" in final.text, final.text
    assert final.mode == "llm" and final.short_answer is None


def test_figures_compare_by_value(service, server):
    server.play(Step("大专及以上学历人才增加43200人【1】。"))
    final = service.answer("2020年园区大专及以上学历人才增加了多少？")
    assert final.citations, final
    assert not any("43200" in notice for notice in final.notices), final.notices


def test_refusal_is_recognised(service, server):
    server.play(Step("年鉴中未找到相关记载。"))
    final = service.answer("2020年园区有多少家三甲医院？")
    assert final.refused and final.citations == [] and final.mode == "llm"


@pytest.mark.parametrize("status, reason", [(500, "500"), (429, "429")])
def test_server_errors_fall_back_to_the_offline_answer(service, server, status, reason):
    server.play(Step(status=status))
    final = service.answer(QUESTION)
    assert final.mode == "extractive" and final.short_answer == "526人"
    assert any(reason in notice and "离线" in notice for notice in final.notices)
    assert len(server.script.requests) == 2  # one try and one bounded retry


def test_one_failure_then_success_is_retried(service, server):
    server.play(Step(status=503), Step("全年发展党员526人【1】。"))
    final = service.answer(QUESTION)
    assert final.mode == "llm" and final.notices == []
    assert len(server.script.requests) == 2


def test_slow_server_times_out_into_the_offline_answer(service, server):
    server.play(Step("太慢了", delay=3.0))
    started = time.perf_counter()
    final = service.answer(QUESTION)
    assert time.perf_counter() - started < 8
    assert final.mode == "extractive" and any("超时" in n for n in final.notices)


def test_dead_server_falls_back(e5_store):
    settings = e5_store.settings.model_copy(
        update={"answerer": "llm", "llm_base_url": "http://127.0.0.1:9/v1", "llm_retries": 0, "llm_timeout": 1.0}
    )
    final = open_service(settings).answer(QUESTION)
    assert final.mode == "extractive" and any("无法连接" in n for n in final.notices)


def test_offline_option_skips_the_llm(service, server):
    server.play(Step("不应被调用"))
    final = service.answer(QUESTION, options=AnswerOptions(use_llm=False))
    assert final.mode == "extractive" and server.script.requests == []


def test_follow_up_is_condensed_by_the_llm(service, server):
    def reply(messages):
        content = messages[-1]["content"]
        if "后续问题" in content:
            return "2020年苏州金鸡湖台青创业园入驻创业企业多少家？"
        return "截至年底入驻创业企业30家【1】。" if "台青创业园" in content else "年鉴中未找到相关记载。"

    server.play(Step(reply))
    history = [{"role": "user", "content": "2020年园区有多少注册志愿者？"}, {"role": "assistant", "content": "16.2万人【1】"}]
    final = service.answer("那台青园呢？", history)
    assert final.standalone_question == "2020年苏州金鸡湖台青创业园入驻创业企业多少家？"
    assert "后续问题：那台青园呢？" in server.script.requests[0]["messages"][-1]["content"]
    assert final.citations and final.citations[0].entry == "苏州金鸡湖台青创业园"


def test_context_is_packed_under_the_token_budget(service):
    documents = service.retriever.search(QUESTION, k=10).documents
    assert len(pack_sources(documents, 300)) < len(documents)
    assert len(pack_sources(documents, 100000)) == len(documents)
    assert len(pack_sources(documents, 1)) == 1


def test_settings_default_is_offline():
    assert Settings().answerer == "extractive"
