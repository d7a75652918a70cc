"""Checks on what people type, shared by the command line and the web page."""

from __future__ import annotations

from rag.errors import QuestionError

MAX_QUESTION_CHARS = 500


def check_question(text: str | None) -> str:
    """The question stripped of surrounding space.

    Raises:
        QuestionError: it is empty or longer than ``MAX_QUESTION_CHARS`` characters.
    """
    question = (text or "").strip()
    if not question:
        raise QuestionError("the question is empty: type a question about the yearbook")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"the question has {len(question)} characters; ask in at most {MAX_QUESTION_CHARS}"
        )
    return question
