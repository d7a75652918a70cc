"""Features of a (question, candidate span) pair and of a question's evidence as a whole, by name."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rag.reader.candidates import BORDER_VERBS, NUMBER, Sentence, Span, tokenize
from rag.reader.lexicon import Lexicon
from rag.reader.question import POST, Asked, Term
from rag.reader.stretches import FEATURE_MAX_LENGTH, Clause, open_clauses
from rag.text import years_in

WINDOW = 10  # characters either side of a span read as its context
COLUMN_KINDS = {  # table header words → the kind of answer the column holds
    "date": ("日期", "时间", "年份", "月份"),
    "person": ("姓名", "人物", "嘉宾", "来宾", "客人", "领导", "负责人", "代表", "外宾"),
    "place": ("国家", "地区", "国别", "城市", "地点", "来源"),
    "org": ("单位", "机构", "企业", "公司", "名称", "学校"),
    "number": ("数量", "人数", "金额", "总额", "比例", "增长", "万元", "亿元", "%", "数值", "指标值"),
    "what": ("活动", "内容", "项目", "事项", "名称", "类别", "职务", "指标"),
}
PATTERN_KINDS = frozenset({"number", "date"})  # span kinds found by pattern, seldom wrong about what they are
TYPED_ASKS = frozenset({"number", "date", "person", "org", "place"})  # asked kinds a span of another type cannot answer
_CJK_BIGRAM = re.compile(r"(?=([\u4e00-\u9fff]{2}))")
_CLAUSE = re.compile(r"[^，,。；;：:！!？?|]+")


@dataclass
class SentenceMatch:
    """Where the question's terms occur in one sentence, and how much of the question it holds."""

    hits: list[tuple[int, int, int]]  # (start, end, term index) of term occurrences in the sentence
    clauses: list[tuple[int, int, frozenset[int]]]  # clause bounds and the terms each holds
    cov: float  # share of term weight found in the sentence or its context
    cov_sentence: float  # … in the sentence alone
    bigrams: float  # share of the question's character bigrams in sentence + context
    year_conflict: float
    found: frozenset[int] = frozenset()  # terms found in the sentence or its context (the entry's title, place and year)
    open: list[Clause] | None = None  # the clauses' open stretches, worked out when a span first asks (see _stretch_features)


def bigrams(text: str) -> set[str]:
    """Character bigrams of the CJK runs of a text."""
    return set(_CJK_BIGRAM.findall(text))


def match_sentence(asked: Asked, sentence: Sentence) -> SentenceMatch:
    """Locate the question's terms (and their synonyms) in a sentence."""
    text, context = sentence.folded, sentence.context
    have = bigrams(text + context)
    hits: list[tuple[int, int, int]] = []
    in_sentence = in_context = 0.0
    found_terms: set[int] = set()
    for index, term in enumerate(asked.terms):
        found = False
        for variant in term.variants:
            for m in re.finditer(re.escape(variant), text):
                hits.append((m.start(), m.end(), index))
                found = True
        if found:
            in_sentence += term.weight
            in_context += term.weight
            found_terms.add(index)
        elif any(v in context for v in term.variants):
            in_context += term.weight
            found_terms.add(index)
        else:  # partial credit for a long word whose pieces are there (「吸收党员」 ~ 「发展党员」)
            grams = bigrams(term.text)
            if len(grams) >= 2:
                in_context += 0.5 * term.weight * len(grams & have) / len(grams)
    clauses = [
        (m.start(), m.end(), frozenset(i for s, e, i in hits if m.start() <= s and e <= m.end()))
        for m in _CLAUSE.finditer(text)
    ]
    question_grams = bigrams(asked.text.replace(asked.cue, " ")) if asked.cue else bigrams(asked.text)
    years = set(years_in(text + context)) | {int(sentence.document.metadata.get("year", 0) or 0)}
    return SentenceMatch(
        hits=hits,
        clauses=clauses,
        cov=in_context / asked.weight,
        cov_sentence=in_sentence / asked.weight,
        bigrams=len(question_grams & have) / len(question_grams) if question_grams else 0.0,
        year_conflict=float(bool(asked.years) and not set(asked.years) & years),
        found=frozenset(found_terms),
    )


