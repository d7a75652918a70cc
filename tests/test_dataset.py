"""The bundled question set is well formed and grounded in the bundled corpus, item by item."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from evals.dataset import QUESTION_TYPES, load_questions
from tests.conftest import DATASET

QUESTIONS = load_questions(DATASET)
RAW = [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()]
SECTIONS = (
    "党政机构", "组织工作", "人才工作", "机构改革和管理", "宣传工作", "统战工作", "台湾事务",
    "外事工作", "信访工作", "信息化工作", "档案方志", "机关事务", "人民武装",
)
ANSWERABLE = [q for q in QUESTIONS if q.answerable]


def ids(items) -> list[str]:
    return [q.id for q in items]


@pytest.fixture(scope="module")
def places(parsed) -> dict[tuple[str, str], list[str]]:
    """(section, entry title or table caption) → the texts evidence may sit in."""
    found: dict[tuple[str, str], list[str]] = {}
    for entry in parsed.entries:
        found.setdefault((entry.section, entry.title), []).append(entry.body)
        for table in entry.tables:
            texts = found.setdefault((entry.section, table.caption), [])
            texts.extend("\t".join(row.cells) for row in table.rows)
            texts.extend(cell for row in table.rows for cell in row.cells)
    return found


def test_size_and_unique_ids():
    assert len(QUESTIONS) == len(RAW) >= 150
    counts = Counter(q.id for q in QUESTIONS)
    assert [i for i, n in counts.items() if n > 1] == []


def test_every_type_is_present():
    present = {q.type for q in QUESTIONS}
    assert set(QUESTION_TYPES) <= present, set(QUESTION_TYPES) - present
    assert {"number", "date", "name", "list", "table", "yesno", "multi_entry", "unanswerable"} <= present


def test_every_section_is_covered(parsed):
    assert list(parsed.sections) == list(SECTIONS)
    covered = {s for q in QUESTIONS for s in q.sections}
    assert set(SECTIONS) - covered == set()


def test_a_fifth_are_colloquial():
    colloquial = [r for r in RAW if r.get("colloquial") is True]
    assert len(colloquial) * 5 >= len(RAW), len(colloquial)
    assert all(isinstance(r.get("colloquial"), bool) for r in RAW), "colloquial must be true/false"


def test_answers_appear_verbatim_in_the_corpus(corpus_text):
    bad = []
    for q in ANSWERABLE:
        if not q.answers:
            bad.append((q.id, "no answers"))
            continue
        if q.type == "yesno":  # 是/否 are verdicts, not quotations; the evidence is checked below
            bad += [(q.id, q.answers[0])] if q.answers[0] not in ("是", "否") else []
            continue
        must = q.answers if q.type == "multi_entry" else q.answers[:1]
        bad += [(q.id, a) for a in must if a not in corpus_text]
    assert bad == []


def test_evidence_appears_verbatim_in_the_corpus(corpus_text):
    bad = [(q.id, e) for q in ANSWERABLE for e in q.evidence if not e or e not in corpus_text]
    assert bad == []


def test_gold_entries_exist(places):
    bad = [(q.id, pair) for q in ANSWERABLE for pair in q.gold_entries() if pair not in places]
    assert bad == []
    assert all(len(q.sections) == len(q.entries) >= 1 for q in ANSWERABLE), ids(
        q for q in ANSWERABLE if not len(q.sections) == len(q.entries) >= 1
    )


def test_evidence_sits_inside_the_named_entry(places):
    bad = []
    for q in ANSWERABLE:
        for pair, evidence in zip(q.gold_entries(), q.evidence):
            if not any(evidence in text for text in places.get(pair, [])):
                bad.append((q.id, pair, evidence))
    assert bad == []


def test_unanswerable_items_have_no_gold():
    unanswerable = [r for r in RAW if r.get("type") == "unanswerable"]
    assert unanswerable
    bad = [
        r["id"]
        for r in unanswerable
        if r.get("answers") != [] or any(str(r.get(k) or "").strip() for k in ("section", "entry", "evidence"))
    ]
    assert bad == []


def test_multi_entry_items_have_one_part_per_entry():
    multi = [q for q in QUESTIONS if q.type == "multi_entry"]
    assert multi
    bad = [
        (q.id, len(q.sections), len(q.entries), len(q.evidence))
        for q in multi
        if not (len(q.sections) == len(q.entries) == len(q.evidence) >= 2)
    ]
    assert bad == []


def test_single_entry_items_have_one_evidence_part():
    bad = [q.id for q in ANSWERABLE if q.type != "multi_entry" and len(q.evidence) != 1]
    assert bad == []
