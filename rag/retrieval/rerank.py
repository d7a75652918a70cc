"""Learned reranking of the fused candidates: features of each (question, chunk) pair and the ranker fitted on them."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np

from rag.errors import ConfigError
from rag.ranking import LinearModel, TreeRanker, ranker_from_json
from rag.schema import ROLE_WORDS
from rag.text import normalise

RERANKER_PATH = Path(__file__).with_name("rerank_model.json")
RERANKER_FORMAT = 2  # 2: LambdaRank trees or a logistic model under "ranker"
_CJK_BIGRAM = re.compile(r"(?=([\u4e00-\u9fff]{2}))")
_SENTENCE = re.compile(r"[^。；;！!？?\n]+")
_CJK = re.compile(r"[\u4e00-\u9fff0-9A-Za-z]+")
_ROLE = re.compile("|".join(sorted(ROLE_WORDS, key=len, reverse=True)))
_LISTED = re.compile(r"[^、|,，;；\s:：()（）]+")  # the items a roster row or a 「、」 list writes
MAX_POST = 12  # a listed item longer than this is prose, not a post


@dataclass(frozen=True)
class QueryTerms:
    """The question's search tokens with their IDF in the searched collection, and its bigrams."""

    weights: dict[str, float]  # token → IDF
    bigrams: frozenset[str]
    text: str  # the question, normalised, CJK and digits only
    exact: tuple[str, ...]  # dates and figures the question writes


def query_terms(query: str, tokens: list[str], document_frequency: dict[str, int], total: int, exact: list[str]) -> QueryTerms:
    """IDF-weighted distinct tokens of the question (tokens no chunk holds are left out)."""
    weights: dict[str, float] = {}
    for token in dict.fromkeys(tokens):
        found = document_frequency.get(token, 0)
        if found and token.strip():
            weights[token] = math.log(1 + total / found)
    text = "".join(_CJK.findall(normalise(query)))
    return QueryTerms(weights, frozenset(_CJK_BIGRAM.findall(text)), text, tuple(exact))


@dataclass(frozen=True)
class Candidate:
    """One fused candidate chunk as the reranker sees it."""

    text: str  # the chunk's body
    heading: str  # its heading path (section, entry, table)
    kind: str
    fused: float  # its weighted reciprocal-rank score
    dense_rank: int | None  # 0-based rank in the dense list (None: not there)
    lexical_rank: int | None
    lexical_score: float  # its BM25 score
    similarity: float | None = None  # cosine of its stored vector to the question's (None: no dense search)


def candidate_features(
    terms: QueryTerms, candidate: Candidate, best_fused: float, best_lexical: float, best_similarity: float = 0.0
) -> dict[str, float]:
    """What tells the chunk that answers from its neighbours: ranks, closeness in meaning, coverage of the question, phrase matches."""
    body = normalise(candidate.text)
    heading = normalise(candidate.heading)
    total = sum(terms.weights.values()) or 1.0
    in_body = sum(w for t, w in terms.weights.items() if t in body) / total
    in_heading = sum(w for t, w in terms.weights.items() if t in heading) / total
    in_either = sum(w for t, w in terms.weights.items() if t in body or t in heading) / total
    best_sentence = max(
        (sum(w for t, w in terms.weights.items() if t in s) / total for s in _SENTENCE.findall(body)), default=0.0
    )
    chunk_bigrams = set(_CJK_BIGRAM.findall(heading + body))
    bigram_share = len(terms.bigrams & chunk_bigrams) / len(terms.bigrams) if terms.bigrams else 0.0
    longest = _longest_common(terms.text, heading + body)
    missing = max((w for t, w in terms.weights.items() if t not in body and t not in heading), default=0.0)
    entry_bigrams = set(_CJK_BIGRAM.findall(heading.split(" ")[-1] if heading else ""))
    f = {
        "fused": candidate.fused / best_fused if best_fused else 0.0,
        "dense_rr": 0.0 if candidate.dense_rank is None else 1.0 / (1 + candidate.dense_rank),
        "lexical_rr": 0.0 if candidate.lexical_rank is None else 1.0 / (1 + candidate.lexical_rank),
        "in_dense": float(candidate.dense_rank is not None),
        "in_lexical": float(candidate.lexical_rank is not None),
        "bm25": candidate.lexical_score / best_lexical if best_lexical > 0 else 0.0,
        "cov_body": in_body,
        "cov_heading": in_heading,
        "cov_either": in_either,
        "cov_sentence": best_sentence,
        "bigrams": bigram_share,
        "longest": min(longest, 12) / 12,
        "longest_share": longest / max(len(terms.text), 1),
        "rarest_missing": missing / max(terms.weights.values(), default=1.0),
        "title_asked": len(entry_bigrams & terms.bigrams) / len(entry_bigrams) if entry_bigrams else 0.0,
        "exact": sum(1 for e in terms.exact if e in body) / len(terms.exact) if terms.exact else 0.0,
        "exact_asked": float(bool(terms.exact)),
        "length": math.log1p(len(body)) / 8,
        "short": float(len(body) < 24),
        f"kind:{candidate.kind or 'text'}": 1.0,
    }
    f.update(post_agreement(terms.text, body))
    if candidate.similarity is not None:  # how close in meaning, and how far behind the closest candidate
        f["dense_sim"] = candidate.similarity
        f["dense_sim_gap"] = best_similarity - candidate.similarity
    return f


