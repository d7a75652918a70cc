"""The learned retrieval reranker: its features, its file, its training and its use by the retriever."""

from __future__ import annotations

import json

import pytest

from evals.dataset import Question
from evals.train_rerank import (
    EvidencePool,
    cross_validate_reranker,
    fit_reranker,
    format_reranker_cross_validation,
    held_out_rerankers,
    hit_rates,
)
from rag.ranking import LinearModel, TreeRanker
from rag.retrieval.hybrid import Pooled, build_retriever
from rag.retrieval.rerank import (
    RERANKER_PATH,
    Candidate,
    Reranker,
    candidate_features,
    load_reranker,
    post_agreement,
    query_terms,
)
from rag.store.chroma import open_store
from rag.store.embeddings import embedding_model_id

DF = {"发展": 40, "党员": 12, "526": 1, "园区": 300}


def terms(question: str = "园区发展党员526人"):
    return query_terms(question, ["园区", "发展", "党员", "526"], DF, 400, ["526"])


def candidate(text: str, heading: str = "组织工作 概况", **ranks) -> Candidate:
    return Candidate(text, heading, "text", ranks.get("fused", 0.05), ranks.get("dense"), ranks.get("lexical"), ranks.get("bm25", 0.0))


def test_rare_words_weigh_more_than_common_ones():
    weights = terms().weights
    assert weights["526"] > weights["党员"] > weights["发展"] > weights["园区"]
    assert "未见" not in query_terms("未见", ["未见"], DF, 400, []).weights  # a word no chunk holds tells nothing apart


def test_features_tell_the_answering_chunk_from_a_neighbour():
    right = candidate_features(terms(), candidate("园区全年发展党员526人。"), 0.05, 0.0)
    other = candidate_features(terms(), candidate("园区召开党员大会。", heading="宣传工作 概况"), 0.05, 0.0)
    assert right["cov_body"] > other["cov_body"]
    assert right["exact"] == 1.0 and other["exact"] == 0.0
    assert right["rarest_missing"] == 0.0 < other["rarest_missing"]
    assert right["longest"] > other["longest"]


def test_a_roster_row_agrees_when_one_of_its_posts_is_the_post_asked_whole():
    question = "黑河市市长是谁"
    mayor = post_agreement(question, "领导名单 职务 | 姓名 | 简况 市委副书记、市长 | 郑国权 | 1948年10月生")
    deputy = post_agreement(question, "领导名单 职务 | 姓名 | 简况 副市长 | 高春阳 | 1954年6月生")
    assert mayor == {"post_asked": 1.0, "post_listed_said": 1.0, "post_listed_unsaid": 0.0}
    assert deputy == {"post_asked": 1.0, "post_listed_said": 0.0, "post_listed_unsaid": 1.0}
    assert post_agreement("园区发展党员多少人", "副市长 | 高春阳") == {"post_asked": 0.0}  # no post asked: nothing to agree with
    prose = post_agreement(question, "选举郑国权为黑河市人民政府市长,吕长生为市人大常委会主任。")
    assert prose["post_listed_said"] == 0.0  # a clause that names a post is no listed post
    features = candidate_features(query_terms(question, ["市长"], {"市长": 2}, 10, []), candidate("副市长 | 高春阳"), 0.05, 0.0)
    assert features["post_listed_unsaid"] == 1.0


def test_ranks_become_reciprocal_features():
    f = candidate_features(terms(), candidate("全年发展党员526人。", dense=0, lexical=3, bm25=2.0, fused=0.1), 0.1, 4.0)
    assert (f["dense_rr"], f["lexical_rr"], f["bm25"], f["fused"]) == (1.0, 0.25, 0.5, 1.0)
    absent = candidate_features(terms(), candidate("全年发展党员526人。"), 0.1, 4.0)
    assert absent["in_dense"] == absent["in_lexical"] == absent["dense_rr"] == 0.0


def test_closeness_in_meaning_is_a_feature_only_when_the_question_was_embedded():
    close = Candidate("全年发展党员526人。", "组织工作 概况", "text", 0.05, 0, None, 0.0, similarity=0.91)
    f = candidate_features(terms(), close, 0.05, 0.0, best_similarity=0.93)
    assert f["dense_sim"] == 0.91 and abs(f["dense_sim_gap"] - 0.02) < 1e-9
    assert "dense_sim" not in candidate_features(terms(), candidate("全年发展党员526人。"), 0.05, 0.0)  # BM25 only


