"""Yes/no questions: find the sentence that states most of the claim, then weigh its words, figures and negation."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from rag.reader.candidates import DATE, Sentence, Span, cell_unit, spans, tokenize, unit_after
from rag.reader.comparison import COMPARATIVE, comparison
from rag.reader.features import broken_compounds
from rag.reader.lexicon import Lexicon, load_lexicon
from rag.reader.question import Asked, Term
from rag.ranking import LinearModel
from rag.text import _jieba

# A claim word this heavy (IDF, 0–1) that the deciding sentence does not hold makes the answer 否:
# 「是国家级开发区吗」 against 「为省级经济开发区」. Chosen on the train split's yes/no questions
# (0.4 let particles such as 过 decide; above 0.55 missed 第二 against 第一).
UNSUPPORTED_WEIGHT = 0.5
NEGATORS = frozenset({"不", "未", "没", "没有", "无", "非", "尚未", "从未", "未曾", "并未", "不再", "未能", "不能", "无法", "并非", "不是"})
_TRAILING_NOT = re.compile(r"没有[?？]?$")  # 「完工没有？」 asks, it does not negate
_AT_LEAST = ("超过", "多于", "高于", "以上", "不少于", "不低于", "达到", "突破", "逾", "过半")
_BELOW = ("不到", "不足", "低于", "少于", "以下", "未满", "不超过")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_TENTHS = "一二三四五六七八九"
_SHARE = re.compile(r"([一二三四五六七八九])成|过半|半数|一半")  # 「七成」 is 70 %, 「过半」 more than 50 %
_MORE = re.compile(r"([万亿]?)[多余]([万亿]?)")  # 「300多」, 「1.5万余」: more than the figure, less than its next step


def decide(asked: Asked, ranked: Sequence[Span], model: LinearModel | None = None) -> tuple[str, Span]:
    """是 or 否 for a yes/no question, and a span of the sentence that decided it.

    ``model`` (P(是) over :func:`claim_features`, learned from yes/no questions) gives the
    verdict; without weights (a reader trained on questions with no yes/no among them) the hand
    checks of :func:`verdict` do.
    """
    span = deciding_span(asked, ranked)
    if model is not None and model.weights:
        return ("是" if model.probability(claim_features(asked, span)) >= 0.5 else "否"), span
    return verdict(asked, span.sentence), span


def deciding_span(asked: Asked, ranked: Sequence[Span]) -> Span:
    """The best span of the sentence read that leaves the least of the claim unsaid (alone and with its context)."""
    chosen: list[Span] = []
    for span in ranked:  # the best span of each sentence read, best first
        if all(span.sentence is not s.sentence for s in chosen):
            chosen.append(span)
    return min(chosen, key=lambda s: _unsupported(asked, s.sentence)[0] + _unsupported(asked, s.sentence, alone=True)[0])


def verdict(asked: Asked, sentence: Sentence) -> str:
    """是 when ``sentence`` states what the question claims, else 否: the first check that fails decides."""
    if _unsupported(asked, sentence)[1] >= UNSUPPORTED_WEIGHT:
        return "否"
    lexicon = load_lexicon()
    if _opposite_direction(asked.text, sentence.folded, lexicon):
        return "否"
    if any(d.group() not in sentence.folded for d in _dates(asked.text)):
        return "否"  # a date the sentence does not give
    if not all(_claim_figures(asked, sentence, lexicon)):
        return "否"
    return "否" if _negated_claim(asked.text) != _negated_sentence(asked, sentence) else "是"


def claim_features(asked: Asked, span: Span) -> dict[str, float]:
    """How far the sentence of ``span`` states the question's claim, as named features for the learned verdict.

    Each check of :func:`verdict` becomes a feature (the claim words the sentence lacks, a figure
    it does not meet, a date it does not give, the opposite direction, a negation on one side
    only), with the sentence's broken compounds (「国家级」 asked where 「省级」 is written): the
    weights, not the order of the checks, say how much each counts.
    """
    lexicon = load_lexicon()
    sentence = span.sentence
    text = sentence.folded + sentence.context
    missing_sum, missing_max = _unsupported(asked, sentence)
    _, missing_alone = _unsupported(asked, sentence, alone=True)
    figures = _claim_figures(asked, sentence, lexicon)
    negated = _negated_claim(asked.text)
    return {
        "y_missing_max": missing_max,
        "y_missing_sum": min(missing_sum, 3.0) / 3.0,
        "y_missing_alone_max": missing_alone,
        "y_opposite": float(_opposite_direction(asked.text, sentence.folded, lexicon)),
        "y_date_unstated": float(any(d.group() not in sentence.folded for d in _dates(asked.text))),
        "y_figure_unmet": float(any(not met for met in figures)),
        "y_figure_met": float(bool(figures) and all(figures)),
        "y_comparator": float(bool(_comparator(asked.text))),
        "y_negation_differs": float(negated != _negated_sentence(asked, sentence)),
        "y_negated_claim": float(negated),
        "y_compound_broken": float(bool(broken_compounds(asked, text))),
        "y_figure_elsewhere": _figure_elsewhere(asked, sentence, lexicon),
        "y_comparative": float(bool(COMPARATIVE.search(asked.text))),
        "y_comparison": comparison(asked, sentence.context + " " + sentence.folded),
    }


def _claim_figures(asked: Asked, sentence: Sentence, lexicon: Lexicon) -> list[bool]:
    """For each figure the claim makes (years aside), whether the sentence meets it.

    A figure is compared by its own comparator (「35岁以下的超过七成」: 35 below, 七成 at least),
    else by the claim's; one the sentence writes the same way (「35岁以下」) is met.
    """
    years = {float(y) for y in asked.years}
    stated = [_scaled(x, u, lexicon) for x, u in _stated_figures(sentence, lexicon)]
    claimed = _comparator(asked.text)
    met: list[bool] = []
    for figure in _figures(asked.text, lexicon):
        if figure.value in years:
            continue
        phrased = bool(figure.phrase) and figure.phrase in sentence.folded
        met.append(phrased or any(_meets(figure, claimed, x, u, lexicon) for x, u in stated))
    return met


def _meets(figure: ClaimFigure, claimed: str, stated: float, unit: str, lexicon: Lexicon) -> bool:
    """Whether one stated figure (in plain units, with its unit family) meets a claimed one.

    Within the step 多 allows (「300多公里」: at least 300, under 400), else by the figure's own
    comparator or the claim's, else by being equal; a figure of another unit never does.
    """
    value, wanted = _scaled(figure.value, figure.unit, lexicon)
    if wanted and unit != wanted:
        return False
    comparator = figure.comparator or claimed
    if figure.step:
        return value <= stated < value + figure.step * (value / figure.value if figure.value else 1.0)
    if comparator:
        return _compares(comparator, stated, value, bool(wanted))
    return abs(stated - value) < 1e-6 * max(1.0, value)


def _unsupported(asked: Asked, sentence: Sentence, alone: bool = False) -> tuple[float, float]:
    """The claim weight the sentence (with its title and the sentence before, unless ``alone``) lacks: in all, and the heaviest word."""
    text = sentence.folded if alone else sentence.folded + sentence.context
    missing = [t.weight for t in _plain_terms(asked) if not _in(t, [text])]
    return sum(missing), max(missing, default=0.0)


def _plain_terms(asked: Asked) -> list[Term]:
    """The claim's words other than its figures, their units (「多公里」) and comparator words: those are checked as figures."""
    unit_kind = load_lexicon().unit_kind
    return [
        t for t in asked.terms
        if not _NUMBER.fullmatch(t.text) and not _SHARE.fullmatch(t.text) and t.text not in _AT_LEAST + _BELOW
        and t.text.lstrip("万亿多余") not in unit_kind
    ]


