"""Cut the short answer out of a supporting sentence: figures, dates, names, lists, yes/no, table cells."""

from __future__ import annotations

import re

from rag.text import bigram_tokens, normalise

_UNIT = (
    r"(?:万|亿|千)?(?:余|多)?(?:人次|篇次|批次|家次|件次|场次|个工作日|工作日|人|个百分点|个|家|项|次|批|场|支|名|条|元|件|卷次|卷|份|所|篇|期|天|户|套|台次|台|"
    r"平方千米|平方米|千米|公里|万字|字|小时|分钟|届|类|座|处|组|辆|本|部|册|位|单|起|宗|笔|岁|年|张|亩|公顷|分)?(?:余|多)?"
)
NUMBER_MENTION = re.compile(r"(?<![\d.])(?:近|约|超|逾)?\d+(?:\.\d+)?%?" + _UNIT)
DATE_MENTION = re.compile(
    r"(?:\d{4}年)?\d{1,2}月(?:\d{1,2}(?:[—\-－~～]\d{1,2})?日)?(?:[—\-－~～]\d{1,2}月(?:\d{1,2}日)?)?|\d{4}年(?:\d{1,2}月)?"
)
_YEAR_ONLY = re.compile(r"(?:19|20)\d\d年?")
_WH = re.compile(r"哪(?:个|位|所|家|国|种|项|些|几个|几位|几所|几家|几|一|里|儿|两个|两所|两|三|四)?|什么|谁|啥|第几")
_LEAD = "为是了在由到至成向将把对与和及以有即:：,，、 "
_TAIL = "的了等和及与,，、 "
def is_year(value: str) -> bool:
    """A bare year such as 「2020年」, which is not an answer figure."""
    return bool(_YEAR_ONLY.fullmatch(value))


def unit_of(value: str) -> str:
    """The unit a figure carries (「%」, 「人次」 …) or ''."""
    tail = re.sub(r"^(?:近|约|超|逾)?\d+(?:\.\d+)?", "", value)
    return tail.strip("万亿千余多") if tail != "%" else "%"


def unit_fits(value: str, units: tuple[str, ...]) -> bool:
    """Whether the figure carries one of ``units`` (any unit when none is asked for)."""
    if not units:
        return bool(unit_of(value)) or "." in value
    return unit_of(value) in units


def figures(quote: str, units: tuple[str, ...] = ()) -> list[re.Match[str]]:
    """Figure mentions of a sentence that could answer a 多少 question."""
    out = []
    for match in NUMBER_MENTION.finditer(quote):
        value = match.group()
        if is_year(value) or re.fullmatch(r"\d{1,2}月", quote[match.start() : match.end() + 1]):
            continue
        if quote[match.end() : match.end() + 1] in ("月", "日") or quote[max(0, match.start() - 1) : match.start()] == "第":
            continue
        if unit_fits(value, units):
            out.append(match)
    return out


def _covered(question: str, text: str) -> list[bool]:
    """Which characters of ``text`` lie in a bigram the question also has."""
    q = normalise(question)
    t = normalise(text)
    mask = [False] * len(text)
    for i in range(len(t) - 1):
        if t[i : i + 2] in q:
            mask[i] = mask[i + 1] = True
    return mask[: len(text)]


def strip_covered(question: str, text: str) -> str:
    """Drop leading and trailing stretches the question already says, and function characters."""
    for _ in range(3):
        text = text.strip(_LEAD if text[:1] in _LEAD else _TAIL)
        text = text.lstrip(_LEAD).rstrip(_TAIL)
        mask = _covered(question, text)
        i = 0
        while i < len(text) and mask[i]:
            i += 1
        if i <= 2:  # a two-character echo (「园区」, 「民兵」) is the name's own modifier
            i = 0
        j = len(text)
        while j > i and mask[j - 1]:
            j -= 1
        if 0 < j - i < len(text) and (i or j < len(text)):
            text = text[i:j]
        else:
            break
    return text.strip(_LEAD).rstrip(_TAIL)


def _first_word(text: str) -> str:
    from rag.text import _jieba

    words = _jieba().lcut(text)  # type: ignore[attr-defined]
    return words[0] if words else ""