def sentence_features(match: SentenceMatch, sentence: Sentence, best_cov: float, sim: float, closest: float) -> dict[str, float]:
    """Features shared by every span of a sentence (``sim``: its similarity in meaning to the question; ``closest``: the highest of the read sentences')."""
    return {
        "s_sim": sim,
        "s_sim_gap": sim - closest,
        "s_cov": match.cov,
        "s_cov_sentence": match.cov_sentence,
        "s_bigrams": match.bigrams,
        "s_gap_to_best": match.cov - best_cov,
        "s_rank": 1.0 / (1 + sentence.rank),
        "s_is_row": float(sentence.is_row),
        "s_year_conflict": match.year_conflict,
    }


def span_features(asked: Asked, span: Span, match: SentenceMatch, lexicon: Lexicon) -> dict[str, float]:
    """Features of one candidate span in its sentence."""
    text = span.sentence.folded
    piece = text[span.start : span.end]
    f: dict[str, float] = {f"k:{asked.kind}*{span.kind}": 1.0, f"c:{span.kind}": 1.0}
    f.update(_kind_agreement(asked.kind, span.kind))
    if "、" in piece:  # several items: what 哪些 asks for, rarely anything else
        f[f"multi:{asked.kind}"] = 1.0
    if asked.unit or span.unit:
        same = bool(asked.unit and span.unit and lexicon.family(asked.unit) == lexicon.family(span.unit))
        f["u_same"] = float(same)
        f["u_differs"] = float(bool(asked.unit and span.unit) and not same)
        f["u_missing"] = float(bool(asked.unit) and not span.unit)
    question_chars = set(asked.text)
    echoed = question_chars - _DIGITS  # a figure sharing digits with the question's year repeats nothing of it
    f["c_in_question"] = sum(ch in echoed for ch in piece) / max(len(piece), 1)
    f["c_whole_in_question"] = float(len(piece) >= 2 and piece in asked.text)
    f["c_len"] = math.log1p(len(piece)) / 3
    f["c_len1"] = float(len(piece) == 1)
    f["c_share_of_sentence"] = len(piece) / max(len(text), 1)
    if asked.head:
        if span.kind == "number":
            around = text[max(0, span.start - 12) : span.end + 12]
            f["h_near_figure"] = float(asked.head in around)
        else:
            f["h_end"] = float(piece.endswith(asked.head))
            f["h_in"] = float(asked.head in piece)
            f["h_follows"] = float(text[span.end : span.end + len(asked.head) + 2].find(asked.head) >= 0)
    _context_features(f, asked, span, match)
    _clause_features(f, asked, span, match)
    _post_features(f, asked, span, lexicon)
    _word_features(f, span)
    _echo_features(f, asked, span)
    _stretch_features(f, asked, span, match)
    _direction_features(f, asked.text, text, span)
    left = text[max(0, span.start - WINDOW) : span.start]
    right = text[span.end : span.end + WINDOW]
    if span.kind == "number":
        before = text[max(0, span.start - 4) : span.start]
        change = any(w in before or w in span.column for w in lexicon.change_words)  # 「增长」 before it or over its column
        f["n_change_asked"] = float(change and asked.asks_change)
        f["n_change_unasked"] = float(change and not asked.asks_change)
        f["n_level_asked_change"] = float(asked.asks_change and not change)
        f["n_after_start"] = float(any(before.endswith(w) for w in lexicon.movement_start))
        f["n_after_end"] = float(any(before.endswith(w) for w in lexicon.movement_end))
        others = [m for m in NUMBER.finditer(text) if m.start() != span.start]
        f["n_others"] = min(len(others), 5) / 5
        f["n_first"] = float(all(m.start() > span.start for m in others))
        f["n_percent"] = float(span.unit in ("%", "‰", "个百分点"))
        _part_features(f, text, span.start, asked.text)
        f["n_own_said"] = _own_words_said(text, span.start, max((m.end() for m in others if m.end() <= span.start), default=0), asked.text)
        pair = span.items == 2
        several = len(_FIGURE_ASKS.findall(asked.text)) >= 2
        f["n_pair_asked"] = float(pair and several)  # 「多少批、多少人次」 is answered by 「102批2142人次」 …
        f["n_pair_unasked"] = float(pair and not several)  # … 「多少批」 by 102批 alone
        f["n_unsaid_qualifier"] = _unsaid_before(text, span.start, question_chars)
        _aspect_features(f, asked.text, text[_words_start(text, span.start, "，,。；;：:") : span.start], lexicon)
    if span.column:
        column = span.column
        f["cell_column_in_question"] = float(len(column) >= 2 and column in asked.text)
        f["cell_column_fits"] = float(any(w in column for w in COLUMN_KINDS.get(asked.kind, ())))
        f["cell_whole"] = float(span.kind == "cell")
        f["cell_row_named"] = float(_row_named(asked, text, span))
    if span.kind == "list":
        f["l_items"] = math.log(max(span.items, 1)) / 2
    f["before_deng"] = float(right.startswith("等"))
    f["after_colon"] = float(left.endswith((":", "：")))
    f["at_clause_start"] = float(not left or left[-1] in "，,。；;：: |")
    f["at_clause_end"] = float(not right or right[0] in "，,。；;：:、 (|")
    f["namelike"] = float(span.kind == "person" and 2 <= len(piece.replace(" ", "")) <= 4)
    return f


