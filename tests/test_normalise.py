"""The normaliser: traditional characters, full-width forms, digit groups and Chinese numerals, offsets kept."""

from __future__ import annotations

import pytest

from rag.text import fold, join_digit_groups, normalise, normalise_question, number_values, without_exclusions


def test_fold_keeps_length_so_offsets_point_into_the_original():
    original = "園區發展黨員５２６人，（全年）"
    folded = fold(original)
    assert folded == "园区发展党员526人,(全年)"
    assert len(folded) == len(original)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("9,927万元", "9927万元"), ("27 348户", "27348户"), ("3 860元", "3860元"), ("1,2,3", "1,2,3"), ("2019 2020年", "2019 2020年")],
)
def test_thousands_separators_are_dropped_only_between_digit_groups(text, expected):
    assert join_digit_groups(text) == expected


def test_chinese_years_and_counts_become_digits():
    assert normalise("二〇二〇年") == "2020年"
    assert normalise_question("二零二零年發展了三十六名黨員？") == "2020年发展了36名党员?"
    assert normalise_question("第十三届有几名") == "第十三届有几名"  # ordinals and cue words stay


def test_number_values_read_separators_and_scales():
    assert number_values("9,927万元，27 348户") == [99270000.0, 27348.0]


@pytest.mark.parametrize(
    ("question", "kept"),
    [
        ("授权专利有多少件?不是申请量。", "授权专利有多少件?"),
        ("乡村的消费品零售额是多少，城镇的不要", "乡村的消费品零售额是多少，"),
        ("实际利用外资多少美元，内资别算进去", "实际利用外资多少美元，"),
        ("是不是被称为“中国黄瓜之乡”？", "是不是被称为“中国黄瓜之乡”？"),  # negates, but asks
        ("除了能耗下降，还有哪两项排放量降了？", "除了能耗下降，还有哪两项排放量降了？"),  # what a list sets aside stays
        ("不是申请量", "不是申请量"),  # nothing left: the question as written
    ],
)
def test_clauses_that_only_rule_something_out_leave_the_question(question, kept):
    assert without_exclusions(question) == kept
