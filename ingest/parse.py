"""Parse yearbook text into entries: sections, 【title】 entries, credits, photo captions, tables."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from rag.schema import Entry, SourceInfo, Table, TableRow

OVERVIEW_TITLE = "概况"
ENTRY_RE = re.compile(r"^【([^】]+)】\s*(.*)$")
TABLE_CAPTION_RE = re.compile(r"^表\s*\d+\s+\S")
CONTINUED_TABLE = "续表"
_NAME = r"[\u4e00-\u9fff·](?: ?[\u4e00-\u9fff·]){1,3}"
_NAMES = rf"{_NAME}(?:\s+{_NAME})*"
CREDIT_LINE_RE = re.compile(r"^[(（]\s*([^()（）]{1,40}?)\s*[)）]$")
CREDIT_NAMES_RE = re.compile(rf"^{_NAMES}$")
TRAILING_CREDIT_RE = re.compile(rf"(?<=[。！？”])\s*[(（]({_NAMES})[)）]\s*$")
PHOTO_CREDIT_SUFFIX = "供稿"
SENTENCE_END = "。！？；：”’」』）)…!?;"
_HEADING_FORBIDDEN = re.compile(r"[。，,；;：:、！？!?\t【】()（）]")
MAX_HEADING_CHARS = 20


@dataclass
class ParseResult:
    """Entries of one file, its sections in order, and warnings for the person ingesting."""

    entries: list[Entry]
    sections: list[str]
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Line:
    text: str  # stripped content
    start: int  # source offset of the stripped content
    end: int


@dataclass
class _Credit:
    owner: int  # index of the entry the credit closes
    name: str


def parse_yearbook(text: str, info: SourceInfo) -> ParseResult:
    """Parse the text of one yearbook file.

    Args:
        text: the decoded file content (offsets in the result point into it).
        info: source name, yearbook title, year covered and chapter.

    Returns:
        Entries in document order, each in its true section, with credits, tables and
        a body that has page breaks joined and credits removed.
    """
    lines = _split_lines(text)
    first_entry = next((i for i, ln in enumerate(lines) if ENTRY_RE.match(ln.text)), None)
    if first_entry is None:
        return _parse_paragraphs(lines, info)
    headings, first_section = _read_table_of_contents(lines[:first_entry], info.chapter)
    parser = _EntryParser(info, headings, first_section)
    parser.feed(lines[first_entry:])
    entries = parser.finish()
    _fix_misplaced_headings(entries)
    _assign_credits(entries, parser.credits)
    _assign_ids(entries)
    sections = list(dict.fromkeys(e.section for e in entries))
    return ParseResult(entries=entries, sections=sections, warnings=parser.warnings)


def _split_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    offset = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        lines.append(_Line(stripped, offset + lead, offset + lead + len(stripped)))
        offset += len(raw) + 1
    return lines


def _is_heading_like(line: str) -> bool:
    return (
        0 < len(line) <= MAX_HEADING_CHARS
        and not _HEADING_FORBIDDEN.search(line)
        and not TABLE_CAPTION_RE.match(line)
        and line != CONTINUED_TABLE
    )


def _read_table_of_contents(preamble: list[_Line], chapter: str) -> tuple[set[str], str]:
    """Section names listed before the first entry; the last one opens the first section."""
    names = [ln.text for ln in preamble if _is_heading_like(ln.text)]
    first_section = names[-1] if names else chapter
    return set(names), first_section


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

    def feed(self, lines: list[_Line]) -> None:
        nonblank = [ln for ln in lines if ln.text]
        for i, line in enumerate(nonblank):
            following = nonblank[i + 1].text if i + 1 < len(nonblank) else ""
            self._line(line, following)

    def finish(self) -> list[Entry]:
        return self.entries

    def _line(self, line: _Line, following: str) -> None:
        text = line.text
        if self.table is not None and self._table_line(line):
            return
        self.table = None
        if text in self.headings:
            self.section = text
            self.current = None
        elif match := ENTRY_RE.match(text):
            self._open_entry(match.group(1).strip(), line)
            body = match.group(2)
            if body:
                self._add_text(body, line.start + match.start(2), line.end)
        elif match := CREDIT_LINE_RE.match(text):
            self._credit(match.group(1), line, text)
        elif _is_photo_credit(following):
            self._caption(line, following)
        elif TABLE_CAPTION_RE.match(text):
            self._open_table(text, line)
        elif self.current is None:
            self.warnings.append(f"text outside any entry was skipped: {text[:30]}…")
        else:
            self._add_text(text, line.start, line.end)

    def _open_entry(self, title: str, line: _Line, kind: str = "text") -> Entry:
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
            text = text[: credit.start()]
        if entry.body and entry.body[-1] in SENTENCE_END:
            entry.body += "\n"
        entry.segments.append((len(entry.body), start, len(text)))
        entry.body += text
        entry.end = max(entry.end, end)

    def _credit(self, content: str, line: _Line, raw: str) -> None:
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

    def _caption(self, line: _Line, credit_line: str) -> None:
        current = self.current
        caption = self._open_entry(line.text, line, kind="caption")
        caption.body = line.text
        caption.segments.append((0, line.start, len(line.text)))
        match = CREDIT_LINE_RE.match(credit_line)
        if match:
            caption.credits.append(_clean_credit(match.group(1)))
        self.current = current

    def _open_table(self, caption: str, line: _Line) -> None:
        if self.current is None:
            self.warnings.append(f"table outside any entry was skipped: {caption}")
            return
        self.table = Table(caption=caption, header=(), start=line.start)
        self.table_continued = False
        self.current.tables.append(self.table)
        self.current.end = max(self.current.end, line.end)

    def _table_line(self, line: _Line) -> bool:
        """Consume a line that belongs to the open table; False when the table has ended."""
        table = self.table
        assert table is not None and self.current is not None
        if line.text == CONTINUED_TABLE:
            self.table_continued = True
            return True
        if "\t" not in line.text:
            return False
        cells = tuple(cell.strip() for cell in line.text.split("\t"))
        if not table.header:
            table.header = cells
        elif self.table_continued and cells == table.header:
            self.table_continued = False
        else:
            table.rows.append(TableRow(cells, line.start, line.end))
        self.current.end = max(self.current.end, line.end)
        return True


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


def _parse_paragraphs(lines: list[_Line], info: SourceInfo) -> ParseResult:
    """Fallback for text without 【】 headings: short heading lines open sections, each paragraph is an entry.

    A paragraph's entry is titled by the heading above it (the chapter before any heading).
    """
    entries: list[Entry] = []
    section = info.chapter
    for line in lines:
        if not line.text:
            continue
        if _is_heading_like(line.text):
            section = line.text
            continue
        entry = Entry(
            id="",
            info=info,
            section=section,
            title=section,
            body=line.text,
            start=line.start,
            end=line.end,
            segments=[(0, line.start, len(line.text))],
        )
        entries.append(entry)
    _assign_ids(entries)
    warning = (
        f"{info.source}: no 【title】 headings found; ingested {len(entries)} paragraphs as entries"
    )
    sections = list(dict.fromkeys(e.section for e in entries))
    return ParseResult(entries=entries, sections=sections, warnings=[warning])
