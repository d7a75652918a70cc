"""The reader's learned models: the span ranker (boosted trees), three logistic models (span confidence, answerable, yes/no verdict) and thresholds, in one JSON file."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rag.errors import ConfigError
from rag.ranking import LinearModel, TreeRanker, linear_from_json, ranker_from_json

MODEL_PATH = Path(__file__).with_name("reader_model.json")
MODEL_FORMAT = 1


@dataclass(frozen=True)
class ReaderModel:
    """Everything the reader learned: the span scorer, the answerable scorer and the tier thresholds."""

    span: LinearModel | TreeRanker
    answerable: LinearModel
    answer_threshold: float = 0.5  # P(answerable) under this → refusal
    span_threshold: float = 0.3  # span confidence under this → the sentence is quoted instead of a short answer
    meta: dict[str, Any] = field(default_factory=dict)
    confidence: LinearModel = field(default_factory=lambda: LinearModel({}))  # P(the best span is right | its score, its lead)
    yesno: LinearModel = field(default_factory=lambda: LinearModel({}))  # P(是 | how far the deciding sentence states the claim)

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
            "yesno": self.yesno.to_json(),
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
            span=ranker_from_json(raw["span"]),
            answerable=linear_from_json(raw["answerable"]),
            answer_threshold=float(raw["answer_threshold"]),
            span_threshold=float(raw["span_threshold"]),
            meta=dict(raw.get("meta", {})),
            confidence=linear_from_json(raw.get("confidence", {"weights": {}, "bias": 0.0})),
            yesno=linear_from_json(raw.get("yesno", {"weights": {}, "bias": 0.0})),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"reader model {path}: {exc}; rebuild it with `yearbook eval train`") from exc


def configured_model(path: Path | None) -> ReaderModel:
    """The reader model a setting names (``YEARBOOK_READER_MODEL``), else the shipped one."""
    return load_model(path or MODEL_PATH)

