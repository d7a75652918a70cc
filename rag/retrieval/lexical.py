"""BM25 over Chinese tokens, built from the Chroma collection and cached by its content version."""

from __future__ import annotations

import pickle
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import numpy as np

from rag.store.chroma import Store
from rag.text import TokenizerName, normalise, tokenize

FETCH_BATCH = 2000
INDEX_FORMAT = "v10"  # bump when LexicalIndex changes shape, so old pickles are rebuilt
MAX_ROW_SHARE = 0.5  # a query word in more than this share of the searched chunks tells none apart
MAX_REMEMBERED = 20_000  # words whose presence is remembered; the memory starts over past this (every question's words pass here)


@dataclass
class LexicalIndex:
    """A BM25 index over the collection's chunks; ``ids[i]`` is the chunk of row i."""

    version: str
    tokenizer: TokenizerName
    ids: list[str]
    years: np.ndarray
    sections: list[str]
    places: np.ndarray
    bm25: bm25s.BM25
    text: str = ""  # every chunk's normalised text, one per line: for "does the store say X?"
    rows_of: dict[str, np.ndarray] = field(default_factory=dict)  # token → the rows that hold it
    place_text: dict[str, str] = field(default_factory=dict)  # place → its chunks' normalised text, one per line
    _seen: dict[tuple[str, str], bool] = field(default_factory=dict, repr=False)
    _df: dict[str, dict[str, int]] = field(default_factory=dict, repr=False)

    def contains(self, term: str, place: str | None = None) -> bool:
        """Whether any chunk's text (heading path included) contains ``term``; with ``place``, any of that place's chunks."""
        key = (term, place or "")
        found = self._seen.get(key)
        if found is None:
            if len(self._seen) >= MAX_REMEMBERED:
                self._seen.clear()
            text = self.place_text.get(place, "") if place else self.text
            found = self._seen[key] = normalise(term) in text
        return found

    def document_frequency(self) -> dict[str, int]:
        """How many chunks hold each token."""
        if "df" not in self._df:
            self._df["df"] = {token: len(rows) for token, rows in self.rows_of.items()}
        return self._df["df"]

    def scores(self, query: str, searched: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every chunk for ``query`` (zeros when nothing matches).

        ``searched`` marks the rows a filter lets through; query words found in more than
        MAX_ROW_SHARE of them are left out (「县」 in one county's yearbook, 「园区」 in the
        park's), as they only favour the short chunks that repeat them.
        """
        tokens = tokenize(query, self.tokenizer)
        if searched is not None and self.rows_of:
            total = max(int(searched.sum()), 1)
            tokens = [t for t in tokens if int(searched[self.rows_of.get(t, _NONE)].sum()) <= MAX_ROW_SHARE * total]
        if not tokens or not self.ids:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)


def build_lexical_index(store: Store, tokenizer: TokenizerName) -> LexicalIndex:
    """Read every chunk's embedded text from Chroma and index it."""
    ids: list[str] = []
    texts: list[str] = []
    years: list[int] = []
    sections: list[str] = []
    places: list[str] = []
    total = store.count()
    for offset in range(0, total, FETCH_BATCH):
        page = store.collection.get(include=["metadatas"], limit=FETCH_BATCH, offset=offset)
        for chunk_id, meta in zip(page["ids"], page["metadatas"] or []):
            ids.append(chunk_id)
            texts.append(str(meta.get("embed_text", "")))
            years.append(int(meta.get("year", 0)))
            sections.append(str(meta.get("section", "")))
            places.append(str(meta.get("place", "")))
    bm25 = bm25s.BM25()
    tokenized = [tokenize(t, tokenizer) or ["∅"] for t in texts]
    if texts:
        bm25.index(tokenized, show_progress=False)
    rows: dict[str, list[int]] = {}
    for row, tokens in enumerate(tokenized):
        for token in set(tokens):
            rows.setdefault(token, []).append(row)
    by_place: dict[str, list[str]] = {}
    for place, chunk_text in zip(places, texts):
        by_place.setdefault(place, []).append(chunk_text)
    return LexicalIndex(
        store.version(), tokenizer, ids, np.asarray(years), sections, np.asarray(places, dtype=object), bm25,
        normalise("\n".join(texts)),
        {token: np.asarray(found, dtype=np.int32) for token, found in rows.items()},
        {place: normalise("\n".join(chunks)) for place, chunks in by_place.items() if place},
    )


_NONE = np.zeros(0, dtype=np.int32)


class LexicalIndexCache:
    """Keeps the lexical index in step with the collection.

    The collection's ``index_version`` changes on every ingest (embedded or server mode);
    when it differs from the loaded index, the index is loaded from the disk cache for
    that version or rebuilt from Chroma and saved.
    """

    def __init__(self, cache_dir: Path, tokenizer: TokenizerName = "both") -> None:
        self.cache_dir = cache_dir
        self.tokenizer = tokenizer
        self._index: LexicalIndex | None = None
        self._lock = threading.Lock()

    def get(self, store: Store) -> LexicalIndex:
        """The index for the store's current content."""
        version = store.version()
        with self._lock:
            if self._index is not None and self._index.version == version:
                return self._index
            path = self.cache_dir / f"bm25{INDEX_FORMAT}-{store.name}-{self.tokenizer}-{version}.pkl"
            index = _load(path)
            if index is None or index.version != version:
                index = build_lexical_index(store, self.tokenizer)
                _save(path, index)
            self._index = index
            return index


def _load(path: Path) -> LexicalIndex | None:
    try:
        with path.open("rb") as handle:
            index = pickle.load(handle)
    except (OSError, pickle.PickleError, EOFError, AttributeError):
        return None
    return index if isinstance(index, LexicalIndex) else None


def _save(path: Path, index: LexicalIndex) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    same_store = path.name.rsplit("-", 1)[0].split("-", 1)[1]
    stale = re.compile(rf"bm25(?:v\d+)?-{re.escape(same_store)}-[^-]+\.pkl")  # any format, any version
    for old in path.parent.glob("bm25*.pkl"):
        if stale.fullmatch(old.name):
            old.unlink(missing_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as handle:
        pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
