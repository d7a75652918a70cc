"""The offline answerer: pick the supporting sentence or table row, extract the short answer, cite."""

from __future__ import annotations

import re
from dataclasses import dataclass

from langchain_core.documents import Document

from rag.answer_schema import REFUSAL_TEXT, Answer, Citation
from rag.question_type import AnswerKind, answer_kind
from rag.text import bigram_tokens, normalise, years_in

_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?")
_CLAUSE = re.compile(r"[^，,；;：:。！？!?\n]+")
_QUESTION_GRAMS = frozenset(
    bigram_tokens("多少 是否 什么 哪些 哪个 哪位 哪天 何时 什么时候 有没有 是不是 对吗 哪几 叫什么 名字 请问 一共 共有 哪里 哪儿 怎样 如何 几个 多大")
)
_UNIT = (
    r"(?:万|亿|千)?(?:余|多)?(?:人次|篇次|批次|家次|件次|个工作日|工作日|人|个百分点|个|家|项|次|批|场|支|名|条|元|件|卷次|卷|份|所|篇|期|天|户|套|台次|台|"
    r"平方米|千米|公里|万字|字|小时|分钟|届|类|座|处|组|辆|本|部|册|位|单|起|宗|笔|岁|年)?(?:余|多)?"
)
_NUMBER_MENTION = re.compile(r"(?<![\d.])(?:近|约|超|逾)?\d+(?:\.\d+)?%?" + _UNIT)
_DATE_MENTION = re.compile(
    r"(?:\d{4}年)?\d{1,2}月(?:\d{1,2}(?:[—\-－~～]\d{1,2})?日)?|\d{4}年(?:\d{1,2}月)?"
)
_TRIM = "的在是为由与和及了对将从于把被向以等,，、 "
WINDOW = 14
MIN_SUPPORT = 0.34


@dataclass
class Candidate:
    """A sentence or table row that may answer the question."""

    document: Document
    quote: str
    start: int | None  # char offset of the quote in the entry text (None for table rows)
    score: float = 0.0


class ExtractiveAnswerer:
    """Answers from retrieved chunks without any language model.

    Sentences are scored by how much of the question's wording they share (character
    bigrams, figures weighted double) and by retrieval rank; the short answer is then cut out
    of the best sentence by question kind. Questions whose best evidence shares too little
    with them, or that name a year the evidence does not cover, are refused.
    """

    def __init__(self, min_support: float = MIN_SUPPORT) -> None:
        self.min_support = min_support

    def answer(self, question: str, documents: list[Document], years_held: set[int] | None = None) -> Answer:
        """The answer to ``question`` from ``documents`` (best first)."""
        kind = answer_kind(question)
        grams = _question_grams(question)
        candidates = _candidates(documents)
        for candidate in candidates:
            _score(candidate, grams)
            if not _has_kind(kind, candidate.quote):
                candidate.score *= 0.6
            elif kind in ("number", "date") and grams:
                candidate.score += 0.1 * _best_mention(kind, question, candidate.quote) / len(grams)
        candidates.sort(key=lambda c: -c.score)
        contexts = [dict(d.metadata, text=d.page_content) for d in documents]
        best = candidates[0] if candidates else None
        if best is None or best.score < self.min_support or _year_mismatch(question, best, years_held):
            return Answer(question=question, text=REFUSAL_TEXT, refused=True, contexts=contexts)
        short = _extract(kind, question, best)
        if short is None:
            return Answer(question=question, text=REFUSAL_TEXT, refused=True, contexts=contexts)
        citation = _citation(1, best)
        return Answer(
            question=question,
            text=f"{short}【1】",
            short_answer=short,
            citations=[citation],
            contexts=contexts,
        )

    def support(self, question: str, documents: list[Document]) -> float:
        """The best sentence score, the quantity the refusal threshold is calibrated on."""
        grams = _question_grams(question)
        scores = [_score(c, grams) for c in _candidates(documents)]
        return max(scores, default=0.0)


_QUESTION_WORDS = re.compile(
    r"多少|是否|什么时候|什么|哪些|哪个|哪位|哪天|哪一年|哪年|哪里|哪几|何时|有没有|是不是|对吗|叫什么|名字|请问|几[个家项次批场支名条所人天位]?|吗|呢"
)


