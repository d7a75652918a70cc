"""「A比B多吗」: whether the figures a passage states for the two things a claim compares bear it out."""

from __future__ import annotations

import re
from typing import NamedTuple

from rag.reader.candidates import NUMBER
from rag.reader.question import Asked

# 比 followed by the other thing and the comparative word; 「比上年」「比2018年」 compare a thing with
# its own past, which the direction words of a change already decide.
COMPARATIVE = re.compile(
    r"比(?![上去前]一?年|年初|年末|\d{2,4}年)(?P<other>[^，,。？?]{1,12}?)(?:更|还|要)?(?P<word>多|高|大|快|长|强|少|低|小|慢|短|弱)"
)
GREATER = frozenset("多高大快长强")
RATE_WORDS = ("增速", "增幅", "增长", "增加", "涨", "速度")  # the claim compares growth, not levels
MAX_GAP = 8  # characters between a word and the figure it states (「立案379件」: 0, 「出生人口10,547人」: 2)
MAX_RATE_GAP = 24  # … and between it and its growth rate (「农村居民人均可支配收入13,672元,增长8.1%」)
_RATE = re.compile(r"(-?\d+(?:\.\d+)?)%")
_MAGNITUDE = {"": 1.0, "万": 1e4, "亿": 1e8}


class Stated(NamedTuple):
    """A figure stated after an occurrence of a word: where the word stands, where the figure does, and its value in plain units."""

    at: int
    figure: int
    value: float
    unit: str  # the character after the figure (「人」, 「‰」): only figures of one kind are compared


def comparison(asked: Asked, text: str) -> float:
    """+1 when ``text`` states figures that bear out the claim's comparison, -1 when they contradict it, 0 when it cannot tell.

    The two sides are the claim's words before 比 and between 比 and the comparative word; each
    side's figure is the one written right after one of its words. Of all such pairs, the two
    written closest together are the ones compared: parallel things stand side by side
    (「其中镇31个,乡46个」), while a word both sides share (播种面积) stands apart.
    """
    found = COMPARATIVE.search(asked.text)
    if not found:
        return 0.0
    other = found.group("other")
    rate = any(word in asked.text for word in RATE_WORDS)
    mine = [t for t in asked.terms if t.text in asked.text[: found.start()] and t.text not in other]
    theirs = [t for t in asked.terms if t.text in other]
    pairs = [
        (abs(a.at - b.at), a.value, b.value)
        for a in (s for t in mine for s in stated_after(t.variants, text, rate))
        for b in (s for t in theirs for s in stated_after(t.variants, text, rate))
        if a.figure != b.figure and a.unit == b.unit  # two words before one figure (「乡镇77个」) compare nothing
    ]
    if not pairs:
        return 0.0
    _, left, right = min(pairs)
    if left == right:
        return 0.0
    return 1.0 if (left > right) == (found.group("word") in GREATER) else -1.0


def stated_after(words: frozenset[str], text: str, rate: bool) -> list[Stated]:
    """For each occurrence of one of ``words``, the figure (or, for ``rate``, the percentage) written soon after it."""
    out: list[Stated] = []
    for word in words:
        for occurrence in re.finditer(re.escape(word), text):
            at = occurrence.end()
            if rate:
                figure = _RATE.search(text, at, at + MAX_RATE_GAP + 8)
                if figure and figure.start() - at <= MAX_RATE_GAP:
                    out.append(Stated(occurrence.start(), figure.start(), float(figure.group(1)), "%"))
                continue
            figure = NUMBER.search(text, at, at + MAX_GAP + 12)  # thousands separators (「10,547」「15 268」) inside
            if figure and figure.start() - at <= MAX_GAP and not text.startswith("年", figure.end()):
                magnitude = text[figure.end()] if text.startswith(("万", "亿"), figure.end()) else ""
                value = float(re.sub(r"[,， ]", "", figure.group())) * _MAGNITUDE[magnitude]
                unit_at = figure.end() + len(magnitude)
                out.append(Stated(occurrence.start(), figure.start(), value, text[unit_at : unit_at + 1]))
    return out
