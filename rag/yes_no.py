"""Decide yes/no questions from the deciding sentence: figures, antonyms, negations, one-character contrasts."""

from __future__ import annotations

import re

from rag.extract_spans import figures
from rag.text import normalise

_NEGATIONS = ("未", "没有", "无", "不", "取消", "撤销", "停止", "暂停")
_CONTRASTS = frozenset("一二三四五六七八九十两0123456789省市区县国")  # 第二 ↔ 第一, 全省 ↔ 全市
_OPPOSITES: tuple[tuple[str, str], ...] = (
    (r"增加|增长|上升|提高|扩大|上涨", r"减少|下降|降低|有降|回落|减"),
    (r"减少|下降|降低", r"增加|增长|上升|提高"),
    (r"保留|继续|照常|设立|设置|成立|举办", r"撤销|取消|撤并|停办|暂停|不再"),
    (r"发生", r"无[^，,。]{0,8}发生|未发生|没有发生"),
)



def contradicts(question: str, quote: str) -> bool:
    """Whether the sentence says the opposite of the yes/no question's claim.

    An antonym of the claim's verb (增加 ↔ 有降, 保留 ↔ 撤销, 发生 ↔ 无…发生), a negation the
    other side lacks, or the question's wording with one character changed (全省 ↔ 全市, 第二 ↔ 第一).
    """
    q, s = normalise(question), normalise(quote)
    for claim, opposite in _OPPOSITES:
        if re.search(claim, q) and re.search(opposite, s) and not re.search(opposite, q):
            return True
    for negation in _NEGATIONS[:3]:
        if negation in q and negation not in s:
            return True
    for i in range(len(q) - 3):
        piece = q[i : i + 4]
        if not re.fullmatch(r"[\u4e00-\u9fff\d]{4}", piece) or piece in s:
            continue
        for j in range(4):
            pattern = re.escape(piece[:j]) + r"[\u4e00-\u9fff\d]" + re.escape(piece[j + 1 :])
            found = re.search(pattern, s)
            if found and found.group()[j] != piece[j] and {found.group()[j], piece[j]} <= _CONTRASTS:
                return True
    return False


def claim(question: str) -> str:
    """What a 是否/有没有 question asks to confirm: the words after the cue (「是否发生过重大事故」 → 「发生过重大事故」)."""
    found = re.search(r"(?:是否|有没有|是不是)(.+)$", normalise(question))
    return re.sub(r"[？?。！!\s]+$", "", found.group(1)) if found else ""


def yes_or_no(question: str, quote: str, units: tuple[str, ...] = ()) -> str:
    """「是」 unless a figure of the question is missing from the sentence or the sentence contradicts it."""
    q = normalise(question)
    text = normalise(quote)
    for match in figures(q):
        if normalise(match.group()) not in text:
            return "否"
    return "否" if contradicts(question, quote) else "是"
