"""Candidate answers: the sentences and table rows of retrieved chunks, and every typed span in them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from langchain_core.documents import Document

from rag.reader.lexicon import MAGNITUDES, Lexicon
from rag.reader.quotes import is_table_row, quotes
from rag.text import _jieba, fold

NUMBER = re.compile(r"(?<![\d.])(?<!\d[,，])(?:\d{1,3}(?:[,，]\d{3})+|\d{1,3}(?: \d{3})+(?![\d,])|\d+)(?:\.\d+)?")
_RANGE = "—~至到-"  # marks joining the ends of a range inside one date (「3—5日」, 「1998-2000年」)
_DAY = rf"\d{{1,2}}日(?:[{_RANGE}]\d{{1,2}}日)?|\d{{1,2}}[{_RANGE}]\d{{1,2}}日"
_RANGE_MARKS = frozenset(_RANGE) | {"－", "–"}  # … and two whole dates (full-width and en dashes too)
DATE = re.compile(
    rf"\d{{4}}[{_RANGE}]\d{{4}}年|(?:\d{{4}}年)?(?:\d{{1,2}}月(?:[{_RANGE}]\d{{1,2}}月)?)?(?:{_DAY})?(?:上旬|中旬|下旬|初|底|末)?"
)
QUOTED = re.compile(r"《[^《》]{1,40}》|「[^「」]{1,40}」|“[^“”]{1,40}”|\"[^\"]{1,40}\"")
NAME_AFTER_ROLE = re.compile(r"(?<=[:：\s])[\u4e00-\u9fff](?: ?[\u4e00-\u9fff]){1,3}(?=$|[\s(（,，;；。、])")
CLAUSE_MARKS = frozenset("，,。；;：:！!？?（）()—…|\t ")
LIST_ITEM_BREAK = re.compile(r"[，,。；;：:（）()！？!?\s|]")
LIST_END_WORDS = ("等", "和", "及", "共", "分别", "于", "在", "已", "均", "都", "的", "为", "是", "被", "先后", "相继", "入选", "获")
OPENING = frozenset("“‘《「\"(（")  # quotes and brackets that open (the straight quote both opens and closes)
CLOSING = frozenset("”’》」\")）")
MAX_WORDS = 7  # words in a plain span
SPAN_KINDS: tuple[str, ...] = ("number", "date", "quote", "list", "person", "org", "place", "span", "cell")


@dataclass
class Sentence:
    """A sentence or table row of a retrieved chunk: what a citation quotes."""

    document: Document
    quote: str  # original text, as cited
    start: int | None  # offset in the entry's text (None for a table row)
    rank: int  # the chunk's retrieval rank
    previous: str = ""
    folded: str = ""  # fold(quote): same length, matched against
    context: str = ""  # folded entry title (or caption and header) + previous sentence
    tokens: list[tuple[int, int, str, str]] = field(default_factory=list)  # (start, end, word, part of speech)

    @property
    def is_row(self) -> bool:
        """Whether this is a table row."""
        return is_table_row(self.document)

    @property
    def header(self) -> list[str]:
        """The table header cells (empty for text)."""
        text = str(self.document.metadata.get("table_header", ""))
        return [c.strip() for c in text.split(" | ")] if text else []


@dataclass
class Span:
    """A typed piece of a sentence that may be the short answer."""

    sentence: Sentence
    start: int
    end: int
    kind: str
    unit: str = ""
    column: str = ""  # table header of the cell it sits in
    items: int = 0  # list items
    first: int = -1  # index of its first token (-1: not word-aligned)
    last: int = -1
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0

    @property
    def text(self) -> str:
        """The span as written in the yearbook."""
        return self.sentence.quote[self.start : self.end]


def sentences(documents: list[Document]) -> list[Sentence]:
    """Every quotable sentence and table row of the chunks, best chunk first."""
    found: list[Sentence] = []
    for rank, document in enumerate(documents):
        meta = document.metadata
        year = f"{meta['year']}年" if meta.get("year") else ""  # a yearbook's place and year go without saying in its sentences
        title = f"{meta.get('place', '')} {year} {meta.get('yearbook', '')} {meta.get('section', '')} {meta.get('table') or meta.get('entry') or ''}"
        header = str(meta.get("table_header", "")) if is_table_row(document) else ""
        previous = ""
        for quote, start in quotes(document):
            if len(quote.strip()) < 2:
                continue
            found.append(
                Sentence(document, quote, start, rank, previous, fold(quote), fold(f"{title} {header} {previous}"))
            )
            previous = quote
    return found


BORDER_VERBS = "邻接连靠临至界毗濒交"  # the verbs that say what lies in a direction (东邻, 南接, 北靠)
_BORDER_VERB = re.compile(f"[东西南北][{BORDER_VERBS}]")  # a direction and its verb


def tokenize(sentence: Sentence) -> list[tuple[int, int, str, str]]:
    """The sentence's words with offsets and parts of speech (computed once)."""
    if not sentence.tokens:
        import jieba.posseg

        _jieba()
        position = 0
        for pair in jieba.posseg.lcut(sentence.folded):
            end = position + len(pair.word)
            if _BORDER_VERB.fullmatch(pair.word):  # 「东邻」「南连」, which the dictionary holds as names: a direction and its verb
                sentence.tokens += [(position, position + 1, pair.word[0], "f"), (position + 1, end, pair.word[1], "v")]
            else:
                sentence.tokens.append((position, end, pair.word, pair.flag))
            position = end
    return sentence.tokens


