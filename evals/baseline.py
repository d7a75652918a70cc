"""The naive baseline: 500/50 recursive character splits of the raw text, dense search only."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from evals.retrieval import Label
from ingest.index import find_files
from ingest.metadata import load_source_info
from ingest.parse import parse_yearbook
from ingest.reader import read_text
from rag.schema import Entry


class NaiveBaseline:
    """A tutorial-grade RAG index: no entry awareness, no lexical search, default Chroma.

    Each chunk is labelled, for scoring only, with the entry (and table) that most of its
    characters come from, as a reader would say which entry a passage is from.
    """

    def __init__(self, corpus: list[Path], embeddings: Embeddings) -> None:
        splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50, add_start_index=True)
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self.store = Chroma(
            client=client, collection_name=f"naive-{uuid.uuid4().hex[:8]}", embedding_function=embeddings
        )
        self.labels: dict[str, set[Label]] = {}
        for path in find_files(corpus):
            text = read_text(path)
            info, _ = load_source_info(path, text)
            spans = _label_spans(parse_yearbook(text, info).entries)
            documents = splitter.create_documents([text], metadatas=[{"source": path.name}])
            ids = [uuid.uuid4().hex for _ in documents]
            for chunk_id, document in zip(ids, documents):
                start = int(document.metadata["start_index"])
                end = start + len(document.page_content)
                self.labels[chunk_id] = _majority_labels(spans, start, end)
            self.store.add_documents(documents, ids=ids)
        self.chunks = len(self.labels)

    def search(self, question: str, k: int = 10) -> tuple[list[set[Label]], float]:
        """Labels of the top ``k`` chunks, and the time taken in ms."""
        started = time.perf_counter()
        documents = self.store.similarity_search(question, k=k)
        ms = (time.perf_counter() - started) * 1000
        return [self.labels.get(str(d.id), set()) for d in documents], ms


def _majority_labels(spans: list[tuple[int, int, Label, bool]], start: int, end: int) -> set[Label]:
    """The entry label with the largest overlap, plus a table label if it overlaps most too."""
    best: dict[bool, tuple[int, Label | None]] = {False: (0, None), True: (0, None)}
    for span_start, span_end, label, is_table in spans:
        overlap = min(end, span_end) - max(start, span_start)
        if overlap > best[is_table][0]:
            best[is_table] = (overlap, label)
    labels = {label for _, label in best.values() if label is not None}
    return labels


def _label_spans(entries: list[Entry]) -> list[tuple[int, int, Label, bool]]:
    spans: list[tuple[int, int, Label, bool]] = []
    for entry in entries:
        body_end = entry.tables[0].start if entry.tables else entry.end
        spans.append((entry.start, body_end, (entry.section, entry.title), False))
        for table in entry.tables:
            end = table.rows[-1].end if table.rows else table.start
            spans.append((table.start, end, (entry.section, table.caption), True))
    return spans
