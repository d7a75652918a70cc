"""Pick the cell of a table row that a question asks about (姓名, 国家, 日期, 活动 columns)."""

from __future__ import annotations

import re

from rag.extract_spans import strip_covered
from rag.text import bigram_tokens, normalise

_CELL_CUES: tuple[tuple[str, str], ...] = (
    ("谁|名字|叫什么|叫啥|姓名|哪位|中文名", "姓名"),
    ("哪个国家|哪国|国家", "国家"),
    ("哪天|何时|什么时候|日期|几月", "日期"),
    ("什么活动|做了什么|参观|出席|活动|会见|哪里|哪些地方|什么仪式", "活动"),
)


def table_cell(question: str, row: str, header: str) -> str:
    """The cell of a table row whose column the question asks about, trimmed to the asked part."""
    cells = row.split(" | ")
    names = header.split(" | ")
    for cue, column in _CELL_CUES:
        if re.search(cue, question):
            for name, cell in zip(names, cells):
                if column in name:
                    return _trim_cell(question, cell, column)
    grams = set(bigram_tokens(question))
    unmentioned = [c for c in cells if not set(bigram_tokens(c)) & grams]
    return max(unmentioned, key=len) if unmentioned else cells[-1]


def _trim_cell(question: str, cell: str, column: str) -> str:
    if column == "姓名":
        foreign = re.search(r"[（(]([^）)]+)[）)]$", cell.strip())  # 「Chris Wood(胡克定)」: the gloss closes the cell
        if foreign and re.search(r"中文名|叫什么|名字|谁", question) and re.search(r"[A-Za-z]", normalise(question)):
            return foreign.group(1)
        parts = re.split(r"[,，]\s*", cell)
        last = parts[-1]
        name = strip_covered(question, last)
        return name or last
    if column == "活动":
        segments = re.split(r"[,，]", cell)
        asked = [seg for seg in segments if any(v in question for v in ("参观", "出席", "会见", "参加"))]
        cell = max(segments, key=lambda seg: sum(b in normalise(question) for b in bigram_tokens(seg[:2]))) if asked else cell
        stripped = re.sub(r"^(?:参观|出席|会见|参加|考察|拜会|见证)", "", cell)
        if stripped and re.search(r"哪里|哪些地方|什么仪式|什么活动|参加了什么|出席了什么", question):
            return stripped
        return cell
    return cell