def spans(sentence: Sentence, lexicon: Lexicon) -> list[Span]:
    """All typed spans of a sentence (overlapping; the scorer chooses)."""
    text = sentence.folded
    out: dict[tuple[int, int], Span] = {}
    cells = columns(sentence)
    inside_figures = {i for m in NUMBER.finditer(text) for i in range(m.start() + 1, m.end())}

    def add(start: int, end: int, kind: str, **extra: object) -> None:
        while start < end and text[start] in " 　|":
            start += 1
        while end > start and text[end - 1] in " 　|":
            end -= 1
        if start in inside_figures or end in inside_figures:  # 「36,|205名党员」: no span cuts a figure
            return
        if end > start and (start, end) not in out:
            column = next((c for s, e, c in cells if s <= start and end <= e), "")
            out[(start, end)] = Span(sentence, start, end, kind, column=column, **extra)  # type: ignore[arg-type]

    row_unit = _row_unit(cells, text, lexicon)
    for s, e, column in cells:
        figure = NUMBER.fullmatch(text[s:e].strip())
        add(s, e, "cell", unit=(_header_unit(column, lexicon) or row_unit) if figure else "")
    dates = [m for m in DATE.finditer(text) if m.group() and re.search(r"\d", m.group()) and re.search(r"[年月日]", m.group())]
    for m in dates:
        add(m.start(), m.end(), "date")
    for first, then in zip(dates, dates[1:]):  # 「8月28日至9月2日」: a range of two whole dates
        if text[first.end() : then.start()] in _RANGE_MARKS:
            add(first.start(), then.end(), "date")
    date_chars = {i for m in dates for i in range(m.start(), m.end())}
    figures: list[tuple[int, int, str]] = []
    for m in NUMBER.finditer(text):
        if m.start() in date_chars:
            continue
        start, end, unit = figure_extent(text, m, lexicon)
        if not unit and cells:
            unit = _header_unit(next((c for s, e, c in cells if s <= m.start() < e), ""), lexicon) or row_unit
        add(start, end, "number", unit=unit)
        if end != m.end():
            add(m.start(), m.end(), "number")
        figures.append((start, end, unit))
    for (start, end, unit), (then, last, other) in zip(figures, figures[1:]):
        if unit and other and (then == end or (text[end:then] == "、" and other != unit)):  # 「102批2142人次」, 「39.96万卷、61.06万件」
            add(start, last, "number", unit=unit, items=2)
    for m in QUOTED.finditer(text):
        add(m.start(), m.end(), "quote")
        add(m.start() + 1, m.end() - 1, "quote")
    for m in NAME_AFTER_ROLE.finditer(text):
        add(m.start(), m.end(), "person")
    _lists(text, add)
    _word_spans(sentence, lexicon, add)
    _verb_objects(sentence, lexicon, add)
    for start, end in titled_names(sentence, lexicon):  # a word span there keeps its word positions, typed a person
        if (start, end) in out:
            out[(start, end)].kind = "person"
        add(start, end, "person")
    return list(out.values())