def _in(term: Term, pieces: Sequence[str]) -> bool:
    """Whether one of the pieces writes the term or a variant of it."""
    return any(v in piece for piece in pieces for v in term.variants)


def _opposite_direction(claim: str, text: str, lexicon: Lexicon) -> bool:
    """The claim says a thing rose and the sentence only that it fell, or the other way round."""
    for said, other in ((lexicon.rising, lexicon.falling), (lexicon.falling, lexicon.rising)):
        if any(w in claim for w in said) and not any(w in claim for w in other):
            if any(w in text for w in other) and not any(w in text for w in said):
                return True
    return False


class ClaimFigure(NamedTuple):
    """A figure a claim makes: its value and unit as written, the step 多 or 余 allows, its own comparator and how it is written with it."""

    value: float
    unit: str
    step: float = 0.0  # 「300多」: 100; 0 when no 多 or 余 follows
    comparator: str = ""  # "at_least" / "below" when a comparator word stands right before or after it
    phrase: str = ""  # the figure with its unit and that comparator word (「35岁以下」)


def _figures(text: str, lexicon: Lexicon) -> list[ClaimFigure]:
    """Every figure of a question outside its dates, with the unit written after it (「30家」 → 30.0, 家), the
    step of its last written digit when 多 or 余 follows (「300多公里」 → 100), and its own comparator;
    a share in tenths (「七成」) or a half (「过半」) is a percentage."""
    plain = text.replace(",", "")
    in_dates = {i for d in _dates(plain) for i in range(d.start(), d.end())}
    out = []
    for m in _NUMBER.finditer(plain):
        if m.start() in in_dates:
            continue
        end, unit = unit_after(plain, m.end(), lexicon)
        more = _MORE.match(plain, m.end())
        magnitude = more.group(1) or more.group(2) if more else ""
        if magnitude and not unit.startswith(magnitude):
            unit = magnitude + unit  # 「1.5万多元」: the magnitude before 多 scales the unit after it
        step = _approximate_step(m.group()) if more else 0.0
        out.append(ClaimFigure(float(m.group()), unit, step, *_local_comparator(plain, m.start(), end)))
    for m in _SHARE.finditer(plain):
        value = 50.0 if m.group(1) is None else 10.0 * (_TENTHS.index(m.group(1)) + 1)
        comparator, phrase = _local_comparator(plain, m.start(), m.end())
        out.append(ClaimFigure(value, "%", 0.0, comparator or ("at_least" if m.group().startswith("过") else ""), phrase))
    return out


