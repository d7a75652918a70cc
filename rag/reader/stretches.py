"""The stretches of each clause that the question's words leave open: where what the question asks for sits.

「园区信访局与哪个社工委启动了项目」 against 「园区信访局与月亮湾社工委启动项目」: the question's words
cover the clause but for 「月亮湾」, and the asked head 「社工委」 follows it. The span ranker reads
whether a span is such a stretch (or lies in one, or runs over one); the reader's unsure tier
answers with a clause's one open stretch (see :mod:`rag.reader.alignment`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.reader.candidates import Sentence, tokenize
from rag.reader.question import Asked

MIN_LENGTH = 2
MAX_LENGTH = 24  # characters: a longer open stretch is not one name
FEATURE_MAX_LENGTH = 40  # … but the ranker learns from longer ones too
_EDGE = "，,。；;：:！!？?、 　|（）()“”《》「」\"'"
_FUNCTION_TAGS = ("p", "r", "c", "d", "u", "y", "f", "s")  # preposition, pronoun, conjunction, adverb, particle, place word …
WORD = re.compile(r"[\u3400-\u9fffA-Za-z0-9]")  # a character of a word (not a mark or a space)


@dataclass(frozen=True)
class Stretch:
    """One open stretch of a clause: its trimmed bounds, and its end with the asked head when the head follows."""

    start: int
    end: int
    headed_end: int  # == end when the asked head does not follow


@dataclass(frozen=True)
class Clause:
    """A clause of a sentence, the question's words in it (merged) and the stretches they leave open."""

    start: int
    end: int
    covered: tuple[tuple[int, int], ...]
    open: tuple[Stretch, ...]


def open_clauses(
    asked: Asked, sentence: Sentence, clauses: list[tuple[int, int, frozenset[int]]], hits: list[tuple[int, int, int]], max_length: int = MAX_LENGTH
) -> list[Clause]:
    """Every clause (as :func:`rag.reader.features.match_sentence` bounds it) with the open stretches its hits leave.

    A clause with no question word has no open stretch (``covered`` empty): nothing aligns it.
    """
    text = sentence.folded
    head = asked.head if "哪" in asked.cue or "什么" in asked.cue else ""  # the noun a 「哪个/什么」 cue asks about
    found: list[Clause] = []
    for clause_start, clause_end, _ in clauses:
        covered = merge([(s, e) for s, e, _ in hits if clause_start <= s and e <= clause_end])
        stretches: list[Stretch] = []
        if covered:
            edges = [clause_start, *[x for interval in covered for x in interval], clause_end]
            for start, end in zip(edges[::2], edges[1::2]):
                trimmed = trim(sentence, start, end, max_length)
                if trimmed is not None:
                    start, end = trimmed
                    stretches.append(Stretch(start, end, end + head_after(text, end, clause_end, head)))
        found.append(Clause(clause_start, clause_end, tuple(covered), tuple(stretches)))
    return found


def head_after(text: str, at: int, limit: int, head: str) -> int:
    """How many characters of the head (or of its last characters, at least two) follow at ``at``."""
    for size in range(len(head), 0, -1):
        if (size >= 2 or size == len(head)) and at + size <= limit and text.startswith(head[-size:], at):
            return size
    return 0


def merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching intervals joined, in order."""
    merged: list[tuple[int, int]] = []
    for s, e in sorted(intervals):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def trim(sentence: Sentence, start: int, end: int, max_length: int = MAX_LENGTH) -> tuple[int, int] | None:
    """The stretch without edge marks, leading and trailing function words, or a leading verb before more words."""
    text = sentence.folded
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    words = [t for t in tokenize(sentence) if start <= t[0] and t[1] <= end]
    while words and words[0][3].startswith(_FUNCTION_TAGS):
        words = words[1:]
    if len(words) > 1 and words[0][3].startswith("v") and not words[0][3].startswith("vn"):
        words = words[1:]
    while words and words[-1][3].startswith(_FUNCTION_TAGS):
        words = words[:-1]
    if not words:
        return None
    start, end = words[0][0], words[-1][1]
    if not MIN_LENGTH <= end - start <= max_length or not WORD.search(text[start:end]):
        return None
    return start, end
