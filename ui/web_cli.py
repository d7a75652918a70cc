"""`yearbook ui`: start the chat page."""

from __future__ import annotations

import argparse
from typing import Any

from rag.settings import Settings


def add_ui_command(commands: Any) -> None:
    """Register `yearbook ui`."""
    parser = commands.add_parser(
        "ui",
        help="start the chat web page (http://127.0.0.1:7860 by default)",
        description="Start the Gradio chat page over the store. It listens on 127.0.0.1 unless "
        "--host says otherwise; set YEARBOOK_UI_USERNAME and YEARBOOK_UI_PASSWORD to require a login.",
    )
    parser.add_argument("--host", help="address to listen on (default from YEARBOOK_UI_HOST, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default from YEARBOOK_UI_PORT, 7860)")
    parser.set_defaults(handler=run_ui)


def run_ui(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of `yearbook ui`: serves until interrupted."""
    from ui.web import launch

    launch(settings, host=args.host, port=args.port)
    return 0
