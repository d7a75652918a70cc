"""Follow-up questions: carry the subject of the previous question into one that lacks it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

_THAT_ONE = re.compile(r"^(?:那么?|那)\s*(?P<subject>.+?)\s*呢[？?]?$")
_PRONOUN = re.compile(r"^(?:它们?|其|该单位|该机构|他们|她们|这个|那个)")
_SHORT_FOLLOWUP = re.compile(r"^(?:还有|另外|此外)?(?P<rest>.{1,12})呢[？?]?$")
_LEADING_YEAR = re.compile(r"^(?:请问)?\s*(?:\d{4}年)?[,，]?\s*")
_STOP_FLAGS = ("v", "r", "m", "d", "p", "u", "x", "c", "l", "q", "y", "e")


def last_user_question(history: Sequence[Any]) -> str | None:
    """The most recent user message of a chat history (messages or (user, bot) pairs)."""
    for item in reversed(list(history or [])):
        if isinstance(item, dict):
            if item.get("role") == "user":
                return message_text(item.get("content"))
        elif isinstance(item, (list, tuple)) and item:
            return message_text(item[0])
    return None


def message_text(content: Any) -> str:
    """The text of a chat message's content (a string, or Gradio 6 content blocks)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # Gradio 6 content blocks
        return "".join(str(block.get("text", "")) if isinstance(block, dict) else str(block) for block in content)
    return str(content or "")


def subject_of(question: str) -> str:
    """The leading noun phrase of a question (jieba parts of speech), after any leading year."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    body = _LEADING_YEAR.sub("", question.strip())
    subject = ""
    for token in jieba.posseg.cut(body):
        if token.flag.startswith(_STOP_FLAGS) and token.flag != "vn":
            break
        subject += token.word
    return subject.strip(" ，,。？?")


def standalone_question(question: str, history: Sequence[Any]) -> str:
    """Rewrite a follow-up that lacks a subject using the previous question; others unchanged.

    「那台青园呢？」 after 「2020年园区有多少注册志愿者？」 becomes 「2020年台青园有多少注册志愿者？」;
    「它有多少注册志愿者？」 after 「园区志愿者协会什么时候成立的？」 becomes
    「园区志愿者协会有多少注册志愿者？」.
    """
    previous = last_user_question(history)
    question = question.strip()
    if not previous or previous.strip() == question:
        return question
    previous = previous.strip()
    old_subject = subject_of(previous)
    that = _THAT_ONE.match(question) or _SHORT_FOLLOWUP.match(question)
    if that:
        new_subject = (that.groupdict().get("subject") or that.groupdict().get("rest") or "").strip()
        if old_subject and old_subject in previous:
            return previous.replace(old_subject, new_subject, 1)
        return f"{new_subject}{previous}"
    pronoun = _PRONOUN.match(question)
    if pronoun and old_subject:
        return old_subject + question[pronoun.end():]
    return question
