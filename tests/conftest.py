"""Shared fixtures: the bundled corpus, its parse, settings on tmp_path, scriptable fake embeddings."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from ingest.metadata import load_source_info
from ingest.parse import ParseResult, parse_yearbook
from ingest.reader import read_text
from rag.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "corpus" / "sip-2020-party-government.txt"
DATASET = ROOT / "evals" / "datasets" / "sip_2020_party.jsonl"


class FakeEmbeddings(Embeddings):
    """Deterministic hash vectors; records every call; can be told to fail after N texts."""

    model_id = "fake/hash-64"

    def __init__(self, dim: int = 64, fail_after: int | None = None) -> None:
        self.dim = dim
        self.fail_after = fail_after
        self.documents: list[str] = []
        self.queries: list[str] = []

    def _vector(self, text: str) -> list[float]:
        seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
        vector = np.random.default_rng(seed).standard_normal(self.dim)
        return (vector / np.linalg.norm(vector)).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if self.fail_after is not None and len(self.documents) + len(texts) > self.fail_after:
            raise ConnectionError("embedding server went away (on purpose)")
        self.documents.extend(texts)
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return self._vector(text)


@pytest.fixture(scope="session")
def corpus_text() -> str:
    return read_text(CORPUS)


@pytest.fixture(scope="session")
def parsed(corpus_text: str) -> ParseResult:
    info, _ = load_source_info(CORPUS, corpus_text)
    return parse_yearbook(corpus_text, info)


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(
        store_dir=tmp_path / "chroma",
        cache_dir=tmp_path / "cache",
        corpus_dir=CORPUS.parent,
        chroma_host=None,
    )
