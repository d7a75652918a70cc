"""Yes/no questions: find the sentence that states most of the claim, then check its figures, negation and words."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.reader.candidates import Sentence, Span, cell_unit, spans, tokenize, unit_after
from rag.reader.lexicon import Lexicon, load_lexicon
from rag.reader.question import Asked
from rag.text import _jieba

# A claim word this heavy (IDF, 0–1) that the deciding sentence does not hold makes the answer 否:
# 「是国家级开发区吗」 against 「为省级经济开发区」. Chosen on the train split's yes/no questions
# (0.4 let particles such as 过 decide; above 0.55 missed 第二 against 第一).
UNSUPPORTED_WEIGHT = 0.5
NEGATORS = frozenset({"不", "未", "没", "没有", "无", "非", "尚未", "从未", "未曾", "并未", "不再", "未能", "不能", "无法", "并非", "不是"})
_YES_NO_FORMS = re.compile(r"是否|有没有|是不是|能否|可否|有无|会不会|算不算|对吗|对不对|吗")
_AT_LEAST = ("超过", "多于", "高于", "以上", "不少于", "不低于", "达到", "突破", "逾")
_BELOW = ("不到", "不足", "低于", "少于", "以下", "未满", "不超过")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def decide(asked: Asked, ranked: Sequence[Span]) -> tuple[str, Span]:
    """是 or 否 for a yes/no question, and a span of the sentence that decided it."""
    chosen: list[Span] = []
    for span in ranked:  # the best span of each sentence read, best first
        if all(span.sentence is not s.sentence for s in chosen):
            chosen.append(span)
    best = min(chosen, key=lambda s: _unsupported(asked, s.sentence)[0] + _unsupported(asked, s.sentence, alone=True)[0])
    return verdict(asked, best.sentence), best


def verdict(asked: Asked, sentence: Sentence) -> str:
    """是 when ``sentence`` states what the question claims, else 否."""
    if _unsupported(asked, sentence)[1] >= UNSUPPORTED_WEIGHT:
        return "否"
    lexicon = load_lexicon()
    if _opposite_direction(asked.text, sentence.folded, lexicon):
        return "否"
    years = {float(y) for y in asked.years}
    stated = _stated_figures(sentence, lexicon)
    comparator = _comparator(asked.text)
    for value, unit in _figures(asked.text, lexicon):
        if value in years:
            continue
        same_unit = [x for x, u in stated if not unit or u == unit]
        if comparator and not any(_compares(comparator, x, value) for x in same_unit):
            return "否"
        if not comparator and value not in same_unit:
            return "否"
    return "否" if _negated_claim(asked.text) != _negated_sentence(asked, sentence) else "是"


def _unsupported(asked: Asked, sentence: Sentence, alone: bool = False) -> tuple[float, float]:
    """The claim weight the sentence (with its title and the sentence before, unless ``alone``) lacks: in all, and the heaviest word."""
    text = sentence.folded if alone else sentence.folded + sentence.context
    missing = [
        t.weight
        for t in asked.terms
        if not any(v in text for v in t.variants) and not _NUMBER.fullmatch(t.text) and t.text not in _AT_LEAST + _BELOW
    ]
    return sum(missing), max(missing, default=0.0)


def _opposite_direction(claim: str, text: str, lexicon: Lexicon) -> bool:
    """The claim says a thing rose and the sentence only that it fell, or the other way round."""
    for said, other in ((lexicon.rising, lexicon.falling), (lexicon.falling, lexicon.rising)):
        if any(w in claim for w in said) and not any(w in claim for w in other):
            if any(w in text for w in other) and not any(w in text for w in said):
                return True
    return False


def _figures(text: str, lexicon: Lexicon) -> list[tuple[float, str]]:
    """Every figure of a question with the unit written after it (「30家」 → (30.0, 家))."""
    plain = text.replace(",", "")
    return [(float(m.group()), unit_after(plain, m.end(), lexicon)[1]) for m in _NUMBER.finditer(plain)]


def _stated_figures(sentence: Sentence, lexicon: Lexicon) -> list[tuple[float, str]]:
    """Every figure of a sentence with its unit as the reader's candidates see it (a table cell's from its row or column)."""
    widest: dict[int, Span] = {}
    for span in spans(sentence, lexicon):
        if span.kind in ("number", "cell") and (span.start not in widest or span.end > widest[span.start].end):
            widest[span.start] = span
    out = []
    for span in widest.values():
        value = _NUMBER.fullmatch(span.text.replace(",", "").replace(" ", "")) if span.kind == "cell" else _NUMBER.match(span.text.replace(",", "").replace(" ", ""))
        if value:
            unit = cell_unit(sentence, span.start, lexicon) if span.kind == "cell" else span.unit
            out.append((float(value.group()), unit))
    return out


def _comparator(claim: str) -> str:
    if any(w in claim for w in _BELOW):
        return "below"
    return "at_least" if any(w in claim for w in _AT_LEAST) else ""


def _compares(comparator: str, stated: float, claimed: float) -> bool:
    """Whether a stated figure of about the claimed size meets the claim (「超过6亿」 and 6.38)."""
    if not claimed / 10 <= stated <= claimed * 10:
        return False
    return stated >= claimed if comparator == "at_least" else stated < claimed


def _negated_claim(claim: str) -> bool:
    words = _jieba().lcut(_YES_NO_FORMS.sub(" ", claim))  # type: ignore[attr-defined]
    return any(w in NEGATORS for w in words)


def _negated_sentence(asked: Asked, sentence: Sentence) -> bool:
    """A negator right before a word of the claim: 「未发生」, 「没有人员伤亡」 (not 「不断增加」)."""
    tokens = tokenize(sentence)
    for index, (start, _, word, _) in enumerate(tokens):
        if word in NEGATORS:
            following = "".join(t[2] for t in tokens[index + 1 : index + 3])
            if any(v in following for t in asked.terms for v in t.variants):
                return True
    return False
