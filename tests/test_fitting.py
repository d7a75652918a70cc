"""The learned scorers' fitting: a feature of known direction keeps it, whatever a few examples say."""

from __future__ import annotations

import pytest

from evals.fitting import LAMBDARANK, RankGroup, fit_logistic, fit_tree_ranker

PARAMS = {**LAMBDARANK, "n_estimators": 40, "learning_rate": 0.2, "num_leaves": 7, "min_child_samples": 2}


def _groups() -> list[RankGroup]:
    """Forty questions whose gold candidate always has the feature a prior says should rank it lower."""
    groups = []
    for i in range(40):
        spread = (i % 5) / 5
        groups.append(RankGroup([{"u_differs": 1.0, "near": spread}, {"u_differs": 0.0, "near": 1 - spread}], [1, 0]))
    return groups


def test_a_monotone_feature_never_raises_a_score_against_its_direction():
    ranker = fit_tree_ranker(_groups(), PARAMS, "nothing", monotone={"u_differs": -1})
    for near in (0.0, 0.3, 0.6, 0.9):
        assert ranker.logit({"u_differs": 1.0, "near": near}) <= ranker.logit({"u_differs": 0.0, "near": near})


def test_without_the_constraint_the_same_data_teaches_the_reverse():
    ranker = fit_tree_ranker(_groups(), PARAMS, "nothing")
    assert ranker.logit({"u_differs": 1.0, "near": 0.5}) > ranker.logit({"u_differs": 0.0, "near": 0.5})


def _refusal_rows() -> tuple[list[dict[str, float]], list[int]]:
    """Ten answerable questions that cover the question well, then ten unanswerable ones that cover it badly."""
    rows = [{"cov": 0.8 + 0.02 * i} for i in range(10)] + [{"cov": 0.2 + 0.02 * i} for i in range(10)]
    return rows, [1] * 10 + [0] * 10


def test_a_row_of_no_weight_teaches_the_logistic_model_nothing():
    rows, labels = _refusal_rows()
    plain = fit_logistic(rows, labels, 1.0, balanced=True)
    misleading = [{"cov": 0.95}] * 30  # unanswerable questions that look answerable
    ignored = fit_logistic(rows + misleading, labels + [0] * 30, 1.0, balanced=True, weights=[1.0] * 20 + [0.0] * 30)
    heeded = fit_logistic(rows + misleading, labels + [0] * 30, 1.0, balanced=True)
    assert ignored.weights["cov"] == pytest.approx(plain.weights["cov"], rel=1e-3)
    assert heeded.weights["cov"] < plain.weights["cov"]


def test_balanced_weights_give_each_class_half_however_many_rows_it_has():
    rows, labels = _refusal_rows()
    once = fit_logistic(rows, labels, 1.0, balanced=True)
    halves = [1.0] * 10 + [0.5] * 20  # the unanswerable ones twice, each at half weight: the same data
    doubled = fit_logistic(rows + rows[10:], labels + labels[10:], 1.0, balanced=True, weights=halves)
    assert doubled.bias == pytest.approx(once.bias, rel=1e-3) and doubled.weights["cov"] == pytest.approx(once.weights["cov"], rel=1e-3)
    unbalanced = fit_logistic(rows + rows[10:], labels + labels[10:], 1.0, balanced=False)
    rebalanced = fit_logistic(rows + rows[10:], labels + labels[10:], 1.0, balanced=True)
    assert unbalanced.bias < rebalanced.bias  # twice the unanswerable rows pull an unbalanced model towards refusing
