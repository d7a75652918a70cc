"""Fitting the learned scorers over named features: logistic regression (scikit-learn) and LambdaRank trees (LightGBM)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rag.ranking import LinearModel, TreeRanker


LAMBDARANK = {"objective": "lambdarank", "deterministic": True, "force_row_wise": True, "random_state": 0, "n_jobs": 2, "verbose": -1}


@dataclass
class RankGroup:
    """One question's (or question part's) candidates as features, which of them are gold, and how much it counts."""

    rows: list[dict[str, float]]
    labels: list[int]
    weight: float = 1.0


def fit_logistic(
    rows: list[dict[str, float]], labels: list[int], c: float, balanced: bool, weights: Sequence[float] | None = None
) -> LinearModel:
    """A logistic regression over named features (scikit-learn), returned as named weights.

    ``weights`` says how much each row counts (default: alike; a row of weight 0 counts for
    nothing); ``balanced`` then gives each class half of the total weight, however many rows, and
    of what weight, it holds (as scikit-learn's ``class_weight="balanced"`` does for equal weights).
    """
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer(sparse=True)
    matrix = vectorizer.fit_transform(rows)
    sample = np.ones(len(labels)) if weights is None else np.asarray(weights, dtype=float)
    if balanced:
        classes, whole = np.asarray(labels), sample.sum()
        for label in set(labels):
            inside = classes == label
            total = sample[inside].sum()
            if total > 0:
                sample[inside] *= whole / (2 * total)
    model = LogisticRegression(C=c, max_iter=3000)
    model.fit(matrix, labels, sample_weight=sample)
    names = vectorizer.get_feature_names_out()
    weights_out = {str(n): round(float(w), 5) for n, w in zip(names, model.coef_[0]) if abs(w) > 1e-6}
    return LinearModel(weights_out, round(float(model.intercept_[0]), 5))


def fit_tree_ranker(
    groups: Sequence[RankGroup], params: dict[str, Any], nothing_to_learn: str, monotone: Mapping[str, int] | None = None
) -> TreeRanker:
    """LambdaRank trees that put each group's gold candidates above its others (``params``: LightGBM's).

    ``monotone`` names features whose direction is known before any data (+1: more never ranks a
    candidate lower; -1: never higher); the trees then cannot learn a reversal from a few examples.

    Raises:
        ValueError: ``nothing_to_learn``, when no group has a candidate that is not gold.
    """
    import lightgbm
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer

    if not any(0 in g.labels for g in groups):
        raise ValueError(nothing_to_learn)

    vectorizer = DictVectorizer(sparse=True)
    matrix = vectorizer.fit_transform([row for g in groups for row in g.rows]).astype(np.float32)
    labels = np.asarray([label for g in groups for label in g.labels])
    weights = np.asarray([g.weight for g in groups for _ in g.rows])
    params = {**params, "min_child_samples": min(params["min_child_samples"], max(1, len(groups) // 4))}
    names = vectorizer.get_feature_names_out().tolist()
    if monotone:
        params["monotone_constraints"] = [monotone.get(name, 0) for name in names]
        params["monotone_constraints_method"] = "advanced"
    ranker = lightgbm.LGBMRanker(**params)
    ranker.fit(matrix, labels, group=[len(g.rows) for g in groups], sample_weight=weights)
    return TreeRanker(names, ranker.booster_.model_to_string())
