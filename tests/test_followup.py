"""Offline follow-ups: the subject of the previous question is carried into one that lacks it."""

from __future__ import annotations

from rag.answer.followup import last_user_question, standalone_question, subject_of

VOLUNTEERS = [
    {"role": "user", "content": "2020年园区有多少注册志愿者？"},
    {"role": "assistant", "content": "16.2万人【1】"},
]


def test_that_one_replaces_the_subject():
    assert standalone_question("那台青园呢？", VOLUNTEERS) == "2020年台青园有多少注册志愿者？"


def test_pronoun_takes_the_previous_subject():
    history = [{"role": "user", "content": "园区志愿者协会什么时候成立的？"}]
    assert standalone_question("它有多少注册志愿者？", history) == "园区志愿者协会有多少注册志愿者？"


def test_complete_questions_are_left_alone():
    assert standalone_question("2020年园区发展党员多少人？", VOLUNTEERS) == "2020年园区发展党员多少人？"
    assert standalone_question("那台青园呢？", []) == "那台青园呢？"


def test_history_formats():
    blocks = [{"role": "user", "content": [{"type": "text", "text": "园区融媒体中心哪天启用？"}]}]
    assert last_user_question(blocks) == "园区融媒体中心哪天启用？"
    assert last_user_question([("台青园有多少企业？", "30家")]) == "台青园有多少企业？"
    assert last_user_question([]) is None


def test_subject_skips_a_leading_year():
    assert subject_of("2020年园区有多少注册志愿者？") == "园区"
    assert subject_of("苏州金鸡湖台青创业园入驻了多少家企业？") == "苏州金鸡湖台青创业园"


def test_offline_follow_up_end_to_end(e5_store):
    from rag.answer.service import open_service

    service = open_service(e5_store.settings)
    first = service.answer("苏州金鸡湖台青创业园入驻创业企业多少家？")
    history = [{"role": "user", "content": first.question}, {"role": "assistant", "content": first.text}]
    follow = service.answer("它创造了多少个就业岗位？", history)
    assert follow.standalone_question == "苏州金鸡湖台青创业园创造了多少个就业岗位？"
    assert follow.citations and follow.citations[0].entry == "苏州金鸡湖台青创业园"
    assert follow.short_answer == "160余个"
