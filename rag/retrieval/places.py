"""Places as a facet: the names a question may use for a loaded yearbook's place, and which it names."""

from __future__ import annotations

import re
from collections.abc import Iterable

ADMIN_SUFFIXES = ("自治区", "自治州", "自治县", "省", "市", "县", "区", "旗", "盟")
_UNIT_RE = re.compile(rf"[\u4e00-\u9fff]+?(?:{'|'.join(ADMIN_SUFFIXES)})")
# A place named in a question but not loaded: a name of two to five characters and a
# county-level suffix (not followed by 长: 「选举市长」), whose name part holds none of the
# characters that make ordinary words (「1998年全市」「哪些县」); jieba's place tags add
# one-character names such as 单县.
_NAMED_PLACE_RE = re.compile(r"([\u4e00-\u9fff]{2,5}?(?:县|市|区|旗))(?!长)")
_NOT_IN_PLACE_NAME = frozenset("年全哪些各每该本这那其和与及的在是了有多少几个位副正原前新老选举分为对向从到至把被给让同共总一二三四五六七八九十两城市县区园郊社辖省地")
# Characters before 区/市 that make a common noun, not a place: 园区, 开发区, 景区, 城市, 超市.
_COMMON_BEFORE_SUFFIX = {"区": frozenset("园发新城景社小片街校能范护验贸库山矿林牧市辖学病灾湾业港边"),
                         "市": frozenset("城超股夜上门集闹早菜楼")}


def _trim_name(name: str) -> str:
    """The place name at the end of a match: the characters after the last one no name holds."""
    head = name[:-1]
    cut = max((i for i, ch in enumerate(head) if ch in _NOT_IN_PLACE_NAME), default=-1)
    head = head[cut + 1 :]
    return head + name[-1] if len(head) >= 2 else ""


def _tagged(question: str) -> list[tuple[str, str]]:
    import jieba.posseg

    return [(pair.word, pair.flag) for pair in jieba.posseg.cut(question)]


def place_aliases(place: str) -> list[str]:
    """Names a question may use for ``place``, longest first.

    「成都市郫都区」 → 成都市郫都区, 郫都区, 郫都; 「黑河市」 → 黑河市, 黑河.
    """
    if not place:
        return []
    names = {place}
    units = _UNIT_RE.findall(place)
    if units:
        last = units[-1]
        names.add(last)
        for suffix in ADMIN_SUFFIXES:
            if last.endswith(suffix) and len(last) - len(suffix) >= 2:
                names.add(last[: -len(suffix)])
                break
    return sorted(names, key=len, reverse=True)


def places_named(question: str, places: Iterable[str]) -> list[str]:
    """The loaded places the question names, in the order it names them."""
    found: list[tuple[int, str]] = []
    for place in set(places):
        for alias in place_aliases(place):
            at = question.find(alias)
            if at >= 0:
                found.append((at, place))
                break
    return [place for _, place in sorted(found)]


def unknown_places(question: str, places: Iterable[str]) -> list[str]:
    """County-level place names in the question that are none of the loaded places nor their aliases."""
    known = {alias for place in places for alias in place_aliases(place)}
    names: list[str] = []
    candidates = [_trim_name(m.group(1)) for m in _NAMED_PLACE_RE.finditer(question)]
    candidates += [w for w, flag in _tagged(question) if flag == "ns" and w.endswith(("县", "市", "区", "旗"))]
    for name in dict.fromkeys(c for c in candidates if c):
        if name[-2] in _COMMON_BEFORE_SUFFIX.get(name[-1], ()):
            continue
        if any(name in alias or alias in name for alias in known):
            continue
        names.append(name)
    return names