def _unsaid_before(text: str, at: int, said: set[str]) -> float:
    """The share (of six, capped) of characters before a figure, in its clause, that the question does not say.

    「35岁及以下党员5470名」 answers 「有多少名党员」 only if the question says 「35岁及以下」: the
    words that qualify a figure narrow what it counts, and unsaid ones mean another count.
    """
    start = _words_start(text, at, "，,。；;：:、（(")
    unsaid = sum(1 for ch in text[start:at][-WINDOW:] if "\u4e00" <= ch <= "\u9fff" and ch not in said)
    return min(unsaid, 6) / 6


def _part_features(f: dict[str, float], text: str, at: int, question: str) -> None:
    """Whether a figure after 「其中」 counts a part, and how much of that part's own words the question says.

    「进出口总额27.9亿元,其中出口21.4亿元,进口6.5亿元」: asked 「出口是多少」 the part the question
    names is the answer, asked 「进出口总额是多少」 the total. A part's own words run from 「其中」 or
    the last break before the figure, whichever is later.
    """
    marker = text.rfind("其中", _words_start(text, at, "。；;"), at)
    own = text[max(marker + 2, _words_start(text, at, "，,。；;：:、")) : at] if marker >= 0 else ""
    f["n_part"] = float(marker >= 0)
    f["n_part_said"] = _bigrams_said(own, question)


def _own_words_said(text: str, at: int, previous_end: int, question: str) -> float:
    """The share of a figure's own words that the question says: the bigrams from the last break or figure before it.

    「共命名表彰四星级党组织188个、五星级党组织17个」: asked about 五星级党组织, the 17 has all of its
    own words said, the 188 not 「四星」.
    """
    start = max(_words_start(text, at, "，,。；;：:、（(|"), previous_end)
    start += 2 * text.startswith("其中", start)  # 「其中出口」: the part's own word is 出口
    return _bigrams_said(text[start:at], question)


def _bigrams_said(words: str, question: str) -> float:
    """The share of the character bigrams of ``words``' CJK characters (its one character, if one) that the question holds.

    Bigrams, so 「进口」 is not said by 「进出口」.
    """
    cjk = "".join(ch for ch in words if "\u4e00" <= ch <= "\u9fff")
    pairs = [cjk[i : i + 2] for i in range(len(cjk) - 1)] or list(cjk)
    return sum(p in question for p in pairs) / len(pairs) if pairs else 0.0


_FIGURE_ASKS = re.compile(r"多少|几")


def _words_start(text: str, at: int, marks: str) -> int:
    """Where the run of words ending at ``at`` starts: just after the last of ``marks`` before it."""
    return max(text.rfind(mark, 0, at) for mark in marks) + 1


def _aspect_features(f: dict[str, float], question: str, before: str, lexicon: Lexicon) -> None:
    """Whether the figure is a rate, a year's additions or a stock, against what the question says.

    「全市医院一共有多少张病床」 is not 「每千人拥有病床4.3张」; 「累计有多少人」 is not 「新增……13人」.
    """
    for aspect, words in (("rate", lexicon.rate_words), ("flow", lexicon.flow_words), ("stock", lexicon.stock_words)):
        given = any(w in before for w in words)
        asked = any(w in question for w in words)
        f[f"n_{aspect}_unasked"] = float(given and not asked)
        f[f"n_{aspect}_asked_not_given"] = float(asked and not given)


