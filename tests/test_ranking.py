"""The listwise span ranker: each question's gold span wins the softmax over its candidates."""

from __future__ import annotations

import pytest

from evals.ranking import CandidateGroup, fit_listwise
from evals.train_reader import fit_logistic


def group(gold: dict[str, float], decoys: list[dict[str, float]]) -> CandidateGroup:
    """One question: its gold span first, then its wrong candidates."""
    return CandidateGroup([gold, *decoys], [True] + [False] * len(decoys))


def test_the_ranker_learns_which_features_mark_the_gold_span():
    groups = [group({"after_colon": 1.0, "len": 0.3}, [{"len": 0.3}, {"len": 0.9}]) for _ in range(5)]
    model = fit_listwise(groups, c=1.0)
    assert model.logit({"after_colon": 1.0, "len": 0.3}) > model.logit({"len": 0.9})
    assert model.weights["after_colon"] > 0 and model.bias == 0.0


def test_every_question_weighs_the_same_however_many_candidates_it_has():
    # Three questions whose gold is an x-span against one y-span, and one long passage whose gold
    # is a y-span among fifty x-spans. Per span, x is mostly wrong (3 right of 53); per question,
    # x wins three times of four. The reader picks one span per question, so x must rank first.
    groups = [group({"x": 1.0}, [{"y": 1.0}]) for _ in range(3)] + [group({"y": 1.0}, [{"x": 1.0}] * 50)]
    listwise = fit_listwise(groups, c=10.0)
    assert listwise.logit({"x": 1.0}) > listwise.logit({"y": 1.0})
    rows = [row for g in groups for row in g.rows]
    labels = [int(mark) for g in groups for mark in g.gold]
    pointwise = fit_logistic(rows, labels, 10.0, balanced=False)
    assert pointwise.logit({"x": 1.0}) < pointwise.logit({"y": 1.0})  # what a per-span loss learns instead


def test_groups_that_teach_nothing_are_skipped_and_none_at_all_is_an_error():
    useful = group({"a": 1.0}, [{"b": 1.0}])
    all_gold = CandidateGroup([{"c": 1.0}, {"c": 1.0}], [True, True])
    no_gold = CandidateGroup([{"d": 1.0}, {"e": 1.0}], [False, False])  # its answer is not among the spans
    model = fit_listwise([useful, all_gold, no_gold], c=1.0)
    assert model.logit({"a": 1.0}) > model.logit({"b": 1.0})
    assert not {"c", "d", "e"} & set(model.weights)
    with pytest.raises(ValueError, match="nothing to rank"):
        fit_listwise([all_gold, no_gold], c=1.0)
