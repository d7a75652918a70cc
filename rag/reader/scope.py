"""Scope words at a name's edges (「全市民政部门」, 「区人民检察院全年」): the yearbook's frame, cut off the answer."""

from __future__ import annotations

from rag.reader.candidates import Span
from rag.reader.lexicon import Lexicon

MIN_LEFT = 2  # characters a name keeps: 「全县」 alone is not cut to nothing
FRAMED_KINDS = frozenset({"span", "org", "place", "person"})  # spans cut by words; figures, dates, quotes and lists keep their ends


def without_scope(span: Span, question: str, lexicon: Lexicon) -> Span:
    """``span`` without the scope words (whole place, the year) at its ends that the question does not say.

    「1998年全市民政部门发放救灾款1.24亿元」 read for 「发放救灾款的是哪个部门」 gives 「全市民政部门」;
    the department is 「民政部门」. A frame the question says (「全市有多少…」) is left alone.
    """
    if span.kind not in FRAMED_KINDS:
        return span
    text = span.sentence.folded
    start, end = span.start, span.end
    cut = True
    while cut:
        cut = False
        for word in lexicon.scope_words:
            if word in question:
                continue
            if text.startswith(word, start) and end - start - len(word) >= MIN_LEFT:
                start, cut = start + len(word), True
            elif text.endswith(word, start, end) and end - start - len(word) >= MIN_LEFT:
                end, cut = end - len(word), True
    if (start, end) == (span.start, span.end):
        return span
    return Span(span.sentence, start, end, span.kind, unit=span.unit, column=span.column, features=span.features, score=span.score)
