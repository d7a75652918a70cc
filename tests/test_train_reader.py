"""Training the reader on a tiny set: it learns weights that rank the gold span first, and writes a loadable model."""

from __future__ import annotations

import json
import math

from langchain_core.documents import Document

from evals.dataset import Question
from evals.train_reader import (
    SYNTHETIC_WEIGHT,
    Example,
    Retrieved,
    answerable_rows,
    is_gold,
    sibling_variants,
    train,
    unanswerable_variants,
    yearbook_examples,
)
from rag.reader.model import load_model
from rag.reader.reader import Reader, untrained_model

PASSAGES = [
    ("全年新登记企业218家，其中外资企业41家。", "全年新登记外资企业多少家？", "41家"),
    ("全年新登记企业312家，其中外资企业57家。", "外资企业新登记了多少家？", "57家"),
    ("县长:孙立平，副县长:王红。", "谁是县长？", "孙立平"),
    ("县长:李明，副县长:赵强。", "县长是谁？", "李明"),
    ("2019年5月12日，新图书馆开馆。", "新图书馆哪天开馆？", "2019年5月12日"),
    ("2018年3月2日，体育馆开放。", "体育馆是哪一天开放的？", "2018年3月2日"),
]


def examples(reader: Reader) -> list[Example]:
    out = []
    for text, question, gold in PASSAGES:
        document = Document(page_content=text, metadata={"kind": "text", "span_start": 0, "year": 2019, "entry": "概况"})
        out.append(Example(question, True, [[gold]], reader.read(question, [document], {2019}), [document], {2019}))
    document = Document(page_content=PASSAGES[0][0], metadata={"kind": "text", "span_start": 0, "year": 2019})
    out.append(Example("2015年全县有多少家医院？", False, [[]], reader.read("2015年全县有多少家医院？", [document], {2019}), [document], {2019}))
    return out


def test_training_learns_to_rank_gold_spans_and_writes_a_model(tmp_path):
    reader = Reader(untrained_model())
    train_set, dev_set = examples(reader), examples(reader)
    model, stats = train(train_set, dev_set)
    assert stats["span_questions"] == 2 * len(PASSAGES)  # spans learn from the train and dev questions …
    assert stats["answerable_rows"] == 2 * (len(PASSAGES) + 1)  # … and so does refusal
    trained = Reader(model)
    for text, question, gold in PASSAGES:
        assert trained.best_span(question, text) == gold
    path = tmp_path / "model.json"
    model.save(path)
    loaded = load_model(path)
    assert loaded.span.to_json() == model.span.to_json() and loaded.answer_threshold == model.answer_threshold


def test_training_learns_the_yes_no_verdict_from_yes_no_questions():
    reader = Reader(untrained_model())
    claims = [
        ("全年新登记企业218家。", "全年新登记企业超过200家吗？", "是"),
        ("全年新登记企业218家。", "全年新登记企业超过300家吗？", "否"),
        ("园区入驻企业30家。", "园区入驻企业有30家吗？", "是"),
        ("园区入驻企业30家。", "园区入驻企业有40家吗？", "否"),
    ]
    yesno = []
    for text, question, gold in claims:
        document = Document(page_content=text, metadata={"kind": "text", "span_start": 0, "year": 2019})
        yesno.append(Example(question, True, [[gold]], reader.read(question, [document], {2019}), [document], {2019}))
    model, stats = train(examples(reader) + yesno, examples(reader))
    assert stats["yesno_rows"] == len(claims)
    assert model.yesno.weights["y_figure_unmet"] < 0 < model.yesno.weights["y_figure_met"]


def test_training_reads_the_question_as_the_service_searched_it():
    reader = Reader(untrained_model())
    document = Document(page_content="全县主要领导带队走访企业36家。", metadata={"kind": "text", "span_start": 0, "year": 2019})
    question = Question("a", "一把手走访了多少家企业？", ("36家",), ("",), ("概况",), ("",), "number")
    rewritten = "主要领导走访了多少家企业？"  # what the retriever's colloquial rewrite hands the service's reader
    [example] = yearbook_examples([question], lambda q: Retrieved([document], {2019}, None, rewritten), reader, progress=False)
    assert example.readings[0].asked == reader.read(rewritten, [document], {2019})[0].asked
    assert "一把手" not in [t.text for t in example.readings[0].asked.terms]


