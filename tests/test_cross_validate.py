"""Leave-one-yearbook-out cross-validation: a yearbook's questions never train the model that scores them."""

from __future__ import annotations

import json

import pytest
from langchain_core.documents import Document

from evals.cross_validate import contains_gold, cross_validate, format_cross_validation, recall_at_false_refusal
from evals.train_reader import Example, fit_span_ranker, span_groups
from rag.reader.candidates import Sentence, Span
from rag.reader.question import Asked
from rag.reader.reader import PartReading

GOLD = "孙立平"
DECOY = "王红"


def span(text: str, sentence: Sentence, features: dict[str, float]) -> Span:
    """A span of ``sentence`` covering ``text``, with the given features."""
    start = sentence.quote.index(text)
    return Span(sentence, start, start + len(text), "name", features=dict(features))


def example(corpus: str, gold: dict[str, float], decoy: dict[str, float], kind: str = "name", answerable: bool = True) -> Example:
    """A one-part question whose reading holds the decoy span first and the gold span second."""
    quote = f"副县长:{DECOY}，县长:{GOLD}。"
    sentence = Sentence(Document(page_content=quote, metadata={"kind": "text"}), quote, 0, 0)
    asked = Asked("县长是谁", kind, "谁", "", False, ())
    reading = PartReading(asked, [span(DECOY, sentence, decoy), span(GOLD, sentence, gold)], [])
    return Example("县长是谁？", answerable, [[GOLD] if answerable else []], [reading], corpus=corpus)


def convention(corpus: str, count: int, gold_feature: str, decoy_feature: str) -> list[Example]:
    """``count`` questions of a yearbook whose gold spans carry one feature and the decoys another."""
    return [example(corpus, {gold_feature: 1.0}, {decoy_feature: 1.0}) for _ in range(count)]


def odd_yearbook(count: int) -> list[Example]:
    """Questions of yearbook "c", whose gold spans look like the other yearbooks' decoys, plus a mark of its own."""
    return [example("c", {"y": 1.0, "only_c": 1.0}, {"x": 1.0}) for _ in range(count)]


def top_text(example_: Example, weights: object) -> str:
    """The text of the span a model scores highest."""
    reading = example_.readings[0]
    return max(reading.ranked, key=lambda s: weights.logit(s.features)).text  # type: ignore[attr-defined]


def test_a_yearbook_is_scored_by_a_model_that_never_saw_it():
    examples = convention("a", 6, "x", "y") + convention("b", 6, "x", "y") + odd_yearbook(6)
    # Trained on every yearbook, the model learns c's own mark and gets c right: leaking would show.
    leaky = fit_span_ranker(span_groups(examples))
    assert all(top_text(e, leaky) == GOLD for e in examples if e.corpus == "c")
    report = cross_validate(examples, [])
    held_out_c = report["folds"]["c"]
    assert held_out_c["n"] == 6
    assert held_out_c["exact_match"] == 0.0 and held_out_c["containment"] == 0.0  # a and b teach x: the decoy wins
    assert report["folds"]["a"]["exact_match"] == 1.0 and report["folds"]["b"]["exact_match"] == 1.0
    assert held_out_c["span_questions"] == 12  # c's fold learned from a and b only
    assert report["folds"]["a"]["span_questions"] == 12  # b and c


def test_extra_examples_train_every_fold():
    yearbook = convention("a", 4, "x", "y")
    teaches_x = convention("", 4, "x", "y")
    teaches_y = convention("", 4, "y", "x")
    assert cross_validate(yearbook, teaches_x)["folds"]["a"]["exact_match"] == 1.0
    assert cross_validate(yearbook, teaches_y)["folds"]["a"]["exact_match"] == 0.0
    with pytest.raises(ValueError):
        cross_validate(yearbook, [])  # one yearbook and no extra: its fold has nothing to learn from


def test_pooled_counts_are_the_sum_of_the_folds_and_only_answerable_non_yesno_questions_count():
    examples = convention("a", 5, "x", "y") + convention("b", 3, "x", "y") + convention("d", 2, "x", "y") + odd_yearbook(4)
    examples.append(example("a", {"x": 1.0}, {"y": 1.0}, kind="yesno"))
    examples.append(example("b", {"x": 1.0}, {"y": 1.0}, answerable=False))
    report = cross_validate(examples, [])
    folds = report["folds"]
    assert {corpus: f["n"] for corpus, f in folds.items()} == {"a": 5, "b": 3, "c": 4, "d": 2}
    pooled = report["pooled"]
    assert pooled["n"] == sum(f["n"] for f in folds.values()) == 14
    assert pooled["exact_count"] == sum(f["exact_count"] for f in folds.values())
    assert pooled["contained_count"] == sum(f["contained_count"] for f in folds.values())
    assert pooled["exact_match"] == pytest.approx(pooled["exact_count"] / 14)
    assert list(report["by_kind"]) == ["name"] and report["by_kind"]["name"]["n"] == 14
    low, high = pooled["exact_match_interval"]
    assert 0.0 <= low <= pooled["exact_match"] <= high <= 1.0