def test_every_candidate_carries_its_closeness_to_the_question_even_outside_the_dense_list(e5_store):
    s = e5_store.settings
    retriever = build_retriever(s, open_store(s, embedding_model_id(s)), e5_store.embeddings)
    retriever.candidates = 3  # few dense neighbours, so BM25 brings chunks the dense search did not
    pool = retriever.search("2020年园区发展党员多少人？").pool
    outside = [p for p in pool if p.features["in_dense"] == 0.0]
    nearest = [p for p in pool if p.features["dense_rr"] == 1.0]
    assert outside and nearest and all("dense_sim" in p.features for p in pool)
    assert nearest[0].features["dense_sim_gap"] == pytest.approx(0.0, abs=1e-6)  # the nearest chunk is the closest
    assert all(p.features["dense_sim"] <= nearest[0].features["dense_sim"] + 1e-6 for p in pool)


def test_reranker_file_round_trips_and_names_a_stale_format(tmp_path):
    path = tmp_path / "rerank.json"
    Reranker(LinearModel({"cov_body": 2.0}, -1.0), {"trained": "today"}).save(path)
    loaded = load_reranker(path)
    assert loaded is not None and loaded.ranker == LinearModel({"cov_body": 2.0}, -1.0) and loaded.meta == {"trained": "today"}
    assert loaded.order([{"cov_body": 0.1}, {"cov_body": 0.9}]) == [1, 0]
    assert load_reranker(tmp_path / "missing.json") is None
    path.write_text(json.dumps({"format": 99, "weights": {}}), encoding="utf-8")
    with pytest.raises(ValueError, match="yearbook eval train"):
        load_reranker(path)


def test_the_shipped_reranker_loads_and_prefers_a_chunk_that_holds_the_question():
    shipped = load_reranker(RERANKER_PATH)
    assert shipped is not None and isinstance(shipped.ranker, TreeRanker) and shipped.meta["questions"] > 100
    right = candidate_features(terms(), candidate("园区全年发展党员526人。", dense=0, lexical=0, fused=0.05, bm25=4.0), 0.05, 4.0)
    other = candidate_features(terms(), candidate("园区召开党员大会。", heading="宣传工作 概况", dense=1, lexical=1, fused=0.04, bm25=1.0), 0.05, 4.0)
    assert shipped.order([other, right]) == [1, 0]


def pooled(text: str, cov: float) -> Pooled:
    return Pooled(text, text, {}, 0.0, {"cov_body": cov, "fused": 1.0 - cov})


def test_fit_learns_what_marks_the_evidence_and_beats_the_fused_order():
    question = Question(id="q", question="?", answers=("x",), sections=("s",), entries=("e",), evidence=("x",), type="number")
    pools = [
        EvidencePool(question, [pooled("a", 0.2), pooled("b", 0.9), pooled("c", 0.1)], [False, True, False]),
        EvidencePool(question, [pooled("a", 0.3), pooled("b", 0.1), pooled("c", 0.8)], [False, False, True]),
    ] * 5
    reranker = fit_reranker(pools)
    assert isinstance(reranker.ranker, TreeRanker) and reranker.meta["questions"] == 10
    assert hit_rates(pools, None)["hit@1"] == 0.0
    assert hit_rates(pools, reranker) == {"hit@1": 1.0, "hit@5": 1.0, "questions": 10}
    with pytest.raises(ValueError, match="evidence"):
        fit_reranker([EvidencePool(question, [pooled("a", 0.2)], [False])])


