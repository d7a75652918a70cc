"""How often Chroma's HNSW search returns each question's nearest chunks in the exact order, against brute force."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from tqdm import tqdm

from evals.dataset import BUNDLED, Question
from rag.retrieval.hybrid import HybridRetriever, SearchFilters
from rag.store.chroma import search_breadth


TIE = 1e-6  # cosine distances this close are ties: float32 search may order them either way


@dataclass
class DenseQuery:
    """One vector search as the retriever makes it: the question's vector and its year/place filter."""

    vector: list[float]
    where: dict[str, Any] | None


def dense_queries(
    questions: Sequence[Question], retriever: HybridRetriever, places: dict[str, str], progress: bool = True
) -> list[DenseQuery]:
    """Every question's vector search twice: within its yearbook's place (as training reads it) and as asked."""
    out: list[DenseQuery] = []
    for question in tqdm(questions, desc="questions", unit="q", disable=not progress or None):
        place = places.get(question.corpus or BUNDLED) or None
        for filters in (SearchFilters(place=place), None):
            result = retriever.search(question.question, filters=filters)
            vector = list(retriever.embeddings.embed_query(result.ranked_by))
            out.append(DenseQuery(vector, result.filters.where()))
    return out


def measure_exactness(queries: Sequence[DenseQuery], collection: Any, k: int) -> dict[str, Any]:
    """Share of queries whose top ``k`` from Chroma equals brute-force cosine order (ties within ``TIE`` either way) and set, with query latency."""
    stored = collection.get(include=["embeddings", "metadatas"])
    ids = np.asarray(stored["ids"])
    vectors = np.asarray(stored["embeddings"], dtype=np.float64)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    metadatas = stored["metadatas"]
    position = {chunk_id: i for i, chunk_id in enumerate(ids.tolist())}
    same_order = same_set = measured = 0
    overlaps: list[float] = []
    latencies: list[float] = []
    for query in queries:
        allowed = _allowed(query.where, metadatas)
        n = min(k, int(allowed.sum()))
        if n == 0:
            continue
        q = np.asarray(query.vector, dtype=np.float64)
        distances = np.where(allowed, 1.0 - vectors @ (q / np.linalg.norm(q)), np.inf)
        order = np.argsort(distances, kind="stable")[:n]
        exact = ids[order].tolist()
        started = time.perf_counter()
        got = collection.query(query_embeddings=[query.vector], n_results=n, where=query.where, include=[])["ids"][0]
        latencies.append((time.perf_counter() - started) * 1000)
        measured += 1
        got_distances = np.array([distances[position[chunk_id]] for chunk_id in got])
        same_order += len(got) == n and bool(np.all(np.abs(got_distances - distances[order]) <= TIE))
        same_set += set(got) == set(exact)
        overlaps.append(len(set(got) & set(exact)) / n)
    count = max(measured, 1)
    return {
        "ef_search": search_breadth(collection),
        "chunks": len(ids),
        "queries": measured,
        "k": k,
        "exact_order": round(same_order / count, 4),
        "exact_set": round(same_set / count, 4),
        "mean_overlap": round(statistics.fmean(overlaps), 5) if overlaps else None,
        "p50_ms": round(float(np.percentile(latencies, 50)), 2) if latencies else None,
        "p95_ms": round(float(np.percentile(latencies, 95)), 2) if latencies else None,
    }


def _allowed(where: dict[str, Any] | None, metadatas: Sequence[dict[str, Any] | None]) -> np.ndarray:
    """Which stored chunks a ``where`` of equality clauses (optionally under ``$and``) lets through."""
    if where is None:
        return np.ones(len(metadatas), dtype=bool)
    clauses = where.get("$and", [where])
    return np.array(
        [all((meta or {}).get(key) == value for clause in clauses for key, value in clause.items()) for meta in metadatas],
        dtype=bool,
    )


def format_exactness(report: dict[str, Any]) -> str:
    """The exactness report as a few readable lines."""
    return "\n".join(
        [
            f"vector search exactness on {report['chunks']} chunks, ef_search {report['ef_search']}, "
            f"{report['queries']} searches of the train and dev questions (top {report['k']})",
            f"  exact order {report['exact_order']:.4f}   exact set {report['exact_set']:.4f}   "
            f"mean overlap {report['mean_overlap']:.5f}",
            f"  Chroma query p50 {report['p50_ms']:.2f} ms, p95 {report['p95_ms']:.2f} ms",
        ]
    )