def test_cross_validation_leaves_the_examples_as_they_were():
    examples = convention("a", 4, "x", "y") + convention("b", 4, "x", "y")
    before = [[(s.text, s.score, dict(s.features)) for s in e.readings[0].ranked] for e in examples]
    cross_validate(examples, [])
    assert [[(s.text, s.score, dict(s.features)) for s in e.readings[0].ranked] for e in examples] == before


def test_a_question_with_no_candidate_span_is_a_miss():
    examples = convention("a", 3, "x", "y") + convention("b", 3, "x", "y")
    examples[0].readings[0].ranked = []
    report = cross_validate(examples, [])
    assert report["folds"]["a"]["n"] == 3 and report["folds"]["a"]["no_candidates"] == 1
    assert report["folds"]["a"]["exact_count"] == 2


def test_containment_ignores_spaces_and_exact_match_does_not_follow_it():
    assert contains_gold("县长 孙立平", ["孙立平"]) and contains_gold("3 217户", ["3,217户", "3217户"])
    assert not contains_gold("县长", ["孙立平"])
    quote = f"县长{GOLD}。"
    sentence = Sentence(Document(page_content=quote, metadata={"kind": "text"}), quote, 0, 0)
    asked = Asked("县长是谁", "name", "谁", "", False, ())
    wide = Example("县长是谁？", True, [[GOLD]], [PartReading(asked, [span(quote[:-1], sentence, {"x": 1.0})], [])], corpus="a")
    report = cross_validate([wide], convention("", 3, "x", "y"))
    assert report["folds"]["a"]["containment"] == 1.0 and report["folds"]["a"]["exact_match"] == 0.0


def test_the_table_has_a_row_per_yearbook_a_pooled_row_and_the_kinds():
    report = cross_validate(convention("a", 3, "x", "y") + convention("b", 3, "x", "y"), [])
    table = format_cross_validation(report)
    rows = {line.split()[0] for line in table.splitlines() if line.strip()}
    assert {"a", "b", "pooled", "name"} <= rows
    assert "1.000" in table and "0.44–1.00" in table  # 3 of 3, with its Wilson interval


def test_the_flag_runs_the_cross_validation_and_writes_no_model(tmp_path, monkeypatch, capsys):
    from evals import reader_cli
    from rag.settings import Settings
    from ui.cli import build_parser

    args = build_parser().parse_args(["eval", "train", "--cross-validate", "--json", "--out", str(tmp_path / "model.json")])
    assert args.cross_validate and args.json and args.handler is reader_cli.run_train
    assert not build_parser().parse_args(["eval", "train"]).cross_validate
    examples = convention("a", 3, "x", "y") + convention("b", 3, "x", "y")
    monkeypatch.setattr(reader_cli, "cross_validation_examples", lambda a, s: (examples, [], []))
    assert reader_cli.run_train(args, Settings()) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pooled"]["n"] == 6 and set(report["folds"]) == {"a", "b"}
    assert not (tmp_path / "model.json").exists()


def refusal_example(corpus: str, answerable: bool, year_unheld: bool) -> Example:
    """A question whose reading can be rescored (its spans are its found spans); unheld years mark the unanswerable."""
    made = example(corpus, {"x": 1.0}, {"y": 1.0}, answerable=answerable)
    reading = made.readings[0]
    reading.found, reading.year_unheld = list(reading.ranked), year_unheld
    return made


def refusal_examples() -> tuple[list[Example], list[Example]]:
    """Yearbooks a and b mark their unanswerable questions (a year no yearbook holds); c's look answerable."""
    examples: list[Example] = []
    for corpus, marked in (("a", True), ("b", True), ("c", False)):
        examples += [refusal_example(corpus, True, False) for _ in range(6)]
        examples += [refusal_example(corpus, False, marked) for _ in range(3)]
    return examples, [refusal_example("a", False, True) for _ in range(5)]


