"""The stage lines long evaluation jobs print where no progress bar shows."""

from __future__ import annotations

import re

import pytest

from evals.stages import stage_logger


def test_stage_lines_name_the_job_and_the_seconds_since_it_began(capsys: pytest.CaptureFixture[str]) -> None:
    log = stage_logger("train")
    log("reading 12 train questions")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert re.fullmatch(r"\[train +\d+\.\d s\] reading 12 train questions\n", captured.err)


def test_a_disabled_stage_log_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    stage_logger("train", enabled=False)("reading")
    assert capsys.readouterr() == ("", "")
