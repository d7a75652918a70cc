"""The offline extractive answerer on real chunks of the bundled corpus (no retrieval involved)."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from ingest.chunk import chunk_entries
from rag.extractive import ExtractiveAnswerer
from rag.question_type import answer_kind


@pytest.fixture(scope="module")
def documents(parsed):
    docs = {}
    for chunk in chunk_entries(parsed.entries, 320):
        meta = dict(chunk.metadata, chunk_id=chunk.id, embed_text=chunk.embed_text)
        docs.setdefault((meta["section"], meta["table"] or meta["entry"]), []).append(
            Document(id=chunk.id, page_content=chunk.text, metadata=meta)
        )
    return docs


@pytest.fixture(scope="module")
def entries(parsed):
    return {(e.section, e.title): e for e in parsed.entries}


@pytest.mark.parametrize(
    "question, kind",
    [
        ("2020年园区发展党员多少人？", "number"),
        ("园区融媒体中心是哪天揭牌启用的？", "date"),
        ("2020年园区有哪几个民主党派？", "list"),
        ("台青园是否通过了省级众创空间验收？", "yesno"),
        ("5月15日到访的美国客人是谁？", "name"),
    ],
)
def test_answer_kind(question, kind):
    assert answer_kind(question) == kind


def test_number_with_unit_and_exact_citation(documents, entries):
    docs = documents[("组织工作", "概况")] + documents[("信访工作", "概况")]
    answer = ExtractiveAnswerer().answer("2020年园区发展党员多少人？", docs, {2020})
    assert not answer.refused
    assert answer.short_answer == "526人"
    assert answer.text.startswith("526人【1】")
    citation = answer.citations[0]
    assert (citation.section, citation.entry, citation.year) == ("组织工作", "概况", 2020)
    body = entries[("组织工作", "概况")].body
    start, end = citation.span
    assert body[start:end] == citation.quote and "526人" in citation.quote


def test_date_from_text(documents):
    docs = documents[("宣传工作", "融媒体建设")]
    answer = ExtractiveAnswerer().answer("园区融媒体中心是哪天揭牌启用的？", docs, {2020})
    assert answer.short_answer == "2020年5月26日"


def test_table_row_cell_by_column(documents):
    docs = documents[("外事工作", "表5 2020年园区重要外宾到访情况")]
    row = next(d for d in docs if "王永东" in d.page_content)
    answer = ExtractiveAnswerer().answer("5月15日到访的美国客人是谁？", [row] + docs[:3], {2020})
    assert "王永东" in answer.short_answer
    assert answer.citations[0].table == "表5 2020年园区重要外宾到访情况"
    assert answer.citations[0].span is None and answer.citations[0].row_index is not None


def test_yes_no_contradicted_by_the_figure(documents):
    docs = documents[("台湾事务", "苏州金鸡湖台青创业园")]
    answer = ExtractiveAnswerer().answer("截至2020年底台青园入驻创业企业有45家吗？", docs, {2020})
    assert answer.short_answer == "否"


def test_refuses_a_year_the_store_does_not_cover(documents):
    docs = documents[("组织工作", "概况")]
    answer = ExtractiveAnswerer().answer("2019年园区发展党员多少人？", docs, {2020})
    assert answer.refused and answer.short_answer is None and not answer.citations
    assert "未找到" in answer.text


def test_refuses_when_evidence_shares_little_with_the_question(documents):
    docs = documents[("人民武装", "国防教育")]
    answer = ExtractiveAnswerer().answer("园区今年新开了几家三甲医院？", docs, {2020})
    assert answer.refused


def test_refuses_with_no_documents():
    assert ExtractiveAnswerer().answer("2020年园区发展党员多少人？", [], {2020}).refused
