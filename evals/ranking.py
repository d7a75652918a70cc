"""Listwise span ranking: a linear model fitted so each question's gold span wins the softmax over its candidates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rag.reader.model import LinearModel

SPAN_C = 2.0  # inverse regularisation (leave-one-yearbook-out top span EM: c 0.1 → 0.643, 0.5 → 0.661, 2.0 → 0.664)


@dataclass(frozen=True)
class CandidateGroup:
    """The candidate spans of one question part: their features, and which of them are gold."""

    rows: Sequence[dict[str, float]]
    gold: Sequence[bool]


def fit_listwise(groups: Sequence[CandidateGroup], c: float, max_iterations: int = 2000) -> LinearModel:
    """A conditional-logit ranker: weights that maximise each group's softmax mass on its gold spans.

    The reader answers with the one span it scores highest among a question's candidates, so
    the loss is the one that decision pays: −log Σ_gold e^s + log Σ_all e^s per question, with an
    L2 penalty |w|²/(2c) (``c`` as in scikit-learn's logistic regression). Every question weighs
    the same however many candidates it has, unlike a per-span logistic loss where the longest
    passages dominate. Groups whose spans are all gold, or none, teach nothing and are skipped.
    Scores only rank within a question, so there is no intercept.
    """
    import numpy as np
    from scipy.optimize import minimize
    from sklearn.feature_extraction import DictVectorizer

    useful = [g for g in groups if any(g.gold) and not all(g.gold)]
    if not useful:
        raise ValueError("no question has both a gold and a wrong candidate span: nothing to rank")
    vectorizer = DictVectorizer(sparse=True)
    matrix = vectorizer.fit_transform([row for g in useful for row in g.rows]).tocsr()
    gold = np.fromiter((mark for g in useful for mark in g.gold), dtype=bool)
    sizes = np.array([len(g.rows) for g in useful])
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))

    def loss_and_gradient(weights: np.ndarray) -> tuple[float, np.ndarray]:
        scores = matrix @ weights
        shifted = np.exp(scores - np.repeat(np.maximum.reduceat(scores, starts), sizes))
        on_gold = np.where(gold, shifted, 0.0)
        total, total_gold = np.add.reduceat(shifted, starts), np.add.reduceat(on_gold, starts)
        loss = float(np.sum(np.log(total) - np.log(total_gold))) + 0.5 * float(weights @ weights) / c
        gradient = matrix.T @ (shifted / np.repeat(total, sizes) - on_gold / np.repeat(total_gold, sizes)) + weights / c
        return loss, gradient

    result = minimize(loss_and_gradient, np.zeros(matrix.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": max_iterations})
    names = vectorizer.get_feature_names_out()
    return LinearModel({str(n): round(float(w), 5) for n, w in zip(names, result.x) if abs(w) > 1e-6}, 0.0)
