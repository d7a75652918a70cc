"""The question-set format: JSONL items with gold answers, entries and evidence."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rag.errors import CorpusFormatError

QuestionType = Literal[
    "number", "date", "name", "list", "table", "yesno", "multi_entry", "unanswerable"
]
QUESTION_TYPES: tuple[str, ...] = (
    "number", "date", "name", "list", "table", "yesno", "multi_entry", "unanswerable"
)
PART_SEPARATOR = " | "
BUNDLED = "sip-2020-party-government"  # the bundled chapter's stem: questions with no corpus are about it


@dataclass(frozen=True)
class Question:
    """One evaluation item; for multi_entry, sections/entries/evidence hold one per part."""

    id: str
    question: str
    answers: tuple[str, ...]
    sections: tuple[str, ...]
    entries: tuple[str, ...]
    evidence: tuple[str, ...]
    type: str
    split: str = "train"  # train / dev / shift / test
    corpus: str = ""  # the yearbook file's stem ("" for the bundled chapter's original set)

    @property
    def answerable(self) -> bool:
        """False for questions the yearbook does not answer."""
        return self.type != "unanswerable"

    def gold_entries(self) -> list[tuple[str, str]]:
        """(section, entry-or-table-caption) pairs a correct retrieval must find."""
        return list(zip(self.sections, self.entries))


def _parts(value: object) -> tuple[str, ...]:
    text = str(value or "").strip()
    return tuple(p.strip() for p in text.split(PART_SEPARATOR)) if text else ()


def parse_question(line: str, where: str) -> Question:
    """One JSONL line → :class:`Question`; unknown fields are ignored."""
    try:
        raw = json.loads(line)
    except ValueError as exc:
        raise CorpusFormatError(f"{where}: not valid JSON ({exc})") from exc
    if not isinstance(raw, dict) or not str(raw.get("question", "")).strip():
        raise CorpusFormatError(f"{where}: each line needs an object with a 'question'")
    kind = str(raw.get("type") or "number")
    if kind not in QUESTION_TYPES:
        raise CorpusFormatError(f"{where}: unknown type {kind!r}")
    return Question(
        id=str(raw.get("id") or where),
        question=str(raw["question"]).strip(),
        answers=tuple(str(a) for a in raw.get("answers") or ()),
        sections=_parts(raw.get("section")),
        entries=_parts(raw.get("entry")),
        evidence=_parts(raw.get("evidence")),
        type=kind,
        split=str(raw.get("split") or "train"),
        corpus=str(raw.get("corpus") or ""),
    )


def load_questions(path: Path) -> list[Question]:
    """All items of a JSONL question file (blank lines skipped)."""
    if not path.exists():
        raise CorpusFormatError(f"{path}: no such file")
    questions: list[Question] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                questions.append(parse_question(line, f"{path.name}:{number}"))
    return questions


DATASETS_DIR = Path(__file__).with_name("datasets")
# shift: questions by a new hand over the training yearbooks, which training never reads; where a
# change gains in cross-validation (same writers) it shows whether it holds for another writer,
# so models are chosen there and test stays measured once.
SPLITS: tuple[str, ...] = ("train", "dev", "shift", "test")


def load_split(split: str, directory: Path = DATASETS_DIR) -> list[Question]:
    """Every question of one split across the question files of a folder."""
    if split not in SPLITS:
        raise CorpusFormatError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    return [q for path in sorted(directory.glob("*.jsonl")) for q in load_questions(path) if q.split == split]


TRAINING_SPLITS: tuple[str, ...] = ("train", "dev")  # what models learn from; shift and test never


def training_questions(limit: int | None = None) -> list[Question]:
    """The questions models learn from: the train split, then dev (at most ``limit`` of each)."""
    return [q for split in TRAINING_SPLITS for q in load_split(split)[:limit]]
