"""CMRC 2018 reading comprehension: load SQuAD-style files, score a reader with the official EM and F1."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from evals.retrieval import percentile
from rag.errors import CorpusFormatError

# The official script's punctuation list, verbatim. "……" is two characters, so like in the
# official per-character test it never matches; a single "…" is kept as text.
_SP_CHARS = frozenset(
    ["-", ":", "_", "*", "^", "/", "\\", "~", "`", "+", "=",
     "，", "。", "：", "？", "！", "“", "”", "；", "’", "《", "》", "……", "·", "、",
     "「", "」", "（", "）", "－", "～", "『", "』"]
)  # fmt: skip
_CJK = re.compile(r"[\u4e00-\u9fa5]")
# The official script runs nltk.word_tokenize on each non-CJK run. Without nltk we apply the
# Treebank substitutions of nltk 3.4.5 and split on whitespace; approximations: no punkt sentence
# split first (only matters for a period inside a latin run) and no "cannot"/"gonna" contractions.
_TREEBANK = [(re.compile(p, re.ASCII), r) for p, r in [  # Python 2: \d and \s were ASCII-only
    (r'^"', "``"), (r"(``)", r" \1 "), (r"([ (\[{<])(\"|\'{2})", r"\1 `` "),
    (r"([:,])([^\d])", r" \1 \2"), (r"([:,])$", r" \1 "), (r"\.\.\.", " ... "), (r"[;@#$%&]", r" \g<0> "),
    (r"([^\.])(\.)([\]\)}>\"\']*)\s*$", r"\1 \2\3 "), (r"[?!]", r" \g<0> "), (r"([^'])' ", r"\1 ' "),
    (r"[\]\[\(\)\{\}\<\>]", r" \g<0> "), (r"--", " -- "),
]]  # fmt: skip
_TREEBANK_END = [(re.compile(p, re.ASCII), r) for p, r in [
    (r'"', " '' "), (r"(\S)(\'\')", r"\1 \2 "), (r"([^' ])('[sS]|'[mM]|'[dD]|') ", r"\1 \2 "),
    (r"([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ", r"\1 \2 "),
]]  # fmt: skip


def _word_tokenize(text: str) -> list[str]:
    """Treebank word tokenisation of a non-CJK run, as nltk.word_tokenize does it."""
    for pattern, replacement in _TREEBANK:
        text = pattern.sub(replacement, text)
    text = f" {text} "
    for pattern, replacement in _TREEBANK_END:
        text = pattern.sub(replacement, text)
    return text.split()


@dataclass(frozen=True)
class CmrcItem:
    """One CMRC question with its passage and gold answers."""

    id: str
    question: str
    context: str
    answers: tuple[str, ...]


@dataclass(frozen=True)
class CmrcRow:
    """One question's prediction and its scores (0–1)."""

    id: str
    prediction: str
    em: float
    f1: float


@dataclass(frozen=True)
class CmrcReport:
    """Scores of a reader over a CMRC set; em and f1 are ×100 like the official script."""

    n: int
    em: float
    f1: float
    rows: list[CmrcRow]
    p50_ms: float
    p95_ms: float


def _field(obj: Any, key: str, kind: type, where: str) -> Any:
    if not isinstance(obj, dict) or not isinstance(obj.get(key), kind):
        raise CorpusFormatError(f"{where}: expected a '{key}' field of type {kind.__name__}")
    return obj[key]