def test_synthetic_unanswerable_questions_are_marked_and_weighted_in_the_refusal_model(monkeypatch):
    reader = Reader(untrained_model())
    document = Document(page_content=PASSAGES[0][0], metadata={"kind": "text", "span_start": 0, "year": 2019})
    real = Question("r", "2019年新登记外资企业多少家？", ("41家",), ("",), ("概况",), ("",), "number")
    made = Question("m", "2015年新登记外资企业多少家？", (), (), (), (), "unanswerable")

    def retrieve(question: Question) -> Retrieved:
        return Retrieved([document], {2019}, None, question.question)

    examples = yearbook_examples([real], retrieve, reader, progress=False)
    examples += yearbook_examples([made], retrieve, reader, progress=False, synthetic=True)
    assert [e.synthetic for e in examples] == [False, True]
    _, labels, weights = answerable_rows(examples)
    assert labels == [1, 0] and weights == [1.0, SYNTHETIC_WEIGHT]
    monkeypatch.setattr("evals.train_reader.SYNTHETIC_WEIGHT", 0.25)
    assert answerable_rows(examples)[2] == [1.0, 0.25]


def test_gold_spans_match_by_text_or_by_value():
    reader = Reader(untrained_model())
    reading = reader.read("收入多少？", [Document(page_content="收入9,927万元。", metadata={"kind": "text", "span_start": 0})])[0]
    assert any(is_gold(s, ["9927万元"]) for s in reading.ranked)
    assert not any(is_gold(s, ["9928万元"]) for s in reading.ranked)


def test_unanswerable_variants_move_the_year_and_swap_the_rarest_word():
    questions = [
        Question("a", "2020年园区发展党员多少人？", ("526人",), ("组织工作",), ("概况",), ("",), "number", corpus="x"),
        Question("b", "2019年沂南县新登记市场主体多少户？", ("3,217户",), ("工业",), ("概况",), ("",), "number", corpus="y"),
    ]
    made = unanswerable_variants(questions, {2019, 2020})
    assert all(q.type == "unanswerable" and not q.answers for q in made)
    texts = [q.question for q in made]
    assert "2019年园区发展党员多少人？" in texts  # moved to the other yearbook's year
    assert "2016年园区发展党员多少人？" in texts  # and to a year no yearbook covers
    assert "2020年园区沂南县多少人？" in texts  # the rarest word swapped for another yearbook's


def test_refusal_threshold_comes_from_yearbooks_the_models_never_saw(monkeypatch):
    """Each yearbook's answerable questions are scored by a span, confidence and answerable model fitted without that yearbook."""
    import evals.train_reader as training

    reader = Reader(untrained_model())
    by_yearbook = []
    for corpus in ("a", "b", "c"):
        for example in examples(reader):
            example.corpus = corpus
            by_yearbook.append(example)
    fitted_on: list[tuple[set[str], set[str]]] = []
    fit_models = training.fit_models

    def recording(chosen, refusal=()):
        fitted_on.append(({e.corpus for e in chosen}, {e.corpus for e in refusal}))
        return fit_models(chosen, refusal)

    monkeypatch.setattr(training, "fit_models", recording)
    more = examples(reader)
    for example in more:
        example.corpus = "d"  # a dev yearbook: it teaches the answerable model only
    scores = training.held_out_yearbook_scores(by_yearbook, by_yearbook + more, more)
    assert fitted_on == [  # the whole stack, once per left-out yearbook, never with its questions
        ({"b", "c"}, {"d"}), ({"a", "c"}, {"d"}), ({"a", "b"}, {"d"}), ({"a", "b", "c"}, set()),
    ]
    assert len(scores) == 4 * len(PASSAGES)  # every answerable question of every yearbook, once
    assert all(0.0 <= s.answerable <= 1.0 and 0.0 <= s.span_probability <= 1.0 for s in scores)
    only_a = [e for e in by_yearbook if e.corpus == "a"]
    assert training.held_out_yearbook_scores(only_a, only_a) == []  # one yearbook: nothing left to fit on