def _question_grams(question: str) -> dict[str, float]:
    grams: dict[str, float] = {}
    for gram in bigram_tokens(_QUESTION_WORDS.sub(" ", question)):
        if gram in _QUESTION_GRAMS or re.fullmatch(r"(?:19|20)\d\d", gram):
            continue
        grams[gram] = 2.0 if gram[0].isdigit() else 1.0
    return grams


def _candidates(documents: list[Document]) -> list[Candidate]:
    out: list[Candidate] = []
    for rank, document in enumerate(documents):
        meta = document.metadata
        prior = 0.08 / (rank + 1)
        if meta.get("kind") == "table":
            row = document.page_content.split("\n")[-1]
            out.append(Candidate(document, row, None, prior))
            continue
        base = int(meta.get("span_start", 0) or 0)
        for match in _SENTENCE.finditer(document.page_content):
            quote = match.group().strip()
            if len(quote) >= 4:
                start = base + match.start() + (len(match.group()) - len(match.group().lstrip()))
                out.append(Candidate(document, quote, start, prior))
    return out


def _score(candidate: Candidate, grams: dict[str, float]) -> float:
    total = sum(grams.values())
    if not total:
        return 0.0
    text = candidate.quote
    if candidate.document.metadata.get("kind") == "table":
        text = candidate.document.page_content
    present = set(bigram_tokens(text + " " + str(candidate.document.metadata.get("entry", ""))))
    hit = sum(weight for gram, weight in grams.items() if gram in present)
    candidate.score = candidate.score + hit / total
    return candidate.score


def _has_kind(kind: AnswerKind, quote: str) -> bool:
    """Whether the sentence holds the kind of thing asked for (a figure, a date)."""
    match kind:
        case "number":
            return any(not re.fullmatch(r"(?:19|20)\d\d年?", m.group()) for m in _NUMBER_MENTION.finditer(quote))
        case "date":
            return bool(_DATE_MENTION.search(quote))
        case _:
            return True


def _year_mismatch(question: str, best: Candidate, years_held: set[int] | None) -> bool:
    """The question names a year that neither the store nor the evidence is about."""
    named = set(years_in(question))
    if not named:
        return False
    evidence_years = set(years_in(best.quote)) | {int(best.document.metadata.get("year", 0))}
    return not (named & evidence_years) and not (years_held and named & years_held)


def _extract(kind: AnswerKind, question: str, best: Candidate) -> str | None:
    match kind:
        case "number":
            return _nearest(_NUMBER_MENTION, question, best.quote, exclude_years=True)
        case "date":
            if best.start is None:
                return best.quote.split(" | ")[0]
            return _nearest(_DATE_MENTION, question, best.quote)
        case "yesno":
            return _yes_or_no(question, best.quote)
        case "list":
            return _span(question, best, prefer_list=True)
        case _:
            return _span(question, best, prefer_list=False)


