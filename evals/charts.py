"""PNG charts of a report: accuracy by question type per configuration, and latency distributions."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    return plt


def accuracy_chart(report: dict[str, Any], path: Path) -> Path:
    """Grouped bars: for each question type, the share answered correctly by each configuration."""
    plt = _pyplot()
    results = report["results"]
    kinds = sorted({k for r in results.values() for k in r["accuracy_by_type"]})
    width = 0.8 / max(len(results), 1)
    figure, axes = plt.subplots(figsize=(max(6.0, 1.1 * len(kinds) + 2), 4.2), dpi=110)
    for index, (name, result) in enumerate(results.items()):
        values = [result["accuracy_by_type"].get(k, {}).get("accuracy", 0.0) for k in kinds]
        positions = [i + (index - (len(results) - 1) / 2) * width for i in range(len(kinds))]
        bars = axes.bar(positions, values, width=width, label=name)
        if len(results) <= 3:
            axes.bar_label(bars, labels=[f"{v:.2f}" for v in values], fontsize=7, padding=1)
    axes.set_xticks(range(len(kinds)))
    counts = {k: next(r["accuracy_by_type"][k]["n"] for r in results.values() if k in r["accuracy_by_type"]) for k in kinds}
    axes.set_xticklabels([f"{k}\n(n={counts[k]})" for k in kinds], fontsize=8)
    axes.set_ylim(0, 1.08)
    axes.set_ylabel("accuracy")
    axes.set_title("Accuracy by question type")
    axes.grid(axis="y", alpha=0.3)
    axes.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    figure.savefig(path, format="png")
    plt.close(figure)
    return path


def latency_chart(report: dict[str, Any], path: Path) -> Path:
    """Box plots of retrieval and whole-answer latency (ms, log scale) per configuration."""
    plt = _pyplot()
    results = report["results"]
    names = list(results)
    answer_ms = [[max(q["ms"], 0.01) for q in r["questions"]] or [0.01] for r in results.values()]
    retrieval_ms = [[max(ms, 0.01) for ms in r.get("retrieval_ms", [])] or [0.01] for r in results.values()]
    figure, (left, right) = plt.subplots(1, 2, figsize=(max(7.0, 1.6 * len(names) + 4), 4.0), dpi=110, sharey=True)
    for axes, data, title in ((left, retrieval_ms, "Retrieval (depth 10)"), (right, answer_ms, "Whole answer")):
        axes.boxplot(data, showfliers=True, whis=(5, 95))
        axes.set_xticks(range(1, len(names) + 1))
        axes.set_xticklabels(names, rotation=20, ha="right", fontsize=8)
        axes.set_yscale("log")
        axes.set_title(title)
        axes.grid(axis="y", alpha=0.3, which="both")
    left.set_ylabel("milliseconds (log scale; whiskers p5-p95)")
    figure.suptitle("Latency per question")
    figure.tight_layout()
    figure.savefig(path, format="png")
    plt.close(figure)
    return path
