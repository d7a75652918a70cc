"""`yearbook ingest`: add yearbook files to the store, list what is there, or remove a file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ingest.index import SourceOptions, ingest, remove_source
from rag.store.embeddings import CachedEmbeddings, embedding_model_id, make_embeddings
from rag.settings import Settings
from rag.store.chroma import open_store, store_location


def add_ingest_command(commands: Any) -> None:
    """Register `yearbook ingest` on the subcommand parser."""
    parser = commands.add_parser(
        "ingest",
        help="parse yearbook files, embed their chunks and store them in Chroma",
        description="Parse yearbook .txt files (or folders of them) into entries, chunk and "
        "embed them, and store them in Chroma. Unchanged files are skipped; changed files "
        "replace their old chunks. With no PATH, ingests the bundled corpus folder.",
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="yearbook files or folders")
    parser.add_argument("--rebuild", action="store_true", help="build the collection anew from PATHs")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.add_argument("--list", action="store_true", help="list the files in the store and exit")
    parser.add_argument("--remove", metavar="SOURCE", help="remove one ingested file (by name) and exit")
    parser.add_argument("--yearbook", help="yearbook title, when no <stem>.meta.json says it")
    parser.add_argument("--year", type=int, help="year covered, when no <stem>.meta.json says it")
    parser.add_argument("--chapter", help="chapter name, when no <stem>.meta.json says it")
    parser.add_argument("--place", help="place the yearbook covers (e.g. 黑河市), when neither the meta file nor its title says it")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.set_defaults(handler=run_ingest)


def run_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of `yearbook ingest`."""
    model_id = embedding_model_id(settings)
    if args.list:
        return _print_listing(settings, model_id, args.json)
    if args.remove:
        removed = remove_source(settings, model_id, args.remove)
        _emit({"removed_source": args.remove, "removed": removed}, args.json)
        return 0
    embeddings = CachedEmbeddings(
        make_embeddings(settings), model_id, settings.cache_dir / "embeddings.sqlite3"
    )
    try:
        summary = ingest(
            args.paths or [settings.corpus_dir],
            settings,
            embeddings,
            rebuild=args.rebuild,
            options=SourceOptions(args.yearbook, args.year, args.chapter, args.place),
            progress=not (args.quiet or args.json),
        )
    finally:
        embeddings.close()
    for warning in summary.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    data = summary.as_dict()
    data.pop("warnings")
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        print(
            f"Ingested {summary.files} file(s) into {store_location(settings)}, collection "
            f"{summary.collection!r}: {summary.sections} sections, {summary.entries} entries, "
            f"{summary.chunks} chunks; {summary.embedded} embedded (and {summary.sentences_embedded} sentences "
            f"for the reader), {summary.unchanged} file(s) "
            f"unchanged, {summary.removed} stale chunk(s) removed; {summary.total_chunks} chunks "
            f"in the store; {summary.seconds:.2f} s."
        )
        for row in summary.per_file:
            print(
                f"  {row['source']}  {row['place'] or '(place unknown)'}: {row['chars_indexed']} of "
                f"{row['chars_in']} characters indexed ({row['chars_chrome']} page chrome), "
                f"kept {row['kept_share']:.1%}"
            )
    return 0


def _print_listing(settings: Settings, model_id: str, as_json: bool) -> int:
    store = open_store(settings, model_id)
    manifest = store.manifest()
    rows = [{"source": source, **record} for source, record in sorted(manifest.items())]
    if as_json:
        print(json.dumps({"collection": store.name, "chunks": store.count(), "sources": rows}, ensure_ascii=False))
        return 0
    print(f"{store_location(settings)}, collection {store.name!r}: {store.count()} chunks, model {model_id}")
    if not rows:
        print("  (empty: run `yearbook ingest`)")
    for row in rows:
        print(
            f"  {row['source']}  {row.get('place') or ''} {row['yearbook']} {row['year']} · {row['chapter']}  "
            f"{row['sections']} sections, {row['entries']} entries, {row['chunks']} chunks, "
            f"ingested {row['ingested_at']}"
        )
    return 0


def _emit(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        print(", ".join(f"{k}: {v}" for k, v in data.items()))
