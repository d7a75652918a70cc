"""Train the reader's weights: span scorer from CMRC 2018 and the train split, refusal and thresholds on dev."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from langchain_core.documents import Document
from tqdm import tqdm

from evals.answer_metrics import exact_match, normalize_answer, same_numbers
from evals.cmrc import CmrcItem
from evals.dataset import BUNDLED, Question
from rag.reader.candidates import Span
from rag.reader.features import confidence_features
from rag.reader.model import LinearModel, ReaderModel
from rag.reader.reader import PartReading, Reader, score_reading

Retrieve = Callable[[Question], tuple[list[Document], set[int]]]
MAX_FALSE_REFUSAL = 0.04  # the refusal threshold keeps estimated false refusals on an unseen yearbook under this
ATTRIBUTION = "Span weights partly learned from CMRC 2018 (Cui et al., 2019; CC BY-SA 4.0); no CMRC text is shipped."


@dataclass
class Example:
    """One question read against its evidence, with the gold answers of each part."""

    question: str
    answerable: bool
    golds: list[list[str]]  # per part
    readings: list[PartReading] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    years: set[int] = field(default_factory=set)
    passage: bool = False  # a reading-comprehension item: one passage, no retrieval, never refused
    corpus: str = ""  # the yearbook the question is about (its file stem; the bundled chapter's for its original set)


def is_gold(span: Span, golds: Sequence[str]) -> bool:
    """Whether a candidate span is a gold answer (same text once normalised, or a figure of the same value)."""
    text = normalize_answer(span.text)
    if any(text == normalize_answer(g) for g in golds):
        return True
    return span.kind in ("number", "cell") and any(same_numbers(span.text, g) and normalize_answer(g).endswith(text[-1:]) for g in golds)


def yearbook_examples(questions: Iterable[Question], retrieve: Retrieve, reader: Reader, progress: bool = True) -> list[Example]:
    """Read every question against what retrieval finds for it."""
    out: list[Example] = []
    for q in tqdm(list(questions), desc="read", unit="q", disable=not progress or None):
        documents, years = retrieve(q)
        readings = reader.read(q.question, documents, years)
        golds = [[a] for a in q.answers] if q.type == "multi_entry" and len(readings) == len(q.answers) else [list(q.answers)] * len(readings)
        out.append(Example(q.question, q.answerable, golds, readings, documents, years, corpus=q.corpus or BUNDLED))
    return out


def unanswerable_variants(questions: Sequence[Question], held_years: set[int]) -> list[Question]:
    """Synthetic unanswerable questions made from answerable ones, for the refusal model.

    Two edits that take a question out of what the yearbooks record: its year moved to one no
    yearbook covers, and its rarest word swapped for the rarest word of a question about another
    yearbook (so the evidence no longer names what is asked).
    """
    from rag.reader.question import analyse

    answerable = [q for q in questions if q.answerable and q.type != "multi_entry"]
    rarest: dict[str, str] = {}
    for q in answerable:
        terms = sorted(analyse(q.question).terms, key=lambda t: -t.weight)
        if terms and len(terms[0].text) >= 2:
            rarest[q.id] = terms[0].text
    out: list[Question] = []
    for index, q in enumerate(answerable):
        years = re.findall(r"(?:19|20)\d\d(?=年)", q.question)
        if years:
            asked = int(years[0])
            others = sorted(held_years - {asked}, key=lambda y: abs(y - asked)) or [asked - 3]
            for moved in {others[0], min(held_years | {asked}) - 3}:
                question = q.question.replace(years[0], str(moved))
                out.append(replace(q, id=f"{q.id}-year{moved}", question=question, answers=(), type="unanswerable"))
        if q.id not in rarest:
            continue
        ring = answerable[index + 1 :] + answerable[:index]
        for same in (True, False):
            donor = next((o for o in ring if (o.corpus == q.corpus) == same and o.id in rarest and rarest[o.id] not in q.question), None)
            if donor is not None:
                swapped = q.question.replace(rarest[q.id], rarest[donor.id], 1)
                out.append(replace(q, id=f"{q.id}-swap{int(same)}", question=swapped, answers=(), type="unanswerable"))
    return out


def cmrc_examples(items: Iterable[CmrcItem], reader: Reader, progress: bool = True) -> list[Example]:
    """Read every CMRC question against its own passage."""
    out: list[Example] = []
    for item in tqdm(list(items), desc="read cmrc", unit="q", disable=not progress or None):
        document = Document(page_content=item.context, metadata={"kind": "text", "span_start": 0})
        reading = reader.read(item.question, [document])[:1]
        out.append(Example(item.question, True, [list(item.answers)], reading, [document], passage=True))
    return out


def fit_logistic(rows: list[dict[str, float]], labels: list[int], c: float, balanced: bool) -> LinearModel:
    """A logistic regression over named features (scikit-learn), returned as named weights."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer(sparse=True)
    matrix = vectorizer.fit_transform(rows)
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced" if balanced else None)
    model.fit(matrix, labels)
    names = vectorizer.get_feature_names_out()
    weights = {str(n): round(float(w), 5) for n, w in zip(names, model.coef_[0]) if abs(w) > 1e-6}
    return LinearModel(weights, round(float(model.intercept_[0]), 5))


