"""The learned scorers' fitting: a feature of known direction keeps it, whatever a few examples say."""

from __future__ import annotations

from evals.fitting import LAMBDARANK, RankGroup, fit_tree_ranker

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
