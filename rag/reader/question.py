"""What a question asks: the kind of answer, the unit, a change or a level, its years and its weighted terms."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rag.reader.lexicon import MAGNITUDES, Lexicon, load_lexicon
from rag.schema import ROLE_WORDS
from rag.text import INTERROGATIVE, STOPWORDS, _jieba, normalise_question, years_in

_BEFORE_CUE = re.compile(r"(?<=[\u4e00-\u9fff])([有是为达共约])(?=多少|几|哪|什么|谁)")
_PART_BREAK = re.compile(r"[？?；;]+")
_CLAUSE_BREAK = re.compile(r"[，,]")
_WORD = re.compile(r"[\u3400-\u9fffa-z0-9]")
_CJK = re.compile(r"[\u3400-\u9fff]+")
_WHICH_COUNT = re.compile(r"(?<=哪)\d+")  # normalised counts are digits: 「哪9个镇」 asks for a list as 「哪几个镇」 does
NOUN_TAGS = frozenset({"n", "nr", "nrfg", "nrt", "ns", "nt", "nz", "vn", "eng", "j", "l"})  # jieba's tags of nouns, abbreviations, set phrases
_FILLER = frozenset(
    "请问 一下 呢 啊 吧 了 的 是 在 有 和 与 及 共 都 又 还 也 这 那 其 该 此 个 年 月 日 "
    "去年 今年 本年 本年度 那年"  # the year a yearbook covers, said relative to the asker: the yearbook's own year
    .split()
)


@dataclass(frozen=True)
class Term:
    """A content word of the question, its weight (IDF) and the words that count as it."""

    text: str
    weight: float
    variants: frozenset[str]
    near_cue: float = 0.5  # 1 right beside the cue word (「党组织有多少个」), falling with distance
    noun: bool = False  # tagged a noun (names and set phrases included): what a yearbook would have to say


@dataclass(frozen=True)
class Asked:
    """The analysed question."""

    text: str  # normalised
    kind: str  # one of lexicon.ANSWER_KINDS
    cue: str
    unit: str  # the unit asked for (多少人 → 人), "" when none
    asks_change: bool
    years: tuple[int, ...]
    terms: tuple[Term, ...] = field(default_factory=tuple)
    head: str = ""  # the noun the cue asks about: 哪个社工委 → 社工委, 多少个五星级党组织 → 五星级党组织
    role: str = ""  # the post the question names: 公安局局长 → 局长, 政协副主席 → 副主席
    role_body: str = ""  # the body that post is of: 公安局局长 → 公安局, 县委秘书长 → 县委
    compounds: tuple[tuple[str, str], ...] = ()  # terms written one right after the other: (花生, 总产量), (第三, 中学)

    @property
    def weight(self) -> float:
        """The sum of the term weights."""
        return sum(t.weight for t in self.terms) or 1.0


@lru_cache(maxsize=1)
def _idf_table() -> tuple[dict[str, int], float]:
    jieba = _jieba()
    dt = jieba.dt  # type: ignore[attr-defined]
    dt.check_initialized()
    return dt.FREQ, float(dt.total)


def idf(word: str) -> float:
    """Inverse frequency of a word in jieba's bundled dictionary (rare and unknown words weigh most)."""
    freq, total = _idf_table()
    count = freq.get(word, 0)
    return min(math.log(total / (count + 1.0)), 16.0) / 16.0 * (0.5 if word.isdigit() else 1.0)


def _noun_chars(text: str) -> list[bool]:
    """Whether each character of ``text`` stands in a word jieba's tagger calls a noun.

    Read by position, because the tagger cuts its own way: it may see one name (「孔令军」, nr)
    where the term cut sees three characters, and a word's tag must not depend on that.
    """
    import jieba.posseg

    _jieba()
    out: list[bool] = []
    for pair in jieba.posseg.lcut(text):
        out.extend([pair.flag in NOUN_TAGS] * len(pair.word))
    return out


def _is_noun(noun_chars: Sequence[bool], start: int, end: int) -> bool:
    """Whether most characters of the word at ``start:end`` are tagged as a noun's."""
    return 2 * sum(noun_chars[start:end]) >= end - start


def dictionary_words(word: str) -> list[str]:
    """A word jieba's dictionary knows, or the dictionary words an unknown one is made of.

    jieba's HMM glues unknown runs into words (「2019年县纪委」 → 年县, 「11月17日来」 → 日来);
    such a word is never in the yearbook, and as a term it would weigh most and always be
    missing. Its dictionary pieces (年, 县) are what the question says. Words in the dictionary,
    names included (嘉祥县, 鱼台县), and words of digits or Latin letters are kept whole.
    """
    freq, _ = _idf_table()
    if len(word) < 2 or freq.get(word, 0) > 0 or not _CJK.fullmatch(word):
        return [word]
    return _jieba().lcut(word, HMM=False)  # type: ignore[attr-defined]


