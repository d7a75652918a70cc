"""The `yearbook` command: one program, one subcommand per job."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from rag.errors import YearbookError
from rag.settings import Settings

Command = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    from evals.bench_cli import add_bench_command
    from evals.cli import add_eval_command
    from ingest.cli import add_ingest_command
    from ui.ask_cli import add_ask_command
    from ui.search_cli import add_search_command
    from ui.web_cli import add_ui_command

    parser = argparse.ArgumentParser(
        prog="yearbook",
        description="Yearbook QA: ask questions about Chinese local yearbooks (年鉴) and get "
        "short answers with citations. Settings come from YEARBOOK_* environment variables.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_ingest_command(commands)
    add_search_command(commands)
    add_ask_command(commands)
    add_ui_command(commands)
    add_eval_command(commands)
    add_bench_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; domain errors become one-line messages and exit code 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Command = args.handler
    try:
        settings = Settings()
        return handler(args, settings)
    except YearbookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: nothing more was written; the store is as it was before this step", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
