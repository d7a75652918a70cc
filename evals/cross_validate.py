"""Leave-one-yearbook-out cross-validation of the reader's span and refusal models: each yearbook scored by models that never saw it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from evals.answer_metrics import exact_match, wilson_interval
from evals.fitting import fit_logistic
from evals.train_reader import (
    YESNO_C,
    Example,
    HeldOut,
    choose_span_threshold,
    answerable_rows,
    fit_answerable,
    fit_confidence,
    fit_span_ranker,
    refusal_threshold,
    span_groups,
    yesno_parts,
    yesno_rows_of,
)
from rag.ranking import TreeRanker
from rag.reader.candidates import Span
from rag.reader.lexicon import load_lexicon
from rag.reader.alignment import gap_span
from rag.reader.reader import ALIGNED_KINDS, PartReading, grammar_cut, stretch_agrees
from rag.reader.scope import without_scope
from rag.reader.yesno import claim_features, verdict


@dataclass(frozen=True)
class HeldOutAnswer:
    """The answer span a held-out model gives one question, and whether it is right."""

    corpus: str
    kind: str  # the analysed question's kind (reading.asked.kind)
    exact: bool  # exact match with a gold answer
    contained: bool  # a gold answer, spaces removed, inside the span
    has_candidates: bool  # False: the reading had no span to pick (counted as a miss)


def is_scored(example: Example) -> bool:
    """Whether an example counts: an answerable question with a reading that is not a yes/no question."""
    return example.answerable and bool(example.readings) and example.readings[0].asked.kind != "yesno"


def fit_fold(training: Iterable[Example]) -> tuple[TreeRanker, int]:
    """The span ranker fitted on these examples (as `yearbook eval train` fits it) and how many question parts it learned from."""
    groups = span_groups(training)
    if not groups:
        raise ValueError("a fold has no training span that matches a gold answer: nothing to fit")
    return fit_span_ranker(groups), len(groups)


def top_span(reading: PartReading, model: TreeRanker) -> Span | None:
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


def held_out_answer(example: Example, model: TreeRanker) -> HeldOutAnswer:
    """Rescore the example's first reading with ``model`` and judge its answer span against the first part's golds.

    The answer span is the top span, re-cut where the reader's grammar re-cuts it (a list
    question's whole enumeration, the figure 「分别」 pairs with the item named), else without
    the scope words at its ends (「全市民政部门」 → 「民政部门」).
    """
    reading = example.readings[0]
    golds = example.golds[0] if example.golds else []
    span = top_span(reading, model)
    if span is not None:
        span = grammar_cut(reading.asked, span, load_lexicon()) or without_scope(span, reading.asked.text, load_lexicon())
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


def cross_validate(examples: list[Example], extra: list[Example], synthetic: Sequence[Example] = ()) -> dict[str, Any]:
    """Leave one yearbook out: fit the span model on ``extra`` and the other yearbooks, score the one left out.

    ``examples`` are yearbook questions read against retrieval (each with its ``corpus``);
    ``extra`` (CMRC passages) trains every fold. Only answerable questions that are not yes/no
    are scored, by the answer span of their first reading (see :func:`held_out_answer`). Then,
    when unanswerable questions of at least two yearbooks are among them, the refusal model is
    cross-validated on the same folds (see :func:`cross_validate_refusal`; ``synthetic``
    unanswerable questions train it but are not scored), which rescores the readings.
    """
    folds: dict[str, dict[str, Any]] = {}
    pooled: list[HeldOutAnswer] = []
    rankers: dict[str, TreeRanker] = {}
    for corpus in sorted({e.corpus for e in examples}):
        rankers[corpus], used = fit_fold(extra + [e for e in examples if e.corpus != corpus])
        answers = [held_out_answer(e, rankers[corpus]) for e in examples if e.corpus == corpus and is_scored(e)]
        folds[corpus] = {"span_questions": used, **summarise(answers)}
        pooled += answers
    by_kind = {kind: summarise([a for a in pooled if a.kind == kind]) for kind in sorted({a.kind for a in pooled})}
    refusal = unsure = None
    if len({e.corpus for e in examples if not e.answerable}) >= 2:
        refusal = cross_validate_refusal(examples, synthetic, rankers)
        unsure = cross_validate_unsure(examples)  # the readings now carry held-out scores and confidence
    report = {"extra": len(extra), "folds": folds, "pooled": summarise(pooled), "by_kind": by_kind, "refusal": refusal, "unsure": unsure}
    return report | {"yesno": cross_validate_yesno(examples)}


def cross_validate_yesno(examples: Sequence[Example]) -> dict[str, Any]:
    """The yes/no verdict on yearbooks it never saw: learned from the other yearbooks' yes/no questions, beside the hand checks."""
    learned = hand = total = 0
    for corpus in sorted({e.corpus for e in examples}):
        rows, labels = yesno_rows_of(e for e in examples if e.corpus != corpus)
        held = yesno_parts(e for e in examples if e.corpus == corpus)
        if len(set(labels)) < 2 or not held:
            continue
        model = fit_logistic(rows, labels, YESNO_C, balanced=False)
        learned += sum((model.probability(claim_features(asked, span)) >= 0.5) == yes for asked, span, yes in held)
        hand += sum((verdict(asked, span.sentence) == "是") == yes for asked, span, yes in held)
        total += len(held)
    return {"n": total, "learned": learned / total if total else 0.0, "hand": hand / total if total else 0.0}


