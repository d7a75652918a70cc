"""Scope words at a name's edges: the whole place or the year framing a name is cut off the answer."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from rag.reader.candidates import Span, sentences
from rag.reader.lexicon import load_lexicon
from rag.reader.scope import without_scope


def _cut(text: str, piece: str, question: str, kind: str = "org") -> str:
    sentence = sentences([Document(page_content=text, metadata={"kind": "text", "span_start": 0})])[0]
    start = text.index(piece)
    return without_scope(Span(sentence, start, start + len(piece), kind), question, load_lexicon()).text


@pytest.mark.parametrize(
    ("text", "piece", "expected"),
    [
        ("全市民政部门发放救灾款1.24亿元", "全市民政部门", "民政部门"),
        ("区人民检察院全年批准逮捕386人", "区人民检察院全年", "区人民检察院"),
        ("年末全市参加养老保险11.7万人", "年末全市参加养老保险", "参加养老保险"),  # frames on frames
        ("工业产值27.14亿元,其中国有及国有控股企业完成19亿元", "其中国有及国有控股企业", "国有及国有控股企业"),
    ],
)
def test_a_frame_the_question_does_not_say_is_cut(text, piece, expected):
    assert _cut(text, piece, "发放救灾款的是哪个部门") == expected


def test_a_frame_the_question_says_stays_and_a_name_is_never_cut_to_nothing():
    assert _cut("全市民政部门发放救灾款", "全市民政部门", "全市哪个部门发放救灾款") == "全市民政部门"
    assert _cut("全县共有3所高中", "全县", "哪里有高中", kind="place") == "全县"


def test_figures_and_titles_keep_their_ends():
    assert _cut("全国生态示范区", "全国生态示范区", "入选了什么") == "全国生态示范区"  # 全国 begins titles: not a frame
    assert _cut("全年增长5%", "全年增长5%", "增长多少", kind="number") == "全年增长5%"
