"""Leave-one-yearbook-out cross-validation of the reader's span model: each yearbook scored by a model that never saw it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from evals.answer_metrics import exact_match, wilson_interval
from evals.train_reader import Example, fit_span_ranker, span_groups
from rag.reader.candidates import Span
from rag.reader.model import SpanRanker
from rag.reader.reader import PartReading


@dataclass(frozen=True)
class HeldOutAnswer:
    """The top span a held-out model picks for one question, and whether it is right."""

    corpus: str
    kind: str  # the analysed question's kind (reading.asked.kind)
    exact: bool  # exact match with a gold answer
    contained: bool  # a gold answer, spaces removed, inside the span
    has_candidates: bool  # False: the reading had no span to pick (counted as a miss)


def is_scored(example: Example) -> bool:
    """Whether an example counts: an answerable question with a reading that is not a yes/no question."""
    return example.answerable and bool(example.readings) and example.readings[0].asked.kind != "yesno"


def fit_fold(training: Iterable[Example]) -> tuple[SpanRanker, int]:
    """The span ranker fitted on these examples (as `yearbook eval train` fits it) and how many question parts it learned from."""
    groups = span_groups(training)
    if not groups:
        raise ValueError("a fold has no training span that matches a gold answer: nothing to fit")
    return fit_span_ranker(groups), len(groups)


def top_span(reading: PartReading, model: SpanRanker) -> Span | None:
    """The span the model scores highest (the first of equals, in the reading's order); the reading is not changed."""
    if not reading.ranked:
        return None
    scores = model.scores([span.features for span in reading.ranked])
    return reading.ranked[max(range(len(scores)), key=lambda i: (scores[i], -i))]


def without_spaces(text: str) -> str:
    """The text with every space (ASCII, full-width, line breaks) removed."""
    return "".join(text.split())


def contains_gold(text: str, golds: Sequence[str]) -> bool:
    """Whether a gold answer, spaces removed, is inside the text (spaces removed too)."""
    inside = without_spaces(text)
    return any(without_spaces(gold) and without_spaces(gold) in inside for gold in golds)


def held_out_answer(example: Example, model: SpanRanker) -> HeldOutAnswer:
    """Rescore the example's first reading with ``model`` and judge its top span against the first part's golds."""
    reading = example.readings[0]
    golds = example.golds[0] if example.golds else []
    span = top_span(reading, model)
    text = span.text if span is not None else ""
    return HeldOutAnswer(
        corpus=example.corpus,
        kind=reading.asked.kind,
        exact=span is not None and exact_match(text, golds),
        contained=span is not None and contains_gold(text, golds),
        has_candidates=span is not None,
    )


def summarise(answers: Sequence[HeldOutAnswer]) -> dict[str, Any]:
    """n, exact match and containment with their 95% Wilson intervals, and how many questions had no span."""
    n = len(answers)
    exact = sum(a.exact for a in answers)
    contained = sum(a.contained for a in answers)
    return {
        "n": n,
        "exact_match": exact / n if n else 0.0,
        "exact_match_interval": wilson_interval(exact, n),
        "containment": contained / n if n else 0.0,
        "containment_interval": wilson_interval(contained, n),
        "exact_count": exact,
        "contained_count": contained,
        "no_candidates": sum(not a.has_candidates for a in answers),
    }


def cross_validate(examples: list[Example], extra: list[Example]) -> dict[str, Any]:
    """Leave one yearbook out: fit the span model on ``extra`` and the other yearbooks, score the one left out.

    ``examples`` are yearbook questions read against retrieval (each with its ``corpus``);
    ``extra`` (CMRC passages) trains every fold. Only answerable questions that are not yes/no
    are scored, by the top span of their first reading; the examples are not changed.
    """
    folds: dict[str, dict[str, Any]] = {}
    pooled: list[HeldOutAnswer] = []
    for corpus in sorted({e.corpus for e in examples}):
        model, used = fit_fold(extra + [e for e in examples if e.corpus != corpus])
        answers = [held_out_answer(e, model) for e in examples if e.corpus == corpus and is_scored(e)]
        folds[corpus] = {"span_questions": used, **summarise(answers)}
        pooled += answers
    by_kind = {kind: summarise([a for a in pooled if a.kind == kind]) for kind in sorted({a.kind for a in pooled})}
    return {"extra": len(extra), "folds": folds, "pooled": summarise(pooled), "by_kind": by_kind}


def format_cross_validation(report: dict[str, Any]) -> str:
    """A readable table: one row per held-out yearbook, the pooled row, then each question kind pooled."""
    header = f"{'held-out yearbook':<28}{'n':>5}{'EM':>8}{'EM 95%':>13}{'contain':>9}{'contain 95%':>13}{'no span':>9}{'trained on':>12}"
    lines = [
        f"leave-one-yearbook-out span ranker ({report['extra']} CMRC questions in every fold); "
        "top span of each answerable, non-yes/no question's first part",
        header,
    ]
    for corpus, metrics in report["folds"].items():
        lines.append(_row(corpus or "(no corpus)", metrics) + f"{metrics['span_questions']:>12}")
    lines.append(_row("pooled", report["pooled"]))
    lines.append("(trained on: questions with a gold span among their candidates that fitted the fold, CMRC included)")
    lines.append("")
    lines.append("by question kind (pooled over the held-out yearbooks):")
    for kind, metrics in report["by_kind"].items():
        lines.append(_row(f"  {kind}", metrics))
    return "\n".join(lines)


def _row(label: str, metrics: dict[str, Any]) -> str:
    """One table row: n, EM and containment with their intervals, questions with no span."""
    return (
        f"{label:<28}{metrics['n']:>5}{metrics['exact_match']:>8.3f}{_interval(metrics['exact_match_interval']):>13}"
        f"{metrics['containment']:>9.3f}{_interval(metrics['containment_interval']):>13}{metrics['no_candidates']:>9}"
    )


def _interval(bounds: Sequence[float]) -> str:
    """An interval as 「0.76–0.87」."""
    return f"{bounds[0]:.2f}–{bounds[1]:.2f}"
