"""Timestamped stage lines on stderr for the long evaluation jobs (bench, training), shown where no progress bar is."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

StageLog = Callable[[str], None]


def stage_logger(job: str, enabled: bool = True, started: float | None = None) -> StageLog:
    """A function that prints ``[job  12.3 s] message`` to stderr (nothing when not ``enabled``)."""
    begun = time.perf_counter() if started is None else started

    def log(message: str) -> None:
        if enabled:
            print(f"[{job} {time.perf_counter() - begun:7.1f} s] {message}", file=sys.stderr, flush=True)

    return log


def quiet(_: str) -> None:
    """A stage log that prints nothing."""