def _kind_agreement(asked: str, span: str) -> dict[str, float]:
    """Whether the span is of the kind asked, or of a kind that cannot answer it.

    The per-pair indicators above learn each pair on its own data; these two pool every pair,
    so a person question is steered off a date as firmly as a number question is off a name.
    """
    same = asked == span
    clash = asked in TYPED_ASKS and span != "cell" and not same and (span in PATTERN_KINDS or asked in PATTERN_KINDS)
    return {"kind_same": float(same), "kind_clash": float(clash)}


RELATIVE = ("ctx_left", "ctx_left_cue", "ctx_right_cue", "clause_unique", "clause_cue", "dist", "s_cov", "h_near_figure", "n_own_said")


def _row_named(asked: Asked, row: str, span: Span) -> bool:
    """The question names another cell of the span's row, whole or one of its 、-items.

    「黑河市市长是谁」 names the role cell 「市委副书记、市长」 (its item 市长) of the row whose
    name cell is the answer, but not 「副市长」; 「于晓东是什么职务」 names the name cell.
    """
    position = 0
    for cell in row.split(" | "):
        inside = position <= span.start < position + len(cell)
        position += len(cell) + 3
        if inside:
            continue
        items = [cell.strip(), *re.split(r"[、,，;；]", cell)]
        if any(len(item.strip()) >= 2 and item.strip() in asked.text for item in items):
            return True
    return False


def add_relative_features(spans: Sequence[Span]) -> None:
    """Each key feature minus its best value among the question's spans of the same kind (a ranking signal)."""
    best: dict[tuple[str, str], float] = {}
    for span in spans:
        for name in RELATIVE:
            key = (span.kind, name)
            best[key] = max(best.get(key, float("-inf")), span.features.get(name, 0.0))
    for span in spans:
        for name in RELATIVE:
            span.features[f"rel:{name}"] = span.features.get(name, 0.0) - best[(span.kind, name)]


MAX_LEAD = 3.0  # a lead over the runner-up beyond this says nothing more
MAX_SCORE = 6.0  # span log-odds beyond ±this are as sure as it gets


CARRIED = ("kind_same", "kind_clash", "u_same", "u_missing", "c_whole_in_question", "c_overlaps_term", "s_cov", "at_clause_start")


def confidence_features(ranked: Sequence[Span], asked_kind: str = "") -> dict[str, float]:
    """How sure the best span is: its score, its leads, its kinds and a few of its own features (``ranked`` best first).

    A span the model scores low may still be sure when nothing else in the evidence comes close;
    the lead is what the span model, scoring each span alone, cannot see. Two leads tell a sure
    place from a sure span: over the best span with other words (often the same name cut
    another way) and over the best span elsewhere (another figure, another sentence). Kinds
    matter because a figure of the asked unit is seldom wrong once found, a name's ends often are.
    """
    if not ranked:
        return {}
    top = ranked[0]
    runner_up = next((s.score for s in ranked[1:] if s.text.strip() != top.text.strip()), top.score - MAX_LEAD)
    elsewhere = next((s.score for s in ranked[1:] if not overlaps(s, top)), top.score - MAX_LEAD)
    features = {
        "top_score": top.score,
        "lead": min(MAX_LEAD, top.score - runner_up),
        "lead_elsewhere": min(MAX_LEAD, top.score - elsewhere),
        f"top:{top.kind}": 1.0,
        f"ask:{asked_kind}": 1.0,
    }
    features.update({f"top_{name}": top.features[name] for name in CARRIED if name in top.features})
    return features


def overlaps(a: Span, b: Span) -> bool:
    """Two spans of one sentence that share characters (the same answer cut two ways)."""
    return a.sentence is b.sentence and a.start < b.end and b.start < a.end


def _context_features(f: dict[str, float], asked: Asked, span: Span, match: SentenceMatch) -> None:
    """How much of the question (and of its words beside the cue) stands right before or after the span."""
    terms = asked.terms
    total_near = sum(t.near_cue * t.weight for t in terms) or 1.0
    left = right = left_near = right_near = 0.0
    distance = 99
    for start, end, index in match.hits:
        term = terms[index]
        if end <= span.start:
            gap = span.start - end
            if gap < WINDOW:
                left += term.weight / asked.weight
                left_near += term.near_cue * term.weight / total_near
            distance = min(distance, gap)
        elif start >= span.end:
            gap = start - span.end
            if gap < WINDOW:
                right += term.weight / asked.weight
                right_near += term.near_cue * term.weight / total_near
            distance = min(distance, gap)
        else:
            f["c_overlaps_term"] = 1.0
    f["ctx_left"] = left
    f["ctx_right"] = right
    f["ctx_left_cue"] = left_near
    f["ctx_right_cue"] = right_near
    f["dist"] = 1.0 / (1 + distance)
    f["adjacent"] = float(distance <= 1)


