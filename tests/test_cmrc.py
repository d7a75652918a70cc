"""CMRC 2018 loading and the official EM/F1, checked against numbers from the official script."""

from __future__ import annotations

import json

import pytest

from evals.cmrc import CmrcItem, cmrc_em, cmrc_f1, evaluate_reader, load_cmrc, mixed_segmentation
from rag.errors import CorpusFormatError

# (prediction, gold answers, EM×100, F1×100). The reference numbers came from running the
# official cmrc2018_evaluate.py (v5, Python 2.7, nltk 3.4.5 word_tokenize with preserve_line=True
# because punkt data cannot be fetched; same result for one-sentence strings) on each case alone.
OFFICIAL = [
    ("光荣和ω-force", ["光荣和ω-force"], 100.0, 100.0),
    ("在园区培训中心举办", ["园区培训中心"], 0.0, 80.0),
    ("《战国无双3》", ["战国无双3"], 100.0, 100.0),
    ("1998年", ["1998年5月", "1998年"], 100.0, 100.0),
    ("iPhone 6 Plus手机", ["iPhone 6 Plus"], 0.0, 75.0),
    ("", ["园区培训中心"], 0.0, 0.0),
    ("完全无关", ["园区培训中心"], 0.0, 0.0),
    ("ab c", ["abc"], 0.0, 0.0),
    ("3.5亿元", ["约3.5亿元"], 0.0, 85.714),
    ("NBA", ["nba"], 100.0, 100.0),
    ("等等……", ["等等"], 0.0, 80.0),
    ("北京大学", ["清华大学", "北京"], 0.0, 66.667),
    ("分子式NaBO.10HO", ["NaBO.10HO"], 0.0, 40.0),
    ("Our Lady's College", ["Our Lady"], 0.0, 66.667),
    ("St. Paul Co.", ["St. Paul Co"], 0.0, 85.714),
    ("1,000 people, mostly", ["1,000 people"], 0.0, 66.667),
]


@pytest.mark.parametrize("prediction, answers, em, f1", OFFICIAL)
def test_metrics_match_the_official_script(prediction, answers, em, f1):
    assert 100 * cmrc_em(prediction, answers) == pytest.approx(em)
    assert 100 * cmrc_f1(prediction, answers) == pytest.approx(f1, abs=1e-3)


def test_mixed_segmentation_splits_cjk_and_keeps_latin_runs():
    assert mixed_segmentation("iPhone 6 Plus手机，3.5亿") == ["iphone", "6", "plus", "手", "机", "，", "3.5", "亿"]
    assert mixed_segmentation("《光荣》和ω-force") == ["《", "光", "荣", "》", "和", "ω", "-", "force"]
    # As in the official code, a removed mark does not end the latin run around it.
    assert mixed_segmentation("《光荣》和ω-force", remove_punctuation=True) == ["光", "荣", "和", "ωforce"]


def test_no_answers_scores_zero():
    assert cmrc_em("北京", []) == 0.0
    assert cmrc_f1("北京", []) == 0.0


def _squad(paragraphs: list[dict]) -> dict:
    return {"version": "v1.0", "data": [{"id": "A", "title": "t", "paragraphs": paragraphs}]}


TINY = _squad(
    [
        {
            "id": "P0",
            "context": "故宫博物院位于北京。它建于明朝。",
            "qas": [
                {"id": " Q0 ", "question": " 故宫博物院位于哪里？ ", "answers": [{"text": "北京", "answer_start": 7}]},
                {"id": "Q1", "question": "故宫建于哪个朝代？", "answers": [{"text": "明朝", "answer_start": 13}, {"text": "明", "answer_start": 13}]},
            ],
        },
        {
            "id": "P1",
            "context": "长江全长6300公里。",
            "qas": [{"id": "Q2", "question": "长江有多长？", "answers": [{"text": "6300公里", "answer_start": 4}]}],
        },
    ]
)


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(TINY, ensure_ascii=False), encoding="utf-8")
    return path


def test_load_cmrc_reads_questions_in_order(tiny):
    items = load_cmrc(tiny)
    assert [i.id for i in items] == ["Q0", "Q1", "Q2"]
    assert items[0] == CmrcItem("Q0", "故宫博物院位于哪里？", "故宫博物院位于北京。它建于明朝。", ("北京",))
    assert items[1].answers == ("明朝", "明")
    assert items[2].context == "长江全长6300公里。"
    with pytest.raises(AttributeError):
        items[0].id = "x"  # type: ignore[misc]


def test_load_cmrc_limit(tiny):
    assert [i.id for i in load_cmrc(tiny, limit=2)] == ["Q0", "Q1"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "not a readable"),
        ("[1, 2]", "'data'"),
        (json.dumps([{"context_id": "TRIAL_1", "context_text": "c", "qas": []}]), "SQuAD-style"),  # the repository's own layout
        (json.dumps({"data": [{"title": "no paragraphs"}]}), "'paragraphs'"),
        (json.dumps(_squad([{"qas": []}])), "'context'"),
        (json.dumps(_squad([{"context": "c", "qas": [{"id": "q", "answers": []}]}])), "'question'"),
        (json.dumps(_squad([{"context": "c", "qas": [{"id": "q", "question": "?", "answers": [{"start": 0}]}]}])), "'text'"),
        (json.dumps(_squad([])), "no questions"),
    ],
)
def test_load_cmrc_rejects_bad_shapes(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CorpusFormatError, match=message):
        load_cmrc(path)


def test_load_cmrc_missing_and_undecodable(tmp_path):
    with pytest.raises(CorpusFormatError, match="no such"):
        load_cmrc(tmp_path / "absent.json")
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CorpusFormatError, match="not a readable"):
        load_cmrc(binary)


def test_evaluate_reader_with_first_four_characters(tiny):
    items = load_cmrc(tiny)
    calls = []

    def first_four(question: str, context: str) -> str:
        calls.append(question)
        return context[:4]

    report = evaluate_reader(first_four, items, progress=False)
    assert calls == [i.question for i in items]
    assert report.n == 3
    assert [r.prediction for r in report.rows] == ["故宫博物", "故宫博物", "长江全长"]
    assert [r.id for r in report.rows] == ["Q0", "Q1", "Q2"]
    assert report.em == 0.0 and report.f1 == 0.0
    assert 0 <= report.p50_ms <= report.p95_ms


def test_evaluate_reader_averages_times_100(tiny):
    items = load_cmrc(tiny)
    answers = {"Q0": "北京", "Q1": "明朝时期", "Q2": ""}
    report = evaluate_reader(lambda q, c: answers[next(i.id for i in items if i.question == q)], items, progress=False)
    # Q0 exact; Q1 F1 = 2·(2/4·1)/(2/4+1) = 2/3 against "明朝"; Q2 empty scores 0.
    assert [r.em for r in report.rows] == [1.0, 0.0, 0.0]
    assert report.rows[1].f1 == pytest.approx(2 / 3)
    assert report.em == 33.333
    assert report.f1 == round(100 * (1 + 2 / 3) / 3, 3) == 55.556


def test_evaluate_reader_treats_none_as_empty(tiny):
    report = evaluate_reader(lambda q, c: None, load_cmrc(tiny), progress=False)  # type: ignore[arg-type,return-value]
    assert report.n == 3 and report.em == 0.0 and all(r.prediction == "" for r in report.rows)