def titled_names(sentence: Sentence, lexicon: Lexicon) -> list[tuple[int, int]]:
    """Names right after a post or a noun that names people: a family name and one or two characters ending a word.

    「学生李明哲以…」 is cut 李 / 明哲 by the word segmenter, so no single word is the name; the
    title before it (学生, 县长, 书记) and the family-name lexicon find it, and the name must end
    where a word ends (李明哲, not 李明).
    """
    text = sentence.folded
    ends = {end for _, end, _, _ in tokenize(sentence)}
    found: list[tuple[int, int]] = []
    for m in _titles(lexicon.people_words).finditer(text):
        at = m.end() + (1 if text[m.end() : m.end() + 1] in (":", "：", " ") else 0)
        family = next((f for f in (text[at : at + 2], text[at : at + 1]) if f in lexicon.surnames), "")
        for given in (1, 2):
            end = at + len(family) + given
            if family and end in ends and _CJK_RUN.fullmatch(text[at:end]):
                found.append((at, end))
    return found


_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


@lru_cache(maxsize=8)
def _titles(words: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for every title word, longest first (built once per lexicon, not per sentence)."""
    return re.compile("|".join(sorted(map(re.escape, words), key=len, reverse=True)))


def columns(sentence: Sentence) -> list[tuple[int, int, str]]:
    """The cells of a table row: (start, end, column header) each; empty for a text sentence."""
    if not sentence.is_row:
        return []
    header = sentence.header
    found: list[tuple[int, int, str]] = []
    position = 0
    for index, cell in enumerate(sentence.folded.split(" | ")):
        found.append((position, position + len(cell), header[index] if index < len(header) else ""))
        position += len(cell) + 3
    return found


def cell_unit(sentence: Sentence, at: int, lexicon: Lexicon) -> str:
    """The unit of the table cell at ``at``: its column header's (「增长(%)」), else the row's 「单位」 cell."""
    cells = columns(sentence)
    column = next((c for s, e, c in cells if s <= at < e), "")
    return _header_unit(column, lexicon) or _row_unit(cells, sentence.folded, lexicon)


def _row_unit(columns: list[tuple[int, int, str]], text: str, lexicon: Lexicon) -> str:
    """The unit a table row states in its own 「单位」 column."""
    for start, end, column in columns:
        cell = text[start:end].strip()
        if "单位" in column and lexicon.is_unit(cell):
            return cell
    return ""


def _header_unit(column: str, lexicon: Lexicon) -> str:
    """The unit a column header gives in brackets: 「金额(万元)」 → 万元, 「增长(%)」 → %."""
    found = re.search(r"[(（]([^()（）]{1,4})[)）]", column)
    return found.group(1) if found and lexicon.is_unit(found.group(1)) else ""


def unit_after(text: str, at: int, lexicon: Lexicon) -> tuple[int, str]:
    """Where the unit after a figure ending at ``at`` ends, and the unit (「万元」, 「卷」; "" when none).

    A figure's tail reads: an approximation (余/多) and a magnitude (万/亿) in either order
    (「356万余元」, 「100余万元」), then a unit of the lexicon (「万元」 when it names one itself),
    or a ratio's second term (「103.2∶100」).
    """
    position, lead = at, ""
    while len(lead) < 3 and not _unit_at(text, position, lexicon):
        piece = next((p for p in _FIGURE_TAIL if text.startswith(p, position) and p not in lead), "")
        if not piece:
            break
        lead += piece
        position += len(piece)
    unit = _unit_at(text, position, lexicon)
    if unit:
        return position + len(unit), unit
    ratio = RATIO_TERM.match(text, at)
    if ratio and not lead:
        return ratio.end(), "∶"
    return position, lead.replace("余", "").replace("多", "")


def figure_extent(text: str, match: re.Match[str], lexicon: Lexicon) -> tuple[int, int, str]:
    """A figure as written: its sign or approximation before it, its unit, and a bound after the unit.

    「人口自然增长率为-2.42‰」 gives -2.42‰, 「新增党组织近100个」 近100个, 「占95%以上」 95%以上: the
    words belong to the figure, and an answer without them says something else.
    """
    start = match.start()
    if start and text[start - 1] in _MINUS and (start < 2 or not text[start - 2].isdigit()):
        start -= 1
    else:
        start -= len(next((w for w in lexicon.approximate_before if text.startswith(w, start - len(w))), ""))
    end, unit = unit_after(text, match.end(), lexicon)
    if unit:
        end += len(next((w for w in lexicon.approximate_after if text.startswith(w, end)), ""))
    return start, end, unit


_MINUS = "-−－"
_FIGURE_TAIL = ("余", "多", "万亿", *MAGNITUDES)  # 「万亿」 before its 「万」
RATIO_TERM = re.compile(r"∶\d+(?:\.\d+)?")


def _unit_at(text: str, position: int, lexicon: Lexicon) -> str:
    """The longest lexicon unit that starts at ``position`` ("" when none)."""
    return next((unit for unit in lexicon.units if text.startswith(unit, position)), "")


def _word_spans(sentence: Sentence, lexicon: Lexicon, add: Callable[..., None]) -> None:
    """Every run of up to MAX_WORDS words inside a clause, typed by its last word."""
    tokens = tokenize(sentence)
    n = len(tokens)
    for i in range(n):
        word = tokens[i][2]
        if word in CLAUSE_MARKS or (tokens[i][3] == "x" and word not in OPENING) or word in "、的了和与及":
            continue
        for j in range(i, min(n, i + MAX_WORDS)):
            last = tokens[j][2]
            if last in CLAUSE_MARKS:
                break
            if (tokens[j][3] == "x" and last not in CLOSING) or last in "、的了和与及在于":
                continue
            words = tokens[i : j + 1]
            items = sum(w[2] == "、" for w in words) + 1
            kind = _kind(words, lexicon)
            add(tokens[i][0], tokens[j][1], kind, first=i, last=j, items=items if items > 1 else 0)


_CLAUSE_BODY = re.compile(r"[^，,。；;：:！!？?|]+")  # a clause; spaces and brackets stay inside it
MAX_OBJECT = 40  # characters of what a verb governs


def _verb_objects(sentence: Sentence, lexicon: Lexicon, add: Callable[..., None]) -> None:
    """What each verb of a clause governs: the rest of the clause, however many words (「出席|牛津大学……启用仪式」).

    A word span holds at most MAX_WORDS words and stops at brackets and spaces; the object of a
    verb is often a long name or title with both.
    """
    tokens = [t for t in tokenize(sentence) if t[2].strip()]
    text = sentence.folded
    for clause in _CLAUSE_BODY.finditer(text):
        inside = [t for t in tokens if clause.start() <= t[0] and t[1] <= clause.end()]
        for at, (_, _, _, tag) in enumerate(inside[:-2]):
            if not tag.startswith("v") or tag.startswith("vn"):
                continue
            rest = inside[at + 1 :]
            start, end = rest[0][0], rest[-1][1]
            if end - start <= MAX_OBJECT and _balanced(text[start:end]):
                add(start, end, _kind(rest, lexicon))


def _balanced(text: str) -> bool:
    """Every quote and bracket the text opens it also closes, in order."""
    depth = 0
    for ch in text:
        if ch in OPENING:
            depth += 1
        elif ch in CLOSING:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


ADMINISTRATIVE = ("省", "市", "县", "区", "镇", "乡", "村")  # a word ending so names a place, even one jieba tags as a person


def _kind(words: list[tuple[int, int, str, str]], lexicon: Lexicon) -> str:
    """The kind of a run of words, by its last word: a verb ends no name (「主办」 is not an org for its 「办」)."""
    text = "".join(w[2] for w in words)
    tag = words[-1][3]
    if tag.startswith("v") and not tag.startswith("vn"):
        return "span"
    if (tag == "b" or tag == "vn") and len(words[-1][2]) >= 2:  # 「主办」「承办」 end no name for their 「办」
        return "span"
    if len(words) == 1 and tag.startswith("nr") and not (len(text) >= 3 and text.endswith(ADMINISTRATIVE)):
        return "person"
    if len(text) >= 3 and text.endswith(lexicon.org_suffixes):
        return "org"
    if tag == "ns" or (len(text) >= 2 and text.endswith(lexicon.place_suffixes)):
        return "place"
    return "span"


def _lists(text: str, add: Callable[..., None]) -> None:
    for m in re.finditer(r"[^、]+(?:、[^、]+)+", text):
        items = m.group().split("、")
        first, last = items[0], items[-1]
        head_cut = max((i for i, ch in enumerate(first) if LIST_ITEM_BREAK.match(ch)), default=-1) + 1
        tail_cut = next((i for i, ch in enumerate(last) if LIST_ITEM_BREAK.match(ch)), len(last))
        last_start = m.end() - len(last)
        ends = {last_start + tail_cut}
        for word in LIST_END_WORDS:
            at = text.find(word, last_start + 1, last_start + tail_cut)
            if at > last_start:
                ends.add(at)
        typical = sorted(len(x) for x in items[1:-1]) or [min(len(last), tail_cut)]
        width = typical[len(typical) // 2]
        first_start = m.start() + head_cut
        starts = {first_start} | {max(first_start, m.start() + len(first) - w) for w in (width - 1, width, width + 1, width + 2) if w > 0}
        for s in starts:
            for e in ends:
                if e > s:
                    add(s, e, "list", items=len(items))
