"""Quotable pieces of a retrieved chunk (sentences or its table row) and the citations to them."""

from __future__ import annotations

import re

from langchain_core.documents import Document

from rag.answer.schema import Citation

SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?")


def is_table_row(document: Document) -> bool:
    """Whether the chunk is one table row (caption and header above it)."""
    return document.metadata.get("kind") == "table"


def quotes(document: Document) -> list[tuple[str, int | None]]:
    """The chunk's sentences with their start in the entry's text; a table row has no start."""
    if is_table_row(document):
        return [(document.page_content.split("\n")[-1], None)]
    base = int(document.metadata.get("span_start", 0) or 0)
    found: list[tuple[str, int | None]] = []
    for match in SENTENCE.finditer(document.page_content):
        quote = match.group().strip()
        if quote:
            found.append((quote, base + match.start() + len(match.group()) - len(match.group().lstrip())))
    return found


def citation(n: int, document: Document, quote: str, start: int | None) -> Citation:
    """Citation ``n`` of ``quote``, which starts at ``start`` in the entry (None for a table row)."""
    meta = document.metadata
    return Citation(
        n=n,
        chunk_id=str(meta.get("chunk_id") or document.id or ""),
        year=int(meta.get("year", 0)),
        section=str(meta.get("section", "")),
        entry=str(meta.get("entry", "")),
        table=str(meta["table"]) if meta.get("table") else None,
        quote=quote,
        span=(start, start + len(quote)) if start is not None else None,
        row_index=int(meta["row_index"]) if is_table_row(document) else None,
        place=str(meta.get("place") or ""),
        page=int(meta["page"]) if meta.get("page") else None,
    )
