"""Answer metrics on hand-made cases: CMRC-style EM and F1, number values, refusals, containment."""

from __future__ import annotations

import pytest

from evals.answer_metrics import contains_answer, exact_match, f1_score, is_refusal, normalize_answer, wilson_interval
from rag.text import number_values


def test_normalisation_drops_chinese_and_ascii_punctuation():
    assert normalize_answer("“聚红色力量 育圆融先锋”。") == "聚红色力量育圆融先锋"
    assert normalize_answer("《持有外国绿卡党员教育管理办法》") == "持有外国绿卡党员教育管理办法"
    assert normalize_answer("ＡＢＣ１２３") == "abc123"


@pytest.mark.parametrize(
    "prediction, gold, expected",
    [
        ("526人", "526人", True),
        ("５２６人", "526人", True),
        ("4.32万人", "43200人", True),
        ("1,267人", "1267人", True),
        ("527人", "526人", False),
        ("2020年5月26日", "2020年5月26日", True),
        ("2020年5月2日", "2020年5月26日", False),
        ("“园清”“园聚”", "园清、园聚", True),
        ("", "526人", False),
        (None, "526人", False),
    ],
)
def test_exact_match(prediction, gold, expected):
    assert exact_match(prediction, [gold]) is expected


def test_f1_is_longest_common_substring_based():
    assert f1_score("园区培训中心", ["园区培训中心"]) == pytest.approx(1.0)
    assert f1_score("在园区培训中心举办", ["园区培训中心"]) == pytest.approx(2 * (6 / 9) * 1.0 / (6 / 9 + 1.0))
    assert f1_score("完全无关", ["园区培训中心"]) == 0.0
    assert f1_score("园区", ["培训中心", "园区"]) == pytest.approx(1.0)


def test_number_values_scale_and_width():
    assert number_values("增加4.32万人，累计1.02万人") == [43200.0, 10200.0]
    assert number_values("１２６７人") == [1267.0]
    assert number_values("1,267人及3亿元") == [1267.0, 3e8]


def test_containment_by_text_and_by_value():
    assert contains_answer("2020年园区全年发展党员526人【1】。", ["526人"])
    assert contains_answer("新增海外留学回国人员１，２６７人【1】", ["1267人"])
    assert contains_answer("总量4.32万人【1】", ["43200人"])
    assert not contains_answer("全年发展党员525人【1】", ["526人"])
    assert contains_answer("中国民主同盟、九三学社等【1】", ["中国民主同盟"])


def test_refusal_detection():
    assert is_refusal("年鉴中未找到相关记载。")
    assert is_refusal("抱歉，资料中没有记载这一数字。")
    assert not is_refusal("526人【1】")


def _question(answers: tuple[str, ...], evidence: str, kind: str = "number"):
    from evals.dataset import Question

    return Question("q1", "金乡县2010年地区生产总值是多少？", answers, ("县情综述",), ("综合经济",), (evidence,), kind)


def test_retrieval_ranks_by_evidence_and_by_stated_answer():
    from evals.answers import answer_rank, evidence_rank

    question = _question(("178.6亿元",), "全县实现地区生产总值178.6亿元")
    contexts = [{"text": "地区生产总值 | 亿元 | 178.6亿元 | 13.4"}, {"text": "2010年,全县实现地区生产总值178.6亿元,增长13.4%。"}]
    assert evidence_rank(question, contexts) == 2  # the gold sentence is second
    assert answer_rank(question, contexts) == 1  # but the table row above states the answer too
    assert evidence_rank(question, contexts[:1]) is None
    assert answer_rank(_question(("是",), "完成进出口总额6.38亿美元", "yesno"), contexts) is None


def test_a_citation_quoting_the_gold_evidence_counts_as_gold():
    from evals.answers import cites_gold
    from rag.answer.schema import Citation

    question = _question(("178.6亿元",), "全县实现地区生产总值178.6亿元")
    quoting = Citation(n=1, chunk_id="c", year=2010, section="综合", entry="经济", quote="2010年,全县实现地区生产总值178.6亿元,增长13.4%。")
    elsewhere = Citation(n=1, chunk_id="c", year=2010, section="综合", entry="经济", quote="全县粮食总产量31.26万吨。")
    named = Citation(n=1, chunk_id="c", year=2010, section="县情综述", entry="综合经济", quote="另一句。")
    assert cites_gold(question, quoting) and cites_gold(question, named) and not cites_gold(question, elsewhere)


def test_wilson_interval_widens_on_few_questions_and_stays_in_bounds():
    low, high = wilson_interval(134, 164)  # containment 0.817 on a dev-sized split
    assert 0.74 < low < 0.76 and 0.86 < high < 0.88
    wide, narrow = wilson_interval(8, 10), wilson_interval(800, 1000)
    assert wide[1] - wide[0] > 4 * (narrow[1] - narrow[0])
    assert wilson_interval(0, 20)[0] == 0.0 and wilson_interval(20, 20)[1] == 1.0
    assert wilson_interval(0, 0) == (0.0, 1.0)
