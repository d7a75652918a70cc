"""Pick the figure or date of a sentence a question asks for: nearby wording, counted noun, slot words, totals, negations."""

from __future__ import annotations

import re

from rag.asked import asked_noun, counted_noun_fit
from rag.extract_spans import DATE_MENTION, NUMBER_MENTION, figures
from rag.text import bigram_tokens, normalise

_SLOT = re.compile(r"(?:多少|几)")
_FILLER = re.compile(r"(?:有|是|为|达|了|约|到|一共|总共|共计|共)+$")  # 「累计有多少」, 「接待了多少」
_TOTAL = re.compile(r"一共|总共|共计|合计|总数|总量|累计|全年")
_NEGATION = "非未无不"


def slot_words(question: str) -> str:
    """The two characters right before 多少/几, fillers dropped (「人才累计有多少人」 → 「累计」), or ''."""
    q = normalise(question)
    match = _SLOT.search(q)
    if not match:
        return ""
    lead = _FILLER.sub("", q[: match.start()])
    word = lead[-2:]
    return word if re.fullmatch(r"[\u4e00-\u9fff]{2}", word) else ""


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    begin = max(text.rfind(p, 0, start) for p in "，,；;：:。") + 1
    stops = [i for i in (text.find(p, end) for p in "，,；;。") if i >= 0]
    return begin, min(stops, default=len(text))


def after_subtotal(question: str, quote: str, start: int) -> bool:
    """The figure sits after 「其中」 (a part of a total) while the question asks for the total (一共, 累计 …)."""
    q = normalise(question)
    if "其中" in q or not _TOTAL.search(q):
        return False
    return "其中" in quote[:start]


def negated_term(grams: set[str], question: str, quote: str, start: int, end: int) -> bool:
    """The figure's clause negates a term of the question (「“非快捷”包机」 for 「快捷通道」)."""
    q = normalise(question)
    begin, stop = _clause_bounds(quote, start, end)
    clause = normalise(quote[begin:stop])
    for found in re.finditer(rf"[{_NEGATION}][“\"「]?([\u4e00-\u9fff]{{2}})", clause):
        term = found.group(1)
        if term in grams and found.group().replace("“", "").replace('"', "").replace("「", "") not in q:
            return True
    return False


def figure_cue(question: str, grams: set[str], quote: str, start: int, end: int) -> float:
    """Extra score for the figure at ``quote[start:end]`` (-inf when it counts something else).

    The counted noun (weighted by its length), a part after 「其中」 when a total is asked, and a
    clause that negates the question's term.
    """
    fit = counted_noun_fit(question, quote, start, end)
    if fit < 0:
        return float("-inf")
    score = 4 * fit * max(1.0, len(asked_noun(question)) / 2)
    if after_subtotal(question, quote, start):
        score -= 6
    if negated_term(grams, question, quote, start, end):
        score -= 8
    return score


def window_overlap(grams: set[str], text: str, start: int, end: int, window: int = 14) -> int:
    """Question bigrams near a mention: twice for its own clause, once for a window around it."""
    clause_start = max(text.rfind(p, 0, start) for p in "，,；;：:。") + 1
    clause_end = min((i for i in (text.find(p, end) for p in "，,；;。") if i >= 0), default=len(text))
    clause = text[clause_start:start] + " " + text[end:clause_end]
    near = text[max(0, start - window) : start] + " " + text[end : end + window // 2]
    return 2 * len(grams & set(bigram_tokens(clause))) + len(grams & set(bigram_tokens(near)))


def number_answer(question: str, grams: set[str], quote: str, units: tuple[str, ...]) -> tuple[str, float] | None:
    """The figure of ``quote`` whose surroundings share most with the question, and that overlap.

    The only figure right after the slot's own words (「累计172人」 for 「累计有多少人」) reads its
    clause's elided subject from the sentence: it scores as well as the best-placed figure, plus more.
    """
    scored: list[tuple[float, int, re.Match[str], bool]] = []
    slot = slot_words(question)
    for match in figures(quote, units):
        if normalise(match.group()) in normalise(question):
            continue
        cue = figure_cue(question, grams, quote, match.start(), match.end())
        if cue == float("-inf"):
            continue
        hit = bool(slot) and slot in quote[max(0, match.start() - 6) : match.start()]
        scored.append((window_overlap(grams, quote, match.start(), match.end()) + cue, -match.start(), match, hit))
    if not scored:
        return None
    top = max(s[0] for s in scored) if sum(s[3] for s in scored) == 1 else 0.0  # one figure the slot's words lead to
    best = max(((max(s[0], top) + 6 if s[3] else s[0]), s[1], s[2]) for s in scored)
    match = best[2]
    value = match.group()
    if not units:  # 「39.96万卷、61.06万件」: one holding counted in several units
        rest = quote[match.end() :]
        more = re.match(r"(?:、" + NUMBER_MENTION.pattern + r")+", rest)
        if more:
            value += more.group()
    return value, best[0]


def date_answer(question: str, grams: set[str], quote: str) -> tuple[str, int] | None:
    """The date of ``quote`` nearest the question's wording (「3月和10月」 kept whole)."""
    best: tuple[int, int, str] | None = None
    for match in DATE_MENTION.finditer(quote):
        value = match.group()
        if normalise(value) in normalise(question):
            continue
        joined = re.match(r"[和、至到](?:" + DATE_MENTION.pattern + ")", quote[match.end() :])
        end = match.end()
        if joined and re.search(r"哪[两几]|分别", question):
            value += joined.group()
            end += joined.end()
        score = window_overlap(grams, quote, match.start(), end)
        if best is None or score > best[0]:
            best = (score, -match.start(), value)
    return (best[2], best[0]) if best else None