def _clause_features(f: dict[str, float], asked: Asked, span: Span, match: SentenceMatch) -> None:
    """The question's share held by the span's own clause, and by that clause alone in the sentence."""
    own = next((c for c in match.clauses if c[0] <= span.start < c[1]), None)
    if own is None:
        return
    others = frozenset().union(*(c[2] for c in match.clauses if c is not own))
    weight = lambda ids: sum(asked.terms[i].weight for i in ids) / asked.weight  # noqa: E731
    near = lambda ids: sum(asked.terms[i].near_cue * asked.terms[i].weight for i in ids) / asked.weight  # noqa: E731
    f["clause_cov"] = weight(own[2])
    f["clause_unique"] = weight(own[2] - others)
    f["clause_cue"] = near(own[2])
    f["clause_count"] = min(len(match.clauses), 6) / 6


def _post_features(f: dict[str, float], asked: Asked, span: Span, lexicon: Lexicon) -> None:
    """Whether the post the question names (and the body it is of) is the span's.

    A span's post is the last post written before it in its clause or row (「县委书记:周德明,
    县长:孙立平」: 孙立平's is 县长), else the first after it (「孙立平任县长」). 「沂南县公安局局长是谁」
    is not answered by the row 「县委常委、纪委书记 | 徐振华」, nor 「县长是谁」 by a 副县长. The
    body is looked for in the span's sentence and the entry's title. A row or clause saying its
    holder left the post (「陈志刚 | (2019年3月调离)」) is marked too.
    """
    if not asked.role:
        return
    text = span.sentence.folded
    if span.sentence.is_row:
        start, end = 0, len(text)
    else:
        start = _words_start(text, span.start, _HARD_BREAKS)
        end = min((at for at in (text.find(mark, span.end) for mark in _HARD_BREAKS) if at >= 0), default=len(text))
    before = [m.group(0) for m in POST.finditer(text, start, span.start)]
    after = [m.group(0) for m in POST.finditer(text, span.end, end)]
    post = before[-1] if before else after[0] if after else ""
    if asked.role in lexicon.leader_words:  # 「一把手」: any post that heads a body, no deputy's, or the word itself
        f["post_said"] = float(post in lexicon.top_posts or asked.role in text[start:end])
    else:
        f["post_said"] = float(post == asked.role or (post.endswith(asked.role) and not post.startswith("副")))
    f["post_left"] = float(any(w in text[start:end] for w in lexicon.left_words))  # 「(2019年3月调离)」: held no more
    if asked.role_body:
        core = asked.role_body.removeprefix("中共").removeprefix("人民")
        f["post_body_said"] = float(any(v in text or v in span.sentence.context for v in lexicon.variants(core)))


_HARD_BREAKS = "，,。；;"
_DIGITS = frozenset("0123456789")


def _word_features(f: dict[str, float], span: Span) -> None:
    """Parts of speech at and around the span's edges (learned from data, noisy tags included)."""
    if span.first < 0:
        return
    tokens = tokenize(span.sentence)
    f[f"pf:{tokens[span.first][3][:2]}"] = 1.0
    f[f"pl:{tokens[span.last][3][:2]}"] = 1.0
    f[f"pp:{tokens[span.first - 1][3][:2] if span.first > 0 else '^'}"] = 1.0
    f[f"pn:{tokens[span.last + 1][3][:2] if span.last + 1 < len(tokens) else '$'}"] = 1.0
    f["words"] = min(span.last - span.first + 1, 7) / 7
    inner = [t[3] for t in tokens[span.first + 1 : span.last]]
    f["inner_verbs"] = min(sum(tag == "v" for tag in inner), 3) / 3  # a name holds no verb between its edges …
    f["inner_preposition"] = float(any(tag.startswith("p") for tag in inner))  # … nor a preposition (「被」「在」)


