"""`yearbook eval train`, `yearbook eval reader` and `yearbook eval answers --splits`: the learned reader's jobs."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evals.dataset import BUNDLED, SPLITS, load_split, training_questions
from evals.stages import stage_logger
from rag.settings import Settings

if TYPE_CHECKING:
    from evals.train_reader import Retrieve

SPLIT_KEYS = (
    "exact_match", "containment", "citation_gold", "false_refusal", "refusal_recall",
    "evidence_hit@1", "evidence_hit@5", "answer_hit@1", "answer_hit@5", "p50_ms", "p95_ms",
)


def add_reader_jobs(jobs: Any) -> None:
    """Register the reader's subcommands under `yearbook eval`."""
    train = jobs.add_parser(
        "train",
        help="rebuild the retrieval reranker and the reader's weights from the train and dev splits (and CMRC 2018)",
        description="First fit the retrieval reranker (LambdaRank trees, LightGBM, over each fused candidate's ranks, "
        "coverage of the question and phrase matches; a candidate is right when it holds the gold "
        "evidence sentence) on the train and dev questions, and report their evidence hit@1/@5, fused "
        "and reranked. Then read every train and dev question against what retrieval finds in the "
        "evaluation store (the bundled chapter plus evals/corpora), each reranked by a reranker fitted "
        "without its yearbook (as good as retrieval is for a new question), and fit the span scorer and the "
        "answerable scorer on both splits (LambdaRank trees, LightGBM, for spans; logistic regression, "
        "scikit-learn, for the span confidence and refusal). The refusal and span thresholds come from "
        "each yearbook's questions scored by models fitted without that yearbook. Write the model file. "
        "The test split is never read. With --cross-validate, write nothing: "
        "fit the span scorer once per yearbook with that yearbook's train and dev questions left out "
        "(CMRC in every fold) and report exact match and containment of its top span (list and 分别 "
        "questions re-cut as the reader re-cuts them) on the left-out questions, per yearbook, pooled "
        "and per question kind, with 95% Wilson intervals; then the refusal model on the same folds: "
        "false refusal and refusal recall of each left-out yearbook's real unanswerable questions at "
        "the threshold training would choose. The yardstick for a change, since the shipped models "
        "learn from dev.",
    )
    train.add_argument("--cmrc", type=Path, action="append", default=[], help="CMRC 2018 JSON file(s) to learn spans from (e.g. cmrc2018_trial.json)")
    train.add_argument("--cmrc-limit", type=int, default=None, help="use only the first N CMRC questions")
    train.add_argument("--limit", type=int, default=None, help="use only the first N questions of each split")
    train.add_argument("--out", type=Path, default=None, help="model file to write (default: the shipped rag/reader/reader_model.json)")
    train.add_argument(
        "--rerank-out", type=Path, default=None,
        help="retrieval reranker file to write first (default: the shipped rag/retrieval/rerank_model.json); "
        "the reader then learns from rerankers fitted the same way, each without one yearbook",
    )
    train.add_argument("--quiet", action="store_true", help="no progress bars")
    train.add_argument(
        "--cross-validate", action="store_true",
        help="leave-one-yearbook-out cross-validation of the span scorer and the refusal model over the train "
        "and dev questions (to judge a change on questions no model saw); writes no model file",
    )
    train.add_argument("--json", action="store_true", help="with --cross-validate: print the report as JSON")
    train.add_argument(
        "--yesno-only", action="store_true",
        help="refit only the yes/no verdict from the train and dev yes/no questions, read by the model file's own "
        "span ranker; its other models and thresholds are kept (a minute instead of most of an hour); "
        "with --cross-validate: only the verdict's leave-one-yearbook-out accuracy (seconds), nothing written",
    )
    train.set_defaults(handler=run_train)
    reader = jobs.add_parser(
        "reader",
        help="EM/F1 of the reader alone on CMRC 2018 (question, passage) pairs, no retrieval",
        description="Run the reader on every (question, passage) pair of a CMRC 2018 file and score it "
        "as CMRC's own evaluation script does (EM and F1, ×100).",
    )
    reader.add_argument("--cmrc", type=Path, required=True, help="CMRC 2018 JSON file (e.g. cmrc2018_dev.json)")
    reader.add_argument("--limit", type=int, default=None, help="only the first N questions")
    reader.add_argument("--json", action="store_true", help="print the report as JSON")
    reader.set_defaults(handler=run_reader)


