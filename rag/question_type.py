"""Tell what kind of answer a question wants from its cue words (多少, 何时, 谁, 哪些, 是否 …)."""

from __future__ import annotations

import re
from typing import Literal

AnswerKind = Literal["number", "date", "name", "list", "yesno"]

_YESNO = re.compile(r"是否|有没有|是不是|对吗|吗[？?]?$|了吗|么[？?]?$")
_DATE = re.compile(r"何时|什么时候|哪天|哪一天|哪一年|哪年|几月|几号|日期|什么时间|哪个月")
_NUMBER = re.compile(r"多少|几[个家项次批场支名条所人天年位万]|多大|多高|多长|比例|占比|增长了?多少|几成|几")
_LIST = re.compile(r"哪些|哪几|有什么|包括什么|分别")


def answer_kind(question: str) -> AnswerKind:
    """The kind of short answer the question asks for."""
    if _YESNO.search(question):
        return "yesno"
    if _DATE.search(question):
        return "date"
    if _LIST.search(question):
        return "list"
    if _NUMBER.search(question):
        return "number"
    return "name"
