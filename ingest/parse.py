"""Parse yearbook text into entries: sections, 【title】 entries, rosters, credits, photo captions, tables."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from ingest.layout import (
    CAPTION_QUOTES,
    CONTINUED_TABLE,
    SENTENCE_END,
    TABLE_CAPTION_RE,
    Line,
    chrome_lines,
    is_heading_like,
    marked_headings,
    split_lines,
    table_cells,
)
from ingest.paragraphs import TITLE_LINE_RE, ParagraphParser
from ingest.roster import ROSTER_CAPTION as ROSTER_CAPTION_TITLE
from ingest.roster import ROSTER_HEADER, RosterRow, is_roster_title, roster_rows
from rag.schema import Entry, SourceInfo, Table, TableRow

OVERVIEW_TITLE = "概况"
ENTRY_RE = re.compile(r"^【([^】]+)】\s*(.*)$")
MIN_BRACKET_ENTRIES = 5
_NAME = r"[\u4e00-\u9fff·](?: ?[\u4e00-\u9fff·]){1,3}"
_NAMES = rf"{_NAME}(?:\s+{_NAME})*"
CREDIT_LINE_RE = re.compile(r"^[(（]\s*([^()（）]{1,40}?)\s*[)）]$")
CREDIT_NAMES_RE = re.compile(rf"^{_NAMES}$")
TRAILING_CREDIT_RE = re.compile(rf"(?<=[。！？”])\s*[(（]({_NAMES})[)）]\s*$")
PHOTO_CREDIT_SUFFIX = "供稿"


@dataclass
class ParseResult:
    """Entries of one file, its sections in order, warnings, and how much of the text was kept.

    ``chars_in`` counts the file's non-space characters, ``chars_chrome`` those of page
    chrome (navigation, running heads, page numbers), ``chars_indexed`` those that reach an
    entry body, a table, a heading or a credit.
    """

    entries: list[Entry]
    sections: list[str]
    warnings: list[str] = field(default_factory=list)
    chars_in: int = 0
    chars_chrome: int = 0
    chars_indexed: int = 0

    @property
    def kept_share(self) -> float:
        """Characters indexed over characters in, page chrome aside."""
        content = self.chars_in - self.chars_chrome
        return round(self.chars_indexed / content, 4) if content else 1.0


@dataclass
class _Credit:
    owner: int  # index of the entry the credit closes
    name: str


def parse_yearbook(text: str, info: SourceInfo) -> ParseResult:
    """Parse the text of one yearbook file.

    Files whose entries are mostly 【title】 lines go to the entry parser; all other layouts
    (heading lines, numbered or marked heads, inline heads, hard-wrapped paragraphs) to
    :class:`ingest.paragraphs.ParagraphParser`.

    Args:
        text: the decoded file content (offsets in the result point into it).
        info: source name, yearbook title, year covered and chapter.

    Returns:
        Entries in document order, each in its true section, with credits, tables and
        a body that has page breaks joined and credits removed.
    """
    lines = split_lines(text)
    entry_lines = [i for i, ln in enumerate(lines) if ENTRY_RE.match(ln.text)]
    if len(entry_lines) < MIN_BRACKET_ENTRIES or len(entry_lines) <= marked_headings(lines):
        layout = ParagraphParser(info).parse(text)
        entries, structure, chrome = layout.entries, layout.structure, layout.chrome
        warnings = [] if entries else [f"{info.source}: no entries found in the text"]
    else:
        chrome_at = chrome_lines(lines)
        kept = [ln for i, ln in enumerate(lines) if i not in chrome_at]
        first_entry = next(i for i, ln in enumerate(kept) if ENTRY_RE.match(ln.text))
        parser = _EntryParser(info, set(), info.chapter)
        parser.preamble(kept[:first_entry])
        parser.feed(kept[first_entry:])
        entries = parser.finish()
        _fix_misplaced_headings(entries)
        _assign_credits(entries, parser.credits)
        structure, warnings = parser.structure, parser.warnings
        chrome = [(lines[i].start, lines[i].end) for i in sorted(chrome_at)]
    _assign_ids(entries)
    sections = list(dict.fromkeys(e.section for e in entries))
    result = ParseResult(entries=entries, sections=sections, warnings=warnings)
    _account(result, text, structure, chrome)
    return result


def _account(result: ParseResult, text: str, structure: list[tuple[int, int]], chrome: list[tuple[int, int]]) -> None:
    """Count the characters in, in chrome, and indexed (body runs, tables, headings, credits)."""
    kept = bytearray(len(text))
    spans = list(structure)
    for entry in result.entries:
        spans.extend((source, source + length) for _, source, length in entry.segments)
        for table in entry.tables:
            spans.extend((row.start, row.end) for row in table.rows)
    for start, end in spans:
        kept[start:end] = b"\x01" * (end - start)
    in_chrome = bytearray(len(text))
    for start, end in chrome:
        in_chrome[start:end] = b"\x01" * (end - start)
    for i, ch in enumerate(text):
        if ch.isspace():
            continue
        result.chars_in += 1
        if in_chrome[i]:
            result.chars_chrome += 1
        elif kept[i]:
            result.chars_indexed += 1


class _EntryParser:
    """A line-by-line state machine that builds entries in document order."""

    def __init__(self, info: SourceInfo, headings: set[str], first_section: str) -> None:
        self.info = info
        self.headings = headings
        self.section = first_section
        self.entries: list[Entry] = []
        self.credits: list[_Credit] = []
        self.warnings: list[str] = []
        self.table: Table | None = None
        self.table_continued = False
        self.current: Entry | None = None
        self.roster: Table | None = None
        self.structure: list[tuple[int, int]] = []

    def preamble(self, lines: list[Line]) -> None:
        """Lines before the first 【title】: the table of contents, title lines, a roster, a foreword.

        Heading-like lines name sections (the last one opens the first section); roster lines
        become a 「领导名单」 entry; title lines are structure; prose becomes an entry of the
        chapter, so nothing is dropped.
        """
        names: list[str] = []
        for line in (ln for ln in lines if ln.text):
            rows = roster_rows(line.text)
            if rows:
                if self.roster is None:
                    self.current = None
                    self._open_entry(ROSTER_CAPTION_TITLE, line)
                    self.roster = self._roster_table(line)
                self._add_roster_rows(rows, line)
            elif TITLE_LINE_RE.search(line.text) and len(line.text) <= 30:
                self.structure.append((line.start, line.end))
            elif is_heading_like(line.text):
                names.append(line.text)
                self.structure.append((line.start, line.end))
            else:
                if self.current is None or self.current.tables:
                    self.roster = None
                    self._open_entry(self.info.chapter, line)
                self._add_text(line.text, line.start, line.end)
        self.headings = set(names)
        self.section = names[-1] if names else self.info.chapter
        for entry in self.entries:
            entry.section = self.section
        self.current = None
        self.roster = None

    def feed(self, lines: list[Line]) -> None:
        nonblank = [ln for ln in lines if ln.text]
        for i, line in enumerate(nonblank):
            following = nonblank[i + 1].text if i + 1 < len(nonblank) else ""
            self._line(line, following)

    def finish(self) -> list[Entry]:
        return self.entries

    def _line(self, line: Line, following: str) -> None:
        text = line.text
        if self.table is not None and self._table_line(line):
            return
        self.table = None
        rows = roster_rows(text) if self.current is not None else []
        if rows and not (self.roster is not None or is_roster_title(self.current.title) or roster_rows(following)):
            rows = []
        if rows and self.current is not None:
            if self.roster is None:
                self.roster = self._roster_table(line)
            self._add_roster_rows(rows, line)
            return
        self.roster = None
        if text in self.headings:
            self.section = text
            self.current = None
            self.structure.append((line.start, line.end))
        elif match := ENTRY_RE.match(text):
            self._open_entry(match.group(1).strip(), line)
            self.structure.append((line.start, line.start + match.start(2)))
            body = match.group(2)
            if body:
                self._add_text(body, line.start + match.start(2), line.end)
        elif match := CREDIT_LINE_RE.match(text):
            self.structure.append((line.start, line.end))
            self._credit(match.group(1), line, text)
        elif _is_photo_credit(following):
            self._caption(line, following)
        elif TABLE_CAPTION_RE.match(text):
            self.structure.append((line.start, line.end))
            self._open_table(text, line)
        elif self._bare_heading(line, following):
            self.structure.append((line.start, line.end))
        elif self.current is None:
            self.warnings.append(f"text outside any entry was skipped: {text[:30]}…")
        else:
            self._add_text(text, line.start, line.end)

    def _bare_heading(self, line: Line, following: str) -> bool:
        """A heading line the table of contents did not list, read by what follows it.

        Files without a contents list print chapters as bare lines: one followed by a 【title】
        entry or another heading opens a section (「经济」 / 「【农业】…」); one followed by roster
        rows or prose titles an entry (「中共X区委员会」 / 「区委书记　周立峰」, 「组织工作」 / its text).
        """
        text = line.text
        if not is_heading_like(text) or roster_rows(text) or _ends_sentence(self.current):
            return False
        if ENTRY_RE.match(following) or (is_heading_like(following) and not roster_rows(following)):
            self.section, self.current = text, None
        else:
            self._open_entry(text, line)
        return True

    def _roster_table(self, line: Line) -> Table:
        """A roster table on the current entry (captioned by the entry's title)."""
        assert self.current is not None
        table = Table(caption=self.current.title, header=ROSTER_HEADER, start=line.start)
        self.current.tables.append(table)
        return table

    def _add_roster_rows(self, rows: list[RosterRow], line: Line) -> None:
        assert self.roster is not None and self.current is not None
        for row in rows:
            self.roster.rows.append(TableRow(row.cells(), line.start + row.start, line.start + row.end))
        self.current.end = max(self.current.end, line.end)

    def _open_entry(self, title: str, line: Line, kind: str = "text") -> Entry:
        entry = Entry(
            id="",
            info=self.info,
            section=self.section,
            title=title,
            body="",
            kind=kind,  # type: ignore[arg-type]
            start=line.start,
            end=line.end,
        )
        self.entries.append(entry)
        if kind == "text":
            self.current = entry
        return entry

    def _add_text(self, text: str, start: int, end: int) -> None:
        entry = self.current
        assert entry is not None
        credit = TRAILING_CREDIT_RE.search(text)
        if credit:
            self.credits.append(_Credit(len(self.entries) - 1, _clean_credit(credit.group(1))))
            self.structure.append((start + credit.start(), end))
            text = text[: credit.start()]
        if entry.body and entry.body[-1] in SENTENCE_END:
            entry.body += "\n"
        entry.segments.append((len(entry.body), start, len(text)))
        entry.body += text
        entry.end = max(entry.end, end)

    def _credit(self, content: str, line: Line, raw: str) -> None:
        if content.endswith(PHOTO_CREDIT_SUFFIX):
            if not (self.entries and self.entries[-1].kind == "caption"):
                self.warnings.append(f"photo credit without a caption: {raw}")
            return
        if not CREDIT_NAMES_RE.match(content):
            if self.current is not None:
                self._add_text(raw, line.start, line.end)
            return
        if self.entries:
            self.credits.append(_Credit(self._last_text_entry(), _clean_credit(content)))

    def _last_text_entry(self) -> int:
        for index in range(len(self.entries) - 1, -1, -1):
            if self.entries[index].kind == "text":
                return index
        return len(self.entries) - 1

    def _caption(self, line: Line, credit_line: str) -> None:
        current = self.current
        caption = self._open_entry(line.text, line, kind="caption")
        caption.body = line.text
        caption.segments.append((0, line.start, len(line.text)))
        match = CREDIT_LINE_RE.match(credit_line)
        if match:
            caption.credits.append(_clean_credit(match.group(1)))
        self.current = current

    def _open_table(self, caption: str, line: Line) -> None:
        if self.current is None:
            self.warnings.append(f"table outside any entry was skipped: {caption}")
            return
        self.table = Table(caption=caption.strip(CAPTION_QUOTES), header=(), start=line.start)
        self.table_continued = False
        self.current.tables.append(self.table)
        self.current.end = max(self.current.end, line.end)

    def _table_line(self, line: Line) -> bool:
        """Consume a line that belongs to the open table; False when the table has ended."""
        table = self.table
        assert table is not None and self.current is not None
        if line.text == CONTINUED_TABLE:
            self.table_continued = True
            self.structure.append((line.start, line.end))
            return True
        cells = table_cells(line.text)
        if cells is None:
            return False
        if not table.header or (self.table_continued and cells == table.header):
            self.structure.append((line.start, line.end))
        if not table.header:
            table.header = cells
        elif self.table_continued and cells == table.header:
            self.table_continued = False
        else:
            table.rows.append(TableRow(cells, line.start, line.end))
        self.current.end = max(self.current.end, line.end)
        return True


def _ends_sentence(entry: Entry | None) -> bool:
    """Whether the open entry's text stops mid-sentence (a short line then continues it, never heads);
    a closing roster line (「党委书记　王某　　镇长　李某」) ends it as a full stop does."""
    if entry is None or not entry.body.strip():
        return False
    last = entry.body.rstrip().rsplit("\n", 1)[-1]
    return last[-1] not in SENTENCE_END and not roster_rows(last)


def _is_photo_credit(line: str) -> bool:
    match = CREDIT_LINE_RE.match(line)
    return bool(match and match.group(1).endswith(PHOTO_CREDIT_SUFFIX))


def _clean_credit(content: str) -> str:
    return re.sub(r"\s+", " ", content.strip())


def _fix_misplaced_headings(entries: list[Entry]) -> None:
    """Move entries printed under the wrong heading back to the section they belong to.

    Layout can print a section heading too early (「台湾事务」 above the last 统战工作
    entries). A section that does not open with 【概况】 but has one further down, after a
    section that already had its own 【概况】, really begins at that 【概况】.
    """
    order = list(dict.fromkeys(e.section for e in entries))
    for previous, section in zip(order, order[1:]):
        members = [e for e in entries if e.section == section and e.kind == "text"]
        if not members or members[0].title == OVERVIEW_TITLE:
            continue
        titles = [e.title for e in members]
        previous_has_overview = any(
            e.section == previous and e.title == OVERVIEW_TITLE for e in entries
        )
        if OVERVIEW_TITLE in titles and previous_has_overview:
            for entry in members[: titles.index(OVERVIEW_TITLE)]:
                entry.section = previous


def _assign_credits(entries: list[Entry], credits: list[_Credit]) -> None:
    """A credit closes its entry and the uncredited entries before it in the same section."""
    for credit in credits:
        owner = entries[credit.owner]
        owner.credits.append(credit.name)
        for index in range(credit.owner - 1, -1, -1):
            entry = entries[index]
            if entry.kind == "caption":
                continue
            if entry.section != owner.section or entry.credits:
                break
            entry.credits.append(credit.name)


def _assign_ids(entries: list[Entry]) -> None:
    """Stable ids from source, section, title and the title's occurrence in that section."""
    seen: dict[tuple[str, str], int] = {}
    for entry in entries:
        key = (entry.section, entry.title)
        seen[key] = seen.get(key, 0) + 1
        raw = "\x1f".join([entry.info.source, entry.section, entry.title, str(seen[key])])
        entry.id = hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]
