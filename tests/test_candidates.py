"""Candidate spans: figures found wherever they stand, with the whole of their unit (in text and in table cells)."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from rag.reader.candidates import NUMBER, Sentence, sentences, spans, unit_after
from rag.reader.lexicon import load_lexicon


def _sentence(text: str) -> Sentence:
    document = Document(page_content=text, metadata={"kind": "text", "span_start": 0})
    return sentences([document])[0]


def _figures(text: str) -> dict[str, str]:
    """Every number span of the text and its unit."""
    return {s.text: s.unit for s in spans(_sentence(text), load_lexicon()) if s.kind == "number"}


def test_a_figure_right_after_a_clause_comma_is_a_figure():
    found = _figures("募集资金43.6万元,3.4万元用于帮扶困难人士")
    assert found.get("3.4万元") == "万元"
    assert "4万元" not in found  # 「3.4」 is not cut at its point


def test_thousands_separators_still_hold_one_figure():
    found = _figures("全年实现收入9,927万元")
    assert found.get("9,927万元") == "万元"
    assert "927万元" not in found


@pytest.mark.parametrize("text", ["覆盖全县1,468个基层党组织、36,205名党员。", "城镇居民人均月增收3 860元。"])
def test_no_span_of_any_kind_starts_or_ends_inside_a_figure(text):
    sentence = _sentence(text)
    figures = [(m.start(), m.end()) for m in NUMBER.finditer(sentence.folded)]
    found = spans(sentence, load_lexicon())
    assert found and not [s.text for s in found if any(a < s.start < b or a < s.end < b for a, b in figures)]


@pytest.mark.parametrize(
    ("text", "figure", "unit"),
    [
        ("党员自愿捐款356万余元", "356万余元", "元"),  # approximation after the magnitude
        ("全年汇聚数据16.2亿余条", "16.2亿余条", "条"),
        ("馆藏档案39.96万卷", "39.96万卷", "卷"),  # a measure word with a magnitude before it
        ("被媒体报道4619篇次", "4619篇次", "篇次"),
        ("办理时限压缩至15个工作日", "15个工作日", "个工作日"),
        ("年均浓度34微克/立方米", "34微克/立方米", "微克/立方米"),
        ("男女性别比为103.2∶100", "103.2∶100", "∶"),  # a ratio's second term
        ("新增就业100余人", "100余人", "余人"),
        ("户籍人口约3万", "约3万", "万"),
    ],
)
def test_a_figure_keeps_its_whole_unit(text, figure, unit):
    assert _figures(text).get(figure) == unit


def test_unit_after_reads_magnitude_and_approximation_in_either_order():
    lexicon = load_lexicon()
    assert unit_after("100余万元", 3, lexicon) == (6, "万元")
    assert unit_after("356万余元", 3, lexicon) == (6, "元")
    assert unit_after("12个", 2, lexicon) == (3, "个")
    assert unit_after("12然后", 2, lexicon) == (2, "")


def _units_of_cells(header: str, row: str) -> dict[str, str]:
    """Every cell span of a one-row table and the unit it was given."""
    document = Document(page_content=f"表1\n{header}\n{row}", metadata={"kind": "table", "table_header": header})
    return {s.text: s.unit for s in spans(sentences([document])[0], load_lexicon()) if s.kind == "cell"}


def test_a_figure_cell_takes_the_unit_its_column_names():
    cells = _units_of_cells("品种 | 栽培量(万袋) | 产值(万元)", "香菇 | 5,860 | 72,664")
    assert cells["72,664"] == "万元"
    assert cells["5,860"] == "万袋"
    assert cells["香菇"] == ""


def test_a_column_unit_wins_over_the_rows_unit_cell():
    # The row's 「单位」 cell gives the level's unit; the growth column says its own (%).
    cells = _units_of_cells("指标 | 单位 | 绝对数 | 比上年增长(%)", "地区生产总值 | 亿元 | 539.63 | 7.2")
    assert cells["539.63"] == "亿元"
    assert cells["7.2"] == "%"


def test_two_dates_joined_by_a_range_mark_are_one_date_too():
    dates = [s.text for s in spans(_sentence("8月28日至9月2日，首届旅游节在市区举办。"), load_lexicon()) if s.kind == "date"]
    assert "8月28日至9月2日" in dates and "9月2日" in dates



@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10月22日 | 英国 | 总领事 | 出席牛津大学高等研究院(苏州)分子诊断技术创新中心启用仪式", "牛津大学高等研究院(苏州)分子诊断技术创新中心启用仪式"),
        ("9月，指导联合会举办“新力量 八点半”园区站活动。", "“新力量 八点半”园区站活动"),
    ],
)
def test_what_a_verb_governs_is_a_span_however_many_words_brackets_or_spaces_it_holds(text, expected):
    assert expected in {s.text for s in spans(_sentence(text), load_lexicon())}


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("人口自然增长率为-2.42‰", "-2.42‰"),  # a sign belongs to the figure
        ("全年新增“两新”党组织近100个", "近100个"),  # so do words that make it approximate …
        ("三大平台总粉丝量约14万", "约14万"),
        ("网络渠道信访量占总信访量的95%以上", "95%以上"),  # … or a bound after its unit
        ("地区生产总值增长6%左右", "6%左右"),
    ],
)
def test_a_figure_is_taken_as_written_with_its_sign_and_approximation(text, figure):
    assert figure in _figures(text)


def test_a_dash_between_two_years_is_no_minus_sign():
    found = _figures("实施2019-2025年规划,增长率为-1.5%")
    assert "-1.5%" in found and not any(f.startswith("-20") for f in found)


def test_figures_of_different_units_written_together_are_also_one_candidate():
    found = {s.text: s.items for s in spans(_sentence("园区落实涉外接待102批2142人次,馆藏39.96万卷、61.06万件。"), load_lexicon()) if s.kind == "number"}
    assert found.get("102批2142人次") == 2 and found.get("39.96万卷、61.06万件") == 2
    assert found.get("102批") == 0 and found.get("2142人次") == 0  # each alone stays a candidate
    same_unit = _figures("小麦、玉米播种面积分别为41.2万亩、37.9万亩")
    assert "41.2万亩、37.9万亩" not in same_unit  # figures of one unit side by side are each an item's own
