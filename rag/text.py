"""Chinese text normalisation and tokenisation for matching (display text is never changed)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any, Literal

TokenizerName = Literal["jieba", "bigram", "both"]
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+|[0-9a-z]+(?:[.．][0-9]+)?%?")
_WORD = re.compile(r"[\u3400-\u9fff0-9a-z]")
STOPWORDS = frozenset(
    "的 了 是 在 和 与 及 等 有 为 对 由 于 中 也 把 被 个 年内 哪些 什么 多少 几 吗 呢 啊 哪 谁 如何 怎么 "
    "是否 有没有 哪个 哪位 哪天 何时 什么时候 请问 一下 园区".split()
)


@lru_cache(maxsize=1)
def _to_simplified() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def _nfkc_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch


def fold(text: str) -> str:
    """Length-preserving normalisation: full-width → half-width, traditional → simplified, lower case.

    Character ``i`` of the result is character ``i`` of ``text`` folded, so offsets found in the
    folded text point into the original, which is what citations show.
    """
    folded = "".join(_nfkc_char(ch) for ch in text).lower()
    if not folded.isascii():
        simplified = _to_simplified().convert(folded)
        if len(simplified) == len(folded):
            folded = simplified
        else:  # a phrase conversion changed the length: convert character by character
            folded = "".join(c if len(c := _to_simplified().convert(ch)) == 1 else ch for ch in folded)
    return folded


DIGIT_GROUPS = re.compile(r"(?<![\d.])\d{1,3}(?:(?:,|，)\d{3})+(?!\d)|(?<![\d.])\d{1,3}(?: \d{3})+(?![\d,])")
_CHINESE_DIGITS = dict(zip("〇零一二三四五六七八九", "00123456789"))
_CHINESE_YEAR = re.compile(r"[〇零一二三四五六七八九]{4}(?=年)")


def join_digit_groups(text: str) -> str:
    """「9,927万元」 and 「3 860元」 → 「9927万元」 and 「3860元」 (thousands separators removed)."""
    return DIGIT_GROUPS.sub(lambda m: re.sub(r"[, ，]", "", m.group()), text)


def normalise(text: str) -> str:
    """Text as it is matched: :func:`fold`, thousands separators dropped, 「二〇二〇年」 → 「2020年」."""
    text = join_digit_groups(fold(text))
    return _CHINESE_YEAR.sub(lambda m: "".join(_CHINESE_DIGITS[c] for c in m.group()), text)


_CHINESE_COUNT = re.compile(r"(?<![第一二两三四五六七八九十百千])([一二两三四五六七八九十百千]{2,})(?=[名人个家项次户位所批件场届])")


def normalise_question(text: str) -> str:
    """A question as it is searched and read: :func:`normalise`, and counts such as 「三十六名」 → 「36名」."""
    import cn2an

    def arabic(match: re.Match[str]) -> str:
        try:
            return str(int(cn2an.cn2an(match.group(1), "smart")))
        except (ValueError, KeyError):
            return match.group(1)

    return without_exclusions(_CHINESE_COUNT.sub(arabic, normalise(text))).strip()


# The interrogative morphemes: a cue holding one asks for a thing (多少, 几, 谁, 哪里, 何时, 什么);
# a cue without one names a topic (人数, 比重, 增幅, 名称) that a yes/no question may also mention.
INTERROGATIVE = re.compile(r"多少|几|谁|哪|何|什么|啥|怎|多[大高长远重久]")
_ASKING = re.compile(INTERROGATIVE.pattern + r"|吗|呢|是否|是不是|算不算|要不要|有没有")  # … or ask yes or no
_NEGATION = re.compile(r"不是|不要|不算|别算|别给|别把|别要|不含|不包括|并非|除外")
_CLAUSE = re.compile(r"[^，,。；;！!？?]+[，,。；;！!？?]*")


def without_exclusions(question: str) -> str:
    """The question without the clauses that only say what is not asked.

    「授权专利有多少件?不是申请量。」 asks about 授权专利: 「申请量」 names what the asker does not
    want, so matching it would pull the wrong figure. A clause that negates (不是, 不要, 不算, 别算, …)
    and asks nothing goes; a clause that asks (「是不是…」, 「有没有…」) stays whole. 「除了X，还有哪些」
    stays too: the items it sets aside are how the list is found.
    """
    kept = [c for c in _CLAUSE.findall(question) if not (_NEGATION.search(c) and not _ASKING.search(c))]
    return "".join(kept) if kept else question


@lru_cache(maxsize=1)
def _jieba() -> object:
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    return jieba


def jieba_tokens(text: str) -> list[str]:
    """Words from jieba's bundled dictionary, numbers kept whole, stopwords dropped."""
    jieba = _jieba()
    words = jieba.lcut(normalise(text))  # type: ignore[attr-defined]
    return [w for w in words if _WORD.search(w) and w not in STOPWORDS]


def word_bounds(text: str) -> set[int]:
    """Character offsets where jieba starts or ends a word in ``text`` (0 and the end included)."""
    bounds = {0, len(text)}
    for _word, _start, end in _jieba().tokenize(text):  # type: ignore[attr-defined]
        bounds.add(end)
    return bounds


def bigram_tokens(text: str) -> list[str]:
    """Character bigrams of CJK runs (single characters alone), numbers and Latin words whole."""
    tokens: list[str] = []
    for run in _CJK_RUN.findall(normalise(text)):
        if not ("\u3400" <= run[0] <= "\u9fff"):
            tokens.append(run)
        elif len(run) == 1:
            tokens.append(run)
        else:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    return tokens


def tokenize(text: str, tokenizer: TokenizerName = "both") -> list[str]:
    """Tokens for BM25 by the chosen method; ``both`` is jieba words plus bigrams."""
    match tokenizer:
        case "jieba":
            return jieba_tokens(text)
        case "bigram":
            return bigram_tokens(text)
        case "both":
            return jieba_tokens(text) + bigram_tokens(text)
        case other:
            raise ValueError(f"unknown tokenizer {other!r}")


YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年")
NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
DATE_RE = re.compile(r"\d{1,2}月\d{1,2}日|\d{4}年\d{1,2}月(?:\d{1,2}日)?")


def years_in(text: str) -> list[int]:
    """Four-digit years written as 「YYYY年」 in ``text``."""
    return [int(y) for y in YEAR_RE.findall(normalise(text))]


_VALUE = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(万|亿)?")
_SCALE = {"万": 1e4, "亿": 1e8, "": 1.0}


def number_values(text: str) -> list[float]:
    """Numbers in ``text`` as values: 「4.32万」 → 43200, 「1,267」 → 1267, full-width digits too."""
    values: list[float] = []
    for digits, scale in _VALUE.findall(join_digit_groups(unicodedata.normalize("NFKC", text))):
        try:
            values.append(float(digits.replace(",", "")) * _SCALE[scale])
        except ValueError:
            continue
    return values