def _window_overlap(question_grams: set[str], text: str, start: int, end: int) -> int:
    """Question bigrams near a mention: twice for its own clause, once for a window around it."""
    clause_start = max(text.rfind(p, 0, start) for p in "，,；;：:。") + 1
    clause_end = min((i for i in (text.find(p, end) for p in "，,；;。") if i >= 0), default=len(text))
    clause = text[clause_start:start] + " " + text[end:clause_end]
    window = text[max(0, start - WINDOW) : start] + " " + text[end : end + WINDOW // 2]
    return 2 * len(question_grams & set(bigram_tokens(clause))) + len(
        question_grams & set(bigram_tokens(window))
    )


def _best_mention(kind: AnswerKind, question: str, quote: str) -> int:
    """How strongly the question's words surround the best figure or date of the sentence."""
    pattern = _NUMBER_MENTION if kind == "number" else _DATE_MENTION
    grams = set(_question_grams(question))
    return max(
        (_window_overlap(grams, quote, m.start(), m.end()) for m in pattern.finditer(quote)),
        default=0,
    )


def _nearest(pattern: re.Pattern[str], question: str, quote: str, exclude_years: bool = False) -> str | None:
    grams = set(_question_grams(question))
    best: tuple[int, int, str] | None = None
    for match in pattern.finditer(quote):
        value = match.group()
        if exclude_years and re.fullmatch(r"(?:19|20)\d\d年?", value):
            continue
        if exclude_years and re.fullmatch(r"\d{1,2}月", quote[match.start() : match.end() + 1]):
            continue
        if normalise(value) in normalise(question):
            continue
        score = _window_overlap(grams, quote, match.start(), match.end())
        if best is None or score > best[0]:
            best = (score, -match.start(), value)
    return best[2] if best else None


def _yes_or_no(question: str, quote: str) -> str:
    figures = [m.group() for m in _NUMBER_MENTION.finditer(normalise(question)) if not re.fullmatch(r"(?:19|20)\d\d年?", m.group())]
    text = normalise(quote)
    if any(f not in text for f in figures):
        return "否"
    for negation in ("未", "没有", "无", "不"):
        if negation in question and negation not in quote:
            return "否"
    return "是"


def _span(question: str, best: Candidate, prefer_list: bool) -> str | None:
    """The longest stretch of the best clause the question does not already say."""
    if best.start is None:
        return _table_cell(question, best)
    quoted = re.findall(r"[“《][^”》]{2,40}[”》]", best.quote)
    fresh = [q for q in quoted if normalise(q.strip("“”《》")) not in normalise(question)]
    if fresh and not prefer_list:
        return fresh[0]
    grams = set(_question_grams(question))
    clauses = _CLAUSE.findall(best.quote)
    if not clauses:
        return None
    clause = max(clauses, key=lambda c: (len(grams & set(bigram_tokens(c))), "、" in c if prefer_list else 0))
    if prefer_list:
        listed = re.search(r"[^，,；;：:。的在为有]*、[^，,；;：:。]*", clause)
        if listed:
            return listed.group().strip(_TRIM)
    covered = [False] * len(clause)
    for i in range(len(clause) - 1):
        if clause[i : i + 2] in grams or normalise(clause[i : i + 2]) in grams:
            covered[i] = covered[i + 1] = True
    runs: list[str] = []
    current = ""
    for ch, is_covered in zip(clause, covered):
        if is_covered:
            if current:
                runs.append(current)
            current = ""
        else:
            current += ch
    runs.append(current)
    runs = [r.strip(_TRIM) for r in runs if len(r.strip(_TRIM)) >= 2 and not _DATE_MENTION.fullmatch(r.strip(_TRIM))]
    return max(runs, key=len) if runs else None


_CELL_CUES: tuple[tuple[str, str], ...] = (
    ("谁|名字|叫什么|姓名|哪位", "姓名"),
    ("哪个国家|哪国|国家", "国家"),
    ("哪天|何时|什么时候|日期|几月", "日期"),
    ("什么活动|做了什么|参观|出席|活动|会见|哪里|哪些地方", "活动"),
)


def _table_cell(question: str, best: Candidate) -> str:
    """The cell of a table row whose column the question asks about."""
    cells = best.quote.split(" | ")
    header = str(best.document.metadata.get("table_header", "")).split(" | ")
    for cue, column in _CELL_CUES:
        if re.search(cue, question):
            for name, cell in zip(header, cells):
                if column in name:
                    return cell
    grams = set(_question_grams(question))
    unmentioned = [c for c in cells if not set(bigram_tokens(c)) & grams]
    return max(unmentioned, key=len) if unmentioned else cells[-1]


def _citation(n: int, candidate: Candidate) -> Citation:
    meta = candidate.document.metadata
    span = (candidate.start, candidate.start + len(candidate.quote)) if candidate.start is not None else None
    return Citation(
        n=n,
        chunk_id=str(meta.get("chunk_id") or candidate.document.id or ""),
        year=int(meta.get("year", 0)),
        section=str(meta.get("section", "")),
        entry=str(meta.get("entry", "")),
        table=str(meta["table"]) if meta.get("table") else None,
        quote=candidate.quote,
        span=span,
        row_index=int(meta["row_index"]) if meta.get("kind") == "table" else None,
    )
