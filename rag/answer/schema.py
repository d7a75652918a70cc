"""The answer object every answerer returns: text, short answer, citations, contexts, notices."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

AnswerMode = Literal["extractive", "llm"]
REFUSAL_TEXT = "年鉴中未找到相关记载。"


class Citation(BaseModel):
    """One cited source: the entry, and the exact sentence or table row that supports a claim."""

    n: int = Field(description="The marker number, as in 【n】.")
    chunk_id: str
    year: int
    section: str
    entry: str
    table: str | None = None
    quote: str = Field(description="The exact supporting sentence or table row.")
    span: tuple[int, int] | None = Field(
        None, description="Char span of the quote in the entry's text (None for table rows)."
    )
    row_index: int | None = None
    place: str = Field("", description="The place the cited yearbook covers (「黑河市」).")
    page: int | None = Field(None, description="The page of the source document, for PDF and scans.")

    def where(self) -> str:
        """Where the quote sits: 「黑河市 · 1999 · 概况 › 人口 · 第12页」."""
        head = f"{self.place} · " if self.place else ""
        page = f" · 第{self.page}页" if self.page else ""
        return f"{head}{self.year} · {self.section} › {self.table or self.entry}{page}"


class Answer(BaseModel):
    """What a person reads, and everything needed to check it."""

    question: str
    standalone_question: str | None = Field(
        None, description="The question as searched, after a follow-up was made self-contained."
    )
    text: str
    short_answer: str | None = None
    refused: bool = False
    citations: list[Citation] = Field(default_factory=list)
    contexts: list[dict] = Field(default_factory=list)
    mode: AnswerMode = "extractive"
    notices: list[str] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)
    final: bool = Field(True, description="False while an LLM answer is still streaming in.")
