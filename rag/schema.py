"""Records shared by ingest and retrieval: tables, entries and chunks of a yearbook, and the roles a roster lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

EntryKind = Literal["text", "caption"]
ChunkKind = Literal["text", "table", "caption"]
# the words a leader's role ends in: roster rows are parsed by them, and a question whose subject is one asks for a person
ROLE_WORDS: tuple[str, ...] = (
    "书记", "市长", "县长", "区长", "旗长", "州长", "镇长", "乡长", "盟长", "主任", "主席",
    "部长", "局长", "秘书长", "院长", "检察长", "庭长", "政委", "司令员", "常委", "委员",
    "厅长", "处长", "科长", "校长", "社长", "组长", "队长", "所长", "行长", "会长", "理事长",
    "董事长", "总经理", "巡视员", "调研员", "督学", "审计长", "馆长", "站长", "主编",
)


@dataclass(frozen=True)
class SourceInfo:
    """Where a yearbook file comes from: its title, the year it covers, its chapter and its place."""

    source: str
    yearbook: str
    year: int
    chapter: str
    place: str = ""


@dataclass(frozen=True)
class TableRow:
    """One table row: its cells and the char span of its line in the source file."""

    cells: tuple[str, ...]
    start: int
    end: int

    def text(self) -> str:
        """The row as one line, cells joined by ' | '."""
        return " | ".join(self.cells)


@dataclass
class Table:
    """A table with its caption (表5 …), header and rows, across 续表 continuations."""

    caption: str
    header: tuple[str, ...]
    rows: list[TableRow] = field(default_factory=list)
    start: int = 0

    def header_text(self) -> str:
        """The header as one line, cells joined by ' | '."""
        return " | ".join(self.header)


@dataclass
class Entry:
    """One 条目 of a yearbook: a 【title】 and its body, or a photo caption.

    ``body`` is the cleaned text (page breaks joined, credits removed); ``segments`` maps it
    back to the source: each ``(body_start, source_start, length)`` is a run copied verbatim.
    """

    id: str
    info: SourceInfo
    section: str
    title: str
    body: str
    kind: EntryKind = "text"
    credits: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    start: int = 0
    end: int = 0
    segments: list[tuple[int, int, int]] = field(default_factory=list)

    def source_offset(self, body_offset: int) -> int:
        """Map a char offset in ``body`` to the offset of the same char in the source file."""
        for body_start, source_start, length in self.segments:
            if body_start <= body_offset < body_start + length:
                return source_start + body_offset - body_start
        if self.segments and body_offset >= len(self.body):
            body_start, source_start, length = self.segments[-1]
            return source_start + length
        raise ValueError(f"offset {body_offset} is not inside entry {self.title!r}")


@dataclass(frozen=True)
class Chunk:
    """A piece of one entry as stored in Chroma.

    ``text`` is the original text shown to people; ``embed_text`` carries the heading path
    (year · section › entry) and is what gets embedded and lexically indexed.
    """

    id: str
    text: str
    embed_text: str
    metadata: dict[str, str | int]
