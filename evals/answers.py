"""Score answers on a question set: exact match, F1, containment, refusals, citations, latency."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tqdm import tqdm

from evals.answer_metrics import contains_answer, exact_match, f1_score, normalize_answer, wilson_interval
from evals.dataset import Question
from evals.retrieval import percentile
from rag.answer.schema import Answer, Citation

AnswerFn = Callable[[str], Answer]


@dataclass
class AnswerRow:
    """One question's answer and its scores."""

    question: Question
    answer: Answer
    em: bool
    f1: float
    contained: bool
    cited_gold: bool
    ms: float
    evidence_rank: int | None = None  # rank of the first retrieved chunk holding the gold evidence
    answer_rank: int | None = None  # rank of the first retrieved chunk holding a gold answer


def score(question: Question, answer: Answer) -> AnswerRow:
    """Score one answer against its gold item (multi-part answers need every part)."""
    short, text = answer.short_answer, answer.text
    if question.type == "multi_entry":
        parts = list(question.answers)
        em = not answer.refused and all(contains_answer(short, [p]) for p in parts)
        f1 = sum(f1_score(short, [p]) for p in parts) / max(len(parts), 1)
        contained = not answer.refused and all(contains_answer(text, [p]) for p in parts)
    else:
        golds = list(question.answers)
        em = not answer.refused and exact_match(short, golds)
        f1 = 0.0 if answer.refused else f1_score(short, golds)
        contained = not answer.refused and contains_answer(text, golds)
    first = answer.citations[0] if answer.citations else None
    cited_gold = bool(first and cites_gold(question, first))
    rank = evidence_rank(question, answer.contexts)
    return AnswerRow(
        question, answer, em, f1, contained, cited_gold, answer.timings.get("total_ms", 0.0), rank,
        answer_rank(question, answer.contexts),
    )


def answer_rank(question: Question, contexts: list[dict]) -> int | None:
    """1-based rank of the first retrieved chunk that states a gold answer (single-part, not 是/否).

    Yearbooks state many facts twice (an entry and the chronicle, a paragraph and a table); a
    chunk that states the answer serves the reader even when it is not the gold sentence.
    """
    golds = [normalize_answer(a) for a in question.answers if a not in ("是", "否")]
    if question.type == "multi_entry" or not golds or min(len(g) for g in golds) < 2:
        return None
    for rank, context in enumerate(contexts, start=1):
        text = normalize_answer(str(context.get("text", "")))
        if any(gold in text for gold in golds):
            return rank
    return None


def evidence_rank(question: Question, contexts: list[dict]) -> int | None:
    """1-based rank of the first retrieved chunk whose text holds the gold evidence (single-part questions).

    This measures retrieval by the sentence that proves the answer, so it does not depend on
    how a layout names its entries.
    """
    if not question.answerable or len(question.evidence) != 1 or not question.evidence[0]:
        return None
    evidence = normalize_answer(question.evidence[0])
    for rank, context in enumerate(contexts, start=1):
        if evidence in normalize_answer(str(context.get("text", ""))):
            return rank
    return None


def cites_gold(question: Question, citation: Citation) -> bool:
    """The citation names the gold entry (or table), or quotes the sentence holding the gold evidence.

    The quote test matters for layouts where one heading covers several paragraphs or an
    inline head titles its paragraph: the entry's name is then a matter of convention, the
    sentence is not.
    """
    gold_entries = set(question.gold_entries())
    if (citation.section, citation.entry) in gold_entries or (citation.section, citation.table or "") in gold_entries:
        return True
    quote = normalize_answer(citation.quote)
    return any(len(part) >= 4 and normalize_answer(part) in quote for part in question.evidence)


def evaluate(questions: Iterable[Question], ask: AnswerFn, progress: bool = True) -> list[AnswerRow]:
    """Ask every question and score the answers."""
    items = list(questions)
    return [score(q, ask(q.question)) for q in tqdm(items, desc="answers", unit="q", disable=not progress or None)]


def _answerable_metrics(rows: list[AnswerRow]) -> dict[str, Any]:
    n = len(rows)
    if not n:
        return {"n": 0}
    exact = sum(r.em for r in rows)
    contained = sum(r.contained for r in rows)
    return {
        "n": n,
        "exact_match": exact / n,
        "f1": sum(r.f1 for r in rows) / n,
        "containment": contained / n,
        "false_refusal": sum(r.answer.refused for r in rows) / n,
        "citation_gold": sum(r.cited_gold for r in rows) / n,
        "containment_interval": wilson_interval(contained, n),
        "exact_match_interval": wilson_interval(exact, n),
    }


def summarize(rows: list[AnswerRow]) -> dict[str, object]:
    """Overall and per-type metrics, refusal precision/recall and latency."""
    answerable = [r for r in rows if r.question.answerable]
    unanswerable = [r for r in rows if not r.question.answerable]
    refused = [r for r in rows if r.answer.refused]
    summary: dict[str, object] = dict(_answerable_metrics(answerable))
    summary["refusal_recall"] = (
        sum(r.answer.refused for r in unanswerable) / len(unanswerable) if unanswerable else None
    )
    summary["refusal_precision"] = (
        sum(not r.question.answerable for r in refused) / len(refused) if refused else None
    )
    single = [r for r in answerable if len(r.question.evidence) == 1 and r.question.evidence[0]]
    if single:
        summary["evidence_hit@1"] = sum(r.evidence_rank == 1 for r in single) / len(single)
        summary["evidence_hit@5"] = sum(r.evidence_rank is not None and r.evidence_rank <= 5 for r in single) / len(single)
    stated = [r for r in answerable if r.question.type != "multi_entry" and any(a not in ("是", "否") for a in r.question.answers)]
    if stated:
        summary["answer_hit@1"] = sum(r.answer_rank == 1 for r in stated) / len(stated)
        summary["answer_hit@5"] = sum(r.answer_rank is not None and r.answer_rank <= 5 for r in stated) / len(stated)
    latencies = [r.ms for r in rows]
    summary["p50_ms"] = round(percentile(latencies, 50), 2)
    summary["p95_ms"] = round(percentile(latencies, 95), 2)
    by_type: dict[str, object] = {}
    for kind in sorted({r.question.type for r in answerable}):
        by_type[kind] = _answerable_metrics([r for r in answerable if r.question.type == kind])
    if unanswerable:
        by_type["unanswerable"] = {"n": len(unanswerable), "refused": summary["refusal_recall"]}
    summary["by_type"] = by_type
    return summary


def format_failure(failure: dict[str, Any]) -> str:
    """One line of a failure listing: id, type, question, what was expected and what came."""
    got = "(refused)" if failure["refused"] else failure["got"]
    return f"  {failure['id']} [{failure['type']}] {failure['question']}  expected {failure['expected'][:1]}  got {got}  {failure['cited']}"


def failures(rows: list[AnswerRow]) -> list[dict[str, object]]:
    """Wrong answers and wrong refusals, for reading."""
    out: list[dict[str, object]] = []
    for row in rows:
        ok = row.answer.refused if not row.question.answerable else row.em
        if ok:
            continue
        out.append(
            {
                "id": row.question.id,
                "type": row.question.type,
                "question": row.question.question,
                "expected": list(row.question.answers),
                "got": None if row.answer.refused else row.answer.short_answer,
                "refused": row.answer.refused,
                "cited": [f"{c.section} › {c.table or c.entry}" for c in row.answer.citations[:1]],
            }
        )
    return out
