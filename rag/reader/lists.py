"""List answers: the 、-enumeration in the clause the reader chose, cut where its first and last items end.

The span model picks the clause; where an enumeration starts and stops is grammar, not phrasing:
the first item begins after the clause's last verb or function word before it (「全县形成|电动车及零部件」,
「其中|通江路」, 「主要分布在|辛集镇」), and the last item ends at the first verb, function word, count or
question word after it (「建材|等四大主导产业」, 「海兰街|完成拓宽改造」, 「娄葑|4个分卷」). Two signs
outrank the words: quotes around the whole enumeration are its bounds (「推行“|亮身份、亮承诺、亮实绩|”活动」),
and items that all end alike end the last one alike (「及时受理率、按期办结率|均达到」, whose 「办结」 is a verb).
Of two items, the first is cut to about the length of the last, as a middle item sets it for longer lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rag.reader.candidates import CLOSING, OPENING, Sentence, Span, tokenize

_CLAUSE_END = "，,。；;！!？?：:（）()|"  # a table cell ends a clause too
_BOUNDARY_TAGS = ("v", "p", "r", "c", "d", "u", "f")  # words that bound an enumeration (but not 「vn」, a verbal noun)
_FUNCTION_TAGS = ("p", "r", "c", "d", "u", "f")
_JOINING = frozenset({"和", "及", "与", "以及"})  # 「A、B和C」: the last item goes on after these
_AFTER_WORDS = frozenset({"等", "等地", "等等", "共"})
_RUN = re.compile(r"[^、，,。；;！!？?：:|（）()]+(?:、[^、，,。；;！!？?：:|（）()]+)+")  # an enumeration inside one clause
_COUNT = re.compile(r"^[\d一二两三四五六七八九十几]{1,2}[大个项家所类种条批名位]?$")
_PARENTHETICAL = re.compile(r"[（(][^，,。；;：:！!？?|（）()、]{1,12}[）)]")  # 「华东(苏州)」: a note inside an item
_QUOTED_RUN = re.compile(r"(?:“[^“”，,。；;]{1,20}”|《[^《》，,。；;]{1,40}》){2,}")  # 「“园清”“园聚”」: items set off by quotes alone
_MASK = "□"
_STRETCH_STOP = re.compile(f"[{re.escape(_CLAUSE_END + ''.join(OPENING))}\\d等]")  # what an item never reaches across
_OPENERS, _CLOSERS = OPENING - {'"'}, CLOSING - {'"'}  # a straight quote may open or close: never trimmed
_QUOTE_PAIRS = {"“": "”", "‘": "’", "「": "」"}  # quotes that may enclose a whole enumeration (《》 names one item)
Token = tuple[int, int, str, str]  # start, end, word, part of speech


def list_span(span: Span, question_words: set[str]) -> Span | None:
    """The enumeration of the clause holding ``span``, or else of the sentence, as a list span (None when it has none).

    Items are 、-separated, notes in brackets included (「华东(苏州)、华南(深圳)」), or set off by
    quotes alone (「“园清”“园聚”」, 「《A志》《B志》」).
    """
    sentence = span.sentence
    text = _masked(sentence.folded)
    start, end = _clause(text, span.start, span.end)
    found = _enumeration(sentence, text, start, end, question_words)
    if found is None:  # the chosen span's clause holds none: the sentence's enumeration nearest the question's words
        found = _enumeration(sentence, text, 0, len(text), question_words)
    return found


def _masked(text: str) -> str:
    """The text with each short bracketed note masked, so that it reads as part of the item it follows."""
    return _PARENTHETICAL.sub(lambda m: _MASK * len(m.group()), text)


def _enumeration(sentence: Sentence, text: str, start: int, end: int, question_words: set[str]) -> Span | None:
    """The best enumeration between ``start`` and ``end`` of the (masked) text, cut at its lead-in and tail."""
    runs = list(_RUN.finditer(text, start, end))
    if not runs:
        quoted = max(_QUOTED_RUN.finditer(sentence.folded, start, end), key=lambda m: m.end() - m.start(), default=None)
        if quoted is None:
            return None
        return Span(sentence, quoted.start(), quoted.end(), "list", items=quoted.group().count("”") + quoted.group().count("》"))
    run = max(runs, key=lambda m: (_words_around(text, m.start(), question_words), m.end() - m.start()))
    pieces = run.group().split("、")
    middle = sorted(len(p) for p in pieces[1:-1])
    typical = middle[len(middle) // 2] if middle else None
    first_comma = run.start() + len(pieces[0])
    last_comma = run.end() - len(pieces[-1]) - 1
    tokens = [t for t in tokenize(sentence) if text[t[0]] != _MASK]  # a note's words bound no item
    begin = _first_item_start(tokens, run.start(), first_comma, question_words, typical)
    if begin is None:
        return None
    heads = {w for w in question_words if any(p.endswith(w) for p in pieces[:-1])}  # 「…委员会」 items: not a stop
    finish = _last_item_end(tokens, last_comma + 1, run.end(), question_words - heads, typical or first_comma - begin)
    if finish is None or finish <= begin:
        return None
    finish = _parallel_end(text, pieces, begin, first_comma, finish, question_words - heads)
    if typical is None:  # two items: the first is cut to the length of the last, as a middle item would cut it
        again = _first_item_start(tokens, run.start(), first_comma, question_words, finish - last_comma - 1, led_in=True)
        begin = begin if again is None else again
    begin, finish = _quoted(text, run, first_comma, last_comma + 1) or (begin, finish)
    while begin < finish and text[begin].isspace():
        begin += 1
    while finish > begin and text[finish - 1].isspace():
        finish -= 1
    folded = sentence.folded
    while begin < finish and folded[begin] in _CLOSERS:  # a quote or bracket closed before the first item
        begin += 1
    while finish > begin and folded[finish - 1] in _OPENERS:  # … or opened after the last
        finish -= 1
    return Span(sentence, begin, finish, "list", items=len(pieces))


def _quoted(text: str, run: re.Match[str], first_comma: int, last_start: int) -> tuple[int, int] | None:
    """The inside of the quotes that open in the first item and close in the last: the enumeration they enclose (None: none do).

    The quotes count only when no item quotes itself (「“一网通办”、智慧城市运营中心」 keeps its quotes).
    """
    for opener, closer in _QUOTE_PAIRS.items():
        opened = text.rfind(opener, run.start(), first_comma)
        closed = text.find(closer, last_start, run.end())
        if opened < 0 or closed < 0 or closer in text[opened:first_comma] or opener in text[last_start:closed]:
            continue
        if not any(mark in text[first_comma:last_start] for mark in (opener, closer)):
            return opened + 1, closed
    return None


def _parallel_end(text: str, pieces: list[str], begin: int, first_comma: int, finish: int, stops: set[str]) -> int:
    """Where the last item ends when every other item ends in the same character and the grammar's end does not:
    at the first such character after ``finish`` in the clause (「按期|办结率」 → 「按期办结率」), else ``finish``.

    Only ever longer: a shared ending met earlier is a word inside the item (「实验中学北校区」); and never
    past what ends an enumeration anyway: 等 or a count, a quote or bracket opening, a word of ``stops``
    (the question's words that no other item ends with: 「二氧化硫|排放量」 when the question asks of 排放量).
    """
    others = [text[begin:first_comma], *pieces[1:-1]]
    ending = others[0][-1:] if others[0] else ""
    if not "\u4e00" <= ending <= "\u9fff" or any(not item.endswith(ending) for item in others):
        return finish
    if text[finish - 1 : finish] == ending:
        return finish
    later = text.find(ending, finish)
    if later < 0:
        return finish
    stretch = text[finish : later + 1]
    if _STRETCH_STOP.search(stretch) or any(word in stretch for word in stops if len(word) >= 2):
        return finish
    return later + 1


def _words_around(text: str, at: int, question_words: set[str]) -> int:
    """How many question words the clause around ``at`` holds."""
    left, right = _clause(text, at, at)
    return sum(w in text[left:right] for w in question_words if len(w) >= 2)


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    left = max((i for i, ch in enumerate(text[:start]) if ch in _CLAUSE_END), default=-1) + 1
    right = next((i for i in range(end, len(text)) if text[i] in _CLAUSE_END), len(text))
    return left, right


def _closest(options: list[int], length: Callable[[int], int], typical: int | None) -> int:
    """The option whose item is nearest the typical item's length (the first option when there is no typical one)."""
    if typical is None:
        return options[0]
    return min(options, key=lambda o: (abs(length(o) - typical), options.index(o)))


def _first_item_start(
    tokens: list[Token], lo: int, comma: int, question_words: set[str], typical: int | None, led_in: bool = False
) -> int | None:
    """Where the first item starts: after one of the lead-in words before it (a verb, a function or question word).

    ``led_in``: only after a lead-in word when the clause has one, never at the clause's start.
    """
    inside = [t for t in tokens if lo <= t[0] and t[1] <= comma]
    if not inside:
        return None
    options = [inside[0][0]]
    for index, (_, _, word, tag) in enumerate(inside[:-1]):
        if _soft(word, tag, question_words):
            options.insert(0, inside[index + 1][0])  # the latest lead-in first: the default without a typical length
        if tag.startswith("p"):  # 「县里与|浙江大学」: what a preposition governs starts after it, whatever the length
            options = options[:1]
    if led_in and len(options) > 1:
        options = [o for o in options if o != inside[0][0]]  # options are distinct: one is left at least
    begin = _closest(options, lambda o: comma - o, typical)
    rest = [t for t in inside if t[0] >= begin]
    while len(rest) > 1 and rest[0][3].startswith(_FUNCTION_TAGS):  # 「为|区委」: a function word never starts an item
        rest = rest[1:]
    return rest[0][0]


def _last_item_end(tokens: list[Token], lo: int, hi: int, question_words: set[str], typical: int) -> int | None:
    """Where the last item ends: before the first verb, function or question word after it, or else before 等 or a count.

    A question word always stops it (「铁|储量较大」); another stop that leaves the item under half the
    typical length, or a verb that 等 follows at once (「森林防火等」), is passed over.
    """
    inside = [t for t in tokens if lo <= t[0] and t[1] <= hi]
    if not inside:
        return None
    hard = next((i for i, t in enumerate(inside) if i and _count_or_etc(t)), len(inside))
    for i in range(1, hard):
        _, _, word, tag = inside[i]
        if word in question_words:
            return inside[i][0]
        if word in _JOINING or not _soft(word, tag, set()) or inside[i][0] - lo < typical / 2:
            continue
        if i + 1 == hard and hard < len(inside) and inside[hard][2] in _AFTER_WORDS and tag.startswith("v"):
            break  # 「森林防火等」: a verb right before 等 belongs to the item
        return inside[i][0]
    return inside[hard][0] if hard < len(inside) else hi


def _count_or_etc(token: Token) -> bool:
    """等, or a count (「4个」, 「四大」): the end of an enumeration; an ordinal (「区第三人民医院」) is not one."""
    if token[2].startswith("第"):
        return False
    return token[2] in _AFTER_WORDS or token[3].startswith(("m", "q")) or bool(_COUNT.match(token[2]))


def _soft(word: str, tag: str, question_words: set[str]) -> bool:
    """A word that may bound an item: a verb (not a verbal noun), a function word, or a question word."""
    return (tag.startswith(_BOUNDARY_TAGS) and not tag.startswith("vn")) or word in question_words
