"""The offline answerer: pick the supporting sentence or table row, extract the short answer, cite."""

from __future__ import annotations

import re
from dataclasses import dataclass

from langchain_core.documents import Document

from rag import extract_spans as spans
from rag.figure_cues import date_answer, number_answer
from rag.asked import contrasted, lacks_defining_word, lacks_predicate
from rag.list_spans import list_answer
from rag.respective import respective_answer
from rag.table_cells import table_cell
from rag.yes_no import claim, yes_or_no
from rag.reader.quotes import citation, is_table_row, quotes
from rag.answer.schema import REFUSAL_TEXT, Answer, Citation
from rag.question_type import AnswerKind, answer_kind, expected_units, split_parts
from rag.refusal import (
    MIN_SUPPORT,
    asks_comparison,
    coverage,
    dated_years,
    question_grams,
    states_change,
    uncovered_bodies,
    uncovered_people,
    year_uncovered,
)
from rag.text import normalise

PART_SEPARATOR = "；"
MISSING_PART = "（其余所问年鉴中无记载）"
MAX_TRIED = 6  # candidates tried, best first, before a part is given up


@dataclass
class Candidate:
    """A sentence or table row that may answer the question."""

    document: Document
    quote: str
    start: int | None  # char offset of the quote in the entry text (None for table rows)
    rank: int = 0
    before: str = ""  # the sentence before it in the same chunk
    score: float = 0.0
    support: float = 0.0

    @property
    def is_row(self) -> bool:
        """Whether the candidate is a table row."""
        return is_table_row(self.document)

    @property
    def context(self) -> str:
        """The candidate with the headings it is read under (entry title, table caption and header)."""
        meta = self.document.metadata
        if self.is_row:
            return self.document.page_content
        return f"{meta.get('entry', '')} {self.quote}"


@dataclass
class PartAnswer:
    """One sub-question's short answer and the candidate that supports it."""

    short: str
    candidate: Candidate
    support: float


class ExtractiveAnswerer:
    """Answers from retrieved chunks without any language model.

    Each sub-question (「…多少批、多少人次？」 asks two) is answered on its own: sentences and
    table rows are scored by the share of the question's wording they hold with their entry
    title, and by retrieval rank; the short answer is cut out of the best one by question kind.
    A part whose evidence holds less than ``min_support`` of its wording, or a question about
    a year, figure or body the evidence does not cover, is refused.
    """

    def __init__(self, min_support: float = MIN_SUPPORT) -> None:
        self.min_support = min_support

    def answer(self, question: str, documents: list[Document], years_held: set[int] | None = None) -> Answer:
        """The answer to ``question`` from ``documents`` (best first)."""
        contexts = [dict(d.metadata, text=d.page_content) for d in documents]
        refusal = Answer(question=question, text=REFUSAL_TEXT, refused=True, contexts=contexts)
        candidates = _candidates(documents)
        if not candidates or self._uncovered(question, documents, years_held):
            return refusal
        found: list[PartAnswer] = []
        parts = split_parts(question)
        for part in parts:
            result = _answer_part(part, candidates, {p.short for p in found}, [p for p in parts if p != part])
            if result is not None and result.support >= self.min_support:
                found.append(result)
        if not found:
            return refusal
        citations: list[Citation] = []
        pieces: list[str] = []
        for part in found:
            existing = next((c for c in citations if c.quote == part.candidate.quote), None)
            citation = existing or _citation(len(citations) + 1, part.candidate)
            if existing is None:
                citations.append(citation)
            pieces.append(f"{part.short}【{citation.n}】")
        text = PART_SEPARATOR.join(pieces) + (MISSING_PART if len(found) < len(parts) else "")
        short = PART_SEPARATOR.join(p.short for p in found)
        return Answer(question=question, text=text, short_answer=short, citations=citations, contexts=contexts)

    def support(self, question: str, documents: list[Document], years_held: set[int] | None = None) -> float:
        """The support of the weakest part (0 when the question is refused outright): what the threshold is set on."""
        candidates = _candidates(documents)
        if not candidates or self._uncovered(question, documents, years_held):
            return 0.0
        found: list[PartAnswer] = []
        parts = split_parts(question)
        for part in parts:
            result = _answer_part(part, candidates, {p.short for p in found}, [p for p in parts if p != part])
            if result is None:
                return 0.0
            found.append(result)
        return min(p.support for p in found)

    @staticmethod
    def _uncovered(question: str, documents: list[Document], years_held: set[int] | None) -> bool:
        evidence_years = {int(d.metadata.get("year", 0) or 0) for d in documents}
        evidence_years |= {y for d in documents for y in dated_years(d.page_content)}
        if year_uncovered(question, evidence_years, years_held):
            return True
        return bool(uncovered_bodies(question, documents) or uncovered_people(question, documents))


