"""Leaders' rosters (领导名单) read as rows of role, name and notes, in the layouts yearbooks print them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rag.schema import ROLE_WORDS

ROSTER_CAPTION = "领导名单"
ROSTER_HEADER = ("职务", "姓名", "简况")
ROSTER_TITLE_RE = re.compile(r"领导|名单|名录|班子|负责人|领导成员")
_CJK = r"\u4e00-\u9fff"
_ROLE_WORD = "|".join(r"\s?".join(word) for word in sorted(ROLE_WORDS, key=len, reverse=True))
_NAME = rf"(?:[{_CJK}][ \u3000]{{1,2}}[{_CJK}](?![{_CJK}])|[{_CJK}·]{{2,4}}(?![{_CJK}]))"
_PAIR = re.compile(
    rf"(?P<role>[{_CJK}、（）()]{{0,30}}?(?:{_ROLE_WORD}))(?:[（(][^）)]{{1,8}}[）)])?"
    rf"[\s:：〓\u3000]+(?P<name>{_NAME})"
)
_PERSONAL_NOTES = re.compile(r"^[(（]?\s*(?:男|女)|\d{4}(?:年|\.)\d{1,2}月?生|生于|任职|任命|当选|调离|兼任|[(（]\d{4}年\d{1,2}月")
_NOT_A_ROLE = re.compile(r"共有|全|各|等")
_LISTED_NAME = re.compile(rf"(?P<name>{_NAME})(?P<note>[(（][^)）]{{1,8}}[)）])?")
_NAME_STOPWORDS = frozenset({"兼任", "分管", "主持", "负责", "协助", "人民", "委员", "同志", "任职"})


@dataclass(frozen=True)
class RosterRow:
    """One person in a roster: role, name as printed, notes, and where the row sits in its line."""

    role: str
    name: str
    notes: str
    start: int
    end: int

    def personal(self) -> bool:
        """The notes read as a person's particulars: sex, birth, appointment (「1953年4月生」「(女)」「任职」)."""
        return bool(_PERSONAL_NOTES.search(self.notes))

    def cells(self) -> tuple[str, str, str]:
        """The row as table cells: role, name (inner spaces removed), notes."""
        return (re.sub(r"\s+", "", self.role), re.sub(r"\s+", "", self.name), self.notes)


def roster_rows(line: str) -> list[RosterRow]:
    """The roster rows a line holds, or [] when it is not a roster line (see :func:`_roster_rows`)."""
    return list(_roster_rows(line))


@lru_cache(maxsize=8192)
def _roster_rows(line: str) -> tuple[RosterRow, ...]:
    """The roster rows of a line, computed once per line: the parsers ask again for the line after.

    A roster line starts with a role, a separator and a name: 「市委书记:于晓东 1953年4月生…」,
    「县长 李炳众」, 「书 记〓曹景群」, 「县委常委、组织部部长 王 瑞」; several pairs may share a
    line (「县委书记 张三 县长 李四」). Text after a name up to the next pair is its notes.
    """
    matches = []
    position = 0
    while match := _PAIR.search(line, position):
        if not matches and match.start() != 0:
            return ()
        if matches and line[position : match.start()].strip() and not _pair_follows_gap(line, position, match):
            break
        if match.group("name").replace(" ", "") in _NAME_STOPWORDS or _NOT_A_ROLE.search(match.group("role")):
            break
        matches.append(match)
        position = match.end()
    if not matches:
        return ()
    rows: list[RosterRow] = []
    for index, match in enumerate(matches):
        stop = matches[index + 1].start() if index + 1 < len(matches) else len(line)
        role = match.group("role").strip()
        notes = line[match.end() : stop].strip().strip(",，;；").strip()
        more = _more_names(line, match.end(), stop)
        if more:  # 「副书记〓李炳众　王 瑞　刘长海」: one role, several people
            first_note = line[match.end() : more[0][0]].strip()
            rows.append(RosterRow(role, match.group("name").strip(), first_note, match.start(), more[0][0]))
            rows.extend(RosterRow(role, name, note, start, end) for start, end, name, note in more)
        else:
            rows.append(RosterRow(role, match.group("name").strip(), notes, match.start(), stop))
    if len(rows) == 1 and not _plausible_single(rows[0], line):
        return ()
    return tuple(rows)


def _more_names(line: str, start: int, stop: int) -> list[tuple[int, int, str, str]]:
    """Further names after a role's first name, when the rest is only names (and bracketed notes).

    Names are separated by full-width spaces, two spaces or 、; each may carry a bracketed note
    such as (女) or (鄂伦春族). Returns (start, end, name, note) per name, or [] otherwise.
    """
    own_note = re.match(r"[(（][^)）]{1,8}[)）]", line[start:stop])
    if own_note:  # 「马玉琴(女)　张 勇」: the first name's own note comes first
        start += own_note.end()
    found: list[tuple[int, int, str, str]] = []
    for piece in re.finditer(r"[^\u3000、,，]+", line[start:stop]):
        text = piece.group().strip()
        if not text:
            continue
        match = _LISTED_NAME.fullmatch(text)
        if match is None:
            return []
        at = start + piece.start() + (len(piece.group()) - len(piece.group().lstrip()))
        found.append((at, at + len(text), match.group("name"), match.group("note") or ""))
    if found and not re.match(r"[\u3000、,，]|\s{2}", line[start:found[0][0]] or " "):
        return []  # the first name must be set off from the one before it
    return found


def _pair_follows_gap(line: str, position: int, match: re.Match[str]) -> bool:
    """A second pair on a line counts only after a clear gap (spaces or a tab)."""
    return bool(re.search(r"[\s\u3000]{2,}|\t", line[position : match.start() + 1]))


def _plausible_single(row: RosterRow, line: str) -> bool:
    """A lone pair is a roster row when nothing follows the name, or personal notes do."""
    return not row.notes or row.personal()


def is_roster_header(line: str) -> bool:
    """A roster's column header: 「职务　姓名」, 「职务\t姓名\t\t职务\t姓名」."""
    cells = [cell for cell in re.split(r"[\s\u3000]+", line) if cell]
    return bool(cells) and set(cells) <= set(ROSTER_HEADER) | {"职别", "名字", "备注", "任职时间"}


def is_roster_title(title: str) -> bool:
    """A heading that announces a roster: 「领导名单」, 「县领导名单」, 「市级领导班子」."""
    return bool(ROSTER_TITLE_RE.search(title))
