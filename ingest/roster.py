"""Leaders' rosters (领导名单) read as rows of role, name and notes, in the layouts yearbooks print them."""

from __future__ import annotations

import re
from dataclasses import dataclass

ROSTER_CAPTION = "领导名单"
ROSTER_HEADER = ("职务", "姓名", "简况")
ROLE_WORDS: tuple[str, ...] = (
    "书记", "市长", "县长", "区长", "旗长", "州长", "镇长", "乡长", "盟长", "主任", "主席",
    "部长", "局长", "秘书长", "院长", "检察长", "庭长", "政委", "司令员", "常委", "委员",
    "厅长", "处长", "科长", "校长", "社长", "组长", "队长", "所长", "行长", "会长", "理事长",
    "董事长", "总经理", "巡视员", "调研员", "督学", "审计长", "馆长", "站长", "主编",
)
ROSTER_TITLE_RE = re.compile(r"领导|名单|名录|班子|负责人|领导成员")
_CJK = r"\u4e00-\u9fff"
_ROLE_WORD = "|".join(r"\s?".join(word) for word in sorted(ROLE_WORDS, key=len, reverse=True))
_NAME = rf"(?:[{_CJK}][ \u3000]{{1,2}}[{_CJK}](?![{_CJK}])|[{_CJK}·]{{2,4}}(?![{_CJK}]))"
_PAIR = re.compile(
    rf"(?P<role>[{_CJK}、（）()]{{0,30}}?(?:{_ROLE_WORD}))(?:[（(][^）)]{{1,8}}[）)])?"
    rf"[\s:：〓\u3000]+(?P<name>{_NAME})"
)
_NAME_STOPWORDS = frozenset({"兼任", "分管", "主持", "负责", "协助", "人民", "委员", "同志", "任职"})


@dataclass(frozen=True)
class RosterRow:
    """One person in a roster: role, name as printed, notes, and where the row sits in its line."""

    role: str
    name: str
    notes: str
    start: int
    end: int

    def cells(self) -> tuple[str, str, str]:
        """The row as table cells: role, name (inner spaces removed), notes."""
        return (re.sub(r"\s+", "", self.role), re.sub(r"\s+", "", self.name), self.notes)


def roster_rows(line: str) -> list[RosterRow]:
    """The roster rows a line holds, or [] when it is not a roster line.

    A roster line starts with a role, a separator and a name: 「市委书记:于晓东 1953年4月生…」,
    「县长 李炳众」, 「书 记〓曹景群」, 「县委常委、组织部部长 王 瑞」; several pairs may share a
    line (「县委书记 张三 县长 李四」). Text after a name up to the next pair is its notes.
    """
    matches = []
    position = 0
    while match := _PAIR.search(line, position):
        if not matches and match.start() != 0:
            return []
        if matches and line[position : match.start()].strip() and not _pair_follows_gap(line, position, match):
            break
        if match.group("name").replace(" ", "") in _NAME_STOPWORDS:
            break
        matches.append(match)
        position = match.end()
    if not matches:
        return []
    rows: list[RosterRow] = []
    for index, match in enumerate(matches):
        stop = matches[index + 1].start() if index + 1 < len(matches) else len(line)
        notes = line[match.end() : stop].strip().strip(",，;；").strip()
        rows.append(RosterRow(match.group("role").strip(), match.group("name").strip(), notes, match.start(), stop))
    if len(rows) == 1 and not _plausible_single(rows[0], line):
        return []
    return rows


def _pair_follows_gap(line: str, position: int, match: re.Match[str]) -> bool:
    """A second pair on a line counts only after a clear gap (spaces or a tab)."""
    return bool(re.search(r"[\s\u3000]{2,}|\t", line[position : match.start() + 1]))


def _plausible_single(row: RosterRow, line: str) -> bool:
    """A lone pair is a roster row when the line is short or goes on with personal notes."""
    if len(line) <= 40:
        return True
    return bool(re.match(r"[(（]?\s*(?:男|女|\d{4}年|\d{4}\.\d)", row.notes))


def is_roster_header(line: str) -> bool:
    """A roster's column header: 「职务　姓名」, 「职务\t姓名\t\t职务\t姓名」."""
    cells = [cell for cell in re.split(r"[\s\u3000]+", line) if cell]
    return bool(cells) and set(cells) <= set(ROSTER_HEADER) | {"职别", "名字", "备注", "任职时间"}


def is_roster_title(title: str) -> bool:
    """A heading that announces a roster: 「领导名单」, 「县领导名单」, 「市级领导班子」."""
    return bool(ROSTER_TITLE_RE.search(title))
