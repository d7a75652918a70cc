"""Train the retrieval reranker: which fused candidate chunk holds a train question's gold evidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tqdm import tqdm

from evals.answer_metrics import normalize_answer
from evals.dataset import BUNDLED, Question
from evals.fitting import LAMBDARANK, RankGroup, fit_tree_ranker
from rag.retrieval.hybrid import HybridRetriever, Pooled, SearchFilters
from rag.retrieval.rerank import Reranker

RERANKER_PARAMS = {  # leave-one-yearbook-out hit@1 0.917 (logistic) -> 0.937 with these (`eval retrieval --cross-validate`)
    **LAMBDARANK, "n_estimators": 200, "learning_rate": 0.05, "num_leaves": 15, "min_child_samples": 20,
}
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


def fit_reranker(pools: Sequence[EvidencePool]) -> Reranker:
    """LambdaRank trees that put each question's evidence chunks above its other candidates (questions whose evidence was found at all)."""
    groups = [RankGroup([p.features for p in item.pool], [int(g) for g in item.gold]) for item in pools if any(item.gold)]
    ranker = fit_tree_ranker(groups, RERANKER_PARAMS, "no train question's evidence is among its candidates: check the evaluation store")
    meta = {"trained": date.today().isoformat(), "questions": len(groups), "candidates": sum(len(g.rows) for g in groups)}
    return Reranker(ranker, meta)


def hit_rates(pools: Sequence[EvidencePool], reranker: Reranker | None) -> dict[str, float]:
    """Share of questions whose evidence is the first chunk, and in the first five: fused order or reranked."""
    return _hit_rates([(item, reranker) for item in pools])


def _hit_rates(ranked: Sequence[tuple[EvidencePool, Reranker | None]]) -> dict[str, float]:
    """:func:`hit_rates` with each pool ordered by its own reranker (None: the fused order)."""
    first = five = 0
    for item, reranker in ranked:
        order = reranker.order([p.features for p in item.pool]) if reranker is not None and item.pool else range(len(item.pool))
        golds = [item.gold[i] for i in order]
        first += bool(golds[:1] and golds[0])
        five += any(golds[:5])
    n = max(len(ranked), 1)
    return {"hit@1": round(first / n, 4), "hit@5": round(five / n, 4), "questions": len(ranked)}


def held_out_rerankers(pools: Sequence[EvidencePool]) -> dict[str, Reranker]:
    """For each yearbook, the reranker fitted on the other yearbooks' pools.

    The reader learns from what retrieval finds for its train questions; a reranker that learned
    from those same questions finds their evidence better than it will a new question's (trees
    place every one first), so the reader is trained on retrieval through these instead.
    """
    rerankers: dict[str, Reranker] = {}
    for corpus in sorted({_corpus(item) for item in pools}):
        others = [item for item in pools if _corpus(item) != corpus]
        if any(any(item.gold) for item in others):  # else nothing to learn from: that yearbook keeps the shipped one
            rerankers[corpus] = fit_reranker(others)
    return rerankers


def cross_validate_reranker(pools: Sequence[EvidencePool]) -> dict[str, Any]:
    """Leave one yearbook out: the reranker fitted on the other yearbooks' pools ranks the one left out.

    Per yearbook and pooled: hit@1 and hit@5 of the gold evidence in the fused order and in the
    held-out reranker's order (the shipped reranker learns from every yearbook, so its own
    figures on these questions are in sample).
    """
    rerankers = held_out_rerankers(pools)
    folds: dict[str, dict[str, Any]] = {}
    for corpus, reranker in rerankers.items():
        held = [item for item in pools if _corpus(item) == corpus]
        folds[corpus] = {"fused": hit_rates(held, None), "reranked": hit_rates(held, reranker)}
    held_out = [(item, rerankers.get(_corpus(item))) for item in pools]
    return {"folds": folds, "pooled": {"fused": hit_rates(pools, None), "reranked": _hit_rates(held_out)}}


def _corpus(item: EvidencePool) -> str:
    return item.question.corpus or BUNDLED


def format_reranker_cross_validation(report: dict[str, Any]) -> str:
    """One row per held-out yearbook and the pooled row: hit@1 / hit@5 fused, then reranked."""
    lines = [
        "leave-one-yearbook-out reranker over the train and dev questions' evidence (fused order → held-out reranker)",
        f"{'held-out yearbook':<28}{'n':>5}{'fused @1':>10}{'@5':>7}{'reranked @1':>13}{'@5':>7}",
    ]
    for corpus, rates in [*report["folds"].items(), ("pooled", report["pooled"])]:
        fused, reranked = rates["fused"], rates["reranked"]
        lines.append(
            f"{corpus:<28}{fused['questions']:>5}{fused['hit@1']:>10.3f}{fused['hit@5']:>7.3f}"
            f"{reranked['hit@1']:>13.3f}{reranked['hit@5']:>7.3f}"
        )
    return "\n".join(lines)
