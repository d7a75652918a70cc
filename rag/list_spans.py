"""Cut a list answer out of a sentence: 、-joined items or adjacent quoted titles, trimmed of framing words."""

from __future__ import annotations

import re

from rag.extract_spans import _LEAD, _TAIL, NUMBER_MENTION, _covered
from rag.text import bigram_tokens, normalise


def list_answer(question: str, quote: str) -> str | None:
    """The 、-joined items (or adjacent quoted titles) of ``quote`` the question does not already say."""
    q = normalise(question)
    titled = [m.group() for m in re.finditer(r"(?:[《“][^》”]{1,40}[》”]){2,}", quote) if normalise(m.group()) not in q]
    runs = []
    for clause in re.split(r"[，,；;。：:]", quote):
        if "、" not in clause:
            continue
        items = _list_items(question, clause.split("、"))
        if not items or all(NUMBER_MENTION.fullmatch(i) for i in items):
            continue
        joined = "、".join(items)
        if sum(_covered(question, joined)) > len(joined) / 2:
            continue
        runs.append(joined)
    found = runs + [t for t in titled if not any(t in r for r in runs)]
    if not found:
        return None
    count = _asked_count(question)
    grams = set(bigram_tokens(question))
    return max(found, key=lambda r: (len(r.split("、")) == count, len(grams & set(bigram_tokens(_clause_of(quote, r)))), len(r)))


def _asked_count(question: str) -> int:
    """How many items a 「哪四个/哪两所」 question asks for (0 when it does not say)."""
    found = re.search(r"哪[“\"]?([两二三四五六七八九十])", normalise(question))
    return "一两三四五六七八九十".index(found.group(1)) + 1 if found and found.group(1) != "二" else (2 if found else 0)


def _clause_of(quote: str, run: str) -> str:
    """The clause of ``quote`` around an extracted run, without the run."""
    first = run.split("、")[0]
    at = quote.find(first)
    if at < 0:
        return ""
    start = max(quote.rfind(p, 0, at) for p in "，,；;。") + 1
    stops = [i for i in (quote.find(p, at + len(run)) for p in "，,；;。") if i >= 0]
    end = min(stops, default=len(quote))
    return quote[start:at] + " " + quote[at + len(run) : end]


def _list_items(question: str, items: list[str]) -> list[str]:
    """Trim the framing words off the first and last items of a 、-list."""
    first = re.split(r"设立|设置|包括|包含|涵盖|有|为|在|是|即|完成|发挥|保障|围绕|推出|聚焦|开展|覆盖|组织", items[0])[-1]
    mask = _covered(question, first)
    i = 0
    while i < len(first) - 1 and mask[i]:
        i += 1
    items[0] = first[i:].strip(_LEAD) or first
    last = re.split(r"等|[“”]?(?:\d+|[一二三四五六七八九十两]+)(?:个|大|项|所|家|名|类|种|条|支|批)", items[-1])[0]
    if len(items) >= 2 and len(items[1]) >= 3 and len(items[0]) > len(items[1]) + 2 and all(
        it[-2:] == items[1][-2:] for it in items[1:]
    ):
        items[0] = items[0][-len(items[1]) :]
    mask = _covered(question, last)
    j = len(last)
    while j > 1 and mask[j - 1]:
        j -= 1
    if len(last) - j >= 4:
        last = last[:j]
    items[-1] = last.rstrip(_TAIL + "“”")
    return [i for i in items if i]