def test_held_out_scores_are_taken_before_the_next_fold_rescores_the_readings(monkeypatch):
    """A fold rescores the other yearbooks' readings in place: each held-out score must come from its own fold."""
    import evals.train_reader as training
    from rag.reader.model import ReaderModel
    from rag.ranking import LinearModel

    reader = Reader(untrained_model())
    by_yearbook = []
    for corpus in ("a", "b"):
        for example in examples(reader):
            example.corpus = corpus
            by_yearbook.append(example)
    marks = iter((0.25, 0.75))

    def fold(chosen, refusal=()):  # each fold's model says one constant P(answerable), and rescores what it learned from
        model = ReaderModel(span=LinearModel({}), answerable=LinearModel({}, bias=_logit(next(marks))), confidence=LinearModel({}))
        training.rescore(chosen, model)
        return model, {}

    monkeypatch.setattr(training, "fit_models", fold)
    scores = training.held_out_yearbook_scores(by_yearbook, by_yearbook)
    answerable = len([e for e in by_yearbook if e.answerable]) // 2
    assert [round(s.answerable, 2) for s in scores] == [0.25] * answerable + [0.75] * answerable


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _calibrated_outcomes(shift: float) -> list:
    """Held-out outcomes whose share right at confidence p is sigmoid(logit(p) - shift): 20 per confidence step."""
    from evals.train_reader import HeldOut

    outcomes = []
    for step in range(1, 20):
        p = step / 20
        right = round(20 / (1 + math.exp(shift - _logit(p))))
        outcomes += [HeldOut(0.9, p, index < right) for index in range(20)]
    return outcomes


def test_the_span_threshold_is_where_held_out_short_answers_turn_right_more_often_than_wrong():
    from evals.train_reader import HeldOut, choose_span_threshold

    # spans of unseen yearbooks right less often than their confidence says: the crossing is sigmoid(1) ≈ 0.73
    assert abs(choose_span_threshold(_calibrated_outcomes(1.0)) - 0.731) < 0.03
    assert abs(choose_span_threshold(_calibrated_outcomes(0.0)) - 0.5) < 0.03
    assert choose_span_threshold([HeldOut(0.9, 0.7, None)]) == 0.0  # nothing to judge
    assert choose_span_threshold([HeldOut(0.9, 0.7, True), HeldOut(0.9, 0.2, True)]) == 0.0  # all right: always short


def test_the_span_threshold_moves_little_when_a_few_questions_change():
    """The grid cut it replaces jumped 0.10 and more between retrains; the fitted crossing moves smoothly."""
    from evals.train_reader import HeldOut, choose_span_threshold

    outcomes = _calibrated_outcomes(0.5)
    flipped = [HeldOut(o.answerable, o.span_probability, not o.top_right) if i % 60 == 0 else o for i, o in enumerate(outcomes)]
    assert abs(choose_span_threshold(outcomes) - choose_span_threshold(flipped)) < 0.03


def test_rescoring_a_reading_equals_reading_again_with_that_model():
    """Training rescores readings instead of re-reading: both must give the same ranking and evidence."""
    from rag.reader.reader import score_reading

    trained = Reader(load_model())
    question, text = "全年新登记外资企业多少家？", PASSAGES[0][0] + PASSAGES[1][0]
    document = Document(page_content=text, metadata={"kind": "text", "span_start": 0, "year": 2019})
    fresh = trained.read(question, [document], {2019})[0]
    rescored = Reader(untrained_model()).read(question, [document], {2019})[0]
    score_reading(rescored, trained.model)
    assert [s.text for s in rescored.ranked] == [s.text for s in fresh.ranked]
    assert rescored.evidence == fresh.evidence and rescored.answerable == fresh.answerable


