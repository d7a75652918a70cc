"""Check an LLM answer in code: map citation markers to sources, find each quote, flag figures."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from langchain_core.documents import Document

from rag.answer.schema import REFUSAL_TEXT, Citation
from rag.reader.quotes import citation, quotes
from rag.text import bigram_tokens, number_values

MARKER = re.compile(r"[【\[]\s*(\d{1,2})\s*[】\]]")
_REFUSAL_MARKERS = ("未找到", "没有找到", "未提及", "没有记载", "未记载", "无法回答")
_FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:万|亿)?")


@dataclass
class Verified:
    """The checked answer text, its citations, and what had to be noted."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    refused: bool = False
    unsupported: list[str] = field(default_factory=list)  # figures no cited source holds


def is_refusal(text: str) -> bool:
    """Whether the model said the sources do not answer the question."""
    stripped = text.strip()
    return stripped == REFUSAL_TEXT or (len(stripped) < 40 and any(m in stripped for m in _REFUSAL_MARKERS))


def verify_answer(text: str, sources: list[Document]) -> Verified:
    """Map 【n】 markers to the numbered sources, remove unknown ones, check every figure.

    Args:
        text: what the model wrote.
        sources: the documents numbered 1..N in the prompt.
    """
    if is_refusal(text):
        return Verified(text=REFUSAL_TEXT, refused=True)
    notices: list[str] = []
    numbers_used: dict[int, int] = {}  # source number → citation number, in order of first use

    def renumber(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if not 1 <= n <= len(sources):
            notices.append(f"回答引用了不存在的来源【{n}】，已删除该标记。")
            return ""
        numbers_used.setdefault(n, len(numbers_used) + 1)
        return f"【{numbers_used[n]}】"

    checked = MARKER.sub(renumber, text).strip()
    citations = [
        _citation(new, sources[old - 1], _claim_before(text, old))
        for old, new in sorted(numbers_used.items(), key=lambda item: item[1])
    ]
    if not citations:
        notices.append("回答没有引用任何来源，请对照原文核实。")
    cited_text = " ".join(sources[old - 1].page_content for old in numbers_used)
    unsupported = _unsupported_figures(MARKER.sub(" ", text), cited_text)
    for figure in unsupported:
        notices.append(f"数字「{figure}」在所引用的来源中找不到，请核实。")
    return Verified(text=checked, citations=citations, notices=notices, unsupported=unsupported)


def _claim_before(text: str, n: int) -> str:
    """The text just before the first marker 【n】: the claim that marker supports."""
    for match in MARKER.finditer(text):
        if int(match.group(1)) == n:
            start = max(text.rfind(p, 0, match.start()) for p in "。！？；\n") + 1
            return MARKER.sub("", text[start : match.start()])
    return text


def _citation(n: int, document: Document, claim: str) -> Citation:
    """A citation to ``document`` quoting its sentence (or table row) closest to ``claim``."""
    claim_grams = set(bigram_tokens(claim))
    found = quotes(document)
    if not found:
        base = int(document.metadata.get("span_start", 0) or 0)
        return citation(n, document, document.page_content, base)
    quote, start = max(found, key=lambda item: len(claim_grams & set(bigram_tokens(item[0]))))
    return citation(n, document, quote, start)


def _unsupported_figures(answer: str, cited: str) -> list[str]:
    """Figures of the answer whose value appears in no cited source."""
    available = number_values(cited)
    missing: list[str] = []
    for match in _FIGURE.finditer(answer):
        figure = match.group().strip()
        values = number_values(figure)
        if not values or (len(figure) == 4 and answer[match.end() : match.end() + 1] == "年"):
            continue  # years are context, not claims
        if not any(abs(v - a) < 1e-6 * max(1.0, abs(v)) for v in values for a in available):
            missing.append(figure)
    return list(dict.fromkeys(missing))
