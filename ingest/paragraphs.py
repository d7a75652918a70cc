"""Parse yearbooks printed without 【title】 entries: heading lines, inline heads, numbered heads, wrapped paragraphs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.layout import CAPTION_QUOTES, TABLE_CAPTION_RE, Heading, Line, chrome_lines, find_heading, is_section_mark, join_wrapped, split_lines, table_cells
from ingest.roster import ROSTER_CAPTION, ROSTER_HEADER, RosterRow, is_roster_header, is_roster_title, roster_rows
from rag.schema import Entry, SourceInfo, Table, TableRow

NESTING_EVIDENCE = 2  # plain chapter lines directly followed by a marked heading this often: marks title entries
TITLE_LINE_RE = re.compile(r"年鉴|史志|地方志|\s编$|[省市县区旗州盟]志|^[\u4e00-\u9fff]{2,8}(省|市|县|区|旗|州|盟)$")
MAX_TITLE_CHARS = 30


@dataclass
class LayoutResult:
    """Entries of a paragraph-layout file, the source spans it read as structure, and chrome spans."""

    entries: list[Entry]
    structure: list[tuple[int, int]] = field(default_factory=list)
    chrome: list[tuple[int, int]] = field(default_factory=list)


class ParagraphParser:
    """Builds entries from logical lines: one entry per paragraph, titled by its nearest heading.

    Level-1 headings open sections; level-2 headings (numbered subheads, inline heads) title
    the paragraphs under them. Text before the first heading is kept: title lines as
    structure, roster lines as a 「领导名单」 table, prose as entries of the chapter.
    """

    def __init__(self, info: SourceInfo) -> None:
        self.info = info
        self.section = info.chapter
        self.subtitle: str | None = None
        self.entries: list[Entry] = []
        self.structure: list[tuple[int, int]] = []
        self.roster: Table | None = None
        self.table: Table | None = None
        self.seen_heading = False
        self.seen_body = False
        self.marks_are_entries = False

    def parse(self, text: str) -> LayoutResult:
        lines = split_lines(text)
        chrome = chrome_lines(lines)
        logical = join_wrapped(lines, chrome)
        rows = [roster_rows(line.text) for line in logical]
        self.marks_are_entries = marks_nest_under_plain_headings(logical)
        for i, line in enumerate(logical):
            in_run = bool(rows[i]) and (i + 1 < len(rows) and bool(rows[i + 1]) or i > 0 and bool(rows[i - 1]))
            caption = i + 1 < len(rows) and bool(rows[i + 1]) and not rows[i]
            self._line(line, rows[i], in_run, caption)
        spans = [(lines[i].start, lines[i].end) for i in sorted(chrome)]
        return LayoutResult(self.entries, self.structure, spans)

    def _line(self, line: Line, rows: list[RosterRow], in_run: bool, caption: bool = False) -> None:
        """Read one logical line; ``rows`` are its roster rows, ``in_run`` whether a neighbour has some too,
        ``caption`` whether roster rows follow it (a heading there names the body the roster lists)."""
        text = line.text
        if self.table is not None and self._table_row(line):
            return
        self.table = None
        if rows and (in_run or self.roster is not None or len(rows) > 1 or rows[0].personal()
                     or is_roster_title(self.subtitle or self.section)
                     or (not self.seen_body and not rows[0].notes)):
            self._roster_rows(line, rows)
            return
        if is_roster_header(text):
            self.structure.append((line.start, line.end))
            return
        self.roster = None
        if not self.seen_heading and not self.seen_body and len(text) <= MAX_TITLE_CHARS and TITLE_LINE_RE.search(text):
            self.structure.append((line.start, line.end))
            return
        if TABLE_CAPTION_RE.match(text):
            self._open_table(line)
            return
        heading = self._heading(text, caption)
        if heading is not None and heading.rest_at < 0:
            self.seen_heading = True
            self.structure.append((line.start, line.end))
            if heading.level == 1:
                self.section, self.subtitle = heading.title, None
            else:
                self.subtitle = heading.title
            return
        self.seen_body = True
        if heading is not None:
            body, segments = line.slice(heading.rest_at)
            self.structure.append((line.start, line.start + heading.rest_at))
            self._entry(heading.title, body, segments, line)
        else:
            self._entry(self.subtitle or self.section, text, line.segments, line)

    def _heading(self, text: str, caption: bool) -> Heading | None:
        """The line's heading, its level set by the file: marked heads under plain chapter lines title
        entries, and a heading line over roster rows in a roster section names the body listed."""
        heading = find_heading(text)
        if heading is None or heading.level != 1:
            return heading
        if self.marks_are_entries and is_section_mark(text):
            return Heading(2, heading.title)
        if caption and is_roster_title(self.section) and not is_roster_title(heading.title):
            return Heading(2, heading.title)
        return heading

    def _entry(self, title: str, body: str, segments: list[tuple[int, int, int]], line: Line) -> Entry:
        entry = Entry(
            id="", info=self.info, section=self.section, title=title, body=body,
            start=line.start, end=line.end, segments=list(segments),
        )
        self.entries.append(entry)
        return entry

    def _roster_rows(self, line: Line, rows: list[RosterRow]) -> None:
        if self.roster is None:
            title = self.subtitle or ROSTER_CAPTION  # 「县领导名单」, or the body a roster section lists
            entry = self._entry(title, "", [], line)
            self.roster = Table(caption=title, header=ROSTER_HEADER, start=line.start)
            entry.tables.append(self.roster)
        for row in rows:
            self.roster.rows.append(TableRow(row.cells(), line.source_at(row.start), line.source_at(row.end - 1) + 1))
        self.entries[-1].end = max(self.entries[-1].end, line.end)

    def _open_table(self, line: Line) -> None:
        entry = self._entry(self.subtitle or self.section, "", [], line)
        self.table = Table(caption=line.text.strip(CAPTION_QUOTES), header=(), start=line.start)
        entry.tables.append(self.table)
        self.structure.append((line.start, line.end))

    def _table_row(self, line: Line) -> bool:
        table = self.table
        assert table is not None
        cells = table_cells(line.text)
        if cells is None:
            return False
        if not table.header:
            table.header = cells
            self.structure.append((line.start, line.end))
        else:
            table.rows.append(TableRow(cells, line.start, line.end))
        self.entries[-1].end = max(self.entries[-1].end, line.end)
        return True


def marks_nest_under_plain_headings(lines: list[Line]) -> bool:
    """Whether marked heads (「■位置面积」) sit under plain chapter lines (「概况」) in this file.

    Read alone, both open sections. When plain heading lines are directly followed by a marked
    one again and again, the plain lines are the chapters and the marks title their entries.
    """
    kinds = [("mark" if is_section_mark(line.text) else "plain") for line in lines
             if (h := find_heading(line.text)) is not None and h.level == 1 and h.rest_at < 0]
    return sum(1 for a, b in zip(kinds, kinds[1:]) if a == "plain" and b == "mark") >= NESTING_EVIDENCE