def name_answer(question: str, quote: str) -> str | None:
    """The stretch of ``quote`` that fills the question's 谁/哪个/什么 slot, found between anchors."""
    q = re.sub(r"[？?。！!\s]+$", "", normalise(question))
    q = re.sub(r"(?:了|呢|啊|吗)+$", "", q)
    s = normalise(quote)
    if len(s) != len(quote):
        quote = s
    wh = _WH.search(q)
    if not wh:
        return None
    left, right = q[: wh.start()], q[wh.end() :]
    left = re.sub(r"(?:了|是|叫|为|的是|就是)$", "", left)
    right = re.sub(r"^(?:的|是)", "", right)
    agent = re.search(r"由([^，,。由]{2,24}?)(主办|承办|协办|牵头|发起|组织|指导|负责)", s)
    if agent and agent.group(2) in q and wh.group() in ("谁", "哪个", "哪家", "什么"):
        return quote[agent.start(1) : agent.end(1)]
    lefts = _anchors_left(left, s) or _anchors_left(re.sub(r"成$", "为", left), s)
    rights = _anchors_right(right, s)
    if wh.group() == "第几":  # an ordinal: 「团体第几名」 → 「第三名」
        return _ordinal(s, lefts, right[:1])
    best: tuple[float, int, int] | None = None
    for lstart, lend in lefts:
        for rstart, rlen in rights:
            if lend < rstart <= lend + 40 and not re.search(r"[，,。；;]", s[lend:rstart]):
                score = (lend - lstart) + rlen - 0.05 * (rstart - lend)
                if best is None or score > best[0]:
                    best = (score, lend, rstart)
    tight = best is not None
    if best is None and lefts and rights and not _continues(s, lefts):  # 「X成立,为市委派出机构」
        pairs = [(lend, rstart, rlen) for _, lend in lefts for rstart, rlen in rights if lend < rstart <= lend + 40]
        if pairs:
            lend, rstart, _ = max(pairs, key=lambda p: (p[2], p[0] - p[1]))
            begin = max(s.rfind(p, 0, rstart) for p in "，,。；;") + 1
            if rstart - begin >= 2:
                best = (0.0, begin, rstart)
    if best is None and lefts:
        marked = _marks_after(s, lefts)
        if marked:
            return quote[marked[0] : marked[1]]
        lstart, lend = max(lefts, key=lambda a: (a[1] - a[0], -a[0]))
        stop = re.search(r"[，,。；;]", s[lend:])
        end = lend + stop.start() if stop else len(s)
        if end - lend >= 2:
            best = (0.0, lend, end)
        else:  # the named thing comes before the noun: 「“X”外宣品牌」
            begin = max(s.rfind(p, 0, lstart) for p in "，,。；;") + 1
            marks = _MARKS_END.search(s, begin, lstart)
            best = (0.0, marks.start() if marks else begin, lstart)
    if best is None and rights:
        rstart, _ = max(rights, key=lambda a: (a[1], -a[0]))
        begin = max(s.rfind(p, 0, rstart) for p in "，,。；;") + 1
        best = (0.0, begin, rstart)
    if best is None:
        return None
    _, begin, end = best
    begin, end = _balance(quote, begin, end)
    span = quote[begin:end]
    titled = _titled(span, question, right, quote[begin + len(span) :])
    if titled:
        return titled
    span = re.split(r"等(?![级次])", span)[0] if "等" in span[1:] else span
    head = _first_word(right) if right and wh.group() not in ("哪里", "哪儿", "谁") else ""
    follow = s[begin + len(span) :]
    if head and follow.startswith(head) and not re.fullmatch(r"[的在是为和与了被由对向将把从]", head):
        span += quote[begin + len(span) : begin + len(span) + len(head)]
    if not tight:
        span = _cut_at_echo(question, span)
        span = strip_covered(question, span) if len(span) > 2 else span.strip(_LEAD)
    span = span.strip(_LEAD).rstrip(_TAIL)
    span = re.sub(r"^(?:改为|更名为|调整为|变为|命名为|定为)", "", span)
    return span if 1 < len(span) <= 60 else None


def _continues(s: str, lefts: list[tuple[int, int]]) -> bool:
    """The clause goes on for three characters or more after the question's longest left words."""
    _, lend = max(lefts, key=lambda a: (a[1] - a[0], -a[0]))
    stop = re.search(r"[，,。；;]", s[lend:])
    return (stop.start() if stop else len(s) - lend) >= 3


_MARK_RUN = r"(?:[“《][^”》]+[”》](?:和|、|与|及)?)+"
_MARKS_END = re.compile(_MARK_RUN + r"$")


def _marks_after(s: str, lefts: list[tuple[int, int]]) -> tuple[int, int] | None:
    """A “quoted” or 《titled》 run right after the question's words (「地方标准《…》」): the name asked for."""
    for _, lend in sorted(lefts, key=lambda a: a[0] - a[1]):
        found = re.compile(r"[为是:：]?(" + _MARK_RUN + ")").match(s, lend)
        if found:
            return found.start(1), found.end(1) - (1 if found.group(1)[-1] in "和、与及" else 0)
    return None


