"""Retrieval metrics at entry level: hit@k, MRR@10, multi-entry recall, latency, per type."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tqdm import tqdm

from evals.dataset import Question

Label = tuple[str, str]  # (section, entry title or table caption)
SearchFn = Callable[[str], tuple[list[set[Label]], float]]
DEPTH = 10


@dataclass
class RetrievalRow:
    """How one question fared: the rank of its gold entry (None: not in the top 10)."""

    question: Question
    rank: int | None
    found: int
    needed: int
    ms: float
    top: list[set[Label]]


def labels_of(metadata: dict) -> set[Label]:
    """The labels a stored chunk answers to: its entry, and its table caption if any."""
    section = str(metadata.get("section", ""))
    labels = {(section, str(metadata.get("entry", "")))}
    if metadata.get("table"):
        labels.add((section, str(metadata["table"])))
    return labels


def first_rank(gold: Label, ranked: list[set[Label]]) -> int | None:
    """1-based rank of the first result carrying ``gold``."""
    for rank, labels in enumerate(ranked, start=1):
        if gold in labels:
            return rank
    return None


def evaluate(questions: Iterable[Question], search: SearchFn, progress: bool = True, desc: str = "retrieval") -> list[RetrievalRow]:
    """Run ``search`` on every answerable question and rank its gold entries."""
    rows: list[RetrievalRow] = []
    items = [q for q in questions if q.answerable]
    for question in tqdm(items, desc=desc, unit="q", disable=not progress or None):
        ranked, ms = search(question.question)
        ranked = ranked[:DEPTH]
        golds = question.gold_entries()
        ranks = [first_rank(g, ranked) for g in golds]
        found = sum(1 for r in ranks if r is not None and r <= 5)
        rank = ranks[0] if len(golds) == 1 else None
        rows.append(RetrievalRow(question, rank, found, len(golds), ms, ranked))
    return rows


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _single_metrics(rows: list[RetrievalRow]) -> dict[str, float]:
    n = len(rows)
    if not n:
        return {"n": 0}
    return {
        "n": n,
        "hit@1": sum(1 for r in rows if r.rank == 1) / n,
        "hit@3": sum(1 for r in rows if r.rank and r.rank <= 3) / n,
        "hit@5": sum(1 for r in rows if r.rank and r.rank <= 5) / n,
        "mrr@10": sum(1 / r.rank for r in rows if r.rank) / n,
    }


def summarize(rows: list[RetrievalRow]) -> dict[str, object]:
    """Metrics over answerable single-entry questions, multi-entry recall, latency, per type."""
    single = [r for r in rows if r.needed == 1]
    multi = [r for r in rows if r.needed > 1]
    latencies = [r.ms for r in rows]
    by_type: dict[str, dict[str, float]] = {}
    for kind in sorted({r.question.type for r in single}):
        by_type[kind] = _single_metrics([r for r in single if r.question.type == kind])
    summary: dict[str, object] = dict(_single_metrics(single))
    if multi:
        by_type["multi_entry"] = {
            "n": len(multi),
            "all_in_top5": sum(1 for r in multi if r.found == r.needed) / len(multi),
            "entries_in_top5": sum(r.found for r in multi) / sum(r.needed for r in multi),
        }
        summary["multi_entry_all_in_top5"] = by_type["multi_entry"]["all_in_top5"]
    summary["p50_ms"] = round(percentile(latencies, 50), 2)
    summary["p95_ms"] = round(percentile(latencies, 95), 2)
    summary["by_type"] = by_type
    return summary


def misses(rows: list[RetrievalRow]) -> list[dict[str, object]]:
    """Questions whose gold entry was not ranked first, for reading."""
    out: list[dict[str, object]] = []
    for row in rows:
        if row.needed == 1 and row.rank == 1:
            continue
        if row.needed > 1 and row.found == row.needed:
            continue
        out.append(
            {
                "id": row.question.id,
                "question": row.question.question,
                "gold": " | ".join(f"{s} › {e}" for s, e in row.question.gold_entries()),
                "rank": row.rank,
                "top": [" / ".join(f"{s} › {e}" for s, e in sorted(labels)) for labels in row.top[:3]],
            }
        )
    return out

