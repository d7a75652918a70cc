"""Open stretches of a clause and the span features read from them."""

from __future__ import annotations

from langchain_core.documents import Document

from rag.reader.candidates import Span, sentences
from rag.reader.features import match_sentence, span_features
from rag.reader.lexicon import load_lexicon
from rag.reader.question import analyse
from rag.reader.stretches import open_clauses

TEXT = "全镇粮食播种面积3.2万亩，小麦机收率达到98%，新建烘干中心2处。"
QUESTION = "什么作物的机收率达到了98%？"


def _sentence(text: str = TEXT):
    return sentences([Document(page_content=text, metadata={"kind": "text", "span_start": 0})])[0]


def _features(question: str, text: str, piece: str) -> dict[str, float]:
    sentence = _sentence(text)
    asked = analyse(question)
    start = sentence.folded.index(piece)
    span = Span(sentence, start, start + len(piece), "span")
    return span_features(asked, span, match_sentence(asked, sentence), load_lexicon())


def test_only_the_unsaid_words_of_a_clause_are_open():
    sentence = _sentence()
    asked = analyse(QUESTION)
    match = match_sentence(asked, sentence)
    clauses = open_clauses(asked, sentence, match.clauses, match.hits)
    opened = [sentence.folded[o.start : o.end] for c in clauses for o in c.open]
    assert opened == ["小麦"]
    assert [bool(c.covered) for c in clauses] == [False, True, False]


def test_the_span_that_is_the_open_stretch_is_marked_so():
    f = _features(QUESTION, TEXT, "小麦")
    assert f["g_is_stretch"] == f["g_only_stretch"] == 1.0
    assert f["g_covered_share"] == 0.0
    assert f["g_in_stretch"] == f["g_spans_stretch"] == 0.0


def test_a_span_running_over_the_stretch_into_question_words():
    f = _features(QUESTION, TEXT, "小麦机收率")
    assert f["g_is_stretch"] == 0.0
    assert f["g_spans_stretch"] == 1.0 and f["g_start_at_edge"] == 1.0 and f["g_end_at_edge"] == 0.0
    assert f["g_covered_share"] > 0.5


def test_a_span_cut_short_inside_the_stretch():
    f = _features("哪家企业获评省级绿色工厂？", "华峰精密机械有限公司获评省级绿色工厂", "精密机械有限公司")
    assert f["g_in_stretch"] == 1.0 and f["g_end_at_edge"] == 1.0 and f["g_start_at_edge"] == 0.0


def test_a_clause_without_question_words_aligns_nothing():
    f = _features(QUESTION, TEXT, "烘干中心")
    assert f["g_clause_unmatched"] == 1.0
    assert "g_is_stretch" not in f