def span_rows(examples: Iterable[Example]) -> tuple[list[dict[str, float]], list[int], int]:
    """Feature rows and labels of every span of every answerable part that has a gold span among its candidates."""
    rows: list[dict[str, float]] = []
    labels: list[int] = []
    used = 0
    for example in examples:
        if not example.answerable:
            continue
        for reading, golds in zip(example.readings, example.golds):
            if reading.asked.kind == "yesno" or not golds:
                continue
            marks = [is_gold(s, golds) for s in reading.ranked]
            if not any(marks):
                continue
            used += 1
            rows.extend(s.features for s in reading.ranked)
            labels.extend(int(m) for m in marks)
    return rows, labels, used


def rescore(examples: Iterable[Example], model: ReaderModel) -> None:
    """Rank every example's spans by ``model`` and recompute its evidence (which depends on the model)."""
    for example in examples:
        for reading in example.readings:
            score_reading(reading, model)


def answerable_rows(examples: Iterable[Example]) -> tuple[list[dict[str, float]], list[int]]:
    """Evidence features of each question's first part, labelled by whether the question is answerable."""
    rows, labels = [], []
    for example in examples:
        if example.readings:
            rows.append(example.readings[0].evidence)
            labels.append(int(example.answerable))
    return rows, labels


def choose_answer_threshold(examples: Sequence[Example], model: LinearModel) -> float:
    """The highest threshold keeping false refusals of these answerable examples under MAX_FALSE_REFUSAL."""
    return _quantile_threshold([model.probability(e.readings[0].evidence) for e in examples if e.answerable and e.readings])


def held_out_yearbook_scores(train_examples: Sequence[Example], scored: Sequence[Example], c: float) -> list[float]:
    """P(answerable) of each answerable question in ``scored`` from models that never saw its yearbook.

    Models fitted on every yearbook are surer of their questions than they will be of a
    yearbook a user brings (other layouts, other wording), so a threshold chosen on dev
    questions of the training yearbooks refuses too much elsewhere. Once per yearbook, the
    whole stack — span, confidence and answerable models, since the answerable model reads the
    other two — is fitted with that yearbook left out, and its questions are scored as an
    unseen yearbook's would be. The readings are left scored by the last fold's models.
    """
    scores: list[float] = []
    for corpus in sorted({e.corpus for e in scored if not e.passage}):
        training = [e for e in train_examples if e.corpus != corpus or e.passage]
        if len({e.answerable for e in training if not e.passage}) < 2:
            continue
        model, _ = fit_models(training, c)
        held = [e for e in scored if e.corpus == corpus and e.answerable and not e.passage]
        rescore(held, model)
        scores += [e.readings[0].answerable for e in held if e.readings]
    return scores