def post_agreement(question: str, body: str) -> dict[str, float]:
    """Whether a post the chunk lists is one the question names, whole.

    「黑河市市长是谁」 names the item 市长 of the row 「市委副书记、市长 | 郑国权」, not the row
    「副市长 | 高春阳」, whose only post holds 市长 but is not said; bigram coverage cannot tell
    the two rows apart.
    """
    if not _ROLE.search(question):
        return {"post_asked": 0.0}
    posts = [m.group(0) for m in _LISTED.finditer(body) if 2 <= len(m.group(0)) <= MAX_POST and _ROLE.search(m.group(0))]
    said = any(post in question for post in posts)
    return {"post_asked": 1.0, "post_listed_said": float(said), "post_listed_unsaid": float(bool(posts) and not said)}


def _longest_common(a: str, b: str) -> int:
    if not a or not b:
        return 0
    return SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b)).size


@dataclass
class Reranker:
    """A learned scorer of candidate features (LambdaRank trees, or a logistic model); chunks are ordered by its score."""

    ranker: LinearModel | TreeRanker
    meta: dict[str, object] = field(default_factory=dict)

    def scores(self, rows: list[dict[str, float]]) -> list[float]:
        """The score of every candidate (higher: more likely to hold the answer's evidence), in one batch."""
        return self.ranker.scores(rows)

    def order(self, rows: list[dict[str, float]]) -> list[int]:
        """Indices of ``rows`` best first (ties keep the fused order)."""
        return list(np.argsort(-np.asarray(self.scores(rows), dtype=float), kind="stable"))

    def save(self, path: Path = RERANKER_PATH) -> None:
        """Write the model as JSON."""
        payload = {"format": RERANKER_FORMAT, "meta": self.meta, "ranker": self.ranker.to_json()}
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def load_reranker(path: Path = RERANKER_PATH) -> Reranker | None:
    """The shipped reranker, or None when there is none (fused order is kept)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if raw.get("format") != RERANKER_FORMAT:
        raise ValueError(f"{path}: reranker format {raw.get('format')!r}, expected {RERANKER_FORMAT}: run `yearbook eval train`")
    return Reranker(ranker_from_json(raw["ranker"]), dict(raw.get("meta", {})))


def chosen_reranker(path: Path | None) -> Reranker | None:
    """The reranker a setting names (it must exist), else the shipped one (None when there is none)."""
    if path is None:
        return load_reranker()
    if not path.is_file():
        raise ConfigError(f"{path}: no such reranker file (YEARBOOK_RERANKER_MODEL); unset it to use the shipped one")
    return load_reranker(path)