def _local_comparator(text: str, start: int, end: int) -> tuple[str, str]:
    """The comparator word right before ``text[start:end]`` (a 了 between allowed) or right after it, and the three written together."""
    before = text[max(0, start - 5) : start]
    for kind, words in (("below", _BELOW), ("at_least", _AT_LEAST)):  # 不超过 before 超过
        for word in words:
            if before.endswith(word) or before.endswith(word + "了"):
                return kind, text[start - len(word) - before.endswith(word + "了") : end]
            if text.startswith(word, end):
                return kind, text[start : end + len(word)]
    return "", ""


def _approximate_step(written: str) -> float:
    """The place value of a figure's last non-zero digit: what 「300多」 (100) or 「1.5万多」 (0.1) may add."""
    if "." in written:
        return 10.0 ** -len(written.split(".")[1])
    return 10.0 ** (len(written) - len(written.rstrip("0")))


def _dates(text: str) -> list[re.Match[str]]:
    """The month and day dates of a text (「12月5日」, 「3月」; a bare year is not one)."""
    return [m for m in DATE.finditer(text) if re.search(r"[月日]", m.group()) and re.search(r"\d", m.group())]


def _stated_figures(sentence: Sentence, lexicon: Lexicon) -> list[tuple[float, str]]:
    """Every figure of a sentence with its unit as the reader's candidates see it (a table cell's from its row or column)."""
    return [(value, unit) for value, unit, _ in _placed_figures(sentence, lexicon)]


def _placed_figures(sentence: Sentence, lexicon: Lexicon) -> list[tuple[float, str, Span]]:
    """:func:`_stated_figures` with the span each figure is."""
    widest: dict[int, Span] = {}
    for span in spans(sentence, lexicon):
        if span.kind in ("number", "cell") and (span.start not in widest or span.end > widest[span.start].end):
            widest[span.start] = span
    out = []
    for span in widest.values():
        value = _NUMBER.fullmatch(span.text.replace(",", "").replace(" ", "")) if span.kind == "cell" else _NUMBER.match(span.text.replace(",", "").replace(" ", ""))
        if value:
            unit = cell_unit(sentence, span.start, lexicon) if span.kind == "cell" else span.unit
            out.append((float(value.group()), unit, span))
    return out


