"""Rebuild a whole entry (text, tables, credits) from its chunks in Chroma, for showing sources."""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.errors import EmptyIndexError
from rag.store.chroma import Store


@dataclass
class TableView:
    """A table of an entry: caption, header cells and rows of cells."""

    caption: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class EntryView:
    """An entry as a reader sees it: where it is, who wrote it, its text and tables."""

    entry_id: str
    yearbook: str
    year: int
    section: str
    title: str
    credits: str
    kind: str
    text: str
    tables: list[TableView] = field(default_factory=list)
    place: str = ""

    @property
    def path(self) -> str:
        """「黑河市 · 1999 · 概况 › 人口」 (the place left out when unknown)."""
        head = f"{self.place} · " if self.place else ""
        return f"{head}{self.year} · {self.section} › {self.title}"


def load_entry(store: Store, chunk_id: str) -> EntryView:
    """The entry that a chunk belongs to, reassembled from all of its chunks.

    Raises:
        EmptyIndexError: the chunk is no longer in the store (re-ingested meanwhile).
    """
    found = store.collection.get(ids=[chunk_id], include=["metadatas"])
    if not found["ids"]:
        raise EmptyIndexError("this source is no longer in the store; ask the question again")
    entry_id = str((found["metadatas"] or [{}])[0].get("entry_id", ""))
    chunks = store.collection.get(where={"entry_id": entry_id}, include=["documents", "metadatas"])
    parts = sorted(
        zip(chunks["documents"] or [], chunks["metadatas"] or []), key=lambda item: int(item[1].get("chunk_index", 0))
    )
    meta = parts[0][1]
    text = "".join(doc for doc, m in parts if m.get("kind") != "table")
    tables: dict[str, TableView] = {}
    last_row: dict[str, int] = {}
    for doc, m in parts:
        if m.get("kind") != "table":
            continue
        caption = str(m.get("table", ""))
        table = tables.setdefault(caption, TableView(caption, str(m.get("table_header", "")).split(" | ")))
        row_text = doc.split("\n", 2)[-1]
        row_index = int(m.get("row_index", -1))
        if last_row.get(caption) == row_index and table.rows:  # a long row cut into pieces
            joined = " | ".join(table.rows[-1]) + row_text
            table.rows[-1] = joined.split(" | ")
        else:
            table.rows.append(row_text.split(" | "))
        last_row[caption] = row_index
    return EntryView(
        entry_id=entry_id,
        yearbook=str(meta.get("yearbook", "")),
        year=int(meta.get("year", 0)),
        section=str(meta.get("section", "")),
        title=str(meta.get("entry", "")),
        credits=str(meta.get("credits", "")),
        kind=str(meta.get("kind", "text")),
        text=text,
        tables=list(tables.values()),
        place=str(meta.get("place", "")),
    )