def load_cmrc(path: Path, limit: int | None = None) -> list[CmrcItem]:
    """Read a SQuAD-style CMRC 2018 file.

    Args:
        path: The JSON file ({"data": [{"paragraphs": [{"context", "qas"}]}]}).
        limit: Keep at most this many questions, in file order.

    Raises:
        CorpusFormatError: The file is missing, not JSON, of the wrong shape, or has no questions.
    """
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CorpusFormatError(f"{path}: no such CMRC file") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorpusFormatError(f"{path}: not a readable UTF-8 JSON file ({exc})") from exc
    if isinstance(raw, list) and raw and isinstance(raw[0], dict) and "context_text" in raw[0]:
        raise CorpusFormatError(
            f"{path}: this is CMRC 2018's own layout (context_text, qas with query_text); "
            "give the SQuAD-style file instead (squad-style-data/ in the ymcui/cmrc2018 repository)"
        )
    items: list[CmrcItem] = []
    for a, article in enumerate(_field(raw, "data", list, str(path))):
        for p, para in enumerate(_field(article, "paragraphs", list, f"{path}: data[{a}]")):
            where = f"{path}: data[{a}].paragraphs[{p}]"
            context = _field(para, "context", str, where)
            for q, qa in enumerate(_field(para, "qas", list, where)):
                at = f"{where}.qas[{q}]"
                answers = _field(qa, "answers", list, at)
                texts = tuple(_field(ans, "text", str, f"{at}.answers[{i}]") for i, ans in enumerate(answers))
                qid, question = _field(qa, "id", str, at).strip(), _field(qa, "question", str, at).strip()
                items.append(CmrcItem(id=qid, question=question, context=context, answers=texts))
                if limit is not None and len(items) >= limit:
                    return items
    if not items:
        raise CorpusFormatError(f"{path}: no questions found")
    return items


def mixed_segmentation(text: str, remove_punctuation: bool = False) -> list[str]:
    """Split into CJK characters, punctuation marks and latin/digit tokens, as the official script."""
    tokens: list[str] = []
    run = ""
    for char in text.lower().strip():
        if remove_punctuation and char in _SP_CHARS:
            continue
        if _CJK.match(char) or char in _SP_CHARS:
            tokens.extend(_word_tokenize(run))
            run = ""
            tokens.append(char)
        else:
            run += char
    tokens.extend(_word_tokenize(run))
    return tokens


def _strip_punctuation(text: str) -> str:
    return "".join(c for c in text.lower().strip() if c not in _SP_CHARS)


def _lcs_length(a: list[str], b: list[str]) -> int:
    """Length of the longest common contiguous run of tokens."""
    best = 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0] * (len(b) + 1)
        for j, y in enumerate(b):
            if x == y:
                current[j + 1] = previous[j] + 1
                best = max(best, current[j + 1])
        previous = current
    return best


def cmrc_em(prediction: str, answers: Sequence[str]) -> float:
    """1.0 if the prediction equals a gold answer once both lose punctuation, else 0.0."""
    pred = _strip_punctuation(prediction)
    return 1.0 if any(pred == _strip_punctuation(ans) for ans in answers) else 0.0


def cmrc_f1(prediction: str, answers: Sequence[str]) -> float:
    """Best F1 over the gold answers, from the longest common substring of the token lists."""
    pred_tokens = mixed_segmentation(prediction, remove_punctuation=True)
    best = 0.0
    for ans in answers:
        ans_tokens = mixed_segmentation(ans, remove_punctuation=True)
        common = _lcs_length(ans_tokens, pred_tokens)
        if common:
            precision, recall = common / len(pred_tokens), common / len(ans_tokens)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def evaluate_reader(
    predict: Callable[[str, str], str], items: Sequence[CmrcItem], progress: bool = True
) -> CmrcReport:
    """Run a reader over CMRC items and score it.

    Args:
        predict: predict(question, context) returns the answer span, "" for no answer.
        items: The questions to ask.
        progress: Show a tqdm progress bar.

    Returns:
        EM and F1 averaged over all items (×100, 3 decimals), per-question rows and latency.
    """
    rows: list[CmrcRow] = []
    latencies: list[float] = []
    for item in tqdm(items, desc="CMRC", unit="q", disable=not progress):
        start = time.perf_counter()
        prediction = predict(item.question, item.context) or ""
        latencies.append((time.perf_counter() - start) * 1000)
        rows.append(CmrcRow(item.id, prediction, cmrc_em(prediction, item.answers), cmrc_f1(prediction, item.answers)))
    n = len(rows)
    return CmrcReport(
        n=n,
        em=round(100 * sum(r.em for r in rows) / n, 3) if n else 0.0,
        f1=round(100 * sum(r.f1 for r in rows) / n, 3) if n else 0.0,
        rows=rows,
        p50_ms=round(percentile(latencies, 50), 3),
        p95_ms=round(percentile(latencies, 95), 3),
    )
