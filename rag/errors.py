"""Domain errors; the CLI and the web page turn them into messages for people."""

from __future__ import annotations


class YearbookError(Exception):
    """Base class of every error Yearbook QA reports to a person."""


class ConfigError(YearbookError):
    """Settings are inconsistent, or an optional provider is not installed."""


class CorpusFormatError(YearbookError):
    """A yearbook file cannot be read: missing, empty, binary or undecodable."""


class EmptyIndexError(YearbookError):
    """The store holds no chunks yet; run `yearbook ingest` first."""


class StoreUnavailableError(YearbookError):
    """The Chroma store (embedded path or server) cannot be opened or reached."""


class EmbeddingError(YearbookError):
    """The embedding provider failed; nothing was written to the store."""


class QuestionError(YearbookError):
    """A question that cannot be asked as typed (empty or too long)."""
