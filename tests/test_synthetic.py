"""The SYNTHETIC multi-year corpus: same structure as the bundled chapter, other years, other figures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from evals import synthetic
from ingest.metadata import guess_year, load_source_info
from ingest.parse import ParseResult, parse_yearbook
from ingest.reader import read_text
from rag.text import normalise


def _parse(path: Path) -> ParseResult:
    text = read_text(path)
    info, warnings = load_source_info(path, text)
    assert warnings == []  # year, title and chapter all come from the sidecar
    return parse_yearbook(text, info)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", normalise(text))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return synthetic.generate(tmp_path_factory.mktemp("synthetic"), 3, seed=11)


def test_years_alternate_around_2020() -> None:
    assert synthetic.synthetic_years(5) == [2021, 2019, 2022, 2018, 2023]
    assert sorted(synthetic.synthetic_years(9) + [2020]) == list(range(2016, 2026))


def test_each_file_parses_into_the_structure_of_the_chapter(generated: list[Path], parsed: ParseResult) -> None:
    for path in generated:
        result = _parse(path)
        year = result.entries[0].info.year
        assert result.warnings == []
        assert len(result.sections) == 13 and result.sections == parsed.sections
        notice, *entries = result.entries  # the SYNTHETIC notice before the first heading is kept as an entry
        assert notice.body.startswith("SYNTHETIC")
        texts = [e for e in entries if e.kind == "text"]
        captions = [e for e in entries if e.kind == "caption"]
        assert len(texts) == 78 and len(captions) == 1
        assert captions[0].body.startswith(f"{year}年4月3日")
        assert [e.section for e in entries] == [e.section for e in parsed.entries]
        assert [e.credits for e in entries] == [e.credits for e in parsed.entries]
        tables = [t for e in result.entries for t in e.tables]
        assert [t.caption for t in tables] == [f"表4 {year}年园区重大外事活动", f"表5 {year}年园区重要外宾到访情况"]
        assert [len(t.rows) for t in tables] == [4, 47]


def test_years_differ_per_file_and_follow_the_covered_year(generated: list[Path]) -> None:
    years = [_parse(p).entries[0].info.year for p in generated]
    assert years == [2021, 2019, 2022]
    for path, year in zip(generated, years):
        text = read_text(path)
        assert guess_year(text) == year  # every 「2020年」 of the covered year moved
        assert "1994年2月,国务院批准设立苏州工业园区" in text  # founding history stays
        assert f"{year - 3}—{year - 1}年度园区文明单位" in text  # 「2017—2019年度」 moves along


def test_figures_differ_between_years(generated: list[Path], corpus_text: str) -> None:
    texts = [read_text(p) for p in generated]
    assert "全年发展党员526人" in corpus_text
    found = [re.search(r"全年发展党员(\d+)人", t).group(1) for t in texts]  # type: ignore[union-attr]
    assert "526" not in found and len(set(found)) == 3
    # Dates, versions and codes are not figures and stay as they are.
    for text in texts:
        assert "“红色管家2.0”" in text and "8月3—28日" in text and "DB3205/T 1012-" in text


def test_everything_is_labelled_synthetic(generated: list[Path]) -> None:
    for path in generated:
        first_line = read_text(path).splitlines()[0]
        assert first_line.startswith("SYNTHETIC") and "合成数据" in first_line
        meta = json.loads(path.with_name(path.stem + ".meta.json").read_text(encoding="utf-8"))
        assert meta["synthetic"] is True and "合成数据" in meta["yearbook"]
        info, _ = load_source_info(path, read_text(path))
        assert info.yearbook == synthetic.SYNTHETIC_YEARBOOK
        assert path.name.startswith("synthetic-")


def test_generation_is_deterministic_for_a_seed(generated: list[Path], tmp_path: Path) -> None:
    again = synthetic.generate(tmp_path / "again", 3, seed=11)
    other = synthetic.generate(tmp_path / "other", 1, seed=12)
    for first, second in zip(generated, again):
        assert first.read_bytes() == second.read_bytes()
    assert (generated[0].parent / synthetic.QUESTIONS_FILE).read_bytes() == (
        tmp_path / "again" / synthetic.QUESTIONS_FILE
    ).read_bytes()
    assert other[0].read_bytes() != generated[0].read_bytes()


def test_year_questions_carry_the_perturbed_gold(generated: list[Path]) -> None:
    folder = generated[0].parent
    items = [json.loads(line) for line in (folder / synthetic.QUESTIONS_FILE).read_text(encoding="utf-8").splitlines()]
    assert {item["year"] for item in items} == {2019, 2021, 2022}
    assert all(item["synthetic"] for item in items)
    parsed = {p.name: _parse(p) for p in generated}
    texts = {p.name: _flat(read_text(p)) for p in generated}
    for item in items:
        assert f"{item['year']}年" in item["question"] and "2020年" not in item["question"]
        assert _flat(item["evidence"]) in texts[item["source"]]
        assert any(_flat(a) in _flat(item["evidence"]) for a in item["answers"])
        labels = {(e.section, e.title) for e in parsed[item["source"]].entries}
        assert (item["section"], item["entry"]) in labels
    q008 = next(i for i in items if i["id"] == "syn2021-q008")
    assert q008["question"] == "2021年园区全年发展党员多少人？"
    assert "526人" not in q008["answers"] and q008["answers"][0].endswith("人")


def test_command_line_writes_the_corpus(tmp_path: Path) -> None:
    lines: list[str] = []
    assert synthetic.main([str(tmp_path / "out"), "--scale", "2", "--seed", "3"], write=lines.append) == 0
    assert sorted(p.name for p in (tmp_path / "out").glob("*.txt")) == [
        "synthetic-2019-party-government.txt",
        "synthetic-2021-party-government.txt",
    ]
    assert "SYNTHETIC" in lines[0]
