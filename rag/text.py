"""Chinese text normalisation and tokenisation for matching (display text is never changed)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

TokenizerName = Literal["jieba", "bigram", "both"]
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+|[0-9a-z]+(?:[.．][0-9]+)?%?")
_WORD = re.compile(r"[\u3400-\u9fff0-9a-z]")
STOPWORDS = frozenset(
    "的 了 是 在 和 与 及 等 有 为 对 由 于 中 也 把 被 个 年内 哪些 什么 多少 几 吗 呢 啊 哪 谁 如何 怎么 "
    "是否 有没有 哪个 哪位 哪天 何时 什么时候 请问 一下 园区".split()
)


def normalise(text: str) -> str:
    """NFKC (full-width → half-width digits and punctuation) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


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
    for digits, scale in _VALUE.findall(unicodedata.normalize("NFKC", text)):
        try:
            values.append(float(digits.replace(",", "")) * _SCALE[scale])
        except ValueError:
            continue
    return values