def _find_cue(text: str, lexicon: Lexicon) -> tuple[str, str, int]:
    """The first lexicon cue (longest first) as the question writes it, its kind and where it stands.

    A count after 哪 is read as 几 (「哪7个机构」 asks what 「哪几个机构」 asks).
    A yes/no form outranks a topic cue: 「党员人数超过3万名了吗」 asks whether, not how many;
    inside a request (「能告诉我党员人数吗」) it is no cue at all.
    """
    probe = _WHICH_COUNT.sub(lambda m: "几" * len(m.group(0)), text)
    request = any(frame in text for frame in lexicon.requests)
    found = [(cue, kind, at) for cue, kind in lexicon.cues if (at := probe.find(cue)) >= 0 and not (request and kind == "yesno")]
    if not found:
        return "", "what", -1
    if not any(INTERROGATIVE.search(cue) for cue, kind, _ in found if kind != "yesno"):
        found = [f for f in found if f[1] == "yesno"] or found
    cue, kind, at = found[0]
    return text[at : at + len(cue)], kind, at


def _asked_unit(text: str, cue: str, at: int, lexicon: Lexicon) -> str:
    if at < 0:
        return ""
    after = text[at + len(cue):]
    for unit in lexicon.units:
        if after.startswith(unit) or any(after.startswith(m + unit) for m in MAGNITUDES):
            return unit
    return ""


def analyse(question: str, lexicon: Lexicon | None = None) -> Asked:
    """Analyse one (sub-)question."""
    lexicon = lexicon or load_lexicon()
    text = normalise_question(question)
    cue, kind, at = _find_cue(text, lexicon)
    unit = _asked_unit(text, cue, at, lexicon) if kind == "number" else ""
    cue_chars = set(range(at, at + len(cue) + len(unit))) if at >= 0 else set()
    terms: dict[str, Term] = {}
    compounds: list[tuple[str, str]] = []
    previous = (-1, "")  # where the last term ended, and the term
    position = 0
    split = _BEFORE_CUE.search(text)  # 「示范社有多少」: keep 「有」 off the noun before the cue
    pieces = [text[: split.start()], text[split.start() :]] if split else [text]
    words = [w for piece in pieces for word in _jieba().lcut(piece) for w in dictionary_words(word)]  # type: ignore[attr-defined]
    noun_chars = _noun_chars(text)
    for word in words:
        start, end = position, position + len(word)
        position = end
        if not _WORD.search(word) or word in STOPWORDS or word in _FILLER or set(range(start, end)) & cue_chars:
            continue
        if at < 0:
            near = 0.5
        else:
            gap = at - end if end <= at else start - (at + len(cue) + len(unit))
            near = 1.0 / (1.0 + max(gap, 0) / 3.0)
        known = terms.get(word)
        if known is None or known.near_cue < near:
            terms[word] = Term(word, idf(word), lexicon.variants(word), near, _is_noun(noun_chars, start, end))
        if previous[0] == start and not (word.isdigit() or previous[1].isdigit()):
            compounds.append((previous[1], word))
        previous = (end, word)
    head = _head(text, at + len(cue) + len(unit)) if at >= 0 else ""
    if not head and len(cue) > 2 and cue[:2] in ("哪个", "什么", "哪家", "哪所", "哪座", "哪位", "哪项"):
        head = cue[2:]
    role, role_body = asked_role(text, [t.text for t in terms.values()], lexicon)
    return Asked(
        head=head,
        role=role,
        role_body=role_body,
        compounds=tuple(compounds),
        text=text,
        kind=_typed_kind(kind, head, text[:at], text[at + len(cue) :], lexicon) if at >= 0 else kind,
        cue=cue,
        unit=unit,
        asks_change=any(w in text for w in lexicon.change_words),
        years=tuple(years_in(text)),
        terms=tuple(terms.values()),
    )


POST = re.compile("(副?)(" + "|".join(sorted(ROLE_WORDS, key=len, reverse=True)) + ")(?!会)")  # 委员会 is a body


def asked_role(text: str, words: list[str], lexicon: Lexicon) -> tuple[str, str]:
    """The post a question names and the body it belongs to (「沂南县公安局局长是谁」 → 局长, 公安局).

    The post is the last role word written (「人大常委会主任」 → 主任), with a 副 before it kept;
    with none, a word for whoever heads a body (「政协的一把手」 → 一把手) stands for the post.
    The body is the question word written right before the post, or the rest of the word the
    post ends (「县委书记」 → 县委), when it ends like a body's name (局, 委, 院, 政协…); a
    place before the post (「沂南县长」) is not a body.
    """
    found = list(POST.finditer(text))
    if found:
        role, post, at = found[-1].group(0), found[-1].group(2), found[-1].start()
    else:
        leader = next((w for w in lexicon.leader_words if w in text), "")
        if not leader:
            return "", ""
        role, post, at = leader, leader, text.find(leader)
    before = text[:at].removesuffix("的")
    glued = [w[: -len(post)] for w in words if w.endswith(post) and len(w) > len(post)]
    candidates = glued + sorted((w for w in words if before.endswith(w)), key=len, reverse=True)
    body = next((w for w in candidates if w.endswith(lexicon.org_suffixes)), "")
    return role, body


