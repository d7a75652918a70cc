"""Question–clause alignment: the one stretch of a clause that the question's words leave open.

「园区信访局与哪个社工委启动了项目」 against 「园区信访局与月亮湾社工委启动项目」: the question's words
cover the clause but for 「月亮湾」, and the asked head 「社工委」 follows it, so 「月亮湾社工委」 is what
the cue asks for. Used when the reader is sure of the clause but not of a span in it.
"""

from __future__ import annotations

import re

from rag.reader.candidates import DATE, NUMBER, QUOTED, Span, columns
from rag.reader.features import COLUMN_KINDS, match_sentence
from rag.reader.question import Asked
from rag.reader.stretches import MAX_LENGTH, WORD, open_clauses
from rag.text import _jieba


def gap_span(asked: Asked, span: Span, max_length: int = MAX_LENGTH) -> Span | None:
    """The open stretch of the clause holding ``span``, lead-in and trailing function words cut, with the
    asked head when it follows; None unless exactly one such stretch (or one followed by the head) exists."""
    sentence = span.sentence
    match = match_sentence(asked, sentence)
    clause = next((c for c in open_clauses(asked, sentence, match.clauses, match.hits, max_length) if c.start <= span.start < c.end), None)
    if clause is None:
        return None
    found = list(clause.open)
    if len(found) > 1:
        found = [f for f in found if f.headed_end > f.end]
    if len(found) != 1:
        return None
    start, end = _whole_quote(sentence.folded, found[0].start, found[0].headed_end)
    return Span(sentence, start, end, "span")


def _whole_quote(text: str, start: int, end: int) -> tuple[int, int]:
    """The stretch, or the quoted title or phrase it cuts into (「“聚红色力量 育圆融先锋”」, 「《菇山情》」).

    A quoted unit is one name: a stretch that starts or ends inside one, or lies within it,
    is that unit, marks and all, not a piece of it run on into the words around it.
    """
    for m in QUOTED.finditer(text):
        inside = m.start() < start and end < m.end()
        crosses = (m.start() < start < m.end()) != (m.start() < end < m.end())
        if inside or crosses:
            return m.start(), m.end()
    return start, end


def cell_gap(asked: Asked, cell: Span) -> Span:
    """A table cell without the words the question already says at its edges.

    A cell often repeats the question's words around the answer: 「日本驻沪总领事矶俣秋男」 for
    「…的日本驻沪总领事是谁」, 「出席…启用仪式」 for 「出席了什么仪式」. The cell is a clause of its row,
    so its one open stretch (any length: the cell bounds it) is the answer; else the cell itself.
    """
    narrowed = gap_span(asked, cell, max_length=cell.end - cell.start)
    if narrowed is None or not cell.start <= narrowed.start < narrowed.end <= cell.end:
        return cell
    return Span(cell.sentence, narrowed.start, narrowed.end, "cell", column=cell.column)


def row_cell(asked: Asked, span: Span) -> Span | None:
    """The one cell of the table row holding ``span`` that the question leaves open and whose column
    (or content) fits what is asked: 「于晓东是什么职务」 → the 「职务」 cell of 于晓东's row."""
    sentence = span.sentence
    if not sentence.is_row:
        return None
    text = sentence.folded
    hits = match_sentence(asked, sentence).hits
    noun = asked.head or _word_after_cue(asked)
    fitting: list[tuple[int, int, bool]] = []
    for start, end, column in columns(sentence):
        while start < end and text[start] == " ":
            start += 1
        while end > start and text[end - 1] == " ":
            end -= 1
        if end - start < 1:
            continue
        covered = sum(min(e, end) - max(s, start) for s, e, _ in hits if s < end and e > start)
        named = bool(noun) and noun in column
        if covered * 2 < end - start and (named or _fits(asked.kind, column, text[start:end])):
            fitting.append((start, end, named))
    if len(fitting) > 1:
        fitting = [f for f in fitting if f[2]]
    if len(fitting) != 1:
        return None
    return Span(sentence, fitting[0][0], fitting[0][1], "cell")


def _word_after_cue(asked: Asked) -> str:
    """The word right after the cue (「什么活动」 → 活动), for a head the question analysis left empty."""
    at = asked.text.find(asked.cue) if asked.cue else -1
    if at < 0:
        return ""
    words = _jieba().lcut(asked.text[at + len(asked.cue) :])  # type: ignore[attr-defined]
    return words[0] if words and len(words[0]) >= 2 and WORD.match(words[0]) else ""


def _fits(kind: str, column: str, cell: str) -> bool:
    """Whether a cell can answer a question of this kind, by its column header or its content.

    A 「什么」 question's column is the one its head names (「什么活动」 → 「活动内容」), checked by the caller.
    """
    if kind == "date" and DATE.fullmatch(cell) and re.search(r"[年月日]", cell):
        return True
    if kind == "number" and NUMBER.fullmatch(cell.replace(" ", "")):
        return True
    return kind != "what" and any(word in column for word in COLUMN_KINDS.get(kind, ()))  # a 「什么」 needs its head named
