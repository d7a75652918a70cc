"""Question–clause alignment: the one stretch of a clause that the question's words leave open.

「园区信访局与哪个社工委启动了项目」 against 「园区信访局与月亮湾社工委启动项目」: the question's words
cover the clause but for 「月亮湾」, and the asked head 「社工委」 follows it, so 「月亮湾社工委」 is what
the cue asks for. Used when the reader is sure of the clause but not of a span in it.
"""

from __future__ import annotations

import re

from rag.reader.candidates import Span, tokenize
from rag.reader.features import match_sentence
from rag.reader.question import Asked

MIN_LENGTH = 2
MAX_LENGTH = 24  # characters: a longer open stretch is not one name
_EDGE = "，,。；;：:！!？?、 　|（）()“”《》「」\"'"
_FUNCTION_TAGS = ("p", "r", "c", "d", "u", "y", "e", "f", "s")  # preposition, pronoun, conjunction, adverb, particle, place word …
_WORD = re.compile(r"[\u3400-\u9fffA-Za-z0-9]")


def gap_span(asked: Asked, span: Span) -> Span | None:
    """The open stretch of the clause holding ``span``, lead-in and trailing function words cut, with the
    asked head when it follows; None unless exactly one such stretch (or one followed by the head) exists."""
    sentence = span.sentence
    text = sentence.folded
    match = match_sentence(asked, sentence)
    clause = next(((s, e) for s, e, _ in match.clauses if s <= span.start < e), None)
    if clause is None:
        return None
    covered = _merge([(s, e) for s, e, _ in match.hits if clause[0] <= s and e <= clause[1]])
    if not covered:
        return None
    edges = [clause[0], *[x for interval in covered for x in interval], clause[1]]
    head = asked.head if "哪" in asked.cue or "什么" in asked.cue else ""  # the noun a 「哪个/什么」 cue asks about
    found: list[tuple[int, int, bool]] = []
    for start, end in zip(edges[::2], edges[1::2]):
        trimmed = _trim(span, start, end)
        if trimmed is None:
            continue
        start, end = trimmed
        size = _head_after(text, end, clause[1], head)
        headed = size > 0
        end += size
        found.append((start, end, headed))
    if len(found) > 1:
        found = [f for f in found if f[2]]
    if len(found) != 1:
        return None
    start, end, _ = found[0]
    return Span(sentence, start, end, "span")


def _head_after(text: str, at: int, limit: int, head: str) -> int:
    """How many characters of the head (or of its last characters, at least two) follow at ``at``."""
    for size in range(len(head), 0, -1):
        if (size >= 2 or size == len(head)) and at + size <= limit and text.startswith(head[-size:], at):
            return size
    return 0


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(intervals):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _trim(span: Span, start: int, end: int) -> tuple[int, int] | None:
    """The stretch without edge marks, leading and trailing function words, or a leading verb before more words."""
    text = span.sentence.folded
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    words = [t for t in tokenize(span.sentence) if start <= t[0] and t[1] <= end]
    while words and words[0][3].startswith(_FUNCTION_TAGS):
        words = words[1:]
    if len(words) > 1 and words[0][3].startswith("v") and not words[0][3].startswith("vn"):
        words = words[1:]
    while words and words[-1][3].startswith(_FUNCTION_TAGS):
        words = words[:-1]
    if not words:
        return None
    start, end = words[0][0], words[-1][1]
    if not MIN_LENGTH <= end - start <= MAX_LENGTH or not _WORD.search(text[start:end]):
        return None
    return start, end
