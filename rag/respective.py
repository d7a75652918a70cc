"""Read 「A、B分别更名为C、D」 sentences: the item paired with the one the question names."""

from __future__ import annotations

import re

from rag.text import bigram_tokens, normalise

_RESPECTIVE = re.compile(r"([^，,。；;：:]+?)分别([\u4e00-\u9fff]{0,4}?[为是成至到])([^。；;，,]+)")
_FRAME = re.compile(r"^(?:原|将|把|对|由)")


def _items(text: str) -> list[str]:
    return [item.strip() for item in re.split(r"、|和|与|及", text) if item.strip()]


def respective_answer(question: str, quote: str) -> str | None:
    """The counterpart of the item the question names in a 「分别」 pairing, or None.

    「筹备委员会、软件综合办公室分别更名为管理委员会(筹)、借鉴新加坡经验办公室」 answers
    「软件综合办公室更名为什么？」 with 「借鉴新加坡经验办公室」. Both sides must list as many
    items, and one item of the first must match the question clearly better than the others.
    """
    q = normalise(question)
    s = normalise(quote)
    for match in _RESPECTIVE.finditer(s):
        verb = match.group(2)
        if verb[:-1] and verb[:-1] not in q:
            continue  # 「分别更名为」 answers a question about 更名
        subjects = [_FRAME.sub("", item) for item in _items(match.group(1))]
        objects = re.split(r"、", match.group(3))
        if len(subjects) < 2 or len(subjects) != len(objects):
            continue
        grams = set(bigram_tokens(q))
        scores = [len(grams & set(bigram_tokens(item))) / max(len(bigram_tokens(item)), 1) for item in subjects]
        best = max(range(len(scores)), key=lambda i: scores[i])
        if scores[best] < 0.8 or sorted(scores)[-2] >= scores[best]:
            continue
        start = match.start(3) + sum(len(o) + 1 for o in objects[:best])
        answer = quote[start : start + len(objects[best])] if len(quote) == len(s) else objects[best]
        return answer.strip() or None
    return None
