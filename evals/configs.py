"""Named evaluation configurations (retriever, answerer, k, chunk budget) and the services they build."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from langchain_core.embeddings import Embeddings

from rag.answer.service import QAService
from rag.errors import ConfigError
from rag.reader.reader import Reader
from rag.reader.similarity import bundled_similarity
from rag.retrieval.hybrid import HybridRetriever, build_retriever
from rag.settings import Settings
from rag.store.chroma import Store

if TYPE_CHECKING:
    from rag.answer.llm import LLMAnswerer

RetrieverName = Literal["dense", "bm25", "hybrid"]
AnswererName = Literal["extractive", "llm"]
RETRIEVERS: tuple[str, ...] = ("dense", "bm25", "hybrid")
ANSWERERS: tuple[str, ...] = ("extractive", "llm")


@dataclass(frozen=True)
class EvalConfig:
    """One way of answering: which retriever, which answerer, how many chunks, what chunk budget,
    and whether colloquial words are rewritten to the yearbook's wording.

    ``k`` and ``chunk_tokens`` of None mean "as the live settings say".
    """

    name: str
    retriever: RetrieverName = "hybrid"
    answerer: AnswererName = "extractive"
    k: int | None = None
    chunk_tokens: int | None = None
    lexicon: bool = True

    def resolved(self, settings: Settings) -> EvalConfig:
        """The same configuration with k and chunk budget filled in from ``settings``."""
        return replace(
            self,
            k=self.k if self.k is not None else settings.top_k,
            chunk_tokens=self.chunk_tokens if self.chunk_tokens is not None else settings.chunk_tokens,
        )

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return asdict(self)


PRESETS: dict[str, EvalConfig] = {
    config.name: config
    for config in (
        EvalConfig("hybrid"),
        EvalConfig("dense", retriever="dense"),
        EvalConfig("bm25", retriever="bm25"),
        EvalConfig("hybrid-k3", k=3),
        EvalConfig("hybrid-k10", k=10),
        EvalConfig("hybrid-chunks200", chunk_tokens=200),
        EvalConfig("hybrid-chunks512", chunk_tokens=512),
        EvalConfig("hybrid-nolexicon", lexicon=False),
        EvalConfig("llm", answerer="llm"),
    )
}
DEFAULT_CONFIGS: tuple[str, ...] = ("hybrid",)


def parse_config(text: str) -> EvalConfig:
    """A preset name, or an ad-hoc ``key=value,...`` spec such as ``retriever=dense,k=3``.

    An ad-hoc spec may start from a preset (``hybrid-k3,answerer=llm``); its name is the
    spec itself unless ``name=...`` is given.

    Raises:
        ConfigError: unknown preset, key or value.
    """
    text = text.strip()
    if text in PRESETS:
        return PRESETS[text]
    base = EvalConfig(name=text)
    fields: dict[str, object] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        if "=" not in part:
            if part not in PRESETS:
                raise ConfigError(f"unknown configuration {part!r}: use one of {', '.join(PRESETS)} or key=value pairs")
            base = replace(PRESETS[part], name=text)
            continue
        key, value = (s.strip() for s in part.split("=", 1))
        field, parsed = _field(key, value)
        fields[field] = parsed
    return replace(base, **fields)  # type: ignore[arg-type]


def _field(key: str, value: str) -> tuple[str, object]:
    """The dataclass field a ``key=value`` pair sets, and its parsed value."""
    match key:
        case "name":
            return "name", value
        case "retriever" | "mode":
            if value not in RETRIEVERS:
                raise ConfigError(f"retriever must be one of {', '.join(RETRIEVERS)}, not {value!r}")
            return "retriever", value
        case "answerer":
            if value not in ANSWERERS:
                raise ConfigError(f"answerer must be one of {', '.join(ANSWERERS)}, not {value!r}")
            return "answerer", value
        case "lexicon":
            if value not in ("on", "off"):
                raise ConfigError(f"lexicon must be 'on' or 'off', not {value!r}")
            return "lexicon", value == "on"
        case "k" | "chunk_tokens" | "chunks":
            if not value.isdigit() or int(value) < 1:
                raise ConfigError(f"{key} must be a positive whole number, not {value!r}")
            if key != "k" and int(value) < 128:
                raise ConfigError(f"a chunk budget must be at least 128 tokens, not {value}")
            return ("k" if key == "k" else "chunk_tokens"), int(value)
        case _:
            raise ConfigError(f"unknown configuration key {key!r}: use retriever, answerer, k, chunk_tokens, lexicon or name")


def parse_configs(texts: list[str] | None) -> list[EvalConfig]:
    """Configurations named on the command line (the default when none), names unique."""
    configs = [parse_config(t) for t in (texts or DEFAULT_CONFIGS)]
    names = [c.name for c in configs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"configuration named twice: {', '.join(duplicates)}")
    return configs


def variant_settings(settings: Settings, chunk_tokens: int) -> Settings:
    """Settings of the evaluation store for another chunk budget (always embedded, own folder)."""
    root = settings.cache_dir / "eval-stores" / f"chunks-{chunk_tokens}"
    return settings.model_copy(
        update={
            "chunk_tokens": chunk_tokens,
            "store_dir": root / "chroma",
            "cache_dir": root / "cache",
            "chroma_host": None,
            "collection": f"eval-chunks-{chunk_tokens}",
        }
    )


def embedding_cache_path(settings: Settings) -> Path:
    """The shared vector cache: variant stores re-use every vector the live store computed."""
    return settings.cache_dir / "embeddings.sqlite3"


class ServiceFactory:
    """Builds one QAService per configuration, sharing query embeddings and stores between them."""

    def __init__(self, settings: Settings, embeddings: Embeddings | None = None, progress: bool = True) -> None:
        self.settings = settings
        self.progress = progress
        self._embeddings = embeddings
        self._stores: dict[int, Store] = {}
        self._llm: LLMAnswerer | None = None

    @property
    def embeddings(self) -> Embeddings:
        """Query embeddings of the configured provider (loaded once)."""
        if self._embeddings is None:
            from rag.store.embeddings import make_embeddings

            self._embeddings = make_embeddings(self.settings)
        return self._embeddings

    def settings_for(self, config: EvalConfig) -> Settings:
        """The settings a configuration runs with."""
        config = config.resolved(self.settings)
        base = self.settings
        if config.chunk_tokens != self.settings.chunk_tokens:
            base = variant_settings(self.settings, int(config.chunk_tokens or 0))
        return base.model_copy(
            update={
                "retrieval_mode": config.retriever,
                "top_k": config.k,
                "answerer": config.answerer,
                "colloquial_lexicon": config.lexicon,
            }
        )

    def retriever(self, config: EvalConfig) -> HybridRetriever:
        """The retriever of a configuration, building a per-chunk-budget store if needed."""
        settings = self.settings_for(config)
        return build_retriever(settings, self._store(settings), self.embeddings)

    def service(self, config: EvalConfig) -> QAService:
        """The QAService of a configuration.

        Raises:
            ConfigError: an LLM configuration without ``llm_base_url`` set.
        """
        llm = None
        if config.answerer == "llm":
            llm = self._llm_answerer()
        return QAService(self.retriever(config), Reader(similarity=bundled_similarity(self.settings.cache_dir)), llm)

    def _llm_answerer(self) -> LLMAnswerer:
        if not self.settings.llm_base_url:
            raise ConfigError(
                "an 'llm' configuration needs an LLM server: set YEARBOOK_LLM_BASE_URL (and YEARBOOK_LLM_MODEL)"
            )
        if self._llm is None:
            from rag.answer.llm import LLMAnswerer

            self._llm = LLMAnswerer.from_settings(self.settings)
        return self._llm

    def _store(self, settings: Settings) -> Store:
        from rag.store.embeddings import embedding_model_id
        from rag.store.chroma import open_store

        budget = settings.chunk_tokens
        if budget not in self._stores:
            if budget == self.settings.chunk_tokens:
                self._stores[budget] = open_store(settings, embedding_model_id(settings))
            else:
                self._stores[budget] = build_variant_store(
                    self.settings, budget, self.embeddings, progress=self.progress
                )
        return self._stores[budget]


def build_variant_store(settings: Settings, chunk_tokens: int, inner: Embeddings, progress: bool = True) -> Store:
    """Ingest ``settings.corpus_dir`` at another chunk budget into its own evaluation store.

    Idempotent: an up-to-date store is opened without any embedding work, and vectors come
    from the shared cache when the live store already embedded the same text.
    """
    from ingest.index import ingest
    from rag.store.embeddings import CachedEmbeddings, embedding_model_id
    from rag.store.chroma import open_store

    variant = variant_settings(settings, chunk_tokens)
    model_id = embedding_model_id(settings)
    if isinstance(inner, CachedEmbeddings):
        inner = inner.inner
    embeddings = CachedEmbeddings(inner, model_id, embedding_cache_path(settings))
    try:
        ingest([settings.corpus_dir], variant, embeddings, progress=progress)
    finally:
        embeddings.close()
    return open_store(variant, model_id)