def _answer_part(
    question: str, candidates: list[Candidate], taken: set[str], siblings: list[str] | None = None
) -> PartAnswer | None:
    kind = answer_kind(question)
    units = expected_units(question) if kind == "number" else ()
    grams = question_grams(question)
    gram_set = set(grams)
    trigrams = _trigrams(question)
    mine, theirs = _distinct_grams(grams, siblings or [])
    claimed = question_grams(claim(question)) if kind == "yesno" else {}
    for candidate in candidates:
        own = coverage(grams, candidate.context)
        candidate.support = own + 0.5 * (coverage(grams, candidate.before + candidate.context) - own)
        candidate.score = candidate.support + 0.08 / (candidate.rank + 1) + 0.05 * _runs(trigrams, candidate.quote)
        if theirs:  # 「A和B分别…」: the entry about B does not answer the part about A
            candidate.score -= 0.5 * max(0.0, coverage(theirs, candidate.context) - coverage(mine, candidate.context))
        if claimed:  # the deciding sentence says the claim itself (「无重大事故…发生」), not just its subject
            candidate.score += 0.4 * coverage(claimed, candidate.quote)
        if not _fits(kind, candidate, units):
            candidate.score *= 0.6
        elif kind in ("number", "date") and gram_set and not candidate.is_row:
            near = _mention(kind, question, gram_set, candidate.quote, units)
            candidate.score += 0.1 * (near[1] if near else 0) / len(gram_set)
    ranked = sorted(candidates, key=lambda c: -c.score)
    checked = kind != "yesno"  # a yes/no question's wrong term is what makes the answer 否
    for candidate in ranked[:MAX_TRIED]:
        if not _fits(kind, candidate, units):
            continue
        if checked and contrasted(question, candidate.context):
            return None  # the evidence names a sibling (一等奖 for 二等奖): the asked one is not recorded
        if checked and lacks_defining_word(question, candidate.before + candidate.context):
            continue
        if kind == "number" and asks_comparison(question) and not states_change(candidate.quote):
            continue
        if kind == "number" and lacks_predicate(question, candidate.before + candidate.context):
            continue
        short = _extract(kind, question, gram_set, candidate, units)
        if short and short not in taken:
            return PartAnswer(short, candidate, candidate.support)
    if kind == "name" and ranked and not ranked[0].is_row and not lacks_defining_word(question, ranked[0].context):  # no slot found: the best sentence's new words
        short = spans.fresh_run(question, ranked[0].quote)
        if short and short not in taken:
            return PartAnswer(short, ranked[0], ranked[0].support)
    return None


def _distinct_grams(grams: dict[str, float], siblings: list[str]) -> tuple[dict[str, float], dict[str, float]]:
    """The wording only this part has, and the wording only its sibling parts have."""
    other: dict[str, float] = {}
    for sibling in siblings:
        other.update(question_grams(sibling))
    return {g: w for g, w in grams.items() if g not in other}, {g: w for g, w in other.items() if g not in grams}


def _trigrams(text: str) -> set[str]:
    clean = re.sub(r"[^\u4e00-\u9fff0-9a-z]", " ", normalise(text))
    return {clean[i : i + 3] for i in range(len(clean) - 2) if " " not in clean[i : i + 3]}


def _runs(trigrams: set[str], quote: str) -> float:
    """The share of the question's character trigrams the sentence holds: its wording kept in order."""
    return len(trigrams & _trigrams(quote)) / len(trigrams) if trigrams else 0.0


def _fits(kind: AnswerKind, candidate: Candidate, units: tuple[str, ...]) -> bool:
    """Whether the candidate holds the kind of thing asked for (a figure with the asked unit, a date)."""
    quote = candidate.quote
    match kind:
        case "number":
            return bool(spans.figures(quote, units))
        case "date":
            return bool(spans.DATE_MENTION.search(quote))
        case _:
            return True


def _mention(kind: AnswerKind, question: str, grams: set[str], quote: str, units: tuple[str, ...]) -> tuple[str, int] | None:
    if kind == "number":
        return number_answer(question, grams, quote, units)
    return date_answer(question, grams, quote)


def _extract(kind: AnswerKind, question: str, grams: set[str], candidate: Candidate, units: tuple[str, ...]) -> str | None:
    quote = candidate.quote
    if candidate.is_row and kind != "yesno":
        header = str(candidate.document.metadata.get("table_header", ""))
        if kind == "date":
            return quote.split(" | ")[0]
        if kind == "number":
            found = number_answer(question, grams, quote, units)
            return found[0] if found else None
        return table_cell(question, quote, header)
    match kind:
        case "number" | "date":
            found = _mention(kind, question, grams, quote, units)
            return found[0] if found else None
        case "yesno":
            return yes_or_no(question, quote)
        case "list":
            return list_answer(question, quote) or spans.name_answer(question, quote)
        case _:
            return respective_answer(question, quote) or spans.name_answer(question, quote)


def _candidates(documents: list[Document]) -> list[Candidate]:
    out: list[Candidate] = []
    for rank, document in enumerate(documents):
        before = ""
        for quote, start in quotes(document):
            if start is None or len(normalise(quote)) >= 4:
                out.append(Candidate(document, quote, start, rank, before))
                before = quote
    return out


def _citation(n: int, candidate: Candidate) -> Citation:
    return citation(n, candidate.document, candidate.quote, candidate.start)