def test_refusal_is_cross_validated_on_the_same_folds_and_synthetic_questions_only_train():
    examples, synthetic = refusal_examples()
    refusal = cross_validate(examples, [], synthetic)["refusal"]
    assert refusal["synthetic"] == 5
    assert refusal["folds"]["a"]["unanswerable"] == 3 and refusal["folds"]["a"]["answerable"] == 6  # synthetic ones are not scored
    assert refusal["folds"]["a"]["refusal_recall"] == 1.0 and refusal["folds"]["b"]["refusal_recall"] == 1.0
    assert refusal["folds"]["c"]["refusal_recall"] == 0.0  # nothing held out from c tells its unanswerable apart
    pooled = refusal["pooled"]
    assert pooled["unanswerable"] == 9 and pooled["refusal_recall"] == pytest.approx(6 / 9)
    assert pooled["false_refusal"] == 0.0 and 0.5 < refusal["auc"] < 1.0
    table = format_cross_validation(cross_validate(*refusal_examples_with_no_extra()))
    assert "leave-one-yearbook-out refusal" in table and any(line.startswith("pooled") and "0.667" in line for line in table.splitlines())
    assert set(refusal["recall_at"]) == {"0.02", "0.03", "0.04", "0.05", "0.06"} and "held-out false refusal 0.02 →" in table


def test_refusal_recall_is_read_along_the_false_refusal_curve():
    answerable = [refusal_example("a", True, False) for _ in range(20)]
    unanswerable = [refusal_example("a", False, True) for _ in range(4)]
    held = {id(e): 0.1 * (i + 1) for i, e in enumerate(answerable)}  # 0.1 … 2.0
    held |= {id(e): s for e, s in zip(unanswerable, (0.05, 0.15, 0.25, 5.0))}
    curve = recall_at_false_refusal([*answerable, *unanswerable], held, (0.0, 0.05, 0.10))
    # no answerable refused: only the score under the lowest answerable one (0.05); one refused (5 %): 0.15 too; two: 0.25 too
    assert curve == {"0.00": 0.25, "0.05": 0.5, "0.10": 0.75}
    assert recall_at_false_refusal(answerable, held) == {}


def refusal_examples_with_no_extra() -> tuple[list[Example], list[Example], list[Example]]:
    """Fresh refusal examples as cross_validate's arguments: the yearbooks', no CMRC, the synthetic ones."""
    examples, synthetic = refusal_examples()
    return examples, [], synthetic


def test_refusal_is_not_cross_validated_without_unanswerable_questions_in_two_yearbooks():
    examples, _ = refusal_examples()
    only_a = [e for e in examples if e.answerable or e.corpus == "a"]
    assert cross_validate(only_a, [])["refusal"] is None


def test_a_list_question_is_judged_by_the_enumeration_the_reader_cuts_around_its_top_span():
    quote = "设施蔬菜主要分布在辛集镇、蒲汪镇、湖头镇、大庄镇等地。"
    sentence = Sentence(Document(page_content=quote, metadata={"kind": "text"}), quote, 0, 0, folded=quote)
    asked = Asked("设施蔬菜主要分布在哪些镇", "list", "哪些", "", False, ())
    golds = ["辛集镇、蒲汪镇、湖头镇、大庄镇"]
    one_item = Example("设施蔬菜主要分布在哪些镇？", True, [golds], [PartReading(asked, [span("湖头镇", sentence, {"x": 1.0})], [])], corpus="a")
    report = cross_validate([one_item], convention("", 3, "x", "y"))
    assert report["folds"]["a"]["exact_match"] == 1.0


def test_the_unsure_tier_counts_the_best_span_the_open_stretch_and_the_two_agreeing():
    from evals.cross_validate import cross_validate_unsure
    from rag.reader.candidates import sentences
    from rag.reader.question import analyse

    question, text = "信访局与哪个社工委启动了调解项目？", "信访局与星湖社工委启动调解项目。"
    sentence = sentences([Document(page_content=text, metadata={"kind": "text", "span_start": 0})])[0]
    at = text.index("星湖")

    def unsure_example(end: int, probability: float) -> Example:
        reading = PartReading(analyse(question), [Span(sentence, at, at + end, "org")], [], span_probability=probability)
        return Example(question, True, [["星湖社工委"]], [reading], corpus="a")

    agreeing, cut_short, sure = unsure_example(5, 0.2), unsure_example(2, 0.2), unsure_example(2, 0.9)
    counts = cross_validate_unsure([agreeing, cut_short, sure], threshold=0.5)
    assert counts["unsure"] == 2  # the sure one is not in the tier
    assert counts["best_right"] == 1  # 「星湖社工委」, not 「星湖」
    assert counts["stretch"] == 2 and counts["stretch_right"] == 2  # both clauses leave 「星湖社工委」 open
    assert counts["agree"] == 1 and counts["agree_right"] == 1
