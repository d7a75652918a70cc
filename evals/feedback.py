"""Turn 👍/👎 feedback from the page into dataset items for a person to review."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from evals.answer_metrics import normalize_answer
from evals.dataset import QUESTION_TYPES
from rag.errors import CorpusFormatError

DEFAULT_OUT = Path("evals/datasets/feedback_review.jsonl")
_MARKER = re.compile(r"【\d+】")


def read_feedback(path: Path) -> tuple[list[dict[str, Any]], int]:
    """Feedback records in file order, and how many lines were unreadable (skipped).

    Raises:
        CorpusFormatError: the file does not exist.
    """
    if not path.exists():
        raise CorpusFormatError(f"{path}: no feedback file (the page writes it when someone clicks 👍 or 👎)")
    records: list[dict[str, Any]] = []
    bad = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            bad += 1
            continue
        if isinstance(record, dict) and str(record.get("question") or "").strip() and "liked" in record:
            records.append(record)
        else:
            bad += 1
    return records, bad


def question_key(text: str) -> str:
    """Questions that differ only in punctuation, spaces or width are the same question."""
    return normalize_answer(text)


def asked(record: dict[str, Any]) -> str:
    """The question as searched: the standalone rewrite of a follow-up, else the question typed."""
    return str(record.get("standalone_question") or record.get("question") or "").strip()


def guess_type(question: str, liked: bool, refused: bool) -> str:
    """A starting point for the reviewer: an approved refusal is 'unanswerable', else by cue words."""
    if liked and refused:
        return "unanswerable"
    from rag.reader.question import analyse

    kind = analyse(question).kind
    kind = {"person": "name", "org": "name", "place": "name", "what": "name"}.get(kind, kind)
    return kind if kind in QUESTION_TYPES else "number"


def to_item(records: list[dict[str, Any]]) -> dict[str, Any]:
    """One review item from every vote on the same question (the latest vote leads)."""
    latest = records[-1]
    question = asked(latest)
    liked = bool(latest.get("liked"))
    refused = bool(latest.get("refused"))
    ups = sum(1 for r in records if r.get("liked"))
    downs = len(records) - ups
    citations = [c for c in latest.get("citations") or [] if isinstance(c, dict)]
    first = citations[0] if citations else {}
    got = _MARKER.sub("", str(latest.get("answer") or "")).strip()
    answers: list[str] = []
    if liked and not refused:
        answers = [str(latest.get("short_answer") or got)]
    item: dict[str, Any] = {
        "id": "fb-" + hashlib.sha1(question_key(question).encode("utf-8")).hexdigest()[:10],
        "question": question,
        "answers": answers,
        "section": str(first.get("section") or ""),  # the first citation: a starting point for the reviewer
        "entry": str(first.get("table") or first.get("entry") or ""),
        "evidence": str(first.get("quote") or ""),
        "type": guess_type(question, liked, refused),
        "review_status": "needs_review",
        "liked": liked,
        "source": "feedback",
        "needs_correction": not liked or downs > 0,
        "got": None if refused else got,
        "refused": refused,
        "votes": {"up": ups, "down": downs},
        "mode": latest.get("mode"),
        "feedback_time": latest.get("time"),
    }
    if latest.get("standalone_question") and latest.get("question") != question:
        item["asked_as"] = latest.get("question")
    return item


def known_questions(*paths: Path) -> set[str]:
    """Normalised questions already in these JSONL files (missing files hold none)."""
    known: set[str] = set()
    for path in paths:
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                known.add(question_key(str(json.loads(line).get("question", ""))))
            except (ValueError, AttributeError):
                continue
    return known


def from_feedback(feedback: Path, out: Path, dataset: Path | None = None) -> dict[str, Any]:
    """Append review items for new questions to ``out``; questions in ``dataset`` or ``out`` are skipped.

    Items already in ``out`` (perhaps edited by a reviewer) are never rewritten.
    """
    records, bad = read_feedback(feedback)
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        groups.setdefault(question_key(asked(record)), []).append(record)
    in_dataset = known_questions(dataset) if dataset else set()
    in_out = known_questions(out)
    items = [to_item(group) for key, group in groups.items() if key not in in_dataset and key not in in_out]
    if items:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("a", encoding="utf-8") as handle:
            for item in items:
                handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    return {
        "feedback": str(feedback),
        "out": str(out),
        "records": len(records),
        "unreadable_lines": bad,
        "questions": len(groups),
        "added": len(items),
        "needs_correction": sum(1 for i in items if i["needs_correction"]),
        "already_in_dataset": sum(1 for k in groups if k in in_dataset),
        "already_in_out": sum(1 for k in groups if k in in_out and k not in in_dataset),
    }


def format_summary(summary: dict[str, Any]) -> str:
    """What from-feedback did, for people."""
    lines = [
        f"{summary['records']} feedback records on {summary['questions']} distinct questions "
        f"({summary['unreadable_lines']} unreadable lines skipped)",
        f"added {summary['added']} items for review to {summary['out']} "
        f"({summary['needs_correction']} 👎 need a corrected answer)",
    ]
    if summary["already_in_dataset"] or summary["already_in_out"]:
        lines.append(
            f"skipped {summary['already_in_dataset']} questions already in the dataset and "
            f"{summary['already_in_out']} already waiting for review"
        )
    lines.append("review each item: fill in answers/section/entry/evidence/type, then set review_status to 'reviewed'")
    return "\n".join(lines)
