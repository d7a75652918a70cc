"""Yes/no verdicts: the deciding sentence's words, figures (with units and comparisons) and negation."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from rag.reader.candidates import Sentence, Span, sentences
from rag.reader.question import analyse
from rag.ranking import LinearModel
from rag.reader.yesno import claim_features, decide, verdict


def _sentence(text: str, **meta: object) -> Sentence:
    return sentences([Document(page_content=text, metadata={"kind": "text", "span_start": 0, **meta})])[0]


@pytest.mark.parametrize(
    ("claim", "text", "expected"),
    [
        ("开发区是国家级开发区吗？", "开发区为省级开发区，规划面积28.6平方公里。", "否"),
        ("开发区是省级开发区吗？", "开发区为省级开发区，规划面积28.6平方公里。", "是"),
        ("全市外贸总额比上年增长了吗？", "全市外贸总额9,927万美元，比上年下降12.6%。", "否"),
        ("全市外贸总额比上年下降了吗？", "全市外贸总额9,927万美元，比上年下降12.6%。", "是"),
        ("园区入驻企业是否超过50家？", "园区入驻企业30家，创造岗位160余个。", "否"),
        ("园区入驻企业是否超过20家？", "园区入驻企业30家，创造岗位160余个。", "是"),
        ("园区入驻企业有30家吗？", "园区入驻企业30家，创造岗位160余个。", "是"),
        ("园区入驻企业有40家吗？", "园区入驻企业30家，接待来访40余次。", "否"),
        ("全年发生过重大安全事故吗？", "全年未发生重大安全事故，事故起数下降。", "否"),
        ("网上信访量是否占到信访总量的九成以上？", "畅通非接触渠道，网上信访量占信访总量的九成以上。", "是"),
        ("污水处理厂二期工程完工了吗？", "12月，污水处理厂二期工程竣工。", "是"),
        ("会议是12月5日召开的吗？", "12月5日，召开全区经济工作会议。", "是"),
        ("会议是12月6日召开的吗？", "12月5日，召开全区经济工作会议。", "否"),
        ("全区发展党员526人吗？", "全区发展党员526名。", "是"),
        ("全区发展党员526人吗？", "全区发展党员526人，没有人退党。", "是"),
        ("全区财政收入超过6亿吗？", "全区财政收入6.38亿元。", "是"),
        ("全区人口超过1万人吗？", "全区人口12000人。", "是"),
        ("全区人口超过10000人吗？", "全区人口1.2万人。", "是"),
        ("全区发展党员超过500人吗？", "全区发展党员5260人。", "是"),
        ("全区发展党员不到500人吗？", "全区发展党员49人。", "是"),
        ("十方面民生实事都办完了没有？", "年初确定的十方面民生实事全部办完。", "是"),  # 了没有 asks, it does not negate
        ("边境线有300多公里吗？", "边境线长358公里。", "是"),  # 300多: at least 300, under 400
        ("发展党员里35岁以下的超过七成吗？", "全年发展党员462名，其中35岁以下的占71.2%。", "是"),  # each figure its own comparator
        ("发展党员里35岁以下的超过八成吗？", "全年发展党员462名，其中35岁以下的占71.2%。", "否"),
        ("民间投资占全部投资的一半以上吗？", "民间投资203.16亿元，占全部投资的55.3%。", "是"),
        ("边境线有400多公里吗？", "边境线长358公里。", "否"),
        ("项目投资有1.5万多元吗？", "项目投资1.56万元。", "是"),
        ("项目投资有100多万元吗？", "项目投资256万元。", "否"),
    ],
)
def test_verdict_reads_words_figures_and_negation(claim, text, expected):
    assert verdict(analyse(claim), _sentence(text)) == expected


def test_a_figure_in_a_table_row_takes_its_unit_from_the_row():
    row = Document(
        page_content="进出口总额 | 亿美元 | 6.38 | 41.2",
        metadata={"kind": "table", "table_header": "指标 | 单位 | 数值 | 增长(%)", "span_start": None},
    )
    sentence = sentences([row])[0]
    assert verdict(analyse("进出口总额超过6亿美元了吗？"), sentence) == "是"
    assert verdict(analyse("进出口总额超过7亿美元了吗？"), sentence) == "否"


def test_the_sentence_that_states_most_of_the_claim_decides_not_the_first_one():
    first = _sentence("园区信访形势总体平稳，来信量有所增加。")
    second = _sentence("全年网上信访量占信访总量的95%以上。")
    ranked = [Span(first, 0, 2, "span", score=2.0), Span(second, 0, 2, "span", score=1.0)]
    answer, deciding = decide(analyse("网上信访量是否占到信访总量的95%以上？"), ranked)
    assert deciding.sentence is second
    assert answer == "是"


def test_claim_features_name_what_the_sentence_fails_to_state():
    asked = analyse("园区入驻企业是否超过50家？")
    span = Span(_sentence("园区入驻企业30家，创造岗位160余个。"), 0, 2, "span")
    features = claim_features(asked, span)
    assert features["y_figure_unmet"] == 1.0 and features["y_figure_met"] == 0.0 and features["y_comparator"] == 1.0
    met = claim_features(analyse("园区入驻企业是否超过20家？"), span)
    assert met["y_figure_unmet"] == 0.0 and met["y_figure_met"] == 1.0


def test_a_learned_verdict_outweighs_the_hand_checks_when_the_model_has_weights():
    span = Span(_sentence("园区入驻企业30家，创造岗位160余个。"), 0, 2, "span")
    asked = analyse("园区入驻企业是否超过50家？")
    assert decide(asked, [span])[0] == "否"  # no weights: the hand checks (the figure is not met)
    believes_figures_not = LinearModel({"y_figure_unmet": 4.0}, bias=-1.0)
    assert decide(asked, [span], believes_figures_not)[0] == "是"
    assert decide(asked, [span], LinearModel({"y_figure_unmet": -4.0}, bias=1.0))[0] == "否"


@pytest.mark.parametrize(
    ("claim", "text", "expected"),
    [
        ("全市的乡比镇多吗？", "全市共有乡镇77个，其中镇31个，乡46个，行政村912个。", 1.0),  # 乡镇77个 states neither alone
        ("全市的镇比乡多吗？", "全市共有乡镇77个，其中镇31个，乡46个，行政村912个。", -1.0),
        ("玉米播种面积比小麦多吗？", "总播种面积1,642万亩，其中大豆1,018万亩，小麦296万亩，玉米118万亩。", -1.0),  # 播种面积 is both sides'
        ("户籍人口比流动人口多吗？", "少数民族居民近2万人，其中户籍人口9650人、流动人口1.03万人。", -1.0),  # 1.03万 is 10,300
        ("出生的人比死亡的人多吗？", "全年出生人口10,547人，出生率10.86‰；死亡人口7,128人，死亡率7.34‰。", 1.0),  # 人 with 人, ‰ with ‰
        ("农村居民收入增速比城镇居民快吗？", "城镇居民人均可支配收入30,125元，增长6.5%；农村居民人均可支配收入13,672元，增长8.1%。", 1.0),
        ("移动电话用户比市内电话用户少吗？", "市内电话用户9.83万户，移动电话用户2.14万户。", 1.0),
        ("农民收入比城镇居民收入高吗？", "城镇居民收入15 268元，农民收入7 934元。", -1.0),  # thousands set off by spaces
        ("外贸总额比上年多吗？", "外贸总额9,927万美元，比上年下降12.6%。", 0.0),  # a change over the year is not a comparison of two things
        ("电视覆盖率比广播高吗？", "年末有艺术表演团体7个。", 0.0),  # neither side stated
    ],
)
def test_a_comparison_of_two_things_is_read_off_the_figures_stated_after_each(claim, text, expected):
    from rag.reader.comparison import comparison

    assert comparison(analyse(claim), text) == expected


def test_a_figure_met_beside_another_noun_is_told_apart_from_one_met_beside_the_claimed_noun():
    text = "全县有农民专业合作社2,367家，其中国家级示范社9家、省级示范社34家。"
    span = Span(_sentence(text), 0, 2, "span")
    elsewhere = claim_features(analyse("全县国家级示范社有34家吗？"), span)["y_figure_elsewhere"]
    beside = claim_features(analyse("全县省级示范社有34家吗？"), span)["y_figure_elsewhere"]
    assert elsewhere > 0.3 and beside == 0.0
