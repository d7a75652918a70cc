"""Which yearbook, year, chapter and place a file holds: from options, its sidecar <stem>.meta.json, or guessed."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from rag.errors import CorpusFormatError
from rag.schema import SourceInfo

SIDECAR_SUFFIX = ".meta.json"
YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)年")
PLACE_SUFFIXES = "省市县区旗州盟"
_PLACE_TITLE_RE = re.compile(rf"^(?:中共)?([\u4e00-\u9fff]{{2,14}}?[{PLACE_SUFFIXES}])(?:年鉴|志|概况|概览|统计年鉴)")
_PLACE_LINE_RE = re.compile(rf"^([\u4e00-\u9fff]{{1,12}}[{PLACE_SUFFIXES}])$")
TITLE_LINES = 12


def sidecar_path(path: Path) -> Path:
    """The metadata file beside a yearbook file: ``name.txt`` → ``name.meta.json``."""
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def guess_year(text: str) -> int | None:
    """The year a yearbook chapter is most about: the most frequent 「YYYY年」."""
    counts = Counter(int(match) for match in YEAR_RE.findall(text))
    return counts.most_common(1)[0][0] if counts else None


def guess_place(yearbook: str, text: str) -> str | None:
    """The place a yearbook covers, from its title (「黑河市年鉴」) or its first title lines."""
    if match := _PLACE_TITLE_RE.match(yearbook):
        return match.group(1)
    lines = [line.strip() for line in text[:4000].split("\n") if line.strip()][:TITLE_LINES]
    for line in lines:
        if match := _PLACE_TITLE_RE.match(line) or _PLACE_LINE_RE.match(line):
            return match.group(1)
    return None


def load_source_info(
    path: Path,
    text: str,
    *,
    yearbook: str | None = None,
    year: int | None = None,
    chapter: str | None = None,
    place: str | None = None,
) -> tuple[SourceInfo, list[str]]:
    """Source metadata for one file, and warnings about anything that had to be guessed.

    Options given here win over the sidecar file; missing values are guessed from the text
    (year, place) or the file name (yearbook, chapter).
    """
    warnings: list[str] = []
    sidecar: dict[str, object] = {}
    meta = sidecar_path(path)
    if meta.exists():
        try:
            sidecar = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CorpusFormatError(f"{meta}: not a valid metadata JSON file ({exc})") from exc
    yearbook = yearbook or str(sidecar.get("yearbook") or "") or None
    chapter = chapter or str(sidecar.get("chapter") or "") or None
    year = year or _int_or_none(sidecar.get("year"), meta)
    if year is None:
        year = guess_year(text)
        if year is None:
            raise CorpusFormatError(
                f"{path}: the year it covers is unknown; pass --year or add {meta.name}"
            )
        warnings.append(f"{path.name}: no year given; guessed {year} from the text")
    if yearbook is None:
        yearbook = path.stem
        warnings.append(f"{path.name}: no yearbook title given; using {yearbook!r}")
    place = place or str(sidecar.get("place") or "") or None
    if place is None:
        place = guess_place(yearbook, text)
        if place is None:
            warnings.append(f"{path.name}: the place it covers is unknown; pass --place or add it to {meta.name}")
    info = SourceInfo(source=path.name, yearbook=yearbook, year=year, chapter=chapter or path.stem, place=place or "")
    return info, warnings


def _int_or_none(value: object, meta: Path) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(str(value))
    except ValueError as exc:
        raise CorpusFormatError(f"{meta}: 'year' must be a number, got {value!r}") from exc
