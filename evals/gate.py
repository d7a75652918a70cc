"""The quality gate: check a report's metrics against the thresholds in evals/thresholds.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.report import fmt
from rag.errors import ConfigError

DEFAULT_THRESHOLDS = Path("evals/thresholds.toml")


@dataclass
class Check:
    """One threshold applied to one metric of one configuration."""

    config: str
    metric: str
    bound: str  # "min" or "max"
    limit: float
    value: float | None

    @property
    def passed(self) -> bool:
        """The value exists and is on the right side of the limit."""
        if self.value is None:
            return False
        return self.value >= self.limit if self.bound == "min" else self.value <= self.limit

    def describe(self) -> str:
        """e.g. ``hybrid: exact_match 0.751 < min 0.760``."""
        if self.value is None:
            return f"{self.config}: {self.metric} is missing from the report (needs {self.bound} {fmt(self.limit)})"
        sign = ">=" if self.bound == "min" else "<="
        if not self.passed:
            sign = "<" if self.bound == "min" else ">"
        return f"{self.config}: {self.metric} {fmt(self.value)} {sign} {self.bound} {fmt(self.limit)}"


def load_thresholds(path: Path) -> dict[str, Any]:
    """The thresholds file.

    Raises:
        ConfigError: missing file, bad TOML, or no [configs.NAME.min|max] table.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no thresholds file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    configs = data.get("configs")
    if not isinstance(configs, dict) or not configs:
        raise ConfigError(f"{path}: needs at least one [configs.NAME.min] or [configs.NAME.max] table")
    for name, bounds in configs.items():
        unknown = set(bounds) - {"min", "max"}
        if unknown:
            raise ConfigError(f"{path}: [configs.{name}] may only hold 'min' and 'max' tables, not {sorted(unknown)}")
    return data


def check_report(report: dict[str, Any], thresholds: dict[str, Any]) -> tuple[list[Check], list[str]]:
    """Every threshold check, and problems that make the report unfit for the gate at all."""
    problems: list[str] = []
    dataset = report.get("dataset", {})
    wanted = thresholds.get("dataset")
    if wanted and dataset.get("name") != wanted:
        problems.append(f"the report ran {dataset.get('name')!r}, but the thresholds are for {wanted!r}")
    if dataset.get("limit") is not None or dataset.get("types"):
        problems.append("the report covers only a slice of the question set (--limit/--types); the gate needs all of it")
    checks: list[Check] = []
    for name, bounds in thresholds["configs"].items():
        result = report.get("results", {}).get(name)
        if result is None:
            problems.append(f"{name}: not in the report (run it with --config {name})")
            continue
        for bound in ("min", "max"):
            for metric, limit in (bounds.get(bound) or {}).items():
                value = result["summary"].get(metric)
                checks.append(Check(name, metric, bound, float(limit), None if value is None else float(value)))
    return checks, problems


def gate(report: dict[str, Any], thresholds: dict[str, Any]) -> tuple[bool, str]:
    """Whether the report passes, and a readable account of what fell below."""
    checks, problems = check_report(report, thresholds)
    failed = [c for c in checks if not c.passed]
    lines: list[str] = []
    if problems or failed:
        lines.append(f"quality gate FAILED: {len(failed)} of {len(checks)} thresholds not met" + (f", {len(problems)} problems" if problems else ""))
        lines += [f"  ✗ {p}" for p in problems]
        lines += [f"  ✗ {c.describe()}" for c in failed]
    else:
        lines.append(f"quality gate passed: all {len(checks)} thresholds met")
    lines += [f"  ✓ {c.describe()}" for c in checks if c.passed]
    return not (problems or failed), "\n".join(lines)
