"""The physical layout of a yearbook text: lines, page chrome, hard-wrapped paragraphs and heading kinds."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from ingest.roster import roster_rows

SENTENCE_END = "。！？；：”’」』）)…!?;"
MAX_HEADING_CHARS = 20
SHORT_LAST_LINE = 0.75  # of the typical line width: a paragraph's last line stops short
WRAPPED_SHARE = 0.3  # a file whose long lines stop mid-sentence this often is hard-wrapped
_HEADING_FORBIDDEN = re.compile(r"[。，,；;：:、！？!?\t【】()（）]")
TABLE_CAPTION_RE = re.compile(r"^[「“]?表\s*\d+\s+\S")  # 「表1 2019年主要经济指标」, quoted or not
CAPTION_QUOTES = "「」“”"
CONTINUED_TABLE = "续表"
CHROME_RES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^(您的)?当前位置\s*[:：]",
        r"^(original\s+)?url\s*[:：]",
        r"^https?://\S+$",
        r"^(返回目录|返回顶部|返回首页|返回|打印本页|关闭窗口|打印|关闭)$",
        r"^(上一篇|下一篇|上一页|下一页)",
        r"^第\s*\d+\s*页(\s*[/，,]?\s*共\s*\d+\s*页)?$",
        r"^[-—–·\s]*\d{1,4}[-—–·\s]*$",
        r"^(发布时间|发布日期|浏览次数|点击次数|字号)\s*[:：]",
    )
)
# A line repeated in the file and naming the publisher or the book is a running head or footer.
_RUNNING_LINE = re.compile(r"年鉴|史志|地方志|办公室|编印|编纂|版权")
_MARKS = "·•◆■●◇□◎"
_SECTION_MARK = re.compile(rf"^[{_MARKS}]\s*([^{_MARKS}]{{1,16}}?)\s*[{_MARKS}]?$")
_SINGLE_MARKER = re.compile(r"^【([^】]{1,16})】$")
_INLINE_ENTRY = re.compile(r"^【([^】]{1,16})】\s*(\S.*)$")
_NUMBERED_TOP = re.compile(r"^([一二三四五六七八九十]{1,3})\s*[、.．]\s*(\S.{0,18})$")
_NUMBERED_SUB = re.compile(r"^[（(]([一二三四五六七八九十]{1,3})[)）]\s*(\S.{0,18})$")
_NUMBERED_ITEM = re.compile(r"^(\d{1,2})\s*[.．、]\s*(\D.{0,18})$")
_INLINE_HEAD = re.compile(
    r"^(?P<head>[^\s\d，,。；;：:、〓（）()【】]{2,10})(?P<sep>〓+|\u3000+| +|[:：])(?P<rest>\S.{7,})$"
)
_NOT_A_HEAD = frozenset({"其中", "另外", "此外", "同时", "主要", "全年", "全县", "全市", "全区", "目前", "截至", "据统计", "注"})


@dataclass
class Line:
    """One logical line: its text and the source runs it was copied from.

    ``segments`` holds ``(offset_in_text, source_start, length)`` runs; a hard-wrapped
    paragraph joined from several physical lines has one run per physical line.
    """

    text: str
    start: int
    end: int
    segments: list[tuple[int, int, int]] = field(default_factory=list)
    indented: bool = False

    def __post_init__(self) -> None:
        if not self.segments and self.text:
            self.segments = [(0, self.start, len(self.text))]

    def source_at(self, offset: int) -> int:
        """The source offset of the character at ``offset`` in the (joined) text."""
        for start, source, length in self.segments:
            if start <= offset < start + length:
                return source + offset - start
        start, source, length = self.segments[-1]
        return source + length

    def slice(self, begin: int) -> tuple[str, list[tuple[int, int, int]]]:
        """The text from ``begin`` on, with its runs re-based to start at 0."""
        runs: list[tuple[int, int, int]] = []
        for offset, source, length in self.segments:
            if offset + length <= begin:
                continue
            skip = max(0, begin - offset)
            runs.append((offset + skip - begin, source + skip, length - skip))
        return self.text[begin:], runs


@dataclass(frozen=True)
class Heading:
    """A heading found on a line: level 1 opens a section, level 2 an entry.

    ``rest`` is the text after an inline head (「人口〓全市总人口…」), empty for a heading line.
    """

    level: int
    title: str
    rest_at: int = -1


def split_lines(text: str) -> list[Line]:
    """Physical lines, stripped, with their source offsets (blank lines kept as empty)."""
    lines: list[Line] = []
    offset = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        indented = raw.startswith(("\u3000", "  ", "\t")) and bool(stripped)
        lines.append(Line(stripped, offset + lead, offset + lead + len(stripped), indented=indented))
        offset += len(raw) + 1
    return lines


def is_heading_like(line: str) -> bool:
    """A short line without sentence punctuation: a section or entry heading candidate."""
    return (
        0 < len(line) <= MAX_HEADING_CHARS
        and not _HEADING_FORBIDDEN.search(line)
        and not TABLE_CAPTION_RE.match(line)
        and line != CONTINUED_TABLE
    )


def chrome_lines(lines: list[Line]) -> set[int]:
    """Indices of page chrome: site navigation, URLs, page numbers, running heads and footers."""
    found = {i for i, line in enumerate(lines) if line.text and any(p.search(line.text) for p in CHROME_RES)}
    counts = Counter(line.text for line in lines if line.text)
    for i, line in enumerate(lines):
        if counts[line.text] >= 2 and len(line.text) <= 30 and _RUNNING_LINE.search(line.text):
            found.add(i)
    return found


def display_width(text: str) -> int:
    """Columns the text takes in a fixed-width layout (CJK and full-width forms take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def is_hard_wrapped(lines: list[Line]) -> bool:
    """Whether the layout cut paragraphs into lines: many long lines stop mid-sentence.

    In a file with one paragraph per line nearly every long line ends a sentence; in a
    hard-wrapped file most do not. Roster lines are left out (they never end a sentence).
    """
    long = [line.text for line in lines if len(line.text) >= 16 and not _keeps_own_line(line.text)]
    if len(long) < 4:
        return False
    open_ended = sum(1 for text in long if text[-1] not in SENTENCE_END)
    return open_ended >= WRAPPED_SHARE * len(long)


def join_wrapped(lines: list[Line], skip: set[int]) -> list[Line]:
    """Logical lines: physical lines joined where the layout wrapped a paragraph.

    In a hard-wrapped file a line continues on the next one unless that one is blank,
    indented, chrome, a roster row, or a heading after a finished sentence or a heading.
    Otherwise every physical line is its own paragraph. Chrome lines are left out.
    """
    kept = [line for i, line in enumerate(lines) if i not in skip and line.text]
    wrapped = is_hard_wrapped(kept)
    widths = sorted(display_width(ln.text) for ln in kept if len(ln.text) >= 16 and not _keeps_own_line(ln.text))
    typical = widths[len(widths) // 2] if widths else 0  # about the wrap width in a wrapped file
    logical: list[Line] = []
    joinable = False
    last_physical = ""
    for i, line in enumerate(lines):
        if i in skip:
            continue  # page chrome inside a paragraph does not end it
        if not line.text:
            joinable = False
            continue
        previous = logical[-1] if logical else None
        if wrapped and joinable and previous is not None and _continues(last_physical, previous.text, line, typical):
            offset = len(previous.text)
            previous.segments.append((offset, line.start, len(line.text)))
            previous.text += line.text
            previous.end = line.end
        else:
            logical.append(Line(line.text, line.start, line.end, indented=line.indented))
        joinable = True
        last_physical = line.text
    return logical


_CELL_GAP = re.compile(r"\t+|[ \u3000]{2,}")


def table_cells(text: str) -> tuple[str, ...] | None:
    """The cells of a table row, split at tabs or at runs of two or more spaces (as text copied from
    a PDF lays out columns); None for a line with fewer than two cells."""
    cells = tuple(cell.strip() for cell in _CELL_GAP.split(text.strip()))
    if "\t" in text or (len(cells) >= 2 and all(cells)):
        return cells
    return None


@lru_cache(maxsize=8192)
def _keeps_own_line(text: str) -> bool:
    """Table rows, table captions and roster rows are never part of a wrapped paragraph."""
    return table_cells(text) is not None or bool(TABLE_CAPTION_RE.match(text)) or bool(roster_rows(text))


def _continues(last_physical: str, joined: str, line: Line, typical: int) -> bool:
    """Whether ``line`` carries on the paragraph ``joined`` so far, whose last physical line is ``last_physical``."""
    if line.indented or _keeps_own_line(line.text) or _keeps_own_line(last_physical):
        return False
    if is_marked_heading(line.text) or is_marked_heading(last_physical):
        return False
    if is_heading_like(last_physical) and display_width(last_physical) < typical // 2:
        return False  # the previous line was a heading
    finished = joined[-1] in SENTENCE_END
    if finished and display_width(last_physical) < SHORT_LAST_LINE * typical:
        return False  # a short line that ends a sentence ends its paragraph
    return not (finished and find_heading(line.text) is not None)


def is_marked_heading(text: str) -> bool:
    """A heading no prose line looks like: 「·农业·」, 「【县情综述】」, 「一、综合」, 「（一）农业」, 「1.粮食生产」."""
    if _SECTION_MARK.match(text) or _SINGLE_MARKER.match(text):
        return True
    patterns = (_NUMBERED_TOP, _NUMBERED_SUB, _NUMBERED_ITEM)
    return any((m := p.match(text)) is not None and is_heading_like(m.group(2)) for p in patterns)


@lru_cache(maxsize=8192)
def find_heading(text: str) -> Heading | None:
    """The heading a logical line is or opens, if any.

    Kinds: 「·农业·」 markers and 「一、综合」 numbers open sections; 「【县情综述】」 alone
    opens a section; 「（一）农业」, 「1.粮食生产」, 「【title】text」 and inline heads before
    〓, a full-width space, a space or a colon (「人口〓全市…」, 「经济概况 全县…」) open entries.
    A short line without sentence punctuation is returned as level 1.
    """
    if match := _SINGLE_MARKER.match(text):
        return Heading(1, match.group(1).strip())
    if match := _INLINE_ENTRY.match(text):
        return Heading(2, match.group(1).strip(), match.start(2))
    if match := _SECTION_MARK.match(text):
        return Heading(1, match.group(1).strip())
    for pattern, level in ((_NUMBERED_TOP, 1), (_NUMBERED_SUB, 2), (_NUMBERED_ITEM, 2)):
        match = pattern.match(text)
        if match and is_heading_like(match.group(2)):
            return Heading(level, match.group(2).strip())
    if is_heading_like(text):
        return Heading(1, text)
    match = _INLINE_HEAD.match(text)
    if match and match.group("head") not in _NOT_A_HEAD and _reads_as_body(match.group("rest")):
        return Heading(2, match.group("head").strip("“”\"'").lstrip(_MARKS), match.start("rest"))
    return None


def is_section_mark(text: str) -> bool:
    """A heading set off by marks: 「·农业·」, 「■位置面积」."""
    return bool(_SECTION_MARK.match(text))


def marked_headings(lines: list[Line]) -> int:
    """How many lines are numbered or marked headings (「一、」「（一）」「1.」「·农业·」), 【】 markers aside."""
    return sum(1 for line in lines if is_marked_heading(line.text) and not _SINGLE_MARKER.match(line.text))


def _reads_as_body(rest: str) -> bool:
    """Text after an inline head reads as prose: it has sentence punctuation or is long."""
    return len(rest) >= 24 or bool(re.search(r"[。，,；;]", rest))
