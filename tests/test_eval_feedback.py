"""`yearbook eval from-feedback`: 👍/👎 records from the page become dataset items for review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import DATASET
from evals.dataset import load_questions, parse_question
from evals.feedback import from_feedback, read_feedback
from rag.errors import CorpusFormatError
from test_eval_run import run_job
from ui.feedback import record_feedback

CITATION = {"n": 1, "chunk_id": "c1", "year": 2020, "section": "组织工作", "entry": "概况", "table": None, "quote": "全年发展党员526人"}
SETTINGS = {"k": 5, "mode": "extractive"}


def answer(question: str, text: str, short: str | None, refused: bool = False, standalone: str | None = None) -> dict:
    return {
        "question": question, "standalone_question": standalone, "text": text, "short_answer": short,
        "refused": refused, "mode": "extractive", "citations": [] if refused else [CITATION],
    }


@pytest.fixture()
def feedback_file(tmp_path: Path) -> Path:
    path = tmp_path / "feedback.jsonl"
    votes = [
        (True, answer("2021年园区新建了多少个党组织？", "新建基层党组织12个【1】。", "12个")),
        (False, answer("园区党员教育基地有几个？", "共有3个【1】。", "3个")),
        (True, answer("2019年园区发展党员多少人？", "年鉴中未找到相关记载。", None, refused=True)),
        (False, answer("那外事活动呢？", "年鉴中未找到相关记载。", None, refused=True, standalone="2020年园区有哪些重大外事活动？")),
        (True, answer("2021年园区新建了多少个党组织", "新建基层党组织12个【1】。", "12个")),  # same question, no ？
        (False, answer("2021年园区新建了多少个党组织？", "新建基层党组织12个【1】。", "12个")),  # a later 👎 on it
        (True, answer("2020年园区全年发展党员多少人？", "526人【1】。", "526人")),  # already in the dataset
    ]
    for liked, given in votes:
        record_feedback(path, liked=liked, answer=given, settings=SETTINGS)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"liked": true, "question": "半行\n')  # a line cut short by a crash
    return path


def items_of(path: Path) -> dict[str, dict]:
    return {item["question"]: item for item in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def test_feedback_becomes_review_items_deduplicated_by_question(feedback_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "review.jsonl"
    summary = from_feedback(feedback_file, out, DATASET)
    assert summary["records"] == 7 and summary["unreadable_lines"] == 1
    assert summary["questions"] == 5 and summary["added"] == 4 and summary["already_in_dataset"] == 1
    items = items_of(out)
    assert set(items) == {
        "2021年园区新建了多少个党组织？", "园区党员教育基地有几个？", "2019年园区发展党员多少人？", "2020年园区有哪些重大外事活动？",
    }
    for item in items.values():
        assert item["review_status"] == "needs_review" and item["source"] == "feedback"
        parse_question(json.dumps(item, ensure_ascii=False), "review")  # valid in the dataset format

    mixed = items["2021年园区新建了多少个党组织？"]
    assert mixed["votes"] == {"up": 2, "down": 1} and not mixed["liked"] and mixed["needs_correction"]
    assert mixed["answers"] == [] and mixed["got"] == "新建基层党组织12个。"

    disliked = items["园区党员教育基地有几个？"]
    assert disliked["needs_correction"] and disliked["answers"] == [] and disliked["type"] == "number"
    assert (disliked["section"], disliked["entry"], disliked["evidence"]) == ("组织工作", "概况", "全年发展党员526人")

    refusal = items["2019年园区发展党员多少人？"]
    assert refusal["liked"] and not refusal["needs_correction"] and refusal["type"] == "unanswerable"
    assert refusal["answers"] == [] and refusal["got"] is None

    follow_up = items["2020年园区有哪些重大外事活动？"]
    assert follow_up["asked_as"] == "那外事活动呢？" and follow_up["type"] == "list" and follow_up["needs_correction"]


def test_liked_answers_become_gold_candidates(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    record_feedback(path, liked=True, answer=answer("园区有多少个基层党组织？", "共有2410个【1】。", "2410个"), settings=SETTINGS)
    record_feedback(path, liked=True, answer=answer("园区工委书记是谁？", "是张三【1】。", None), settings=SETTINGS)
    from_feedback(path, tmp_path / "out.jsonl")
    items = items_of(tmp_path / "out.jsonl")
    assert items["园区有多少个基层党组织？"]["answers"] == ["2410个"]
    assert items["园区工委书记是谁？"]["answers"] == ["是张三。"] and items["园区工委书记是谁？"]["type"] == "name"
    assert not any(i["needs_correction"] for i in items.values())
    assert len(load_questions(tmp_path / "out.jsonl")) == 2


def test_rerun_keeps_reviewed_items_and_adds_only_new_questions(feedback_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "review.jsonl"
    from_feedback(feedback_file, out, DATASET)
    lines = out.read_text(encoding="utf-8").splitlines()
    edited = json.loads(lines[0]) | {"answers": ["12个"], "review_status": "reviewed"}
    out.write_text("\n".join([json.dumps(edited, ensure_ascii=False), *lines[1:]]) + "\n", encoding="utf-8")

    again = from_feedback(feedback_file, out, DATASET)
    assert again["added"] == 0 and again["already_in_out"] == 4
    record_feedback(feedback_file, liked=True, answer=answer("新问题有多少？", "5个【1】。", "5个"), settings=SETTINGS)
    assert from_feedback(feedback_file, out, DATASET)["added"] == 1
    kept = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(kept[0])["review_status"] == "reviewed" and len(kept) == 5


def test_missing_feedback_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusFormatError, match="no feedback file"):
        read_feedback(tmp_path / "none.jsonl")


def test_cli_from_feedback(feedback_file: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "review.jsonl"
    assert run_job("eval", "from-feedback", "--feedback", str(feedback_file), "--out", str(out), "--dataset", str(DATASET)) == 0
    text = capsys.readouterr().out
    assert "added 4 items for review" in text and "3 👎 need a corrected answer" in text
    assert "skipped 1 questions already in the dataset" in text
    assert run_job("eval", "from-feedback", "--feedback", str(feedback_file), "--out", str(out), "--json") == 0
    assert json.loads(capsys.readouterr().out)["added"] == 0
