"""Train the retrieval reranker: which fused candidate chunk holds a train question's gold evidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tqdm import tqdm

from evals.answer_metrics import normalize_answer
from evals.dataset import BUNDLED, Question
from rag.retrieval.hybrid import HybridRetriever, Pooled, SearchFilters
from rag.retrieval.rerank import Reranker

MAX_CANDIDATES = 60  # fused candidates per question the reranker learns from (the rest rank too low to matter)


@dataclass
class EvidencePool:
    """A question's fused candidates and which of them hold its gold evidence."""

    question: Question
    pool: list[Pooled]
    gold: list[bool]


def evidence_pools(
    questions: Sequence[Question], retriever: HybridRetriever, places: dict[str, str], progress: bool = True
) -> list[EvidencePool]:
    """The fused candidates of every question with one gold evidence sentence, searched within its yearbook's place."""
    out: list[EvidencePool] = []
    usable = [q for q in questions if q.answerable and len(q.evidence) == 1 and q.evidence[0]]
    for q in tqdm(usable, desc="search", unit="q", disable=not progress or None):
        filters = SearchFilters(place=places.get(q.corpus or BUNDLED) or None)
        pool = retriever.search(q.question, filters=filters).pool[:MAX_CANDIDATES]
        evidence = normalize_answer(q.evidence[0])
        out.append(EvidencePool(q, pool, [evidence in normalize_answer(p.text) for p in pool]))
    return out


def fit_reranker(pools: Sequence[EvidencePool], c: float = 1.0) -> Reranker:
    """A logistic regression over the candidates of questions whose evidence was found at all."""
    from evals.train_reader import fit_logistic

    rows: list[dict[str, float]] = []
    labels: list[int] = []
    for item in pools:
        if any(item.gold):
            rows += [p.features for p in item.pool]
            labels += [int(g) for g in item.gold]
    if len(set(labels)) < 2:
        raise ValueError("no train question's evidence is among its candidates: check the evaluation store")
    fitted = fit_logistic(rows, labels, c, balanced=False)
    meta = {"trained": date.today().isoformat(), "questions": sum(1 for i in pools if any(i.gold)), "candidates": len(rows)}
    return Reranker(fitted.weights, fitted.bias, meta)


def hit_rates(pools: Sequence[EvidencePool], reranker: Reranker | None) -> dict[str, float]:
    """Share of questions whose evidence is the first chunk, and in the first five: fused order or reranked."""
    first = five = 0
    for item in pools:
        order = reranker.order([p.features for p in item.pool]) if reranker is not None and item.pool else range(len(item.pool))
        ranked = [item.gold[i] for i in order]
        first += bool(ranked[:1] and ranked[0])
        five += any(ranked[:5])
    n = max(len(pools), 1)
    return {"hit@1": round(first / n, 4), "hit@5": round(five / n, 4), "questions": len(pools)}