def _figure_elsewhere(asked: Asked, sentence: Sentence, lexicon: Lexicon) -> float:
    """How much of the claim is written beside another figure of the same unit rather than beside the one that meets it.

    「国家级示范社有34家吗」 against 「其中国家级示范社9家、省级示范社34家」: 34家 is there, but 国家级
    stands in the piece of 9家 — the figure met belongs to another noun. The sentence's opening piece
    is no rival: its words speak for the whole sentence. For the claimed figure best bound (the
    least such weight over the stated figures that meet it); 0 when none meets it.
    """
    years = {float(y) for y in asked.years}
    claimed = _comparator(asked.text)
    text = sentence.folded
    placed = [(*_scaled(value, unit, lexicon), _segment(text, span.start, span.end)) for value, unit, span in _placed_figures(sentence, lexicon)]
    opening = _segment(text, 0, 0)  # the sentence's topic (「全县有…」, 「年末牛存栏…」) speaks for every figure after it
    worst = 0.0
    for figure in _figures(asked.text, lexicon):
        if figure.value in years:
            continue
        bound = []
        for x, u, piece in placed:
            if _meets(figure, claimed, x, u, lexicon):
                rivals = [other for _, w, other in placed if other not in (piece, opening) and w == u]
                bound.append(max((t.weight for t in _plain_terms(asked) if _in(t, rivals) and not _in(t, [piece])), default=0.0))
        worst = max(worst, min(bound, default=0.0))
    return worst


_SEGMENT_BREAK = re.compile(r"[，；;。、：:|（）()]|(?<!\d),|,(?!\d)")  # a thousands separator (「1,284」) breaks nothing


def _segment(text: str, start: int, end: int) -> str:
    """The piece of ``text`` between the marks around ``text[start:end]`` (「省级示范社34家」 of 「…9家、省级示范社34家」)."""
    before = [m.end() for m in _SEGMENT_BREAK.finditer(text, 0, start)]
    after = _SEGMENT_BREAK.search(text, end)
    return text[before[-1] if before else 0 : after.start() if after else len(text)]


def _comparator(claim: str) -> str:
    if any(w in claim for w in _BELOW):
        return "below"
    return "at_least" if any(w in claim for w in _AT_LEAST) else ""


def _compares(comparator: str, stated: float, claimed: float, same_unit: bool) -> bool:
    """Whether a stated figure meets the claim; without a unit to tie them, only one of about the claimed size counts."""
    if not same_unit and not claimed / 10 <= stated <= claimed * 10:
        return False
    return stated >= claimed if comparator == "at_least" else stated < claimed


def _scaled(value: float, unit: str, lexicon: Lexicon) -> tuple[float, str]:
    """A figure in plain units and its unit family: (1.2, 万人) → (12000, people), (6, 亿) → (6e8, "")."""
    for prefix, factor in (("万亿", 1e12), ("亿", 1e8), ("万", 1e4), ("千", 1e3)):
        if unit.startswith(prefix):
            rest = unit[len(prefix) :]
            if rest == "" or rest in lexicon.unit_kind:
                return value * factor, lexicon.family(rest) if rest else ""
    return value, lexicon.family(unit) if unit else ""


def _negated_claim(claim: str) -> bool:
    for form in (cue for cue, kind in load_lexicon().cues if kind == "yesno"):  # longest first: 有没有 before 吗
        claim = claim.replace(form, " ")
    words = _jieba().lcut(_TRAILING_NOT.sub(" ", claim))  # type: ignore[attr-defined]
    return any(w in NEGATORS for w in words)


def _negated_sentence(asked: Asked, sentence: Sentence) -> bool:
    """A negator right before a word of the claim: 「未发生」, 「没有人员伤亡」 (not 「不断增加」)."""
    tokens = tokenize(sentence)
    for index, (start, _, word, _) in enumerate(tokens):
        if word in NEGATORS:
            following = "".join(t[2] for t in tokens[index + 1 : index + 3])
            if any(v in following for t in asked.terms if len(t.text) >= 2 for v in t.variants):
                return True
    return False
