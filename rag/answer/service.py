"""The answer function: question and history in, a stream of Answer objects out."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from rag.answer.places import settle_place
from rag.answer.schema import Answer
from rag.reader.model import configured_model
from rag.reader.reader import Reader
from rag.reader.similarity import bundled_similarity
from rag.answer.followup import standalone_question
from rag.retrieval.hybrid import HybridRetriever, SearchFilters, open_retriever, result_row
from rag.settings import Settings
from rag.validation import check_question


@dataclass
class AnswerOptions:
    """Per-question choices a person can make in the page or on the command line."""

    k: int | None = None
    year: int | None = None
    section: str | None = None
    place: str | None = None
    use_llm: bool | None = None  # None: as configured


class QAService:
    """Retrieval plus the offline reader, and the LLM answerer when one is configured."""

    def __init__(
        self,
        retriever: HybridRetriever,
        reader: Reader,
        llm: Any | None = None,
    ) -> None:
        self.retriever = retriever
        self.reader = reader
        self.llm = llm

    @property
    def mode_label(self) -> str:
        """What answers: 「离线抽取」 or the LLM model name."""
        return f"LLM（{self.llm.model_name}）" if self.llm is not None else "离线抽取"

    def answer(self, question: str, history: Sequence[Any] = (), options: AnswerOptions | None = None) -> Answer:
        """The final answer (the last item of :meth:`stream`)."""
        final: Answer | None = None
        for final in self.stream(question, history, options):
            pass
        assert final is not None
        return final

    def stream(
        self, question: str, history: Sequence[Any] = (), options: AnswerOptions | None = None
    ) -> Iterator[Answer]:
        """Partial answers while an LLM writes, then the verified final answer.

        Raises:
            QuestionError: the question is empty or too long.
            EmptyIndexError / StoreUnavailableError: nothing to search.
        """
        options = options or AnswerOptions()
        started = time.perf_counter()
        question = check_question(question)
        use_llm = self.llm is not None and options.use_llm is not False
        standalone = (
            self.llm.condense(question, history) if use_llm and history else standalone_question(question, history)
        )
        filters = SearchFilters(year=options.year, section=options.section, place=options.place)
        result = self.retriever.search(standalone, k=options.k, filters=filters)
        retrieved = time.perf_counter()
        contexts = [result_row(d) for d in result.documents]
        searched = result.query  # colloquial words rewritten to the yearbook's wording
        offline = self.reader.answer(searched, result.documents, self.retriever.years(), result.mentions)
        final = offline
        if use_llm:
            for partial in self.llm.stream(standalone, result.documents, offline):
                if final is not offline:
                    yield _finish(final, question, searched, contexts, started, retrieved, done=False)
                final = partial
        final = settle_place(final, standalone, result.documents, self.retriever.places(), options.place)
        yield _finish(final, question, searched, contexts, started, retrieved, done=True)


def _finish(
    answer: Answer,
    question: str,
    standalone: str,
    contexts: list[dict[str, Any]],
    started: float,
    retrieved: float,
    done: bool,
) -> Answer:
    now = time.perf_counter()
    update: dict[str, Any] = {
        "question": question,
        "standalone_question": standalone if standalone != question else None,
        "contexts": contexts,
        "timings": {
            **answer.timings,
            "retrieve_ms": round((retrieved - started) * 1000, 2),
            "answer_ms": round((now - retrieved) * 1000, 2),
            "total_ms": round((now - started) * 1000, 2),
        },
    }
    update["final"] = done
    return answer.model_copy(update=update)


def open_service(settings: Settings) -> QAService:
    """Build the service named by settings (offline unless ``answerer`` is 'llm')."""
    retriever = open_retriever(settings)
    llm = None
    if settings.answerer == "llm":
        from rag.answer.llm import LLMAnswerer

        llm = LLMAnswerer.from_settings(settings)
    reader = Reader(configured_model(settings.reader_model), similarity=bundled_similarity(settings.cache_dir))
    return QAService(retriever, reader, llm)

