"""Tell what a question asks for from its cue words (多少, 何时, 谁, 哪些, 是否 …) and split two-part questions."""

from __future__ import annotations

import re
from typing import Literal

from rag.asked import asks_person_count

AnswerKind = Literal["number", "date", "name", "list", "yesno"]

_YESNO = re.compile(r"是否|有没有|是不是|对吗|对不对|吗[？?]?$|了吗|(?<![什怎这那])么[？?]?$")
_DATE = re.compile(
    r"何时|什么时候|啥时候|几时|哪天|哪一天|哪几天|哪一年|哪年|几月|几号|日期(?!间)|什么时间|哪个月|哪几个月|哪两个月|哪一日"
)
_NUMBER = re.compile(r"多少|几[个家项次批场支名条所人天年位万千百]|多大|多高|多长|多久|比例|占比|几成|几")
_LIST = re.compile(r"哪些|哪几|有什么|包括什么|哪[“\"]?[两三四五六七八九十]")
_ASK = re.compile(
    r"多少|几[个家项次批场支名条所人天位]|何时|什么时候|啥时候|哪天|哪一天|哪几天|哪一年|哪年|日期|什么时间|比例|"
    r"是否|有没有|谁|哪[个位所家国种些里儿几一两三四]|什么|叫啥"
)

_MEASURE = r"(?:人次|批次|家次|[人名批家个项次条场支所卷件篇期字天位元])"
# Units a question's measure word asks for (多少人 → 人/名/人次 …); the first is the natural one.
_UNIT_CUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"多少人次|几人次", ("人次",)),
    (r"多少批次|几批次", ("批次", "批")),
    (r"多少家次", ("家次",)),
    (r"多少[名位]|几[名位]", ("名", "人", "位")),
    (r"多少人|几人", ("人", "名", "人次", "位")),
    (r"多少批|几批", ("批", "批次")),
    (r"多少家|几家", ("家",)),
    (r"多少项|几项", ("项",)),
    (r"多少个|几个", ("个",)),
    (r"多少条|几条", ("条",)),
    (r"多少次|几次", ("次", "场次")),
    (r"多少场|几场", ("场", "场次")),
    (r"多少支|几支", ("支",)),
    (r"多少所|几所", ("所",)),
    (r"多少卷", ("卷",)),
    (r"多少件", ("件",)),
    (r"多少篇", ("篇",)),
    (r"多少期|几期", ("期",)),
    (r"多少字", ("字",)),
    (r"多少天|几天", ("天", "日", "个工作日", "工作日")),
    (r"多少钱|多少元|资金|金额|经费|收入|捐款|融资|投资额|奖励金", ("元",)),
    (r"比例|占比|百分之|增长率|率是多少|率为多少", ("%",)),
    (r"面积", ("平方米", "平方千米", "亩", "公顷")),
    (r"多少岁|几岁|年龄|岁数", ("岁",)),
)


def answer_kind(question: str) -> AnswerKind:
    """The kind of short answer the question asks for."""
    if _YESNO.search(question):
        return "yesno"
    if _DATE.search(question):
        return "date"
    if _LIST.search(question):
        return "list"
    if "第几" in question:  # an ordinal (第三名) is named, not counted
        return "name"
    if _NUMBER.search(question):
        return "number"
    return "name"


# A compound measure after 多少/几 (「多少篇次」, 「几个工作日」) is asked for whole, then its base.
_COMPOUND = re.compile(r"(?:多少|几)((?:[件场台卷篇架]次)|个工作日|个百分点)")
# 「…总件数是多少」: the measure before 数 is the unit asked for.
_COUNT_NOUN = re.compile(r"([件户家批项场名卷篇])数(?:是|为|有|共|一共|总共)?(?:多少|几)")


def expected_units(question: str) -> tuple[str, ...]:
    """Units a figure answering ``question`` may carry (empty: any)."""
    compound = _COMPOUND.search(question)
    if compound:
        unit = compound.group(1)
        return (unit, unit[1:] if unit.startswith("个") else unit[:-1])
    counted = _COUNT_NOUN.search(question)
    if counted:
        return (counted.group(1),)
    for cue, units in _UNIT_CUES:
        if re.search(cue, question):
            return units
    if asks_person_count(question):
        return ("人", "名", "人次", "位")
    return ()


def _asks(text: str) -> bool:
    return bool(_ASK.search(text))


def split_parts(question: str) -> list[str]:
    """The sub-questions of a question that asks two (or more) things, else ``[question]``.

    Handles 「A多少人？B多少家？」, 「…多少批、多少人次？」, 「A和B分别…？」 and 「A，以及B…？」.
    """
    text = question.strip()
    pieces = [p for p in re.split(r"[？?；;]", text) if p.strip()]
    if len(pieces) >= 2 and all(_asks(p) for p in pieces):
        return [p.strip() + "？" for p in pieces]
    body = text.rstrip("？?。 ")
    pair = re.search(rf"(多少|几)({_MEASURE}?)[、和及与]\s*(多少|几)({_MEASURE}?)", body)
    if pair:
        stem, tail = body[: pair.start()], body[pair.end() :]
        return [f"{stem}{pair.group(1)}{pair.group(2)}{tail}？", f"{stem}{pair.group(3)}{pair.group(4)}{tail}？"]
    both = re.search(r"[，,](?:以及|还有|并且|和)(.+)$", body)
    if both and (_asks(body[: both.start()]) or _asks_kind_word(body[: both.start()])) and _asks(both.group(1)):
        first = body[: both.start()]
        second = re.sub(r"分别|各自", "", both.group(1))
        if not _asks(first):
            first += "是哪天" if re.search(r"日期|时间", first) else "是什么"
        return [first + "？", second + "？"]
    split = re.search(r"^(.*?)([^，,]{2,30})[和与及]([^，,]{2,30}?)(分别|各自|各)(.+)$", body)
    if split:
        lead, first, second, rest = split.group(1), split.group(2), split.group(3), split.group(5)
        rest = re.sub(r"^(是)?在", "在", rest)
        return [f"{lead}{first}{rest}？", f"{lead}{second}{rest}？"]
    return [question]


def _asks_kind_word(text: str) -> bool:
    """A noun phrase that names what it asks for (「…的日期」, 「…的时间」)."""
    return bool(re.search(r"(日期|时间|比例|人数|数量|名称)$", text))
