"""Places as a facet: the names a question may use for a loaded yearbook's place, and which it names."""

from __future__ import annotations

import re
from collections.abc import Iterable

ADMIN_SUFFIXES = ("自治区", "自治州", "自治县", "省", "市", "县", "区", "旗", "盟")
_UNIT_RE = re.compile(rf"[\u4e00-\u9fff]+?(?:{'|'.join(ADMIN_SUFFIXES)})")
# A place named in a question but not loaded: a word jieba reads as a proper noun (place,
# person or other name: 北安市 ns, 孙吴县 nr) ending in a county-level suffix. Common nouns
# such as 贫困县, 棚户区, 建成区, 保税区 are tagged n and are not places.
_PROPER_NOUN_FLAGS = frozenset({"ns", "nr", "nz", "nrt", "nt"})
_COUNTY_SUFFIXES = ("县", "市", "区", "旗")


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
    return [place for _, _, place in _named_spans(question, places)]


def asked_place(question: str, places: Iterable[str]) -> str | None:
    """The one loaded place a question is about: the first it names, or the narrower of a
    written-together pair (「黑河市逊克县」 → 逊克县)."""
    spans = _named_spans(question, places)
    if not spans:
        return None
    chosen = spans[0]
    for start, end, place in spans[1:]:
        if start == chosen[1]:
            chosen = (start, end, place)
    return chosen[2]


def _named_spans(question: str, places: Iterable[str]) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    for place in set(places):
        for alias in place_aliases(place):
            at = question.find(alias)
            if at >= 0:
                found.append((at, at + len(alias), place))
                break
    return sorted(found)


def unknown_places(question: str, places: Iterable[str]) -> list[str]:
    """County-level place names in the question that are none of the loaded places nor their aliases."""
    known = {alias for place in places for alias in place_aliases(place)}
    names = [
        word for word, flag in _tagged(question)
        if flag in _PROPER_NOUN_FLAGS and len(word) >= 3 and word.endswith(_COUNTY_SUFFIXES)
    ]
    return [name for name in dict.fromkeys(names) if name not in known]
