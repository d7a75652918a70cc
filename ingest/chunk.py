"""Entry-aware chunking: sentence-bounded pieces under a token budget, table rows with context."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable

from rag.schema import Chunk, Entry, Table
from rag.tokens import count_tokens

SENTENCE_RE = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+[”’」』）)]*|\n|$)")


def heading_path(entry: Entry, title: str | None = None) -> str:
    """The heading path that prefixes embedded text: 「2020年 · 组织工作 › 概况」."""
    return f"{entry.info.year}年 · {entry.section} › {title or entry.title}"


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Char spans of the sentences of ``text``; together they cover it without gaps."""
    spans: list[tuple[int, int]] = []
    for match in SENTENCE_RE.finditer(text):
        if match.end() > match.start():
            spans.append((match.start(), match.end()))
    return spans


PageOf = Callable[[int], "int | None"]


def chunk_entry(entry: Entry, budget: int, page_of: PageOf | None = None) -> list[Chunk]:
    """Chunks of one entry: its body split at sentences, then one chunk per table row.

    Args:
        entry: a parsed entry.
        budget: the most tokens a chunk's embedded text (heading path included) may have.
        page_of: maps a source offset to its page (PDF, scans); chunks then carry ``page``.
    """
    chunks: list[Chunk] = []
    prefix = heading_path(entry)
    for start, end in _pack(entry.body, _room(budget, prefix, entry)):
        text = entry.body[start:end]
        page = page_of(entry.source_offset(start)) if page_of and entry.segments else None
        chunks.append(
            _make_chunk(entry, len(chunks), text, f"{prefix}\n{text.strip()}", entry.kind, start, end, page=page)
        )
    for table in entry.tables:
        context = "\n".join([table.caption, table.header_text()])
        path = heading_path(entry, table.caption)
        room = _room(budget, f"{path}\n{context}", entry)
        for row_index, row in enumerate(table.rows):
            row_text = row.text()
            for start, end in _cut_long(row_text, 0, len(row_text), room):
                text = f"{context}\n{row_text[start:end]}"
                chunks.append(
                    _make_chunk(
                        entry, len(chunks), text, f"{path}\n{text}", "table", -1, -1,
                        table=table, row_index=row_index, page=page_of(row.start) if page_of else None,
                    )
                )
    return chunks


MIN_ROOM = 16


def _room(budget: int, prefix: str, entry: Entry) -> int:
    """Tokens left for text once ``prefix`` is counted; refuses budgets that leave too few."""
    room = budget - count_tokens(prefix + "\n")
    if room < MIN_ROOM:
        raise ValueError(
            f"a chunk budget of {budget} tokens leaves no room for text after the headings of "
            f"{entry.section} › {entry.title}; raise YEARBOOK_CHUNK_TOKENS"
        )
    return room


def chunk_entries(entries: Iterable[Entry], budget: int, page_of: PageOf | None = None) -> list[Chunk]:
    """Chunks of many entries, in document order (with pages when ``page_of`` is given)."""
    return [chunk for entry in entries for chunk in chunk_entry(entry, budget, page_of)]


def _pack(body: str, budget: int) -> list[tuple[int, int]]:
    """Greedily pack consecutive sentences into spans of at most ``budget`` tokens.

    The spans are contiguous and cover the whole body, so an entry's text is the
    concatenation of its chunks; a single sentence over the budget is cut by characters.
    """
    if not body.strip():
        return []
    pieces: list[tuple[int, int]] = []
    for start, end in split_sentences(body):
        pieces.extend(_cut_long(body, start, end, budget))
    spans: list[tuple[int, int]] = []
    start = end = pieces[0][0]
    for piece_start, piece_end in pieces:
        if end > start and count_tokens(body[start:piece_end]) > budget:
            spans.append((start, end))
            start = piece_start
        end = piece_end
    spans.append((start, end))
    return spans


def _cut_long(body: str, start: int, end: int, budget: int) -> list[tuple[int, int]]:
    """Split ``body[start:end]`` into spans of at most ``budget`` tokens (at least one char)."""
    if count_tokens(body[start:end]) <= budget:
        return [(start, end)]
    cuts: list[tuple[int, int]] = []
    while start < end:
        stop = min(end, start + budget)
        while stop > start + 1 and count_tokens(body[start:stop]) > budget:
            stop -= max(1, (stop - start) // 8)
        cuts.append((start, stop))
        start = stop
    return cuts


def _make_chunk(
    entry: Entry,
    index: int,
    text: str,
    embed_text: str,
    kind: str,
    span_start: int,
    span_end: int,
    table: Table | None = None,
    row_index: int = -1,
    page: int | None = None,
) -> Chunk:
    metadata: dict[str, str | int] = {
        "source": entry.info.source,
        "yearbook": entry.info.yearbook,
        "year": entry.info.year,
        "chapter": entry.info.chapter,
        "place": entry.info.place,
        "section": entry.section,
        "entry": entry.title,
        "entry_id": entry.id,
        "kind": kind,
        "table": table.caption if table else "",
        "table_header": table.header_text() if table else "",
        "row_index": row_index,
        "credits": "、".join(entry.credits),
        "chunk_index": index,
        "span_start": span_start,
        "span_end": span_end,
        "tokens": count_tokens(embed_text),
    }
    if page:
        metadata["page"] = page
    # The id covers text, position and metadata: any change rewrites the chunk (its vector
    # comes from the cache when only metadata changed).
    raw = "\x1f".join([embed_text, json.dumps(metadata, ensure_ascii=False, sort_keys=True)])
    chunk_id = hashlib.sha1(raw.encode("utf-8")).hexdigest()[:24]
    return Chunk(id=chunk_id, text=text, embed_text=embed_text, metadata=metadata)
