"""「A、B分别为X、Y」: the figure paired with the item a question names, by position."""

from __future__ import annotations

import re

from rag.reader.candidates import NUMBER, Span, unit_after
from rag.reader.lexicon import Lexicon
from rag.reader.question import Asked

MARKER = "分别"
MIN_NAMED = 2  # characters of an item the question must repeat for the item to count as named
_CLAUSE_END = "，,；;。：:！!？?"
_JOINERS = re.compile(r"[、和及与]")
_FIGURE_GAP = re.compile(r"^[、和及与]$")


def paired_figure(asked: Asked, best: Span, lexicon: Lexicon) -> Span | None:
    """The figure that 「分别」 pairs with the one item of its enumeration the question names.

    「小麦、玉米播种面积分别为41.2万亩、37.9万亩」 asked 「玉米播种面积是多少」 gives 37.9万亩,
    whichever figure of the sentence the span scorer preferred. None when the sentence has no
    such enumeration in one clause, when items and figures differ in number, or when the
    question names no item or several.
    """
    text = best.sentence.folded
    for marker in re.finditer(MARKER, text):
        clause_start = max((i for i, ch in enumerate(text[: marker.start()]) if ch in _CLAUSE_END), default=-1) + 1
        items = [i for i in _JOINERS.split(text[clause_start : marker.start()]) if i.strip()]
        figures = _figures_after(text, marker.end(), lexicon)
        if len(items) < 2 or len(items) != len(figures):
            continue
        named = [index for index, item in enumerate(items) if _named_length(item, asked.text) >= MIN_NAMED]
        if len(named) != 1:
            continue
        start, end, unit = figures[named[0]]
        return Span(best.sentence, start, end, "number", unit=unit)
    return None


def _figures_after(text: str, at: int, lexicon: Lexicon) -> list[tuple[int, int, str]]:
    """The figures (with units) listed right after ``at`` in one clause, joined by 、/和/及."""
    end = next((i for i in range(at, len(text)) if text[i] in _CLAUSE_END), len(text))
    figures: list[tuple[int, int, str]] = []
    for match in NUMBER.finditer(text, at, end):
        if figures and not _FIGURE_GAP.match(text[figures[-1][1] : match.start()]):
            break
        if not figures and not re.fullmatch(r"[\u4e00-\u9fff]{0,4}", text[at : match.start()]):
            break  # 「分别为」, 「分别增长」: only a few words between the marker and the first figure
        unit_end, unit = unit_after(text, match.end(), lexicon)
        figures.append((match.start(), unit_end, unit))
    return figures


def _named_length(item: str, question: str) -> int:
    """How many leading characters of an item the question repeats (「玉米播种面积」 in 「玉米播种面积是多少」: 6)."""
    item = item.strip()
    size = 0
    while size < len(item) and item[: size + 1] in question:
        size += 1
    return size
