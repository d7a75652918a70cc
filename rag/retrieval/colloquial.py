"""Colloquial words in a question (「海归」) rewritten to the wording the yearbook uses (「海外留学回国人员」)."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rag.errors import ConfigError
from rag.text import word_bounds

DEFAULT_LEXICON = Path(__file__).with_name("colloquial_terms.toml")


@dataclass(frozen=True)
class Rewrite:
    """One colloquial word replaced by a yearbook term."""

    colloquial: str
    term: str


@dataclass(frozen=True)
class Formalised:
    """A question with its colloquial words replaced, and what was replaced."""

    question: str
    rewrites: tuple[Rewrite, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Lexicon:
    """Colloquial words and, for each, the yearbook terms it may stand for (in order of preference)."""

    terms: dict[str, tuple[str, ...]]

    def formalise(self, question: str, in_store: Callable[[str], bool]) -> Formalised:
        """Replace each colloquial word of ``question`` by the first of its terms the store holds.

        A word is replaced only when it stands as whole words in the question (「外国人」 is left
        alone inside 「外国人才」), the store never uses the word itself, the question does not
        already name one of its terms, and one of its terms occurs in the store.
        """
        present = sorted((w for w in self.terms if w in question), key=len, reverse=True)
        if not present:
            return Formalised(question)
        bounds = word_bounds(question)
        rewrites: list[Rewrite] = []
        text = question
        for word in present:
            start = question.find(word)
            if start not in bounds or start + len(word) not in bounds:
                continue
            terms = self.terms[word]
            if any(term in question for term in terms) or in_store(word):
                continue
            term = next((t for t in terms if in_store(t)), None)
            if term is None or word not in text:
                continue
            text = text.replace(word, term)
            rewrites.append(Rewrite(word, term))
        return Formalised(text, tuple(rewrites))


@lru_cache(maxsize=4)
def load_lexicon(path: Path = DEFAULT_LEXICON) -> Lexicon:
    """Read a lexicon file (TOML: a ``[terms]`` table of word = [terms]).

    Raises:
        ConfigError: the file is missing, not TOML, or holds something else than lists of words.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the colloquial lexicon {path}: {exc}") from exc
    table = data.get("terms")
    if not isinstance(table, dict):
        raise ConfigError(f"the colloquial lexicon {path} has no [terms] table")
    terms: dict[str, tuple[str, ...]] = {}
    for word, values in table.items():
        if len(word) < 2 or not isinstance(values, list) or not values:
            raise ConfigError(f"colloquial lexicon {path}: {word!r} needs two or more characters and a list of terms")
        if not all(isinstance(v, str) and len(v) >= 2 for v in values):
            raise ConfigError(f"colloquial lexicon {path}: the terms of {word!r} must be words of two or more characters")
        terms[word] = tuple(values)
    return Lexicon(terms)
