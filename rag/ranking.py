"""Learned scorers over named features, shared by retrieval and the reader: a logistic model and LambdaRank trees."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LinearModel:
    """A logistic model over named features (missing features are 0)."""

    weights: dict[str, float]
    bias: float = 0.0

    def logit(self, features: dict[str, float]) -> float:
        """The weighted sum."""
        return self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())

    def probability(self, features: dict[str, float]) -> float:
        """The logistic of :meth:`logit`."""
        return logistic(self.logit(features))

    def scores(self, rows: Sequence[dict[str, float]]) -> list[float]:
        """:meth:`logit` of every row."""
        return [self.logit(row) for row in rows]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"bias": self.bias, "weights": dict(sorted(self.weights.items()))}


class TreeRanker:
    """Gradient-boosted trees (LightGBM, LambdaRank) over named features: higher scores rank a candidate first.

    Trees see what a weighted sum cannot (a unit that matters only for one kind of question, a
    coverage that only counts near the cue); the scores rank one question's candidates (spans,
    chunks) and are not probabilities. The booster is kept as LightGBM's own text form inside
    the model file.
    """

    def __init__(self, features: Sequence[str], booster: str) -> None:
        import lightgbm

        self.features = tuple(features)
        self.booster = booster
        self._column = {name: i for i, name in enumerate(self.features)}
        self._trees = lightgbm.Booster(model_str=booster)

    def scores(self, rows: Sequence[dict[str, float]]) -> list[float]:
        """The ranking score of every row (features the model never saw are ignored)."""
        import numpy as np
        from scipy.sparse import csr_matrix

        if not rows:
            return []
        data: list[float] = []
        columns: list[int] = []
        pointers = [0]
        for row in rows:
            for name, value in row.items():
                column = self._column.get(name)
                if column is not None and value:
                    columns.append(column)
                    data.append(value)
            pointers.append(len(columns))
        matrix = csr_matrix((np.asarray(data, dtype=np.float32), columns, pointers), shape=(len(rows), len(self.features)))
        return [float(x) for x in self._trees.predict(matrix)]

    def logit(self, features: dict[str, float]) -> float:
        """The ranking score of one candidate."""
        return self.scores([features])[0]

    def probability(self, features: dict[str, float]) -> float:
        """The logistic of the score: monotone in it, for comparing spans, not a calibrated probability."""
        return logistic(self.logit(features))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"kind": "lambdarank", "features": list(self.features), "booster": self.booster}


def logistic(z: float) -> float:
    """The logistic function, clipped so large scores do not overflow."""
    z = max(-30.0, min(30.0, z))
    return 1.0 / (1.0 + math.exp(-z))


def linear_from_json(raw: dict[str, Any]) -> LinearModel:
    """A logistic model from its JSON form."""
    return LinearModel({str(k): float(v) for k, v in raw["weights"].items()}, float(raw["bias"]))


def ranker_from_json(raw: dict[str, Any]) -> LinearModel | TreeRanker:
    """Trees or a logistic model, whichever the JSON form holds."""
    return TreeRanker(raw["features"], raw["booster"]) if "booster" in raw else linear_from_json(raw)
