"""The reader's learned models: the span ranker (boosted trees), two logistic models (span confidence, answerable) and thresholds, in one JSON file."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rag.errors import ConfigError

MODEL_PATH = Path(__file__).with_name("reader_model.json")
MODEL_FORMAT = 1


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


class SpanRanker:
    """Gradient-boosted trees (LightGBM, LambdaRank) over named features: higher scores rank a span first.

    Trees see what a weighted sum cannot (a unit that matters only for one kind of question, a
    coverage that only counts near the cue); the scores rank one question's spans and are not
    probabilities. The booster is kept as LightGBM's own text form inside the model file.
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
        """The ranking score of one span."""
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


@dataclass(frozen=True)
class ReaderModel:
    """Everything the reader learned: the span scorer, the answerable scorer and the tier thresholds."""

    span: LinearModel | SpanRanker
    answerable: LinearModel
    answer_threshold: float = 0.5  # P(answerable) under this → refusal
    span_threshold: float = 0.3  # span confidence under this → the sentence is quoted instead of a short answer
    meta: dict[str, Any] = field(default_factory=dict)
    confidence: LinearModel = field(default_factory=lambda: LinearModel({}))  # P(the best span is right | its score, its lead)

    def span_confidence(self, features: dict[str, float], best: dict[str, float]) -> float:
        """How sure the reader is of the best span: the confidence model over ``features`` once
        trained, else the span model's own probability of ``best`` (the best span's features)."""
        if self.confidence.weights:
            return self.confidence.probability(features)
        return self.span.probability(best)

    def save(self, path: Path) -> None:
        """Write the model as JSON."""
        payload = {
            "format": MODEL_FORMAT,
            "meta": self.meta,
            "answer_threshold": self.answer_threshold,
            "span_threshold": self.span_threshold,
            "span": self.span.to_json(),
            "answerable": self.answerable.to_json(),
            "confidence": self.confidence.to_json(),
        }
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> ReaderModel:
    """Read a reader model file.

    Raises:
        ConfigError: the file is missing, unreadable or of another format.
    """
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("format") != MODEL_FORMAT:
            raise ConfigError(f"reader model {path}: format {raw.get('format')!r}, expected {MODEL_FORMAT}; rebuild it with `yearbook eval train`")
        return ReaderModel(
            span=SpanRanker(raw["span"]["features"], raw["span"]["booster"]) if "booster" in raw["span"] else _linear(raw["span"]),
            answerable=_linear(raw["answerable"]),
            answer_threshold=float(raw["answer_threshold"]),
            span_threshold=float(raw["span_threshold"]),
            meta=dict(raw.get("meta", {})),
            confidence=_linear(raw.get("confidence", {"weights": {}, "bias": 0.0})),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"reader model {path}: {exc}; rebuild it with `yearbook eval train`") from exc


def _linear(raw: dict[str, Any]) -> LinearModel:
    """A linear model from its JSON form."""
    return LinearModel({str(k): float(v) for k, v in raw["weights"].items()}, float(raw["bias"]))