def run_train(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of `yearbook eval train` (and of its --cross-validate)."""
    if args.cross_validate and args.yesno_only:
        return run_yesno_cross_validation(args, settings)
    if args.cross_validate:
        return run_cross_validation(args, settings)
    if args.yesno_only:
        return run_yesno_training(args, settings)
    from evals.train_reader import corpus_texts, synthetic_unanswerable, train, yearbook_examples
    from rag.reader.model import MODEL_PATH
    from rag.reader.reader import untrained_model

    progress = not args.quiet
    log = stage_logger("train", progress)
    cmrc = load_cmrc_files(args)
    train_questions = load_split("train")[: args.limit]
    dev_questions = load_split("dev")[: args.limit]
    held_out: dict[str, Any] = {}
    if settings.rerank:
        log(f"retrieval reranker: searching {len(train_questions) + len(dev_questions)} train and dev questions")
        held_out = train_retrieval(train_questions, dev_questions, settings, args.rerank_out, progress)
    retrieve, years = eval_retrieval(settings, held_out=held_out)
    reader = settings_reader(settings, untrained_model())
    texts = corpus_texts(settings)
    made_train = synthetic_unanswerable(train_questions, years, texts)
    made_dev = synthetic_unanswerable(dev_questions, years, texts)
    log(f"reading {len(train_questions)} train questions and {len(made_train)} made unanswerable")
    train_examples = yearbook_examples(train_questions, retrieve, reader, progress)
    train_examples += yearbook_examples(made_train, retrieve, reader, progress, synthetic=True)
    log(f"reading {len(dev_questions)} dev questions and {len(made_dev)} made unanswerable")
    dev_examples = yearbook_examples(dev_questions, retrieve, reader, progress)
    dev_examples += yearbook_examples(made_dev, retrieve, reader, progress, synthetic=True)
    train_questions += made_train
    dev_questions += made_dev
    log(f"reading {len(cmrc)} CMRC questions")
    train_examples += read_cmrc(cmrc, reader, progress)
    model, stats = train(train_examples, dev_examples, log)
    out = args.out or MODEL_PATH
    model.meta.update({"train_questions": len(train_questions), "dev_questions": len(dev_questions), "cmrc_files": [p.name for p in args.cmrc]})
    model.save(out)
    log("done")
    print(
        f"wrote {out}: {stats['span_rows']} candidate spans from {stats['span_questions']} questions (train and dev), "
        f"answerable scorer on {stats['answerable_rows']} questions; refusal threshold "
        f"{model.answer_threshold:.3f} and span threshold {model.span_threshold:.2f} (from {stats['threshold_from']})"
    )
    return 0


def run_yesno_training(args: argparse.Namespace, settings: Settings) -> int:
    """`yearbook eval train --yesno-only`: refit the yes/no verdict into the model file, the rest kept."""
    from dataclasses import replace

    from evals.train_reader import fit_yesno
    from rag.reader.model import MODEL_PATH, load_model

    out = args.out or MODEL_PATH
    kept = load_model(out if out.exists() else MODEL_PATH)
    yesno, rows = fit_yesno(yesno_examples(args, settings, kept))
    if not yesno.weights:
        print(f"no yes/no verdict learned: {rows} yes/no questions with a deciding sentence, both answers needed", file=sys.stderr)
        return 1
    replace(kept, yesno=yesno, meta={**kept.meta, "yesno_rows": rows, "yesno_trained": date.today().isoformat()}).save(out)
    print(f"wrote {out}: yes/no verdict from {rows} train and dev yes/no questions (other models kept)")
    return 0


def yesno_examples(args: argparse.Namespace, settings: Settings, model: Any) -> list[Any]:
    """The train and dev yes/no questions read by ``model`` (None: the settings') through the service's reranker, as the service reads them."""
    from evals.train_reader import yearbook_examples

    questions = [q for q in training_questions(args.limit) if q.type == "yesno"]
    retrieve, _ = eval_retrieval(settings)  # the verdict learns from the sentences the service reads
    return yearbook_examples(questions, retrieve, settings_reader(settings, model), not args.quiet)


def run_yesno_cross_validation(args: argparse.Namespace, settings: Settings) -> int:
    """`yearbook eval train --yesno-only --cross-validate`: the yes/no verdict on yearbooks it never saw (seconds, not the full run)."""
    from evals.cross_validate import cross_validate_yesno

    report = cross_validate_yesno(yesno_examples(args, settings, None))  # None: the settings' reader model
    if args.json:
        print(json.dumps(report))
    else:
        print(f"leave-one-yearbook-out yes/no verdict ({report['n']} questions): learned {report['learned']:.3f} right, "
              f"hand checks {report['hand']:.3f} (retrieval through the service's reranker)")
    return 0


def train_retrieval(
    train_questions: list[Any], dev_questions: list[Any], settings: Settings, out: Path | None, progress: bool
) -> dict[str, Any]:
    """Fit the reranker on the train and dev questions' fused candidates, write it and print their hit@1/@5 before and after (in sample).

    Returns each yearbook's held-out reranker (fitted without it), which the reader learns through.
    """
    from evals.train_rerank import fit_reranker, held_out_rerankers, hit_rates
    from rag.retrieval.rerank import RERANKER_PATH

    pools = fused_evidence_pools([*train_questions, *dev_questions], settings, progress)
    reranker = fit_reranker(pools)
    fused, reranked = hit_rates(pools, None), hit_rates(pools, reranker)
    reranker.meta.update({"fused": fused, "reranked": reranked})
    target = out or RERANKER_PATH
    reranker.save(target)
    print(
        f"wrote {target}: reranker from {reranker.meta['questions']} train and dev questions; their evidence "
        f"hit@1 {fused['hit@1']:.3f} -> {reranked['hit@1']:.3f}, hit@5 {fused['hit@5']:.3f} -> {reranked['hit@5']:.3f} "
        f"(in sample)"
    )
    return held_out_rerankers(pools)


def reranker_folds(questions: list[Any], settings: Settings, progress: bool) -> dict[str, Any]:
    """Each yearbook's reranker fitted without its questions (none when reranking is off)."""
    if not settings.rerank:
        return {}
    from evals.train_rerank import held_out_rerankers

    return held_out_rerankers(fused_evidence_pools(questions, settings, progress))


def fused_evidence_pools(questions: list[Any], settings: Settings, progress: bool) -> list[Any]:
    """The questions' candidates in the evaluation store in fused order (no reranker), each searched within its yearbook's place."""
    from evals.eval_store import eval_settings
    from evals.train_rerank import evidence_pools
    from rag.retrieval.hybrid import open_retriever

    retriever = open_retriever(eval_settings(settings.model_copy(update={"rerank": False})))
    return evidence_pools(questions, retriever, corpus_places(retriever.store.manifest()), progress)


def run_cross_validation(args: argparse.Namespace, settings: Settings) -> int:
    """`yearbook eval train --cross-validate`: the span and refusal models scored on yearbooks they never saw; no model is written."""
    from evals.cross_validate import cross_validate, format_cross_validation

    log = stage_logger("cross-validate", not args.quiet)
    log("reading the train and dev questions through held-out retrieval")
    examples, synthetic, extra = cross_validation_examples(args, settings)
    log(f"fitting one fold per yearbook over {len(examples)} questions, {len(synthetic)} made unanswerable and {len(extra)} CMRC")
    report = cross_validate(examples, extra, synthetic)
    log("done")
    print(json.dumps(report, ensure_ascii=False) if args.json else format_cross_validation(report))
    return 0


def cross_validation_examples(args: argparse.Namespace, settings: Settings) -> tuple[list[Any], list[Any], list[Any]]:
    """The train and dev questions read as `yearbook eval train` reads them, their synthetic unanswerable variants, and CMRC."""
    from evals.train_reader import corpus_texts, synthetic_unanswerable, yearbook_examples
    from rag.reader.reader import untrained_model

    cmrc = load_cmrc_files(args)
    questions = training_questions(args.limit)
    retrieve, years = eval_retrieval(settings, held_out=reranker_folds(questions, settings, not args.quiet))
    reader = settings_reader(settings, untrained_model())
    synthetic = synthetic_unanswerable(questions, years, corpus_texts(settings))
    progress = not args.quiet
    return (
        yearbook_examples(questions, retrieve, reader, progress),
        yearbook_examples(synthetic, retrieve, reader, progress, synthetic=True),
        read_cmrc(cmrc, reader, progress),
    )


def eval_retrieval(
    settings: Settings, held_out: dict[str, Any] | None = None
) -> tuple[Retrieve, set[int]]:
    """Retrieval against the evaluation store as the evaluation asks, and the years the store holds.

    With ``held_out`` (yearbook → reranker fitted without it), each question is reranked by its
    yearbook's, so a reader learns from retrieval as good as a new question gets.
    """
    from evals.eval_store import eval_settings
    from evals.train_reader import Retrieved
    from rag.retrieval.hybrid import SearchFilters, open_retriever

    retriever = open_retriever(eval_settings(settings))
    shipped = retriever.reranker
    years = retriever.years()
    places = corpus_places(retriever.store.manifest())

    def retrieve(question: Any) -> Retrieved:
        """Retrieval within the place of the question's yearbook, as the service retrieves for its reader."""
        corpus = question.corpus or BUNDLED
        if held_out:
            retriever.reranker = held_out.get(corpus, shipped)
        result = retriever.search(question.question, filters=SearchFilters(place=places.get(corpus) or None))
        return Retrieved(result.documents, years, result.mentions, result.query)

    return retrieve, years


def settings_reader(settings: Settings, model: Any = None) -> Any:
    """A reader with ``model`` (default: the one the settings name, else the shipped one) whose sentence vectors are cached in the settings' cache folder."""
    from rag.reader.model import configured_model
    from rag.reader.reader import Reader
    from rag.reader.similarity import bundled_similarity

    return Reader(model or configured_model(settings.reader_model), similarity=bundled_similarity(settings.cache_dir))


def load_cmrc_files(args: argparse.Namespace) -> list[Any]:
    """Every CMRC item of the files given with --cmrc, loaded first so a wrong file fails before the long reading."""
    from evals.cmrc import load_cmrc

    return [item for path in args.cmrc for item in load_cmrc(path, args.cmrc_limit)]


def read_cmrc(items: list[Any], reader: Any, progress: bool) -> list[Any]:
    """CMRC items read against their passages (none when none were given)."""
    from evals.train_reader import cmrc_examples

    return cmrc_examples(items, reader, progress) if items else []


def run_reader(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of `yearbook eval reader`."""
    from evals.cmrc import evaluate_reader, load_cmrc

    items = load_cmrc(args.cmrc, args.limit)
    reader = settings_reader(settings)
    report = evaluate_reader(reader.best_span, items, progress=not args.json)
    summary = {"file": str(args.cmrc), "n": report.n, "em": report.em, "f1": report.f1, "p50_ms": report.p50_ms, "p95_ms": report.p95_ms}
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(f"CMRC 2018 {args.cmrc.name}: {report.n} questions, EM {report.em:.3f}, F1 {report.f1:.3f} "
              f"(×100, as CMRC's script); p50 {report.p50_ms:.1f} ms, p95 {report.p95_ms:.1f} ms")
    return 0


def run_split_answers(args: argparse.Namespace, settings: Settings) -> int:
    """`yearbook eval answers --splits`: every split against the evaluation store, and the gaps between them."""
    from tqdm import tqdm

    from evals.answers import failures, score, summarize
    from ingest.roster import is_roster_title
    from evals.eval_store import eval_settings
    from rag.answer.service import AnswerOptions, open_service

    service = open_service(eval_settings(settings))
    use_llm = False if args.offline else None
    service.answer("预热", options=AnswerOptions(use_llm=use_llm))
    places = corpus_places(service.retriever.store.manifest())
    report: dict[str, Any] = {"splits": {}}
    for split in args.only or SPLITS:
        questions = load_split(split)
        # Each question is asked as a person reading its yearbook would: with the page's 地区
        # filter on that yearbook's place (the question sets are written one yearbook at a time).
        rows = [
            score(q, service.answer(q.question, options=AnswerOptions(use_llm=use_llm, place=places.get(q.corpus or BUNDLED))))
            for q in tqdm(questions, desc=split, unit="q", disable=args.json or None)
        ]
        summary = summarize(rows)
        summary["place_discipline"] = place_discipline(questions, service, places, use_llm)
        roster = [r for r in rows if r.question.answerable and any(is_roster_title(s) for s in r.question.sections)]
        summary["roster"] = {k: v for k, v in (summarize(roster) if roster else {"n": 0}).items() if k in ("n", "containment", "exact_match")}
        by_corpus: dict[str, Any] = {}
        for corpus in sorted({q.corpus or BUNDLED for q in questions}):
            chosen = [r for r in rows if (r.question.corpus or BUNDLED) == corpus]
            by_corpus[corpus] = {k: v for k, v in summarize(chosen).items() if k != "by_type"}
        summary["by_corpus"] = by_corpus
        if args.show_failures:
            summary["failures"] = failures(rows)
        report["splits"][split] = summary
    splits = report["splits"]
    report["gap"] = {
        f"{a}→{b}": round(splits[b]["containment"] - splits[a]["containment"], 3)
        for a, b in (("train", "dev"), ("dev", "shift"), ("dev", "test"), ("train", "test"))
        if a in splits and b in splits
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(format_split_report(report))
    return 0


def corpus_places(manifest: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Each evaluation yearbook's place, by file stem (the questions' ``corpus``)."""
    return {Path(source).stem: str(record.get("place") or "") for source, record in manifest.items()}


def place_discipline(questions: list[Any], service: Any, places: dict[str, str], use_llm: bool | None) -> dict[str, Any]:
    """Questions that name their yearbook's place, asked with no place chosen: how many cite another place."""
    from rag.answer.service import AnswerOptions
    from rag.retrieval.places import places_named

    held = sorted(set(places.values()) - {""})
    asked = wrong = answered = 0
    for question in questions:
        place = places.get(question.corpus or BUNDLED, "")
        if not question.answerable or place not in places_named(question.question, held):
            continue
        asked += 1
        answer = service.answer(question.question, options=AnswerOptions(use_llm=use_llm))
        answered += not answer.refused
        wrong += any(c.place and c.place != place for c in answer.citations)
    return {"asked": asked, "answered": answered, "cited_another_place": wrong}


def format_split_report(report: dict[str, Any]) -> str:
    """A readable table: one row per split, then per yearbook and per type (and the failures, when asked)."""
    from evals.answers import format_failure

    lines = [f"{'split':<8}{'n':>5}" + "".join(f"{k:>15}" for k in SPLIT_KEYS)]
    for split, metrics in report["splits"].items():
        lines.append(f"{split:<8}{metrics['n']:>5}" + "".join(f"{_cell(metrics.get(k)):>15}" for k in SPLIT_KEYS))
    lines.append("(evidence_hit@k: the gold sentence is in the top k chunks; answer_hit@k: a chunk there states a gold answer)")
    lines.append("")
    lines.append("containment gap: " + ", ".join(f"{k} {v:+.3f}" for k, v in report["gap"].items()))
    lines.append("95% intervals (Wilson, answerable questions; splits this size move a few points by chance): " + "; ".join(
        f"{split} containment {_interval(m.get('containment_interval'))}, EM {_interval(m.get('exact_match_interval'))}"
        for split, m in report["splits"].items()
    ))
    for split, metrics in report["splits"].items():
        discipline = metrics.get("place_discipline") or {}
        lines.append(
            f"place discipline ({split}): {discipline.get('asked', 0)} questions name their place, asked with no "
            f"place chosen; {discipline.get('answered', 0)} answered, {discipline.get('cited_another_place', 0)} cite another place"
        )
        roster = metrics.get("roster") or {}
        lines.append(
            f"rosters ({split}): {roster.get('n', 0)} questions whose gold is in a leaders' roster; "
            f"containment {_cell(roster.get('containment'))}, exact match {_cell(roster.get('exact_match'))}"
        )
    for split, metrics in report["splits"].items():
        lines.append(f"\n{split} by yearbook:")
        for corpus, values in metrics["by_corpus"].items():
            lines.append(f"  {corpus:<28}" + "".join(f"{k} {_cell(values.get(k))}  " for k in SPLIT_KEYS[:9]))
        lines.append(f"{split} by type (containment / exact match):")
        for kind, values in metrics["by_type"].items():
            if kind == "unanswerable":
                lines.append(f"  {kind:<14}{values['n']:>4}  refused {_cell(values['refused'])}")
            else:
                lines.append(f"  {kind:<14}{values['n']:>4}  {_cell(values['containment'])} / {_cell(values['exact_match'])}")
        if "failures" in metrics:
            lines.append(f"{split} failures ({len(metrics['failures'])}: wrong short answers and wrong refusals):")
            lines += [format_failure(failure) for failure in metrics["failures"]]
    return "\n".join(lines)


def _interval(bounds: Any) -> str:
    """An interval as 「0.76–0.87」 ("-" when the split had none)."""
    return f"{bounds[0]:.2f}–{bounds[1]:.2f}" if bounds else "-"


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)