def test_sibling_variants_ask_a_post_or_an_ordinal_the_yearbook_never_mentions():
    text = "县委书记:周德明。县委副书记:李强。县第一中学、第二中学本科上线1,200人。"
    questions = [
        Question("a", "县委书记是谁？", ("周德明",), ("领导",), ("名单",), ("",), "name", corpus="x"),
        Question("b", "第二中学本科上线多少人？", ("1,200人",), ("教育",), ("概况",), ("",), "number", corpus="x"),
        Question("c", "县委书记是谁？", ("周德明",), ("领导",), ("名单",), ("",), "name", corpus="unknown"),
    ]
    made = {q.id: q for q in sibling_variants(questions, {"x": text})}
    assert set(made) == {"a-post", "b-ordinal"}  # no text, no variant: nothing can be checked
    assert made["a-post"].question == "县委秘书长是谁？"  # 县委副书记 is in the text, so not that one
    assert made["b-ordinal"].question == "第三中学本科上线多少人？"
    assert all(q.type == "unanswerable" and not q.answers for q in made.values())


def test_yesno_only_training_refits_the_verdict_and_keeps_the_other_models(tmp_path, monkeypatch, capsys):
    import argparse

    import evals.dataset as dataset
    import evals.reader_cli as reader_cli
    from rag.settings import Settings

    claims = [
        ("全年新登记企业218家。", "全年新登记企业超过200家吗？", "是"),
        ("全年新登记企业218家。", "全年新登记企业超过300家吗？", "否"),
        ("园区入驻企业30家。", "园区入驻企业有30家吗？", "是"),
        ("园区入驻企业30家。", "园区入驻企业有40家吗？", "否"),
        ("园区入驻企业30家。", "园区有没有在编的外语教师？", "否"),  # not asked as yes/no by type: left out
    ]
    questions = [
        Question(f"q{i}", q, (gold,), ("",), ("概况",), ("",), "yesno" if i < 4 else "name", corpus="ab"[i // 2 % 2])
        for i, (_, q, gold) in enumerate(claims)
    ]
    texts = {q: text for text, q, _ in claims}

    def retrieve(question):
        document = Document(page_content=texts[question.question], metadata={"kind": "text", "span_start": 0, "year": 2019})
        return Retrieved([document], {2019}, None, question.question)

    kept = train(examples(Reader(untrained_model())), examples(Reader(untrained_model())))[0]
    path = tmp_path / "model.json"
    kept.save(path)
    monkeypatch.setattr(dataset, "load_split", lambda split: [q for q in questions if q.split == split])
    monkeypatch.setattr(reader_cli, "eval_retrieval", lambda settings, held_out=None: (retrieve, {2019}))
    monkeypatch.setattr(reader_cli, "settings_reader", lambda settings, model=None: Reader(model))
    args = argparse.Namespace(out=path, limit=None, quiet=True)
    assert reader_cli.run_yesno_training(args, Settings()) == 0
    load_model.cache_clear()  # the file changed under the same path
    refitted = load_model(path)
    assert refitted.meta["yesno_rows"] == 4
    assert refitted.yesno.weights["y_figure_met"] > 0
    assert refitted.span.to_json() == kept.span.to_json() and refitted.answerable == kept.answerable
    assert refitted.answer_threshold == kept.answer_threshold and refitted.span_threshold == kept.span_threshold
    args.json = True
    capsys.readouterr()
    assert reader_cli.run_yesno_cross_validation(args, Settings()) == 0  # each yearbook judged by a verdict fitted on the other
    held_out = json.loads(capsys.readouterr().out)
    assert held_out["n"] == 4 and 0.0 <= held_out["learned"] <= 1.0 and held_out["hand"] == 1.0


def test_a_wrong_cmrc_file_stops_training_before_any_question_is_read(tmp_path, monkeypatch, capsys):
    from evals import dataset, reader_cli
    from ui.cli import main

    bad = tmp_path / "cmrc.json"
    bad.write_text("[1, 2]", encoding="utf-8")

    def no_reading(split: str):  # reading the questions is where the hour goes
        raise AssertionError(f"the {split} split was read before the CMRC file was checked")

    monkeypatch.setattr(reader_cli, "load_split", no_reading)
    monkeypatch.setattr(dataset, "load_split", no_reading)
    for extra in ([], ["--cross-validate"]):
        assert main(["eval", "train", "--cmrc", str(bad), "--quiet", "--out", str(tmp_path / "m.json"), *extra]) != 0
        assert "'data'" in capsys.readouterr().err
    assert not (tmp_path / "m.json").exists()