def cross_validate_refusal(examples: Sequence[Example], synthetic: Sequence[Example], rankers: dict[str, TreeRanker]) -> dict[str, Any]:
    """Refusal on yearbooks the answerable model never saw, at the threshold `yearbook eval train` would choose.

    Every question is first scored by the span ranker fitted without its yearbook (``rankers``)
    and a span confidence learned from those held-out scores, so its evidence features look
    like an unseen yearbook's. Then, once per yearbook, the answerable model learns from the
    other yearbooks' questions (``synthetic`` ones too) and scores that yearbook's. The
    threshold keeps MAX_FALSE_REFUSAL of the held-out answerable scores below it; refusal
    recall is counted on the real unanswerable questions only.
    """
    everything = [e for e in [*examples, *synthetic] if e.readings and e.corpus in rankers]
    fit_confidence(everything, lambda e: rankers[e.corpus], everything)
    held: dict[int, float] = {}
    for corpus in sorted(rankers):
        rows, labels, weights = answerable_rows(e for e in everything if e.corpus != corpus)
        if len(set(labels)) < 2:
            continue
        model = fit_answerable(rows, labels, weights)
        for example in everything:
            if example.corpus == corpus:
                reading = example.readings[0]
                held[id(example)] = model.probability(reading.evidence) if reading.ranked else 0.0
    scored = [e for e in examples if id(e) in held]
    threshold = refusal_threshold([held[id(e)] for e in scored if e.answerable])
    per_corpus = {corpus: _refusal_counts([e for e in scored if e.corpus == corpus], held, threshold) for corpus in sorted({e.corpus for e in scored})}
    return {
        "threshold": threshold, "auc": _auc(scored, held), "pooled": _refusal_counts(scored, held, threshold),
        "folds": per_corpus, "synthetic": len(synthetic), "recall_at": recall_at_false_refusal(scored, held),
    }


def cross_validate_unsure(examples: Sequence[Example], threshold: float | None = None) -> dict[str, Any]:
    """Where a held-out reader is unsure of its best span: how often that span, the clause's open stretch,
    and the stretch where it is the best span (what the reader then answers with) are right.

    The readings must carry held-out span scores and confidence (:func:`cross_validate_refusal`
    leaves them so); ``threshold`` defaults to the one training would choose from them. Counted:
    answerable 「什么」 and name questions whose best span is in a sentence, not a table row, and
    that the reader's grammar does not re-cut.
    """
    judged = [e for e in examples if is_scored(e) and e.readings[0].ranked and e.golds]
    if threshold is None:
        outcomes = [HeldOut(0.0, e.readings[0].span_probability, exact_match(e.readings[0].ranked[0].text, e.golds[0])) for e in judged]
        threshold = choose_span_threshold(outcomes)
    counts = dict.fromkeys(("unsure", "best_right", "stretch", "stretch_right", "agree", "agree_right"), 0)
    lexicon = load_lexicon()
    for example in judged:
        reading, golds = example.readings[0], example.golds[0]
        best = reading.ranked[0]
        if reading.span_probability >= threshold or reading.asked.kind not in ALIGNED_KINDS or best.sentence.is_row:
            continue
        if grammar_cut(reading.asked, best, lexicon) is not None:
            continue
        stretch = gap_span(reading.asked, best)
        counts["unsure"] += 1
        counts["best_right"] += exact_match(best.text, golds)
        if stretch is not None:
            counts["stretch"] += 1
            counts["stretch_right"] += exact_match(stretch.text, golds)
            if stretch_agrees(reading.asked, best):
                counts["agree"] += 1
                counts["agree_right"] += exact_match(best.text, golds)
    return {"threshold": threshold, **counts}


OPERATING_POINTS = (0.02, 0.03, 0.04, 0.05, 0.06)  # held-out false refusal rates the refusal recall is read at


def recall_at_false_refusal(examples: Sequence[Example], held: dict[int, float], points: Sequence[float] = OPERATING_POINTS) -> dict[str, float]:
    """Refusal recall at each false refusal rate of ``points``, the threshold set on the held-out answerable scores.

    One operating point moves with a few answerable questions at the bottom of the scores; two
    refusal models are better compared along the stretch of the curve a threshold may fall on.
    """
    answerable = [held[id(e)] for e in examples if e.answerable]
    unanswerable = [held[id(e)] for e in examples if not e.answerable]
    if not answerable or not unanswerable:
        return {}
    curve: dict[str, float] = {}
    for point in points:
        threshold = refusal_threshold(answerable, point)
        curve[f"{point:.2f}"] = sum(score < threshold for score in unanswerable) / len(unanswerable)
    return curve


