"""Short forms of the names of bodies (人大, 政协, 住建局) and their full names, for reading and retrieval alike."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.errors import ConfigError

SHORT_FORMS_PATH = Path(__file__).with_name("short_forms.toml")
MAX_SPELLINGS = 8  # a word with many short forms is read in at most this many spellings


@dataclass(frozen=True)
class ShortForms:
    """Pairs of a short form and one of its full names, longest short form first."""

    pairs: tuple[tuple[str, str], ...] = ()

    def spellings(self, word: str) -> frozenset[str]:
        """The word, and the word with its short forms written in full and its full names shortened.

        「人大常委会」 → 「人民代表大会常务委员会」 too; 「政治协商会议」 → 「政协」 too. A short form
        already written inside its own full name (「县委」 in 「县委员会」) is left alone.
        """
        found = {word}
        for short, full in self.pairs:
            for spelling in list(found):
                if len(found) >= MAX_SPELLINGS:
                    return frozenset(found)
                if full in spelling:
                    found.add(spelling.replace(full, short))
                elif short in spelling:
                    found.add(spelling.replace(short, full))
        return frozenset(found)

    def full_names(self, text: str, in_store: Callable[[str], bool]) -> list[str]:
        """The full names of the short forms in ``text`` that ``text`` lacks and the store holds.

        Longer short forms are read first and a shorter one inside them is not read again
        (「社工委」 is not 「工委」).
        """
        names: list[str] = []
        taken: set[int] = set()
        for short, full in self.pairs:
            at = [m.start() for m in re.finditer(re.escape(short), text)]
            free = [i for i in at if not taken & set(range(i, i + len(short)))]
            taken |= {i + k for i in at for k in range(len(short))}
            if free and full not in text and full not in names and in_store(full):
                names.append(full)
        return names


@lru_cache(maxsize=4)
def load_short_forms(path: Path = SHORT_FORMS_PATH) -> ShortForms:
    """Read a short-forms file (TOML: a ``[short_forms]`` table of short = [full names]).

    Raises:
        ConfigError: the file is missing, malformed, or holds a name under two characters.
    """
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))["short_forms"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"short forms {path}: {exc}") from exc
    if not isinstance(table, dict):
        raise ConfigError(f"short forms {path}: [short_forms] must be a table of short = [full names]")
    pairs: list[tuple[str, str]] = []
    for short, fulls in table.items():
        if len(short) < 2 or not isinstance(fulls, list) or not all(isinstance(f, str) and len(f) >= 2 for f in fulls):
            raise ConfigError(f"short forms {path}: {short!r} needs two or more characters and a list of full names")
        pairs += [(short, full) for full in fulls]
    return ShortForms(tuple(sorted(pairs, key=lambda p: -len(p[0]))))
