"""A SYNTHETIC multi-year corpus for benchmarks: the bundled chapter re-dated and with figures perturbed."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from evals.dataset import Question, load_questions
from ingest.reader import read_text
from rag.text import years_in

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "data" / "corpus" / "sip-2020-party-government.txt"
DATASET = ROOT / "evals" / "datasets" / "sip_2020_party.jsonl"
SOURCE_YEAR = 2020
SYNTHETIC_YEARBOOK = "苏州工业园区年鉴（合成数据）"
CHAPTER = "党政机构"
QUESTIONS_FILE = "synthetic_questions.jsonl"
HEADER = (
    "SYNTHETIC 合成数据，仅供基准测试与年份区分测试：本文件由 evals/synthetic.py 据苏州工业园区年鉴"
    "党政机构一章生成，所记年份改为{year}年，数字经随机扰动（种子{seed}），并非真实年鉴内容。"
)

# Years that move with the covered year: every 「2020」 (「2020年」, 「2020级」, 「园盾2020」, …), and
# other 20xx years written as 「YYYY年」, in ranges 「2017—2019」 or standard numbers 「-2021)」.
# Founding history (1993–1995) stays as it is.
YEAR_TOKEN = re.compile(
    r"(?<![\d.])(?:2020(?!\d)|20[012]\d(?=\s*年|—|\)|级)|(?<=—)20[012]\d(?!\d)|(?<=-)20[12]\d(?=\)))"
)
# Figures: numbers followed by a unit of count, money, share or size (not dates, years,
# ordinals, versions such as 「2.0」 or codes such as 「DB3205」).
UNITS = "万|亿|余|多|人|个|件|条|篇|场|次|名|套|家|批|项|元|%|卷|平方米|天|支|所|户|份|字|位|处|类|座|期|起|张|部"
FIGURE = re.compile(rf"(?<![0-9A-Za-z./\-—+])(\d+(?:\.\d+)?)(?=\s*(?:{UNITS}))")


def synthetic_years(count: int) -> list[int]:
    """``count`` years nearest to 2020, alternating after and before it: 2021, 2019, 2022, …"""
    years: list[int] = []
    step = 1
    while len(years) < count:
        years.append(SOURCE_YEAR + step)
        if len(years) < count:
            years.append(SOURCE_YEAR - step)
        step += 1
    return years


def perturb(token: str, year: int, seed: int, percent: bool = False) -> str:
    """A figure changed by 5–30 % up or down, the same for the same (token, year, seed)."""
    digest = hashlib.sha256(f"{seed}\x1f{year}\x1f{token}".encode("utf-8")).digest()
    share = int.from_bytes(digest[:8], "little") / 2**64
    change = (0.05 + 0.25 * share) * (1 if digest[8] & 1 else -1)
    decimals = len(token.split(".", 1)[1]) if "." in token else 0
    value = float(token)
    new = round(value * (1 + change), decimals)
    if percent and new > 100:
        new = round(value * (1 - abs(change)), decimals)
    step = 10.0**-decimals
    if new == value or new <= 0:
        new = value + step if not (percent and value + step > 100) else value - step
    return f"{new:.{decimals}f}"


def shift_years(text: str, year: int) -> str:
    """Move every year that follows the covered year by ``year - 2020``."""
    delta = year - SOURCE_YEAR
    return YEAR_TOKEN.sub(lambda m: str(int(m.group()) + delta), text)


def perturb_figures(text: str, year: int, seed: int, mapping: dict[str, str] | None = None) -> str:
    """Perturb every figure of ``text``; ``mapping`` collects original → new tokens."""

    def replace(match: re.Match[str]) -> str:
        percent = text[match.end() : match.end() + 2].lstrip().startswith("%")
        new = perturb(match.group(1), year, seed, percent)
        if mapping is not None:
            mapping[match.group(1)] = new
        return new

    return FIGURE.sub(replace, text)


def transform(text: str, year: int, seed: int, mapping: dict[str, str] | None = None) -> str:
    """The text as the synthetic chapter of ``year`` would print it."""
    return perturb_figures(shift_years(text, year), year, seed, mapping)


def chapter_text(source_text: str, year: int, seed: int) -> str:
    """The whole synthetic chapter for ``year``: the SYNTHETIC header line, then the re-dated text."""
    return HEADER.format(year=year, seed=seed) + "\n" + transform(source_text, year, seed)


def file_name(year: int) -> str:
    """The synthetic file of ``year``: ``synthetic-2021-party-government.txt``."""
    return f"synthetic-{year}-party-government.txt"


def figure_questions(questions: list[Question]) -> list[Question]:
    """Bundled questions that name a year and whose answer is a figure found in the evidence."""
    chosen: list[Question] = []
    for question in questions:
        if question.type != "number" or len(question.entries) != 1 or not years_in(question.question):
            continue
        figures = {m.group(1) for m in FIGURE.finditer(" ".join(question.evidence))}
        if any(token in answer for answer in question.answers for token in figures):
            chosen.append(question)
    return chosen


def synthetic_question(question: Question, year: int, seed: int) -> dict[str, object]:
    """One bundled question asked for a synthetic year, with its perturbed gold answer and entry."""
    mapping: dict[str, str] = {}
    evidence = [transform(e, year, seed, mapping) for e in question.evidence]
    number = re.compile(r"\d+(?:\.\d+)?")
    answers = [
        number.sub(lambda m: mapping.get(m.group(), m.group()), shift_years(answer, year))
        for answer in question.answers
    ]
    return {
        "id": f"syn{year}-{question.id}",
        "question": transform(question.question, year, seed),
        "answers": answers,
        "section": " | ".join(question.sections),
        "entry": " | ".join(shift_years(e, year) for e in question.entries),
        "evidence": " | ".join(evidence),
        "type": question.type,
        "year": year,
        "source": file_name(year),
        "origin_id": question.id,
        "synthetic": True,
    }


def generate(
    out_dir: Path,
    scale: int,
    seed: int = 7,
    *,
    source: Path = SOURCE,
    dataset: Path = DATASET,
    years: list[int] | None = None,
) -> list[Path]:
    """Write ``scale`` synthetic chapters (one year each) with sidecars, and their question file.

    Args:
        out_dir: folder to write into (created).
        scale: how many copies of the chapter, i.e. how many synthetic years.
        seed: perturbation seed; the same seed writes the same bytes.
        source: the real chapter to derive from.
        dataset: the bundled question set to derive year questions from.
        years: the years to write (default: ``synthetic_years(scale)``).

    Returns:
        The chapter files written, in year order of ``years``.
    """
    if scale < 1:
        raise ValueError(f"scale must be at least 1, got {scale}")
    years = years or synthetic_years(scale)
    out_dir.mkdir(parents=True, exist_ok=True)
    source_text = read_text(source)
    paths: list[Path] = []
    for year in years:
        path = out_dir / file_name(year)
        path.write_text(chapter_text(source_text, year, seed), encoding="utf-8")
        meta = {
            "yearbook": SYNTHETIC_YEARBOOK,
            "year": year,
            "chapter": CHAPTER,
            "synthetic": True,
            "origin": source.name,
            "seed": seed,
            "note": "SYNTHETIC: re-dated copy of the 2020 chapter with perturbed figures; benchmarks only.",
        }
        path.with_name(path.stem + ".meta.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        paths.append(path)
    chosen = figure_questions(load_questions(dataset))
    with (out_dir / QUESTIONS_FILE).open("w", encoding="utf-8") as handle:
        for year in years:
            for question in chosen:
                handle.write(json.dumps(synthetic_question(question, year, seed), ensure_ascii=False) + "\n")
    return paths


def main(argv: list[str] | None = None, write: Callable[[str], object] = print) -> int:
    """`python -m evals.synthetic OUT --scale 10 [--seed 7]`."""
    parser = argparse.ArgumentParser(
        prog="python -m evals.synthetic",
        description="Write a SYNTHETIC multi-year corpus (benchmarks only) from the bundled chapter.",
    )
    parser.add_argument("out", type=Path, help="output folder")
    parser.add_argument("--scale", type=int, default=10, help="number of synthetic chapters (years)")
    parser.add_argument("--seed", type=int, default=7, help="perturbation seed")
    args = parser.parse_args(argv)
    paths = generate(args.out, args.scale, seed=args.seed)
    write(
        f"wrote {len(paths)} SYNTHETIC chapter(s) ({min(p.stem for p in paths)} … {max(p.stem for p in paths)}) "
        f"and {QUESTIONS_FILE} into {args.out}"
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
