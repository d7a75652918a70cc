"""`yearbook search`: show what retrieval finds for a question, or for a batch of them."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from evals.dataset import load_questions
from rag.errors import YearbookError
from rag.retrieval.hybrid import SearchFilters, open_retriever, result_row
from rag.settings import Settings
from rag.validation import check_question


def add_search_command(commands: Any) -> None:
    """Register `yearbook search`."""
    parser = commands.add_parser(
        "search",
        help="rank yearbook chunks for a question (hybrid dense + BM25)",
        description="Show the chunks retrieval ranks first for a question, or for every "
        "question of a JSONL file (--batch; one JSON object per line out).",
    )
    parser.add_argument("question", nargs="?", help="the question, in Chinese")
    parser.add_argument("--k", type=_k_value, default=5, help="how many chunks, 1-50 (default 5)")
    parser.add_argument("--batch", type=Path, metavar="FILE", help="JSONL questions (dataset format)")
    parser.add_argument("--json", action="store_true", help="JSON output")
    parser.add_argument("--year", type=int, help="only this year")
    parser.add_argument("--section", help="only this section")
    parser.set_defaults(handler=run_search)


MAX_K = 50


def _k_value(text: str) -> int:
    """``--k``: a whole number from 1 to 50."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--k takes a whole number, not {text!r}") from None
    if not 1 <= value <= MAX_K:
        raise argparse.ArgumentTypeError(f"--k must be between 1 and {MAX_K}, got {value}")
    return value


def run_search(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of `yearbook search`."""
    if not args.batch and not args.question:
        raise YearbookError("give a question, or --batch FILE.jsonl")
    retriever = open_retriever(settings)
    filters = SearchFilters(year=args.year, section=args.section)
    if args.batch:
        for item in load_questions(args.batch):
            result = retriever.search(item.question, k=args.k, filters=filters)
            row = {"id": item.id, "question": item.question, "searched": _searched(item.question, result.query)}
            row |= {"results": [result_row(d) for d in result.documents], "ms": round(result.ms, 2)}
            print(json.dumps(row, ensure_ascii=False), flush=True)
        return 0
    question = check_question(args.question)
    result = retriever.search(question, k=args.k, filters=filters)
    rows = [result_row(d) for d in result.documents]
    if args.json:
        searched = _searched(question, result.query)
        row = {"id": None, "question": question, "searched": searched, "results": rows, "ms": round(result.ms, 2)}
        print(json.dumps(row, ensure_ascii=False))
        return 0
    if _searched(question, result.query):
        print(f"(理解为：{result.query})")
    for row in rows:
        where = row["table"] or row["entry"]
        print(f"{row['rank']}. [{row['score']:.4f}] {row['year']} · {row['section']} › {where}")
        print("   " + row["text"].replace("\n", " ")[:160])
    print(f"({result.ms:.0f} ms)", file=sys.stderr)
    return 0


def _searched(question: str, query: str) -> str | None:
    """The question as searched, when the colloquial lexicon reworded it."""
    return query if query != question else None
