"""The vector-search exactness measure: brute-force truth, ties, filters, and a search that gets the order wrong."""

from __future__ import annotations

from typing import Any

import chromadb
import numpy as np
import pytest

from evals.search_exactness import DenseQuery, measure_exactness
from rag.store.chroma import create_collection

PLACES = ("甲县", "乙县", "丙县")


@pytest.fixture()
def collection(tmp_path):
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(300, 16))
    client = chromadb.PersistentClient(path=str(tmp_path / "chroma"))
    made = create_collection(client, "exactness", "test/model", ef_search=1000)
    made.add(
        ids=[f"c{i}" for i in range(300)],
        embeddings=vectors.tolist(),
        metadatas=[{"place": PLACES[i % 3], "year": 2019 + i % 2} for i in range(300)],
    )
    return made


def queries(n: int) -> list[DenseQuery]:
    rng = np.random.default_rng(5)
    wheres = [None, {"place": "乙县"}, {"$and": [{"year": 2020}, {"place": "丙县"}]}]
    return [DenseQuery(rng.normal(size=16).tolist(), wheres[i % 3]) for i in range(n)]


def test_a_wide_search_is_exact_under_every_filter(collection):
    report = measure_exactness(queries(30), collection, k=40)
    assert report["queries"] == 30 and report["ef_search"] == 1000
    assert report["exact_order"] == report["exact_set"] == 1.0


class Reversed:
    """A collection whose search finds the right chunks but returns them worst first."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.configuration = inner.configuration

    def get(self, **kwargs: Any) -> Any:
        return self.inner.get(**kwargs)

    def query(self, **kwargs: Any) -> Any:
        found = self.inner.query(**kwargs)
        return {"ids": [list(reversed(found["ids"][0]))]}


def test_a_wrong_order_counts_as_inexact_though_the_set_is_right(collection):
    report = measure_exactness(queries(12), Reversed(collection), k=10)
    assert report["exact_set"] == 1.0
    assert report["exact_order"] == 0.0


def test_a_filter_with_fewer_chunks_than_k_asks_for_all_of_them(collection):
    only = [DenseQuery(np.ones(16).tolist(), {"$and": [{"year": 2020}, {"place": "甲县"}]})]
    report = measure_exactness(only, collection, k=400)
    assert report["queries"] == 1 and report["exact_order"] == 1.0
