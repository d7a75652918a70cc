"""Which yearbook, year and chapter a file holds: from its sidecar <stem>.meta.json or options."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from rag.errors import CorpusFormatError
from rag.schema import SourceInfo

SIDECAR_SUFFIX = ".meta.json"
YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)年")


def sidecar_path(path: Path) -> Path:
    """The metadata file beside a yearbook file: ``name.txt`` → ``name.meta.json``."""
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def guess_year(text: str) -> int | None:
    """The year a yearbook chapter is most about: the most frequent 「YYYY年」."""
    counts = Counter(int(match) for match in YEAR_RE.findall(text))
    return counts.most_common(1)[0][0] if counts else None


def load_source_info(
    path: Path,
    text: str,
    *,
    yearbook: str | None = None,
    year: int | None = None,
    chapter: str | None = None,
) -> tuple[SourceInfo, list[str]]:
    """Source metadata for one file, and warnings about anything that had to be guessed.

    Options given here win over the sidecar file; missing values are guessed from the text
    (year) or the file name (yearbook, chapter).
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
    return SourceInfo(source=path.name, yearbook=yearbook, year=year, chapter=chapter or path.stem), warnings


def _int_or_none(value: object, meta: Path) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(str(value))
    except ValueError as exc:
        raise CorpusFormatError(f"{meta}: 'year' must be a number, got {value!r}") from exc
