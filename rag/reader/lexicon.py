"""The reader's lexicon: question cue words, units and their families, approximations, change, direction and movement words, synonyms."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.errors import ConfigError
from rag.schema import ROLE_WORDS
from rag.short_forms import ShortForms, load_short_forms

LEXICON_PATH = Path(__file__).with_name("lexicon.toml")
MAGNITUDES = "万亿"  # a figure's magnitude, written between it and its unit (39.96万卷)
ANSWER_KINDS: tuple[str, ...] = ("number", "date", "person", "org", "place", "list", "yesno", "what")


@dataclass(frozen=True)
class Lexicon:
    """Lookup tables built from ``lexicon.toml``."""

    cues: tuple[tuple[str, str], ...]  # (cue, kind), longest cue first
    units: tuple[str, ...]  # longest first
    unit_kind: dict[str, str]  # unit → count / money / measure / ratio
    unit_family: dict[str, str]  # unit → family (people, visits, …)
    change_words: tuple[str, ...]
    movement_start: tuple[str, ...]
    movement_end: tuple[str, ...]
    rising: tuple[str, ...]  # change words of one direction …
    falling: tuple[str, ...]  # … and of the other
    synonyms: dict[str, frozenset[str]]  # word → its family, itself included
    org_suffixes: tuple[str, ...]
    place_suffixes: tuple[str, ...]
    person_heads: tuple[str, ...] = ()  # nouns that name people (学生, 运动员)
    surnames: frozenset[str] = frozenset()  # family names, single and compound
    rate_words: tuple[str, ...] = ()  # a figure per head or per unit (每, 人均, 亩均)
    flow_words: tuple[str, ...] = ()  # a year's additions (新增, 年内新建)
    stock_words: tuple[str, ...] = ()  # what there is in all (累计, 现有)
    short_forms: ShortForms = ShortForms()  # 人大 ↔ 人民代表大会
    leader_words: tuple[str, ...] = ()  # words for whoever heads a body (一把手, 主要负责人)
    top_posts: tuple[str, ...] = ()  # the posts that head a body (书记, 主席, 县长)
    left_words: tuple[str, ...] = ()  # a holder has left the post (调离, 离任)
    approximate_before: tuple[str, ...] = ()  # words before a figure that make it approximate (近, 约), longest first
    approximate_after: tuple[str, ...] = ()  # … and after its unit (以上, 左右)
    requests: tuple[str, ...] = ()  # frames that make 吗 a request (告诉我, 知道)
    scope_words: tuple[str, ...] = ()  # the place or year framing a name (全市, 年内), not part of it

    @property
    def people_words(self) -> tuple[str, ...]:
        """Words that name people: the nouns above and the posts (学生, 运动员, 县长, 书记)."""
        return self.person_heads + ROLE_WORDS

    def family(self, unit: str) -> str:
        """The family of a unit (the unit itself when it has none); a magnitude before it does not
        change it (「万袋」 counts what 「袋」 counts)."""
        if unit in self.unit_family:
            return self.unit_family[unit]
        bare = unit[1:] if len(unit) > 1 and unit[0] in MAGNITUDES else unit
        return self.unit_family.get(bare, bare)

    def is_unit(self, text: str) -> bool:
        """Whether ``text`` is a unit of the lexicon, a magnitude before it allowed (「万袋」)."""
        return text in self.unit_kind or (len(text) > 1 and text[0] in MAGNITUDES and text[1:] in self.unit_kind)

    def variants(self, word: str) -> frozenset[str]:
        """The word and the words the lexicon says mean the same, each also with its short forms spelled out or in."""
        return frozenset().union(*(self.short_forms.spellings(w) for w in self.synonyms.get(word, frozenset((word,)))))


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """Read and index a reader lexicon file.

    Raises:
        ConfigError: the file is missing or malformed.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        cues = sorted(((c, k) for k in ANSWER_KINDS for c in raw["cues"].get(k, [])), key=lambda x: -len(x[0]))
        unit_kind = {u: kind for kind, units in raw["units"].items() for u in units}
        families = {u: fam for fam, units in raw["unit_families"].items() for u in units}
        synonyms: dict[str, frozenset[str]] = {}
        for group in raw["synonyms"]["groups"]:
            members = frozenset(group)
            for word in group:
                synonyms[word] = synonyms.get(word, frozenset()) | members
        return Lexicon(
            cues=tuple(cues),
            requests=tuple(raw["cues"].get("requests", [])),
            units=tuple(sorted(unit_kind, key=len, reverse=True)),
            unit_kind=unit_kind,
            unit_family=families,
            change_words=tuple(raw["change"]["words"]),
            movement_start=tuple(raw["movement"]["start"]),
            movement_end=tuple(raw["movement"]["end"]),
            rising=tuple(raw["direction"]["rising"]),
            falling=tuple(raw["direction"]["falling"]),
            synonyms=synonyms,
            org_suffixes=tuple(sorted(raw["names"]["org_suffixes"], key=len, reverse=True)),
            place_suffixes=tuple(sorted(raw["names"]["place_suffixes"], key=len, reverse=True)),
            person_heads=tuple(raw["names"]["person_heads"]),
            surnames=frozenset(re.sub(r"\s", "", raw["names"]["surnames"])) | frozenset(raw["names"]["compound_surnames"]),
            rate_words=tuple(raw["aspect"]["rate"]),
            flow_words=tuple(raw["aspect"]["flow"]),
            stock_words=tuple(raw["aspect"]["stock"]),
            short_forms=load_short_forms(),
            leader_words=tuple(raw["posts"]["leader_words"]),
            top_posts=tuple(w for w in ROLE_WORDS if w not in raw["posts"]["not_heads"]),
            left_words=tuple(raw["posts"]["left"]),
            approximate_before=tuple(sorted(raw["approximation"]["before"], key=len, reverse=True)),
            approximate_after=tuple(sorted(raw["approximation"]["after"], key=len, reverse=True)),
            scope_words=tuple(raw["scope"]["words"]),
        )
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"reader lexicon {path}: {exc}") from exc