def _ordinal(s: str, lefts: list[tuple[int, int]], unit: str) -> str | None:
    """The ordinal (第三名) right after the question's words, or the first one of the sentence."""
    pattern = re.compile(r"第[一二三四五六七八九十百\d]+" + re.escape(unit))
    for _, lend in lefts:
        found = pattern.match(s, lend)
        if found:
            return found.group()
    found = pattern.search(s)
    return found.group() if found else None


def _cut_at_echo(question: str, span: str) -> str:
    """End the span where it starts repeating the question (「苏州、美国硅谷三大会场全球直播」 → 「苏州、美国硅谷」)."""
    mask = _covered(question, span)
    start = 0
    while start < len(mask):
        if not mask[start]:
            start += 1
            continue
        end = start
        while end < len(mask) and mask[end]:
            end += 1
        if end - start >= 4 and start >= 2 and not all(mask[:start]) and len(span) - end >= 2:
            return span[:start]  # the echo is followed by more words: the named thing came before it
        start = end
    return span


def _balance(text: str, begin: int, end: int) -> tuple[int, int]:
    """Widen a span so that it never cuts a “quoted” or 《titled》 term in two."""
    for open_mark, close_mark in (("“", "”"), ("《", "》"), ("(", ")"), ("（", "）")):
        piece = text[begin:end]
        if piece.count(open_mark) > piece.count(close_mark):
            closing = text.find(close_mark, end)
            if closing >= 0:
                end = closing + 1
        piece = text[begin:end]
        if piece.count(close_mark) > piece.count(open_mark):
            opening = text.rfind(open_mark, 0, begin)
            if opening >= 0:
                begin = opening
    return begin, end


def _titled(span: str, question: str, right: str, follow: str = "") -> str | None:
    """The quoted or 《titled》 name inside a span, when the rest of the span is framing words.

    The asked noun right after the mark (「“X”项目」 for 哪个项目) is not part of the name; words
    between them are (「“X”园区站活动」 for 什么活动).
    """
    theme = re.search(r"以([“《][^”》]+[”》])为", span)
    if theme:
        return theme.group(1)
    marks = list(re.finditer(r"[“《][^”》]+[”》](?:(?:和|、)?[“《][^”》]+[”》])*", span))
    if len(marks) != 1:
        return None
    mark = marks[0]
    before, after = span[: mark.start()], span[mark.end() :]
    if len(before) > 6:
        return None
    head = right[:2] if right else ""
    if head and head in after[:8]:
        return mark.group() + (after[: after.index(head) + len(head)] if after.index(head) else "")
    if head and after and len(after) <= 6 and follow.startswith(head) and re.fullmatch(r"[\u4e00-\u9fff]+", after):
        return mark.group() + after + head
    if not after or re.match(r"及|以及|和|与|等|、", after) or len(strip_covered(question, after)) <= 3:
        return mark.group()
    return None


def _anchors_left(left: str, s: str) -> list[tuple[int, int]]:
    for size in range(min(len(left), 12), 0, -1):
        piece = left[-size:]
        if size == 1 and piece not in "在由与向到对给被将把和从获于":
            break
        found = [(m.start(), m.start() + size) for m in re.finditer(re.escape(piece), s)]
        if found and (size >= 2 or len(found) <= 3):
            return found
    return []


def _anchors_right(right: str, s: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for skip in range(0, min(4, max(len(right) - 1, 0)) + 1):
        for size in range(min(len(right) - skip, 12), 1, -1):
            piece = right[skip : skip + size]
            found = [(m.start(), size) for m in re.finditer(re.escape(piece), s)]
            if found:
                out.extend(found)
                break
        if out:
            break
    return out


def fresh_run(question: str, quote: str) -> str | None:
    """Last resort for 什么/哪个 questions: the longest stretch of the best clause the question does not say."""
    grams = set(bigram_tokens(question))
    clauses = [c for c in re.split(r"[，,；;：:。！？!?\n]", quote) if c.strip()]
    if not clauses:
        return None
    clause = max(clauses, key=lambda c: len(grams & set(bigram_tokens(c))))
    mask = _covered(question, clause)
    runs = re.split(r"\x00+", "".join("\x00" if covered else ch for ch, covered in zip(clause, mask)))
    runs = [r.strip(_LEAD).rstrip(_TAIL) for r in runs]
    runs = [r for r in runs if len(r) >= 2 and not DATE_MENTION.fullmatch(r)]
    return max(runs, key=len) if runs else None
