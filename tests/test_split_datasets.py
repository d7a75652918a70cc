"""The split question files: well formed, frozen test files, and every answer and evidence verbatim in its yearbook."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest

from evals.dataset import BUNDLED, DATASETS_DIR, SPLITS, load_questions, load_split

ROOT = Path(__file__).resolve().parents[1]
CORPORA = {p.stem: p for d in (ROOT / "data" / "corpus", ROOT / "evals" / "corpora") for p in d.glob("*.txt")}
FROZEN = {  # the test split, written first by other hands and never tuned on
    "sip_2020_party_test.jsonl": "1abc7f1f57ee03f8cb0c52eccf61d7d8ee61501bc3ac9b945c65bd628bbf7606",
    "district_2021_paragraphs_test.jsonl": "2e504727a588218471bb958c8fd333a66a5aa841eda1dece344ccadf5dbb7ad0",
    "xunke_1999_inline_test.jsonl": "b6e3cd0ae6b6bd06573ed5fc6f52a9af5948e2e31a7a1a9caa23d3896f94cebc",
    "jiaxiang_2010_markers_test.jsonl": "9ef5b500c3a0c4cdee4e03d230f429b64d51bd949abff75952bbcab24ab4ade4",
    # the shift split: models are compared on it, so it stays as written too
    "shift_new_hand.jsonl": "f22124bb048989006a24445f1bb177bd1a436d50aee90702e51d27e3195d3a3b",
}
SPLIT_FILES = [p for p in sorted(DATASETS_DIR.glob("*.jsonl")) if p.name != "sip_2020_party.jsonl"]


@pytest.mark.parametrize("name", sorted(FROZEN))
def test_the_test_split_is_frozen(name):
    assert hashlib.sha256((DATASETS_DIR / name).read_bytes()).hexdigest() == FROZEN[name]


def test_splits_cover_three_yearbooks_and_six_hundred_questions():
    sizes = {split: len(load_split(split)) for split in SPLITS}
    assert sum(sizes.values()) >= 600, sizes
    corpora = {q.corpus or "sip-2020-party-government" for split in SPLITS for q in load_split(split)}
    assert len(corpora) >= 3
    test_corpora = {q.corpus for q in load_split("test")}
    train_corpora = {q.corpus for q in load_split("train")}
    assert test_corpora - train_corpora, "one yearbook is kept for the test split only"


@pytest.mark.parametrize("path", SPLIT_FILES, ids=lambda p: p.name)
def test_every_item_is_verbatim_in_its_yearbook(path):
    questions = load_questions(path)
    assert [i for i, n in Counter(q.id for q in questions).items() if n > 1] == []
    for q in questions:
        assert q.corpus in CORPORA, f"{q.id}: unknown yearbook {q.corpus!r}"
        text = CORPORA[q.corpus].read_text(encoding="utf-8")
        if not q.answerable:
            assert not q.answers, q.id
            continue
        for answer in q.answers:
            assert answer in ("是", "否") or answer in text, f"{q.id}: answer {answer!r} not in {q.corpus}"
        for evidence in q.evidence:
            assert evidence in text, f"{q.id}: evidence {evidence!r} not in {q.corpus}"


def test_the_split_report_lists_a_splits_failures_when_asked():
    from evals.reader_cli import format_split_report

    failure = {"id": "d-1", "type": "number", "question": "全县有多少家合作社？", "expected": ["218家"],
               "got": "35家", "refused": False, "cited": ["农业 › 概况"]}
    metrics = {"n": 1, "containment": 0.0, "by_corpus": {}, "by_type": {}}
    report = {"splits": {"dev": {**metrics, "failures": [failure]}, "train": metrics}, "gap": {}}
    text = format_split_report(report)
    assert "dev failures (1" in text and "d-1 [number] 全县有多少家合作社？" in text and "got 35家" in text
    assert "train failures" not in text  # listed only where they were collected


def test_the_split_report_gives_each_split_its_interval():
    from evals.reader_cli import format_split_report

    dev = {"n": 164, "containment": 0.817, "containment_interval": (0.751, 0.869),
           "exact_match_interval": (0.58, 0.72), "by_corpus": {}, "by_type": {}}
    text = format_split_report({"splits": {"dev": dev}, "gap": {}})
    assert "dev containment 0.75–0.87, EM 0.58–0.72" in text


def test_models_learn_from_train_and_dev_only():
    from evals.dataset import training_questions

    learned = {q.id for q in training_questions()}
    assert learned == {q.id for split in ("train", "dev") for q in load_split(split)}
    held = [q for split in ("shift", "test") for q in load_split(split)]
    assert held and not learned & {q.id for q in held}


def test_the_shift_split_asks_about_training_yearbooks_in_other_words():
    shift = load_split("shift")
    trained = {q.corpus or BUNDLED for q in load_split("train")}
    assert len(shift) >= 150 and {q.corpus or BUNDLED for q in shift} <= trained
    asked_before = {q.question for split in ("train", "dev") for q in load_split(split)}
    assert not [q.id for q in shift if q.question in asked_before]
