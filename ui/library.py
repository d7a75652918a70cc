"""The page's yearbook library: upload files with their metadata, ingest them with progress, list and remove them."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path
from typing import Any

from ingest.formats import SUPPORTED_SUFFIXES
from ingest.index import SourceOptions, ingest, remove_source
from ingest.metadata import SIDECAR_SUFFIX
from rag.errors import YearbookError
from rag.settings import Settings
from rag.store.chroma import open_store
from rag.store.embeddings import CachedEmbeddings, embedding_model_id, make_embeddings

STAGING = ".staging"  # uploads wait here until their ingest succeeds
LISTING_HEADERS = ["文件", "地区", "年鉴", "年份", "条目", "片段", "页数", "收录字符"]


class Library:
    """Uploads and removals for the page; one ingest at a time, the old index kept on failure."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()

    def rows(self) -> list[list[Any]]:
        """The loaded yearbook files, one row each (empty when the store is missing)."""
        try:
            manifest = open_store(self.settings, embedding_model_id(self.settings)).manifest()
        except YearbookError:
            return []
        return [
            [
                source, record.get("place") or "", record.get("yearbook", ""), record.get("year", ""),
                record.get("entries", 0), record.get("chunks", 0), record.get("pages") or "",
                f"{float(record.get('kept_share') or 0):.1%}",
            ]
            for source, record in sorted(manifest.items())
        ]

    def sources(self) -> list[str]:
        """The file names a person may remove."""
        return [str(row[0]) for row in self.rows()]

    def upload(self, files: list[str] | None, yearbook: str, place: str, year: float | None) -> str:
        """Copy uploaded files beside a metadata sidecar, ingest them, and say what happened.

        Returns a message for the page; errors are messages too, and a failed ingest leaves
        the store as it was (ingest embeds everything before it writes).
        """
        if not files:
            return "⚠️ 请先选择要上传的年鉴文件（.txt、.pdf、.docx 或图片）。"
        paths = [Path(f) for f in files]
        unsupported = [p.name for p in paths if p.suffix.lower() not in SUPPORTED_SUFFIXES]
        if unsupported:
            return f"⚠️ 不支持的文件类型：{'、'.join(unsupported)}。支持：{'、'.join(SUPPORTED_SUFFIXES)}"
        too_big = [p.name for p in paths if p.stat().st_size > self.settings.upload_max_mb * 1024 * 1024]
        if too_big:
            return f"⚠️ 文件超过 {self.settings.upload_max_mb} MB：{'、'.join(too_big)}"
        clash = self._name_clash(paths, yearbook, place)
        if clash:
            return clash
        if not self._lock.acquire(blocking=False):
            return "⚠️ 另一个文件正在载入，请稍后再试。"
        staging = self.settings.upload_dir / STAGING
        try:
            staged = [self._stage(path, staging, yearbook, place, year) for path in paths]
            summary = self._ingest(staged)
            for path in staged:  # ingested: keep the file and its metadata for later re-ingests
                for item in (path, path.with_name(path.stem + SIDECAR_SUFFIX)):
                    if item.exists():
                        item.replace(self.settings.upload_dir / item.name)
        except YearbookError as exc:
            reason = str(exc).replace(f"{staging}/", "")  # name the file, not the staging folder
            return f"⚠️ 载入失败，原有索引未改动：{reason}"
        except Exception as exc:  # noqa: BLE001 - a disk or store failure mid-way: say what is known
            return f"⚠️ 载入中断：{exc}。请在下方列表核对已载入的年鉴。"
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            self._lock.release()
        lines = [f"✅ 已载入 {summary.files} 个文件：{summary.entries} 个条目，{summary.chunks} 个片段（新嵌入 {summary.embedded}）。"]
        lines += [f"- {row['source']}：{row['place'] or '地区未知'}，收录 {row['kept_share']:.1%} 的文字" for row in summary.per_file]
        lines += [f"- 提示：{warning}" for warning in summary.warnings]
        return "\n".join(lines)

    def _name_clash(self, paths: list[Path], yearbook: str, place: str) -> str | None:
        """A message when an upload would replace a loaded file of the same name from another yearbook."""
        loaded = {str(row[0]): (str(row[2]), str(row[1])) for row in self.rows()}
        for path in paths:
            if path.name not in loaded:
                continue
            old_book, old_place = loaded[path.name]
            if (yearbook.strip() and yearbook.strip() != old_book) or (place.strip() and place.strip() != old_place):
                return (
                    f"⚠️ 已有同名文件 {path.name}（{old_place or '地区未知'} · {old_book}）；"
                    "请改名后再上传，或先删除原文件。"
                )
        return None

    def remove(self, source: str | None) -> str:
        """Remove one file's chunks from the store (its uploaded copy too)."""
        if not source:
            return "⚠️ 请先选择要删除的文件。"
        with self._lock:
            try:
                removed = remove_source(self.settings, embedding_model_id(self.settings), source)
            except YearbookError as exc:
                return f"⚠️ {exc}"
        for leftover in (self.settings.upload_dir / source, self.settings.upload_dir / (Path(source).stem + SIDECAR_SUFFIX)):
            leftover.unlink(missing_ok=True)
        return f"🗑️ 已删除 {source}（{removed} 个片段）。"

    @staticmethod
    def _stage(upload: Path, folder: Path, yearbook: str, place: str, year: float | None) -> Path:
        """Copy an upload into the staging folder, with the form's metadata in its sidecar."""
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / upload.name
        shutil.copyfile(upload, target)
        meta = {key: value for key, value in (("yearbook", yearbook.strip()), ("place", place.strip())) if value}
        if year:
            meta["year"] = int(year)
        sidecar = folder / (target.stem + SIDECAR_SUFFIX)
        if meta:
            sidecar.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        else:
            sidecar.unlink(missing_ok=True)
        return target

    def _ingest(self, paths: list[Path]) -> Any:
        settings = self.settings
        embeddings = CachedEmbeddings(
            make_embeddings(settings), embedding_model_id(settings), settings.cache_dir / "embeddings.sqlite3"
        )
        try:
            return ingest(paths, settings, embeddings, options=SourceOptions(), progress=True)
        finally:
            embeddings.close()
