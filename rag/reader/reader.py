"""The offline reader: score every candidate span with the learned model, then answer, quote or refuse."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from langchain_core.documents import Document

from rag.answer.schema import REFUSAL_TEXT, Answer, Citation
from rag.ranking import LinearModel, logistic
from rag.reader.alignment import cell_gap, gap_span, row_cell
from rag.reader.candidates import Sentence, Span, sentences, spans
from rag.reader.features import (
    SentenceMatch,
    add_relative_features,
    confidence_features,
    evidence_features,
    match_sentence,
    overlaps,
    sentence_features,
    span_features,
)
from rag.reader.lexicon import Lexicon, load_lexicon
from rag.reader.lists import list_span
from rag.reader.model import ReaderModel, load_model
from rag.reader.question import Asked, Term, analyse, split_parts
from rag.reader.respectively import paired_figure
from rag.reader.scope import without_scope
from rag.reader.similarity import SentenceSimilarity, bundled_similarity
from rag.reader.quotes import citation
from rag.reader.yesno import decide
from rag.settings import Settings
from rag.text import fold

ALIGNED_KINDS = frozenset({"what", "org", "person", "place"})  # asks whose sure clause may give its open stretch
MAX_SENTENCES = 8  # sentences (by question coverage) whose spans are scored
PART_SEPARATOR = "；"
MISSING_PART = "（其余所问年鉴中无记载）"
_CLAUSE_END = "，,。；;！!？?"


@dataclass
class PartReading:
    """One sub-question read against the evidence."""

    asked: Asked
    ranked: list[Span]
    matches: list[SentenceMatch]
    evidence: dict[str, float] = field(default_factory=dict)
    span_probability: float = 0.0
    answerable: float = 0.0
    year_unheld: bool = False  # the question asks only years no loaded yearbook holds
    absent: tuple[Term, ...] = ()  # the question's words the searched yearbooks never say
    similarity: float = 0.0  # the closest read sentence's similarity in meaning to the question
    found: list[Span] = field(default_factory=list)  # every span in reading order (ties keep it)


def read_part(
    asked: Asked,
    candidates: list[Sentence],
    model: ReaderModel,
    lexicon: Lexicon,
    similarity: SentenceSimilarity,
    mentions: Callable[[str], bool],
    years_held: set[int] | None = None,
) -> PartReading:
    """Score every span of the sentences that hold most of the question, best first.

    ``mentions`` tells whether the searched yearbooks say a word anywhere.
    """
    matches = [match_sentence(asked, s) for s in candidates]
    best_cov = max((m.cov for m in matches), default=0.0)
    order = sorted(range(len(candidates)), key=lambda i: -(matches[i].cov + 0.02 / (1 + candidates[i].rank)))[:MAX_SENTENCES]
    meaning = similarity.scores(asked.text, [candidates[i] for i in order])
    closest = max(meaning, default=0.0)
    found: list[Span] = []
    for i, sim in zip(order, meaning):
        shared = sentence_features(matches[i], candidates[i], best_cov, sim, closest)
        for span in spans(candidates[i], lexicon):
            span.features = {**shared, **span_features(asked, span, matches[i], lexicon)}
            found.append(span)
    add_relative_features(found)
    unheld = bool(years_held and asked.years and not set(asked.years) & years_held)
    absent = tuple(t for t in asked.terms if not any(mentions(v) for v in t.variants))
    reading = PartReading(asked, [], [matches[i] for i in order], year_unheld=unheld, absent=absent, similarity=closest, found=found)
    score_reading(reading, model)
    return reading


def score_reading(reading: PartReading, model: ReaderModel) -> None:
    """Rank the reading's spans by ``model`` and set its span confidence, evidence and P(answerable).

    The spans and their features do not depend on the model, so training rescores a reading
    with each model it fits instead of reading the question again.
    """
    for span, score in zip(reading.found, model.span.scores([span.features for span in reading.found])):
        span.score = score
    scored = reading.ranked = sorted(reading.found, key=lambda s: -s.score)
    reading.span_probability = model.span_confidence(confidence_features(scored, reading.asked.kind), scored[0].features) if scored else 0.0
    reading.evidence = evidence_features(
        reading.asked, scored, reading.matches, reading.span_probability, reading.year_unheld, reading.similarity, reading.absent
    )
    reading.answerable = model.answerable.probability(reading.evidence) if scored else 0.0


class Reader:
    """Answers from retrieved chunks with the learned span and refusal models; no language model needed."""

    def __init__(
        self, model: ReaderModel | None = None, lexicon: Lexicon | None = None, similarity: SentenceSimilarity | None = None
    ) -> None:
        self.model = model or load_model()
        self.lexicon = lexicon or load_lexicon()
        self._similarity = similarity

    @property
    def similarity(self) -> SentenceSimilarity:
        """The sentence similarity the models learned from (the bundled e5, loaded on first use)."""
        if self._similarity is None:
            self._similarity = bundled_similarity(Settings().cache_dir)
        return self._similarity

    def read(
        self,
        question: str,
        documents: list[Document],
        years_held: set[int] | None = None,
        mentions: Callable[[str], bool] | None = None,
    ) -> list[PartReading]:
        """Every sub-question of ``question`` read against ``documents`` (best first); see :func:`read_part`.

        ``mentions`` tells whether the searched yearbooks say a word anywhere; without it, whether
        the documents do.
        """
        candidates = sentences(documents)
        said = mentions or _said_in(candidates)
        return [
            read_part(analyse(p, self.lexicon), candidates, self.model, self.lexicon, self.similarity, said, years_held)
            for p in split_parts(question)
        ]

    def best_span(self, question: str, passage: str) -> str:
        """The best span of one passage for a question, never refusing (reading comprehension)."""
        document = Document(page_content=passage, metadata={"kind": "text", "span_start": 0})
        reading = self.read(question, [document])[0]
        return reading.ranked[0].text if reading.ranked else ""

    def answer(
        self,
        question: str,
        documents: list[Document],
        years_held: set[int] | None = None,
        mentions: Callable[[str], bool] | None = None,
    ) -> Answer:
        """The answer to ``question`` from ``documents``: a short answer, a quoted clause, or a refusal."""
        contexts = [dict(d.metadata, text=d.page_content) for d in documents]
        readings = self.read(question, documents, years_held, mentions)
        citations: list[Citation] = []
        pieces: list[str] = []
        shorts: list[str] = []
        given: list[Span] = []
        for reading in readings:
            if not reading.ranked or reading.answerable < self.model.answer_threshold:
                continue
            _set_aside(reading, given)
            short, chosen = self._short_answer(reading)
            given.extend(chosen)
            marks = "".join(f"【{self._cite(citations, s.sentence).n}】" for s in chosen)
            clause = _clause(chosen[0])
            if short is None:  # sure of the sentence, not of the span: quote the clause
                pieces.append(f"{clause}{marks}")
                shorts.append(clause)
            else:
                pieces.append(f"{short}。{clause}{marks}" if clause != short else f"{short}{marks}")
                shorts.append(short)
        if not pieces:
            unsaid = [_as_asked(question, word) for word in _unsaid_nouns(readings)]
            return Answer(question=question, text=_refusal_text(documents, unsaid), refused=True, contexts=contexts)
        text = PART_SEPARATOR.join(pieces) + (MISSING_PART if len(pieces) < len(readings) else "")
        return Answer(question=question, text=text, short_answer=PART_SEPARATOR.join(shorts), citations=citations, contexts=contexts)

    def _short_answer(self, reading: PartReading) -> tuple[str | None, list[Span]]:
        best = reading.ranked[0]
        if reading.asked.kind == "yesno":
            answer, deciding = decide(reading.asked, reading.ranked, self.model.yesno)
            return answer, [deciding]
        recut = grammar_cut(reading.asked, best, self.lexicon)
        if recut is not None:
            return recut.text.strip(), [recut]
        if reading.span_probability < self.model.span_threshold:
            if best.sentence.is_row:
                aligned = row_cell(reading.asked, best)
                if aligned is not None and reading.asked.kind in ALIGNED_KINDS:
                    aligned = cell_gap(reading.asked, aligned)
            else:
                aligned = best if reading.asked.kind in ALIGNED_KINDS and stretch_agrees(reading.asked, best) else None
            if aligned is None:
                return None, [best]
            aligned = without_scope(aligned, reading.asked.text, self.lexicon)
            return aligned.text, [aligned]
        if best.kind == "cell" and reading.asked.kind in ALIGNED_KINDS:
            best = cell_gap(reading.asked, best)
        chosen = [without_scope(best, reading.asked.text, self.lexicon)]
        best = chosen[0]
        if "分别" in reading.asked.text:
            floor = logistic(best.score) * 0.5  # the spans carry their scores: no model call per span
            for other in reading.ranked[1:40]:
                if other.kind == best.kind and not overlaps(other, best) and logistic(other.score) >= floor:
                    chosen.append(other)
                    break
        return "、".join(s.text.strip() for s in chosen), chosen

    @staticmethod
    def _cite(citations: list[Citation], sentence: Sentence) -> Citation:
        for existing in citations:
            if existing.quote == sentence.quote and existing.chunk_id == str(sentence.document.metadata.get("chunk_id") or sentence.document.id or ""):
                return existing
        made = citation(len(citations) + 1, sentence.document, sentence.quote, sentence.start)
        citations.append(made)
        return made


def stretch_agrees(asked: Asked, best: Span) -> bool:
    """Whether the question's words leave open just the best span in its clause: two readings agreeing.

    Where the reader is unsure of its best span, the clause's open stretch alone is right less
    often than not (held out over the train and dev yearbooks: 31 of 105), so it is no answer of
    its own; where it is the best span, the two are right about as often as not (17 of 33).
    `yearbook eval train --cross-validate` reports these counts ("unsure tier").
    """
    gap = gap_span(asked, best)
    return gap is not None and (gap.start, gap.end) == (best.start, best.end)


def grammar_cut(asked: Asked, best: Span, lexicon: Lexicon) -> Span | None:
    """Where grammar, not the span model, sets the answer's ends: a list question's whole enumeration
    around the best span, or the figure 「分别」 pairs with the item a question names (None: neither applies)."""
    if asked.kind == "list":
        return list_span(best, {v for t in asked.terms for v in t.variants})
    if asked.kind == "number":
        return paired_figure(asked, best, lexicon)
    return None


def _said_in(candidates: list[Sentence]) -> Callable[[str], bool]:
    """Whether any of the sentences (or their entry titles) says a word."""
    text = "\n".join(s.folded + s.context for s in candidates)
    return lambda word: word in text


def _set_aside(reading: PartReading, given: list[Span]) -> None:
    """Put first the best span that another part of the question has not already given.

    「台青园累计吸纳多少家？当前入驻多少家？」 asks two things; answering both with the same
    figure is never what was meant, so the second part takes its best span not yet given.
    """
    fresh = next((s for s in reading.ranked if not any(overlaps(s, g) for g in given)), None)
    if fresh is not None and fresh is not reading.ranked[0]:
        reading.ranked = [fresh, *(s for s in reading.ranked if s is not fresh)]


def _clause(span: Span) -> str:
    """The clause of the sentence that holds the span (the whole row for a table cell)."""
    quote = span.sentence.quote
    if span.kind == "cell":
        return quote
    bounds = [i for i, ch in enumerate(quote) if ch in _CLAUSE_END and not _digit_separator(quote, i)]
    start = max((i for i in bounds if i < span.start), default=-1) + 1
    end = min((i for i in bounds if i >= span.end), default=len(quote))
    clause = quote[start:end].strip()
    return clause if len(clause) >= 6 else quote.rstrip("。；;，,")


def _digit_separator(text: str, i: int) -> bool:
    """A comma between digits groups thousands (「9,927万美元」); it does not end a clause."""
    return text[i] in ",，" and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()


def _unsaid_nouns(readings: list[PartReading], most: int = 2) -> list[str]:
    """The heaviest nouns of the question that the searched yearbooks never say (what a refusal can name)."""
    nouns = sorted((t for r in readings for t in r.absent if t.noun), key=lambda t: -t.weight)
    return list(dict.fromkeys(t.text for t in nouns))[:most]


def _as_asked(question: str, word: str) -> str:
    """``word`` (folded: lower case, simplified) as the question writes it (「GDP」, 「養蜂場」)."""
    at = fold(question).find(word)
    return question[at : at + len(word)] if at >= 0 else word


def _refusal_text(documents: list[Document], unsaid: Sequence[str] = ()) -> str:
    """The refusal, the question's nouns no searched yearbook says (if any), and the closest entries."""
    names: list[str] = []
    for document in documents[:3]:
        meta = document.metadata
        name = f"{meta.get('section', '')} › {meta.get('table') or meta.get('entry', '')}"
        if name not in names:
            names.append(name)
    never = f"所查年鉴中没有出现「{'」「'.join(unsaid)}」。" if unsaid else ""
    return REFUSAL_TEXT + never + (f"最接近的条目：{'、'.join(names)}。" if names else "")


def untrained_model() -> ReaderModel:
    """A model with no weights: every span scores 0 (what training starts from)."""
    return ReaderModel(span=LinearModel({}), answerable=LinearModel({}), answer_threshold=0.0, span_threshold=0.0)
