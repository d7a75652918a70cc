"""Question–clause alignment: the one open stretch of a sure clause, with the asked head."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from rag.reader.alignment import cell_gap, gap_span, row_cell
from rag.reader.candidates import Span, sentences
from rag.reader.question import analyse


def _aligned(question: str, text: str) -> str | None:
    sentence = sentences([Document(page_content=text, metadata={"kind": "text", "span_start": 0})])[0]
    found = gap_span(analyse(question), Span(sentence, 0, 1, "span"))
    return found.text if found else None


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        ("信访局与哪个社工委启动了调解项目？", "信访局与星湖社工委启动调解项目", "星湖社工委"),
        ("哪个单位在新城派驻了人民武装办公室？", "市军分区在新城派驻人民武装办公室", "市军分区"),
        ("这个故事发生在哪个乡？", "这个故事即发生在境内青山乡", "青山乡"),
    ],
)
def test_the_open_stretch_is_the_answer(question, text, expected):
    assert _aligned(question, text) == expected


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        ("训练营以什么为主题？", "训练营以“聚红色力量 育圆融先锋”为主题", "“聚红色力量 育圆融先锋”"),  # a stretch ending inside it
        ("剧团原创的现代剧叫什么名字？", "剧团原创现代剧《山乡情》入选精品扶持项目", "《山乡情》"),  # a stretch starting inside it
        ("中心被授予了什么称号？", "中心被授予“实施卓越绩效模式先进单位”称号", "“实施卓越绩效模式先进单位”"),
    ],
)
def test_a_stretch_that_cuts_into_a_quoted_name_is_the_whole_name(question, text, expected):
    assert _aligned(question, text) == expected


def test_two_open_stretches_without_the_head_give_nothing():
    assert _aligned("谁主办了比赛？", "市人社局和团市委联合主办比赛并颁奖给获奖选手") is None


def test_a_clause_the_question_covers_whole_gives_nothing():
    assert _aligned("大赛在新城举办吗？", "大赛在新城举办") is None


def _row(header: str, row: str) -> Span:
    document = Document(page_content=f"表1\n{header}\n{row}", metadata={"kind": "table", "table_header": header})
    sentence = sentences([document])[0]
    return Span(sentence, 0, 1, "cell")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("张明是什么职务？", "县委书记"),
        ("县委书记叫什么名字？", "张明"),  # a name asked of a role is a person's: the 姓名 column
        ("县委书记有什么经历？", None),  # 「经历」 names no column: the row is quoted
        ("县委书记是谁？", "张明"),
    ],
)
def test_the_open_cell_of_a_roster_row(question, expected):
    span = _row("职务 | 姓名 | 简况", "县委书记 | 张明 | 1960年5月生,汉族,大学学历")
    found = row_cell(analyse(question), span)
    assert (found.text if found else None) == expected


def test_the_date_cell_of_a_visit_row():
    span = _row("日期 | 国家 | 外宾姓名和职务 | 活动内容", "5月15日 | 美国 | 某公司副总裁王东 | 会谈")
    found = row_cell(analyse("某公司副总裁王东是哪天到访的？"), span)
    assert found is not None and found.text == "5月15日"
    activity = row_cell(analyse("某公司副总裁王东来参加了什么活动？"), span)
    assert activity is not None and activity.text == "会谈"


@pytest.mark.parametrize(
    ("question", "row", "cell", "expected"),
    [
        ("12月8日到访的法国驻沪总领事是谁？", "12月8日 | 法国 | 法国驻沪总领事米歇尔·杜邦 | 会见", "法国驻沪总领事米歇尔·杜邦", "米歇尔·杜邦"),
        ("澳门代表团出席了什么仪式？", "3月2日 | 澳门 | 澳门代表团 | 出席滨湖大学海洋科学研究院创新中心启用仪式",
         "出席滨湖大学海洋科学研究院创新中心启用仪式", "滨湖大学海洋科学研究院创新中心启用仪式"),
        ("法国客人来新城是什么活动？", "12月8日 | 法国 | 法国客人 | 会见", "会见", "会见"),  # no question word at its edges
    ],
)
def test_a_cell_loses_the_question_words_at_its_edges(question, row, cell, expected):
    span = _row("日期 | 国家 | 外宾姓名和职务 | 活动内容", row)
    at = span.sentence.folded.index(cell)
    found = cell_gap(analyse(question), Span(span.sentence, at, at + len(cell), "cell"))
    assert found.text == expected
