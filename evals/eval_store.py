"""The evaluation store: the bundled corpus and every evaluation yearbook, ingested into their own Chroma."""

from __future__ import annotations

from pathlib import Path

from rag.settings import Settings

CORPORA_DIR = Path(__file__).with_name("corpora")


def eval_settings(settings: Settings) -> Settings:
    """Settings pointing at the evaluation store, ingesting what is missing or changed (idempotent).

    The multi-yearbook question splits are asked against all yearbooks at once, so a
    question naming no place or year must still find its own yearbook. In server mode the
    evaluation uses its own collection on the server.
    """
    from ingest.index import ingest
    from rag.store.embeddings import CachedEmbeddings, embedding_model_id, make_embeddings

    scoped = settings.model_copy(
        update={"store_dir": settings.cache_dir / "eval-chroma", "collection": f"{settings.collection}-eval"}
    )
    embeddings = CachedEmbeddings(make_embeddings(scoped), embedding_model_id(scoped), scoped.cache_dir / "embeddings.sqlite3")
    try:
        ingest([settings.corpus_dir, CORPORA_DIR], scoped, embeddings, progress=False)
    finally:
        embeddings.close()
    return scoped
