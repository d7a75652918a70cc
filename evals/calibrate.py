"""Calibrate the offline answerer's refusal threshold on a question set (`python -m evals.calibrate`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from pathlib import Path

from evals.dataset import Question, load_questions

DEFAULT_DATASET = Path("evals/datasets/sip_2020_party.jsonl")
FALSE_REFUSAL_BUDGET = 0.05  # the most answerable questions a threshold may refuse

SupportFn = Callable[[str], float]


def choose_threshold(
    answerable: list[float], unanswerable: list[float], budget: float = FALSE_REFUSAL_BUDGET
) -> tuple[float, float, float]:
    """The highest threshold (a support value seen, rounded down to 0.01) refusing at most ``budget`` of answerable.

    Returns (threshold, false-refusal rate, unanswerable-refused rate).
    """
    best = (0.0, 0.0, sum(s <= 0.0 for s in unanswerable) / max(len(unanswerable), 1))
    for value in sorted(set(round(s, 2) for s in answerable + unanswerable)):
        false_refusal = sum(s < value for s in answerable) / max(len(answerable), 1)
        if false_refusal > budget:
            break
        refused = sum(s < value for s in unanswerable) / max(len(unanswerable), 1)
        best = (value, false_refusal, refused)
    return best


def supports(questions: Iterable[Question], support: SupportFn) -> tuple[list[float], list[float]]:
    """Support scores of answerable and of unanswerable questions."""
    answerable: list[float] = []
    unanswerable: list[float] = []
    for question in questions:
        (answerable if question.answerable else unanswerable).append(support(question.question))
    return answerable, unanswerable


def _histogram(values: list[float], label: str) -> str:
    bins = [0] * 11
    for value in values:
        bins[min(int(value * 10), 10)] += 1
    cells = " ".join(f"{i / 10:.1f}:{n}" for i, n in enumerate(bins))
    return f"{label:<13} n={len(values):<4} {cells}"


def main(argv: list[str] | None = None) -> int:
    """Print the support distributions and the chosen threshold."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--budget", type=float, default=FALSE_REFUSAL_BUDGET)
    args = parser.parse_args(argv)

    from rag.answer.service import open_service
    from rag.extractive import ExtractiveAnswerer
    from rag.settings import Settings

    service = open_service(Settings())
    years = service.retriever.years()
    answerer = ExtractiveAnswerer(min_support=0.0)

    def support(question: str) -> float:
        return answerer.support(question, service.retriever.search(question).documents, years)

    answerable, unanswerable = supports(load_questions(args.dataset), support)
    print("support (share of the question's wording held by the cited evidence), by tenths:")
    print(_histogram(answerable, "answerable"))
    print(_histogram(unanswerable, "unanswerable"))
    threshold, false_refusal, refused = choose_threshold(answerable, unanswerable, args.budget)
    print(
        f"threshold {threshold:.2f}: refuses {refused:.2f} of unanswerable, "
        f"{false_refusal:.2f} of answerable (budget {args.budget:.2f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