def test_each_yearbook_is_reranked_by_a_reranker_fitted_without_it():
    def pools(corpus: str, gold_feature: str, decoy_feature: str) -> list[EvidencePool]:
        question = Question(id=corpus, question="?", answers=("x",), sections=("s",), entries=("e",), evidence=("x",), type="number", corpus=corpus)
        decoy = Pooled("a", "a", {}, 0.0, {decoy_feature: 1.0})
        gold = Pooled("b", "b", {}, 0.0, {gold_feature: 1.0})  # second in the fused order
        return [EvidencePool(question, [decoy, gold], [False, True])] * 4

    # a, b and d mark their evidence with x; c marks its decoys with x and its evidence with y
    report = cross_validate_reranker(pools("a", "x", "y") + pools("b", "x", "y") + pools("c", "y", "x") + pools("d", "x", "y"))
    assert all(report["folds"][corpus]["reranked"]["hit@1"] == 1.0 for corpus in "abd")
    assert report["folds"]["c"]["reranked"]["hit@1"] == 0.0  # learned on every yearbook, c would be right
    assert report["folds"]["c"]["fused"] == {"hit@1": 0.0, "hit@5": 1.0, "questions": 4}
    assert report["pooled"]["reranked"] == {"hit@1": 0.75, "hit@5": 1.0, "questions": 16}
    table = format_reranker_cross_validation(report)
    assert [line.split()[0] for line in table.splitlines()[2:]] == ["a", "b", "c", "d", "pooled"]
    rerankers = held_out_rerankers(pools("a", "x", "y") + pools("c", "y", "x") + pools("d", "x", "y"))
    assert sorted(rerankers) == ["a", "c", "d"]
    assert rerankers["c"].order([{"x": 1.0}, {"y": 1.0}]) == [0, 1]  # learned from a and d only
    assert rerankers["a"].meta["questions"] == 8
    assert sorted(held_out_rerankers(pools("a", "x", "y"))) == []  # one yearbook: no other to learn from


def test_the_retriever_orders_by_its_reranker(e5_store):
    s = e5_store.settings
    retriever = build_retriever(s, open_store(s, embedding_model_id(s)), e5_store.embeddings)
    retriever.reranker = Reranker(LinearModel({"length": 50.0}))  # the longest chunk first, whatever the fusion says
    result = retriever.search("2020年园区发展党员多少人？")
    lengths = [p.features["length"] for p in result.pool]
    assert result.pool[0].features["length"] == max(lengths)
    assert result.documents[0].id == result.pool[0].chunk_id
    retriever.reranker = None
    fused = retriever.search("2020年园区发展党员多少人？")
    assert [p.score for p in fused.pool] == sorted((p.score for p in fused.pool), reverse=True)


def test_evidence_pools_mark_the_chunks_that_hold_the_gold_sentence(e5_store):
    from evals.train_rerank import evidence_pools

    s = e5_store.settings
    retriever = build_retriever(s, open_store(s, embedding_model_id(s)), e5_store.embeddings)
    retriever.reranker = None  # the fused order, as training reads it
    asked = Question(
        id="q", question="2020年园区发展党员多少人？", answers=("526人",), sections=("组织工作",), entries=("概况",),
        evidence=("全年发展党员526人",), type="number",
    )
    no_evidence = Question(
        id="r", question="园区有多少人？", answers=("1人",), sections=("s",), entries=("e",), evidence=("",), type="number",
    )
    pools = evidence_pools([asked, no_evidence], retriever, {}, progress=False)
    assert len(pools) == 1  # a question without one gold evidence sentence teaches nothing
    pool = pools[0]
    assert any(pool.gold) and len(pool.gold) == len(pool.pool)
    assert all(("全年发展党员526人" in p.text) == gold for p, gold in zip(pool.pool, pool.gold))
    assert hit_rates(pools, None)["hit@5"] == 1.0


def test_the_retrieval_command_takes_the_cross_validation_flag():
    from evals.cli import run_eval_retrieval
    from ui.cli import build_parser

    args = build_parser().parse_args(["eval", "retrieval", "--cross-validate", "--json"])
    assert args.cross_validate and args.handler is run_eval_retrieval
    assert not build_parser().parse_args(["eval", "retrieval"]).cross_validate


def test_a_reranker_file_named_in_settings_is_used_and_a_missing_one_is_an_error(e5_store, tmp_path):
    from rag.errors import ConfigError

    path = tmp_path / "rerank.json"
    Reranker(LinearModel({"length": 50.0}), {"trained": "elsewhere"}).save(path)
    s = e5_store.settings.model_copy(update={"reranker_model": path})
    retriever = build_retriever(s, open_store(s, embedding_model_id(s)), e5_store.embeddings)
    assert retriever.reranker is not None and retriever.reranker.meta == {"trained": "elsewhere"}
    shipped = build_retriever(e5_store.settings, open_store(s, embedding_model_id(s)), e5_store.embeddings)
    assert shipped.reranker is not None and shipped.reranker.meta != {"trained": "elsewhere"}
    missing = e5_store.settings.model_copy(update={"reranker_model": tmp_path / "none.json"})
    with pytest.raises(ConfigError, match="YEARBOOK_RERANKER_MODEL"):
        build_retriever(missing, open_store(s, embedding_model_id(s)), e5_store.embeddings)