def _refusal_counts(examples: Sequence[Example], held: dict[int, float], threshold: float) -> dict[str, Any]:
    """False refusal of the answerable examples and refusal recall of the unanswerable ones, with counts."""
    answerable = [held[id(e)] < threshold for e in examples if e.answerable]
    unanswerable = [held[id(e)] < threshold for e in examples if not e.answerable]
    return {
        "answerable": len(answerable), "false_refusal": sum(answerable) / len(answerable) if answerable else 0.0,
        "unanswerable": len(unanswerable), "refusal_recall": sum(unanswerable) / len(unanswerable) if unanswerable else 0.0,
        "refusal_recall_interval": wilson_interval(sum(unanswerable), len(unanswerable)),
    }


def _auc(examples: Sequence[Example], held: dict[int, float]) -> float:
    """The chance that an answerable question scores above an unanswerable one (ties count half)."""
    positive = [held[id(e)] for e in examples if e.answerable]
    negative = [held[id(e)] for e in examples if not e.answerable]
    if not positive or not negative:
        return 0.0
    wins = sum((p > n) + 0.5 * (p == n) for p in positive for n in negative)
    return wins / (len(positive) * len(negative))


def format_cross_validation(report: dict[str, Any]) -> str:
    """A readable table: one row per held-out yearbook, the pooled row, then each question kind pooled."""
    header = f"{'held-out yearbook':<28}{'n':>5}{'EM':>8}{'EM 95%':>13}{'contain':>9}{'contain 95%':>13}{'no span':>9}{'trained on':>12}"
    lines = [
        f"leave-one-yearbook-out span ranker ({report['extra']} CMRC questions in every fold); "
        "top span (list and 分别 questions re-cut as the reader re-cuts them) "
        "of each answerable, non-yes/no question's first part",
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
    if report.get("refusal"):
        lines += ["", *_refusal_lines(report["refusal"])]
    if report.get("unsure"):
        u = report["unsure"]
        lines += [
            "",
            f"unsure tier (held-out span confidence under {u['threshold']:.2f}; {u['unsure']} 「什么」 and name questions read "
            f"from a sentence): best span right {u['best_right']}; the clause's open stretch found {u['stretch']}, right "
            f"{u['stretch_right']}; where it is the best span (the reader answers then, else quotes) {u['agree']}, right {u['agree_right']}",
        ]
    if report.get("yesno", {}).get("n"):
        yesno = report["yesno"]
        lines += ["", f"leave-one-yearbook-out yes/no verdict ({yesno['n']} questions): learned {yesno['learned']:.3f} right, hand checks {yesno['hand']:.3f}"]
    return "\n".join(lines)


def _refusal_lines(refusal: dict[str, Any]) -> list[str]:
    """The refusal table: one row per held-out yearbook, then the pooled row."""
    lines = [
        f"leave-one-yearbook-out refusal ({refusal['synthetic']} synthetic unanswerable questions train it, unscored); "
        f"threshold {refusal['threshold']:.3f} keeps held-out false refusal at the trained target; AUC {refusal['auc']:.3f}",
        f"{'held-out yearbook':<28}{'answerable':>11}{'false ref':>10}{'unanswerable':>13}{'recall':>8}{'recall 95%':>13}",
    ]
    for corpus, counts in [*refusal["folds"].items(), ("pooled", refusal["pooled"])]:
        lines.append(
            f"{corpus or '(no corpus)':<28}{counts['answerable']:>11}{counts['false_refusal']:>10.3f}{counts['unanswerable']:>13}"
            f"{counts['refusal_recall']:>8.3f}{_interval(counts['refusal_recall_interval']):>13}"
        )
    if refusal.get("recall_at"):
        points = "  ".join(f"{point} → {recall:.3f}" for point, recall in refusal["recall_at"].items())
        lines.append(f"pooled refusal recall at held-out false refusal {points}")
    return lines


def _row(label: str, metrics: dict[str, Any]) -> str:
    """One table row: n, EM and containment with their intervals, questions with no span."""
    return (
        f"{label:<28}{metrics['n']:>5}{metrics['exact_match']:>8.3f}{_interval(metrics['exact_match_interval']):>13}"
        f"{metrics['containment']:>9.3f}{_interval(metrics['containment_interval']):>13}{metrics['no_candidates']:>9}"
    )


def _interval(bounds: Sequence[float]) -> str:
    """An interval as 「0.76–0.87」."""
    return f"{bounds[0]:.2f}–{bounds[1]:.2f}"
