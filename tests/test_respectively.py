"""「A、B分别为X、Y」: the figure paired with the item the question names."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from rag.reader.candidates import Span, sentences
from rag.reader.lexicon import load_lexicon
from rag.reader.question import analyse
from rag.reader.respectively import paired_figure

AREAS = "2019年,全县粮食播种面积85.3万亩,小麦、玉米、大豆播种面积分别为41.2万亩、37.9万亩和3.1万亩。"
EMISSIONS = "全年关停落后产能企业9家,化学需氧量、二氧化硫排放量分别下降4.6%和5.3%。"
TAXES = "国税收入完成1,126万元,地税收入完成1,468万元,比上年分别增长2.9%和6.7%。"


def _paired(question: str, text: str) -> str | None:
    sentence = sentences([Document(page_content=text, metadata={"kind": "text", "span_start": 0})])[0]
    found = paired_figure(analyse(question), Span(sentence, 0, 4, "number"), load_lexicon())
    return found.text if found else None


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        ("玉米播种面积是多少万亩？", AREAS, "37.9万亩"),
        ("2019年小麦种了多少亩？", AREAS, "41.2万亩"),
        ("大豆的播种面积有多大？", AREAS, "3.1万亩"),
        ("二氧化硫排放量下降了多少？", EMISSIONS, "5.3%"),
        ("化学需氧量降了多少？", EMISSIONS, "4.6%"),
    ],
)
def test_the_named_item_gets_the_figure_in_its_position(question, text, expected):
    assert _paired(question, text) == expected


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("粮食播种面积是多少？", AREAS),  # no item named: the span scorer decides
        ("小麦和玉米播种面积分别是多少？", AREAS),  # two items named
        ("国税收入增长了多少？", TAXES),  # the items stand in other clauses
        ("关停了多少家企业？", "全年关停落后产能企业9家。"),  # no 分别 at all
    ],
)
def test_no_pairing_without_one_named_item_in_one_clause(question, text):
    assert _paired(question, text) is None
