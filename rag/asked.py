"""The question's defining words: the noun a 多少/哪个 asks about, the role before 是谁, its superlative and its contrast."""

from __future__ import annotations

import re

from rag.text import _jieba, normalise

_COUNT = re.compile(r"(?:多少|几)(?:人次|批次|家次|个工作日|[名批家个项次条场支所卷件篇期字天位元套台张户座处部本册辆笔起])?")
_WHICH = re.compile(r"(?:哪|什么)(?:个|位|所|家|种|项|类)?")
_STOP = re.compile(r"[的是在了吗呢啊呀？?，,。；;、\s“”《》()（）]")
_ROLE = re.compile(r"([\u4e00-\u9fff]{2,6})(?:是谁|是哪位|叫什么名字|姓什么)")
_SUPERLATIVE = re.compile(r"最(?:多|少|大|小|高|低|早|晚|长|短|先|后)")
_OFFICE = re.compile(r"(?:副|总)?(?:主任|书记|部长|局长|主席|市长|省长|县长|区长|董事长|总裁|社长|经理|负责人|校长|院长|所长|处长|科长|队长|会长|秘书长)")
_PERSON_SUFFIX = re.compile(r"(?:人才|人员|人士|人|者|员|生|兵)$")


def asked_noun(question: str) -> str:
    """The noun right after 多少(+unit) or 哪个/什么 (「多少名新兵」 → 「新兵」), or ''."""
    q = normalise(question)
    for pattern in (_COUNT, _WHICH):
        match = pattern.search(q)
        if match:
            rest = q[match.end() :]
            if rest[:1] == "人":  # 「多少人参加」: what follows is the verb
                return ""
            stop = _STOP.search(rest)
            noun = rest[: stop.start()] if stop else rest
            if len(noun) > 8:  # 「学生军训教官完成…」: the leading nouns, before the verb
                noun = _leading_nouns(noun)
            return noun if re.fullmatch(r"[\u4e00-\u9fff]{2,8}", noun) else ""
    return ""


def _leading_nouns(text: str) -> str:
    """The nouns a phrase opens with (jieba's part-of-speech tags), up to its first verb or preposition."""
    import jieba.posseg

    _jieba()
    words = []
    for pair in jieba.posseg.lcut(text):
        if not pair.flag.startswith("n"):
            break
        words.append(pair.word)
    return "".join(words)


def asks_person_count(question: str) -> bool:
    """「多少外国人才」, 「多少入境人员」: a count of people, whatever the measure word."""
    noun = asked_noun(question)
    return bool(noun) and bool(_COUNT.search(normalise(question))) and bool(_PERSON_SUFFIX.search(noun))


def role_noun(question: str) -> str:
    """The role a 是谁 question asks to fill (「宣传部门的负责人是谁」 → 「负责人」), or ''."""
    match = _ROLE.search(normalise(question))
    if not match:
        return ""
    words = re.split(r"的", match.group(1))
    role = words[-1]
    if len(role) > 3:  # 「区管委会主任」: an office title closing the role is what the evidence must say
        last = _jieba().lcut(role)[-1]  # type: ignore[attr-defined]
        role = last if _OFFICE.fullmatch(last) else role
    return role if len(role) >= 2 else ""


def head(noun: str) -> str:
    """The head of a noun phrase: its last two characters (「具体整改措施」 → 「措施」)."""
    return noun[-2:]


def superlatives(question: str) -> list[str]:
    """Superlatives the question asks about (「人口最多」 → 「最多」): the evidence must say them."""
    return _SUPERLATIVE.findall(normalise(question))


def contrasted(question: str, text: str) -> bool:
    """The text says the question's term with one numeral changed (二等奖 ↔ 一等奖) and never the asked one."""
    q, s = normalise(question), normalise(text)
    for match in re.finditer(r"(?<!哪)[一二三四五六七八九十两]", q):
        i = match.start()
        for lo, hi in ((i, i + 3), (i - 2, i + 1)):
            piece = q[max(lo, 0) : hi]
            if len(piece) < 3 or piece in s or not re.fullmatch(r"[\u4e00-\u9fff]+", piece):
                continue
            j = i - lo
            pattern = re.escape(piece[:j]) + "([一二三四五六七八九十两])" + re.escape(piece[j + 1 :])
            found = re.search(pattern, s)
            if found and found.group(1) != q[i]:
                return True
    return False


def counted_noun_fit(question: str, quote: str, start: int, end: int) -> float:
    """How well the figure at ``quote[start:end]`` counts what the question asks (「多少名新兵」).

    The share of the asked noun's bigrams in the words right after the figure (「26项具体整改措施」:
    1; 「800余名新生军训任务」 for 「学生军训教官」: 0.2), or 1 when the noun precedes it in its clause
    (「签约项目239个」, 「推出新品菜点306个」 for 「新菜」, its characters in order); -1 when another
    noun follows it and the asked one is nowhere in the clause; else 0.
    """
    noun = asked_noun(question)
    if not noun or not _COUNT.search(normalise(question)):
        return 0
    grams = {noun[i : i + 2] for i in range(len(noun) - 1)}
    follow = re.match(r"[\u4e00-\u9fff]{0,8}", quote[end:]).group()  # type: ignore[union-attr]
    share = sum(g in follow for g in grams) / len(grams)
    clause_start = max(quote.rfind(p, 0, start) for p in "，,；;。：:") + 1
    before = quote[max(clause_start, start - len(noun) - 4) : start]
    if any(g in quote[max(clause_start, start - len(noun) - 2) : start] for g in grams) or _in_order(noun, before):
        return 1  # 「签约项目239个」
    if share:
        return share
    if any(g in quote[clause_start:start] for g in grams):
        return 0
    return -1 if follow else 0


def _in_order(noun: str, text: str) -> bool:
    """Every character of ``noun`` appears in ``text``, in order (「新菜」 in 「新品菜点」)."""
    at = 0
    for ch in noun:
        at = text.find(ch, at) + 1
        if not at:
            return False
    return True


def lacks_defining_word(question: str, context: str) -> bool:
    """The evidence lacks what the question is about: the role it asks to fill or its superlative."""
    text = normalise(context)
    role = role_noun(question)
    if role and not any(role[i : i + 2] in text for i in range(len(role) - 1)):
        return True
    return any(s not in text for s in superlatives(question))


def counted_predicate(question: str) -> str:
    """The verb closing what a 多少 question counts (「多少名实习生在原单位就地入职」 → 「入职」), or ''."""
    q = normalise(question)
    noun = asked_noun(q)
    if not noun or not _COUNT.search(q):
        return ""
    rest = q[q.find(noun) + len(noun) :]
    rest = re.sub(r"(?:[了的呢吗啊]|[？?。！!\s])+$", "", rest)
    if len(rest) < 4 or _COUNT.search(rest) or not re.fullmatch(r"[\u4e00-\u9fff]{2}", rest[-2:]):
        return ""
    return rest[-2:]


def lacks_predicate(question: str, context: str) -> bool:
    """The evidence never says what the counted people or things did (the question's closing verb)."""
    verb = counted_predicate(question)
    return bool(verb) and verb not in normalise(context)

