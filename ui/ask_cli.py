"""`yearbook ask`: answer a question with citations, interactively, or for a batch of questions."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from evals.dataset import load_questions
from rag.answer.service import AnswerOptions, QAService, open_service
from rag.answer.schema import Answer
from rag.errors import QuestionError
from rag.settings import Settings


def add_ask_command(commands: Any) -> None:
    """Register `yearbook ask`."""
    parser = commands.add_parser(
        "ask",
        help="answer a question with citations (interactive without a question)",
        description="Answer a Chinese question about the yearbooks in the store, citing the "
        "entry and sentence it comes from, or say that the yearbook does not say. Without a "
        "question, asks interactively and keeps the conversation for follow-ups.",
    )
    parser.add_argument("question", nargs="?", help="the question, in Chinese")
    parser.add_argument("--batch", type=Path, metavar="FILE", help="JSONL questions (dataset format)")
    parser.add_argument("--json", action="store_true", help="print the answer object as JSON")
    parser.add_argument("--k", type=int, help="how many chunks to read (default from settings)")
    parser.add_argument("--year", type=int, help="only this year")
    parser.add_argument("--section", help="only this section")
    parser.add_argument("--offline", action="store_true", help="use the extractive answerer even if an LLM is set")
    parser.set_defaults(handler=run_ask)


def run_ask(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of `yearbook ask`."""
    service = open_service(settings)
    options = AnswerOptions(k=args.k, year=args.year, section=args.section, use_llm=False if args.offline else None)
    if args.batch:
        for item in load_questions(args.batch):
            answer = service.answer(item.question, options=options)
            row = {"id": item.id, **answer.model_dump(), "ms": answer.timings.get("total_ms")}
            print(json.dumps(row, ensure_ascii=False), flush=True)
        return 0
    if args.question is not None:
        _show(service.answer(args.question, options=options), args.json)
        return 0
    return _interactive(service, options, args.json)


def _interactive(service: QAService, options: AnswerOptions, as_json: bool) -> int:
    history: list[dict[str, str]] = []
    print(f"Yearbook QA ({service.mode_label}). Ask in Chinese; an empty line or Ctrl-D ends.", file=sys.stderr)
    while True:
        try:
            question = input("问> ").strip()
        except EOFError:
            print(file=sys.stderr)
            return 0
        if not question:
            return 0
        try:
            answer = service.answer(question, history, options)
        except QuestionError as exc:
            print(f"error: {exc}", file=sys.stderr)
            continue
        _show(answer, as_json)
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]


def _show(answer: Answer, as_json: bool) -> None:
    if as_json:
        print(json.dumps(answer.model_dump(), ensure_ascii=False), flush=True)
        return
    print(format_answer(answer), flush=True)


def format_answer(answer: Answer) -> str:
    """The answer, its sources and notices as plain text."""
    lines = [answer.text]
    if answer.standalone_question:
        lines.insert(0, f"(理解为：{answer.standalone_question})")
    for citation in answer.citations:
        lines.append(f"【{citation.n}】{citation.where()}：「{citation.quote}」")
    lines.extend(f"注意：{notice}" for notice in answer.notices)
    lines.append(f"({answer.timings.get('total_ms', 0):.0f} ms, {answer.mode})")
    return "\n".join(lines)