def _quantile_threshold(scores: Sequence[float]) -> float:
    """Just under the score that MAX_FALSE_REFUSAL of ``scores`` fall below (0.5 with no scores)."""
    if not scores:
        return 0.5
    ordered = sorted(scores)
    return max(0.0, ordered[int(MAX_FALSE_REFUSAL * len(ordered))] - 1e-6)


def choose_span_threshold(examples: Sequence[Example]) -> float:
    """The span-confidence threshold above which dev short answers are right more often than wrong.

    Both tiers quote the supporting clause, so a short answer adds one thing: a right one saves
    the reader the reading (+1), a wrong one misleads (−1).
    """
    best, best_utility = 0.0, float("-inf")
    for threshold in [step / 20 for step in range(19)]:
        utility = 0.0
        for e in examples:
            if not (e.answerable and e.readings and e.readings[0].ranked) or e.readings[0].asked.kind == "yesno":
                continue
            reading = e.readings[0]
            if reading.span_probability >= threshold:
                utility += 1.0 if exact_match(reading.ranked[0].text, e.golds[0]) else -1.0
        if utility > best_utility:
            best, best_utility = threshold, utility
    return best


def confidence_rows(examples: Iterable[Example]) -> tuple[list[dict[str, float]], list[int]]:
    """Confidence features of each answerable question's best span, labelled by whether it is the answer."""
    rows, labels = [], []
    for example in examples:
        if not example.answerable or not example.readings or example.passage:
            continue
        reading = example.readings[0]
        if reading.ranked and reading.asked.kind != "yesno":
            rows.append(confidence_features(reading.ranked))
            labels.append(int(exact_match(reading.ranked[0].text, example.golds[0])))
    return rows, labels


def fit_models(train_examples: list[Example], c: float) -> tuple[ReaderModel, dict[str, float]]:
    """Fit the span model, then the confidence in its best span, then the answerable model (thresholds unset).

    Each fit rescores the examples with what came before it, and they are left scored by the result.
    """
    rows, labels, used = span_rows(train_examples)
    if not rows or len(set(labels)) < 2:
        raise ValueError("no training span matches a gold answer: check the training data")
    span = fit_logistic(rows, labels, c, balanced=False)
    rescore(train_examples, ReaderModel(span=span, answerable=LinearModel({})))
    sure_rows, sure_labels = confidence_rows(train_examples)
    confidence = fit_logistic(sure_rows, sure_labels, 1.0, balanced=False) if len(set(sure_labels)) == 2 else LinearModel({})
    rescore(train_examples, ReaderModel(span=span, answerable=LinearModel({}), confidence=confidence))
    ev_rows, ev_labels = answerable_rows(e for e in train_examples if not e.passage)
    answerable = fit_logistic(ev_rows, ev_labels, 1.0, balanced=True) if len(set(ev_labels)) == 2 else LinearModel({})
    model = ReaderModel(span=span, answerable=answerable, confidence=confidence)
    rescore(train_examples, model)
    stats = {"span_rows": len(rows), "span_questions": used, "answerable_rows": len(ev_rows), "confidence_rows": len(sure_rows)}
    return model, stats


def train(
    train_examples: list[Example], dev_examples: list[Example], c: float = 0.5
) -> tuple[ReaderModel, dict[str, float]]:
    """Fit the models on train, then pick the refusal threshold on held-out yearbooks and the span threshold on dev."""
    yearbook = [e for e in train_examples if not e.passage]
    held_out = held_out_yearbook_scores(train_examples, yearbook + dev_examples, c)
    fitted, stats = fit_models(train_examples, c)
    rescore(dev_examples, fitted)
    threshold = _quantile_threshold(held_out) if held_out else choose_answer_threshold(dev_examples, fitted.answerable)
    span_threshold = choose_span_threshold(dev_examples)
    stats |= {
        "threshold_from": "held-out yearbooks" if held_out else "dev",
        "dev_threshold": round(choose_answer_threshold(dev_examples, fitted.answerable), 4),
    }
    meta = {"trained": date.today().isoformat(), "attribution": ATTRIBUTION, **stats}
    return ReaderModel(fitted.span, fitted.answerable, threshold, span_threshold, meta, fitted.confidence), stats