def _stretch_features(f: dict[str, float], asked: Asked, span: Span, match: SentenceMatch) -> None:
    """Where the span lies against the stretches of its clause that the question's words leave open.

    「庆元县哪种作物的耕种收综合机械化率达到了76.5%」 leaves open only 「水稻」 of 「水稻耕种收综合机械化率达到76.5%」:
    the span that is that stretch fills the question's gap; one inside it is cut short, one
    over it runs into words the question says. A clause without any question word aligns nothing.
    """
    if match.open is None:
        match.open = open_clauses(asked, span.sentence, match.clauses, match.hits, FEATURE_MAX_LENGTH)
    clause = next((c for c in match.open if c.start <= span.start < c.end), None)
    if clause is None or not clause.covered:
        f["g_clause_unmatched"] = 1.0
        return
    stretches = clause.open
    f["g_covered_share"] = sum(max(0, min(e, span.end) - max(s, span.start)) for s, e in clause.covered) / max(span.end - span.start, 1)
    f["g_stretches"] = min(len(stretches), 4) / 4
    exact = any((span.start, span.end) in ((o.start, o.end), (o.start, o.headed_end)) for o in stretches)
    f["g_is_stretch"] = float(exact)
    f["g_only_stretch"] = float(exact and len(stretches) == 1)
    f["g_in_stretch"] = float(not exact and any(o.start <= span.start and span.end <= o.headed_end for o in stretches))
    f["g_start_at_edge"] = float(any(span.start == o.start for o in stretches))
    f["g_end_at_edge"] = float(any(span.end in (o.end, o.headed_end) for o in stretches))
    f["g_spans_stretch"] = float(not exact and any(span.start <= o.start and o.headed_end <= span.end for o in stretches))


def _echo_features(f: dict[str, float], asked: Asked, span: Span) -> None:
    """Whether the words at the span's ends, and the words just outside them, are words the question says.

    An answer is what the question does not say: 「县电视台高清演播室」 begins with the question's
    县电视台, 「毛竹资源」 ends with its 资源 (the head, which has features of its own, is not
    counted here). A question word right outside the span marks where the answer stops.
    """
    if span.first < 0:
        return
    tokens = tokenize(span.sentence)
    said = lambda at: 0 <= at < len(tokens) and len(tokens[at][2]) >= 2 and tokens[at][2] in asked.text  # noqa: E731
    f["e_first_said"] = float(said(span.first))
    f["e_last_said"] = float(said(span.last) and tokens[span.last][2] != asked.head)
    f["e_before_said"] = float(said(span.first - 1))
    f["e_after_said"] = float(said(span.last + 1))


_DIRECTION = re.compile(  # a compass direction used as one: 「东边」「以北」「南连」「西与」「南北长」, not 「河东区」「山东」
    rf"(东西|南北)(?=[方长宽走向])|(东南|东北|西南|西北|[东西南北])(?=[边面侧部端方与{BORDER_VERBS}])|以([东西南北])"
)


@lru_cache(maxsize=4096)  # asked once per span of a question, and once per span of a clause
def directions(text: str) -> frozenset[str]:
    """The compass directions a text uses as directions (「东边和哪些县挨着」 → {东})."""
    return frozenset(next(g for g in m.groups() if g) for m in _DIRECTION.finditer(text))


def _direction_features(f: dict[str, float], question: str, text: str, span: Span) -> None:
    """Whether the span's clause marks the direction the question asks (only for a question that asks one).

    「东与莒县、莒南县相邻,西与蒙阴县、费县接壤」 answers 「东边和哪些县挨着」 with the clause that
    starts 东与; the other clause shares every word but the one character that matters.
    """
    asked = directions(question)
    if not asked:
        return
    clause = next((m for m in _CLAUSE.finditer(text) if m.start() <= span.start < m.end()), None)
    marked = directions(clause.group()) if clause else frozenset()
    f["d_same"] = float(bool(asked & marked))
    f["d_other"] = float(bool(marked) and not asked & marked)
    f["d_unmarked"] = float(not marked)