_COUNTED = re.compile(r"^[几两一二三四五六七八九十\d]*[个所家位项名条种类届批次件场座]?")
_SAYS = re.compile(r"(?:的|是|叫|叫做|名叫|为)+$")
_TYPED = frozenset({"person", "org", "place", "date"})  # kinds a cue word after 「什么」 may give


def _typed_kind(kind: str, head: str, before: str, after: str, lexicon: Lexicon) -> str:
    """The kind a 「什么」 question asks once its subject and the words after its cue are read.

    A name asked of a role is a person's (「主任叫啥」「纪委书记叫什么名字」); a name asked of a
    place or a body is a place's or a body's (「这个村叫什么名字」); a typed cue word after the cue
    gives its kind (「一把手叫什么名字」 → person); a cue's head or subject that names people does too
    (「哪个学生」, 「考上北大的学生叫啥」).
    Other 「什么」 questions stay open (what).
    """
    if kind != "what":
        return kind
    if head and head.endswith(lexicon.people_words):
        return "person"
    typed = next((k for cue, k in lexicon.cues if k in _TYPED and after.startswith(cue)), "")
    subject = _SAYS.sub("", before)
    if subject.endswith(lexicon.people_words):
        return "person" if not head or typed == "person" else kind
    if typed == "person" and subject.endswith(lexicon.place_suffixes):
        return "place"
    if typed == "person" and subject.endswith(lexicon.org_suffixes):
        return "org"
    return typed or kind


_HEAD_STOP = frozenset("vpcudrxyzeo")


def _head(text: str, at: int) -> str:
    """The words right after the cue (and its unit) up to the first verb or particle, at most 8 characters."""
    import jieba.posseg

    rest = _COUNTED.sub("", text[at:])
    head = ""
    for pair in jieba.posseg.lcut(rest):
        if pair.flag[:1] in _HEAD_STOP or not _WORD.search(pair.word) or len(head) + len(pair.word) > 8:
            break
        head += pair.word
    return head


def split_parts(question: str) -> list[str]:
    """Sub-questions of a question that asks several things (「…多少人？…哪天？」), else the question itself.

    A question splits at 「？」/「；」, and at a comma when the clauses on both sides hold a cue word.
    """
    lexicon = load_lexicon()
    pieces = _asking_pieces([p.strip() for p in _PART_BREAK.split(question) if p.strip()], lexicon)
    parts: list[str] = []
    for piece in pieces:
        clauses = [c for c in _CLAUSE_BREAK.split(piece) if c.strip()]
        cued = [any(cue in c for cue, _ in lexicon.cues) for c in clauses]
        if len(clauses) > 1 and sum(cued) > 1:
            current = ""
            for clause, has_cue in zip(clauses, cued):
                current = f"{current}，{clause}" if current else clause
                if has_cue:
                    parts.append(current)
                    current = ""
            if current:
                parts[-1] = f"{parts[-1]}，{current}"
        else:
            parts.append(piece)
    if len(parts) == 1:
        parts = _coordinated(parts[0], lexicon) or parts
    return parts if len(parts) > 1 else [question.strip()]


def _asking_pieces(pieces: list[str], lexicon: Lexicon) -> list[str]:
    """The pieces with each one that asks nothing joined to the one before it (the first, to the one after).

    「授权专利有多少件？不是申请量。」 asks one thing: the second piece says which figure is meant,
    it is no question of its own to answer.
    """
    asking: list[str] = []
    pending = ""
    for piece in pieces:
        if any(cue in piece for cue, _ in lexicon.cues):
            asking.append(f"{pending}，{piece}" if pending else piece)
            pending = ""
        elif asking:
            asking[-1] = f"{asking[-1]}，{piece}"
        else:
            pending = f"{pending}，{piece}" if pending else piece
    if pending:
        asking.append(pending)
    return asking


_RESPECTIVELY = re.compile(r"分别|各自|各(?=[是为有在占])")
_CONNECTOR = re.compile(r"以及|和|与|及")


def _coordinated(piece: str, lexicon: Lexicon) -> list[str]:
    """「A和B分别是多少」 asks of A and of B: one part each, the words after 「分别」 given to both.

    The split is at the last connector before 「分别」 (or 「各」), so a name holding 和
    (「住房和城乡建设局」) stays whole when it comes first; the words after must hold a cue.
    """
    marker = _RESPECTIVELY.search(piece)
    if marker is None:
        return []
    before, tail = piece[: marker.start()], piece[marker.end() :]
    connectors = list(_CONNECTOR.finditer(before))
    if not connectors or not any(cue in tail for cue, _ in lexicon.cues):
        return []
    last = connectors[-1]
    left, right = before[: last.start()], before[last.end() :]
    if len(left) < 2 or len(right) < 2:
        return []
    return [left + tail, right + tail]
