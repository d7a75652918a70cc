"""Append 👍/👎 feedback from the page to a local JSONL file that evaluations can read."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

_LOCK = threading.Lock()


def record_feedback(path: Path, *, liked: bool, answer: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """Append one feedback record (question, answer, citations, settings, time) and return it."""
    record = {
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "liked": liked,
        "question": answer.get("question"),
        "standalone_question": answer.get("standalone_question"),
        "answer": answer.get("text"),
        "short_answer": answer.get("short_answer"),
        "refused": answer.get("refused"),
        "mode": answer.get("mode"),
        "citations": answer.get("citations", []),
        "settings": settings,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with _LOCK, path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return record