def evidence_features(
    asked: Asked,
    ranked: Sequence[Span],
    matches: Sequence[SentenceMatch],
    confidence: float,
    year_unheld: bool,
    similarity: float = 0.0,
    absent: Sequence[Term] = (),
) -> dict[str, float]:
    """Question-level features for the refusal model: how well the best answer and all the evidence fit.

    The best span's own score (log-odds, low when nothing in the evidence looks like an answer)
    and ``confidence``, how sure it is against the other spans, are both among them, and so are
    how close in meaning the best span's sentence and the closest read sentence (``similarity``)
    are to the question: a question the yearbook does not answer shares words with the evidence
    more often than meaning. ``absent`` are the question's words that the searched yearbooks never
    say: an absent noun (「臭氧」, 「二等奖」) is a thing the yearbook does not record, where an
    absent verb or pronoun (「花」, 「那个」) is only the asker's wording.
    """
    best = ranked[0] if ranked else None
    second = ranked[1].score if len(ranked) > 1 else (best.score - 5.0 if best else 0.0)
    widest = max(matches, key=lambda m: m.cov, default=None)
    own_text = best.sentence.folded + best.sentence.context if best else ""
    found = 0.0
    missing_max = missing_noun_max = 0.0
    for term in asked.terms:
        if any(v in own_text for v in term.variants):
            found += term.weight
        else:
            missing_max = max(missing_max, term.weight)
            missing_noun_max = max(missing_noun_max, term.weight if term.noun else 0.0)
    own = best.features if best else {}
    anywhere = {index for m in matches for index in m.found}
    broken = broken_compounds(asked, own_text)
    unread = [t for i, t in enumerate(asked.terms) if i not in anywhere]
    return {
        "e_missing_everywhere": max((t.weight for t in unread), default=0.0),  # the heaviest question word no read sentence holds
        "e_missing_noun_everywhere": max((t.weight for t in unread if t.noun), default=0.0),  # … of its nouns
        "e_absent_max": max((t.weight for t in absent), default=0.0),  # … and that the yearbooks never say
        "e_absent_noun_max": max((t.weight for t in absent if t.noun), default=0.0),
        "e_best_score": max(-MAX_SCORE, min(MAX_SCORE, best.score if best else -MAX_SCORE)) / MAX_SCORE,
        "e_confidence": confidence,
        "e_margin": min((best.score - second) if best else 0.0, 5.0) / 5,
        "e_cov_widest": widest.cov if widest else 0.0,
        "e_cov_own": found / asked.weight,
        "e_cov_own_sentence": own.get("s_cov_sentence", 0.0),
        "e_bigrams_own": own.get("s_bigrams", 0.0),
        "e_clause_cov": own.get("clause_cov", 0.0),
        "e_missing_max": missing_max,  # the heaviest question word the best span's sentence lacks …
        "e_missing_noun_max": missing_noun_max,  # … of its nouns: the thing asked about, not the asker's wording
        "e_year_conflict": own.get("s_year_conflict", 0.0),
        "e_year_unheld": float(year_unheld),
        "e_kind_number": float(asked.kind == "number"),
        "e_kind_yesno": float(asked.kind == "yesno"),
        "e_best_kind_same": own.get("kind_same", 0.0),  # the best answer is of the kind asked …
        "e_best_kind_clash": own.get("kind_clash", 0.0),  # … or of a kind that cannot answer
        "e_best_unit_differs": own.get("u_differs", 0.0),
        "e_best_unit_missing": own.get("u_missing", 0.0),
        "e_best_unsaid_qualifier": own.get("n_unsaid_qualifier", 0.0),  # its figure counts something narrower
        "e_head_not_near": float(bool(asked.head) and best is not None and best.kind == "number" and not own.get("h_near_figure")),
        "e_post_unsaid": float(bool(asked.role) and not own.get("post_said")),  # the post asked is not the best span's
        "e_post_body_unsaid": float(bool(asked.role_body) and not own.get("post_body_said")),
        "e_compound_broken": float(bool(broken)),  # 「花生总产量」 asked, 「粮食总产量」 read: a sibling of what is asked
        "e_compound_broken_share": len(broken) / len(asked.compounds) if asked.compounds else 0.0,
        "e_best_sim": own.get("s_sim", 0.0),
        "e_sim_max": similarity,
    }


def broken_compounds(asked: Asked, text: str) -> list[tuple[str, str]]:
    """The question's written-together term pairs of which ``text`` holds one word but not the pair.

    A yearbook that says 「粮食总产量」 and 「全县第一中学」 records neither 「花生总产量」 nor
    「第三中学」: the word it shares with the question sits next to another qualifier.
    """
    return [(a, b) for a, b in asked.compounds if a + b not in text and (a in text) != (b in text)]
